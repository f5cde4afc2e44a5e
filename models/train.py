"""Train the two tiny transformers of the "trained model" page and export them for NumPy.

Run with ``make train`` (it creates ``.venv-train`` with PyTorch CPU from
``requirements-train.txt``). The app and its tests never import this file or PyTorch: they
read ``assets/models/*.npz`` and ``*.json`` and run the forward passes in ``attn_core``.

* Model A (induction): a 2-layer, attention-only, causal decoder, 4 heads per layer, learned
  token and position embeddings, no layer norm, no MLP. Data: a random prefix of random
  length, a segment of distinct random tokens of random length, the segment again, random
  tokens to the end (Olsson et al. 2022); one sequence in ten is plain random tokens and three
  in ten are "skip-bigram" sequences whose next token depends on the token before the current
  one. Without those, this model copied through a duplicate-token head in layer 1 and
  positional Q-composition (no previous-token head formed, measured); with them, layer 1 has
  previous-token heads and layer 2 an induction head that reads them (K-composition).
* Model B (alignment): a pre-LN encoder-decoder (1 encoder layer, 2 decoder layers) that
  translates a toy English into a toy Spanish whose adjectives follow the noun, so the
  alignment is monotonic except for local swaps. Held-out sentences (``held_out``) are never
  trained on.

Weights are saved as float32 (the trained values); the reference logits stored beside them
come from PyTorch in float64 on those same values, which the NumPy forward must reproduce.
Every random draw is seeded: the same command gives the same weights on the same machine and
the same metrics within a small tolerance elsewhere.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("MODELS_OUT") or ROOT / "assets" / "models")
sys.path.insert(0, str(ROOT))
from attn_core.toy_tasks import (  # noqa: E402  (needs ROOT on the path when run as a script)
    LETTERS,
    SRC_WORDS,
    TGT_WORDS,
    b_pair,
    b_vocab,
    held_out,
    induction_batch,
)

THREADS = 1  # one thread: on a busy 2-core machine two threads ran 2–7x slower

A_CONFIG = {
    "name": "induction",
    "architecture": "2-layer attention-only causal decoder, learned token and position "
    "embeddings, no layer norm, no MLP, bias-free attention, unembedding W_U",
    "n_layers": 2,
    "n_heads": 4,
    "d_model": 64,
    "vocab": list(LETTERS),
    "vocab_size": len(LETTERS),
    "max_len": 40,
    "data": "random prefix (random length), a segment of distinct random letters "
    "(length min_segment..max_segment), the segment again, random letters to the end; "
    "a share p_random of plain random sequences and a share p_skip of skip-bigram sequences "
    "(token i+1 = a fixed permutation of token i-1 with probability skip_keep), whose "
    "prediction needs the previous token, as natural text often does",
    "min_segment": 4,
    "max_segment": 12,
    "p_random": 0.1,
    "p_skip": 0.3,
    "skip_keep": 0.8,
    "skip_seed": 0,
    "distinct_segment": True,
    "pos_init_std": 1.0,
    "seed": 17,
    "steps": 2000,
    "batch": 128,
    "lr": 3e-3,
    "optimizer": "AdamW(betas=(0.9, 0.98), weight_decay=0.01), 5% warm-up, cosine decay, "
    "grad-norm clip 1",
}

B_CONFIG = {
    "name": "alignment",
    "architecture": "pre-LN encoder-decoder: learned token and position embeddings, "
    "enc_layers x [self-attention, ReLU MLP], dec_layers x [causal self-attention, "
    "cross-attention, ReLU MLP], final layer norms, unembedding W_U + b_U; bias-free attention",
    "enc_layers": 1,
    "dec_layers": 2,
    "n_heads": 2,
    "cross_heads": 1,
    "d_model": 64,
    "d_ff": 128,
    "max_len": 12,
    "src_vocab": list(SRC_WORDS),
    "tgt_vocab": list(TGT_WORDS),
    "src_vocab_size": len(SRC_WORDS),
    "tgt_vocab_size": len(TGT_WORDS),
    "data": "toy English DET ADJ{0,1,2} NOUN VERB DET ADJ{0,1,2} NOUN to toy Spanish with "
    "the adjectives after the noun; sentences with crc32 % 10 == 0 held out",
    "seed": 23,
    "steps": 1000,
    "batch": 64,
    "lr": 2e-3,
    "optimizer": "AdamW(betas=(0.9, 0.98), weight_decay=0.01), 5% warm-up, cosine decay, "
    "grad-norm clip 1",
}


# --------------------------------------------------------------------------- shared pieces
def _param(shape: tuple[int, ...], std: float, gen: torch.Generator) -> torch.nn.Parameter:
    return torch.nn.Parameter(torch.randn(*shape, generator=gen) * std)


def mha(xq, xkv, p: dict, prefix: str, n_heads: int, mask) -> torch.Tensor:
    """Bias-free multi-head attention, heads split column-wise as attn_core.multi_head_attention."""
    B, nq, d = xq.shape
    nk = xkv.shape[1]
    dh = d // n_heads
    q = (xq @ p[f"{prefix}W_q"]).view(B, nq, n_heads, dh).transpose(1, 2)
    k = (xkv @ p[f"{prefix}W_k"]).view(B, nk, n_heads, dh).transpose(1, 2)
    v = (xkv @ p[f"{prefix}W_v"]).view(B, nk, n_heads, dh).transpose(1, 2)
    s = q @ k.transpose(-1, -2) / math.sqrt(dh)  # (B, h, nq, nk)
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    a = torch.softmax(s, dim=-1)
    o = (a @ v).transpose(1, 2).reshape(B, nq, d)
    return o @ p[f"{prefix}W_o"]


def layer_norm(x, p: dict, prefix: str) -> torch.Tensor:
    return F.layer_norm(x, (x.shape[-1],), p[f"{prefix}g"], p[f"{prefix}b"], eps=1e-5)


def train_loop(params: dict, loss_fn, steps: int, lr: float, seed: int, log: str) -> float:
    opt = torch.optim.AdamW(params.values(), lr=lr, weight_decay=0.01, betas=(0.9, 0.98))
    warmup = steps // 20
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt,
        lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * s / steps)),
    )
    rng = np.random.default_rng(seed)
    t0 = time.time()
    ema = None
    for step in range(steps):
        loss = loss_fn(rng)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params.values(), 1.0)
        opt.step()
        sched.step()
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        if step % 250 == 0 or step == steps - 1:
            print(f"  [{log}] step {step:5d}  loss {ema:.4f}  {time.time() - t0:5.1f}s", flush=True)
    return float(ema)


def save(name: str, params: dict, config: dict, checks: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    arrays = {k: v.detach().to(torch.float32).numpy() for k, v in params.items()}
    arrays.update(checks)
    np.savez_compressed(OUT / f"{name}.npz", **arrays)
    (OUT / f"{name}.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
    size = (OUT / f"{name}.npz").stat().st_size
    print(f"  saved {name}.npz ({size / 1024:.0f} KiB) and {name}.json")


def as_f64(params: dict) -> dict:
    """The saved float32 values in float64: what NumPy will compute with."""
    return {k: v.detach().to(torch.float32).to(torch.float64) for k, v in params.items()}


# --------------------------------------------------------------------------- model A
def a_init(cfg: dict, gen: torch.Generator) -> dict:
    d, V, T = cfg["d_model"], cfg["vocab_size"], cfg["max_len"]
    p = {"W_E": _param((V, d), 1.0, gen), "W_pos": _param((T, d), cfg["pos_init_std"], gen)}
    for layer in range(cfg["n_layers"]):
        for w in ("W_q", "W_k", "W_v", "W_o"):
            p[f"L{layer}.{w}"] = _param((d, d), d**-0.5, gen)
    p["W_U"] = _param((d, V), d**-0.5, gen)
    return p


def a_forward(p: dict, tokens: torch.Tensor, cfg: dict) -> torch.Tensor:
    T = tokens.shape[1]
    x = p["W_E"][tokens] + p["W_pos"][:T]
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for layer in range(cfg["n_layers"]):
        x = x + mha(x, x, p, f"L{layer}.", cfg["n_heads"], causal)
    return x @ p["W_U"]


def a_metrics(p: dict, cfg: dict, seed: int, n: int = 512) -> dict:
    """Copying accuracy on held-out repeated sequences (positions whose next token is a copy)."""
    rng = np.random.default_rng(seed)
    repeated = {**cfg, "p_skip": 0.0}
    tokens, starts, lengths = induction_batch(rng, n, cfg["max_len"], repeated, p_random=0.0)
    with torch.no_grad():
        pred = a_forward(p, torch.as_tensor(tokens), cfg).argmax(-1).numpy()
    hits = total = 0
    for b in range(n):
        s, L = starts[b], lengths[b]
        for i in range(s + L, s + 2 * L - 1):  # current token in the 2nd copy, next one too
            hits += pred[b, i] == tokens[b, i + 1]
            total += 1
    return {"copy_accuracy": hits / total}


def train_and_measure(
    p: dict, loss_fn: Callable, cfg: dict, tag: str, measure: Callable[..., dict]
) -> tuple[float, dict, dict, np.random.Generator]:
    """Train the model ``tag``'s parameters ``p``, measure them in float64 (``measure``, on data
    seeded ``seed + 1000``) and note the run in ``cfg`` (final loss, seconds, torch version, the
    metrics). Returns the final loss, the metrics, the float64 parameters and the generator of
    the check data (seeded ``seed + 2000``)."""
    t0 = time.time()
    final = train_loop(p, loss_fn, cfg["steps"], cfg["lr"], cfg["seed"], tag)
    seconds = time.time() - t0
    p64 = as_f64(p)
    metrics = measure(p64, cfg, seed=cfg["seed"] + 1000)
    cfg.update(
        final_loss=round(final, 4),
        train_seconds=round(seconds, 1),
        torch_version=torch.__version__,
        **{k: round(v, 4) for k, v in metrics.items()},
    )
    return final, metrics, p64, np.random.default_rng(cfg["seed"] + 2000)


def train_a() -> dict:
    cfg = {**A_CONFIG, **json.loads(os.environ.get("A_OVERRIDES", "{}"))}
    torch.manual_seed(cfg["seed"])
    gen = torch.Generator().manual_seed(cfg["seed"])
    p = a_init(cfg, gen)

    def loss_fn(rng):
        tokens, _, _ = induction_batch(rng, cfg["batch"], cfg["max_len"], cfg)
        x = torch.as_tensor(tokens)
        logits = a_forward(p, x[:, :-1], cfg)
        return F.cross_entropy(logits.reshape(-1, cfg["vocab_size"]), x[:, 1:].reshape(-1))

    final, metrics, p64, rng = train_and_measure(p, loss_fn, cfg, "A", a_metrics)
    check_tokens, _, _ = induction_batch(rng, 4, cfg["max_len"], cfg, p_random=0.25)
    with torch.no_grad():
        check_logits = a_forward(p64, torch.as_tensor(check_tokens), cfg).numpy()
    print(f"  A: loss {final:.4f}, copy accuracy {metrics['copy_accuracy']:.4f}")
    save("induction", p, cfg, {"check_tokens": check_tokens, "check_logits": check_logits})
    return cfg


# --------------------------------------------------------------------------- model B
def b_init(cfg: dict, gen: torch.Generator) -> dict:
    d, f = cfg["d_model"], cfg["d_ff"]
    p = {
        "src_E": _param((cfg["src_vocab_size"], d), 1.0, gen),
        "tgt_E": _param((cfg["tgt_vocab_size"], d), 1.0, gen),
        "src_pos": _param((cfg["max_len"], d), 1.0, gen),
        "tgt_pos": _param((cfg["max_len"], d), 1.0, gen),
    }

    def ln(prefix):
        p[f"{prefix}g"] = torch.nn.Parameter(torch.ones(d))
        p[f"{prefix}b"] = torch.nn.Parameter(torch.zeros(d))

    def attn(prefix):
        for w in ("W_q", "W_k", "W_v", "W_o"):
            p[f"{prefix}{w}"] = _param((d, d), d**-0.5, gen)

    def ffn(prefix):
        p[f"{prefix}W_1"] = _param((d, f), d**-0.5, gen)
        p[f"{prefix}b_1"] = torch.nn.Parameter(torch.zeros(f))
        p[f"{prefix}W_2"] = _param((f, d), f**-0.5, gen)
        p[f"{prefix}b_2"] = torch.nn.Parameter(torch.zeros(d))

    # each block's parts in the order they are drawn from ``gen``; the stack's final norm after
    build = {"ln": ln, "self": attn, "cross": attn, "ffn": ffn}
    blocks = {
        "enc": ("ln1", "self", "ln2", "ffn"),
        "dec": ("ln1", "self", "ln2", "cross", "ln3", "ffn"),
    }
    for side, parts in blocks.items():
        for layer in range(cfg[f"{side}_layers"]):
            for part in parts:
                build[part.rstrip("123")](f"{side}{layer}.{part}.")
        ln(f"{side}_ln.")
    p["W_U"] = _param((d, cfg["tgt_vocab_size"]), d**-0.5, gen)
    p["b_U"] = torch.nn.Parameter(torch.zeros(cfg["tgt_vocab_size"]))
    return p


def _ffn(x, p, prefix):
    return (
        torch.relu(x @ p[f"{prefix}W_1"] + p[f"{prefix}b_1"]) @ p[f"{prefix}W_2"]
        + p[f"{prefix}b_2"]
    )


def b_forward(p: dict, src: torch.Tensor, tgt_in: torch.Tensor, cfg: dict) -> torch.Tensor:
    """Logits ``(B, m, V_tgt)``; token 0 is padding in both languages."""
    S, m = src.shape[1], tgt_in.shape[1]
    src_keep = (src != 0)[:, None, None, :]  # (B, 1, 1, S)
    x = p["src_E"][src] + p["src_pos"][:S]
    for layer in range(cfg["enc_layers"]):
        pre = f"enc{layer}."
        x = x + mha(
            *(2 * [layer_norm(x, p, pre + "ln1.")]), p, pre + "self.", cfg["n_heads"], src_keep
        )
        x = x + _ffn(layer_norm(x, p, pre + "ln2."), p, pre + "ffn.")
    memory = layer_norm(x, p, "enc_ln.")
    y = p["tgt_E"][tgt_in] + p["tgt_pos"][:m]
    causal = torch.tril(torch.ones(m, m, dtype=torch.bool))
    for layer in range(cfg["dec_layers"]):
        pre = f"dec{layer}."
        h = layer_norm(y, p, pre + "ln1.")
        y = y + mha(h, h, p, pre + "self.", cfg["n_heads"], causal)
        h = layer_norm(y, p, pre + "ln2.")
        y = y + mha(h, memory, p, pre + "cross.", cfg["cross_heads"], src_keep)
        y = y + _ffn(layer_norm(y, p, pre + "ln3."), p, pre + "ffn.")
    return layer_norm(y, p, "dec_ln.") @ p["W_U"] + p["b_U"]


def b_batch(rng: np.random.Generator, n: int, cfg: dict, *, test: bool = False):
    src_ix, tgt_ix = b_vocab()
    pairs = []
    while len(pairs) < n:
        src, tgt, align = b_pair(rng)
        if held_out(src) == test:
            pairs.append((src, tgt, align))
    S = max(len(s) for s, _, _ in pairs)
    m = max(len(t) for _, t, _ in pairs) + 1
    src_a = np.zeros((n, S), dtype=np.int64)
    tin = np.zeros((n, m), dtype=np.int64)
    tout = np.zeros((n, m), dtype=np.int64)
    for b, (s, t, _) in enumerate(pairs):
        src_a[b, : len(s)] = [src_ix[w] for w in s]
        ids = [tgt_ix[w] for w in t]
        tin[b, : len(ids) + 1] = [tgt_ix["<bos>"], *ids]
        tout[b, : len(ids) + 1] = [*ids, tgt_ix["<eos>"]]
    return src_a, tin, tout, pairs


def b_metrics(p: dict, cfg: dict, seed: int, n: int = 400) -> dict:
    """Held-out teacher-forced sequence accuracy and cross-attention alignment per layer."""
    rng = np.random.default_rng(seed)
    src, tin, tout, _ = b_batch(rng, n, cfg, test=True)
    with torch.no_grad():
        pred = b_forward(p, torch.as_tensor(src), torch.as_tensor(tin), cfg).argmax(-1).numpy()
    keep = tout != 0
    seq_ok = np.all((pred == tout) | ~keep, axis=1)
    return {"heldout_sequence_accuracy": float(seq_ok.mean())}


def train_b() -> dict:
    cfg = dict(B_CONFIG)
    torch.manual_seed(cfg["seed"])
    gen = torch.Generator().manual_seed(cfg["seed"])
    p = b_init(cfg, gen)

    def loss_fn(rng):
        src, tin, tout, _ = b_batch(rng, cfg["batch"], cfg)
        logits = b_forward(p, torch.as_tensor(src), torch.as_tensor(tin), cfg)
        return F.cross_entropy(
            logits.reshape(-1, cfg["tgt_vocab_size"]),
            torch.as_tensor(tout).reshape(-1),
            ignore_index=0,
        )

    final, metrics, p64, rng = train_and_measure(p, loss_fn, cfg, "B", b_metrics)
    src, tin, _, _ = b_batch(rng, 4, cfg, test=True)
    with torch.no_grad():
        logits = b_forward(p64, torch.as_tensor(src), torch.as_tensor(tin), cfg).numpy()
    print(f"  B: loss {final:.4f}, {metrics}")
    save("alignment", p, cfg, {"check_src": src, "check_tgt_in": tin, "check_logits": logits})
    return cfg


def main() -> None:
    torch.set_num_threads(THREADS)
    which = sys.argv[1:] or ["A", "B"]
    t0 = time.time()
    if "A" in which:
        print("Model A (induction)")
        train_a()
    if "B" in which:
        print("Model B (alignment)")
        train_b()
    print(f"done in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
