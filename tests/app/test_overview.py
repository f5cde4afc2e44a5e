"""Overview page: the three steps on a live toy, the two kinds of cue, the map."""

import numpy as np
import pytest

from attn_core import softmax
from tests.app.conftest import assert_ok, open_page
from tests.helpers import chart, link
from ui.i18n import catalog

FRUIT_KEYS = np.array([[0.7, 0.3], [0.1, 0.9], [0.9, 0.1], [0.6, 0.5]])
SUGAR = np.array([10.0, 2.5, 14.0, 16.0])


def bar_values(at, key: str) -> np.ndarray:
    return np.array(chart(at, key, raw=True)["data"][0]["y"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_renders_in_both_languages(lang):
    at = open_page(lang=lang)
    assert_ok(at)
    assert at.title[0].value == catalog(lang)["overview.title"]
    assert len(at.get("plotly_chart")) == 3


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
