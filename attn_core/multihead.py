r"""Multi-head attention: several scaled dot-product attentions side by side.

.. math::
    \operatorname{head}_h
    = \operatorname{softmax}\!\Big(\frac{Q_h K_h^\top}{\sqrt{d_{head}}}\Big) V_h,
    \qquad
    \operatorname{MHA}(X_q, X_{kv}) = [\operatorname{head}_1, \dots, \operatorname{head}_H]\, W_O

with :math:`Q = X_q W_Q`, :math:`K = X_{kv} W_K`, :math:`V = X_{kv} W_V` split column-wise
into :math:`H` heads of :math:`d_{head} = d_{model} / H` columns each. Each head can look for
something different; :math:`W_O` mixes what they found. Self-attention is ``X_q = X_kv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import as_mask, as_matrix, positive_int, same
from .attention import _frozen, masked_softmax


@dataclass(frozen=True)
class MultiHeadResult:
    """What one multi-head attention call computed; the arrays are read-only."""

    Q: np.ndarray  # (n_q, d_model) X_q @ W_q, all heads side by side
    K: np.ndarray  # (n_k, d_model) X_kv @ W_k
    V: np.ndarray  # (n_k, d_model) X_kv @ W_v
    scores: np.ndarray  # (h, n_q, n_k) Q_h K_h^T / sqrt(d_head), before the mask
    weights: np.ndarray  # (h, n_q, n_k) each row sums to 1 (0 where fully masked)
    head_outputs: np.ndarray  # (h, n_q, d_head) weights_h @ V_h
    concat: np.ndarray  # (n_q, d_model) the heads side by side, head 0 first
    output: np.ndarray  # (n_q, d_out) concat @ W_o
    fully_masked: np.ndarray  # (n_q,) bool, True where the mask left the query no key


def _split_heads(X: np.ndarray, n_heads: int) -> np.ndarray:
    """``(n, d_model)`` -> ``(h, n, d_head)``: head ``i`` owns columns ``i*d_head .. ``."""
    n, d_model = X.shape
    return X.reshape(n, n_heads, d_model // n_heads).transpose(1, 0, 2)


def head_counts(d_model: int) -> list[int]:
    r"""The numbers of heads that split ``d_model`` columns evenly.

    :math:`\{h \in \{1, \dots, d_{model}\} : d_{model} \bmod h = 0\}`, ascending; each head
    then gets :math:`d_{head} = d_{model} / h` columns of Q, K and V.

    Raises:
        ValueError: ``d_model`` is not a whole number ≥ 1.
    """
    d_model = positive_int("d_model", d_model)
    return [h for h in range(1, d_model + 1) if d_model % h == 0]


def multi_head_attention(
    X_q: Any,
    X_kv: Any,
    W_q: Any,
    W_k: Any,
    W_v: Any,
    W_o: Any,
    n_heads: int,
    mask: Any = None,
) -> MultiHeadResult:
    r"""Multi-head scaled dot-product attention of ``X_q`` over ``X_kv``.

    .. math::
        A_h = \operatorname{softmax}\!\big(Q_h K_h^\top / \sqrt{d_{head}}\big), \quad
        O = [A_1 V_1, \dots, A_H V_H]\, W_O

    Args:
        X_q: ``(n_q, d_in)`` the tokens that ask.
        X_kv: ``(n_k, d_in_kv)`` the tokens that answer (``X_q`` again for self-attention).
        W_q: ``(d_in, d_model)``; W_k, W_v: ``(d_in_kv, d_model)``; W_o: ``(d_model, d_out)``.
        n_heads: number of heads; must divide ``d_model``.
        mask: ``(n_q, n_k)`` bool shared by all heads, True = may attend.

    Returns:
        :class:`MultiHeadResult`; ``weights (h, n_q, n_k)``, ``head_outputs (h, n_q, d_head)``,
        ``concat (n_q, d_model)``, ``output (n_q, d_out)``.

    >>> X = np.eye(2)
    >>> r = multi_head_attention(X, X, np.eye(2), np.eye(2), np.eye(2), np.eye(2), n_heads=2)
    >>> r.weights.shape, r.output.shape
    ((2, 2, 2), (2, 2))
    >>> np.round(r.weights[0], 3)
    array([[0.731, 0.269],
           [0.5  , 0.5  ]])
    """
    X_q, X_kv = as_matrix("X_q", X_q), as_matrix("X_kv", X_kv)
    W_q, W_k = as_matrix("W_q", W_q), as_matrix("W_k", W_k)
    W_v, W_o = as_matrix("W_v", W_v), as_matrix("W_o", W_o)
    n_heads = positive_int("n_heads", n_heads)
    same("the rows of W_q", W_q.shape[0], "the columns of X_q", X_q.shape[1])
    for name, W in (("W_k", W_k), ("W_v", W_v)):
        same(f"the rows of {name}", W.shape[0], "the columns of X_kv", X_kv.shape[1])
    d_model = W_q.shape[1]
    for name, size in (("W_k", W_k.shape[1]), ("W_v", W_v.shape[1]), ("W_o", W_o.shape[0])):
        same(f"d_model of {name}", size, "d_model (the columns of W_q)", d_model)
    if d_model % n_heads:
        raise ValueError(
            f"n_heads ({n_heads}) must divide d_model ({d_model}) so every head gets the same "
            f"number of columns; try one of {head_counts(d_model)}."
        )
    n_q, n_k, d_head = X_q.shape[0], X_kv.shape[0], d_model // n_heads
    m = None if mask is None else as_mask("mask", mask, (n_q, n_k))

    Q, K, V = X_q @ W_q, X_kv @ W_k, X_kv @ W_v  # (n_q, d_model), (n_k, d_model) x2
    Qh, Kh, Vh = (_split_heads(X, n_heads) for X in (Q, K, V))  # (h, n, d_head)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported just below
        scores = (Qh / np.sqrt(d_head)) @ Kh.transpose(0, 2, 1)  # (h, n_q, n_k)
    if not np.isfinite(scores).all() or not np.isfinite(V).all():
        raise ValueError("the projections overflow float64; rescale X or the weight matrices.")
    weights, fully_masked = masked_softmax(scores, m, 1.0)  # (h, n_q, n_k), (h, n_q)
    head_outputs = weights @ Vh  # (h, n_q, n_k) @ (h, n_k, d_head) -> (h, n_q, d_head)
    concat = head_outputs.transpose(1, 0, 2).reshape(n_q, d_model)  # (n_q, h * d_head)
    with np.errstate(over="ignore", invalid="ignore"):
        output = concat @ W_o  # (n_q, d_out)
    if not np.isfinite(output).all():
        raise ValueError("the output overflows float64; rescale W_o.")
    fully_masked = fully_masked[0]  # the mask is shared by the heads
    _frozen(Q, K, V, scores, weights, head_outputs, concat, output, fully_masked)
    return MultiHeadResult(Q, K, V, scores, weights, head_outputs, concat, output, fully_masked)


def random_mha_weights(
    d_in: int, d_model: int, seed: int = 0, d_out: int | None = None
) -> dict[str, np.ndarray]:
    r"""Seeded projection matrices for :func:`multi_head_attention`.

    Entries are normal with standard deviation :math:`1/\sqrt{\text{fan-in}}` (``d_in`` for
    :math:`W_Q, W_K, W_V`, ``d_model`` for :math:`W_O`), so a projection keeps the scale of
    its input.

    Args:
        d_in: length of the token vectors; d_model: width of Q, K and V (all heads);
        seed: for ``np.random.default_rng``; d_out: columns of the output (default ``d_in``,
        so the output can be added back to the input).

    Returns:
        ``{"W_q", "W_k", "W_v": (d_in, d_model), "W_o": (d_model, d_out)}``, ready for
        ``multi_head_attention(X, X, **weights, n_heads=h)``.

    >>> {name: w.shape for name, w in random_mha_weights(3, 4, seed=1).items()}
    {'W_q': (3, 4), 'W_k': (3, 4), 'W_v': (3, 4), 'W_o': (4, 3)}
    """
    d_in, d_model = positive_int("d_in", d_in), positive_int("d_model", d_model)
    d_out = d_in if d_out is None else positive_int("d_out", d_out)
    rng = np.random.default_rng(seed)
    projections = {
        name: rng.normal(0.0, d_in**-0.5, (d_in, d_model)) for name in ("W_q", "W_k", "W_v")
    }
    return {**projections, "W_o": rng.normal(0.0, d_model**-0.5, (d_model, d_out))}
