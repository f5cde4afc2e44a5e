"""Hostile and random URL values for the fuzz tests, made from a page's own parameter specs.

Shared by tests/ui/test_state.py (the codec alone), tests/app/test_fuzz.py (whole pages through
AppTest) and the browser tests. Nothing here runs Streamlit.

- :data:`PAYLOADS` — values that are hostile for any parameter (markup, huge, control
  characters, wrong types);
- :func:`values_for` — values made for one parameter from its spec: valid ones, edge ones and
  ones that must be clamped or dropped;
- :func:`accepted_as_is` — an independent statement of when a raw value is used unchanged (no
  notice), written from the rules rather than by calling ``parse``;
- :func:`in_domain` — whether a value is one the parameter may hold;
- :data:`INJECTIONS` — markup that must never appear verbatim in Markdown source;
- :data:`AUTOLINKS` — text that must never appear whole in rendered Markdown (a link).
"""

from __future__ import annotations

import math
import random
from typing import Any, Final

import numpy as np

from ui import state

MARKER: Final = "zq9x"  # a token to find the injected strings by
INJECTIONS: Final = (
    f"<img src={MARKER} onerror=alert(1)>",
    f"<script>{MARKER}</script>",
    f"[{MARKER}](javascript:alert(1))",
    f"![{MARKER}](http://127.0.0.1:9/{MARKER}.png)",
)
# plain text the browser's Markdown would turn into a link, escaped or not; their rendered
# text (escapes resolved) must never hold them whole
AUTOLINKS: Final = (
    f"http://127.0.0.1:9/{MARKER}",
    f"www.{MARKER}.example",
    f"a@{MARKER}.example",
)
HUGE: Final = 100_000  # characters: a 100 kB value

PAYLOADS: Final[tuple[str, ...]] = (
    *INJECTIONS,
    *AUTOLINKS,
    "",
    " ",
    "nan",
    "NaN",
    "-nan",
    "inf",
    "-inf",
    "Infinity",
    "1e309",
    "-1e309",
    "1e308",
    "-1e308",
    "5e-324",
    "9" * 400,
    "-" + "9" * 40,
    "0x1F",
    "1_000",
    "١٢",  # Arabic-Indic digits
    "１２",  # full-width digits
    "+1",
    "-0",
    "1.",
    ".5",
    "1e",
    "--1",
    "1,2",
    "1;2",
    ";",
    ",",
    ";;;;",
    "1,,2",
    "1,2;3",
    "1,2;3,4;5",
    "true",
    "None",
    "null",
    "undefined",
    "[]",
    "{}",
    "[[1,2],[3,4]]",
    "{0}",
    "{name}",
    "%s%s%s",
    "%00",
    "\x00",
    "1\x00",
    "\x07\x08\x1b[31m",
    "\r\nSet-Cookie: a=b",
    "\t1",
    "\u202e1\u202c",  # right-to-left override
    "\u200f1",  # right-to-left mark
    "\u200b",  # zero-width space
    "\ufeff1",  # byte order mark
    "\ud7ff𝟙🙂",
    "中文",
    "e\u0301",  # combining accent
    "**bold** _it_ `code` # h",
    "$\\frac{1}{0}$",
    "\\",
    "'; DROP TABLE users; --",
    "../../etc/passwd",
    "${jndi:ldap://127.0.0.1:9/a}",
    "x" * 5_000,
    "1," * 2_000 + "1",
    "🙂" * 6_000,
    "x" * HUGE,
    "1;" * (HUGE // 2),
)

UNKNOWN_NAMES: Final = (
    "zz",
    "<script>",
    "",
    "a" * 1_000,
    "__proto__",
    "_state.bindings",
    "app.lang",
    "embed",
    "embed_options",
    "中文",
    "\x00",
    "\u202ename",
    "v2",
)


def _fmt(x: float) -> str:
    return repr(float(x))


def _finite_between(rng: random.Random, lo: float, hi: float) -> float:
    lo_, hi_ = max(lo, -1e6), min(hi, 1e6)
    if lo_ > hi_:
        lo_, hi_ = lo, hi
    return rng.uniform(lo_, hi_) if math.isfinite(hi_ - lo_) else rng.gauss(0, 10)


def _matrix_text(rows: list[list[str]]) -> str:
    return ";".join(",".join(r) for r in rows)


def values_for(p: state.Param, rng: random.Random, n: int = 12) -> list[str]:
    """Values made for one parameter from its spec, valid and not."""
    out: list[str] = []
    if isinstance(p, state.Float):
        out += [_fmt(p.lo), _fmt(p.hi)] if math.isfinite(p.lo) and math.isfinite(p.hi) else []
        if p.grid:
            out += [_fmt(rng.choice(p.grid)), repr(rng.choice(p.grid) * 1.07)]
        out += [_fmt(_finite_between(rng, p.lo, p.hi)) for _ in range(3)]
        if math.isfinite(p.hi):
            out += [_fmt(p.hi + 1), _fmt(p.hi * 10 + 1e6)]
        if math.isfinite(p.lo):
            out += [_fmt(p.lo - 1), _fmt(p.lo * 10 - 1e6)]
        out += [f" {_fmt(p.default)} ", f"{float(p.default):.3e}", "1e-300"]
    elif isinstance(p, state.Int):
        out += [str(p.lo), str(p.hi), str(p.hi + 1), str(p.lo - 1)]
        out += [str(rng.randint(p.lo, p.hi)) for _ in range(3)]
        out += [f"{p.default}.5", f"{p.default}.0", f"{p.default}e0", str(2**64), str(-(2**64))]
    elif isinstance(p, state.Choice):
        for o in rng.sample(list(p.options), min(3, len(p.options))):
            out += [o, o.upper(), f" {o}", o + "\u200f", o + "\x00", o * 50]
    elif isinstance(p, state.Flag):
        out += ["1", "0", "true", "False", " YES ", "on", "2", "maybe", "-1"]
    elif isinstance(p, state.Text):
        out += ["ok", "中文 " * (p.max_len // 3 + 1), "a" * (p.max_len + 1), "a\x00b", "\u202eabc"]
    elif isinstance(p, state.Matrix):
        out += _matrix_values(p, rng)
    elif isinstance(p, state.Vector):
        ok = [_fmt(_finite_between(rng, p.lo, p.hi)) for _ in range(p.max_len)]
        out += [
            ",".join(ok[: rng.randint(p.min_len, p.max_len)]),
            ",".join([*ok, "1"]),
            ",".join(ok[: p.min_len - 1]) if p.min_len > 1 else "",
            ",".join([*ok[: p.min_len - 1], "nan"]),
            ",".join([*ok[: p.min_len - 1], _fmt(p.hi * 2 + 1e7)]),
            ",".join([*ok[: p.min_len - 1], _fmt(p.lo * 2 - 1e7)]),
            ",".join([*ok[: p.min_len - 1], "x"]),
        ]
    rng.shuffle(out)
    return out[:n]


def _matrix_values(p: state.Matrix, rng: random.Random) -> list[str]:
    """Matrices for ``p``: good, a bad cell, ragged, out of range, too many rows or columns.
    At most ~2,000 cells each (a value longer than ``MAX_RAW_LEN`` is dropped unread anyway;
    :data:`PAYLOADS` has the 100 kB ones)."""

    def cells(r: int, c: int, lo: float = p.lo, hi: float = p.hi) -> list[list[str]]:
        return [[_fmt(_finite_between(rng, lo, hi)) for _ in range(c)] for _ in range(r)]

    def size(lo: int, hi: int, other: int) -> int:
        return rng.randint(lo, max(lo, min(hi, MAX_CELLS // max(other, 1))))

    c = size(p.min_cols, p.max_cols, p.min_rows)
    r = size(p.min_rows, p.max_rows, c)
    good = cells(r, c)
    bad_cell = [row[:] for row in good]
    bad_cell[rng.randrange(r)][rng.randrange(c)] = rng.choice(["nan", "inf", "", "x", "1e999"])
    ragged = [row[:] for row in good] + [good[0][:-1] or ["1", "2"]]
    big = [row[:] for row in good]
    big[0][0] = _fmt(p.hi * 10 + 1e7)
    tall = p.max_rows + 1
    wide = p.max_cols + 1
    return [
        _matrix_text(good),
        _matrix_text(bad_cell),
        _matrix_text(ragged),
        _matrix_text(big),
        _matrix_text(cells(tall, max(1, min(c, MAX_CELLS // tall)))),
        _matrix_text(cells(max(1, min(r, MAX_CELLS // wide)), wide)),
        _matrix_text(cells(1, 1)),
        _matrix_text(good) + ";",
        "1," * (p.max_cols - 1) + "1",
    ]


MAX_CELLS: Final = 2_000


def accepted_as_is(p: state.Param, raw: str) -> bool | None:
    """Whether ``raw`` is used unchanged (no notice); ``None`` for a kind this does not know."""
    if len(raw) > state.MAX_RAW_LEN:
        return False
    if isinstance(p, state.Float):
        v = _float(raw)
        return v is not None and p.lo <= v <= p.hi and (not p.grid or v in p.grid)
    if isinstance(p, state.Int):
        v = _float(raw)
        return v is not None and v.is_integer() and p.lo <= v <= p.hi
    if isinstance(p, state.Choice):
        return raw in p.options
    if isinstance(p, state.Flag):
        return raw.strip().lower() in {"1", "true", "on", "yes", "0", "false", "off", "no"}
    if isinstance(p, state.Text):
        return raw.isprintable() and len(raw) <= p.max_len
    if isinstance(p, state.Matrix):
        rows = [r.split(",") for r in raw.split(";")]
        if not p.min_rows <= len(rows) <= p.max_rows or len({len(r) for r in rows}) != 1:
            return False
        if not p.min_cols <= len(rows[0]) <= p.max_cols:
            return False
        xs = [_float(x) for r in rows for x in r]
        return all(x is not None and p.lo <= x <= p.hi for x in xs)
    if isinstance(p, state.Vector):
        xs = [_float(x) for x in raw.split(",")]
        ok = p.min_len <= len(xs) <= p.max_len
        return ok and all(x is not None and p.lo <= x <= p.hi for x in xs)
    return None


def _float(raw: str) -> float | None:
    try:
        v = float(raw)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def in_domain(p: state.Param, v: Any, strict: bool = True) -> bool | None:
    """Whether ``v`` is a value ``p`` may hold; ``None`` for a kind this does not know.

    ``strict=False`` accepts matrices of any size (a page may hold one too large for a link,
    described by its generator) and of any numeric type.
    """
    if isinstance(p, state.Float):
        ok = isinstance(v, float) and math.isfinite(v) and p.lo <= v <= p.hi
        return ok and (not p.grid or v in p.grid)
    if isinstance(p, state.Int):
        return isinstance(v, int) and not isinstance(v, bool) and p.lo <= v <= p.hi
    if isinstance(p, state.Choice):
        return v in p.options
    if isinstance(p, state.Flag):
        return isinstance(v, bool)
    if isinstance(p, state.Text):
        return isinstance(v, str) and len(v) <= p.max_len and v.isprintable()
    if isinstance(p, state.Matrix):
        m = np.asarray(v)
        if not strict:
            return m.ndim == 2 and m.dtype.kind in "iuf" and bool(np.all(np.isfinite(m)))
        return (
            m.ndim == 2
            and m.dtype == np.float64
            and p.min_rows <= m.shape[0] <= p.max_rows
            and p.min_cols <= m.shape[1] <= p.max_cols
            and bool(np.all(np.isfinite(m)))
            and bool(np.all((m >= p.lo) & (m <= p.hi)))
        )
    if isinstance(p, state.Vector):
        return (
            isinstance(v, tuple)
            and p.min_len <= len(v) <= p.max_len
            and all(isinstance(x, float) and math.isfinite(x) and p.lo <= x <= p.hi for x in v)
        )
    return None
