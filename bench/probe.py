"""What bench/latency.py and bench/sessions.py share: the in-page timer and percentiles.

``ARM_JS`` arms a probe in the page; the next keydown starts the clock, and
``window.__bench`` resolves once a figure with new data is drawn and the script run is over
(or with ``null`` after ``limit`` ms). It resolves with the total and where it went:

- ``wait``: keydown → the app shows the script running (the widget's own debounce, the
  message to the server, the rerun request);
- ``run``: running → not running, as the browser sees it (the script, the deltas it streams
  and their rendering as they arrive);
- ``draw``: script over → changed figure drawn (what rendering is left after the run).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ARM_JS = """
(limit) => {
  const app = document.querySelector('[data-testid="stApp"]');
  // a figure counts as changed when its data equals none drawn before: a figure remounted or
  // redrawn with the same data (on a resize, or when it scrolls into view) does not count
  const seen = new Map();
  const content = n => {
    const hit = seen.get(n);
    if (hit && hit.data === n.data) return hit.text;
    let text;
    try { text = JSON.stringify(n.data); } catch (e) { text = String(Math.random()); }
    seen.set(n, {data: n.data, text: text});
    return text;
  };
  const figures = () => [...document.querySelectorAll('.js-plotly-plot')].filter(
    n => n.data && n.querySelector('.main-svg'));
  const before = new Set(figures().map(content));
  let t0 = null, tRun = null, tDone = null;
  const onKey = () => { if (t0 === null) t0 = performance.now(); };
  document.addEventListener('keydown', onKey, true);
  const obs = new MutationObserver(records => {
    if (t0 === null) return;
    const now = performance.now();
    // each record's new value is the next record's old value, the last one's is current
    const values = records.slice(1).map(r => r.oldValue);
    values.push(app.getAttribute('data-test-script-state'));
    for (const v of values) {
      if (v === 'running' && tRun === null) tRun = now;
      else if (v === 'notRunning' && tRun !== null) tDone = now;
    }
  });
  obs.observe(app, {attributes: true, attributeOldValue: true,
                    attributeFilter: ['data-test-script-state']});
  window.__bench = new Promise(resolve => {
    const started = performance.now();
    const finish = value => {
      obs.disconnect();
      document.removeEventListener('keydown', onKey, true);
      resolve(value);
    };
    function tick() {
      const now = performance.now();
      if (t0 !== null) {
        const idle = app.getAttribute('data-test-script-state') === 'notRunning';
        if (idle && figures().some(n => !before.has(content(n)))) {
          const run0 = tRun ?? t0, run1 = tDone ?? now;
          finish({total: now - t0, wait: run0 - t0, run: run1 - run0, draw: now - run1});
          return;
        }
      }
      if (now - (t0 ?? started) > limit) { finish(null); return; }
      setTimeout(tick, 2);
    }
    tick();
  });
}
"""


@dataclass(frozen=True)
class Timing:
    """One interaction, in ms (see the module's docstring)."""

    total: float
    wait: float
    run: float
    draw: float

    @classmethod
    def from_js(cls, value: dict | None) -> Timing | None:
        return None if value is None else cls(**{k: float(value[k]) for k in cls.__annotations__})


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile by the nearest rank (NaN for no values)."""
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (no psutil needed)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
