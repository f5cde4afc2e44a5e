"""Alignment page: global vs local-m vs local-p, the t × position maps, soft vs hard, bad links."""

from __future__ import annotations

import numpy as np
import pytest

from app_pages.alignment.data import make_toy
from attn_core import global_weights, hard_attention, local_weights, predicted_position
from tests.app.conftest import assert_ok, assert_refused, open_page
from tests.helpers import chart, chart_keys, link, move
from ui.i18n import catalog

PAGE = "app_pages/alignment/page.py"


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
        local_weights(toy.scores, np.arange(S), D, mode="local-m").weights[t],
        local_weights(toy.scores, p, D, mode="local-p").weights[t],
    ]


def by_hand(scores_t: np.ndarray, p_t: float, D: int) -> tuple[np.ndarray, np.ndarray]:
    """Luong's local-m and local-p weights of one step from the paper's formulas, without the
    core: the softmax of the scores in [p_t − D, p_t + D] (cut at the ends), and that times
    exp(−(s − p_t)² / (2σ²)), σ = D/2."""
    S = scores_t.size
    lo, hi = max(0, int(np.ceil(p_t - D))), min(S - 1, int(np.floor(p_t + D)))
    e = np.exp(scores_t[lo : hi + 1] - scores_t[lo : hi + 1].max())
    window_softmax = np.zeros(S)
    window_softmax[lo : hi + 1] = e / e.sum()
    gaussian = np.exp(-((np.arange(S) - p_t) ** 2) / (2 * (D / 2) ** 2))
    return window_softmax, window_softmax * gaussian


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_renders_and_every_control_works_in_both_languages(lang):
    at = open_alignment(lang=lang)
    assert_ok(at)
    assert at.title[0].value == catalog(lang)["alignment.title"]
    assert len(at.get("plotly_chart")) == 3
    labels = [w.label for w in (*at.button, *at.slider, *at.select_slider, *at.radio)]
    labels += [o for r in at.radio for o in r.options]
    assert not [x for x in labels if x.startswith("alignment.")]  # every label translated
    move(at, "alignment", S=24, shift=-2, seed=5, t=7, D=3, pmode="slider", p=6.5)  # setup
    move(at, "alignment", sample="local_p", N=5000.0, sseed=2)  # hard attention's sampling
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
    assert f"{want[2].sum():.3f}" in titles[2]  # local-p is not renormalised
    p = predicted_position(toy.target, toy.W_p, toy.v_p, 30)[10]
    assert any(lx.value.strip("$\n").endswith(f"= {p:.2f}") for lx in at.latex)
    toy_maps = [
        global_weights(toy.scores),
        local_weights(toy.scores, np.arange(30), 4, mode="local-m").weights,
        local_weights(
            toy.scores, predicted_position(toy.target, toy.W_p, toy.v_p, 30), 4, mode="local-p"
        ).weights,
    ]
    hits = [f"{np.mean(m.argmax(axis=1) == toy.aligned):.0%}" for m in toy_maps]
    sentence = catalog("en")["alignment.maps.hits"].format(
        **dict(zip(("global", "local_m", "local_p"), hits, strict=True))
    )
    assert any(c.value == sentence for c in at.caption)


@pytest.mark.parametrize(
    ("S", "t", "D"),
    [(30, 10, 4), (30, 0, 3), (30, 29, 5), (12, 4, 12)],  # middle, both edges, wider than S
)
def test_local_m_on_the_page_is_a_window_softmax_that_sums_to_one(S, t, D):
    at = open_alignment({"S": str(S), "t": str(t), "D": str(D)})
    assert_ok(at)
    toy = make_toy(S, 3, 0)
    local_m = bars(at)[1]
    window_softmax, _ = by_hand(toy.scores[t], t, D)
    np.testing.assert_allclose(local_m, window_softmax, atol=1e-12)
    inside = np.abs(np.arange(S) - t) <= D
    assert local_m[inside].sum() == pytest.approx(1.0, abs=1e-12)  # the window sums to 1
    assert (local_m[~inside] == 0).all()
    titles = [a["text"] for a in chart(at, "alignment.fig.weights")["layout"]["annotations"]]
    assert "(sum 1.000)" in titles[1]
    assert any(lx.value.strip("$\n").endswith("a_t(s) = 1.000") for lx in at.latex)
    says = catalog("en")["alignment.formula.local_m"].format(t=t)
    assert any(m.value.endswith(says) for m in at.markdown)
    maps = chart(at, "alignment.fig.maps")["data"]
    if maps[1]["type"] == "heatmap":
        np.testing.assert_allclose(np.asarray(maps[1]["z"]).sum(axis=1), 1.0)  # every row


@pytest.mark.parametrize("query", [{}, {"pmode": "slider", "p": "2.5", "t": "1", "D": "3"}])
def test_local_p_on_the_page_is_the_window_softmax_times_the_gaussian(query):
    at = open_alignment(query)
    assert_ok(at)
    toy = make_toy(30, 3, 0)
    t = int(query.get("t", 10))
    D = int(query.get("D", 4))
    x = float(toy.v_p @ np.tanh(toy.W_p @ toy.target[t]))  # v_pᵀ tanh(W_p h_t)
    p_t = float(query["p"]) if "p" in query else 30 / (1 + np.exp(-x))  # S · sigmoid(…)
    _, want = by_hand(toy.scores[t], p_t, D)
    local_p = bars(at)[2]
    np.testing.assert_allclose(local_p, want, atol=1e-12)
    assert local_p.sum() < 0.99  # not renormalised
    titles = [a["text"] for a in chart(at, "alignment.fig.weights")["layout"]["annotations"]]
    assert f"(sum {want.sum():.3f})" in titles[2]
    gauss = [
        d for d in chart(at, "alignment.fig.weights")["data"] if d.get("legendgroup") == "gauss"
    ]
    assert len(gauss) == 1 and gauss[0]["xaxis"] == "x3"  # only local-p has a Gaussian
    assert "σ = " + f"{D / 2:g}" in gauss[0]["name"]


def test_untrained_caption_quotes_the_predicted_range():
    at = open_alignment()
    toy = make_toy(30, 3, 0)
    p = predicted_position(toy.target, toy.W_p, toy.v_p, 30)
    sentence = catalog("en")["alignment.caption.untrained"].format(
        lo=f"{p.min():.1f}", hi=f"{p.max():.1f}", a_lo=toy.aligned.min(), a_hi=toy.aligned.max()
    )
    shown = [c.value for c in at.caption if c.value == sentence]
    assert len(shown) == 1 and f"{p.min():.1f}" in shown[0] and f"{p.max():.1f}" in shown[0]


def test_maps_show_every_step_with_the_row_outlined():
    at = open_alignment({"S": "12", "t": "4", "D": "2", "shift": "0"})
    spec = chart(at, "alignment.fig.maps")
    toy = make_toy(12, 0, 0)
    assert np.allclose(spec["data"][0]["z"], global_weights(toy.scores))
    lm = local_weights(toy.scores, np.arange(12), 2, mode="local-m").weights
    assert np.allclose(spec["data"][1]["z"], lm)
    assert np.all(lm[np.abs(np.arange(12)[:, None] - np.arange(12)) > 2] == 0)  # a band
    assert [s["y0"] for s in spec["layout"]["shapes"]] == [3.5, 3.5, 3.5]
    assert "texttemplate" in spec["data"][0]  # 12 positions: numbers on the cells


def test_two_hundred_positions_are_drawn_as_images():
    at = open_alignment({"S": "200", "t": "150", "D": "20"})
    assert_ok(at)
    assert [d["type"] for d in chart(at, "alignment.fig.maps")["data"][:3]] == ["image"] * 3


@pytest.mark.parametrize("variant", ["local_m", "local_p"])
def test_hard_samples_match_the_core_and_the_error_is_shown(variant):
    query = {"S": "30", "t": "10", "sample": variant, "N": "2000", "sseed": "4"}
    at = open_alignment(query)
    assert_ok(at)
    _, want = expected(30, 3, 0, 10, 4)
    w = want[1] if variant == "local_m" else want[2]
    a = w / w.sum()  # local-p renormalised before sampling; local-m already sums to 1
    r = hard_attention(a, make_toy(30, 3, 0).values, 2000, seed=4)
    hist = chart(at, "alignment.fig.hard")["data"]
    assert np.allclose(hist[0]["y"], np.bincount(r.positions, minlength=30) / 2000)
    assert np.allclose(hist[1]["y"], a)
    labels = catalog("en")
    values = {m.label: m.value for m in at.metric}
    assert values[labels["alignment.metric.error"].format(n="2,000")] == f"{r.error[-1]:.4f}"
    assert values[labels["alignment.metric.rms"].format(n="2,000")] == f"{r.expected_error[-1]:.4f}"
    note = labels["alignment.hard.renormalised"].format(total=f"{want[2].sum():.3f}")
    assert any(c.value == note for c in at.caption) == (variant == "local_p")
    if variant == "local_m":
        assert np.array_equal(hist[1]["y"], want[1])  # drawn from as they are


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
    assert_refused(open_alignment(query), param)


def test_sample_cap_is_stated_and_applied():
    at = open_alignment({"N": "1e9"})
    assert at.session_state["alignment.N"] == 100_000.0
    assert "100,000" in at.select_slider(key="alignment.N").label


def test_presentation_mode_shows_one_section_and_next_moves_on():
    labels = catalog("en")
    at = open_alignment({"pres": "1", "t": "7"})
    assert_ok(at)
    assert [h.value for h in at.header] == [labels["alignment.setup.title"]]
    assert at.get("plotly_chart") == []  # the setup section has no figure
    at.button(key="alignment._sec_next").click().run()
    assert_ok(at)
    assert [h.value for h in at.header] == [labels["alignment.compare.title"].format(t=7)]
    assert len(at.get("plotly_chart")) == 1
    assert "sec=2" in link(at)
    _, want = expected(30, 3, 0, 7, 4)
    for got, exp in zip(bars(at), want, strict=True):  # drawn from the bound state alone
        assert np.allclose(got, exp)
    at = open_alignment({"pres": "1", "sec": "4", "sample": "local_m", "N": "500"})
    assert_ok(at)
    assert [h.value for h in at.header] == [labels["alignment.hard.title"].format(t=10)]
    assert chart_keys(at) == ["alignment.fig.hard"]
