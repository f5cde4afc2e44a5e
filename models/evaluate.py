"""Measure the shipped models with the app's own NumPy forward passes and record the numbers.

``make train`` runs this after ``models/train.py``: it needs NumPy and ``attn_core`` only. The
metrics (on freshly generated held-out data, seeded) go into ``assets/models/<name>.json``
under ``"numpy_eval"``; the tests in ``tests/core/test_transformer.py`` check the same things.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import attn_core as core  # noqa: E402
from attn_core import toy_tasks  # noqa: E402

MODELS = Path(os.environ.get("MODELS_OUT") or ROOT / "assets" / "models")
INDUCTION_CUT = 0.3  # layer-2 heads whose mean induction score is at least this are ablated


def load(name: str) -> tuple[dict, dict[str, np.ndarray]]:
    cfg = json.loads((MODELS / f"{name}.json").read_text(encoding="utf-8"))
    with np.load(MODELS / f"{name}.npz") as z:
        weights = {k: z[k].astype(np.float64) for k in z.files if not k.startswith("check_")}
    return cfg, weights


def copy_hits(logits: np.ndarray, tokens: np.ndarray, start: int, L: int) -> tuple[int, int]:
    """Right predictions and count over the second copy (current and next token in it)."""
    i = np.arange(start + L, start + 2 * L - 1)
    return int((logits[i].argmax(-1) == tokens[i + 1]).sum()), int(i.size)


def eval_induction(n: int = 200, seed: int = 12345) -> dict:
    cfg, w = load("induction")
    L_, H = cfg["n_layers"], cfg["n_heads"]
    tokens, starts, lengths = toy_tasks.induction_batch(
        np.random.default_rng(seed), n, cfg["max_len"], {**cfg, "p_skip": 0.0}, p_random=0.0
    )
    prev, ind, hits, total = np.zeros((L_, H)), np.zeros((L_, H)), 0, 0
    for b in range(n):
        run = core.attn_only_forward(w, tokens[b], L_, H)
        prev += core.previous_token_score(run.weights) / n
        ind += core.induction_score(run.weights, tokens[b]) / n
        h, c = copy_hits(run.logits, tokens[b], starts[b], lengths[b])
        hits, total = hits + h, total + c
    heads = [(1, h) for h in range(H) if ind[1, h] >= INDUCTION_CUT]
    off_hits = 0
    for b in range(n):
        run = core.attn_only_forward(w, tokens[b], L_, H, ablate=heads)
        off_hits += copy_hits(run.logits, tokens[b], starts[b], lengths[b])[0]
    return {
        "heldout_sequences": n,
        "copy_accuracy": round(hits / total, 4),
        "previous_token_score": np.round(prev, 3).tolist(),
        "induction_score": np.round(ind, 3).tolist(),
        "induction_heads": [f"L{a + 1}H{h + 1}" for a, h in heads],
        "copy_accuracy_induction_heads_off": round(off_hits / total, 4),
    }


def eval_alignment(n: int = 200, seed: int = 12345) -> dict:
    cfg, w = load("alignment")
    src_ix, tgt_ix = toy_tasks.b_vocab()
    rng = np.random.default_rng(seed)
    pairs = []
    while len(pairs) < n:
        pair = toy_tasks.b_pair(rng)
        if toy_tasks.held_out(pair[0]):
            pairs.append(pair)
    exact = 0
    match = np.zeros(cfg["dec_layers"])
    words = 0
    for src, tgt, align in pairs:
        s = [src_ix[x] for x in src]
        out, _ = core.greedy_translate(w, cfg, s, tgt_ix["<bos>"], tgt_ix["<eos>"])
        exact += [toy_tasks.TGT_WORDS[i] for i in out] == tgt
        run = core.encoder_decoder_forward(w, cfg, s, [tgt_ix["<bos>"], *(tgt_ix[x] for x in tgt)])
        for layer, c in enumerate(run.cross):
            arg = c.weights.mean(axis=0)[: len(tgt)].argmax(axis=1)
            match[layer] += (arg == np.asarray(align)).sum()
        words += len(tgt)
    return {
        "heldout_sentences": n,
        "sequence_accuracy": round(exact / n, 4),
        "alignment_match_per_layer": np.round(match / words, 4).tolist(),
    }


def main() -> None:
    for name, fn in (("induction", eval_induction), ("alignment", eval_alignment)):
        path = MODELS / f"{name}.json"
        if not path.is_file():
            continue
        metrics = fn()
        cfg = json.loads(path.read_text(encoding="utf-8"))
        cfg["numpy_eval"] = metrics
        path.write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(name, json.dumps(metrics))


if __name__ == "__main__":
    main()
