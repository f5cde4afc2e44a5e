"""The waist → weight table: reading it from a CSV file, the editor or a link, and checking it.

Everything here except :func:`describe` and :class:`DatasetParam` is pure (no Streamlit): it
turns text or a table into a float64 array ``(n, 2)`` of (waist cm, weight kg) rows, or into
a list of :class:`Problem` s that say what was wrong and where. A dataset is usable when it has
2 … 1,000 rows of finite numbers inside the plausible ranges below.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from ui import state
from ui.i18n import t

DATA_FILE: Final = Path(__file__).resolve().parents[2] / "assets" / "data" / "waist_weight.csv"
COLUMNS: Final = ("waist", "weight")
HEADERS: Final = {"en": ("waist", "weight"), "zh": ("腰围", "体重")}
WAIST_RANGE: Final = (40.0, 200.0)  # cm: plausible adult waists, with room on both sides
WEIGHT_RANGE: Final = (20.0, 300.0)  # kg
RANGES: Final = {"waist": WAIST_RANGE, "weight": WEIGHT_RANGE}
MIN_ROWS: Final = 2  # a kernel needs keys to compare; the fit leaves one out
MAX_ROWS: Final = 1_000
MAX_BYTES: Final = 1_048_576  # 1 MB, as Streamlit counts it (the uploader's own limit)
URL_MAX_ROWS: Final = 100  # larger tables are left out of the share link
MAX_PROBLEMS: Final = 5  # problems listed in one message
_NUMBER: Final = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_UNITS: Final = re.compile(r"[(（\[].*?[)）\]]|[\s_/]*(cm|kg|厘米|公斤|千克)$")
_ALIASES: Final = {"waist": "waist", "腰围": "waist", "weight": "weight", "体重": "weight"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input; ``code`` names its catalog text
    ``waist_weight.problem.<code>``.

    ``row`` is 1-based (a line of the file, a row of the table or of the link); ``col`` is
    ``"waist"`` or ``"weight"``; ``raw`` is the user's text (escape it before showing it).
    """

    code: str
    row: int | None = None
    col: str | None = None
    raw: str = ""
    value: float | None = None
    n: int | None = None
    kept: float | None = None  # what the figures still use in that cell, when known


@dataclass(frozen=True)
class ParseResult:
    """A usable dataset ``data (n, 2)``, or ``None`` with the problems that prevent it."""

    data: np.ndarray | None
    problems: tuple[Problem, ...] = ()
    more: bool = False  # more problems than are listed
    ignored: tuple[str, ...] = ()  # extra columns that were not used
    skipped: int = 0  # blank rows left out
    skipped_at: tuple[int, ...] = ()  # their line (or row) numbers, 1-based

    @property
    def ok(self) -> bool:
        return self.data is not None


@cache
def default_dataset() -> np.ndarray:
    """The toy table shipped in ``assets/data/waist_weight.csv`` (read once; read-only)."""
    result = parse_csv(DATA_FILE.read_bytes())
    if result.data is None:  # pragma: no cover - the shipped file is tested
        raise RuntimeError(f"{DATA_FILE} is not a valid dataset: {result.problems}")
    data = result.data
    data.flags.writeable = False
    return data


def _cell(raw: str, row: int, col: str) -> tuple[float | None, Problem | None]:
    text = raw.strip()
    if not text:
        return None, Problem("empty_cell", row=row, col=col)
    if not _NUMBER.fullmatch(text):
        return None, Problem("not_number", row=row, col=col, raw=text)
    value = float(text)
    if not math.isfinite(value):
        return None, Problem("not_number", row=row, col=col, raw=text)
    return _in_range(value, row, col)


def _in_range(value: float, row: int, col: str) -> tuple[float | None, Problem | None]:
    lo, hi = RANGES[col]
    if not lo <= value <= hi:
        return None, Problem("out_of_range", row=row, col=col, value=value)
    return value, None


def _finish(
    rows: list[tuple[float, float]], problems: list[Problem], *, max_rows: int, **extra: Any
) -> ParseResult:
    """Row-count checks after the cells; problems win over a count."""
    if problems:
        shown_problems = tuple(problems[:MAX_PROBLEMS])
        return ParseResult(None, shown_problems, more=len(problems) > MAX_PROBLEMS, **extra)
    if len(rows) < MIN_ROWS:
        return ParseResult(None, (Problem("too_few_rows", n=len(rows)),), **extra)
    if len(rows) > max_rows:
        return ParseResult(None, (Problem("too_many_rows", n=len(rows)),), **extra)
    return ParseResult(np.array(rows, dtype=np.float64).reshape(-1, 2), **extra)


def decode(raw: bytes) -> str | None:
    """The text of an uploaded file (UTF-8, or GB18030 as Chinese spreadsheets save it).

    ``None`` when it is not text: NUL bytes, undecodable bytes or control characters.
    """
    if b"\x00" in raw[:65_536]:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    if any(not ch.isprintable() and ch not in "\t\r\n" for ch in text[:65_536]):
        return None
    return text


def _column_name(header: str) -> str | None:
    name = _UNITS.sub("", header.strip().strip("\ufeff").strip().lower()).strip()
    return _ALIASES.get(name)


def _delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "\t", "，")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse_csv(raw: bytes) -> ParseResult:
    """Read a CSV file with the columns ``waist,weight`` (or ``腰围,体重``; units allowed).

    Checks, in order: size ≤ 1 MB, not empty, text (not binary), both columns present, every
    cell a finite number in range, 2 … 1,000 data rows. Blank lines are skipped; other columns
    are ignored (and named in the result).
    """
    if len(raw) > MAX_BYTES:
        return ParseResult(None, (Problem("too_big", n=len(raw)),))
    if not raw.strip():
        return ParseResult(None, (Problem("empty_file"),))
    text = decode(raw)
    if text is None:
        return ParseResult(None, (Problem("binary"),))
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return ParseResult(None, (Problem("empty_file"),))
    n_rows = sum(1 for line in lines[first + 1 :] if line.strip())
    if n_rows > MAX_ROWS:  # refused before parsing: the file is too long whatever it holds
        return ParseResult(None, (Problem("too_many_rows", n=n_rows),))
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(lines[first]))
    try:
        table = list(reader)
    except csv.Error:
        return ParseResult(None, (Problem("binary"),))
    header_at = next(i for i, r in enumerate(table) if any(c.strip() for c in r))
    header = table[header_at]
    names = [_column_name(h) for h in header]
    where = {c: [i for i, n in enumerate(names) if n == c] for c in COLUMNS}
    missing = [c for c in COLUMNS if not where[c]]
    if missing:
        found = ", ".join(h.strip() for h in header if h.strip())[:80]
        return ParseResult(None, (Problem("missing_columns", raw=found),))
    if any(len(where[c]) > 1 for c in COLUMNS):
        col = next(c for c in COLUMNS if len(where[c]) > 1)
        return ParseResult(None, (Problem("duplicate_column", col=col),))
    i_waist, i_weight = where["waist"][0], where["weight"][0]
    ignored = tuple(h.strip() for i, h in enumerate(header) if names[i] is None and h.strip())
    rows: list[tuple[float, float]] = []
    problems: list[Problem] = []
    skipped_at: list[int] = []
    for line_no, cells in enumerate(table[header_at + 1 :], start=header_at + 2):
        if not any(c.strip() for c in cells):
            skipped_at.append(line_no)
            continue
        checked = [
            _cell(cells[i] if i < len(cells) else "", line_no, col)
            for col, i in (("waist", i_waist), ("weight", i_weight))
        ]
        _keep_row(checked, rows, problems)
    return _finish(
        rows,
        problems,
        max_rows=MAX_ROWS,
        ignored=ignored,
        skipped=len(skipped_at),
        skipped_at=tuple(skipped_at),
    )


def _keep_row(
    checked: list[tuple[float | None, Problem | None]],
    rows: list[tuple[float, float]],
    problems: list[Problem],
) -> None:
    """A row's two checked cells (waist, weight): their problems go to ``problems``, and the
    row to ``rows`` when both cells have a value."""
    problems.extend(problem for _, problem in checked if problem)
    (waist, _), (weight, _) = checked
    if waist is not None and weight is not None:
        rows.append((waist, weight))


def read_table(frame: pd.DataFrame) -> ParseResult:
    """Read the edited table (columns ``waist``, ``weight``); rows are numbered from 1.

    Rows with both cells empty are skipped (a row just added); a row with one empty cell or
    a value out of range is a problem.
    """
    values = frame.reindex(columns=list(COLUMNS)).apply(pd.to_numeric, errors="coerce")
    # (n, 2) exactly as typed: the editor's columns have no step, so the browser does no step
    # arithmetic (that once sent 95.00000000000001) and nothing needs rounding here
    m = values.to_numpy(dtype=np.float64, na_value=np.nan)
    rows: list[tuple[float, float]] = []
    problems: list[Problem] = []
    skipped_at: list[int] = []
    for r, (w, kg) in enumerate(m, start=1):
        finite = np.isfinite([w, kg])
        if not finite.any():
            skipped_at.append(r)
            continue
        checked = [
            _in_range(float(v), r, col) if ok else (None, Problem("empty_cell", r, col))
            for col, v, ok in (("waist", w, finite[0]), ("weight", kg, finite[1]))
        ]
        _keep_row(checked, rows, problems)
    return _finish(
        rows, problems, max_rows=MAX_ROWS, skipped=len(skipped_at), skipped_at=tuple(skipped_at)
    )


def with_kept(result: ParseResult, last_good: np.ndarray, n_rows: int) -> ParseResult:
    """A refused table's problems with the value each cell still has in ``last_good``.

    Only when the rows line up: the edited table has ``n_rows`` rows, none of them blank,
    and the last good table has as many (then row ``r`` of one is row ``r`` of the other).
    """
    if result.skipped or n_rows != len(last_good):
        return result
    cols = {c: j for j, c in enumerate(COLUMNS)}
    problems = tuple(
        replace(p, kept=float(last_good[p.row - 1, cols[p.col]]))
        if p.row is not None and p.col in cols and 1 <= p.row <= len(last_good)
        else p
        for p in result.problems
    )
    return replace(result, problems=problems)


def parse_url(raw: str) -> ParseResult:
    """Read the link's form ``56,43;58,48;…`` (at most :data:`URL_MAX_ROWS` rows)."""
    parts = raw.split(";")
    if len(parts) > URL_MAX_ROWS:
        return ParseResult(None, (Problem("too_many_url_rows", n=len(parts)),))
    rows: list[tuple[float, float]] = []
    problems: list[Problem] = []
    for r, part in enumerate(parts, start=1):
        cells = part.split(",")
        if len(cells) != 2:
            problems.append(Problem("not_pair", row=r, raw=part))
            continue
        pair = []
        for col, text in zip(COLUMNS, cells, strict=True):
            value, problem = _cell(text, r, col)
            if problem:
                problems.append(problem)
            pair.append(value)
        if None not in pair:
            rows.append((pair[0], pair[1]))
    return _finish(rows, problems, max_rows=URL_MAX_ROWS)


def _num(x: float) -> str:
    """Shortest text that reads back as the same float (``56.0`` → ``56``)."""
    s = repr(float(x))
    return s[:-2] if s.endswith(".0") else s


def encode_url(data: np.ndarray) -> str | None:
    """The link's form of a dataset, or ``None`` when it has more than :data:`URL_MAX_ROWS`."""
    if len(data) > URL_MAX_ROWS:
        return None
    return ";".join(f"{_num(w)},{_num(kg)}" for w, kg in data)


def csv_frame(data: np.ndarray, lang: str) -> pd.DataFrame:
    """The table for download, with headers in the reader's language (both read back)."""
    return pd.DataFrame(np.asarray(data), columns=list(HEADERS.get(lang, HEADERS["en"])))


def table_frame(data: np.ndarray) -> pd.DataFrame:
    """The table for the editor, with the fixed column names :data:`COLUMNS`."""
    return pd.DataFrame(np.array(data, dtype=np.float64), columns=list(COLUMNS))


def digest(data: np.ndarray) -> str:
    """A short fingerprint of a dataset, to key a cached fit by its inputs."""
    return hashlib.blake2b(np.ascontiguousarray(data).tobytes(), digest_size=12).hexdigest()


def query_range(keys: np.ndarray) -> tuple[float, float]:
    """The query slider's range: the waists of the data and a little beyond, whole cm."""
    lo, hi = float(np.min(keys)), float(np.max(keys))
    pad = max(5.0, 0.15 * (hi - lo))
    return float(math.floor(lo - pad)), float(math.ceil(hi + pad))


def query_grid(lo: float, hi: float, most: int = 48) -> np.ndarray:
    """Round query values from ``lo`` to ``hi`` (at most ``most``), for the heatmap's rows."""
    for step in (0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0, 50.0):
        start = math.ceil(lo / step) * step
        n = math.floor((hi - start) / step + 1e-9) + 1
        if n <= most:
            return start + step * np.arange(n)
    return np.linspace(lo, hi, most)


# --- Streamlit side: translated messages and the link parameter ----------------------------


def describe(p: Problem, *, source: str = "row") -> str:
    """One problem as a translated sentence (``source`` is ``line``, ``row`` or ``link``)."""
    where = t(f"waist_weight.where.{source}", n=p.row) if p.row is not None else ""
    col = t(f"waist_weight.col.{p.col}") if p.col else ""
    lo, hi = RANGES.get(p.col or "", (0.0, 0.0))
    text = t(
        f"waist_weight.problem.{p.code}",
        where=where,
        col=col,
        raw=state.shown(p.raw),
        value=f"{p.value:.10g}" if p.value is not None else "",
        lo=f"{lo:g}",
        hi=f"{hi:g}",
        unit=t(f"waist_weight.unit.{p.col}") if p.col else "",
        n=f"{p.n:,}" if p.n is not None else "",
        size=f"{(p.n or 0) / 1_048_576:.1f} MB",
        max_rows=f"{MAX_ROWS:,}",
        min_rows=MIN_ROWS,
        url_rows=URL_MAX_ROWS,
    )
    if p.kept is not None:
        text += " " + t(
            "waist_weight.problem.kept", kept=f"{p.kept:.10g}", unit=t(f"waist_weight.unit.{p.col}")
        )
    return text


def describe_all(result: ParseResult, *, source: str = "row") -> str:
    """All listed problems of a result, one per line (Markdown)."""
    lines = [f"- {describe(p, source=source)}" for p in result.problems]
    if result.more:
        lines.append(f"- {t('waist_weight.problem.more')}")
    return "\n".join(lines)


@dataclass(frozen=True)
class DatasetParam(state.Param):
    """The table in the link, ``56,43;58,48;…``: checked like an upload, at most 100 rows."""

    default: np.ndarray = field(default_factory=default_dataset)

    def parse(self, raw: str) -> tuple[np.ndarray, str | None]:
        result = parse_url(raw)
        if result.data is None:
            raise state.Invalid(describe(result.problems[0], source="link"))
        return result.data, None

    def encode(self, value: Any) -> str | None:
        return encode_url(np.asarray(value, dtype=np.float64))

    def is_default(self, value: Any) -> bool:
        a = np.asarray(value)
        return a.shape == self.default.shape and bool(np.array_equal(a, self.default))
