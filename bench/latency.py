"""Interaction latency in a real browser: every page's controls against the same work in Streamlit.

Starts the app and the reference app (bench/reference_app.py) on 127.0.0.1 with the same
Streamlit and config and drives headless Chromium with Playwright (keyboard on a slider thumb,
as Streamlit's own tests do). For every page it first moves each slider once and records which
figures that move really changes (k) and their kinds and sizes; then it times, inside the page,
keydown → all k changed figures drawn and the run over, for

- the page's first control (the slider the issue's "before" table used) and its heaviest
  control (the slider whose move redraws the most figures, then the most cells/points);
- the same work in the reference: one fragment redrawing k figures of those kinds and sizes,
  timed in blocks alternating with the page's (the machine's load hits both alike);
- the one-figure trivial app (one slider → one 8 × 8 heatmap, no fragment).

Per control it prints median and p95, the ratios (targets: ≤ 1.3× the same work at the median,
≤ 2× at p95; the first control ≤ 2× the trivial app; large inputs ≤ 3× the same work), where the
time went (wait / run / draw in the browser, bench/probe.py), the server's own time for the same
change sent over the protocol as the browser sends it (a fragment rerun, bench/ws_session.py)
and the reference's, the kB and deltas sent per move, and the server's CPU per move (the
process's CPU-time clock: median and mean). Then a new visitor's first figure on a warm
server for every page, a summary of the targets, and (``--write``) the tables into
docs/performance.md. Numbers, not a test.

    python bench/latency.py                       # every page, 15 moves per control
    python bench/latency.py -n 5 --only softmax,qkv --no-large
    python bench/latency.py --write docs/performance.md
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
import tomllib
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Browser, Page, sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.probe import ARM_JS, DESCRIBE_JS, Timing, cpu_s, pct, write_section  # noqa: E402
from bench.ws_session import ProtocolSession  # noqa: E402
from tests.e2e.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    open_cell_editor,
    start_server,
)
from ui.navigation import PAGES  # noqa: E402

LIMIT_MS = 20_000  # an interaction slower than this counts as a failure
MAX_SLIDERS = 10  # sliders tried per page when looking for the heaviest
SETTLE_MS = 800  # after a move's run is over, the time its figures get to be drawn
BLOCK = 5  # moves per block; page and reference blocks alternate
PARTS = ("wait", "run", "draw")
nan = float("nan")

# The slider the "before" table moved on each page (by URL path); else the first that
# changes a figure.
FIRST = {
    "": "Query: sweet",
    "qkv": "Temperature",
    "waist-weight": "Query",
    "softmax": "Temperature",
    "cnn-vs-attention": "Row (from the top)",
}
# The table, measured before fragments (keydown on the first slider → figure changed,
# against the trivial app at 53 ms).
BEFORE = {
    "": 134,
    "qkv": 191,
    "waist-weight": 162,
    "softmax": 238,
    "alignment": 264,
    "self-attention": 350,
    "cnn-vs-attention": 345,
    "complexity": 131,
}
BEFORE_TRIVIAL = 53


@dataclass(frozen=True)
class Large:
    """A large input: the page at ``query``, the control ``label`` (target 3× the same work)."""

    name: str
    url_path: str
    query: str
    label: str
    upload_rows: int = 0


LARGE = (
    Large("qkv n=512", "qkv", "gen=random&n_q=512&n_k=512&d_k=64&d_v=64", "Temperature"),
    Large("qkv n=1024", "qkv", "gen=random&n_q=1024&n_k=1024&d_k=64&d_v=64", "Temperature"),
    Large("waist-weight 1000 rows", "waist-weight", "", "Query", upload_rows=1000),
    Large("cnn-vs-attention 64×64", "cnn-vs-attention", "size=64", "Row (from the top)"),
)


@dataclass(frozen=True)
class Control:
    label: str
    index: int  # position among the page's sliders (the protocol's fallback when labels differ)
    k: int  # figures a move of it changes
    specs: tuple[str, ...]  # their kinds and sizes (bench/reference_app.py's figs notation)
    cells: int  # heatmap cells, image pixels and points in them

    def reference_query(self) -> str:
        return "figs=" + quote(",".join(self.specs), safe="")


@dataclass
class Run:
    """The timed moves of one control (or of the reference for the same work)."""

    times: list[Timing] = field(default_factory=list)
    failures: int = 0
    cpu_ms: list[float] = field(default_factory=list)
    kb: list[float] = field(default_factory=list)
    deltas: list[int] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)  # deltas by element type, all moves
    server_ms: list[float] = field(default_factory=list)  # protocol: request → run over

    @property
    def totals(self) -> list[float]:
        return [x.total for x in self.times]

    def med(self) -> float:
        return pct(self.totals, 0.5)

    def p95(self) -> float:
        return pct(self.totals, 0.95)

    def part(self, name: str) -> float:
        return statistics.median([getattr(x, name) for x in self.times] or [nan])


@dataclass
class Row:
    page: str  # URL path ("" for the overview)
    kind: str  # "first", "heaviest", "first+heaviest" or "large"
    control: Control
    layout: str  # "fragments", "package" or "flat" (as the page file was at the time)
    app: Run
    ref: Run
    name: str = ""
    error: str = ""


# ---------------------------------------------------------------- browser helpers


def wait_idle(page: Page, settle_ms: int = 300) -> None:
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]',
        state="attached",
        timeout=60_000,
    )
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    page.wait_for_timeout(settle_ms)


def slider_labels(page: Page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stSlider"]')].map(s => {
             const l = s.querySelector('[data-testid="stWidgetLabel"]');
             return (l ? l.innerText : s.innerText).split('\\n')[0].trim(); })"""
    )


def thumb(page: Page, label: str):
    """The thumb of the first slider whose label is ``label`` (else starts with it)."""
    labels = slider_labels(page)
    hits = [i for i, x in enumerate(labels) if x == label] or [
        i for i, x in enumerate(labels) if x.startswith(label)
    ]
    if not hits:
        raise LookupError(f"no slider {label!r}")
    slider = page.locator('[data-testid="stSlider"]').nth(hits[0])
    return slider.locator('input[type="range"], [role="slider"]').first


def keys_for(th) -> tuple[str, str]:
    now = th.get_attribute("aria-valuenow") or th.input_value()
    at_max = now == (th.get_attribute("aria-valuemax") or th.get_attribute("max"))
    return ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")


def upload_rows(page: Page, rows: int) -> None:
    """Replace the waist → weight table by an uploaded CSV of ``rows`` seeded rows."""
    rng = random.Random(0)
    lines = ["waist,weight"]
    for _ in range(rows):
        waist = rng.uniform(50, 110)
        lines.append(f"{waist:.1f},{0.9 * waist - 8 + rng.gauss(0, 4):.1f}")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        {"name": "bench.csv", "mimeType": "text/csv", "buffer": "\n".join(lines).encode()}
    )
    page.get_by_text("a link can hold", exact=False).first.wait_for(timeout=60_000)
    wait_idle(page)


def page_layout(url_path: str) -> str:
    """How the page was built when measured: sections as fragments, a package, or flat."""
    info = next((p for p in PAGES if p.url_path == url_path), None)
    if info is None:
        return "?"
    src = ROOT / info.path
    if not src.is_file() or not info.path.endswith("/page.py"):
        return "flat"
    return "fragments" if "sections.show(" in src.read_text() else "package"


# ---------------------------------------------------------------- finding the controls


def calibrate(page: Page, only: str | None = None) -> list[Control]:
    """Move each slider once (or only ``only``); record which figures each move changes."""
    controls = []
    labels = slider_labels(page)[:MAX_SLIDERS]
    for label in labels:
        if only is not None and not label.startswith(only):
            continue
        before = {d["hash"] for d in page.evaluate(DESCRIBE_JS)}
        try:
            th = thumb(page, label)
            th.press(keys_for(th)[0], timeout=3_000)
        except Exception:  # hidden (a closed expander or tab) or disabled: not a control to time
            continue
        page.wait_for_timeout(250)
        wait_idle(page, settle_ms=SETTLE_MS)
        changed = [d for d in page.evaluate(DESCRIBE_JS) if d["hash"] not in before]
        controls.append(
            Control(
                label,
                labels.index(label),
                len(changed),
                tuple(d["spec"] for d in changed),
                sum(d["cells"] for d in changed),
            )
        )
        if only is not None:
            break
    return controls


def choose(controls: list[Control], hint: str | None) -> tuple[Control | None, Control | None]:
    """The first control (by the hint, else the first that redraws) and the heaviest."""
    moving = [c for c in controls if c.k > 0]
    first = next((c for c in moving if hint and c.label.startswith(hint)), None)
    first = first or (moving[0] if moving else None)
    heaviest = max(moving, key=lambda c: (c.k, c.cells), default=None)
    return first, heaviest


# ---------------------------------------------------------------- timing


class Tab:
    """A page in the browser, open on one view, whose moves of one slider are timed."""

    def __init__(self, browser: Browser, url: str, pid: int, rows: int = 0) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.frames: list[bytes] = []
        self.page.on(
            "websocket",
            lambda ws: ws.on(
                "framereceived",
                lambda p: self.frames.append(p if isinstance(p, bytes) else p.encode()),
            ),
        )
        self.page.goto(url)
        wait_idle(self.page)
        if rows:
            upload_rows(self.page, rows)
        self.pid, self.i = pid, 0

    def aim(self, label: str, expect: int) -> Tab:
        """Time the slider ``label`` from now on, waiting for ``expect`` changed figures."""
        self.thumb = thumb(self.page, label)
        self.keys = keys_for(self.thumb)
        self.expect, self.i = expect, 0
        return self

    def moves(self, count: int, run: Run, timed: bool) -> None:
        self.page.bring_to_front()
        for _ in range(count):
            self.frames.clear()
            cpu0 = cpu_s(self.pid)
            self.page.evaluate(ARM_JS, {"limit": LIMIT_MS, "expect": self.expect})
            self.thumb.press(self.keys[self.i % 2])
            timing = Timing.from_js(self.page.evaluate("window.__bench"))
            self.page.wait_for_timeout(80)
            self.i += 1
            if not timed:
                continue
            if timing is None:
                run.failures += 1
                continue
            run.times.append(timing)
            run.cpu_ms.append((cpu_s(self.pid) - cpu0) * 1000)
            run.kb.append(sum(len(f) for f in self.frames) / 1024)
            kinds = [k for k in map(_delta_kind, self.frames) if k]
            run.deltas.append(len(kinds))
            run.kinds.update(kinds)

    def close(self) -> None:
        self.page.close()


def _delta_kind(frame: bytes) -> str:
    """The element type a delta draws ("block" for a container; "" for no delta)."""
    msg = ForwardMsg()
    try:
        msg.ParseFromString(frame)
    except Exception:
        return ""
    if msg.WhichOneof("type") != "delta":
        return ""
    if msg.delta.HasField("new_element"):
        return msg.delta.new_element.WhichOneof("type") or "element"
    return "block"


def paired(a: Tab, r: Tab, n: int, warmup: int) -> tuple[Run, Run]:
    """Time the app's tab and the same work's tab in alternate blocks of moves."""
    app_run, ref_run = Run(), Run()
    a.moves(warmup, app_run, timed=False)
    r.moves(warmup, ref_run, timed=False)
    done = 0
    while done < n:
        step = min(BLOCK, n - done)
        a.moves(step, app_run, timed=True)
        r.moves(step, ref_run, timed=True)
        done += step
    return app_run, ref_run


def server_times(base: str, path: str, control: Control, moves: int) -> list[float]:
    """The same change over the protocol, as the browser sends it: request → run over, in ms."""

    async def go() -> list[float]:
        session = ProtocolSession(base, path)
        out, direction = [], 1
        try:
            await session.open()
            try:
                index = session.slider_index(control.label)
            except KeyError:  # a label in LaTeX reads differently in the page (KaTeX)
                index = control.index
            for _ in range(moves + 1):
                change = session.step(index, direction)
                if change == session.step(index, 0):
                    direction = -direction
                    change = session.step(index, direction)
                t0 = time.perf_counter()
                await session.rerun(change)
                out.append((time.perf_counter() - t0) * 1000)
                direction = -direction
        finally:
            await session.close()
        return out[1:]  # the first one warms up

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API owns this thread's event loop
        return pool.submit(asyncio.run, go()).result()


def first_visit(browser: Browser, url: str, samples: int) -> list[float]:
    """A new visitor (fresh browser context) opening ``url``: ms until the first figure is drawn."""
    out = []
    for _ in range(samples):
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = ctx.new_page()
        t0 = time.perf_counter()
        try:
            page.goto(url)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
            out.append((time.perf_counter() - t0) * 1000)
        except Exception:
            out.append(nan)
        finally:
            ctx.close()
    return out


def cold_start(script: str, path: str, extra: list[str], browser: Browser) -> float:
    port = free_port()
    t0 = time.perf_counter()
    proc = start_server(port, extra, script=script)
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{port}{path}")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        return (time.perf_counter() - t0) * 1000
    finally:
        page.close()
        proc.terminate()
        proc.wait(timeout=10)


def edit_times(browser: Browser, url: str, n: int) -> list[float]:
    """Table edits (cell 1, 1 set to 1.1 … 1.9 in turn) → changed figure drawn, in ms."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    out = []
    try:
        page.goto(url)
        wait_idle(page)
        for i in range(n + 2):
            open_cell_editor(page).fill(f"{1 + (i % 9 + 1) / 10:.1f}")
            page.evaluate(ARM_JS, LIMIT_MS)
            page.keyboard.press("Enter")
            timing = Timing.from_js(page.evaluate("window.__bench"))
            page.wait_for_timeout(100)
            if i >= 2 and timing is not None:
                out.append(timing.total)
    finally:
        page.close()
    return out


# ---------------------------------------------------------------- reporting


def failure(err: BaseException) -> str:
    """One line for a probe that could not run: the error and where it was raised."""
    frame = traceback.extract_tb(err.__traceback__)[-1] if err.__traceback__ else None
    where = f" ({Path(frame.filename).name}:{frame.lineno})" if frame else ""
    return f"{type(err).__name__}: {(str(err).splitlines() or [''])[0][:100]}{where}"


HEADER = (
    f"{'page':<22}{'control (k)':<28}{'median':>7}{'p95':>6}{'×same':>7}{'×same95':>8}"
    f"{'×triv':>7}  {'wait':>5}{'run':>5}{'draw':>5}  {'srv':>5}{'ref srv':>8}"
    f"{'kB':>6}{'Δ':>4}  {'CPU med/mean':>12}{'fail':>5}  layout / verdict"
)


def verdict(row: Row, trivial: float) -> list[str]:
    """The targets this row misses, each with by how much."""
    misses = []
    med, p95 = row.app.med(), row.app.p95()
    same, same95 = med / row.ref.med(), p95 / row.ref.p95()
    if row.kind == "large":
        if same > 3:
            misses.append(f"median {same:.2f}× same work > 3× (+{med - 3 * row.ref.med():.0f} ms)")
    else:
        if same > 1.3:
            extra = med - 1.3 * row.ref.med()
            misses.append(f"median {same:.2f}× same work > 1.3× (+{extra:.0f} ms)")
        if same95 > 2:
            misses.append(f"p95 {same95:.2f}× same work > 2× (+{p95 - 2 * row.ref.p95():.0f} ms)")
        if "first" in row.kind and med / trivial > 2:
            misses.append(f"median {med / trivial:.2f}× trivial > 2× (+{med - 2 * trivial:.0f} ms)")
    cpu = pct(row.app.cpu_ms, 0.5)
    if cpu > 25:
        misses.append(f"server CPU {cpu:.0f} ms > 25 ms")
    return misses


def line(row: Row, trivial: float) -> str:
    title = row.name or ("/" + row.page)
    if row.error:
        return f"{title:<22}{row.kind:<28}error: {row.error}"
    a, r = row.app, row.ref
    short = {"first": "first", "heaviest": "heavy", "first+heaviest": "both", "large": "large"}
    control = f"{short[row.kind]}: {row.control.label[:18]} ({row.control.k})"
    misses = verdict(row, trivial)
    return (
        f"{title:<22}{control:<28}{a.med():7.0f}{a.p95():6.0f}{a.med() / r.med():7.2f}"
        f"{a.p95() / r.p95():8.2f}{a.med() / trivial:7.2f}  "
        + "".join(f"{a.part(k):5.0f}" for k in PARTS)
        + f"  {pct(a.server_ms, 0.5):5.0f}{pct(r.server_ms, 0.5):8.0f}"
        f"{statistics.median(a.kb or [nan]):6.0f}{statistics.median(a.deltas or [0]):4.0f}  "
        f"{pct(a.cpu_ms, 0.5):6.0f}/{statistics.fmean(a.cpu_ms or [nan]):<5.0f}{a.failures:5d}  "
        f"{row.layout}; {'ok' if not misses else 'MISS: ' + '; '.join(misses)}"
    )


def where_it_goes(row: Row) -> str:
    """The page's excess over the same work, split into server and browser (measured)."""
    a, r = row.app, row.ref
    srv_a, srv_r = pct(a.server_ms, 0.5), pct(r.server_ms, 0.5)
    excess = a.med() - r.med()
    server = srv_a - srv_r
    return (
        f"{excess:+.0f} ms over the same work: server {server:+.0f} ms (script + sending, "
        f"{srv_a:.0f} vs {srv_r:.0f} ms), browser {excess - server:+.0f} ms (wait/run/draw "
        f"{a.part('wait'):.0f}/{a.part('run'):.0f}/{a.part('draw'):.0f} vs "
        f"{r.part('wait'):.0f}/{r.part('run'):.0f}/{r.part('draw'):.0f}); "
        f"{statistics.median(a.deltas or [0]):.0f} deltas, {statistics.median(a.kb or [nan]):.0f} "
        f"kB vs {statistics.median(r.deltas or [0]):.0f} deltas, "
        f"{statistics.median(r.kb or [nan]):.0f} kB; the page's deltas per move: "
        + ", ".join(f"{k} {v / max(1, len(a.times)):.0f}" for k, v in a.kinds.most_common(6))
    )


def markdown(
    rows: list[Row], trivial: Run, visits: dict[str, list[float]], stamp: str, n: int
) -> str:
    t = trivial.med()
    out = [
        f"Measured {stamp} by `python bench/latency.py` (headless Chromium, 2 cores shared with "
        f"other work; load average {os.getloadavg()[0]:.1f} at the end; n = {n} moves per "
        f"control and as many of the same work). Trivial app (one slider → one "
        f"8 × 8 heatmap): median {t:.0f} ms, p95 {trivial.p95():.0f} ms (before: "
        f"{BEFORE_TRIVIAL} ms).",
        "",
        "### Before / after: first control (keydown → its figures drawn)",
        "",
        "| page | layout now | before | × floor | after median | × trivial | k | × same work | "
        "server CPU ms (median) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if "first" not in row.kind or row.error:
            continue
        before = BEFORE.get(row.page)
        b = f"{before} ms | {before / BEFORE_TRIVIAL:.1f}" if before else "– | –"
        out.append(
            f"| /{row.page} | {row.layout} | {b} | {row.app.med():.0f} ms | "
            f"{row.app.med() / t:.1f} | {row.control.k} | {row.app.med() / row.ref.med():.2f} | "
            f"{pct(row.app.cpu_ms, 0.5):.0f} |"
        )
    out += [
        "",
        "### Every control measured (after)",
        "",
        "| page | control | k | median | p95 | same work median / p95 | × same (med / p95) | "
        "× trivial | server ms (app / same work) | kB / deltas per move | CPU ms med / mean | "
        "targets |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        name = row.name or "/" + row.page
        if row.error:
            out.append(f"| {name} | {row.kind} | | error: {row.error} ||||||||")
            continue
        a, r = row.app, row.ref
        misses = verdict(row, t)
        out.append(
            f"| {name} | {row.kind}: {row.control.label} | {row.control.k} | {a.med():.0f} | "
            f"{a.p95():.0f} | {r.med():.0f} / {r.p95():.0f} | {a.med() / r.med():.2f} / "
            f"{a.p95() / r.p95():.2f} | {a.med() / t:.2f} | {pct(a.server_ms, 0.5):.0f} / "
            f"{pct(r.server_ms, 0.5):.0f} | {statistics.median(a.kb or [nan]):.0f} / "
            f"{statistics.median(a.deltas or [0]):.0f} | {pct(a.cpu_ms, 0.5):.0f} / "
            f"{statistics.fmean(a.cpu_ms or [nan]):.0f} | "
            f"{'ok' if not misses else '; '.join(misses)} |"
        )
    missed = [r for r in rows if not r.error and verdict(r, t)]
    if missed:
        out += ["", "### Where the time goes where a target is missed", ""]
        out += [f"- {r.name or '/' + r.page} ({r.kind}): {where_it_goes(r)}" for r in missed]
    out += [
        "",
        "### A new visitor's first figure (warm server; target ≤ 2 s)",
        "",
        "| page | median ms | samples |",
        "|---|---|---|",
    ]
    for path, v in visits.items():
        name = path if path[:1] == "(" else "/" + path
        out.append(f"| {name} | {statistics.median(v):.0f} | {', '.join(f'{x:.0f}' for x in v)} |")
    out += ["", "Specs of the same-work reference per control (bench/reference_app.py `figs`):", ""]
    out += [
        f"- {r.name or '/' + r.page} ({r.kind}): `{','.join(r.control.specs)}`"
        for r in rows
        if not r.error
    ]
    return "\n".join(out)


# ---------------------------------------------------------------- main


def tree_state() -> str:
    """The commit measured, and whether the app's files had changes not yet committed."""

    def git(*a: str) -> str:
        out = subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, check=False)
        return out.stdout.strip()

    dirty = git("status", "--porcelain", "--", "app.py", "app_pages", "ui", "attn_core")
    lines = len(dirty.splitlines())
    return f"commit {git('rev-parse', '--short', 'HEAD')}" + (
        f" with {lines} app files changed in the working tree" if lines else ""
    )


def config_gc() -> str:
    """``runner.postScriptGC`` as the servers read it from .streamlit/config.toml."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    return str(config.get("runner", {}).get("postScriptGC", True)).lower()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=15, help="timed moves per control (and reference)")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--only", default="", help="comma-separated URL paths (overview: /)")
    ap.add_argument("--no-large", action="store_true", help="skip the large inputs")
    ap.add_argument("--visits", type=int, default=3, help="first-visit samples per page")
    ap.add_argument("--server-moves", type=int, default=6, help="protocol moves per control")
    ap.add_argument("--edits", type=int, default=0, help="table edits timed (0: none)")
    ap.add_argument("--cold", type=int, default=0, help="cold starts per app (0: none)")
    ap.add_argument("--gc-off", action="store_true", help="runner.postScriptGC=false on both")
    ap.add_argument("--write", default="", help="also write the tables into this Markdown file")
    args = ap.parse_args()
    extra = ["--runner.postScriptGC", "false"] if args.gc_off else []
    wanted = {w.strip("/") for w in args.only.split(",") if w} if args.only else None
    pages = [p for p in PAGES if wanted is None or p.url_path in wanted]

    servers: dict[str, subprocess.Popen] = {}
    base: dict[str, str] = {}
    for name, script in (("ref", "bench/reference_app.py"),) + (
        (("ref_editor", "bench/reference_editor_app.py"),) if args.edits else ()
    ):
        port = free_port()
        servers[name] = start_server(port, extra, script=script)
        base[name] = f"http://127.0.0.1:{port}"
    ref_pid = servers["ref"].pid
    print(
        f"postScriptGC {'false' if args.gc_off else config_gc()}; n = {args.n} timed moves per "
        f"control after {args.warmup} warm-up, alternating in blocks of {BLOCK} with the same "
        f"work in bench/reference_app.py; times in ms, keydown → the k changed figures drawn; "
        f"wait/run/draw: medians of the parts (bench/probe.py); srv: the change as a fragment "
        f"rerun over the protocol, request → run over; kB, Δ: sent per move; CPU: the server "
        f"process's per move (its CPU-time clock)\n",
        flush=True,
    )
    rows: list[Row] = []
    visits: dict[str, list[float]] = {}
    t_start = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    t_start += f", load average {os.getloadavg()[0]:.1f} at the start, {tree_state()}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            one = Control("Reference value", 0, 1, ("P1-h8x8t",), 64)
            trivial = Run()
            tab = Tab(browser, base["ref"] + "/", ref_pid).aim(one.label, 1)
            tab.moves(args.warmup, trivial, timed=False)
            tab.moves(2 * args.n, trivial, timed=True)
            trivial_ms = trivial.med()
            print(
                f"trivial app (one slider → one 8 × 8 heatmap): median {trivial_ms:.0f}, "
                f"p95 {trivial.p95():.0f}, CPU {pct(trivial.cpu_ms, 0.5):.0f} ms per move\n"
            )
            print(HEADER, flush=True)

            def probe(url_path: str, query: str, name: str = "", large: Large | None = None):
                """Open the page once, find its controls, time them against the same work."""
                path = f"/{url_path}?lang=en" + (f"&{query}" if query else "")
                layout = page_layout(url_path)
                upload = large.upload_rows if large else 0
                app_tab = None
                # a fresh server per page: a long-lived one keeps the modules it imported while
                # the tree changes under it, and pages importing new names fail
                port = free_port()
                server = start_server(port, extra)
                here = base | {"app": f"http://127.0.0.1:{port}"}
                try:
                    app_tab = Tab(browser, here["app"] + path, server.pid, upload)
                    if large is None:
                        first, heaviest = choose(calibrate(app_tab.page), FIRST.get(url_path))
                        if first is None or heaviest is None:
                            raise LookupError("no slider whose move changes a figure")
                        todo = (
                            [("first+heaviest", first)]
                            if first == heaviest
                            else [("first", first), ("heaviest", heaviest)]
                        )
                    else:
                        found = calibrate(app_tab.page, only=large.label)
                        todo = [("large", next(c for c in found if c.k > 0))]
                    for kind, control in todo:
                        row = measure_row(
                            app_tab, browser, here, ref_pid, url_path, path, kind, control,
                            layout, args, upload,
                        )  # fmt: skip
                        row.name = name
                        rows.append(row)
                        print(line(row, trivial_ms), flush=True)
                    if large is None:  # the server is warm: it has run this page
                        v = first_visit(browser, here["app"] + path, args.visits)
                        visits[url_path] = v
                        print(f"{'':<22}first figure for a new visitor: median "
                              f"{statistics.median(v):.0f} ms", flush=True)  # fmt: skip
                except Exception as err:  # a page that cannot be probed is reported, not fatal
                    kind = "large" if large else "first"
                    rows.append(Row(url_path, kind, one, layout, Run(), Run(), name, failure(err)))
                    print(line(rows[-1], trivial_ms), flush=True)
                finally:
                    if app_tab is not None:
                        app_tab.close()
                    server.terminate()
                    server.wait(timeout=20)

            for info in pages:
                probe(info.url_path, "")
            if not args.no_large:
                for large in LARGE:
                    if wanted is None or large.url_path in wanted:
                        probe(large.url_path, large.query, large.name, large)
            tab.moves(args.n, trivial, timed=True)  # the trivial app again, at the end's load
            tab.close()
            print(f"trivial app at the end: median {trivial.med():.0f} ms over both")
            trivial_ms = trivial.med()
            print("\nA new visitor's first figure on a warm server (ms; target ≤ 2,000):")
            visits["(trivial app)"] = first_visit(browser, base["ref"] + "/", args.visits)
            for path, v in visits.items():
                flag = "ok" if statistics.median(v) <= 2000 else "MISS"
                print(
                    f"  {path if path[:1] == '(' else '/' + path:<21} median "
                    f"{statistics.median(v):6.0f}  ({', '.join(f'{x:.0f}' for x in v)})  {flag}"
                )
            if args.edits:
                ref_e = edit_times(browser, base["ref_editor"] + "/", args.edits)
                port = free_port()
                server = start_server(port, extra)
                try:
                    app_e = edit_times(browser, f"http://127.0.0.1:{port}/qkv?lang=en", args.edits)
                finally:
                    server.terminate()
                print(
                    f"\ntable edit → figure: reference editor median {pct(ref_e, 0.5):.0f}, "
                    f"Q·K·V {pct(app_e, 0.5):.0f} ms"
                )
            if args.cold:
                cold = {
                    label: [cold_start(script, p, extra, browser) for _ in range(args.cold)]
                    for label, script, p in (
                        ("reference", "bench/reference_app.py", "/"),
                        ("app", "app.py", "/?lang=en"),
                    )
                }
                print(
                    "cold start, process start → first figure (ms): "
                    + ", ".join(f"{k} median {statistics.median(v):.0f}" for k, v in cold.items())
                )
            browser.close()
    finally:
        for proc in servers.values():
            proc.terminate()
    summary(rows, trivial_ms, visits)
    if args.write:
        text = markdown(rows, trivial, visits, t_start, args.n)
        write_section(Path(args.write), "latency", text)
        print(f"\nwritten to {args.write}")


def measure_row(
    tab: Tab,
    browser: Browser,
    base: dict[str, str],
    ref_pid: int,
    url_path: str,
    path: str,
    kind: str,
    control: Control,
    layout: str,
    args: argparse.Namespace,
    rows: int = 0,
) -> Row:
    """Time ``control`` on the app's ``tab`` against the same work (a reference tab opened here),
    then the server's time for both over the protocol."""
    ref_path = "/?" + control.reference_query()
    try:
        ref_tab = Tab(browser, base["ref"] + ref_path, ref_pid)
        try:
            tab.aim(control.label, control.k)
            ref_tab.aim("Reference value", control.k)
            app_run, ref_run = paired(tab, ref_tab, args.n, args.warmup)
        finally:
            ref_tab.close()
    except Exception as err:
        return Row(url_path, kind, control, layout, Run(), Run(), error=failure(err))
    row = Row(url_path, kind, control, layout, app_run, ref_run)
    reference = Control("Reference value", 0, control.k, control.specs, control.cells)
    for run, where, show, what in (
        (app_run, base["app"], path, control),
        (ref_run, base["ref"], ref_path, reference),
    ):
        if what is control and rows:  # an upload is not a URL: no protocol session sees it
            continue
        try:
            run.server_ms = server_times(where, show, what, args.server_moves)
        except Exception as err:  # the browser's numbers stand; the server column stays empty
            print(f"  (server time not measured: {failure(err)})")
    return row


def summary(rows: list[Row], trivial: float, visits: dict[str, list[float]]) -> None:
    ok = [r for r in rows if not r.error and not verdict(r, trivial)]
    missed = [r for r in rows if not r.error and verdict(r, trivial)]
    errors = [r for r in rows if r.error]
    print(f"\nload average now {os.getloadavg()[0]:.1f} (2 cores)")
    print(
        f"summary: {len(ok)} of {len(rows)} measured controls meet every target; "
        f"{len(missed)} miss one or more; {len(errors)} could not be measured"
    )
    for r in missed:
        print(
            f"  {r.name or '/' + r.page} ({r.kind}, {r.control.label}, k = {r.control.k}, "
            f"{r.layout}): {'; '.join(verdict(r, trivial))}"
        )
        print(f"      {where_it_goes(r)}")
    for r in errors:
        print(f"  {r.name or '/' + r.page}: not measured ({r.error})")
    slow = [p for p, v in visits.items() if statistics.median(v) > 2000 and p[:1] != "("]
    print(f"  first figure for a new visitor > 2 s: {', '.join('/' + p for p in slow) or 'none'}")


if __name__ == "__main__":
    main()
