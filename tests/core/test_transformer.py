"""The two trained models run by attn_core: parity with PyTorch, what they learned, the scores.

No PyTorch here: the training script exported, beside the weights, a few inputs and PyTorch's
float64 logits for them (``check_*`` arrays); the NumPy forward must reproduce them. The
behaviour tests draw fresh held-out data (seeded) from ``attn_core.toy_tasks``.

Scores (``attn_core.induction``, Elhage et al. 2021; Olsson et al. 2022), for a head's weights
``A`` on a random segment of length ``L`` followed by its repetition:

* previous-token score: mean over ``i >= 1`` of ``A[i, i-1]``;
* induction score: mean over the second copy of ``A[i, i-L+1]`` (the token after the earlier
  occurrence of ``t_i``), written token-wise as the weight on keys ``j`` with ``t_{j-1} = t_i``;
* duplicate-token score: mean over the second copy of ``A[i, i-L]``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from attn_core import (
    attn_only_forward,
    copy_accuracy,
    copy_positions,
    duplicate_token_score,
    encoder_decoder_forward,
    greedy_translate,
    induction_score,
    key_composition,
    layer_norm,
    previous_token_score,
    translate,
)
from attn_core.toy_tasks import TGT_WORDS, b_pair, b_vocab, held_out, induction_batch

MODELS = Path(__file__).resolve().parents[2] / "assets" / "models"
N_A, N_B = 60, 60  # held-out sequences and sentences (the whole file runs in a few seconds)
INDUCTION_CUT = 0.3


@cache
def model(name: str) -> tuple[dict, dict[str, np.ndarray], dict[str, np.ndarray]]:
    cfg = json.loads((MODELS / f"{name}.json").read_text(encoding="utf-8"))
    with np.load(MODELS / f"{name}.npz") as z:
        arrays = {k: z[k] for k in z.files}
    weights = {k: v.astype(np.float64) for k, v in arrays.items() if not k.startswith("check_")}
    checks = {k: v for k, v in arrays.items() if k.startswith("check_")}
    return cfg, weights, checks


@cache
def heldout_a() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cfg, _, _ = model("induction")
    repeated_only = {**cfg, "p_skip": 0.0}
    return induction_batch(
        np.random.default_rng(4242), N_A, cfg["max_len"], repeated_only, p_random=0.0
    )


def second_copy(start: int, L: int) -> np.ndarray:
    """Query positions whose token and next token are both in the second copy."""
    return np.arange(start + L, start + 2 * L - 1)


# --------------------------------------------------------------------------- files
def test_the_shipped_models_are_small_and_describe_themselves():
    sizes = sum(p.stat().st_size for p in MODELS.glob("*"))
    assert sizes <= 2 * 1024 * 1024, f"{sizes} bytes in assets/models"
    for name in ("induction", "alignment"):
        cfg, _, checks = model(name)
        for key in ("architecture", "seed", "steps", "data", "final_loss", "lr", "batch"):
            assert key in cfg, (name, key)
        assert "check_logits" in checks


# --------------------------------------------------------------------------- parity
def test_model_a_reproduces_pytorch_logits():
    cfg, w, checks = model("induction")
    assert len(checks["check_tokens"]) >= 3
    for tokens, expected in zip(checks["check_tokens"], checks["check_logits"], strict=True):
        run = attn_only_forward(w, tokens, cfg["n_layers"], cfg["n_heads"])
        np.testing.assert_allclose(run.logits, expected, rtol=0, atol=1e-5)


def test_model_b_reproduces_pytorch_logits():
    cfg, w, checks = model("alignment")
    assert len(checks["check_src"]) >= 3
    for src, tin, expected in zip(
        checks["check_src"], checks["check_tgt_in"], checks["check_logits"], strict=True
    ):
        src, tin = src[src != 0], tin[tin != 0]  # the batch was padded with id 0
        run = encoder_decoder_forward(w, cfg, src, tin)
        np.testing.assert_allclose(run.logits, expected[: tin.size], rtol=0, atol=1e-5)


# --------------------------------------------------------------------------- model A
def test_model_a_copies_heldout_repeated_sequences():
    cfg, w, _ = model("induction")
    tokens, starts, lengths = heldout_a()
    hits = total = 0
    for b in range(N_A):
        run = attn_only_forward(w, tokens[b], cfg["n_layers"], cfg["n_heads"])
        i = second_copy(starts[b], lengths[b])
        hits += int((run.logits[i].argmax(-1) == tokens[b, i + 1]).sum())
        total += i.size
    assert hits / total >= 0.90, hits / total


@cache
def mean_scores() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per head (layer, head): previous-token, induction, duplicate score on held-out data."""
    cfg, w, _ = model("induction")
    tokens, starts, lengths = heldout_a()
    L, H = cfg["n_layers"], cfg["n_heads"]
    prev, ind, dup = np.zeros((L, H)), np.zeros((L, H)), np.zeros((L, H))
    for b in range(N_A):
        A = attn_only_forward(w, tokens[b], L, H).weights  # (L, H, T, T)
        s, n = starts[b], lengths[b]
        i = np.arange(s + n, s + 2 * n)  # the second copy, positional definitions
        prev += A[:, :, np.arange(1, A.shape[-1]), np.arange(A.shape[-1] - 1)].mean(-1) / N_A
        ind += A[:, :, i, i - n + 1].mean(-1) / N_A
        dup += A[:, :, i, i - n].mean(-1) / N_A
    return prev, ind, dup


def test_model_a_has_a_previous_token_head_in_layer_1_and_induction_heads_in_layer_2():
    prev, ind, _ = mean_scores()
    assert prev[0].max() >= 0.5, prev
    assert ind[1].max() >= 0.5, ind
    # and not the other way round: layer 1 cannot be an induction layer (nothing to compose)
    assert ind[0].max() < 0.5, ind


def test_ablating_the_induction_heads_breaks_copying():
    cfg, w, _ = model("induction")
    _, ind, _ = mean_scores()
    heads = [(1, h) for h in range(cfg["n_heads"]) if ind[1, h] >= INDUCTION_CUT]
    assert heads
    tokens, starts, lengths = heldout_a()
    acc = {}
    for name, off in (("full", None), ("off", heads)):
        hits = total = 0
        for b in range(N_A):
            run = attn_only_forward(w, tokens[b], cfg["n_layers"], cfg["n_heads"], ablate=off)
            i = second_copy(starts[b], lengths[b])
            hits += int((run.logits[i].argmax(-1) == tokens[b, i + 1]).sum())
            total += i.size
        acc[name] = hits / total
    assert acc["full"] - acc["off"] >= 0.50, acc


def test_token_wise_scores_equal_the_positional_ones_on_distinct_segments():
    """The page's token-wise scores reduce to the papers' positional ones here."""
    cfg, w, _ = model("induction")
    rng = np.random.default_rng(7)
    seg = rng.choice(cfg["vocab_size"], 10, replace=False)
    tokens = np.concatenate([seg, seg])  # no prefix: every repeat is in the second copy
    A = attn_only_forward(w, tokens, cfg["n_layers"], cfg["n_heads"]).weights
    i = np.arange(10, 20)
    np.testing.assert_allclose(induction_score(A, tokens), A[:, :, i, i - 9].mean(-1))
    np.testing.assert_allclose(duplicate_token_score(A, tokens), A[:, :, i, i - 10].mean(-1))
    np.testing.assert_allclose(
        previous_token_score(A), A[:, :, np.arange(1, 20), np.arange(19)].mean(-1)
    )


# --------------------------------------------------------------------------- model B
@cache
def heldout_b() -> list[tuple[list[str], list[str], list[int]]]:
    rng = np.random.default_rng(777)
    pairs = []
    while len(pairs) < N_B:
        pair = b_pair(rng)
        if held_out(pair[0]):
            pairs.append(pair)
    return pairs


def test_model_b_translates_heldout_sentences():
    cfg, w, _ = model("alignment")
    src_ix, tgt_ix = b_vocab()
    right = 0
    for src, tgt, _ in heldout_b():
        out, _ = greedy_translate(
            w, cfg, [src_ix[x] for x in src], tgt_ix["<bos>"], tgt_ix["<eos>"]
        )
        right += [TGT_WORDS[i] for i in out] == tgt
    assert right / N_B >= 0.95, right / N_B


def test_model_b_alignment_matches_the_gold_alignment():
    """The cross-attention the page shows by default: decoder layer 1, whose query picks the
    source word to translate (layer 2 works on what layer 1 brought and is less sharp)."""
    cfg, w, _ = model("alignment")
    src_ix, tgt_ix = b_vocab()
    hits = total = 0
    swapped_hits = swapped = 0
    for src, tgt, align in heldout_b():
        run = encoder_decoder_forward(
            w, cfg, [src_ix[x] for x in src], [tgt_ix["<bos>"], *(tgt_ix[x] for x in tgt)]
        )
        arg = run.cross[0].weights.mean(axis=0)[: len(tgt)].argmax(axis=1)
        gold = np.asarray(align)
        hits += int((arg == gold).sum())
        total += gold.size
        off = gold != np.arange(gold.size)  # words the reordering moved
        swapped_hits += int((arg[off] == gold[off]).sum())
        swapped += int(off.sum())
    assert hits / total >= 0.90, hits / total
    assert swapped and swapped_hits / swapped >= 0.80, (swapped_hits, swapped)


# --------------------------------------------------------------------------- the pieces
def test_scores_of_perfect_heads_are_one():
    T = 12
    seg = np.arange(6)
    tokens = np.concatenate([seg, seg])
    prev = np.zeros((T, T))
    prev[0, 0] = 1.0
    prev[np.arange(1, T), np.arange(T - 1)] = 1.0
    assert previous_token_score(prev) == pytest.approx(1.0)
    induct = np.eye(T)
    i = np.arange(6, 12)
    induct[i] = 0.0
    induct[i, i - 5] = 1.0
    assert induction_score(induct, tokens) == pytest.approx(1.0)
    assert duplicate_token_score(induct, tokens) == pytest.approx(0.0)
    dup = np.eye(T)
    dup[i] = 0.0
    dup[i, i - 6] = 1.0
    assert duplicate_token_score(dup, tokens) == pytest.approx(1.0)
    assert induction_score(dup, tokens) == pytest.approx(0.0)


def test_scores_without_repeats_are_nan_not_zero():
    A = np.eye(4)
    assert np.isnan(induction_score(A, [0, 1, 2, 3]))
    assert np.isnan(duplicate_token_score(A, [0, 1, 2, 3]))
    assert np.isnan(previous_token_score(np.ones((1, 1))))


def test_copy_positions_and_accuracy():
    tokens = np.array([5, 0, 1, 2, 0, 1, 2, 9])
    np.testing.assert_array_equal(copy_positions(tokens), [4, 5])  # 0→1 and 1→2 repeat
    logits = np.zeros((8, 10))
    logits[4, 1] = 1.0  # right
    logits[5, 7] = 1.0  # wrong
    acc, pos, correct = copy_accuracy(logits, tokens)
    assert acc == 0.5 and pos.tolist() == [4, 5] and correct.tolist() == [True, False]
    assert np.isnan(copy_accuracy(np.zeros((3, 4)), [0, 1, 2])[0])


def test_ablating_every_head_leaves_the_direct_path():
    cfg, w, _ = model("induction")
    tokens = np.array([3, 1, 4, 1, 5, 9, 2, 6])
    every = [(a, h) for a in range(cfg["n_layers"]) for h in range(cfg["n_heads"])]
    run = attn_only_forward(w, tokens, cfg["n_layers"], cfg["n_heads"], ablate=every)
    direct = (w["W_E"][tokens] + w["W_pos"][: tokens.size]) @ w["W_U"]
    np.testing.assert_allclose(run.logits, direct, atol=1e-12)
    full = attn_only_forward(w, tokens, cfg["n_layers"], cfg["n_heads"])
    resid = full.embed + full.pos + full.head_writes.sum(axis=(0, 1))
    np.testing.assert_allclose(resid, full.resid[-1], atol=1e-12)


def test_key_composition_parts_add_up_to_the_score():
    cfg, w, _ = model("induction")
    tokens = np.array([7, 3, 8, 1, 2, 8, 1, 2, 8])
    run = attn_only_forward(w, tokens, cfg["n_layers"], cfg["n_heads"])
    parts = key_composition(run, w, layer=1, head=2, query=8)
    total = sum(v for k, v in parts.items() if k != "total")
    np.testing.assert_allclose(total, parts["total"], atol=1e-10)
    assert set(parts) == {"token", "position", "L1H1", "L1H2", "L1H3", "L1H4", "total"}


def test_forward_rejects_bad_tokens():
    cfg, w, _ = model("induction")
    L, H = cfg["n_layers"], cfg["n_heads"]
    for bad in ([], [0, 26], [-1], [0.5, 1.0], list(range(cfg["max_len"] + 1))):
        with pytest.raises(ValueError):
            attn_only_forward(w, np.asarray(bad), L, H)
    with pytest.raises(ValueError, match="no head"):
        attn_only_forward(w, [0, 1], L, H, ablate=[(2, 0)])


def test_layer_norm_matches_its_formula():
    x = np.array([[1.0, 2.0, 4.0], [0.0, 0.0, 3.0]])
    g, b = np.array([1.0, 2.0, 0.5]), np.array([0.0, 1.0, -1.0])
    mu, var = x.mean(1, keepdims=True), x.var(1, keepdims=True)
    np.testing.assert_allclose(layer_norm(x, g, b), g * (x - mu) / np.sqrt(var + 1e-5) + b)


def test_translate_gives_the_gold_alignment():
    out, align = translate(["a", "small", "old", "dog", "bites", "the", "cat"])
    assert out == ["un", "perro", "pequeño", "viejo", "muerde", "el", "gato"]
    assert align == [0, 3, 1, 2, 4, 5, 6]
    assert translate(["dog", "the", "sees"]) is None
    assert translate(["the", "dog", "sees", "a"]) is None
    assert translate([]) is None
