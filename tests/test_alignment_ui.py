"""The alignment page's pure parts: the toy sentences, formulas and figures, without Streamlit."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from attn_core import global_weights, hard_attention, local_weights, score
from tests.plotly_spec import decode
from ui import fig_alignment
from ui.alignment_toy import (
    D_MODEL,
    D_VALUE,
    context_latex,
    error_latex,
    global_latex,
    local_latex,
    log_spaced,
    make_toy,
    position_latex,
)


def validated(fig: go.Figure) -> dict:
    """The figure's spec, checked by Plotly's validators (the page builds without them)."""
    spec = fig.to_dict()
    go.Figure(spec)  # raises on any property Plotly does not know
    return decode(spec)


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
    assert global_latex(toy.scores[2], G[2], 3).endswith(f"= {G[2, 3]:.4f}")
    assert position_latex(10, 0.0, 5.0).endswith(r"10 \cdot \operatorname{sigmoid}(0) = 5.000")
    la = local_weights(toy.scores[4], 4.0, 2)
    window, tex = local_latex(4.0, 2, 5, la.window_softmax[5], la.gaussian[5], la.weights[5])
    assert "[2.00,\\ 6.00]" in window and tex.endswith(f"= {la.weights[5]:.4f}")
    r = hard_attention(G[2], toy.values, 50, seed=0)
    assert "c_{\\text{soft}}" in context_latex(r.soft_context, r.running_mean[-1], 50)
    assert error_latex(50, r.error[-1], r.expected_error[-1]).endswith(
        f"= {r.expected_error[-1]:.3f}"
    )


# --- figures ----------------------------------------------------------------------------------


def panels_for(S: int, t: int, D: int) -> list[fig_alignment.Panel]:
    toy = make_toy(S, 2, 0)
    lm = local_weights(toy.scores, np.arange(S, dtype=float), D)
    return [
        fig_alignment.Panel("global", global_weights(toy.scores)[t]),
        fig_alignment.Panel(
            "local-m", lm.weights[t], window=lm.window[t], p_t=float(t), gaussian=lm.gaussian[t]
        ),
    ]


def test_position_weights_draw_the_window_centre_and_gaussian():
    rows = panels_for(20, 5, 3)
    spec = validated(
        fig_alignment.position_weights(
            rows, truth=7, x_title="s", y_title="a", gauss_label="g", truth_label="truth"
        )
    )
    bars = [d for d in spec["data"] if d["type"] == "bar"]
    assert np.allclose(bars[0]["y"], rows[0].weights) and np.allclose(bars[1]["y"], rows[1].weights)
    grey = [c for c in bars[1]["marker"]["color"] if c == fig_alignment.OUTSIDE]
    assert len(grey) == 20 - 7  # the window 2 … 8 holds 7 positions
    gauss = [d for d in spec["data"] if d.get("name") == "g"]
    assert len(gauss) == 1 and gauss[0]["yaxis"] == "y4"  # its own 0–1 axis
    assert spec["layout"]["yaxis4"]["overlaying"] == "y2"
    window = next(s for s in spec["layout"]["shapes"] if s["type"] == "rect")
    assert (window["x0"], window["x1"]) == (1.5, 8.5)
    assert spec["layout"]["yaxis"]["range"] == spec["layout"]["yaxis2"]["range"]  # one scale
    truth = [d for d in spec["data"] if d.get("name") == "truth"]
    assert [d["x"] for d in truth] == [[7], [7]] and sum(d["showlegend"] for d in truth) == 1


@pytest.mark.parametrize(("S", "kind"), [(10, "heatmap"), (64, "heatmap"), (65, "image")])
def test_alignment_maps_are_numbers_when_small_and_images_when_large(S, kind):
    toy = make_toy(S, 0, 0)
    G = global_weights(toy.scores)
    spec = validated(
        fig_alignment.alignment_maps(
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
    spec = validated(
        fig_alignment.hard_samples(
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
