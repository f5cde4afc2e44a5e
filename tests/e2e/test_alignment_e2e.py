"""Alignment page in a real browser: the window slider changes the local weights; links reopen."""

from __future__ import annotations

import json
from typing import Final

import numpy as np
from playwright.sync_api import Page, expect

from app_pages.alignment.data import make_toy
from tests.e2e.conftest import open_app, press_slider, reruns_after, section_runs, share_link

# The bars of the weights figure (the first Plotly figure: global, local-m, local-p), as JSON;
# `_fullData` holds the decoded arrays (`data` keeps the typed-array form the server sent).
BARS_JS: Final = """
() => JSON.stringify(document.querySelector('.js-plotly-plot')._fullData
  .filter(t => t.type === 'bar')
  .map(t => Array.from(t.y)))
"""


def drawn_bars(page: Page, unlike: list | None = None) -> list[np.ndarray]:
    """Global, local-m and local-p weights as the browser drew them (once drawn, and different
    from ``unlike`` when given: a changed figure is remounted a moment after the run ends)."""
    page.wait_for_function(
        f"(old) => {{ const s = ({BARS_JS})(); return JSON.parse(s).length === 3 && s !== old; }}",
        arg=json.dumps(unlike) if unlike is not None else "",
        timeout=20_000,
    )
    return [np.asarray(y, dtype=float) for y in json.loads(page.evaluate(BARS_JS))]


def panel_titles(page: Page) -> list[str]:
    """The titles above the global, local-m and local-p panels (they carry each sum)."""
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    expect(chart.locator(".annotation-text").first).to_be_attached()
    return chart.locator(".annotation-text").all_text_contents()


def window_softmax(scores_t: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Luong's local-m by hand: the softmax of the scores at positions lo … hi, 0 elsewhere."""
    e = np.exp(scores_t[lo : hi + 1] - scores_t[lo : hi + 1].max())
    out = np.zeros(scores_t.size)
    out[lo : hi + 1] = e / e.sum()
    return out


def test_widening_the_window_changes_the_local_weights(page: Page, app_url: str):
    open_app(page, app_url + "/alignment?lang=en")  # S = 30, t = 10, D = 4
    scores = make_toy(30, 3, 0).scores[10]
    before, titles = drawn_bars(page), panel_titles(page)
    glob, local_m, local_p = before
    np.testing.assert_allclose(local_m, window_softmax(scores, 6, 14), atol=1e-9)
    assert abs(local_m[6:15].sum() - 1.0) < 1e-9 and (local_m[:6] == 0).all()  # window: 1
    assert "(sum 1.000)" in titles[1] and local_p.sum() < 1.0
    press_slider(page, "Window half-width D", "End")  # D = S: the window covers everything
    after = drawn_bars(page, unlike=[b.tolist() for b in before])
    np.testing.assert_allclose(after[0], glob)  # global attention has no window
    np.testing.assert_allclose(after[1], window_softmax(scores, 0, 29), atol=1e-9)
    np.testing.assert_allclose(after[1], after[0], atol=1e-9)  # a window of all: local-m = global
    assert not np.allclose(after[2], local_p)
    assert panel_titles(page)[2] != titles[2]  # local-p's sum moved with its Gaussian
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


HARD_JS: Final = """
() => JSON.stringify([...document.querySelectorAll('.js-plotly-plot')].at(-1)._fullData
  .filter(t => t.type === 'bar').map(t => Array.from(t.y)))
"""


def test_a_move_reruns_only_the_sections_it_feeds_and_the_link_follows(
    page: Page, counted_url: str
):
    """Hard sampling's N reruns its section alone; the window D, which every section reads,
    reruns the first fragment and hard sampling's too, each once. The share link then reopens
    the view: the same weights, the same samples."""
    open_app(page, counted_url + "/alignment?lang=en")
    before = section_runs(page)
    assert set(before) == {"setup", "compare", "maps", "hard"}
    old = page.evaluate(HARD_JS)
    press_slider(page, "Number of samples N", "End")  # N = 100,000: only the sampling changes
    assert reruns_after(page, before) == {"hard": 1}
    page.wait_for_function(f"() => ({HARD_JS})() !== {json.dumps(old)}", timeout=20_000)
    before = section_runs(page)
    weights = drawn_bars(page)
    press_slider(page, "Window half-width D", "ArrowLeft")  # D = 3: the local weights change
    assert reruns_after(page, before) == {"setup": 1, "compare": 1, "maps": 1, "hard": 1}
    drawn_bars(page, unlike=[w.tolist() for w in weights])
    link = share_link(page)
    for part in ("N=100000", "D=3"):
        assert part in link and part in page.url
    fresh = page.context.new_page()
    open_app(fresh, link)
    fresh.wait_for_function(f"() => ({HARD_JS})().length > 2", timeout=20_000)
    assert fresh.evaluate(HARD_JS) == page.evaluate(HARD_JS)  # the same samples drawn
    for a, b in zip(drawn_bars(fresh), drawn_bars(page), strict=True):
        np.testing.assert_array_equal(a, b)  # the same weights of the same step
    fresh.close()
