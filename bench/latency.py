"""Interaction latency in a real browser: every page against Streamlit's own floor.

Starts the app and a trivial reference app (bench/reference_app.py: one slider → one 8 × 8
heatmap) on 127.0.0.1 with the same Streamlit and config, drives headless Chromium with
Playwright (keyboard on a slider thumb, as Streamlit's own tests do) and times, inside the
page, from the keydown to the moment a changed figure is drawn and the script run is over.
Prints median and p95 per probe, the ratio to the reference, and the bytes the server sent
per interaction. Also cold start (process start → first figure painted) and table edits
against a reference editor app. Numbers, not a test.

    python bench/latency.py                 # every probe, 25 interactions each
    python bench/latency.py -n 40 --only overview,qkv
    python bench/latency.py --gc-off        # both servers with runner.postScriptGC=false
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.probe import ARM_JS, Timing, cpu_s, pct  # noqa: E402
from tests.e2e.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    open_cell_editor,
    start_server,
)

LIMIT_MS = 20_000  # an interaction slower than this counts as a failure
PARTS = ("wait", "run", "draw")
nan = float("nan")


@dataclass(frozen=True)
class Probe:
    name: str
    server: str  # "app", "ref" or "ref_editor"
    path: str  # URL path and query
    slider: str | None = None  # label text of the slider to press (None: the first slider)
    edit: bool = False  # time a table edit instead of a slider
    group: str = "default"  # "default" (target 1.3×), "large" (target 3×), "edit"
    upload_rows: int = 0  # upload a waist,weight CSV of this many rows before timing


PROBES: tuple[Probe, ...] = (
    Probe("reference", "ref", "/"),
    Probe("overview", "app", "/?lang=en", "Query: sweet"),
    Probe("qkv", "app", "/qkv?lang=en", "Temperature"),
    Probe(
        "qkv n=512",
        "app",
        "/qkv?lang=en&gen=random&n_q=512&n_k=512&d_k=64&d_v=64",
        "Temperature",
        group="large",
    ),
    Probe(
        "qkv n=1024",
        "app",
        "/qkv?lang=en&gen=random&n_q=1024&n_k=1024&d_k=64&d_v=64",
        "Temperature",
        group="large",
    ),
    Probe("waist-weight", "app", "/waist-weight?lang=en", "Query"),
    Probe(
        "waist-weight 1000 rows",
        "app",
        "/waist-weight?lang=en",
        "Query",
        group="large",
        upload_rows=1000,
    ),
    Probe("softmax", "app", "/softmax?lang=en", "Temperature"),
    Probe("alignment", "app", "/alignment?lang=en", None),
    Probe("self-attention", "app", "/self-attention?lang=en", None),
    Probe("cnn-vs-attention", "app", "/cnn-vs-attention?lang=en", "Row (from the top)"),
    Probe(
        "cnn-vs-attention 64×64",
        "app",
        "/cnn-vs-attention?lang=en&size=64",
        "Row (from the top)",
        group="large",
    ),
    Probe("complexity", "app", "/complexity?lang=en", None),
    Probe("reference editor", "ref_editor", "/", edit=True, group="edit"),
    Probe("qkv edit", "app", "/qkv?lang=en", edit=True, group="edit"),
)


def wait_idle(page: Page) -> None:
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]',
        state="attached",
        timeout=60_000,
    )
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    page.wait_for_timeout(300)


def slider_thumb(page: Page, label: str | None):
    sliders = page.locator('[data-testid="stSlider"]')
    if label:
        sliders = sliders.filter(has_text=label)
    return sliders.first.locator('input[type="range"], [role="slider"]').first


def timed(page: Page, press) -> Timing | None:
    """Arm the in-page probe, call ``press`` (which sends the keydown), wait for the result."""
    page.evaluate(ARM_JS, LIMIT_MS)
    press()
    return Timing.from_js(page.evaluate("window.__bench"))


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


def measure(page: Page, base: str, pid: int, probe: Probe, n: int, warmup: int) -> dict:
    sent = {"bytes": 0}

    def on_ws(ws):
        ws.on(
            "framereceived", lambda payload: sent.__setitem__("bytes", sent["bytes"] + len(payload))
        )

    page.on("websocket", on_ws)
    page.goto(base + probe.path)
    wait_idle(page)
    if probe.upload_rows:
        upload_rows(page, probe.upload_rows)
    timings: list[Timing] = []
    failures = 0
    if probe.edit:

        def act(i: int) -> Timing | None:
            # 1.1 … 1.9 in turn: never the value the cell holds (the editor keeps one decimal)
            open_cell_editor(page).fill(f"{1 + (i % 9 + 1) / 10:.1f}")
            return timed(page, lambda: page.keyboard.press("Enter"))

        pause = 100
    else:
        thumb = slider_thumb(page, probe.slider)
        now = thumb.get_attribute("aria-valuenow") or thumb.input_value()
        at_max = now == (thumb.get_attribute("aria-valuemax") or thumb.get_attribute("max"))
        keys = ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")

        def act(i: int) -> Timing | None:
            return timed(page, lambda: thumb.press(keys[i % 2]))

        pause = 60
    sent["bytes"] = 0
    cpu0 = cpu_s(pid)
    for i in range(warmup + n):
        timing = act(i)
        if i >= warmup:
            if timing is None:
                failures += 1
            else:
                timings.append(timing)
        page.wait_for_timeout(pause)
    bytes_per = sent["bytes"] / max(1, warmup + n)
    cpu_ms = (cpu_s(pid) - cpu0) * 1000 / max(1, warmup + n)  # the server's, per interaction
    page.remove_listener("websocket", on_ws)
    return {
        "times": [x.total for x in timings],
        "parts": {k: statistics.median([getattr(x, k) for x in timings] or [nan]) for k in PARTS},
        "failures": failures,
        "bytes": bytes_per,
        "cpu_ms": cpu_ms,
    }


def cold_start(script: str, path: str, extra: list[str], browser) -> float:
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=25, help="interactions per probe (after warm-up)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated probe names (prefix match)")
    ap.add_argument("--gc-off", action="store_true", help="runner.postScriptGC=false on both")
    ap.add_argument("--cold", type=int, default=3, help="cold starts per app (0 to skip)")
    args = ap.parse_args()
    extra = ["--runner.postScriptGC", "false"] if args.gc_off else []

    from ui.navigation import available

    paths = {"/" + p.url_path for p in available()}
    wanted = [s for s in args.only.split(",") if s]
    probes = [
        p
        for p in PROBES
        if (p.server != "app" or p.path.split("?")[0] in paths)
        and (not wanted or p.name == "reference" or any(p.name.startswith(w) for w in wanted))
    ]
    servers: dict[str, subprocess.Popen] = {}
    bases: dict[str, str] = {}
    for name, script in (
        ("app", "app.py"),
        ("ref", "bench/reference_app.py"),
        ("ref_editor", "bench/reference_editor_app.py"),
    ):
        if any(p.server == name for p in probes):
            port = free_port()
            servers[name] = start_server(port, extra, script=script)
            bases[name] = f"http://127.0.0.1:{port}"
    print(
        f"postScriptGC {'false' if args.gc_off else config_gc()}; n = {args.n} after {args.warmup} "
        f"warm-up; times in ms, from keydown to the changed figure drawn; wait, run, draw: "
        f"medians of the parts (bench/probe.py); CPU ms: the server's per interaction\n"
    )
    print(
        f"{'probe':<24}{'median':>8}{'p95':>8}{'×ref med':>10}{'×ref p95':>10}"
        + "".join(f"{k:>6}" for k in PARTS)
        + f"{'kB/int':>9}{'CPU ms':>8}"
        f"{'fail':>6}  target",
        flush=True,
    )
    results: dict[str, dict] = {}
    cold: dict[str, list[float]] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for probe in probes:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                try:
                    results[probe.name] = measure(
                        page,
                        bases[probe.server],
                        servers[probe.server].pid,
                        probe,
                        args.n,
                        args.warmup,
                    )
                except Exception as err:  # a probe that cannot run is reported, not fatal
                    results[probe.name] = {"error": str(err).splitlines()[0][:120]}
                page.close()
                print(report_line(probe, results), flush=True)
            for label, script, path in (
                ("reference", "bench/reference_app.py", "/"),
                ("app", "app.py", "/?lang=en"),
            ):
                cold[label] = [cold_start(script, path, extra, browser) for _ in range(args.cold)]
            browser.close()
    finally:
        for proc in servers.values():
            proc.terminate()
    if args.cold:
        print(
            "\ncold start, process start → first figure painted (ms): "
            + ", ".join(
                f"{k} median {statistics.median(v):.0f} ({', '.join(f'{x:.0f}' for x in v)})"
                for k, v in cold.items()
            )
            + f"; ratio {statistics.median(cold['app']) / statistics.median(cold['reference']):.2f}"
        )


def config_gc() -> str:
    """``runner.postScriptGC`` as the servers read it from .streamlit/config.toml."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    return str(config.get("runner", {}).get("postScriptGC", True)).lower()


TARGETS = {
    "default": "≤1.3× med, ≤2× p95 of reference",
    "large": "≤3× med of reference",
    "edit": "vs reference editor",
}


def report_line(probe: Probe, results: dict[str, dict]) -> str:
    """One row of the table: the probe against the reference (or the reference editor)."""
    r = results[probe.name]
    if r.get("error"):
        return f"{probe.name:<24}  error: {r['error']}"
    base = results.get("reference editor" if probe.group == "edit" else "reference", {})
    base_times = base.get("times") or [nan]
    med, p95 = statistics.median(r["times"] or [nan]), pct(r["times"], 0.95)
    parts = "".join(f"{r['parts'][k]:6.0f}" for k in PARTS)
    return (
        f"{probe.name:<24}{med:8.0f}{p95:8.0f}{med / statistics.median(base_times):10.2f}"
        f"{p95 / pct(base_times, 0.95):10.2f}{parts}{r['bytes'] / 1024:9.1f}{r['cpu_ms']:8.0f}"
        f"{r['failures']:6d}  "
        f"{TARGETS[probe.group]}"
    )


if __name__ == "__main__":
    main()
