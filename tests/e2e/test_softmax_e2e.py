"""Softmax page in a real browser: the temperature slider redraws the bars; links reopen state."""

from __future__ import annotations

import numpy as np
from playwright.sync_api import Page, expect

from attn_core import softmax
from tests.e2e import conftest as e2e

SCORES_BOX = 'input[aria-label^="Scores x"]'


def bar_labels(page: Page) -> list[str]:
    """The numbers written on the bars: the scores, then the weights."""
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    expect(chart.locator(".bartext").first).to_be_attached()
    return chart.locator(".bartext").all_text_contents()


def test_moving_the_temperature_slider_changes_the_bars(page: Page, app_url: str):
    e2e.open_app(page, app_url + "/softmax?lang=en")
    x = np.array([2.0, 1.0, 0.5, 0.0, -1.0])
    assert bar_labels(page)[5:] == [f"{w:.3f}" for w in softmax(x)]
    e2e.press_slider(page, "Temperature τ", "End")  # τ = 100: nearly uniform
    expect(
        page.locator('[data-testid="stPlotlyChart"]').first.locator(".bartext").nth(5)
    ).to_have_text(f"{softmax(x, tau=100.0)[0]:.3f}")
    assert bar_labels(page)[5:] == [f"{w:.3f}" for w in softmax(x, tau=100.0)]
    assert "tau=100" in e2e.share_link(page)


def test_typed_scores_travel_with_the_shared_link(page: Page, app_url: str):
    e2e.open_app(page, app_url + "/softmax?lang=en")
    box = page.locator(SCORES_BOX)
    box.fill("70, 30")
    box.press("Enter")
    e2e.wait_for_app(page)
    expect(
        page.locator('[data-testid="stPlotlyChart"]').first.locator(".bartext").nth(2)
    ).to_have_text("1.000")
    link = e2e.share_link(page)
    assert "x=70,30" in link
    fresh = page.context.new_page()
    e2e.open_app(fresh, link)
    expect(fresh.locator(SCORES_BOX)).to_have_value("70, 30")
    assert bar_labels(fresh) == bar_labels(page)
    fresh.close()


def test_a_typo_shows_an_error_and_keeps_the_bars(page: Page, app_url: str):
    e2e.open_app(page, app_url + "/softmax?lang=en&x=3,1")
    before = bar_labels(page)
    box = page.locator(SCORES_BOX)
    box.fill("3, one")
    box.press("Enter")
    e2e.wait_for_app(page)
    expect(page.locator('[data-testid="stAlertContentError"]').first).to_contain_text("one")
    assert bar_labels(page) == before


def test_a_move_reruns_only_its_section_and_the_link_follows(page: Page, counted_url: str):
    e2e.open_app(page, counted_url + "/softmax?lang=en")
    before = e2e.section_runs(page)
    assert set(before) == {"scores", "temperature", "seed_example", "scaling"}
    e2e.press_slider(page, "Dimension d", "ArrowRight")  # the √d experiment: its own fragment
    assert e2e.reruns_after(page, before) == {"scaling": 1}
    before = e2e.section_runs(page)
    e2e.press_slider(page, "Temperature τ", "End")  # scores and temperature share a fragment
    assert e2e.reruns_after(page, before) == {"scores": 1, "temperature": 1}
    link = e2e.share_link(page)
    assert "tau=100" in link and "d=128" in link
    assert "tau=100" in page.url and "d=128" in page.url  # the browser's address too
    fresh = page.context.new_page()
    e2e.open_app(fresh, link)
    assert bar_labels(fresh) == bar_labels(page)
    expect(
        fresh.locator('[data-testid="stSlider"]').filter(has_text="Dimension d")
    ).to_contain_text("128")
    fresh.close()
