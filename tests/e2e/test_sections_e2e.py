"""Presentation mode in a real browser: one section at a time, moved by the ← → keys and the
buttons, the section in the address; a focused slider keeps its arrow keys."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.e2e.conftest import open_app, section_runs, share_link, wait_for_app


def press(page: Page, key: str) -> dict[str, int]:
    page.keyboard.press(key)
    page.wait_for_timeout(300)
    wait_for_app(page)
    return section_runs(page)


def test_arrow_keys_walk_the_sections_and_the_address_follows(page: Page, counted_url: str):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_app(page, counted_url + "/softmax?lang=en&pres=1")
    assert list(section_runs(page)) == ["scores"]
    assert list(press(page, "ArrowRight")) == ["temperature"]
    assert "sec=2" in page.url and "sec=2" in share_link(page)
    assert list(press(page, "ArrowRight")) == ["seed_example"]
    assert list(press(page, "ArrowLeft")) == ["temperature"]
    page.get_by_role("button", name="Next").click()
    page.wait_for_timeout(300)
    wait_for_app(page)
    assert list(section_runs(page)) == ["seed_example"]
    assert "sec=3" in page.url
    fresh = page.context.new_page()
    open_app(fresh, share_link(page))  # the link reopens the same section
    assert list(section_runs(fresh)) == ["seed_example"]
    fresh.close()


def test_a_focused_slider_keeps_its_arrow_keys(page: Page, counted_url: str):
    open_app(page, counted_url + "/softmax?lang=en&pres=1")
    thumb = page.locator('[data-testid="stSlider"] input[type="range"]').first
    thumb.focus()
    thumb.press("ArrowRight")
    page.wait_for_timeout(300)
    wait_for_app(page)
    assert list(section_runs(page)) == ["scores"]  # still section 1
    assert "tau=" in page.url and "sec=" not in page.url
