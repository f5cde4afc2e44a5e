"""Alignment page in a real browser: the window slider changes the local weights; links reopen."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_app, press_slider


def panel_titles(page: Page) -> list[str]:
    """The titles above the global, local-m and local-p panels (they carry each sum)."""
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    expect(chart.locator(".annotation-text").first).to_be_attached()
    return chart.locator(".annotation-text").all_text_contents()


def share_link(page: Page) -> str:
    return page.locator('[data-testid="stSidebar"] [data-testid="stCode"]').inner_text().strip()


def test_widening_the_window_changes_the_local_weights(page: Page, app_url: str):
    open_app(page, app_url + "/alignment?lang=en")
    before = panel_titles(page)
    press_slider(page, "Window half-width D", "End")  # D = S: the window covers everything
    after = panel_titles(page)
    assert after[0] == before[0]  # global attention has no window
    assert after[1] != before[1] and after[2] != before[2]
    assert "D=30" in share_link(page)


def test_shared_link_reopens_the_same_state(page: Page, app_url: str):
    open_app(page, app_url + "/alignment?lang=en&S=16&t=5&D=2&pmode=slider&p=9.5&N=5000")
    titles = panel_titles(page)
    assert "p_t = 9.5" in page.locator('[data-testid="stPlotlyChart"]').first.inner_text()
    fresh = page.context.new_page()
    open_app(fresh, share_link(page))
    assert panel_titles(fresh) == titles
    for part in ("S=16", "t=5", "D=2", "pmode=slider", "p=9.5", "N=5000"):
        assert part in fresh.url
    fresh.close()


def test_hostile_link_shows_notices_not_an_error(page: Page, app_url: str):
    open_app(page, app_url + "/alignment?lang=en&S=10&D=500&N=1e9&t=%3Cscript%3E")
    expect(page.locator('[data-testid="stAlertContentWarning"]').first).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Alignment")
    assert page.locator('[data-testid="stAlertContentWarning"]').count() >= 3
