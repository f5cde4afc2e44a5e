"""Softmax page: typed scores, presets, temperature, the √d experiment, hostile links."""

from __future__ import annotations

import numpy as np
import pytest

from attn_core import entropy, softmax, softmax_jacobian
from attn_core.scaling import dot_product_experiment
from tests.app.conftest import assert_ok, assert_refused, open_page
from tests.helpers import chart, chart_keys, link, link_params, move
from ui.i18n import catalog

PAGE = "app_pages/softmax/page.py"
D_GRID = [float(2**i) for i in range(11)]
TEXT = "softmax._x_text"


def open_softmax(query: dict[str, str] | None = None, lang: str = "en"):
    return open_page(PAGE, query=query, lang=lang)


def main_figure(at) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The scores, weights and Jacobian the page drew."""
    x, p, J = chart(at, "softmax.fig.main")["data"]
    return np.asarray(x["y"]), np.asarray(p["y"]), np.asarray(J["z"])


def metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_renders_and_every_control_works_in_both_languages(lang):
    at = open_softmax(lang=lang)
    assert_ok(at)
    assert at.title[0].value == catalog(lang)["softmax.title"]
    assert len(at.get("plotly_chart")) == 4
    labels = [w.label for w in (*at.button, *at.text_input, *at.select_slider, *at.slider)]
    assert not [x for x in labels if x.startswith("softmax.")]  # every label translated
    at.text_input(key=TEXT).set_value("3, 1, 0").run()
    move(at, "softmax", tau=0.5, d=256.0, n=600, keys=4, seed=7)
    assert_ok(at)
    x, p, _ = main_figure(at)
    assert np.allclose(x, [3, 1, 0]) and np.allclose(p, softmax([3.0, 1.0, 0.0], tau=0.5))
    for part in ("x=3,1,0", "tau=0.5", "d=256", "n=600", "keys=4", "seed=7"):
        assert part in link(at)
    at.button(key="softmax._preset.b8").click().run()
    assert at.text_input(key=TEXT).value == "8.75, 3.75"
    at.button(key="softmax._reset").click().run()
    assert_ok(at)
    assert at.session_state["softmax.x"] == (2.0, 1.0, 0.5, 0.0, -1.0)


def test_displayed_numbers_are_the_cores():
    at = open_softmax({"x": "51,49", "tau": "1"})
    assert_ok(at)
    _, p, J = main_figure(at)
    expected = softmax([51.0, 49.0])
    assert np.allclose(p, expected) and p[0] == pytest.approx(0.8808, abs=1e-4)
    assert np.allclose(J, softmax_jacobian(expected))
    assert metric(at, "Largest weight (p1)") == f"{expected[0]:.4f}"
    assert metric(at, "Entropy") == f"{entropy(expected):.4f}"
    assert metric(at, "‖∂p/∂x‖") == f"{np.linalg.norm(softmax_jacobian(expected)):.4g}"
    assert at.latex[1].value.strip("$\n").endswith(f"= {expected[0]:.4f}")


def test_temperature_divides_the_scores_and_the_jacobian():
    at = open_softmax({"x": "2,1,0.5,0,-1", "tau": "5"})
    _, p, J = main_figure(at)
    expected = softmax([2.0, 1.0, 0.5, 0.0, -1.0], tau=5.0)
    assert np.allclose(p, expected)
    assert np.allclose(J, softmax_jacobian(expected) / 5.0)
    spec = chart(at, "softmax.fig.temperature")
    marker = spec["data"][1]
    assert marker["x"] == [5.0] and marker["y"][0] == pytest.approx(entropy(expected))
    assert spec["data"][2]["text"][1].startswith("τ → ∞")  # the hot limit named on the figure


def test_every_preset_and_reset_loads_its_scores():
    at = open_softmax()
    expected = {
        "a": (51.0, 49.0),
        "b": (70.0, 30.0),
        "a8": (6.375, 6.125),
        "b8": (8.75, 3.75),
        "tie": (2.0, 2.0, 0.0, -1.0),
        "example": (2.0, 1.0, 0.5, 0.0, -1.0),
    }
    for name, vector in expected.items():
        at.button(key=f"softmax._preset.{name}").click().run()
        assert_ok(at)
        assert at.session_state["softmax.x"] == vector
        assert np.allclose(main_figure(at)[0], vector)
    at.select_slider(key="softmax.tau").set_value(20.0).run()
    at.button(key="softmax._preset.b").click().run()
    at.button(key="softmax._reset").click().run()
    assert at.session_state["softmax.x"] == expected["example"]
    assert at.session_state["softmax.tau"] == 1.0
    assert at.text_input(key=TEXT).value == "2, 1, 0.5, 0, -1"


def test_ties_name_the_shared_cold_limit():
    at = open_softmax({"x": "2,2,0,-1"})
    spec = chart(at, "softmax.fig.temperature")
    assert "2" in spec["data"][2]["text"][0] and "ln 2" in spec["data"][2]["text"][0]
    at = open_softmax({"x": "1,1,1"})
    assert at.info and catalog("en")["softmax.temp.all_equal"] in at.info[0].value


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("1, x", "softmax.input.not_number"),
        ("7", "softmax.input.too_few"),
        (",".join(["1"] * 13), "softmax.input.too_many"),
        ("1/0, 2", "softmax.input.not_finite"),
        ("", "softmax.input.empty"),
    ],
)
def test_bad_text_keeps_the_last_good_scores(text, key):
    at = open_softmax({"x": "3,1"})
    at.text_input(key=TEXT).set_value(text).run()
    assert_ok(at)
    assert at.session_state["softmax.x"] == (3.0, 1.0)
    assert np.allclose(main_figure(at)[0], [3, 1])
    message = at.error[0].value
    assert catalog("en")[key].split("{")[0] in message and "3, 1" in message


def test_script_in_the_text_box_is_shown_escaped():
    at = open_softmax()
    at.text_input(key=TEXT).set_value("1, <b>x</b>").run()
    assert_ok(at)
    assert "<b>" not in at.error[0].value and "\\<b\\>" in at.error[0].value


def test_huge_typed_scores_are_clipped_with_a_warning():
    at = open_softmax()
    at.text_input(key=TEXT).set_value("5000, 0").run()
    assert at.session_state["softmax.x"] == (1000.0, 0.0)
    assert at.warning and "1000" in at.warning[0].value


def test_seed_example_table_is_computed():
    at = open_softmax()
    table = at.table[0].value
    weights = table[catalog("en")["softmax.seed.col.weights"]].tolist()
    assert weights[0] == "0.8808, 0.1192"  # not the 0.51, 0.49 one might guess
    assert weights[1].endswith(f"{softmax([70.0, 30.0])[1]:.3e}")
    assert weights[2] == "0.5622, 0.4378" and weights[3] == "0.9933, 0.006693"


def test_variance_experiment_shows_the_cores_numbers():
    at = open_softmax({"d": "256", "n": "800", "keys": "4", "seed": "3"})
    assert_ok(at)
    e = dot_product_experiment(D_GRID, 800, 4, 3)
    g = D_GRID.index(256.0)
    assert metric(at, "Largest weight, unscaled") == f"{e.max_weight[g]:.3f}"
    assert metric(at, "Largest weight, scaled") == f"{e.scaled_max_weight[g]:.3f}"
    assert metric(at, "Jacobian norm, unscaled") == f"{e.jacobian_norm[g]:.3g}"
    assert metric(at, "Jacobian norm, scaled") == f"{e.scaled_jacobian_norm[g]:.3g}"
    curves = chart(at, "softmax.fig.versus_d")["data"]
    assert np.allclose(curves[0]["y"], e.variance) and np.allclose(
        curves[1]["y"], e.scaled_variance
    )
    hist = chart(at, "softmax.fig.histograms")
    assert f"{e.variance[g]:.3g}" in str(hist["layout"]["annotations"][0]["text"])
    assert any(f"{e.variance[g]:.4g}"[:5] in lx.value for lx in at.latex)


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"x": "<script>alert(1)</script>"}, "x"),
        ({"x": ",".join(["1"] * 10_000)}, "x"),  # a 10,000-entry vector
        ({"x": "nan,1"}, "x"),
        ({"x": "1e9,0"}, "x"),
        ({"tau": "1e999"}, "tau"),
        ({"tau": "NaN"}, "tau"),
        ({"tau": "0.0123"}, "tau"),  # between the slider's steps
        ({"d": "3"}, "d"),
        ({"d": "1e6"}, "d"),
        ({"n": "1e9"}, "n"),  # N = 10⁹
        ({"n": "text"}, "n"),
        ({"keys": "1"}, "keys"),
        ({"seed": "-5"}, "seed"),
    ],
)
def test_hostile_link_values_are_clamped_with_a_notice(query, param):
    assert_refused(open_softmax(query), param)


def test_pair_cap_is_stated_and_applied():
    at = open_softmax({"n": "1e9"})
    assert at.session_state["softmax.n"] == 20_000
    assert "20,000" in at.number_input(key="softmax.n").label


# --- predict, then reveal ---------------------------------------------------------------------


def test_guess_first_hides_the_weights_until_revealed_and_scores_the_guess():
    at = open_softmax({"x": "2,1,0", "tau": "1"})
    at.toggle(key="softmax.guess").set_value(True).run()
    assert_ok(at)
    assert "softmax.fig.main" not in chart_keys(at)  # the answer is hidden …
    assert "softmax.fig.temperature" not in chart_keys(at)  # … and so are the curves
    for i, share in enumerate((6.0, 3.0, 1.0)):
        at.slider(key=f"softmax._guess_share{i}").set_value(share)
    at.run()
    assert link_params(at)["g"] == "6,3,1" and link_params(at)["guess"] == "1"
    at.button(key="softmax._guess_reveal").click().run()
    assert_ok(at)
    assert "softmax.fig.main" in chart_keys(at) and "softmax.fig.guess" in chart_keys(at)
    p = softmax(np.array([2.0, 1.0, 0.0]))
    tv = 0.5 * np.abs(np.array([0.6, 0.3, 0.1]) - p).sum()
    assert [m.value for m in at.metric if m.label == "Total-variation distance"] == [f"{tv:.3f}"]
    assert f"{p[0] / p[1]:.4g}" in " ".join(m.value for m in at.markdown)  # why: e^(gap/τ)
    assert link_params(at)["rev"] == "1"


def test_a_shared_guess_link_poses_the_same_question_and_reveal():
    at = open_softmax({"x": "2,1,0", "guess": "1", "g": "1,1,8"})
    assert_ok(at)
    assert "softmax.fig.main" not in chart_keys(at)
    assert [at.slider(key=f"softmax._guess_share{i}").value for i in range(3)] == [1.0, 1.0, 8.0]
    revealed = open_softmax({"x": "2,1,0", "guess": "1", "g": "1,1,8", "rev": "1"})
    p = softmax(np.array([2.0, 1.0, 0.0]))
    tv = 0.5 * np.abs(np.array([0.1, 0.1, 0.8]) - p).sum()
    assert [m.value for m in revealed.metric if m.label == "Total-variation distance"] == [
        f"{tv:.3f}"
    ]


@pytest.mark.parametrize("g", ["1,2", "1,2,3,4", "-1,2,3", "0,0,0", "99,1,1"])
def test_a_guess_that_does_not_fit_is_dropped_with_a_notice(g):
    at = open_softmax({"x": "2,1,0", "guess": "1", "g": g})
    assert_ok(at)
    assert "softmax.fig.main" not in chart_keys(at)
    assert any("no longer fits" in w.value or "`g`" in w.value for w in at.warning), [
        w.value for w in at.warning
    ]
    assert link_params(at).get("g", "") != g


def test_the_why_of_scores_far_apart_gives_the_ratio_as_a_power_of_ten():
    at = open_softmax({"x": "1000,-1000", "guess": "1", "g": "1,1", "rev": "1"})
    assert_ok(at)
    why = [m.value for m in at.markdown if "x1 leads x2" in m.value]
    assert len(why) == 1 and "10^869" in why[0]  # e^(2000/1) = 10^868.6, not "inf"
