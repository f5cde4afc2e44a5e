"""Q · K · V playground in a real browser: edit a cell, move the temperature, share a link.

Hostile links are covered by the AppTest file (tests/app/test_qkv.py).
"""

from __future__ import annotations

import json
from typing import Final

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import open_app, press_slider, wait_for_app

# The drawn heatmaps of the results figure (the first Plotly figure on the page), as JSON;
# `_fullData` holds the decoded arrays (`data` keeps the typed-array form the server sent).
HEATMAPS_JS: Final = """
() => JSON.stringify(document.querySelector('.js-plotly-plot')._fullData
  .filter(t => t.type === 'heatmap')
  .map(t => Array.from(t.z, row => Array.from(row))))
"""


def heatmaps(page: Page, unlike: list | None = None) -> list[list[list[float | None]]]:
    """Scores, weights and output as the browser drew them (once drawn, and different from
    ``unlike`` when given: a changed figure is remounted a moment after the run ends)."""
    page.wait_for_function(
        f"(old) => {{ const s = ({HEATMAPS_JS})(); const z = JSON.parse(s);"
        " return z.length === 3 && z[1].length > 0 && s !== old; }",
        arg=json.dumps(unlike) if unlike is not None else "",
        timeout=20_000,
    )
    return json.loads(page.evaluate(HEATMAPS_JS))


def share_link(page: Page) -> str:
    return page.locator('[data-testid="stSidebar"] [data-testid="stCode"]').inner_text().strip()


def edit_first_cell(page: Page, value: str) -> None:
    """Type ``value`` into row 1, column 1 of the first table (Q) and press Enter."""
    canvas = page.locator('[data-testid="stDataFrame"] canvas').first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    cell = (box["x"] + box["width"] * 0.45, box["y"] + 52)  # below the 35 px header
    cell_editor = page.locator(".gdg-input, textarea").first
    for _ in range(3):  # a click can land before the grid has focus; try again
        page.mouse.click(*cell)
        page.keyboard.press("Enter")
        try:
            cell_editor.wait_for(state="visible", timeout=3_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    cell_editor.fill(value)
    page.keyboard.press("Enter")
    wait_for_app(page)


def test_edit_a_cell_move_the_temperature_and_reopen_the_link(page: Page, app_url: str):
    open_app(page, app_url + "/qkv?lang=en")
    expect(page.locator("h1")).to_contain_text("Q · K · V playground")
    before = heatmaps(page)

    edit_first_cell(page, "-3")
    page.wait_for_function(
        '() => document.querySelector(\'[data-testid="stSidebar"] [data-testid="stCode"]\')'
        "?.innerText.includes('Q=-3')",
        timeout=20_000,
    )
    edited = heatmaps(page, unlike=before)
    assert edited[1][0] != before[1][0]  # query 1's weights moved
    assert edited[1][1:] == before[1][1:]  # the other queries did not

    press_slider(page, "Temperature", "End")
    hot = heatmaps(page, unlike=edited)
    assert hot[1] != edited[1] and hot[0] == edited[0]  # τ changes weights, not scores
    link = share_link(page)
    assert "tau=20" in link and "Q=-3" in link

    fresh = page.context.new_page()
    open_app(fresh, link)
    assert heatmaps(fresh) == hot
    fresh.close()
