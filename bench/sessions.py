"""Many real browser sessions against one server: a classroom opening one link at once.

For each N (default 1, 10, 20, 40) a fresh server is started on 127.0.0.1 and N Playwright
contexts of one headless Chromium (Debian's, never downloaded) open it at the same moment,
spread over the pages. Each session then moves a slider every ~2 s (jittered) for
``--duration`` seconds and times, inside its page, the keydown → "a changed figure is drawn
and the script run is over" interval (as bench/latency.py does). Printed per N:

- errors: timeouts, pages that lost their connection, exceptions shown on a page, page
  errors in the browser;
- latency p50 / p95 / max of the interactions, and of the first load;
- server memory (VmRSS from /proc/<pid>/status): at start, with one warmed-up idle session,
  with N idle sessions (→ growth per idle session after the first), at the peak of the run;
- server CPU seconds used during the run.

Every loop is bounded in count and in time and stops by itself; only 127.0.0.1 is contacted.

Server and browsers share this machine's two cores. A Chromium page spends 0.3–0.5 s of CPU
drawing one interaction, so 40 of them moving a slider every 2 s ask for ~8 cores: at large N
an all-browser run measures the browsers, not the server. ``--browsers B`` keeps B real browser
sessions and makes the other N − B protocol sessions (bench/ws_session.py): they open the same
pages and send the same rerun requests over Streamlit's WebSocket, so the server does exactly
the work of N students, while only B browsers draw. Both kinds are reported: browser latency
is what a student sees (keydown → figure drawn); protocol latency is request → run over.

    python bench/sessions.py                          # N = 1, 10, 20, 40; all browsers
    python bench/sessions.py --browsers 4             # 4 browsers + N − 4 protocol sessions
    python bench/sessions.py --browsers 2 --replicas 2  # two servers behind nginx
    python bench/sessions.py --ns 1,5 --duration 30   # a quick check
    python bench/sessions.py --pages overview,softmax --json bench/out/sessions.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.probe import ARM_JS, Timing, cpu_s, pct, rss_mb, write_section  # noqa: E402
from bench.ws_session import ProtocolSession  # noqa: E402
from tests.e2e import proxy  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_server  # noqa: E402
from ui.navigation import available  # noqa: E402

READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
LIMIT_MS = 20_000  # an interaction slower than this counts as an error


@dataclass(frozen=True)
class Target:
    """A page and the slider (by position and label) whose move changes a figure there."""

    ns: str
    path: str
    slider: int
    label: str = ""


@dataclass
class Result:
    n: int
    targets: list[str]
    browsers: int = 0
    actions: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    latency_ms: list[float] = field(default_factory=list)
    open_ms: list[float] = field(default_factory=list)
    ws_latency_ms: list[float] = field(default_factory=list)  # protocol sessions
    ws_fragment_moves: int = 0  # protocol moves sent as a fragment rerun (as the browser does)
    ws_open_ms: list[float] = field(default_factory=list)
    rss_start_mb: float = 0.0
    rss_one_idle_mb: float = 0.0
    rss_idle_mb: float = 0.0
    rss_peak_mb: float = 0.0
    cpu_s: float = 0.0
    wall_s: float = 0.0

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


async def wait_ready(page: Page, timeout_ms: int = 60_000) -> None:
    await page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-connection-state') === 'CONNECTED'",
        timeout=timeout_ms,
    )
    await page.wait_for_timeout(150)
    await page.wait_for_selector(READY, state="attached", timeout=timeout_ms)
    await page.wait_for_selector(".js-plotly-plot .main-svg", timeout=timeout_ms)


def thumb_of(page: Page, index: int):
    slider = page.locator('[data-testid="stSlider"]').nth(index)
    return slider.locator('input[type="range"], [role="slider"]').first


async def direction(thumb, previous: str | None) -> str:
    """Right unless at the maximum; then back and forth around where it is."""
    value = await thumb.get_attribute("aria-valuenow") or await thumb.input_value()
    high = await thumb.get_attribute("aria-valuemax") or await thumb.get_attribute("max")
    low = await thumb.get_attribute("aria-valuemin") or await thumb.get_attribute("min")
    if value == high:
        return "ArrowLeft"
    if value == low:
        return "ArrowRight"
    return "ArrowLeft" if previous == "ArrowRight" else "ArrowRight"


async def move(page: Page, index: int, previous: str | None) -> tuple[float, str]:
    thumb = thumb_of(page, index)
    key = await direction(thumb, previous)
    await page.evaluate(ARM_JS, LIMIT_MS)
    await thumb.focus()
    await thumb.press(key)
    timing = Timing.from_js(await page.evaluate("window.__bench"))
    return (-1.0 if timing is None else timing.total), key


async def calibrate(browser: Browser, base: str, only: set[str] | None) -> list[Target]:
    """For each page, the first of its sliders whose move redraws a figure."""
    targets = []
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    for info in available():
        if only and info.ns not in only:
            continue
        path = f"/{info.url_path}?lang=en"
        await page.goto(base + path)
        await wait_ready(page)
        labels = await page.evaluate(
            """() => [...document.querySelectorAll('[data-testid="stSlider"]')].map(s => {
                 const l = s.querySelector('[data-testid="stWidgetLabel"]');
                 return (l ? l.innerText : s.innerText).split('\\n')[0].trim(); })"""
        )
        for i in range(min(len(labels), 4)):
            try:
                ms, _ = await move(page, i, None)
            except Exception:  # a hidden or disabled slider: try the next
                continue
            if ms >= 0:
                targets.append(Target(info.ns, path, i, labels[i]))
                break
    await page.close()
    return targets


async def open_session(browser: Browser, base: str, target: Target, res: Result):
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    page.on("pageerror", lambda _err: res.error("page error"))
    t0 = time.perf_counter()
    try:
        await page.goto(base + target.path, timeout=60_000)
        await wait_ready(page)
        res.open_ms.append((time.perf_counter() - t0) * 1000)
    except Exception:
        res.error("open")
    return ctx, page


async def open_protocol(base: str, target: Target, res: Result) -> ProtocolSession | None:
    session = ProtocolSession(base, target.path)
    t0 = time.perf_counter()
    try:
        stats = await session.open()
    except Exception:
        res.error("open")
        return None
    res.ws_open_ms.append((time.perf_counter() - t0) * 1000)
    if stats.exceptions:
        res.error("exception on page")
    return session


async def paced(
    until: float, max_actions: int, interval: float, rng: random.Random
) -> AsyncIterator[int]:
    """A session's moments to act: every ``interval`` s ± 25 %, until ``until`` (monotonic
    time) or ``max_actions``, whichever comes first."""
    for i in range(max_actions):
        await asyncio.sleep(interval * rng.uniform(0.75, 1.25))
        if time.monotonic() >= until:
            return
        yield i


async def drive_protocol(
    session: ProtocolSession,
    target: Target,
    until: float,
    max_actions: int,
    interval: float,
    res: Result,
    rng: random.Random,
) -> None:
    direction, shown = 1, None
    try:  # the protocol's sliders are those the server sent, found by label
        index = session.slider_index(target.label) if target.label else target.slider
    except KeyError:  # a LaTeX label reads differently in the page (KaTeX): by position
        index = target.slider
    if index >= len(session.sliders):
        res.error("no such slider")
        return
    async for _ in paced(until, max_actions, interval, rng):
        try:
            change = session.step(index, direction)
            if change == session.step(index, 0):  # at an end of the slider: turn
                direction = -direction
                change = session.step(index, direction)
            t0 = time.perf_counter()
            stats = await session.rerun(change)  # a fragment rerun when the slider is in one
        except TimeoutError:
            res.error(f"timeout on {target.ns}")
            continue
        except Exception:
            res.error("disconnected")
            return
        res.actions += 1
        direction = -direction
        res.ws_latency_ms.append((time.perf_counter() - t0) * 1000)
        res.ws_fragment_moves += bool(session.fragment_id_of(change.id))
        if stats.exceptions:
            res.error(f"exception on {target.ns}: {stats.exception_texts[0][:80]}")
        if shown is not None and not stats.figures - shown:
            res.error(f"no figure changed on {target.ns}")
        shown = stats.figures


async def drive(
    page: Page,
    target: Target,
    until: float,
    max_actions: int,
    interval: float,
    res: Result,
    rng: random.Random,
) -> None:
    previous = None
    async for _ in paced(until, max_actions, interval, rng):
        try:
            ms, previous = await move(page, target.slider, previous)
        except Exception:
            res.error("action")
            continue
        res.actions += 1
        if ms < 0:
            res.error("timeout")
        else:
            res.latency_ms.append(ms)
        if await page.locator('[data-testid="stException"]').count():
            res.error("exception on page")
        state = await page.locator('[data-testid="stApp"]').get_attribute(
            "data-test-connection-state"
        )
        if state != "CONNECTED":
            res.error("disconnected")


async def run_n(
    browser: Browser, n: int, targets: list[Target], args: argparse.Namespace
) -> Result:
    browsers = min(n, args.browsers or n)
    res = Result(n=n, targets=[f"{t.ns}#{t.slider}" for t in targets], browsers=browsers)
    contexts = []
    protocol: list[ProtocolSession | None] = []
    with servers(args) as (base, pids, direct):

        def rss() -> float:
            return sum(rss_mb(pid) for pid in pids)

        def cpu() -> float:
            return sum(cpu_s(pid) for pid in pids)

        try:
            await asyncio.sleep(args.settle)
            res.rss_start_mb = rss()
            for url in direct:  # every replica has imported every page (a browser warms one)
                for t in targets:
                    warm = ProtocolSession(url, t.path)
                    await warm.open()
                    await warm.close()
            # one session visits every page first (imports, caches), then stays: the baseline
            ctx, page = await open_session(browser, base, targets[0], res)
            contexts.append(ctx)
            for t in targets[1:]:
                await page.goto(base + t.path)
                await wait_ready(page)
            await page.goto(base + targets[0].path)
            await wait_ready(page)
            sessions = [(page, targets[0])]
            await asyncio.sleep(args.settle)
            res.rss_one_idle_mb = rss()
            # the rest of the class opens the link at the same moment
            chosen = [targets[i % len(targets)] for i in range(1, n)]
            in_browser, by_protocol = chosen[: browsers - 1], chosen[browsers - 1 :]
            opened, protocol = await asyncio.gather(  # type: ignore[assignment]
                asyncio.gather(*(open_session(browser, base, t, res) for t in in_browser)),
                asyncio.gather(*(open_protocol(base, t, res) for t in by_protocol)),
            )
            contexts += [c for c, _ in opened]
            sessions += [(p, t) for (_, p), t in zip(opened, in_browser, strict=True)]
            await asyncio.sleep(args.settle)
            res.rss_idle_mb = rss()

            peak = {"mb": res.rss_idle_mb}
            stop = asyncio.Event()

            async def sample() -> None:
                while not stop.is_set():
                    peak["mb"] = max(peak["mb"], rss())
                    await asyncio.sleep(0.5)

            sampler = asyncio.create_task(sample())
            cpu0, wall0 = cpu(), time.monotonic()
            until = wall0 + args.duration
            max_actions = int(args.duration / (args.interval * 0.75)) + 1
            rng = random.Random(args.seed)
            drivers = [
                drive(p, t, until, max_actions, args.interval, res, random.Random(rng.random()))
                for p, t in sessions
            ] + [
                drive_protocol(
                    p, t, until, max_actions, args.interval, res, random.Random(rng.random())
                )
                for p, t in zip(protocol, by_protocol, strict=True)
                if p is not None
            ]
            try:
                await asyncio.wait_for(asyncio.gather(*drivers), timeout=args.duration + 120)
            except TimeoutError:
                res.error("run overtime")
            res.cpu_s = cpu() - cpu0
            res.wall_s = time.monotonic() - wall0
            stop.set()
            await sampler
            res.rss_peak_mb = peak["mb"]
        finally:
            for c in contexts:
                await c.close()
            for session in protocol:
                if session is not None:
                    await session.close()
    return res


@contextmanager
def servers(args: argparse.Namespace) -> Iterator[tuple[str, list[int], list[str]]]:
    """The app for one N: its URL, its server processes' ids and each one's own URL.

    One server, or ``--replicas`` of them behind nginx (deploy/nginx.conf), as a school with
    several cores would run it: one Python process uses about one core.
    """
    if args.replicas <= 1:
        port = free_port()
        proc = start_server(port, args.server_args)
        try:
            url = f"http://127.0.0.1:{port}"
            yield url, [proc.pid], [url]
        finally:
            proxy.stop(proc)
        return
    nginx = proxy.find_nginx()
    if nginx is None:
        raise SystemExit("--replicas needs nginx (apt-get install nginx)")
    with proxy.deployment(nginx, args.replicas, args.server_args) as d:
        yield (
            d.url,
            [p.pid for p in d.replicas.values()],
            [f"http://127.0.0.1:{port}" for port in d.replicas],
        )


def report(res: Result) -> str:
    growth = (res.rss_idle_mb - res.rss_one_idle_mb) / (res.n - 1) if res.n > 1 else float("nan")
    kinds = ", ".join(f"{k}: {v}" for k, v in sorted(res.error_kinds.items())) or "-"

    def line(name: str, lat: list[float], op: list[float]) -> str:
        return (
            f"       {name:<9} latency ms  p50 {pct(lat, 0.5):6.0f}  p95 {pct(lat, 0.95):6.0f}  "
            f"max {max(lat, default=float('nan')):6.0f}  ({len(lat)})   "
            f"first load ms  p50 {pct(op, 0.5):6.0f}  p95 {pct(op, 0.95):6.0f}\n"
        )

    return (
        f"N={res.n:>3} ({res.browsers} in browsers)  actions {res.actions:>5}  "
        f"errors {res.errors:>3} ({kinds})\n"
        + line("browsers", res.latency_ms, res.open_ms)
        + (
            line("protocol", res.ws_latency_ms, res.ws_open_ms)
            + f"       protocol moves sent as fragment reruns: {res.ws_fragment_moves} of "
            f"{len(res.ws_latency_ms)}\n"
            if res.browsers < res.n
            else ""
        )
        + f"       server RSS MB  start {res.rss_start_mb:6.1f}  "
        f"1 idle {res.rss_one_idle_mb:6.1f}  "
        f"{res.n} idle {res.rss_idle_mb:6.1f}  peak {res.rss_peak_mb:6.1f}  "
        f"→ {growth:5.2f} MB per idle session after the first\n"
        f"       server CPU {res.cpu_s:6.1f} s in {res.wall_s:5.1f} s "
        f"({res.cpu_s / max(res.wall_s, 1e-9):.0%} of one core)\n"
        f"       targets (0 errors, browser and protocol p95 ≤ 1 s): {verdict(res)}"
    )


def verdict(res: Result) -> str:
    """``ok`` or what misses the classroom targets, by how much."""
    misses = [f"{res.errors} errors"] if res.errors else []
    for name, lat in (("browser", res.latency_ms), ("protocol", res.ws_latency_ms)):
        p95 = pct(lat, 0.95)
        if lat and p95 > 1000:
            misses.append(f"{name} p95 {p95:.0f} ms > 1,000 ms (+{p95 - 1000:.0f})")
    return "ok" if not misses else "MISS: " + "; ".join(misses)


def markdown(results: list[Result], args: argparse.Namespace) -> str:
    """The results as a Markdown table (for docs/performance.md)."""
    out = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `python "
        f"bench/sessions.py --ns {','.join(map(str, args.ns))} --browsers {args.browsers} "
        f"--duration {args.duration:g}` ({args.replicas} server process"
        f"{'es' if args.replicas > 1 else ''}; a move every ~{args.interval:g} s per session; "
        f"protocol sessions send a move as the browser does, a fragment rerun; load average "
        f"{os.getloadavg()[0]:.1f} at the end, 2 cores).",
        "",
        "| sessions | browsers | moves | errors | browser p50 / p95 ms | protocol p50 / p95 ms | "
        "fragment reruns | server CPU (of one core) | CPU ms per move | RSS peak MB | targets |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        out.append(
            f"| {r.n} | {r.browsers} | {r.actions} | {r.errors} | "
            f"{pct(r.latency_ms, 0.5):.0f} / {pct(r.latency_ms, 0.95):.0f} | "
            f"{pct(r.ws_latency_ms, 0.5):.0f} / {pct(r.ws_latency_ms, 0.95):.0f} | "
            f"{r.ws_fragment_moves} of {len(r.ws_latency_ms)} | "
            f"{r.cpu_s / max(r.wall_s, 1e-9):.0%} | {r.cpu_s * 1000 / max(r.actions, 1):.0f} | "
            f"{r.rss_peak_mb:.0f} | {verdict(r)} |"
        )
    for r in results:
        if r.error_kinds:
            kinds = ", ".join(f"{k}: {v}" for k, v in sorted(r.error_kinds.items()))
            out.append(f"\nErrors at N = {r.n}: {kinds}.")
    return "\n".join(out)


async def main_async(args: argparse.Namespace) -> list[Result]:
    only = set(args.pages.split(",")) if args.pages else None
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            port = free_port()
            proc = start_server(port)
            try:
                targets = await calibrate(browser, f"http://127.0.0.1:{port}", only)
            finally:
                proc.terminate()
                proc.wait(timeout=10)
            if not targets:
                raise SystemExit("no page with a slider that redraws a figure")
            print(
                "pages and sliders:",
                ", ".join(f"{t.ns} (slider {t.slider}: {t.label})" for t in targets),
            )
            results = []
            for n in args.ns:
                res = await run_n(browser, n, targets, args)
                print(report(res), flush=True)
                results.append(res)
            return results
        finally:
            await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ns", default="1,10,20,40", help="session counts, comma-separated")
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of work per N")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between moves")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds before RSS readings")
    parser.add_argument("--pages", default="", help="only these page namespaces (a,b,c)")
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="app servers behind nginx (deploy/nginx.conf); 1: one server, no proxy",
    )
    parser.add_argument(
        "--browsers",
        type=int,
        default=0,
        help="real browser sessions per N; the rest are protocol sessions (default: all)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default="", help="also write the results here")
    parser.add_argument("--write", default="", help="also write a table into this Markdown file")
    parser.add_argument(
        "--gc",
        choices=("config", "on", "off"),
        default="config",
        help="runner.postScriptGC for the measured server (default: as .streamlit/config.toml)",
    )
    args = parser.parse_args()
    args.ns = [int(x) for x in args.ns.split(",") if x]
    gc = {"on": "true", "off": "false"}.get(args.gc)
    args.server_args = ["--runner.postScriptGC", gc] if gc else []
    if any(n < 1 or n > 200 for n in args.ns):
        raise SystemExit("N must be between 1 and 200")
    t0 = time.perf_counter()
    results = asyncio.run(main_async(args))
    print(f"total {time.perf_counter() - t0:.0f} s, load average {os.getloadavg()[0]:.1f}")
    if args.write:
        write_section(Path(args.write), "sessions", markdown(results, args))
    if args.json:
        out = Path(args.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        rows: list[dict[str, Any]] = []
        for r in results:
            row = asdict(r)
            row |= {
                "latency_p50_ms": pct(r.latency_ms, 0.5),
                "latency_p95_ms": pct(r.latency_ms, 0.95),
                "latency_mean_ms": statistics.fmean(r.latency_ms) if r.latency_ms else None,
                "protocol_p50_ms": pct(r.ws_latency_ms, 0.5),
                "protocol_p95_ms": pct(r.ws_latency_ms, 0.95),
            }
            rows.append(row)
        out.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
