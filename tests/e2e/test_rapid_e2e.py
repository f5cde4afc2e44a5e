"""A class clicks fast: quick changes, without waiting for the runs, never kill a page.

Each page gets a burst of changes to random (seeded) controls, one every few tens of
milliseconds, while the runs they start are still going. Afterwards there must be no
exception box, no error in the browser, and no dialog "Connection error" (Streamlit shows it
when its message cache misses, "Cached ForwardMsg MISS"), and the page must still answer: one
more change redraws what the server draws. The d_model → heads sequence that raised a
``TypeError`` on the self-attention page has its own test.

``RAPID_E2E_SERVER_ARGS="--global.minCachedMessageSize 10000"`` runs these tests against a
server with Streamlit's message cache on (its default) instead of the project's config.
"""

from __future__ import annotations

import os
import random
import re
import shlex
from collections.abc import Iterator
from typing import Final

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, WebSocketRoute, expect

from tests.e2e.conftest import RUN_TIMEOUT_MS, open_app, serving, share_link
from ui.navigation import available

PAGES: Final = available()
CHANGES: Final = 20  # changes per burst
ACT_MS: Final = 800  # an action on a control that went away (or is disabled) gives up quickly
SERVER_ARGS: Final = shlex.split(os.environ.get("RAPID_E2E_SERVER_ARGS", ""))

# what a change does, by kind of control (all inside the page, not the sidebar)
SELECTORS: Final = {
    "slider": '[data-testid="stMain"] [data-testid="stSlider"] input[type="range"]',
    "radio": '[data-testid="stMain"] [data-testid="stRadioOption"]',
    "check": '[data-testid="stMain"] [data-testid="stCheckbox"] label',
    "select": '[data-testid="stMain"] [data-testid="stSelectbox"] [role="combobox"]',
    "step": '[data-testid="stMain"] :is([data-testid="stNumberInputStepUp"], '
    '[data-testid="stNumberInputStepDown"])',
    "button": '[data-testid="stMain"] [data-testid="stButton"] '
    '[data-testid="stBaseButton-secondary"]',
}
KEYS: Final = ("ArrowRight", "ArrowLeft", "ArrowRight", "ArrowLeft", "PageUp", "PageDown")

# which controls can be changed now: enabled, on the screen (one evaluate, not one per node)
ENABLED_JS: Final = """
(selectors) => Object.fromEntries(Object.entries(selectors).map(([kind, sel]) => [kind,
  [...document.querySelectorAll(sel)].map((n, i) => [n, i]).filter(([n]) => {
    const box = n.getBoundingClientRect();
    const off = n.disabled || n.closest('[aria-disabled="true"], [data-disabled="true"]')
      || n.querySelector('input:disabled');
    return box.width > 0 && box.height > 0 && !off;
  }).map(([, i]) => i)]))
"""

# what the server draws: figures' data, text, formulas, metrics and the share link
DRAWN_JS: Final = """
() => {
  const parts = [...document.querySelectorAll('.js-plotly-plot')].map(n => {
    try { return JSON.stringify(n.data); } catch (e) { return ''; }
  });
  for (const sel of ['[data-testid="stMain"] [data-testid="stMarkdownContainer"]',
                     '[data-testid="stMetricValue"]', '.katex-mathml',
                     '[data-testid="stSidebar"] [data-testid="stCode"]']) {
    for (const n of document.querySelectorAll(sel)) parts.push(n.textContent);
  }
  let h = 0;
  const text = parts.join('\\u0001');
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  return h + ':' + text.length;
}
"""


@pytest.fixture(scope="module")
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The session's server (the project's config), or one with ``RAPID_E2E_SERVER_ARGS``."""
    if not SERVER_ARGS:
        yield request.getfixturevalue("app_url")
        return
    with serving(SERVER_ARGS) as server:
        yield server


class Watch:
    """Errors the browser saw: uncaught page errors and the message cache's miss."""

    def __init__(self, page: Page):
        self.errors: list[str] = []
        page.on("pageerror", lambda err: self.errors.append(f"page error: {err}"))
        page.on("console", self._console)

    def _console(self, msg) -> None:
        text = msg.text
        if msg.type == "error" and ("ForwardMsg" in text or "Websocket message" in text):
            self.errors.append(f"console: {text[:200]}")


def connection_dialog(page: Page) -> Locator:
    """Streamlit 1.67 shows a lost or broken connection as a modal (``stDialog``) titled
    "Connection error" whose text is the error, e.g. "Cached ForwardMsg MISS [hash=…]"."""
    return (
        page.locator('[data-testid="stDialog"]')
        .filter(has_text="Connection error")
        .or_(page.locator('[data-testid="stDialog"]').filter(has_text="ForwardMsg"))
    )


def settle(page: Page) -> None:
    """Wait until the runs the burst started are over (the app is idle twice, 400 ms apart)."""
    idle = page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    for _ in range(2):
        page.wait_for_timeout(400)
        expect(idle.or_(connection_dialog(page)).first).to_be_attached(timeout=RUN_TIMEOUT_MS)
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=RUN_TIMEOUT_MS)


def assert_alive(page: Page, watch: Watch) -> None:
    """No exception box, no connection dialog, no browser error; still connected."""
    dialogs = connection_dialog(page)
    assert dialogs.count() == 0, f"connection error dialog: {dialogs.first.inner_text()[:300]}"
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, f"exception box: {exceptions.first.inner_text()[:300]}"
    assert watch.errors == []
    state = page.locator('[data-testid="stApp"]').get_attribute("data-test-connection-state")
    assert state == "CONNECTED"


class HeldDownstream:
    """A slow network: the server's messages to the browser can be held back, then released.

    While they are held the browser still shows the controls of the previous run, although
    the server has already run the new one; a click then sends a value of the old options.
    """

    def __init__(self, page: Page):
        self.holding = False
        self.queue: list[str | bytes] = []
        self.route: WebSocketRoute | None = None
        page.route_web_socket(re.compile(r".*/_stcore/stream"), self._connect)

    def _connect(self, route: WebSocketRoute) -> None:
        server = route.connect_to_server()  # the browser's messages go through unchanged
        self.route = route
        server.on_message(self._down)

    def _down(self, message: str | bytes) -> None:
        if self.holding:
            self.queue.append(message)
        elif self.route is not None:
            self.route.send(message)

    def held(self, text: str) -> bool:
        """Whether a held message carries ``text`` (e.g. a widget's label)."""
        needle = text.encode()
        return any(needle in (m if isinstance(m, bytes) else m.encode()) for m in self.queue)

    def release(self) -> None:
        self.holding = False
        queue, self.queue = self.queue, []
        for message in queue:
            assert self.route is not None
            self.route.send(message)


def act(page: Page, rng: random.Random) -> str | None:
    """Change one random enabled control, without waiting for the run; what was done."""
    enabled: dict[str, list[int]] = page.evaluate(ENABLED_JS, SELECTORS)
    kinds = [k for k, idx in enabled.items() for _ in range(min(len(idx), 4)) if idx]
    if not kinds:
        return None
    kind = rng.choice(kinds)
    i = rng.choice(enabled[kind])
    node = page.locator(SELECTORS[kind]).nth(i)
    try:
        if kind == "slider":
            key = rng.choice(KEYS)
            node.press(key, timeout=ACT_MS)
            return f"slider {i} {key}"
        if kind == "select":
            node.click(timeout=ACT_MS)
            options = page.locator('[role="option"]')
            options.first.wait_for(timeout=ACT_MS)
            options.nth(rng.randrange(options.count())).click(timeout=ACT_MS)
            return f"select {i}"
        node.click(timeout=ACT_MS)
        return f"{kind} {i}"
    except PlaywrightError:  # the control went away under the click: that is fast clicking
        page.keyboard.press("Escape")
        return None


def burst(
    page: Page, rng: random.Random, network: HeldDownstream, changes: int = CHANGES
) -> list[str]:
    """``changes`` quick changes to random controls, 20–90 ms apart, runs never awaited.

    Now and then the server's messages are held back for a few changes (a slow classroom
    network), so that clicks land on controls of a run the server has already replaced.
    """
    done: list[str] = []
    for _ in range(changes * 2):
        if not network.holding and rng.random() < 0.25:
            network.holding = True
        what = act(page, rng)
        if what:
            done.append(what)
            if len(done) == changes:
                break
        page.wait_for_timeout(rng.randint(20, 90))
        if network.holding and rng.random() < 0.4:
            page.wait_for_timeout(150)  # the last change reaches the server
            network.release()
    page.wait_for_timeout(150)
    network.release()
    return done


def probe_change(page: Page) -> str:
    """One more change whose run must redraw something: the first enabled slider one step,
    else a radio option that is not chosen, else a switch or a number's step."""
    enabled: dict[str, list[int]] = page.evaluate(ENABLED_JS, SELECTORS)
    if enabled["slider"]:
        thumb = page.locator(SELECTORS["slider"]).nth(enabled["slider"][0])
        at_max = thumb.input_value() == thumb.get_attribute("max")
        thumb.press("ArrowLeft" if at_max else "ArrowRight")
        return "slider"
    for i in enabled["radio"]:
        option = page.locator(SELECTORS["radio"]).nth(i)
        if option.get_attribute("data-selected") != "true":
            option.click()
            return "radio"
    for kind in ("check", "step"):
        if enabled[kind]:
            page.locator(SELECTORS[kind]).nth(enabled[kind][0]).click()
            return kind
    raise AssertionError(f"no control to probe the page with: {enabled}")


@pytest.mark.parametrize("info", PAGES, ids=[p.ns for p in PAGES])
def test_a_burst_of_quick_changes_leaves_the_page_working(page: Page, url: str, info):
    watch = Watch(page)
    network = HeldDownstream(page)
    open_app(page, f"{url}/{info.url_path}?lang=en")
    rng = random.Random(f"rapid-{info.ns}")
    done = burst(page, rng, network)
    assert len(done) >= CHANGES // 2, f"too few controls could be changed: {done}"
    settle(page)
    assert_alive(page, watch)

    before = page.evaluate(DRAWN_JS)
    probe_change(page)
    drawn = page.locator('[data-testid="stApp"]')
    page.wait_for_function(
        "([js, before]) => (0, eval)('(' + js + ')')() !== before",
        arg=[DRAWN_JS, before],
        timeout=RUN_TIMEOUT_MS,
    )
    settle(page)
    assert_alive(page, watch)
    expect(drawn).to_have_attribute("data-test-connection-state", "CONNECTED")


def test_d_model_then_heads_before_the_page_redraws_never_raises(page: Page, url: str):
    """Change d_model and click a number of heads before the page shows the new ones: 8 times.

    The heads offered are the divisors of d_model. On a slow network the click lands on an
    option of the old d_model after the server has run the new one; the radio hands it back as
    text ("24") that is not an option. The page snaps it to a divisor, with a notice (this
    raised a ``TypeError`` and showed a traceback box before).
    """
    watch = Watch(page)
    network = HeldDownstream(page)
    open_app(page, f"{url}/self-attention?lang=en&d=24&heads=8")
    d_thumb = page.locator('[data-testid="stSlider"] input[aria-label*="model"]')
    heads = page.locator('[data-testid="stRadio"]').filter(has_text="Number of heads")
    heads_label = "Number of heads"
    for key in ("PageDown", "PageUp") * 4:
        network.holding = True
        d_thumb.press(key)
        for _ in range(RUN_TIMEOUT_MS // 50):  # until the server has drawn the new radio
            if network.held(heads_label):
                break
            page.wait_for_timeout(50)
        assert network.held(heads_label), "the server did not run the new d_model"
        options = heads.locator('[data-testid="stRadioOption"]')
        options.nth(options.count() - 1).click()  # the largest of the old d_model's divisors
        page.wait_for_timeout(300)  # the click's rerun request reaches the server
        network.release()
        settle(page)
        assert_alive(page, watch)
    link = dict(
        part.split("=", 1) for part in share_link(page).split("?", 1)[1].split("&") if "=" in part
    )
    d, h = int(link.get("d", 8)), int(link.get("heads", 2))
    assert d % h == 0, (d, h)
    expect(heads.locator("input:checked")).to_have_count(1)
