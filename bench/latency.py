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
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_server  # noqa: E402


@dataclass(frozen=True)
class Probe:
    name: str
    server: str  # "app", "ref" or "ref_editor"
    path: str  # URL path and query
    slider: str | None = None  # label text of the slider to press (None: the first slider)
    edit: bool = False  # time a table edit instead of a slider
    group: str = "default"  # "default" (target 1.3×), "large" (target 3×), "edit"


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
    Probe("softmax", "app", "/softmax?lang=en", "Temperature"),
    Probe("alignment", "app", "/alignment?lang=en", None),
    Probe("self-attention", "app", "/self-attention?lang=en", None),
    Probe("cnn-vs-attention", "app", "/cnn-vs-attention?lang=en", None),
    Probe("complexity", "app", "/complexity?lang=en", None),
    Probe("reference editor", "ref_editor", "/", edit=True, group="edit"),
    Probe("qkv edit", "app", "/qkv?lang=en", edit=True, group="edit"),
)

# Resolves with the milliseconds from the next keydown to: a figure whose data changed is
# drawn and the script run is over (or -1 after 20 s).
ARM_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const before = new Map();
  document.querySelectorAll('.js-plotly-plot').forEach(n => before.set(n, n.data));
  let t0 = null;
  const onKey = () => { if (t0 === null) t0 = performance.now(); };
  document.addEventListener('keydown', onKey, true);
  window.__bench = new Promise(resolve => {
    function tick() {
      if (t0 !== null) {
        const idle = app.getAttribute('data-test-script-state') === 'notRunning';
        const changed = [...document.querySelectorAll('.js-plotly-plot')].some(
          n => (!before.has(n) || before.get(n) !== n.data) && n.querySelector('.main-svg'));
        if (idle && changed) {
          document.removeEventListener('keydown', onKey, true);
          resolve(performance.now() - t0);
          return;
        }
        if (performance.now() - t0 > 20000) { resolve(-1); return; }
      }
      requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
  });
}
"""


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


def one_slider_move(page: Page, thumb, direction: str) -> float:
    page.evaluate(ARM_JS)
    thumb.press(direction)
    return float(page.evaluate("window.__bench"))


def one_edit(page: Page, value: str) -> float:
    canvas = page.locator('[data-testid="stDataFrame"] canvas').first
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 60, box["y"] + 52)  # first data row, first value column
    page.keyboard.press("Enter")
    page.locator(".gdg-input, textarea").first.fill(value)
    page.evaluate(ARM_JS)
    page.keyboard.press("Enter")
    return float(page.evaluate("window.__bench"))


def measure(page: Page, base: str, probe: Probe, n: int, warmup: int) -> dict:
    sent = {"bytes": 0}

    def on_ws(ws):
        ws.on(
            "framereceived", lambda payload: sent.__setitem__("bytes", sent["bytes"] + len(payload))
        )

    page.on("websocket", on_ws)
    page.goto(base + probe.path)
    wait_idle(page)
    times: list[float] = []
    failures = 0
    if probe.edit:
        for i in range(warmup + n):
            ms = one_edit(page, str(1 + i % 2))
            if i >= warmup:
                times.append(ms) if ms >= 0 else None
                failures += ms < 0
            page.wait_for_timeout(100)
        bytes_per = sent["bytes"] / max(1, warmup + n)
    else:
        thumb = slider_thumb(page, probe.slider)
        now = thumb.get_attribute("aria-valuenow") or thumb.input_value()
        at_max = now == (thumb.get_attribute("aria-valuemax") or thumb.get_attribute("max"))
        first, second = ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")
        sent["bytes"] = 0
        for i in range(warmup + n):
            ms = one_slider_move(page, thumb, first if i % 2 == 0 else second)
            if i >= warmup:
                if ms >= 0:
                    times.append(ms)
                else:
                    failures += 1
            page.wait_for_timeout(60)
        bytes_per = sent["bytes"] / max(1, warmup + n)
    page.remove_listener("websocket", on_ws)
    return {"times": times, "failures": failures, "bytes": bytes_per}


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


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
    results: dict[str, dict] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for probe in probes:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                try:
                    results[probe.name] = measure(
                        page, bases[probe.server], probe, args.n, args.warmup
                    )
                except Exception as err:  # a probe that cannot run is reported, not fatal
                    results[probe.name] = {
                        "times": [],
                        "failures": -1,
                        "bytes": 0,
                        "error": str(err).splitlines()[0][:120],
                    }
                page.close()
            cold = {}
            if args.cold:
                for label, script, path in (
                    ("reference", "bench/reference_app.py", "/"),
                    ("app", "app.py", "/?lang=en"),
                ):
                    cold[label] = [
                        cold_start(script, path, extra, browser) for _ in range(args.cold)
                    ]
            browser.close()
    finally:
        for proc in servers.values():
            proc.terminate()
    ref = statistics.median(results["reference"]["times"]) if results["reference"]["times"] else 0
    ref95 = pct(results["reference"]["times"], 0.95)
    ref_edit = results.get("reference editor", {}).get("times") or [float("nan")]
    print(
        f"\npostScriptGC {'off' if args.gc_off else 'on'}; n = {args.n} after {args.warmup} "
        f"warm-up; times in ms, from keydown to the changed figure drawn\n"
    )
    print(
        f"{'probe':<22}{'median':>8}{'p95':>8}{'×ref med':>10}{'×ref p95':>10}{'kB/int':>9}"
        f"{'fail':>6}  target"
    )
    for probe in probes:
        r = results[probe.name]
        if r.get("error"):
            print(f"{probe.name:<22}  error: {r['error']}")
            continue
        med, p95 = (
            statistics.median(r["times"]) if r["times"] else float("nan"),
            pct(r["times"], 0.95),
        )
        base_med = statistics.median(ref_edit) if probe.group == "edit" else ref
        base_p95 = pct(ref_edit, 0.95) if probe.group == "edit" else ref95
        target = {
            "default": "≤1.3× med, ≤2× p95 of reference",
            "large": "≤3× med",
            "edit": "vs reference editor",
        }[probe.group]
        print(
            f"{probe.name:<22}{med:8.0f}{p95:8.0f}{med / base_med:10.2f}{p95 / base_p95:10.2f}"
            f"{r['bytes'] / 1024:9.1f}{r['failures']:6d}  {target}"
        )
    if cold:
        print(
            "\ncold start, process start → first figure painted (ms): "
            + ", ".join(
                f"{k} median {statistics.median(v):.0f} ({', '.join(f'{x:.0f}' for x in v)})"
                for k, v in cold.items()
            )
            + f"; ratio {statistics.median(cold['app']) / statistics.median(cold['reference']):.2f}"
        )


if __name__ == "__main__":
    main()
