"""Pure helpers of the Q · K · V playground: presets, the written-out row, the figures."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from app_pages.qkv import figures as qkv_figures
from app_pages.qkv.data import (
    GENERATORS,
    MODES,
    Sizes,
    default_lengths,
    fit_lengths,
    generate,
    looks_like_colours,
    names,
    qkv_of,
)
from app_pages.qkv.text import STEP_NAMES, block, pick_keys, row_working, step_through
from attn_core import attention, causal_mask, random_score_params, valid_length_mask
from ui import figures
from ui.formulas import num

# --- presets and random matrices -----------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("gen", GENERATORS)
def test_every_preset_gives_the_matrices_of_its_mode(mode, gen):
    mats = generate(gen, mode, 3, Sizes(n_q=5, n_k=7, d_k=3, d_v=2))
    assert tuple(mats) == names(mode)
    Q, K, V = qkv_of(mode, mats)
    assert K.shape[0] == V.shape[0] and Q.shape[1] == K.shape[1]
    assert all(np.all(np.isfinite(m)) for m in mats.values())


def test_modes_share_arrays_where_the_seed_says_they_are_one_set():
    Q, K, V = qkv_of("qvv", generate("default", "qvv"))
    assert V is K and Q is not K
    Q, K, V = qkv_of("vvv", generate("default", "vvv"))
    assert Q is K is V


def test_random_matrices_follow_the_seed_and_size():
    a = generate("random", "qkv", 7, Sizes(n_q=4, n_k=6, d_q=3, d_k=5, d_v=2))
    b = generate("random", "qkv", 7, Sizes(n_q=4, n_k=6, d_q=3, d_k=5, d_v=2))
    c = generate("random", "qkv", 8, Sizes(n_q=4, n_k=6, d_q=3, d_k=5, d_v=2))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["K"], c["K"])
    assert a["Q"].shape == (4, 3) and a["K"].shape == (6, 5) and a["V"].shape == (6, 2)
    assert np.array_equal(a["Q"], np.round(a["Q"], 2))  # short in tables and links
    # each matrix has its own stream: more queries leave the keys as they were
    more = generate("random", "qkv", 7, Sizes(n_q=9, n_k=6, d_q=3, d_k=5, d_v=2))
    assert np.array_equal(more["K"], a["K"]) and np.array_equal(more["Q"][:4], a["Q"])
    # switching to VVV keeps the keys: X is K
    x = generate("random", "vvv", 7, Sizes(n_k=6, d_k=5))["X"]
    assert np.array_equal(x, a["K"])


def test_the_largest_random_matrices_are_512_by_64():
    mats = generate("random", "qkv", 1, Sizes(n_q=512, n_k=512, d_k=64, d_v=64))
    assert mats["Q"].shape == (512, 64) and mats["V"].shape == (512, 64)


def test_example_story_numbers():
    """The inks example gives orange, magenta and teal mixtures; identical keys, even weights;
    a long key takes the weight of queries that point its way."""
    Q, K, V = qkv_of("qkv", generate("default", "qkv"))
    out = attention(Q, K, V).output
    assert out[0, 0] > 0.9 and out[0, 1] > 0.45 and out[0, 2] < 0.05  # orange
    assert out[1, 0] > 0.45 and out[1, 2] > 0.45 and out[1, 1] < 0.1  # magenta
    assert out[2, 1] > 0.45 and out[2, 2] > 0.45 and out[2, 0] < 0.1  # teal
    assert looks_like_colours(V)
    Q, K, V = qkv_of("qkv", generate("identical", "qkv"))
    assert np.allclose(attention(Q, K, V).weights, 0.25)
    Q, K, V = qkv_of("qkv", generate("dominant", "qkv"))
    w = attention(Q, K, V).weights
    assert w[0, 0] > 0.95 and w[1, 0] > 0.9 and w[2, 0] < 0.01
    X, _, _ = qkv_of("vvv", generate("dominant", "vvv"))
    assert attention(X, X, X).weights[1, 0] > 0.95  # even row 2's own query


def test_valid_lengths_are_whole_numbers_in_range():
    assert default_lengths(3, 4).tolist() == [[4.0, 3.0, 2.0]]
    assert default_lengths(5, 2).tolist() == [[2.0, 1.0, 1.0, 1.0, 1.0]]
    fixed, changed = fit_lengths(np.array([[0.0, 9.0, 2.4]]), 3, 4)
    assert fixed.tolist() == [[0.0, 4.0, 2.0]] and changed
    same, changed = fit_lengths(np.array([[1.0, 2.0]]), 2, 4)
    assert same.tolist() == [[1.0, 2.0]] and not changed
    wrong, changed = fit_lengths(np.array([[1.0, 2.0]]), 3, 4)
    assert wrong.tolist() == default_lengths(3, 4).tolist() and changed


# --- the written-out row uses the very arrays the heatmaps draw ----------------------------


def _setup(kind, mask_kind="none", tau=1.0, seed=0, n_q=4, n_k=5, d=3):
    rng = np.random.default_rng(seed)
    Q, K, V = rng.normal(size=(n_q, d)), rng.normal(size=(n_k, d)), rng.normal(size=(n_k, 2))
    params = random_score_params(kind, d, d, h=3, seed=1) or None
    mask = {
        "none": None,
        "causal": causal_mask(n_q) if n_q == n_k else None,
        "valid": valid_length_mask(n_q, n_k, [0, 2, n_k, 1][:n_q] + [1] * max(0, n_q - 4)),
    }[mask_kind]
    res = attention(Q, K, V, kind=kind, mask=mask, tau=tau, params=params)
    return Q, K, V, res, mask, params


@pytest.mark.parametrize("kind", ["dot", "scaled_dot", "additive", "general"])
@pytest.mark.parametrize("mask_kind", ["none", "valid"])
def test_row_working_writes_the_heatmap_rows(kind, mask_kind):
    Q, K, V, res, mask, params = _setup(kind, mask_kind, tau=0.7)
    for i in range(Q.shape[0]):
        w = row_working(Q, K, V, res, i, kind=kind, tau=0.7, mask=mask, params=params)
        # the very arrays the heatmaps draw, not copies computed again
        assert np.shares_memory(w.scores, res.scores) and np.array_equal(w.scores, res.scores[i])
        assert np.shares_memory(w.weights, res.weights)
        assert np.array_equal(w.weights, res.weights[i])
        assert np.array_equal(w.output, res.output[i])
        text = "".join(block(s) for s in w.steps)
        for j in w.shown:
            assert num(w.weights[j]) in text
        assert all(num(x) in text for x in w.output)
        names_ = [s.name for s in w.steps]
        expected = ["score", "temperature", "exp", "normalise", "output"]
        if mask is not None:
            expected.insert(2, "mask")
        assert names_ == expected
        if w.fully_masked:
            assert np.all(w.weights == 0) and w.total == 0
        else:
            assert np.allclose(w.exps / w.total, w.weights, rtol=1e-12, atol=1e-15)


@given(
    Q=arrays(np.float64, (3, 2), elements=st.floats(-50, 50)),
    K=arrays(np.float64, (4, 2), elements=st.floats(-50, 50)),
    tau=st.sampled_from([0.05, 0.5, 1.0, 20.0]),
    kind=st.sampled_from(["dot", "scaled_dot"]),
)
def test_exponentials_normalise_to_the_core_weights(Q, K, tau, kind):
    """Large scores are shifted by their maximum (as the core does); the weights agree."""
    V = np.eye(4)[:, :3]
    res = attention(Q, K, V, kind=kind, tau=tau)
    for i in range(3):
        w = row_working(Q, K, V, res, i, kind=kind, tau=tau)
        assert math.isfinite(w.total) and w.total > 0.0  # never an underflow to 0 / 0
        assert np.allclose(w.exps / w.total, res.weights[i], atol=1e-12)


def test_large_scores_are_shifted_and_said():
    Q, K = np.array([[100.0, 0.0]]), np.array([[100.0, 0.0], [90.0, 0.0]])
    V = np.array([[1.0], [2.0]])
    res = attention(Q, K, V, kind="dot", tau=1.0)
    w = row_working(Q, K, V, res, 0, kind="dot", tau=1.0)
    assert w.shift == 10000.0
    assert r"m = \max_j" in block(w.steps[2])


def test_many_keys_write_the_first_ones_the_heaviest_and_the_last():
    assert pick_keys(4) == (0, 1, 2, 3)
    assert pick_keys(100, focus=50) == (0, 1, 2, 3, 50, 99)
    assert pick_keys(100, focus=2) == (0, 1, 2, 3, 4, 99)
    Q, K, V, res, _, _ = _setup("dot", n_q=2, n_k=40, d=4)
    w = row_working(Q, K, V, res, 1, kind="dot", tau=1.0)
    assert int(np.argmax(res.weights[1])) in w.shown
    assert r"\vdots" in block(w.steps[0])


def test_causal_row_masks_the_later_keys():
    Q, K, V, res, mask, _ = _setup("scaled_dot", "causal", n_q=4, n_k=4)
    w = row_working(Q, K, V, res, 1, kind="scaled_dot", tau=1.0, mask=mask)
    assert np.all(w.exps[2:] == 0) and np.all(w.weights[2:] == 0)
    assert "(j = 3, 4)" in block(w.steps[2])


# --- figures --------------------------------------------------------------------------------


def _pipeline(res, masked=None, row=0, swatches=None):
    n_q, n_k = res.weights.shape
    ql, kl = [f"q{i + 1}" for i in range(n_q)], [f"k{j + 1}" for j in range(n_k)]
    vl = [str(c + 1) for c in range(res.output.shape[1])]
    return qkv_figures.panels(
        [
            qkv_figures.Panel(res.scores, "S", "k", "q", kl, ql, masked=masked, row=row),
            qkv_figures.Panel(
                res.weights, "A", "k", "", kl, ql, kind="weights", masked=masked, row=row,
                top_swatches=swatches, top_label="ink",
            ),
            qkv_figures.Panel(res.output, "O", "v", "", vl, ql, row=row),
        ]
    )  # fmt: skip


def test_pipeline_figure_draws_the_core_arrays():
    Q, K, V = qkv_of("qkv", generate("default", "qkv"))
    mask = valid_length_mask(3, 4, [0, 2, 4])
    res = attention(Q, K, V, mask=mask)
    fig = _pipeline(res, masked=~mask, row=1, swatches=V)
    heat = [tr for tr in fig.data if tr.type == "heatmap"]
    assert len(heat) == 3
    expected_scores = np.where(mask, res.scores, np.nan)
    np.testing.assert_array_equal(np.asarray(heat[0].z, float), expected_scores)
    np.testing.assert_array_equal(np.asarray(heat[1].z, float), np.where(mask, res.weights, np.nan))
    np.testing.assert_array_equal(np.asarray(heat[2].z, float), res.output)
    assert heat[1].zmin == 0 and heat[1].zmax == 1 and heat[1].texttemplate  # numbers on cells
    frames = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(frames) == 3 and all(s.y0 == 0.5 and s.y1 == 1.5 for s in frames)
    swatch = [tr for tr in fig.data if tr.type == "scatter" and tr.marker.size == 26]
    assert len(swatch) == 1 and len(swatch[0].marker.color) == 4
    assert all(ax.title.text for ax in (fig.layout.xaxis, fig.layout.xaxis2, fig.layout.xaxis3))


def test_large_matrices_are_images_encoded_once():
    rng = np.random.default_rng(0)
    Q, K = rng.normal(size=(200, 8)), rng.normal(size=(300, 8))
    V = rng.normal(size=(300, 4))
    res = attention(Q, K, V)
    fig = _pipeline(res, row=3)
    kinds = [tr.type for tr in fig.data]
    assert kinds.count("image") == 3 and kinds.count("heatmap") == 0  # output 200 × 4 too
    src = next(tr.source for tr in fig.data if tr.type == "image")
    assert src.startswith("data:image/png;base64,")
    # an unchanged matrix is not encoded again (the same string comes back)
    first = qkv_figures.image_uri(res.scores, -1.0, 1.0, True)
    assert qkv_figures.image_uri(res.scores.copy(), -1.0, 1.0, True) is first
    assert qkv_figures.image_uri(res.scores, -2.0, 1.0, True) is not first


def test_plane_bolds_the_selected_query():
    Q, K, _ = qkv_of("qkv", generate("default", "qkv"))
    fig = qkv_figures.plane(Q, K, row=2, query_labels=["a", "b", "c"], key_labels=list("wxyz"))
    queries = fig.data[4:]
    assert queries[2].line.color == qkv_figures.HIGHLIGHT and queries[0].opacity < 1
    assert figures.PALETTE[0] == fig.data[0].line.color


# --- stepping through one query ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["dot", "scaled_dot", "general", "additive"])
def test_the_five_steps_carry_the_numbers_of_their_own_step(kind):
    mats = generate("random", "qkv", 4, Sizes(n_q=3, n_k=5, d_k=3, d_v=2))
    Q, K, V = qkv_of("qkv", mats)
    params = (
        random_score_params(kind, 3, 3, h=4, seed=1) if kind in ("general", "additive") else None
    )
    mask = valid_length_mask(3, 5, [5, 3, 1])
    res = attention(Q, K, V, kind=kind, mask=mask, tau=0.5, params=params)
    w = row_working(Q, K, V, res, 1, kind=kind, tau=0.5, mask=mask, params=params)
    got = step_through(w, Q, K, kind=kind)
    assert [s.name for s in got] == list(STEP_NAMES)
    text = [block(s) for s in got]
    first = K @ Q[1] if kind in ("dot", "scaled_dot") else res.scores[1]
    assert all(num(x) in text[0] for x in first)
    assert all(num(x) in text[1] for x in res.scores[1, :3] / 0.5)
    assert r"\left[1,\ 1,\ 1,\ 0,\ 0\right]" in text[2]
    assert all(num(x) in text[3] for x in res.weights[1]) and "Z" in text[3]
    assert all(num(x) in text[4] for x in res.output[1])
    assert not any(r"\mathbf{o}" in t for t in text[:4])


def test_a_step_greys_the_rows_it_does_not_use_and_frames_what_it_reads():
    m = np.arange(12.0).reshape(4, 3)
    fig = qkv_figures.panels(
        [
            qkv_figures.Panel(m, "a", "", "", list("xyz"), list("abcd"), row=2, dim=True),
            qkv_figures.Panel(m, "b", "", "", list("xyz"), list("abcd"), row=0, dim=True),
            qkv_figures.Panel(m, "c", "", "", list("xyz"), list("abcd"), frame_all=True),
        ]
    )
    shapes = fig.to_dict()["layout"]["shapes"]
    grey = [(s["xref"], s["y0"], s["y1"]) for s in shapes if s["fillcolor"] == qkv_figures.DIMMED]
    assert grey == [("x", -0.5, 1.5), ("x", 2.5, 3.5), ("x2", 0.5, 3.5)]
    frames = [(s["xref"], s["y0"], s["y1"]) for s in shapes if s["line"].get("width") == 3]
    assert frames == [("x", 1.5, 2.5), ("x2", -0.5, 0.5), ("x3", -0.5, 3.5)]
