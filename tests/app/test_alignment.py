"""Alignment page: global vs local-m vs local-p, the t × position maps, soft vs hard, bad links."""

from __future__ import annotations

import numpy as np
import pytest

from attn_core import global_weights, hard_attention, local_weights, predicted_position
from tests.app.conftest import assert_ok, open_page
from tests.plotly_spec import chart
from ui.alignment_toy import make_toy
from ui.i18n import catalog

PAGE = "app_pages/alignment.py"


def open_alignment(query: dict[str, str] | None = None, lang: str = "en"):
    return open_page(PAGE, query=query, lang=lang)


def bars(at) -> list[np.ndarray]:
    """The weights over positions drawn for global, local-m and local-p."""
    data = chart(at, "alignment.fig.weights")["data"]
    return [np.asarray(d["y"]) for d in data if d["type"] == "bar"]


def expected(S: int, shift: int, seed: int, t: int, D: int, p_t: float | None = None):
    """Global, local-m and local-p weights at step t, straight from the core."""
    toy = make_toy(S, shift, seed)
    p = predicted_position(toy.target, toy.W_p, toy.v_p, S)
    if p_t is not None:
        p[t] = p_t
    return toy, [
        global_weights(toy.scores)[t],
        local_weights(toy.scores, np.arange(S, dtype=float), D).weights[t],
        local_weights(toy.scores, p, D).weights[t],
    ]


def link(at) -> str:
    return at.sidebar.code[0].value


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_renders_and_every_control_works_in_both_languages(lang):
    at = open_alignment(lang=lang)
    assert_ok(at)
    assert at.title[0].value == catalog(lang)["alignment.title"]
    assert len(at.get("plotly_chart")) == 3
    labels = [w.label for w in (*at.button, *at.slider, *at.select_slider, *at.radio)]
    labels += [o for r in at.radio for o in r.options]
    assert not [x for x in labels if x.startswith("alignment.")]  # every label translated
    at.slider(key="alignment.S").set_value(24).run()
    at.slider(key="alignment.shift").set_value(-2).run()
    at.number_input(key="alignment.seed").set_value(5).run()
    at.slider(key="alignment.t").set_value(7).run()
    at.slider(key="alignment.D").set_value(3).run()
    at.radio(key="alignment.pmode").set_value("slider").run()
    at.slider(key="alignment.p").set_value(6.5).run()
    at.radio(key="alignment.sample").set_value("local_p").run()
    at.select_slider(key="alignment.N").set_value(5000.0).run()
    at.number_input(key="alignment.sseed").set_value(2).run()
    at.button[0].click().run()  # new samples: the sampling seed moves on
    assert_ok(at)
    assert at.session_state["alignment.sseed"] == 3
    for part in ("S=24", "shift=-2", "seed=5", "t=7", "D=3", "pmode=slider", "p=6.5"):
        assert part in link(at)
    for part in ("sample=local_p", "N=5000", "sseed=3"):
        assert part in link(at)
    _, want = expected(24, -2, 5, 7, 3, p_t=6.5)
    for got, exp in zip(bars(at), want, strict=True):
        assert np.allclose(got, exp)


def test_displayed_weights_and_numbers_are_the_cores():
    at = open_alignment({"S": "30", "shift": "3", "t": "10", "D": "4"})
    assert_ok(at)
    toy, want = expected(30, 3, 0, 10, 4)
    for got, exp in zip(bars(at), want, strict=True):
        assert np.allclose(got, exp)
    tops = [int(np.argmax(w)) for w in want]
    assert [m.value for m in at.metric[:3]] == [f"s = {s}" for s in tops]
    titles = [a["text"] for a in chart(at, "alignment.fig.weights")["layout"]["annotations"]]
    assert f"{want[1].sum():.3f}" in titles[1]  # local weights are not renormalised
    p = predicted_position(toy.target, toy.W_p, toy.v_p, 30)[10]
    assert any(lx.value.strip("$\n").endswith(f"= {p:.2f}") for lx in at.latex)
    toy_maps = [
        global_weights(toy.scores),
        local_weights(toy.scores, np.arange(30, dtype=float), 4).weights,
        local_weights(toy.scores, predicted_position(toy.target, toy.W_p, toy.v_p, 30), 4).weights,
    ]
    hits = [f"{np.mean(m.argmax(axis=1) == toy.aligned):.0%}" for m in toy_maps]
    sentence = catalog("en")["alignment.maps.hits"].format(
        **dict(zip(("global", "local_m", "local_p"), hits, strict=True))
    )
    assert any(c.value == sentence for c in at.caption)


def test_maps_show_every_step_with_the_row_outlined():
    at = open_alignment({"S": "12", "t": "4", "D": "2", "shift": "0"})
    spec = chart(at, "alignment.fig.maps")
    toy = make_toy(12, 0, 0)
    assert np.allclose(spec["data"][0]["z"], global_weights(toy.scores))
    lm = local_weights(toy.scores, np.arange(12, dtype=float), 2).weights
    assert np.allclose(spec["data"][1]["z"], lm)
    assert np.all(lm[np.abs(np.arange(12)[:, None] - np.arange(12)) > 2] == 0)  # a band
    assert [s["y0"] for s in spec["layout"]["shapes"]] == [3.5, 3.5, 3.5]
    assert "texttemplate" in spec["data"][0]  # 12 positions: numbers on the cells


def test_two_hundred_positions_are_drawn_as_images():
    at = open_alignment({"S": "200", "t": "150", "D": "20"})
    assert_ok(at)
    assert [d["type"] for d in chart(at, "alignment.fig.maps")["data"][:3]] == ["image"] * 3


def test_hard_samples_match_the_core_and_the_error_is_shown():
    query = {"S": "30", "t": "10", "sample": "local_m", "N": "2000", "sseed": "4"}
    at = open_alignment(query)
    assert_ok(at)
    _, want = expected(30, 3, 0, 10, 4)
    a = want[1] / want[1].sum()  # local weights renormalised before sampling
    r = hard_attention(a, make_toy(30, 3, 0).values, 2000, seed=4)
    hist = chart(at, "alignment.fig.hard")["data"]
    assert np.allclose(hist[0]["y"], np.bincount(r.positions, minlength=30) / 2000)
    assert np.allclose(hist[1]["y"], a)
    labels = catalog("en")
    values = {m.label: m.value for m in at.metric}
    assert values[labels["alignment.metric.error"].format(n="2,000")] == f"{r.error[-1]:.4f}"
    assert values[labels["alignment.metric.rms"].format(n="2,000")] == f"{r.expected_error[-1]:.4f}"
    assert any(labels["alignment.hard.renormalised"] in c.value for c in at.caption)


def test_a_smaller_sentence_pulls_t_d_and_p_inside_with_a_message():
    at = open_alignment({"t": "25", "D": "20", "pmode": "slider", "p": "28"})
    at.slider(key="alignment.S").set_value(8).run()
    assert_ok(at)
    assert at.session_state["alignment.t"] == 7
    assert at.session_state["alignment.D"] == 8
    assert at.session_state["alignment.p"] == 7.0
    assert len([w for w in at.warning if "S = 8" in w.value]) == 3


def test_window_wider_than_the_sentence_is_clamped():
    at = open_alignment({"S": "10", "D": "50"})
    assert_ok(at)
    assert at.session_state["alignment.D"] == 10
    assert any("D = 50" in w.value for w in at.warning)


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"S": "abc"}, "S"),
        ({"S": "1e9"}, "S"),
        ({"D": "1000"}, "D"),
        ({"N": "1e9"}, "N"),  # N = 10⁹
        ({"N": "nan"}, "N"),
        ({"p": "nan"}, "p"),
        ({"t": "-3"}, "t"),
        ({"shift": "99"}, "shift"),
        ({"pmode": "<script>alert(1)</script>"}, "pmode"),
        ({"sample": "x" * 30_000}, "sample"),
        ({"sseed": "1.5"}, "sseed"),
    ],
)
def test_hostile_link_values_are_clamped_with_a_notice(query, param):
    at = open_alignment(query)
    assert_ok(at)
    assert any(f"`{param}`" in w.value for w in at.warning), [w.value for w in at.warning]
    assert "<script>" not in link(at)


def test_sample_cap_is_stated_and_applied():
    at = open_alignment({"N": "1e9"})
    assert at.session_state["alignment.N"] == 100_000.0
    assert "100,000" in at.select_slider(key="alignment.N").label


def test_presentation_mode_folds_the_explanations():
    at = open_alignment({"pres": "1"}, lang="zh")
    assert_ok(at)
    assert len(at.expander) >= 4
