"""What is typed in a real browser reaches the app unrounded and unclamped (issue 15 §3).

AppTest writes edits straight into the session, past the browser, so it cannot see the data
editor's own rounding (to a column's ``step``) or clamping (to its ``max_value``): this can.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import edit_first_cell, open_app

SHARE = '[data-testid="stSidebar"] [data-testid="stCode"]'


def test_a_typed_0_123_is_kept_to_the_last_digit(page: Page, app_url: str):
    open_app(page, app_url + "/qkv?lang=en")
    edit_first_cell(page, "0.123")
    page.wait_for_function(
        f"() => document.querySelector('{SHARE}')?.innerText.includes('Q=0.123,')",
        timeout=20_000,
    )


def test_500_cm_typed_is_refused_with_its_value_not_clamped_to_200(page: Page, app_url: str):
    open_app(page, app_url + "/waist-weight?lang=en")
    edit_first_cell(page, "500")
    error = page.locator('[data-testid="stAlert"]').filter(has_text="500 cm")
    expect(error).to_be_visible(timeout=20_000)
    expect(error).to_contain_text("The figures still use 56 cm there.")
