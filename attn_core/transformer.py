r"""Forward passes of two tiny trained transformers, built from :func:`multi_head_attention`.

**Model A** (:func:`attn_only_forward`): a causal, attention-only decoder. With token
embeddings :math:`W_E` ``(V, d)``, learned positions :math:`W_{pos}` ``(T_max, d)`` and an
unembedding :math:`W_U` ``(d, V)``:

.. math::
    x^{(0)}_i = W_E[t_i] + W_{pos}[i], \qquad
    x^{(\ell+1)} = x^{(\ell)} + \sum_h \underbrace{A^{\ell,h} V^{\ell,h} W_O^{\ell,h}}_{
    \text{head } h \text{ writes}}, \qquad
    \text{logits} = x^{(L)} W_U

where :math:`A^{\ell,h} = \operatorname{softmax}(Q_h K_h^\top / \sqrt{d_{head}} + \text{causal
mask})` and :math:`W_O^{\ell,h}` are the rows of :math:`W_O` that head ``h`` owns. The residual
stream is the sum of what every earlier piece wrote, so a layer-2 key can read what a layer-1
head wrote (K-composition, Elhage et al. 2021). Ablating a head removes its write.

**Model B** (:func:`encoder_decoder_forward`): a pre-LN encoder-decoder,

.. math::
    x \leftarrow x + \operatorname{MHA}(\operatorname{LN}(x)), \quad
    x \leftarrow x + \operatorname{MLP}(\operatorname{LN}(x)), \qquad
    y \leftarrow y + \operatorname{MHA}_{causal}(\operatorname{LN}(y)), \quad
    y \leftarrow y + \operatorname{MHA}(\operatorname{LN}(y), \text{memory}), \quad
    y \leftarrow y + \operatorname{MLP}(\operatorname{LN}(y))

with :math:`\operatorname{LN}(x) = g \odot (x - \mu)/\sqrt{\sigma^2 + 10^{-5}} + b` and
:math:`\operatorname{MLP}(x) = \max(0, x W_1 + b_1) W_2 + b_2`. The cross-attention weights are
the learned alignment between target and source words.

Weights are dicts of float arrays with the names ``models/train.py`` saves; every function
computes in float64 and returns every intermediate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .attention import causal_mask
from .multihead import MultiHeadResult, multi_head_attention
from .softmax import softmax

LN_EPS = 1e-5


def _w(weights: dict[str, Any], name: str) -> np.ndarray:
    try:
        return np.asarray(weights[name], dtype=np.float64)
    except KeyError:
        raise ValueError(f"the weights have no array named {name!r}.") from None


def _token_ids(name: str, ids: Any, vocab_size: int, max_len: int) -> np.ndarray:
    a = np.asarray(ids)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty list of token ids.")
    if not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"{name} must contain integer token ids.")
    if a.size > max_len:
        raise ValueError(f"{name} has {a.size} tokens; the model takes at most {max_len}.")
    if a.min() < 0 or a.max() >= vocab_size:
        raise ValueError(f"{name} has ids outside 0..{vocab_size - 1}.")
    return a.astype(np.int64)


def _ablation(ablate: Any, n_layers: int, n_heads: int) -> np.ndarray:
    """``(n_layers, n_heads)`` bool, True = the head's output is removed."""
    mask = np.zeros((n_layers, n_heads), dtype=bool)
    if ablate is None:
        return mask
    for pair in ablate:
        layer, head = (int(v) for v in pair)
        if not (0 <= layer < n_layers and 0 <= head < n_heads):
            raise ValueError(f"no head ({layer}, {head}) in a {n_layers}x{n_heads} model.")
        mask[layer, head] = True
    return mask


@dataclass(frozen=True)
class AttnOnlyRun:
    """Everything model A computed for one sequence of ``T`` tokens.

    ``attn[l]`` is layer ``l``'s :class:`MultiHeadResult` (``weights (h, T, T)``, ``Q``, ``K``,
    ``V``, ``scores``); ``head_writes[l, h]`` ``(T, d)`` is what head ``h`` of layer ``l`` added
    to the residual stream (zero when ablated); ``resid[l]`` ``(T, d)`` is the stream before
    layer ``l`` (``resid[-1]`` after the last one).
    """

    tokens: np.ndarray  # (T,)
    embed: np.ndarray  # (T, d) W_E[tokens]
    pos: np.ndarray  # (T, d) W_pos[:T]
    attn: tuple[MultiHeadResult, ...]
    head_writes: np.ndarray  # (n_layers, n_heads, T, d)
    resid: tuple[np.ndarray, ...]  # n_layers + 1 arrays (T, d)
    logits: np.ndarray  # (T, V) prediction of the token at position i + 1
    probs: np.ndarray  # (T, V) softmax of the logits
    ablated: np.ndarray  # (n_layers, n_heads) bool

    @property
    def weights(self) -> np.ndarray:
        """``(n_layers, n_heads, T, T)`` every head's attention weights."""
        return np.stack([r.weights for r in self.attn])


def attn_only_forward(
    weights: dict[str, Any], tokens: Any, n_layers: int, n_heads: int, ablate: Any = None
) -> AttnOnlyRun:
    r"""Model A on one sequence: causal attention-only layers on the residual stream.

    Args:
        weights: ``W_E (V, d)``, ``W_pos (T_max, d)``, ``L{l}.W_q/W_k/W_v/W_o (d, d)``,
            ``W_U (d, V)``.
        tokens: ``(T,)`` token ids, ``1 <= T <= T_max``.
        n_layers, n_heads: the architecture (from the model's config).
        ablate: ``(layer, head)`` pairs whose output is set to zero (mean-free ablation).

    Returns:
        :class:`AttnOnlyRun`; ``logits[i]`` predicts token ``i + 1``.
    """
    W_E, W_pos, W_U = _w(weights, "W_E"), _w(weights, "W_pos"), _w(weights, "W_U")
    V, d = W_E.shape
    tokens = _token_ids("tokens", tokens, V, W_pos.shape[0])
    off = _ablation(ablate, n_layers, n_heads)
    T, d_head = tokens.size, d // n_heads
    embed, pos = W_E[tokens], W_pos[:T]
    x = embed + pos
    resid, results, writes = [x], [], np.zeros((n_layers, n_heads, T, d))
    mask = causal_mask(T)
    for layer in range(n_layers):
        W = {k: _w(weights, f"L{layer}.{k}") for k in ("W_q", "W_k", "W_v", "W_o")}
        r = multi_head_attention(x, x, **W, n_heads=n_heads, mask=mask)
        for h in range(n_heads):  # head h's rows of W_O turn its output into its write
            if not off[layer, h]:
                rows = W["W_o"][h * d_head : (h + 1) * d_head]  # (d_head, d)
                writes[layer, h] = r.head_outputs[h] @ rows  # (T, d)
        x = x + writes[layer].sum(axis=0)
        results.append(r)
        resid.append(x)
    logits = x @ W_U  # (T, V)
    return AttnOnlyRun(
        tokens, embed, pos, tuple(results), writes, tuple(resid), logits, softmax(logits), off
    )


def key_composition(
    run: AttnOnlyRun, weights: dict[str, Any], layer: int, head: int, query: int
) -> dict[str, np.ndarray]:
    r"""Split one head's scores for query ``i`` into what each earlier piece wrote.

    The key of position ``j`` is :math:`k_j = x_j W_K^h` and the residual stream is a sum
    :math:`x_j = e_j + p_j + \sum_{h'} w^{h'}_j` (token, position, earlier heads' writes), so

    .. math::
        \frac{q_i \cdot k_j}{\sqrt{d_{head}}} = \sum_{c} \frac{q_i \cdot (c_j W_K^h)}
        {\sqrt{d_{head}}}

    Returns:
        ``{"token": (T,), "position": (T,), "L{l}H{h}": (T,) ..., "total": (T,)}`` — the
        score of query ``query`` against every key, split by where the key's input came from.
        ``total`` equals the head's pre-mask score row.
    """
    n_heads = run.attn[0].weights.shape[0]
    d = run.embed.shape[1]
    d_head = d // n_heads
    cols = slice(head * d_head, (head + 1) * d_head)
    W_k = _w(weights, f"L{layer}.W_k")[:, cols]  # (d, d_head)
    q = run.attn[layer].Q[query, cols]  # (d_head,)
    parts = {"token": run.embed, "position": run.pos}
    for lower in range(layer):
        for h in range(n_heads):
            parts[f"L{lower + 1}H{h + 1}"] = run.head_writes[lower, h]
    out = {name: (c @ W_k) @ q / np.sqrt(d_head) for name, c in parts.items()}
    out["total"] = run.attn[layer].scores[head, query].copy()
    return out


# --------------------------------------------------------------------------- model B
def layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
    r""":math:`g \odot (x - \mu) / \sqrt{\sigma^2 + 10^{-5}} + b` over the last axis."""
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return g * (x - mu) / np.sqrt(var + LN_EPS) + b


def _ln(weights: dict[str, Any], x: np.ndarray, prefix: str) -> np.ndarray:
    return layer_norm(x, _w(weights, prefix + "g"), _w(weights, prefix + "b"))


def _mlp(weights: dict[str, Any], x: np.ndarray, prefix: str) -> np.ndarray:
    hidden = np.maximum(0.0, x @ _w(weights, prefix + "W_1") + _w(weights, prefix + "b_1"))
    return hidden @ _w(weights, prefix + "W_2") + _w(weights, prefix + "b_2")


def _mha(weights, xq, xkv, prefix, n_heads, mask) -> MultiHeadResult:
    W = {k: _w(weights, prefix + k) for k in ("W_q", "W_k", "W_v", "W_o")}
    return multi_head_attention(xq, xkv, **W, n_heads=n_heads, mask=mask)


@dataclass(frozen=True)
class EncDecRun:
    """Everything model B computed for one source sentence and one decoder input."""

    src: np.ndarray  # (S,)
    tgt_in: np.ndarray  # (m,) <bos> then the target words so far
    enc_self: tuple[MultiHeadResult, ...]  # per encoder layer, weights (h, S, S)
    memory: np.ndarray  # (S, d) the encoder's output after its final layer norm
    dec_self: tuple[MultiHeadResult, ...]  # per decoder layer, weights (h, m, m), causal
    cross: tuple[MultiHeadResult, ...]  # per decoder layer, weights (h_cross, m, S)
    logits: np.ndarray  # (m, V_tgt): row t predicts target word t (then <eos>)
    probs: np.ndarray  # (m, V_tgt)


def encoder_decoder_forward(
    weights: dict[str, Any], cfg: dict[str, Any], src: Any, tgt_in: Any
) -> EncDecRun:
    """Model B, teacher-forced: logits of every next target word given ``tgt_in``.

    Args:
        weights: the arrays ``models/train.py`` saved (``src_E``, ``tgt_E``, ``src_pos``,
            ``tgt_pos``, ``enc{l}.*``, ``enc_ln.*``, ``dec{l}.*``, ``dec_ln.*``, ``W_U``, ``b_U``).
        cfg: ``enc_layers``, ``dec_layers``, ``n_heads``, ``cross_heads``.
        src: ``(S,)`` source ids (no padding); tgt_in: ``(m,)`` ``<bos>`` and the words so far.
    """
    src_E, tgt_E = _w(weights, "src_E"), _w(weights, "tgt_E")
    src_pos, tgt_pos = _w(weights, "src_pos"), _w(weights, "tgt_pos")
    src = _token_ids("the source sentence", src, src_E.shape[0], src_pos.shape[0])
    tgt_in = _token_ids("the target prefix", tgt_in, tgt_E.shape[0], tgt_pos.shape[0])
    S, m = src.size, tgt_in.size
    x = src_E[src] + src_pos[:S]
    enc = []
    for layer in range(cfg["enc_layers"]):
        pre = f"enc{layer}."
        h = _ln(weights, x, pre + "ln1.")
        r = _mha(weights, h, h, pre + "self.", cfg["n_heads"], None)
        x = x + r.output
        x = x + _mlp(weights, _ln(weights, x, pre + "ln2."), pre + "ffn.")
        enc.append(r)
    memory = _ln(weights, x, "enc_ln.")
    y = tgt_E[tgt_in] + tgt_pos[:m]
    dec_self, cross = [], []
    mask = causal_mask(m)
    for layer in range(cfg["dec_layers"]):
        pre = f"dec{layer}."
        h = _ln(weights, y, pre + "ln1.")
        r = _mha(weights, h, h, pre + "self.", cfg["n_heads"], mask)
        y = y + r.output
        h = _ln(weights, y, pre + "ln2.")
        c = _mha(weights, h, memory, pre + "cross.", cfg["cross_heads"], None)
        y = y + c.output
        y = y + _mlp(weights, _ln(weights, y, pre + "ln3."), pre + "ffn.")
        dec_self.append(r)
        cross.append(c)
    logits = _ln(weights, y, "dec_ln.") @ _w(weights, "W_U") + _w(weights, "b_U")
    return EncDecRun(
        src, tgt_in, tuple(enc), memory, tuple(dec_self), tuple(cross), logits, softmax(logits)
    )


def greedy_translate(
    weights: dict[str, Any], cfg: dict[str, Any], src: Any, bos: int, eos: int
) -> tuple[list[int], EncDecRun]:
    """Greedy decoding: append the most likely word until ``eos`` or the length limit.

    Returns the target ids (without ``bos``/``eos``) and the teacher-forced run on them, whose
    ``cross[l].weights[:, t]`` is the alignment of output word ``t`` (row ``len`` is ``eos``).
    """
    max_len = _w(weights, "tgt_pos").shape[0]
    out: list[int] = []
    while True:
        run = encoder_decoder_forward(weights, cfg, src, [bos, *out])
        nxt = int(run.logits[-1].argmax())
        if nxt == eos or len(out) + 1 >= max_len:
            return out, run
        out.append(nxt)
