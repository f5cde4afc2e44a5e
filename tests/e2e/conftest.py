"""Browser tests: a real Streamlit server on 127.0.0.1 and Debian's Chromium, headless.

The browser is never downloaded: Playwright launches ``/usr/bin/chromium``. Without it the
tests are skipped on a developer machine and fail where ``REQUIRE_BROWSER=1`` (CI).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.helpers import stop
from ui.sections import SHOW_RUNS_ENV

ROOT: Final = Path(__file__).resolve().parents[2]
CHROMIUM: Final = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS: Final = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RUN_TIMEOUT_MS: Final = 30_000
expect.set_options(timeout=20_000)  # a busy 2-core machine can take seconds to redraw


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    port: int,
    extra: list[str] | None = None,
    script: str = "app.py",
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``streamlit run <script>`` on 127.0.0.1:port and wait until it is healthy."""
    cmd = [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        *(extra or []),
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("streamlit did not become healthy within 60 s")


@contextmanager
def serving(extra: list[str] | None = None, env: dict[str, str] | None = None) -> Iterator[str]:
    """A server of the app on a free port (``extra``: more ``streamlit run`` arguments, ``env``:
    more environment): its URL while the block runs, stopped after."""
    port = free_port()
    proc = start_server(port, extra, env=env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc, timeout=10)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    with serving() as url:
        yield url


@pytest.fixture(scope="session")
def counted_url() -> Iterator[str]:
    """A server whose sections write their run counts (see :func:`section_runs`)."""
    with serving(env={SHOW_RUNS_ENV: "1"}) as url:
        yield url


def section_runs(page: Page) -> dict[str, int]:
    """{section function: times it ran} as a ``counted_url`` server writes them."""
    texts = page.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
    parts = [t.split(" · ") for t in texts if t.startswith("runs · ")]
    return {name: int(n) for _, name, n in parts}


def reruns_after(page: Page, before: dict[str, int]) -> dict[str, int]:
    """The sections that ran again since ``before`` (waiting for the counts to settle)."""
    page.wait_for_timeout(300)
    wait_for_app(page)
    after = section_runs(page)
    return {name: n - before.get(name, 0) for name, n in after.items() if n != before.get(name)}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and browser tests are required")
        pytest.skip(f"{CHROMIUM} is missing (install the Debian package 'chromium')")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def wait_for_app(page: Page) -> None:
    """Wait until the script run that the last action started has finished and drawn."""
    page.wait_for_timeout(150)  # let the rerun request reach the server
    expect(
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    ).to_be_attached(timeout=RUN_TIMEOUT_MS)
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=RUN_TIMEOUT_MS)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def open_app(page: Page, url: str) -> None:
    """Load a URL of the app and wait for its first run."""
    page.goto(url)
    expect(page.locator('[data-testid="stApp"]')).to_be_attached(timeout=RUN_TIMEOUT_MS)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-connection-state') === 'CONNECTED'",
        timeout=RUN_TIMEOUT_MS,
    )
    wait_for_app(page)


def press_slider(page: Page, label: str, key: str, times: int = 1) -> None:
    """Focus the slider whose label is ``label`` and press ``key`` (ArrowRight, End, …)."""
    slider = page.locator('[data-testid="stSlider"]').filter(has_text=label).first
    thumb = slider.locator('input[type="range"], [role="slider"]').first
    thumb.focus()
    for _ in range(times):
        thumb.press(key)
    wait_for_app(page)


def open_cell_editor(page: Page) -> Locator:
    """Open the editor of row 1, column 1 of the page's first table; returns its input."""
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
    return cell_editor


def edit_first_cell(page: Page, value: str) -> None:
    """Type ``value`` into row 1, column 1 of the page's first table, Enter, wait for the run."""
    open_cell_editor(page).fill(value)
    page.keyboard.press("Enter")
    wait_for_app(page)


def share_link(page: Page) -> str:
    """The share link the sidebar shows."""
    return page.locator('[data-testid="stSidebar"] [data-testid="stCode"]').inner_text().strip()
