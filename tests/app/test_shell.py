"""The frame around every page: language, presentation mode, share link, hostile URLs."""

import pytest

from tests.app.conftest import assert_ok, open_page
from tests.helpers import link
from ui.i18n import catalog


def test_default_language_is_english_and_switches_to_chinese():
    at = open_page()
    assert_ok(at)
    assert at.title[0].value == catalog("en")["overview.title"]
    at.session_state["app.lang"] = "zh"
    at.run()
    assert at.title[0].value == catalog("zh")["overview.title"]
    assert "lang=zh" in link(at)


def test_language_from_the_url():
    at = open_page(lang="zh")
    assert at.title[0].value == catalog("zh")["overview.title"]


def test_presentation_mode_folds_explanations_and_is_shared():
    at = open_page()
    n_plain = len(at.expander)
    at.sidebar.toggle[0].set_value(True).run()
    assert_ok(at)
    assert len(at.expander) > n_plain
    assert "pres=1" in link(at)


def test_share_link_carries_every_changed_control():
    at = open_page(query={"tau": "2", "intent": "read"})
    shared = link(at)
    assert "tau=2" in shared and "intent=read" in shared and "v=1" in shared


@pytest.mark.parametrize(
    "query",
    [
        {"lang": "<script>alert(1)</script>"},
        {"pres": "maybe"},
        {"tau": "1e999"},
        {"tau": "nan"},
        {"tau": "-5"},
        {"sweet": "x" * 30000},
        {"intent": "'; DROP TABLE"},
        {"v": "999"},
    ],
)
def test_hostile_url_values_are_dropped_with_a_notice(query):
    at = open_page(query=query)
    assert_ok(at)
    shared = link(at)
    assert "<script>" not in shared and "DROP" not in shared and "1e999" not in shared


def test_out_of_range_value_is_clamped_and_said():
    at = open_page(query={"sweet": "50"})
    assert_ok(at)
    assert at.session_state["overview.sweet"] == 2.0
    assert any("sweet" in w.value for w in at.warning)
