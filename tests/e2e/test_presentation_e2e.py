"""Presentation mode on a projector: every page at 1280 × 720, sizes measured in the browser.

One browser visits every registered page in turn with ``?pres=1`` and reads computed styles:
every text of every plotly figure (ticks, cell numbers, bar values, colour-bar numbers,
titles, legends, notes; a shrinking transform and smaller ``<sub>`` parts counted) is at least
14 px; a metric's value is larger than its label; table and grid cells are at least the body
text's size; a slider's value sits above its thumb, not on it; page names in the sidebar and
labels (metrics, checkboxes, buttons) are not cut off.
"""

from __future__ import annotations

from typing import Final

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import RUN_TIMEOUT_MS, open_app, wait_for_app
from ui.i18n import catalog
from ui.navigation import available

VIEWPORT: Final = {"width": 1280, "height": 720}
MIN_FIGURE_PX: Final = 14.0

# Sizes as the browser draws them; one object per page (figures, metrics, tables, sliders, nav).
MEASURE: Final = """
() => {
  const px = (el) => parseFloat(getComputedStyle(el).fontSize);
  const shown = (el) => {
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0;
  };
  const out = {figures: 0, texts: [], metrics: [], cells: [], sliders: [], nav: []};
  const body = document.querySelector(
    '[data-testid="stMain"] [data-testid="stMarkdown"] [data-testid="stMarkdownContainer"] p');
  out.body = body ? px(body) : null;
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    out.figures += 1;
    for (const el of plot.querySelectorAll('.main-svg text')) {
      if (!(el.textContent || '').trim() || !shown(el)) continue;
      const m = el.getCTM();  // a scale plotly.js applies to fit text (bars) shrinks it
      const scale = m ? Math.hypot(m.a, m.b) : 1;
      let size = px(el);
      for (const t of el.querySelectorAll('tspan')) {
        if ((t.textContent || '').trim()) size = Math.min(size, px(t));
      }
      out.texts.push({text: el.textContent.slice(0, 40), px: size * scale,
                      kind: el.getAttribute('class') || el.parentNode.getAttribute('class')});
    }
  }
  for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
    const label = m.querySelector('[data-testid="stMetricLabel"] p');
    const value = m.querySelector('[data-testid="stMetricValue"] p')
      || m.querySelector('[data-testid="stMetricValue"]');
    out.metrics.push({label: label ? label.textContent : '', labelPx: label ? px(label) : 0,
                      valuePx: value ? px(value) : 0});
  }
  for (const c of document.querySelectorAll(
      '[data-testid="stTable"] td, [data-testid="stTable"] th')) {
    const p = c.querySelector('p') || c;
    out.cells.push({kind: 'table', text: c.textContent.slice(0, 20), px: px(p)});
  }
  for (const g of document.querySelectorAll('[data-testid="stDataFrame"]')) {
    // the grid draws on a canvas with the font its theme sets as a CSS variable
    const el = [...g.querySelectorAll('*')].find(
      (e) => e.style && e.style.getPropertyValue('--gdg-base-font-style'));
    const font = el ? el.style.getPropertyValue('--gdg-base-font-style') : '';
    const head = el ? el.style.getPropertyValue('--gdg-header-font-style') : '';
    const size = (f) => parseFloat((f.match(/([\\d.]+)px/) || [0, 0])[1]);
    out.cells.push({kind: 'grid', text: font, px: size(font)});
    out.cells.push({kind: 'grid header', text: head, px: size(head)});
  }
  for (const v of document.querySelectorAll('[data-testid="stSliderThumbValue"]')) {
    const text = v.querySelector('p') || v;
    const range = document.createRange();
    range.selectNodeContents(text);
    const glyphs = range.getBoundingClientRect();
    const thumb = v.parentElement.getBoundingClientRect();
    out.sliders.push({value: text.textContent, bottom: glyphs.bottom, thumbTop: thumb.top});
  }
  out.cut = [];  // labels cut off with an ellipsis (metric, checkbox and button labels, …)
  const labels = '.stMarkdownEllipsis, .stMarkdownEllipsis p, button p';
  for (const el of document.querySelectorAll(labels)) {
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) out.cut.push(el.textContent);
  }
  for (const a of document.querySelectorAll('[data-testid="stSidebarNavLink"]')) {
    const name = a.querySelector('span[label]');
    if (!name) continue;
    const range = document.createRange();
    range.selectNodeContents(name);
    const text = range.getBoundingClientRect();
    const clip = (name.querySelector('[data-testid="stMarkdownContainer"]') || name)
      .getBoundingClientRect();
    const link = a.getBoundingClientRect();
    out.nav.push({name: name.getAttribute('label'), textRight: text.right,
                  textBottom: text.bottom, right: Math.min(clip.right, link.right),
                  bottom: Math.min(clip.bottom, link.bottom)});
  }
  return out;
}
"""

# Every plotly chart on the page has been drawn (plotly.js loads lazily with the first chart).
ALL_DRAWN: Final = """
() => {
  const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
  const drawn = document.querySelectorAll('.js-plotly-plot .main-svg');
  return drawn.length >= charts.length;
}
"""


def _page_paths() -> list[str]:
    return [p.url_path for p in available()]


@pytest.fixture
def projector(page: Page) -> Page:
    page.set_viewport_size(VIEWPORT)
    return page


def _open(page: Page, url: str) -> None:
    open_app(page, url)
    expect(page.locator('[data-testid="stMain"] h1').first).to_be_visible()
    page.wait_for_function(ALL_DRAWN, timeout=RUN_TIMEOUT_MS)
    page.wait_for_timeout(400)  # a figure's second drawing, after its margins grew


def _problems(path: str, m: dict) -> list[str]:
    where = f"/{path}"
    out: list[str] = []
    if m["figures"] and not m["texts"]:
        out.append(f"{where}: no figure text measured")
    for t in m["texts"]:
        if t["px"] < MIN_FIGURE_PX - 0.05:
            out.append(f"{where}: figure text {t['text']!r} ({t['kind']}) is {t['px']:.1f} px")
    for x in m["metrics"]:
        if not x["valuePx"] > x["labelPx"]:
            out.append(
                f"{where}: metric {x['label']!r} value {x['valuePx']} px ≤ label {x['labelPx']} px"
            )
    body = m["body"]
    if body is None:
        out.append(f"{where}: no body text found")
    else:
        for c in m["cells"]:
            if c["px"] < body - 0.05:
                out.append(f"{where}: {c['kind']} cell {c['text']!r} {c['px']} px < body {body}")
    for s in m["sliders"]:
        if s["bottom"] > s["thumbTop"] + 0.5:
            out.append(f"{where}: slider value {s['value']!r} runs into its thumb")
    for text in m["cut"]:
        out.append(f"{where}: label {text!r} is cut off")
    for n in m["nav"]:
        if n["textRight"] > n["right"] + 1 or n["textBottom"] > n["bottom"] + 1:
            out.append(f"{where}: sidebar page name {n['name']!r} is cut off")
    return out


def test_every_page_is_readable_on_a_projector(projector: Page, app_url: str) -> None:
    page = projector
    problems: list[str] = []
    counts = {}
    nxt = page.get_by_role("button", name=catalog("en")["app.section.next"])
    for path in _page_paths():
        _open(page, f"{app_url}/{path}?pres=1&lang=en")
        for sec in range(1, 30):  # one section at a time: walk them all with Next
            m = page.evaluate(MEASURE)
            seen = [len(m[k]) for k in ("texts", "metrics", "cells", "sliders", "nav")]
            counts[f"{path}#{sec}"] = seen
            problems += _problems(f"{path} (section {sec})", m)
            if not nxt.count() or nxt.first.is_disabled():
                break
            nxt.first.click()
            page.wait_for_timeout(150)
            wait_for_app(page)
            page.wait_for_function(ALL_DRAWN, timeout=RUN_TIMEOUT_MS)
            page.wait_for_timeout(400)
    # the checks above ran on something: every kind of element appears on some page
    assert sum(c[0] for c in counts.values()) > 500, counts
    assert all(sum(c[k] for c in counts.values()) > 0 for k in range(1, 5)), counts
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} problems)"
