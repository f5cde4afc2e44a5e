"""Overview page: the three steps on a live toy, the two kinds of cue, the map."""

import numpy as np
import pytest

from attn_core import softmax
from tests.app.conftest import assert_ok, open_page
from tests.helpers import array, chart, link, link_params
from ui import formulas
from ui.i18n import catalog

WALK_STEPS = ("scores", "scale", "mask", "softmax", "sum")
FRUIT_KEYS = np.array([[0.7, 0.3], [0.1, 0.9], [0.9, 0.1], [0.6, 0.5]])
SUGAR = np.array([10.0, 2.5, 14.0, 16.0])


def bar_values(at, key: str) -> np.ndarray:
    return np.array(chart(at, key, raw=True)["data"][0]["y"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_renders_in_both_languages(lang):
    at = open_page(lang=lang)
    assert_ok(at)
    assert at.title[0].value == catalog(lang)["overview.title"]
    assert len(at.get("plotly_chart")) == 4  # steps, plane, the step-through, cues


def test_weights_follow_the_query_and_temperature():
    at = open_page(query={"sweet": "0", "sour": "2", "tau": "0.5"})
    assert_ok(at)
    q = np.array([0.0, 2.0])
    expected = softmax(FRUIT_KEYS @ q, tau=0.5)
    context = float(expected @ SUGAR)
    assert any(f"{context:.2f}" in str(c.proto.spec) for c in at.get("plotly_chart"))
    # the formula shows the weight of the focused fruit, computed the same way
    assert any(f"{expected[0]:.3f}" in lx.value for lx in at.latex)


def test_every_control_changes_the_state():
    at = open_page()
    at.slider(key="overview.sweet").set_value(-1.0).run()
    at.slider(key="overview.sour").set_value(1.5).run()
    at.select_slider(key="overview.tau").set_value(5.0).run()
    at.selectbox(key="overview.focus").set_value("lemon").run()
    assert_ok(at)
    for part in ("sweet=-1", "sour=1.5", "tau=5", "focus=lemon"):
        assert part in link(at)
    lemon = softmax(FRUIT_KEYS @ np.array([-1.0, 1.5]), tau=5.0)[1]
    assert any(f"{lemon:.3f}" in lx.value for lx in at.latex)


@pytest.mark.parametrize(
    ("intent", "winner"),
    [("none", "cup"), ("read", "book"), ("drink", "cup"), ("write", "pen")],
)
def test_cue_toy_picks_the_salient_or_the_matching_item(intent, winner):
    at = open_page(query={"intent": intent})
    assert_ok(at)
    assert catalog("en")[f"overview.desk.{winner}"] in at.success[0].value


def test_map_links_every_other_page():
    from ui.navigation import available

    at = open_page()
    assert len(at.get("page_link")) == len(available()) - 1


# --- the step-through: one query, five steps ----------------------------------------------------
WALK_Q = np.array([[1.0, 0.2], [0.4, 1.2], [1.5, 0.5], [0.3, 1.0]])
WALK_K = np.array([[1.2, 0.1], [0.2, 1.0], [1.0, 0.8], [0.5, 1.5]])
WALK_V = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [1.0, 3.0]])


def by_hand(i: int, causal: bool) -> dict[str, np.ndarray]:
    """Query ``i``'s numbers in plain NumPy, independent of attn_core."""
    s = WALK_K @ WALK_Q[i]  # (4,)
    scaled = s / np.sqrt(2.0)
    allowed = np.arange(4) <= i if causal else np.ones(4, dtype=bool)
    e = np.where(allowed, np.exp(scaled), 0.0)
    a = e / e.sum()
    return {"s": s, "scaled": scaled, "allowed": allowed, "a": a, "o": a @ WALK_V}


def walk_latex(at) -> str:
    return " ".join(lx.value for lx in at.latex)


def walk_cells(at) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """The step figure's outlined and veiled cells, as (row, column)."""
    shapes = chart(at, "overview.walk", raw=True)["layout"]["shapes"]
    out, veiled = set(), set()
    for sh in shapes:
        cell = (round(sh["y0"] + 0.5), round(sh["x0"] + 0.5))
        (veiled if sh.get("fillcolor") else out).add(cell)
    return out, veiled


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("token", "causal"), [("t3", "1"), ("t2", "0"), ("t4", "1")])
def test_each_step_writes_its_numbers_and_outlines_the_cells_it_uses(lang, token, causal):
    i = int(token[1]) - 1
    want = by_hand(i, causal == "1")
    labels = [catalog(lang)[f"overview.walk.step.{x}"] for x in WALK_STEPS]
    for step in range(1, 6):
        at = open_page(query={"token": token, "causal": causal, "step": str(step)}, lang=lang)
        assert_ok(at)
        assert not at.warning
        bar = catalog(lang)["app.step.of"].format(i=step, n=5)
        assert f"**{bar}** · {labels[step - 1]}" in [m.value for m in at.markdown]
        text = walk_latex(at)
        outlined, veiled = walk_cells(at)
        z = array(chart(at, "overview.walk", raw=True)["data"][0]["z"])
        if step == 1:
            for j in range(4):
                assert formulas.num(want["s"][j]) in text
            assert np.allclose(z[i], want["s"])
            assert outlined == {(i, j) for j in range(4)}
        elif step == 2:
            for j in range(4):
                assert formulas.num(want["scaled"][j]) in text
            assert np.allclose(z[i], want["scaled"])
            assert outlined == {(i, j) for j in range(4)}
        elif step == 3:
            hidden = [j for j in range(4) if not want["allowed"][j]]
            assert text.count(r"-\infty") >= len(hidden) > 0 or not hidden
            assert outlined == {(i, j) for j in range(4) if want["allowed"][j]}
            assert np.isnan(z[i, hidden]).all()
        elif step == 4:
            for j in np.flatnonzero(want["allowed"]):
                assert formulas.num(want["a"][j]) in text
            assert np.allclose(np.nan_to_num(z[i]), want["a"])
            assert outlined == {(i, j) for j in range(4) if want["allowed"][j]}
        else:
            assert formulas.row(want["o"]) in text
            assert np.allclose(z, WALK_V)
            assert outlined == {(j, c) for j in range(4) if want["a"][j] > 0 for c in range(2)}
        assert outlined.isdisjoint(veiled) and len(outlined | veiled) == z.size


def test_next_moves_the_step_and_the_link_carries_it():
    at = open_page(query={"step": "2"})
    at.button(key="overview._step_next").click().run()
    assert_ok(at)
    assert link_params(at)["step"] == "3"
    assert r"-\infty" in walk_latex(at)  # the mask step of the default query (t3, causal)
    at.button(key="overview._step_prev").click().run()
    at.button(key="overview._step_prev").click().run()
    assert "step" not in link_params(at)  # step 1 is the default
    assert at.button(key="overview._step_prev").disabled


@pytest.mark.parametrize(("raw", "step"), [("99", 5), ("-4", 1), ("x", 1), ("2.5", 1)])
def test_a_hostile_step_gets_a_notice_and_a_valid_step(raw, step):
    at = open_page(query={"step": raw})
    assert_ok(at)
    assert any("`step`" in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.session_state["overview.step"] == step
    bar = catalog("en")["app.step.of"].format(i=step, n=5)
    assert any(bar in m.value for m in at.markdown)


def test_presentation_mode_steps_through_the_walkthrough_section():
    at = open_page(query={"pres": "1", "sec": "3", "step": "4"})
    assert_ok(at)
    assert [h.value for h in at.header] == [catalog("en")["overview.walk.title"]]
    at.button(key="overview._step_next").click().run()  # step 5 of 5
    assert_ok(at)
    assert link_params(at)["step"] == "5" and link_params(at)["sec"] == "3"
    assert formulas.row(by_hand(2, True)["o"]) in walk_latex(at)
