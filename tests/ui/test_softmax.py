"""The softmax page's pure parts: reading typed scores, formulas and figures, without Streamlit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app_pages.softmax import figures as fig_softmax
from app_pages.softmax import text as softmax_text
from app_pages.softmax.text import LIMIT, MAX_LEN, MAX_TEXT
from attn_core import entropy, softmax, softmax_jacobian
from tests.helpers import validated_spec
from ui.i18n import catalog

# --- reading the text box -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("51, 49", (51.0, 49.0)),
        ("51 49", (51.0, 49.0)),
        ("51，49", (51.0, 49.0)),  # full-width comma, as a Chinese keyboard types it
        ("51、49；3", (51.0, 49.0, 3.0)),
        ("[70/8, 30/8]", (8.75, 3.75)),
        ("  -1e2,+.5, 3. ", (-100.0, 0.5, 3.0)),
        ("0,0", (0.0, 0.0)),
    ],
)
def test_good_text_reads_as_numbers(text, values):
    parsed = softmax_text.parse_scores(text)
    assert parsed.values == values and parsed.problem is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "softmax.input.empty"),
        (" , ;", "softmax.input.empty"),
        ("5", "softmax.input.too_few"),
        (",".join(["1"] * (MAX_LEN + 1)), "softmax.input.too_many"),
        ("1 " * (MAX_TEXT // 2 + 1), "softmax.input.too_long"),
        ("1, two", "softmax.input.not_number"),
        ("1, nan", "softmax.input.not_number"),
        ("1, inf", "softmax.input.not_number"),
        ("1, <script>", "softmax.input.not_number"),
        ("1, 2/3/4", "softmax.input.not_number"),
        ("1, 1/0", "softmax.input.not_finite"),
        ("1, 1e999", "softmax.input.not_finite"),
    ],
)
def test_bad_text_is_refused_with_a_reason(text, problem):
    parsed = softmax_text.parse_scores(text)
    assert parsed.values is None
    assert parsed.problem == problem
    en = catalog("en")[problem]
    en.format(**parsed.detail)  # the message has exactly the fields the parser gives


def test_the_refusal_names_the_entry():
    parsed = softmax_text.parse_scores("3, 4, oops")
    assert parsed.detail == {"entry": "oops", "i": "3"}


def test_huge_scores_are_clipped_and_said():
    parsed = softmax_text.parse_scores("1e6, -2000, 5")
    assert parsed.values == (LIMIT, -LIMIT, 5.0)
    assert parsed.problem == "softmax.input.clipped"


@given(st.lists(st.floats(-LIMIT, LIMIT, allow_nan=False), min_size=2, max_size=MAX_LEN))
def test_formatted_scores_read_back_exactly(values):
    assert softmax_text.parse_scores(softmax_text.format_scores(values)).values == tuple(values)


def test_probabilities_read_well():
    assert softmax_text.probability(0.5) == "0.5"
    assert softmax_text.probability(1 / 3) == "0.3333"
    assert softmax_text.probability(4.248354255291589e-18) == "4.248e-18"
    assert softmax_text.probability(0.0) == "0"


# --- formulas -------------------------------------------------------------------------------


def test_softmax_formula_ends_with_the_drawn_weight():
    x = np.array([51.0, 49.0])
    p = softmax(x)
    general, tex = softmax_text.softmax_latex(x, 1.0, p, 0)
    assert r"\max_j x_j" in general and tex.endswith("= 0.8808")
    assert "e^{(51.0 - 51.0)/1.00}" in tex
    assert r"\frac{1.00}{1.14}" in tex  # e^0 / (e^0 + e^-2)


def test_softmax_formula_shortens_long_sums():
    x = np.arange(12.0)
    _, tex = softmax_text.softmax_latex(x, 2.0, softmax(x, tau=2.0), 11)
    assert r"\dots" in tex and tex.count(" + ") == 4


def test_entropy_formula_carries_the_value_and_the_bound():
    p = softmax(np.array([2.0, 1.0, 0.5, 0.0, -1.0]))
    bound, tex = softmax_text.entropy_latex(p, entropy(p))
    assert tex.endswith("= 1.206") and r"\ln 5 = 1.609" in bound


def test_variance_formula_names_the_measured_values():
    raw, scaled = softmax_text.variance_latex(64, 63.92, 0.9988, "measured")
    assert "d = 64" in raw and "63.92" in raw and r"\text{measured}" in raw
    assert r"\sqrt{64}" in scaled and "0.9988" in scaled


# --- figures --------------------------------------------------------------------------------


def test_main_figure_draws_the_scores_weights_and_jacobian():
    x = np.array([2.0, 1.0, 0.5])
    p = softmax(x, tau=0.5)
    J = softmax_jacobian(p) / 0.5
    spec = validated_spec(
        fig_softmax.scores_weights_jacobian(
            x,
            p,
            J,
            labels=["x1 = 2", "x2 = 1", "x3 = 0.5"],
            highlight=0,
            titles=["a", "b", "c"],
            x_titles=["i", "i", "j"],
            y_titles=["x", "p", "p"],
            colorbar_title="∂p/∂x",
        )
    )
    bars_x, bars_p, heat = spec["data"]
    assert np.allclose(bars_x["y"], x) and np.allclose(bars_p["y"], p)
    assert np.allclose(heat["z"], J)
    assert heat["zmin"] == -heat["zmax"]  # diverging scale centred at 0
    assert bars_p["marker"]["color"][0] != bars_p["marker"]["color"][1]  # the winner stands out
    assert [a["text"] for a in spec["layout"]["annotations"]] == [
        "<b>a</b>",
        "<b>b</b>",
        "<b>c</b>",
    ]


def test_temperature_figure_marks_the_current_tau_and_names_the_limits():
    x = np.array([3.0, 3.0, 1.0])
    taus = np.geomspace(0.01, 100, 50)
    P = softmax(x[None, :] / taus[:, None])
    H = entropy(P)
    spec = validated_spec(
        fig_softmax.temperature(
            taus,
            H,
            P,
            tau=2.0,
            h_now=float(entropy(softmax(x, tau=2.0))),
            h_low=float(np.log(2)),
            h_high=float(np.log(3)),
            labels=["x1", "x2", "x3"],
            low_label="cold",
            high_label="hot",
            now_label="now",
            titles=["H", "p"],
            x_title="τ",
            y_titles=["H", "p"],
        )
    )
    curve, marker, limits, *weights = spec["data"]
    assert np.allclose(curve["y"], H)
    assert marker["x"] == [2.0] and marker["y"][0] == pytest.approx(entropy(softmax(x, tau=2.0)))
    assert limits["text"] == ["cold", "hot"]
    assert len(weights) == 3 and np.allclose(weights[2]["y"], P[:, 2])
    levels = sorted(s["y0"] for s in spec["layout"]["shapes"] if s["y0"] == s["y1"])
    assert levels == pytest.approx([np.log(2), np.log(3)])
    assert spec["layout"]["xaxis"]["type"] == "log"


def test_histograms_are_densities_with_the_right_normal_curves():
    raw = np.random.default_rng(0).normal(0, 8, 4000)  # like q·k at d = 64
    spec = validated_spec(
        fig_softmax.histograms(
            raw, 64, titles=["a", "b"], x_titles=["qk", "qk/8"], y_title="density",
            normal_labels=["N(0, 64)", "N(0, 1)"],
        )
    )  # fmt: skip
    bars, normal, bars_scaled, normal_scaled = spec["data"]
    width = bars["width"]
    assert sum(bars["y"]) * width == pytest.approx(1.0)  # a density: area 1
    assert max(normal["y"]) == pytest.approx(1 / np.sqrt(2 * np.pi * 64), rel=1e-3)
    assert max(normal_scaled["y"]) == pytest.approx(1 / np.sqrt(2 * np.pi), rel=1e-3)
    assert bars_scaled["xaxis"] == "x2"


def test_versus_d_shares_one_legend_entry_per_series():
    d = np.array([1.0, 2, 4, 8])
    a, b = np.array([1.0, 2, 4, 8]), np.ones(4)
    spec = validated_spec(
        fig_softmax.versus_d(
            d,
            [[("raw", a), ("scaled", b)], [("raw", a / 8), ("scaled", b / 2)]],
            [[("d", d)], []],
            d_now=4,
            titles=["v", "w"],
            x_title="d",
            y_titles=["v", "w"],
            log_y=[True, False],
            y_ranges=[None, (0.0, 1.05)],
        )
    )
    shown = [t["name"] for t in spec["data"] if t.get("showlegend", True)]
    assert shown == ["raw", "scaled", "d"]
    assert spec["layout"]["yaxis"]["type"] == "log" and spec["layout"]["yaxis2"]["range"] == [
        0,
        1.05,
    ]
    assert [s["x0"] for s in spec["layout"]["shapes"]] == [4, 4]  # d marked on both panels
