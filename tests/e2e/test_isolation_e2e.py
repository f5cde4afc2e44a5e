"""Sessions are isolated: two browsers on one server change different controls and neither
sees the other's values (a classroom: 40 students on one link)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.e2e.conftest import edit_first_cell, open_app, press_slider, share_link, wait_for_app
from ui.i18n import catalog
from ui.navigation import available

EN = catalog("en")


@pytest.fixture
def two_browsers(browser: Browser) -> Iterator[tuple[Page, Page]]:
    contexts: list[BrowserContext] = [browser.new_context(), browser.new_context()]
    try:
        yield contexts[0].new_page(), contexts[1].new_page()
    finally:
        for c in contexts:
            c.close()


def slider_value(page: Page, label: str) -> float:
    slider = page.locator('[data-testid="stSlider"]').filter(has_text=label).first
    thumb = slider.locator('input[type="range"], [role="slider"]').first
    return float(thumb.get_attribute("aria-valuenow") or thumb.input_value())


def test_two_browsers_change_different_controls(two_browsers, app_url: str):
    a, b = two_browsers
    sweet, sour = EN["overview.sweet"], EN["overview.sour"]
    open_app(a, app_url + "/?lang=en")
    open_app(b, app_url + "/?lang=en")
    press_slider(a, sweet, "End")  # a: sweet 1 → 2
    press_slider(b, sour, "Home")  # b: sour 0 → -2
    b.get_by_text(EN["overview.intent.read"], exact=True).click()
    wait_for_app(b)
    # each sees its own change and the other's control untouched
    assert (slider_value(a, sweet), slider_value(a, sour)) == (2.0, 0.0)
    assert (slider_value(b, sweet), slider_value(b, sour)) == (1.0, -2.0)
    link_a, link_b = share_link(a), share_link(b)
    assert "sweet=2" in link_a and "sour=" not in link_a and "intent=" not in link_a
    assert "sour=-2" in link_b and "intent=read" in link_b and "sweet=" not in link_b
    # and after a rerun of the other session, still so
    press_slider(a, sweet, "ArrowLeft")
    assert slider_value(b, sweet) == 1.0 and "sweet=" not in share_link(b)


def wait_for_link(page: Page, part: str) -> None:
    page.wait_for_function(
        '(part) => document.querySelector(\'[data-testid="stSidebar"] [data-testid="stCode"]\')'
        "?.innerText.includes(part)",
        arg=part,
        timeout=20_000,
    )


def test_two_browsers_edit_the_same_matrix_differently(two_browsers, app_url: str):
    """On the first page with a matrix editor: each browser types its own number."""
    a, b = two_browsers
    for info in available():
        open_app(a, f"{app_url}/{info.url_path}?lang=en")
        if a.locator('[data-testid="stDataFrame"] canvas').count():
            break
    else:
        pytest.skip("no page with a matrix editor yet")
    open_app(b, a.url)
    mine, theirs = "8.7", "-6.3"  # on the editor's 0.1 steps
    assert mine not in share_link(a) and theirs not in share_link(b)
    edit_first_cell(a, mine)
    edit_first_cell(b, theirs)
    wait_for_link(a, mine)
    wait_for_link(b, theirs)
    assert theirs not in share_link(a)
    assert mine not in share_link(b)
