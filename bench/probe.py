"""What bench/latency.py and bench/sessions.py share: the in-page timer and percentiles.

``ARM_JS`` arms a probe in the page; the next keydown starts the clock, and
``window.__bench`` resolves once a figure with new data is drawn and the script run is over
(or with ``null`` after ``limit`` ms). Armed with ``{limit, expect}`` it waits for ``expect``
changed figures (the k figures a control redraws); if fewer change, it resolves 800 ms after
the last one with the time of that last change. It resolves with the total and where it went:

- ``wait``: keydown → the app shows the script running (the widget's own debounce, the
  message to the server, the rerun request);
- ``run``: running → not running, as the browser sees it (the script, the deltas it streams
  and their rendering as they arrive);
- ``draw``: script over → changed figure drawn (what rendering is left after the run).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

ARM_JS = """
(arg) => {
  const limit = typeof arg === 'number' ? arg : arg.limit;
  const expect = typeof arg === 'number' ? 1 : (arg.expect || 1);
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
  let t0 = null, tRun = null, tDone = null, count = 0, tLast = null;
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
        const changed = figures().filter(n => !before.has(content(n))).length;
        if (changed > count) { count = changed; tLast = now; }
        if (idle && count > 0 && (count >= expect || now - tLast > 800)) {
          const end = count >= expect ? now : tLast;
          const run0 = tRun ?? t0, run1 = Math.min(tDone ?? end, end);
          finish({total: end - t0, wait: run0 - t0, run: run1 - run0, draw: end - run1,
                  changed: count});
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
    changed: int = 1  # figures seen changed

    @classmethod
    def from_js(cls, value: dict | None) -> Timing | None:
        if value is None:
            return None
        parts = {k: float(value[k]) for k in ("total", "wait", "run", "draw")}
        return cls(**parts, changed=int(value.get("changed", 1)))


# Every drawn figure: a hash of its data (what changed?) and a short description of its kind and
# size in bench/reference_app.py's ``figs`` notation (what would the same work be?).
DESCRIBE_JS = """
() => {
  const hash = s => {
    let h = 5381;
    for (let i = 0; i < s.length; i++) h = ((h << 5) + h + s.charCodeAt(i)) | 0;
    return `${h}:${s.length}`;
  };
  // an array's shape, whether plain, typed, or still Plotly's {dtype, bdata, shape} encoding
  const ITEM = {i1: 1, u1: 1, u1c: 1, i2: 2, u2: 2, i4: 4, u4: 4, f4: 4, f8: 8};
  const dims = a => {
    if (a == null) return [0, 0];
    if (a.bdata !== undefined) {
      if (a.shape) return String(a.shape).split(',').map(Number).concat([1]);
      const bytes = Math.floor(a.bdata.length * 3 / 4);
      return [Math.round(bytes / (ITEM[a.dtype] || 8)), 1];
    }
    if (typeof a.length !== 'number') return [0, 0];
    const row = a[0];
    if (row != null && typeof row === 'object') return [a.length, dims(row)[0]];
    return [a.length, 1];
  };
  const len = a => dims(a)[0];
  const pngSize = uri => {
    try {
      const bin = atob(uri.split(',')[1].slice(0, 44));
      const u32 = o => ((bin.charCodeAt(o) << 24) | (bin.charCodeAt(o + 1) << 16) |
                        (bin.charCodeAt(o + 2) << 8) | bin.charCodeAt(o + 3)) >>> 0;
      return [u32(16), u32(20)];
    } catch (e) { return [0, 0]; }
  };
  return [...document.querySelectorAll('.js-plotly-plot')]
    .filter(n => n.data && n.querySelector('.main-svg'))
    .map(n => {
      let text;
      try { text = JSON.stringify(n.data); } catch (e) { text = String(Math.random()); }
      const lay = n.layout || {};
      const panels = Object.keys(lay).filter(k => /^xaxis[0-9]*$/.test(k)).length || 1;
      const counts = new Map();
      let cells = 0;
      for (const tr of n.data) {
        const type = tr.type || 'scatter';
        let code;
        if (type === 'heatmap') {
          const [r, c] = dims(tr.z);
          code = `h${r}x${c}` + (tr.texttemplate || tr.text ? 't' : '');
          cells += r * c;
        } else if (type === 'image') {
          const [w, h] = tr.source ? pngSize(tr.source) : dims(tr.z).slice(0, 2).reverse();
          code = `i${h}x${w}`;
          cells += w * h;
        } else {
          const points = Math.max(len(tr.x), len(tr.y));
          code = (type === 'bar' ? 'b' : 's') + points;
          cells += points;
        }
        counts.set(code, (counts.get(code) || 0) + 1);
      }
      const rect = n.getBoundingClientRect();
      const traces = [...counts].map(([c, k]) => (k > 1 ? `${c}*${k}` : c));
      const parts = [`P${panels}`, `W${Math.round(rect.width)}`, `H${Math.round(rect.height)}`];
      if (len(lay.annotations)) parts.push(`A${len(lay.annotations)}`);
      return {hash: hash(text), spec: parts.concat(traces).join('-'), cells: cells};
    });
}
"""


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
    """CPU seconds a process has used so far, all its threads (ended ones too) counted.

    Read from the process's CPU-time clock (Linux: ``clock_getcpuclockid(pid)`` is
    ``(~pid << 3) | 2``), exact to the nanosecond; where that clock cannot be read, user + system
    time from /proc/<pid>/stat (10 ms ticks)."""
    try:
        return time.clock_gettime((~pid << 3) | 2)
    except (OSError, OverflowError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def write_section(path: Path, name: str, text: str) -> None:
    """Put ``text`` between ``<!-- name -->`` and ``<!-- /name -->`` in the Markdown file
    ``path`` (appended when the markers are not there yet); the rest of the file is kept."""
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    old = path.read_text() if path.exists() else ""
    block = f"{start}\n{text.strip()}\n{end}"
    if start in old and end in old:
        head, rest = old.split(start, 1)
        new = head + block + rest.split(end, 1)[1]
    else:
        new = (old.rstrip() + "\n\n" if old.strip() else "") + block + "\n"
    path.write_text(new)
