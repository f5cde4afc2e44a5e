"""The alignment page's pure parts: the toy sentences, formulas and figures, without Streamlit."""

from __future__ import annotations

import numpy as np
import pytest

from app_pages.alignment import figures, text
from app_pages.alignment.data import D_MODEL, D_VALUE, log_spaced, make_toy
from attn_core import (
    global_weights,
    hard_attention,
    local_weights,
    predicted_position,
    score,
    softmax_parts,
)
from tests.helpers import validated_spec
from ui.i18n import catalog

# --- the toy ---------------------------------------------------------------------------------


def test_toy_has_the_documented_shapes_and_alignment():
    toy = make_toy(12, shift=3, seed=1)
    assert toy.source.shape == toy.target.shape == (12, D_MODEL)
    assert toy.values.shape == (12, D_VALUE)
    assert toy.aligned.tolist() == [3, 4, 5, 6, 7, 8, 9, 10, 11, 11, 11, 11]
    assert np.allclose(toy.scores, score(toy.target, toy.source, "scaled_dot"))


def test_toy_is_seeded():
    a, b, c = make_toy(20, 0, 5), make_toy(20, 0, 5), make_toy(20, 0, 6)
    assert np.array_equal(a.scores, b.scores) and np.array_equal(a.W_p, b.W_p)
    assert not np.array_equal(a.scores, c.scores)


def test_global_attention_mostly_finds_the_copied_word():
    toy = make_toy(60, shift=-4, seed=0)
    hits = np.mean(global_weights(toy.scores).argmax(axis=1) == toy.aligned)
    assert hits > 0.55  # noisy copies: some steps resemble another word more


@pytest.mark.parametrize("n", [1, 2, 7, 200, 100_000])
def test_log_spaced_counts_start_at_one_and_end_at_n(n):
    ns = log_spaced(n)
    assert ns[0] == 1 and ns[-1] == n and np.all(np.diff(ns) > 0) and len(ns) <= 240


# --- formulas ---------------------------------------------------------------------------------


def test_formulas_carry_the_page_numbers():
    toy = make_toy(10, 1, 0)
    G = global_weights(toy.scores)
    m, total = softmax_parts(toy.scores[2])
    tex = text.global_latex(toy.scores[2], G[2], 3, m, total)
    assert tex.endswith(f"= {G[2, 3]:.4f}")
    assert f"{{{np.exp(toy.scores[2] - toy.scores[2].max()).sum():.2f}}}" in tex  # the denominator
    assert text.position_latex(10, 0.0, 5.0).endswith(r"10 \cdot \operatorname{sigmoid}(0) = 5.000")
    lp = local_weights(toy.scores[4], 4.0, 2, mode="local-p")
    window = text.window_latex(4.0, 2, lp.first, lp.last, lp.sigma)
    assert "[2.00,\\ 6.00]" in window and r"s = 2, \dots, 6" in window and "= 1.00" in window
    tex = text.local_p_latex(
        4.0, lp.sigma, 5, lp.window_softmax[5], lp.gaussian[5], lp.weights[5], lp.total
    )
    assert f"= {lp.weights[5]:.4f}," in tex and tex.endswith(f"a_t(s) = {lp.total:.3f}")
    r = hard_attention(G[2], toy.values, 50, seed=0)
    assert "c_{\\text{soft}}" in text.context_latex(r.soft_context, r.running_mean[-1], 50)
    assert text.error_latex(50, r.error[-1], r.expected_error[-1]).endswith(
        f"= {r.expected_error[-1]:.3f}"
    )


def test_local_m_formula_is_the_window_softmax_and_its_sum_is_one():
    toy = make_toy(10, 1, 0)
    lm = local_weights(toy.scores[0], 0, 3, mode="local-m")  # t = 0: the window is cut to 0 … 3
    assert (lm.first, lm.last) == (0, 3)
    window = text.window_latex(0.0, 3, lm.first, lm.last)
    assert "[-3.00,\\ 3.00]" in window and r"s = 0, \dots, 3" in window and "sigma" not in window
    s = int(np.argmax(lm.weights))
    m, total = softmax_parts(toy.scores[0], lm.window)
    inside = toy.scores[0, :4]
    assert total == pytest.approx(np.exp(inside - inside.max()).sum())
    tex = text.local_m_latex(s, toy.scores[0, s], m, total, lm.weights[s], 0, 3, lm.total)
    assert r"\sum_{s'=0}^{3}" in tex
    assert f"= {np.exp(toy.scores[0, s] - m) / total:.4f}," in tex
    assert tex.endswith(r"\sum_{s=0}^{3} a_t(s) = 1.000")


def test_setup_text_quotes_the_model_size():
    for lang in ("en", "zh"):
        assert f"d = {D_MODEL}$" in catalog(lang)["alignment.setup.text"]


# --- figures ----------------------------------------------------------------------------------


def panels_for(S: int, t: int, D: int) -> list[figures.Panel]:
    """The three panels the page draws at step t, from the core."""
    toy = make_toy(S, 2, 0)
    lm = local_weights(toy.scores, np.arange(S), D, mode="local-m")
    p = predicted_position(toy.target, toy.W_p, toy.v_p, S)
    lp = local_weights(toy.scores, p, D, mode="local-p")
    return [
        figures.Panel("global", global_weights(toy.scores)[t]),
        figures.Panel("local-m", lm.weights[t], window=lm.window[t], p_t=float(t)),
        figures.Panel(
            "local-p", lp.weights[t], window=lp.window[t], p_t=p[t], gaussian=lp.gaussian[t]
        ),
    ]


def test_position_weights_draw_the_window_centre_and_local_p_gaussian():
    rows = panels_for(20, 5, 3)
    spec = validated_spec(
        figures.position_weights(
            rows, truth=7, x_title="s", y_title="a", gauss_label="g", truth_label="truth"
        )
    )
    bars = [d for d in spec["data"] if d["type"] == "bar"]
    for bar, row in zip(bars, rows, strict=True):
        assert np.allclose(bar["y"], row.weights)
    grey = [c for c in bars[1]["marker"]["color"] if c == figures.OUTSIDE]
    assert len(grey) == 20 - 7  # the window 2 … 8 holds 7 positions
    inside = np.array([c != figures.OUTSIDE for c in bars[1]["marker"]["color"]])
    assert bars[1]["y"][inside].sum() == pytest.approx(1.0)  # local-m: the window sums to 1
    assert bars[2]["y"].sum() < 1.0  # local-p: the Gaussian takes weight away
    gauss = [d for d in spec["data"] if d.get("name") == "g"]
    assert len(gauss) == 1 and gauss[0]["yaxis"] == "y6"  # local-p's alone, its own 0–1 axis
    assert spec["layout"]["yaxis6"]["overlaying"] == "y3"
    assert np.allclose(gauss[0]["y"], rows[2].gaussian)
    window = next(s for s in spec["layout"]["shapes"] if s["type"] == "rect")
    assert (window["x0"], window["x1"]) == (1.5, 8.5)
    ranges = [spec["layout"][f"yaxis{i}"]["range"] for i in ("", "2", "3")]
    assert ranges[0] == ranges[1] == ranges[2]  # one scale
    truth = [d for d in spec["data"] if d.get("name") == "truth"]
    assert [d["x"] for d in truth] == [[7]] * 3 and sum(d["showlegend"] for d in truth) == 1


@pytest.mark.parametrize(("S", "kind"), [(10, "heatmap"), (64, "heatmap"), (65, "image")])
def test_alignment_maps_are_numbers_when_small_and_images_when_large(S, kind):
    toy = make_toy(S, 0, 0)
    G = global_weights(toy.scores)
    spec = validated_spec(
        figures.alignment_maps(
            [G, G / 2], t=3, titles=["a", "b"], x_title="s", y_title="t", colorbar_title="w"
        )
    )
    assert [d["type"] for d in spec["data"][:2]] == [kind, kind]
    if kind == "heatmap":
        assert np.allclose(spec["data"][1]["z"], G / 2)
        assert ("texttemplate" in spec["data"][0]) == (S <= 12)
    else:
        assert spec["data"][0]["source"].startswith("data:image/png;base64,")
    rows = spec["layout"]["shapes"]
    assert len(rows) == 2 and rows[0]["y0"] == 2.5 and rows[0]["y1"] == 3.5
    assert spec["layout"]["coloraxis"]["cmax"] == pytest.approx(G.max())


def test_hard_samples_show_shares_against_weights_and_the_error_curves():
    a = np.array([0.5, 0.3, 0.2])
    positions = np.array([0, 0, 1, 2, 0, 1, 0, 0, 2, 1])
    ns = np.array([1, 2, 5, 10])
    spec = validated_spec(
        figures.hard_samples(
            a,
            positions,
            ns,
            [("err", np.array([1.0, 0.5, 0.3, 0.2]), "solid"), ("1/√N", 1 / np.sqrt(ns), "dot")],
            titles=["h", "e"],
            x_titles=["s", "N"],
            y_titles=["share", "error"],
            weights_label="a",
            samples_label="samples",
        )
    )
    share, weights, err, ref = spec["data"]
    assert np.allclose(share["y"], [0.5, 0.3, 0.2]) and list(share["customdata"]) == [5, 3, 2]
    assert np.allclose(weights["y"], a)
    assert err["xaxis"] == "x2" and ref["line"]["dash"] == "dot"
    assert spec["layout"]["xaxis2"]["type"] == spec["layout"]["yaxis2"]["type"] == "log"
