"""Shareable state: every control lives in the URL, and a link reopens the exact view.

A page declares its parameters once (:func:`bind`); each one knows how to parse, clamp and
encode itself. On the first render of a page in a session the values come from the URL
(checked: a bad value is clamped or dropped, with a notice), after that from the widgets.
``app.py`` calls :func:`publish` after the page has run, which writes the non-default values
back into the URL (and remembers them, so a page keeps its state when one navigates away and
back). Matrices and vectors have a compact text form (``1,2;3,4``), capped in size.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlencode, urlsplit, urlunsplit

import numpy as np
import streamlit as st

from ui.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalog, t

URL_VERSION: Final = "1"
VERSION_PARAM: Final = "v"
MAX_RAW_LEN: Final = 20_000  # characters read from one URL value; more is dropped unread
_BINDINGS: Final = "_state.bindings"
_NOTICES: Final = "_state.notices"
_FLASH: Final = "_state.flash"  # notices of one run (a value snapped by a callback or a check)
_SAVED: Final = "_state.saved"
_PAGE: Final = "_state.page"
_ZWSP: Final = "\u200b"  # zero-width space


def shown(raw: str, limit: int = 40) -> str:
    """A user-supplied string made safe to show inside Markdown: cut short, specials escaped.

    The browser's Markdown also turns a bare ``http://…``, ``www.…`` or ``a@b.c`` into a
    clickable link, escapes or not; a zero-width space after ``:`` and ``@`` and inside
    ``www.`` breaks those patterns without changing what one sees.
    """
    s = raw if len(raw) <= limit else raw[:limit] + "…"
    s = "".join(ch if ch.isprintable() else "?" for ch in s)
    s = re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~$&])", r"\\\1", s)
    s = re.sub(r"(?i)(www)(?=\\\.)", "\\1" + _ZWSP, s)
    return s.replace(":", ":" + _ZWSP).replace("@", "@" + _ZWSP)


class Invalid(ValueError):
    """A URL value that cannot be used at all; the message is already translated."""


@dataclass(frozen=True)
class Param:
    """One control kept in the URL under ``name``."""

    name: str
    default: Any
    always: bool = False  # kept in the URL even at its default (e.g. the language)

    def parse(self, raw: str) -> tuple[Any, str | None]:
        """Return ``(value, notice)``; notice is set when the value had to be changed."""
        raise NotImplementedError

    def encode(self, value: Any) -> str | None:
        """The URL text for ``value``; ``None`` when it cannot go into a link."""
        return str(value)

    def is_default(self, value: Any) -> bool:
        return not self.always and bool(value == self.default)


@dataclass(frozen=True)
class Float(Param):
    """A number in ``[lo, hi]``; with a ``grid`` (a slider's steps) it snaps to the nearest."""

    lo: float = -math.inf
    hi: float = math.inf
    grid: tuple[float, ...] = ()

    def parse(self, raw: str) -> tuple[float, str | None]:
        try:
            v = float(raw)
        except ValueError:
            raise Invalid(t("app.notice.not_number")) from None
        if not math.isfinite(v):
            raise Invalid(t("app.notice.not_finite"))
        if v < self.lo or v > self.hi:
            c = float(min(max(v, self.lo), self.hi))  # a float even when lo/hi are ints
            notice = t("app.notice.clamped", lo=_num(self.lo), hi=_num(self.hi), value=_num(c))
            return (self._snap(c), notice)
        snapped = self._snap(v)
        if snapped != v:
            return snapped, t("app.notice.snapped", value=_num(snapped))
        return v, None

    def _snap(self, v: float) -> float:
        if not self.grid:
            return v
        return min(self.grid, key=lambda g: abs(math.log(g / v)) if g > 0 < v else abs(g - v))

    def encode(self, value: Any) -> str:
        return _num(float(value))


@dataclass(frozen=True)
class Int(Param):
    lo: int = -(2**31)
    hi: int = 2**31

    def parse(self, raw: str) -> tuple[int, str | None]:
        try:
            f = float(raw)
        except ValueError:
            raise Invalid(t("app.notice.not_number")) from None
        if not math.isfinite(f) or f != int(f):
            raise Invalid(t("app.notice.not_integer"))
        v = int(f)
        if v < self.lo or v > self.hi:
            c = min(max(v, self.lo), self.hi)
            return c, t("app.notice.clamped", lo=self.lo, hi=self.hi, value=c)
        return v, None


@dataclass(frozen=True)
class Choice(Param):
    options: tuple[str, ...] = ()
    labels: str = ""  # catalog prefix of the options' labels ("<page>.<name>" when empty)
    label_key: str = ""  # catalog key of the widget's label ("<page>.<name>" when empty)

    def parse(self, raw: str) -> tuple[str, str | None]:
        if raw not in self.options:
            raise Invalid(t("app.notice.not_option", options=", ".join(self.options)))
        return raw, None


@dataclass(frozen=True)
class Flag(Param):
    def parse(self, raw: str) -> tuple[bool, str | None]:
        low = raw.strip().lower()
        if low in {"1", "true", "on", "yes"}:
            return True, None
        if low in {"0", "false", "off", "no"}:
            return False, None
        raise Invalid(t("app.notice.not_flag"))

    def encode(self, value: Any) -> str:
        return "1" if value else "0"


@dataclass(frozen=True)
class Text(Param):
    max_len: int = 200

    def parse(self, raw: str) -> tuple[str, str | None]:
        clean = "".join(ch for ch in raw if ch.isprintable())
        if len(clean) > self.max_len:
            return clean[: self.max_len], t("app.notice.truncated", n=self.max_len)
        return clean, None if clean == raw else t("app.notice.cleaned")


@dataclass(frozen=True)
class Matrix(Param):
    """A float matrix written ``a,b,c;d,e,f`` (rows split by ``;``)."""

    max_rows: int = 12
    max_cols: int = 12
    min_rows: int = 1
    min_cols: int = 1
    lo: float = -1e6
    hi: float = 1e6
    default: np.ndarray | None = field(default=None)

    def parse(self, raw: str) -> tuple[np.ndarray, str | None]:
        rows = [r for r in raw.split(";")]
        if not (self.min_rows <= len(rows) <= self.max_rows):
            raise Invalid(t("app.notice.bad_rows", lo=self.min_rows, hi=self.max_rows))
        cells = [r.split(",") for r in rows]
        n_cols = len(cells[0])
        if any(len(r) != n_cols for r in cells):
            raise Invalid(t("app.notice.ragged"))
        if not (self.min_cols <= n_cols <= self.max_cols):
            raise Invalid(t("app.notice.bad_cols", lo=self.min_cols, hi=self.max_cols))
        try:
            m = np.array([[float(c) for c in r] for r in cells], dtype=np.float64)
        except ValueError:
            raise Invalid(t("app.notice.not_number")) from None
        if not np.all(np.isfinite(m)):
            raise Invalid(t("app.notice.not_finite"))
        clipped = np.clip(m, self.lo, self.hi)
        if np.any(clipped != m):
            where = zip(*np.nonzero(clipped != m), strict=True)
            cells = [(f"({i + 1}, {j + 1})", m[i, j], clipped[i, j]) for i, j in where]
            return clipped, _clamped_notice(self.lo, self.hi, cells)
        return m, None

    def encode(self, value: Any) -> str | None:
        m = np.asarray(value, dtype=np.float64)
        if m.ndim != 2 or m.shape[0] > self.max_rows or m.shape[1] > self.max_cols:
            return None
        return ";".join(",".join(_num(x) for x in row) for row in m)

    def is_default(self, value: Any) -> bool:
        if self.default is None:
            return False
        a = np.asarray(value)
        return a.shape == self.default.shape and bool(np.array_equal(a, self.default))


@dataclass(frozen=True)
class Vector(Param):
    """A float vector written ``a,b,c``."""

    min_len: int = 1
    max_len: int = 12
    lo: float = -1e6
    hi: float = 1e6
    default: tuple[float, ...] = ()

    def parse(self, raw: str) -> tuple[tuple[float, ...], str | None]:
        parts = raw.split(",")
        if not (self.min_len <= len(parts) <= self.max_len):
            raise Invalid(t("app.notice.bad_length", lo=self.min_len, hi=self.max_len))
        try:
            v = [float(p) for p in parts]
        except ValueError:
            raise Invalid(t("app.notice.not_number")) from None
        if not all(math.isfinite(x) for x in v):
            raise Invalid(t("app.notice.not_finite"))
        c = tuple(float(min(max(x, self.lo), self.hi)) for x in v)
        if c != tuple(v):
            cells = [
                (f"#{i + 1}", a, b) for i, (a, b) in enumerate(zip(v, c, strict=True)) if a != b
            ]
            return c, _clamped_notice(self.lo, self.hi, cells)
        return c, None

    def encode(self, value: Any) -> str:
        return ",".join(_num(float(x)) for x in value)

    def is_default(self, value: Any) -> bool:
        return tuple(float(x) for x in value) == tuple(self.default)


def _clamped_notice(lo: float, hi: float, cells: Sequence[tuple[str, float, float]]) -> str:
    """Entries of a link's matrix or vector moved into ``[lo, hi]``: where, given → used."""
    listed = "; ".join(f"{where}: {_num(a)} → {_num(b)}" for where, a, b in cells[:6])
    more = "; …" if len(cells) > 6 else ""
    return t("app.notice.clamped_cells", lo=_num(lo), hi=_num(hi), cells=listed + more)


def _num(x: float) -> str:
    """Shortest text that reads back as the same float (``1.0`` → ``1``)."""
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    s = repr(float(x))
    return s[:-2] if s.endswith(".0") else s


class Binding:
    """The parameters of one page; session keys are ``<page>.<name>``."""

    def __init__(self, page: str, params: Sequence[Param]):
        self.page = page
        self.params = {p.name: p for p in params}

    def key(self, name: str) -> str:
        return f"{self.page}.{name}"

    def __getitem__(self, name: str) -> Any:
        key = self.key(name)
        if key not in st.session_state:  # cleaned up with a widget a rerun did not draw
            saved: dict[str, Any] = st.session_state.get(_SAVED, {})
            st.session_state[key] = saved.get(key, self.params[name].default)
        return st.session_state[key]

    def set(self, name: str, value: Any) -> None:
        """Set a value (from a callback, or before its widget is drawn)."""
        st.session_state[self.key(name)] = value

    def reset(self, names: Iterable[str] | None = None) -> None:
        """Put parameters back to their defaults (call from a widget callback)."""
        for name in names if names is not None else self.params:
            self.set(name, self.params[name].default)

    def on_reset(self, names: Iterable[str] | None = None) -> Callable[[], None]:
        chosen = list(names) if names is not None else None
        return lambda: self.reset(chosen)


def claim() -> None:
    """Put back every bound value that a fragment's rerun lost (a section's fragment calls it
    first): a widget that a rerun did not draw (a control of another mode) loses its value to
    Streamlit's clean-up, and the next run would not find it. Values still there are left
    alone: a widget drawn earlier in the same run (several fragments rerun together) may not be
    set again."""
    saved: dict[str, Any] = st.session_state.get(_SAVED, {})
    for b in st.session_state.get(_BINDINGS, []):
        for name, p in b.params.items():
            key = b.key(name)
            if key not in st.session_state:
                st.session_state[key] = saved.get(key, p.default)


def begin_run() -> None:
    """Start a script run: forget the previous run's bindings."""
    st.session_state[_BINDINGS] = []


def enter_page(page: str) -> None:
    """Note the page being shown; notices of the page one came from are dropped."""
    previous = st.session_state.get(_PAGE)
    st.session_state[_PAGE] = page
    if previous is not None and previous != page:
        st.session_state[_NOTICES] = []


def bind(page: str, *params: Param) -> Binding:
    """Declare a page's parameters and fill in their values for this run."""
    b = Binding(page, params)
    saved: dict[str, Any] = st.session_state.setdefault(_SAVED, {})
    notices: list[str] = st.session_state.setdefault(_NOTICES, [])
    for p in params:
        key = b.key(p.name)
        if key in st.session_state:
            # Claim the value for this run: a widget that is not drawn in some run (a control
            # hidden by a mode) would otherwise lose it to Streamlit's widget clean-up.
            value = st.session_state[key]
            if isinstance(p, Choice) and not (isinstance(value, str) and value in p.options):
                value = _choice_sent_back(b, p, value)
            st.session_state[key] = value
            continue
        raw = st.query_params.get(p.name)
        if raw is not None and key not in saved:
            value, notice = _from_url(p, raw)
            if notice:
                # the name is the page's own (shown in a code span, where escapes would show)
                why = t("app.notice.param", name=p.name, raw=shown(raw), why=notice)
                notices.append(why)
            st.session_state[key] = value
        else:
            st.session_state[key] = saved.get(key, p.default)
    bindings: list[Binding] = st.session_state.setdefault(_BINDINGS, [])
    # A section's fragment binds again on its own reruns: the new binding replaces its twin.
    bindings[:] = [x for x in bindings if (x.page, x.params.keys()) != (b.page, b.params.keys())]
    bindings.append(b)
    return b


def _choice_sent_back(b: Binding, p: Choice, value: Any) -> str:
    """The option a radio or selectbox meant when it handed back something else: its label
    in either language (a click just after the language changed), else the default, said."""
    prefix = p.labels or f"{b.page}.{p.name}"
    for lang in LANGUAGES:
        labels = catalog(lang)
        for option in p.options:
            if labels.get(f"{prefix}.{option}") == value:
                return option
    known = catalog(DEFAULT_LANGUAGE)
    label_key = p.label_key or f"{b.page}.{p.name}"
    label = t(label_key) if label_key in known else p.name
    new_key = f"{prefix}.{p.default}"
    new = t(new_key) if new_key in known else str(p.default)
    old = "—" if value is None else str(value)
    flash(t("app.notice.choice", label=label, old=shown(old), new=shown(new)))
    return p.default


def _from_url(p: Param, raw: str) -> tuple[Any, str | None]:
    if len(raw) > MAX_RAW_LEN:
        return p.default, t("app.notice.too_long", n=MAX_RAW_LEN)
    try:
        return p.parse(raw)
    except Invalid as err:
        return p.default, f"{err} {t('app.notice.kept_default')}"


def notices() -> list[str]:
    """The notices of this page visit (bad URL values and what was kept instead), then the
    notices of this run (see :func:`flash`)."""
    return list(st.session_state.get(_NOTICES, [])) + take_flash()


def flash(text: str) -> None:
    """Add a notice for this run only (text must already be safe Markdown); callbacks and
    checks before the page's header use it; :func:`publish` forgets it after the run."""
    pending: list[str] = st.session_state.setdefault(_FLASH, [])
    if text not in pending:
        pending.append(text)


def visit_notice_count() -> int:
    """How many notices this page visit has so far (see :func:`notices_since`)."""
    return len(st.session_state.get(_NOTICES, []))


def notices_since(count: int) -> list[str]:
    """The visit's notices added after :func:`visit_notice_count` returned ``count``: a value
    bound after the page's header (a section's own parameter) shows its link notice there."""
    return list(st.session_state.get(_NOTICES, []))[count:]


def take_flash() -> list[str]:
    """The notices of this run not shown yet, which are then forgotten (a section shows them)."""
    pending = list(st.session_state.get(_FLASH, []))
    st.session_state[_FLASH] = []
    return pending


def add_notice(text: str) -> None:
    """Add a notice for the rest of this page visit (text must already be safe Markdown)."""
    st.session_state.setdefault(_NOTICES, []).append(text)


def url_params() -> tuple[dict[str, str], list[str]]:
    """The query parameters for the state of this run, and the names left out (too large)."""
    out: dict[str, str] = {VERSION_PARAM: URL_VERSION}
    left_out: list[str] = []
    for b in st.session_state.get(_BINDINGS, []):
        for p in b.params.values():
            value = st.session_state.get(b.key(p.name), p.default)
            if p.is_default(value) and not p.always:
                continue
            text = p.encode(value)
            if text is None:
                left_out.append(p.name)
            else:
                out[p.name] = text
    return out, left_out


def publish() -> tuple[dict[str, str], list[str]]:
    """Write this run's state into the URL (only when it changed) and remember it."""
    st.session_state[_FLASH] = []  # shown by this run's header
    saved: dict[str, Any] = st.session_state.setdefault(_SAVED, {})
    for b in st.session_state.get(_BINDINGS, []):
        for name in b.params:
            key = b.key(name)
            if key in st.session_state:
                saved[key] = st.session_state[key]
    params, left_out = url_params()
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    return params, left_out


def share_url(params: dict[str, str]) -> str:
    """The full link to this view (relative when the browser's URL is unknown)."""
    query = urlencode(params, safe=",;")
    base = st.context.url
    if not base:
        return "?" + query
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def load_view(params: dict[str, str], keep: Iterable[str] = ()) -> None:
    """Show the view ``params`` as if its link had just been opened (a class's student follows
    the teacher): the URL becomes ``params``, and every bound value (of this run's bindings and
    of the pages remembered by :func:`publish`) is forgotten, so that :func:`bind` reads the URL
    again, with the same checks and notices as a share link. Names in ``keep`` (personal
    values: the language, one's own guess) keep their values."""
    kept = set(keep)
    saved: dict[str, Any] = st.session_state.setdefault(_SAVED, {})
    keys = set(saved)
    for b in st.session_state.get(_BINDINGS, []):
        keys.update(b.key(name) for name in b.params)
    for key in keys:
        if key.rsplit(".", 1)[-1] not in kept:
            saved.pop(key, None)
            st.session_state.pop(key, None)
    st.session_state[_NOTICES] = []
    st.query_params.from_dict(params)
