"""Every page on a phone (issue 18 §5): an iPhone 13 context (390 × 844, a mobile browser's
user agent, touch), as a student who scanned the class QR code has.

For each page (every page in English, one in Chinese, one in presentation mode, a followed class
as a student):

- no figure label overlaps another or is cut off (:func:`label_problems` of the 1280-px test);
- nothing is wider than the screen: the page does not scroll sideways, and an element that
  reaches past the screen's edge is inside a box that scrolls by itself (a KaTeX formula, a
  wide table);
- the sidebar is collapsed (out of the way);
- the page's first control (the first that sets a value) can be scrolled to, is inside the
  screen's width, and changing it redraws a figure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Final

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright, expect

from tests.e2e.conftest import open_app, wait_for_app
from tests.e2e.test_classroom_e2e import follow_delay, start_class
from tests.e2e.test_labels_e2e import label_problems
from ui.i18n import catalog
from ui.navigation import PAGES

PHONE: Final = "iPhone 13"
PAGE_CASES: Final = (  # (path, query): every page, one in Chinese, one in presentation mode
    *((info.url_path, "lang=en") for info in PAGES),
    ("self-attention", "lang=zh"),
    ("softmax", "lang=en&pres=1"),
)
# a page whose first control is a text field: a valid new value for it
TYPED: Final = {"softmax": "3, 1, 0", "trained-model": "ABCDEFABCDEF"}
CONTROLS: Final = (
    "stSlider",
    "stRadio",
    "stSelectbox",
    "stTextInput",
    "stNumberInput",
    "stCheckbox",
)

# Elements under the main area that reach past the screen's left or right edge and are not
# inside a box that scrolls or clips them (KaTeX's MathML copy is clipped to 1 px on purpose).
WIDER_JS: Final = """
() => {
  const W = document.documentElement.clientWidth;
  const main = document.querySelector('[data-testid="stMain"]');
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX) || s.clip !== 'auto'
          || a.classList.contains('katex-mathml')) {
        const r = a.getBoundingClientRect();
        if (r.left >= -1 && r.right <= W + 1) return true;
      }
    }
    return false;
  };
  const out = [];
  for (const el of main.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0 || (r.left >= -1 && r.right <= W + 1)) continue;
    if (clipped(el)) continue;
    out.push(`${el.tagName.toLowerCase()}.${el.getAttribute('data-testid') || el.className}`
             + ` ${Math.round(r.left)}–${Math.round(r.right)} px`);
  }
  return {screen: W, page: document.scrollingElement.scrollWidth, main: main.scrollWidth,
          mainWidth: main.clientWidth, wider: out.slice(0, 10)};
}
"""

# What the figures show: their SVG drawing and images, hashed (changes when a figure redraws)
DRAWN_JS: Final = """
() => [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot .main-svg, '
  + '[data-testid="stMain"] [data-testid="stImage"] img')]
  .map((e) => e.tagName === 'IMG' ? e.src.length + e.src.slice(-200) : e.innerHTML).join('|')
"""


@pytest.fixture(scope="module")
def phone(playwright: Playwright, browser: Browser) -> Iterator[BrowserContext]:
    device = {**playwright.devices[PHONE], "device_scale_factor": 1}
    device.pop("default_browser_type", None)
    context = browser.new_context(**device)
    yield context
    context.close()


def drawn(page: Page) -> str:
    return hashlib.sha1(page.evaluate(DRAWN_JS).encode()).hexdigest()


def assert_fits_a_phone(page: Page) -> None:
    """No label problem, nothing wider than the screen, the sidebar collapsed."""
    assert page.viewport_size == {"width": 390, "height": 664}  # iPhone 13, browser bars apart
    n, problems = label_problems(page)
    assert problems == [], problems[:20]
    assert n > 0
    found = page.evaluate(WIDER_JS)
    assert found["page"] <= found["screen"], found  # the page does not scroll sideways
    assert found["main"] <= found["mainWidth"], found  # nor does the main area
    assert found["wider"] == [], found
    box = page.locator('[data-testid="stSidebar"]').bounding_box()
    assert box is None or box["x"] + box["width"] <= 0, box  # collapsed: off the screen


def first_control(page: Page) -> Locator:
    """The main area's first control that sets a value (buttons act; they are left out)."""
    css = ", ".join(f'[data-testid="stMain"] [data-testid="{c}"]' for c in CONTROLS)
    control = page.locator(css).first
    expect(control).to_be_attached()
    return control


def change(page: Page, control: Locator, path: str) -> None:
    """Change ``control`` the way a thumb would: tap an option, move a slider, type."""
    kind = control.get_attribute("data-testid")
    if kind == "stSlider":
        thumb = control.locator('input[type="range"], [role="slider"]').first
        at_min = thumb.get_attribute("aria-valuenow") == thumb.get_attribute("aria-valuemin")
        thumb.focus()
        thumb.press("End" if at_min else "Home")
    elif kind == "stRadio":
        other = control.locator("label").filter(has=page.locator("input:not(:checked)")).first
        other.tap()
    elif kind == "stSelectbox":
        control.get_by_role("combobox").tap()
        options = page.locator('[role="option"]:not([aria-selected="true"])')
        expect(options.first).to_be_visible()
        options.first.tap()
    elif kind == "stTextInput":
        field = control.locator("input")
        field.fill(TYPED[path])
        field.press("Enter")
    else:
        raise AssertionError(f"no way to change a {kind} written in this test")
    wait_for_app(page)


@pytest.mark.parametrize(("path", "query"), PAGE_CASES)
def test_every_page_fits_a_phone_and_its_first_control_works(
    phone: BrowserContext, app_url: str, path: str, query: str
):
    page = phone.new_page()
    try:
        open_app(page, f"{app_url}/{path}?{query}")
        assert_fits_a_phone(page)
        control = first_control(page)
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        before = drawn(page)
        change(page, control, path)
        page.wait_for_timeout(300)  # plotly draws after the run
        assert drawn(page) != before, "the figures did not change"
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()


def test_a_student_follows_a_class_on_a_phone(
    phone: BrowserContext, app_url: str, browser: Browser
):
    en = catalog("en")
    teacher = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    student = phone.new_page()
    try:
        open_app(teacher, app_url + "/?lang=en")
        open_app(student, start_class(teacher))
        assert_fits_a_phone(student)
        assert follow_delay(teacher, student, "End", 2.0) <= 3.0  # followed, without a tap
        assert_fits_a_phone(student)
        # the class line sits at the top of the page (the sidebar is folded away on a phone):
        # the student sees they follow, and can leave to explore, without opening the sidebar
        expect(student.locator('[data-testid="stSidebar"]')).not_to_be_in_viewport()
        explore = student.get_by_role("button", name=en["app.class.explore"])
        explore.scroll_into_view_if_needed()
        expect(explore).to_be_in_viewport()
        box = explore.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        expect(student.get_by_text(en["app.class.following"])).to_be_visible()
    finally:
        teacher.context.close()
        student.close()
