"""Q · K · V playground in a real browser: edit a cell, move the temperature, share a link.

Hostile links are covered by the AppTest file (tests/app/test_qkv.py).
"""

from __future__ import annotations

import json
from typing import Final

from playwright.sync_api import Page, expect

from tests.e2e import conftest as e2e

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


def test_edit_a_cell_move_the_temperature_and_reopen_the_link(page: Page, app_url: str):
    e2e.open_app(page, app_url + "/qkv?lang=en")
    expect(page.locator("h1")).to_contain_text("Q · K · V playground")
    before = heatmaps(page)

    e2e.edit_first_cell(page, "-3")
    page.wait_for_function(
        '() => document.querySelector(\'[data-testid="stSidebar"] [data-testid="stCode"]\')'
        "?.innerText.includes('Q=-3')",
        timeout=20_000,
    )
    edited = heatmaps(page, unlike=before)
    assert edited[1][0] != before[1][0]  # query 1's weights moved
    assert edited[1][1:] == before[1][1:]  # the other queries did not

    e2e.press_slider(page, "Temperature", "End")
    hot = heatmaps(page, unlike=edited)
    assert hot[1] != edited[1] and hot[0] == edited[0]  # τ changes weights, not scores
    link = e2e.share_link(page)
    assert "tau=20" in link and "Q=-3" in link

    fresh = page.context.new_page()
    e2e.open_app(fresh, link)
    assert heatmaps(fresh) == hot
    fresh.close()


SECTIONS: Final = {"matrices_section", "settings", "results", "work", "downloads"}


def test_a_move_reruns_the_page_s_one_fragment_once_and_the_link_follows(
    page: Page, counted_url: str
):
    """The matrices feed every section (settings, heatmaps, the worked row, the downloads):
    one fragment, which a move inside it runs once (no second, hidden run); the share link,
    outside the fragment, then reopens the view."""
    e2e.open_app(page, counted_url + "/qkv?lang=en&row=2")
    before = e2e.section_runs(page)
    assert set(before) == SECTIONS
    drawn = heatmaps(page)
    e2e.press_slider(page, "Temperature", "Home")  # τ = 0.05: the weights sharpen
    assert e2e.reruns_after(page, before) == dict.fromkeys(SECTIONS, 1)
    sharp = heatmaps(page, unlike=drawn)
    assert sharp[0] == drawn[0] and sharp[1] != drawn[1]
    link = e2e.share_link(page)
    assert "tau=0.05" in link and "row=2" in link and "tau=0.05" in page.url
    fresh = page.context.new_page()
    e2e.open_app(fresh, link)
    assert heatmaps(fresh) == sharp
    assert "row=2" in fresh.url
    frame_js = "() => document.querySelector('.js-plotly-plot').layout.shapes[0].y0"
    assert fresh.evaluate(frame_js) == page.evaluate(frame_js) == 1.5  # q3 framed in both
    fresh.close()
