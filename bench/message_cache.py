"""What turning Streamlit's message cache off costs: bytes per rerun and latency, with and without.

Streamlit caches every element of at least ``global.minCachedMessageSize`` bytes (10 kB by
default) in the browser and, on a rerun, sends an unchanged one as a short reference. Under
quick clicking that cache races (upstream issue 15816: the browser is sent a reference to a
message it has already dropped, and the page dies with "Connection error … Cached ForwardMsg
MISS"), so ``.streamlit/config.toml`` sets the option to 1e12: nothing is cached, every element
is sent whole on every run. This starts the app twice, with the cache (``10000``, Streamlit's
default) and without (``1e12``, our config), and runs the same probes of bench/latency.py
(slider keypress → changed figure drawn) on both, alternating, on the heaviest pages. Numbers,
not a test. The probes move a slider back and forth, so with the cache the figures of the
value before last are still in the browser: the bytes "cache on" are a lower bound.

Measured here (2 cores shared with other work, load ~10; 24 moves per cell; kB per move and
median ms, cache on → off): Q·K·V 37 → 37 kB, 675 → 776 ms; Q·K·V n = 512 111 → 1,615 kB,
1,213 → 1,592 ms; self-attention (d = 32) 54 → 220 kB, 1,496 → 2,214 ms; CNN vs attention
64 × 64 57 → 93 kB, 796 → 746 ms; complexity 25 → 43 kB, 344 → 317 ms; alignment 39 → 73 kB,
939 → 788 ms; server CPU per move the same within ~10 %.

    python bench/message_cache.py            # 20 interactions per probe and server, twice
    python bench/message_cache.py -n 40 --rounds 1 --only qkv
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.latency import Probe, measure  # noqa: E402
from bench.probe import pct  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_server  # noqa: E402

SERVERS = {"cache on": "10000", "cache off": "1e12"}  # global.minCachedMessageSize
PROBES = (
    Probe("qkv", "app", "/qkv?lang=en", "Temperature"),
    Probe(
        "qkv n=512",
        "app",
        "/qkv?lang=en&gen=random&n_q=512&n_k=512&d_k=64&d_v=64",
        "Temperature",
    ),
    Probe("self-attention", "app", "/self-attention?lang=en&d=32&heads=4", None),
    Probe("cnn-vs-attention 64×64", "app", "/cnn-vs-attention?lang=en&size=64", "Row"),
    Probe("complexity", "app", "/complexity?lang=en", None),
    Probe("alignment", "app", "/alignment?lang=en", None),
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=20, help="interactions per probe, server and round")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2, help="on, off, on, off, … per probe")
    ap.add_argument("--only", default="", help="comma-separated probe names (prefix match)")
    args = ap.parse_args()
    wanted = [s for s in args.only.split(",") if s]
    probes = [p for p in PROBES if not wanted or any(p.name.startswith(w) for w in wanted)]

    procs, bases = {}, {}
    for name, size in SERVERS.items():
        port = free_port()
        procs[name] = start_server(port, ["--global.minCachedMessageSize", size])
        bases[name] = f"http://127.0.0.1:{port}"
    print(
        f"n = {args.n} × {args.rounds} rounds per probe and server (after {args.warmup} warm-up); "
        "ms from keydown to the changed figure drawn; kB the server sent per interaction; "
        "CPU ms the server's per interaction\n"
    )
    head = (
        f"{'probe':<24}{'server':<11}{'median':>8}{'p95':>8}{'kB/int':>9}{'CPU ms':>8}{'fail':>6}"
    )
    print(head, flush=True)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for probe in probes:
                runs: dict[str, list[dict]] = {name: [] for name in SERVERS}
                for _ in range(args.rounds):
                    for name in SERVERS:
                        page = browser.new_page(viewport={"width": 1400, "height": 1000})
                        try:
                            runs[name].append(
                                measure(
                                    page, bases[name], procs[name].pid, probe, args.n, args.warmup
                                )
                            )
                        except Exception as err:  # reported, not fatal
                            print(f"{probe.name:<24}{name:<11}error: {str(err)[:100]}")
                        page.close()
                for name, results in runs.items():
                    if not results:
                        continue
                    times = [x for r in results for x in r["times"]]
                    print(
                        f"{probe.name:<24}{name:<11}"
                        f"{statistics.median(times or [float('nan')]):8.0f}{pct(times, 0.95):8.0f}"
                        f"{statistics.mean(r['bytes'] for r in results) / 1024:9.1f}"
                        f"{statistics.mean(r['cpu_ms'] for r in results):8.0f}"
                        f"{sum(r['failures'] for r in results):6d}",
                        flush=True,
                    )
            browser.close()
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
