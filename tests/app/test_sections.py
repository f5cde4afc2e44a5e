"""Sections as fragments, on every page built with ``ui.sections``: all sections drawn in order,
one at a time in presentation mode with Previous / Next and the section in the link."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import assert_ok, open_page
from tests.helpers import link_params
from ui.navigation import ROOT, available
from ui.sections import SHOW_RUNS_ENV

PAGES = [p for p in available() if "sections.show(" in (ROOT / p.path).read_text("utf-8")]


def runs(at) -> list[str]:
    """The sections drawn by the last run, in order (the test build's run captions)."""
    return [c.value.split(" · ")[1] for c in at.caption if c.value.startswith("runs · ")]


@pytest.fixture(autouse=True)
def _show_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SHOW_RUNS_ENV, "1")


def test_the_pages_are_built_with_sections():
    assert any(p.ns == "softmax" for p in PAGES)


@pytest.mark.parametrize("info", PAGES, ids=lambda p: p.ns)
def test_every_section_is_drawn_once_in_order(info):
    at = open_page(info.path)
    assert_ok(at)
    drawn = runs(at)
    assert len(drawn) == at.session_state["_sections.count"][info.ns] >= 2
    assert len(set(drawn)) == len(drawn)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("info", PAGES, ids=lambda p: p.ns)
def test_presentation_mode_shows_one_section_and_next_moves_on(info, lang):
    at = open_page(info.path, {"pres": "1"}, lang=lang)
    assert_ok(at)
    assert len(at.expander) >= 3  # the section's explanations and controls folded
    first = runs(at)
    assert len(first) == 1
    n = at.session_state["_sections.count"][info.ns]
    assert at.button(key=f"{info.ns}._sec_prev").disabled  # nothing before the first
    at.button(key=f"{info.ns}._sec_next").click().run()
    assert_ok(at)
    second = runs(at)
    assert len(second) == 1 and second != first
    assert link_params(at)["sec"] == "2"
    reopened = open_page(info.path, {**link_params(at)}, lang=lang)
    assert runs(reopened) == second
    last = open_page(info.path, {"pres": "1", "sec": str(n)}, lang=lang)
    assert_ok(last)
    assert len(runs(last)) == 1 and runs(last) != first
    assert at.button(key=f"{info.ns}._sec_next").disabled is False
    assert last.button(key=f"{info.ns}._sec_next").disabled  # nothing after the last


@pytest.mark.parametrize("info", PAGES, ids=lambda p: p.ns)
@pytest.mark.parametrize("raw", ["999", "-3", "x", "1.5"])
def test_a_hostile_section_number_is_refused_with_a_notice(info, raw):
    at = open_page(info.path, {"pres": "1", "sec": raw})
    assert_ok(at)
    assert len(runs(at)) == 1
    assert any("`sec`" in w.value for w in at.warning), [w.value for w in at.warning]


def test_a_parameter_bound_in_a_later_section_survives_the_first_groups_run():
    # the first group's run must not rewrite the URL before the second section reads it
    at = AppTest.from_file(str(Path(__file__).with_name("late_bound_app.py")))
    at.query_params = {"late": "5"}
    at.run()
    assert not at.exception
    assert "late = 5" in [m.value for m in at.markdown]
    assert link_params(at)["late"] == "5"
