"""Every label readable, measured in a real browser at 1280 × 720 (the smallest screen we aim at).

For each Plotly figure of each page, the boxes of its SVG text are read from the page:
tick labels, axis and figure titles, annotations, colour bars and legends. Asserted by geometry:

- no two of these labels overlap (tick labels of one axis included);
- no tick label sits on a plotting area (a neighbour panel's labels running into it);
- no label reaches outside the figure (cut off);
- no legend covers a plotting area.

Text drawn on the data (numbers on cells, scatter labels) is not a label and is not checked.
A text box is the line box of its font, taller than the letters: two labels count as
overlapping when their boxes share more than :data:`TOLERANCE_PX` both ways.
"""

from __future__ import annotations

from typing import Final

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import RUN_TIMEOUT_MS, open_app
from ui.i18n import catalog
from ui.tokens import MAX_TOKENS

TOLERANCE_PX: Final = 1.5
PAGES: Final = (  # (path, language): every page in English, the busiest ones in Chinese too
    *(
        (path, "en")
        for path in (
            "",
            "qkv",
            "waist-weight",
            "softmax",
            "alignment",
            "self-attention",
            "trained-model",
            "cnn-vs-attention",
            "complexity",
        )
    ),
    ("waist-weight", "zh"),
    ("self-attention", "zh"),
    ("cnn-vs-attention", "zh"),
)
LONG_SENTENCE: Final = "+".join(
    [f"w{i}" for i in range(14)] + ["internationalization"] + [f"v{i}" for i in range(17)]
)

# Collects, for every figure under the page, its labels' boxes and the problems found.
PROBLEMS_JS: Final = """
(tol) => {
  const R = (r) => ({x: r.left, y: r.top, r: r.right, b: r.bottom, w: r.width, h: r.height});
  const meet = (a, b) => Math.min(a.r, b.r) - Math.max(a.x, b.x) > tol
    && Math.min(a.b, b.b) - Math.max(a.y, b.y) > tol;
  const kind = (el) => {
    if (el.closest('.xaxislayer-above')) return 'x tick';
    if (el.closest('.yaxislayer-above')) return 'y tick';
    if (el.closest('.legend')) return 'legend';
    if (el.closest('.colorbar')) return 'colour bar';
    if (el.closest('.annotation')) return 'annotation';
    if (el.closest('.g-gtitle')) return 'title';
    if (el.closest('[class*="g-x"][class*="title"]')) return 'x title';
    if (el.closest('[class*="g-y"][class*="title"]')) return 'y title';
    return null;
  };
  return [...document.querySelectorAll('.js-plotly-plot')].map((plot, index) => {
    const svg = plot.querySelector('.main-svg');
    const fig = R(svg.getBoundingClientRect());
    const labels = [];
    plot.querySelectorAll('.main-svg text').forEach((el) => {
      const k = kind(el);
      const r = R(el.getBoundingClientRect());
      if (k && (el.textContent || '').trim() && r.w > 0 && r.h > 0)
        labels.push({k, text: el.textContent, r});
    });
    const areas = [...plot.querySelectorAll('.nsewdrag')].map((d) => R(d.getBoundingClientRect()));
    const problems = [];
    for (const l of labels) {
      if (l.r.x < fig.x - 1 || l.r.y < fig.y - 1 || l.r.r > fig.r + 1 || l.r.b > fig.b + 1)
        problems.push(`cut off: ${l.k} "${l.text}"`);
      if (l.k.endsWith('tick') && areas.some((a) => meet(l.r, a)))
        problems.push(`on a plot: ${l.k} "${l.text}"`);
    }
    for (let i = 0; i < labels.length; i++)
      for (let j = i + 1; j < labels.length; j++) {
        const a = labels[i], b = labels[j];
        if (a.k === 'legend' && b.k === 'legend') continue;  // one legend's rows
        if (meet(a.r, b.r)) problems.push(`overlap: ${a.k} "${a.text}" × ${b.k} "${b.text}"`);
      }
    plot.querySelectorAll('.legend').forEach((lg) => {
      const box = R((lg.querySelector('.bg') || lg).getBoundingClientRect());
      if (areas.some((a) => meet(box, a))) problems.push('a legend over a plot');
    });
    const title = plot.querySelector('.g-gtitle text, .annotation-text');
    return {index, title: title ? title.textContent : '', labels: labels.length, problems};
  });
}
"""


def figures_drawn(page: Page) -> None:
    """Wait until every chart element of the page holds a drawn Plotly figure."""
    charts = page.locator('[data-testid="stPlotlyChart"]')
    n = charts.count()
    expect(page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot')).to_have_count(
        n, timeout=RUN_TIMEOUT_MS
    )
    page.wait_for_timeout(300)  # automargin may redraw once


def label_problems(page: Page) -> tuple[int, list[str]]:
    figures_drawn(page)
    found = page.evaluate(PROBLEMS_JS, TOLERANCE_PX)
    return len(found), [
        f"figure {f['index']} ({f['title'][:40]}): {p}" for f in found for p in f["problems"]
    ]


@pytest.mark.parametrize(("path", "lang"), PAGES)
def test_no_label_overlaps_or_is_cut_off_at_1280_by_720(
    page: Page, app_url: str, path: str, lang: str
):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_app(page, f"{app_url}/{path}?lang={lang}")
    n, problems = label_problems(page)
    assert problems == [], problems
    assert n > 0  # the page has figures, and they were measured


# presentation mode (20-px type, 14-px floor) on the pages whose labels ran into each other
PRES_PAGES: Final = (
    ("trained-model", "en"),  # 4 heads × 19 rotated key labels
    ("complexity", "en"),
    ("softmax", "en"),  # a legend under two panels
    ("cnn-vs-attention", "zh"),  # charts in a column, colour-bar titles
    ("self-attention", "en"),  # heatmap grids of tokens, the encoding's waves
)


@pytest.mark.parametrize(("path", "lang"), PRES_PAGES)
def test_no_label_overlaps_or_is_cut_off_in_presentation_mode(
    page: Page, app_url: str, path: str, lang: str
):
    page.set_viewport_size({"width": 1280, "height": 720})
    total, problems = 0, []
    for sec in range(1, 30):  # one section at a time: every section of the page
        open_app(page, f"{app_url}/{path}?lang={lang}&pres=1&sec={sec}")
        n, found = label_problems(page)
        total += n
        problems += [f"section {sec}: {p}" for p in found]
        nxt = page.get_by_role("button", name=catalog(lang)["app.section.next"])
        if not nxt.count() or nxt.first.is_disabled():
            break
    assert problems == [], problems[:20]
    assert total > 0


def test_every_token_written_without_overlap_at_the_token_limit(page: Page, app_url: str):
    """32 tokens, one of them 20 letters, 4 heads: every head labels every token, readably."""
    page.set_viewport_size({"width": 1280, "height": 720})
    open_app(page, f"{app_url}/self-attention?lang=en&heads=4&sentence={LONG_SENTENCE}")
    _, problems = label_problems(page)
    assert problems == [], problems[:20]
    heads = page.locator('[data-testid="stPlotlyChart"]').nth(2)
    for axis in ("xaxislayer-above", "yaxislayer-above"):
        texts = heads.locator(f".{axis} text").all_text_contents()
        assert len(texts) == 4 * MAX_TOKENS  # every token on every head
        assert texts.count("internat…₁₅") == 4
