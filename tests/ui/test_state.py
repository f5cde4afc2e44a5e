"""The URL codec on its own (no Streamlit run): any text in, a usable value or ``Invalid`` out.

Properties, for every kind of parameter with random bounds:
- ``parse`` of any string returns a value inside the parameter's domain or raises
  ``ui.state.Invalid`` — never another exception;
- what ``parse`` returns is encoded into a link that parses back to the same value with no
  notice (a shared link is always clean);
- every value of the domain survives ``encode`` then ``parse`` unchanged;
- ``shown`` makes any string safe to echo inside Markdown.

The page-level fuzz tests (tests/app/test_fuzz.py) run hostile links through whole pages.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.hostile import AUTOLINKS, PAYLOADS, in_domain
from ui import state

# --- strategies -----------------------------------------------------------------------------

HOSTILE = tuple(v for v in (*PAYLOADS, *AUTOLINKS) if len(v) < 1_000)

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(allow_nan=False, allow_infinity=False).map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
cells = st.lists(numbers | st.sampled_from(HOSTILE), min_size=0, max_size=5).map(",".join)
matrix_like = st.lists(cells, min_size=1, max_size=5).map(";".join)
any_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(HOSTILE),
    numbers,
    matrix_like,
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
)

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@st.composite
def bounds(draw, integer: bool = False):
    if integer:
        lo = draw(st.integers(-1000, 1000))
        return lo, lo + draw(st.integers(0, 1000))
    lo = draw(finite)
    hi = draw(st.floats(min_value=lo, max_value=max(lo, 1e12), allow_nan=False))
    return lo, hi


@st.composite
def float_params(draw):
    if draw(st.booleans()):  # a log slider's grid
        grid = tuple(sorted(set(draw(st.lists(st.floats(1e-3, 1e3), min_size=1, max_size=30)))))
        lo, hi = grid[0], grid[-1]
        return state.Float("x", grid[0], lo=lo, hi=hi, grid=grid)
    lo, hi = draw(bounds())
    if draw(st.booleans()):  # integer bounds, as a page might write them
        lo, hi = math.floor(lo), math.ceil(hi)
    return state.Float("x", lo, lo=lo, hi=hi)


@st.composite
def int_params(draw):
    lo, hi = draw(bounds(integer=True))
    return state.Int("n", lo, lo=lo, hi=hi)


@st.composite
def choice_params(draw):
    options = tuple(draw(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=6)))
    return state.Choice("c", options[0], options=options)


@st.composite
def matrix_params(draw):
    max_rows, max_cols = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    lo, hi = draw(bounds())
    return state.Matrix(
        "m",
        default=np.full((1, 1), lo),
        max_rows=max_rows,
        max_cols=max_cols,
        min_rows=draw(st.integers(1, max_rows)),
        min_cols=draw(st.integers(1, max_cols)),
        lo=lo,
        hi=hi,
    )


@st.composite
def vector_params(draw):
    max_len = draw(st.integers(1, 8))
    lo, hi = draw(bounds())
    return state.Vector(
        "v", default=(lo,), min_len=draw(st.integers(1, max_len)), max_len=max_len, lo=lo, hi=hi
    )


params = st.one_of(
    float_params(),
    int_params(),
    choice_params(),
    st.just(state.Flag("f", False)),
    st.integers(1, 50).map(lambda n: state.Text("s", "", max_len=n)),
    matrix_params(),
    vector_params(),
)


# --- values -------------------------------------------------------------------------------


def same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.asarray(a).shape == np.asarray(b).shape and bool(np.array_equal(a, b))
    return a == b


@st.composite
def param_and_value(draw):
    """A parameter and a value from its domain."""
    p = draw(params)
    if isinstance(p, state.Float):
        v = draw(st.sampled_from(p.grid)) if p.grid else draw(st.floats(p.lo, p.hi))
        return p, float(v)
    if isinstance(p, state.Int):
        return p, draw(st.integers(p.lo, p.hi))
    if isinstance(p, state.Choice):
        return p, draw(st.sampled_from(p.options))
    if isinstance(p, state.Flag):
        return p, draw(st.booleans())
    if isinstance(p, state.Text):
        text = st.text(st.characters(categories=["L", "N", "P", "S"]), max_size=p.max_len)
        return p, draw(text.filter(str.isprintable))
    if isinstance(p, state.Matrix):
        r = draw(st.integers(p.min_rows, p.max_rows))
        c = draw(st.integers(p.min_cols, p.max_cols))
        xs = draw(st.lists(st.floats(p.lo, p.hi), min_size=r * c, max_size=r * c))
        return p, np.array(xs, dtype=np.float64).reshape(r, c)
    n = draw(st.integers(p.min_len, p.max_len))
    return p, tuple(draw(st.lists(st.floats(p.lo, p.hi), min_size=n, max_size=n)))


# --- properties -----------------------------------------------------------------------------


@given(params, any_text)
def test_parse_gives_a_value_in_the_domain_or_invalid(p, raw):
    try:
        value, notice = p.parse(raw)
    except state.Invalid as err:
        assert str(err)
        return
    assert in_domain(p, value), (raw, value)
    assert notice is None or isinstance(notice, str)


@given(params, any_text)
def test_a_parsed_value_makes_a_clean_link(p, raw):
    try:
        value, _ = p.parse(raw)
    except state.Invalid:
        return
    text = p.encode(value)
    assume(text is not None)
    again, notice = p.parse(text)
    assert notice is None, (raw, text, notice)
    assert same(again, value), (raw, text)


@given(param_and_value())
def test_encode_then_parse_round_trips(pv):
    p, v = pv
    text = p.encode(v)
    assert text is not None
    again, notice = p.parse(text)
    assert notice is None
    assert same(again, v), (v, text, again)


@given(params, st.one_of(any_text, any_text.map(lambda s: s + "1" * state.MAX_RAW_LEN)))
def test_reading_from_a_link_never_raises(p, raw):
    value, notice = state._from_url(p, raw)
    assert in_domain(p, value) or same(value, p.default)
    if len(raw) > state.MAX_RAW_LEN:
        assert same(value, p.default) and notice


def test_overlong_values_are_dropped_unread():
    p = state.Float("x", 1.0, lo=0.0, hi=2.0)
    value, notice = state._from_url(p, "1" * (state.MAX_RAW_LEN + 1))
    assert value == 1.0 and notice


@pytest.mark.parametrize(
    ("p", "raw", "expected"),
    [
        (state.Float("x", 1.0, lo=0, hi=2), "5", 2.0),
        (state.Float("x", 1.0, lo=0, hi=2), "-5", 0.0),
        (state.Vector("v", default=(0.0,), lo=0, hi=1), "5,-5", (1.0, 0.0)),
    ],
)
def test_clamped_numbers_stay_floats_with_integer_bounds(p, raw, expected):
    value, notice = p.parse(raw)
    assert notice and value == expected
    assert all(type(x) is float for x in (value if isinstance(value, tuple) else (value,)))


ZWSP = "\u200b"
MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|~$&")


def unescape(out: str) -> str:
    """Read ``shown``'s output back: every special character must come as ``\\x``."""
    chars, i = [], 0
    while i < len(out):
        ch = out[i]
        if ch == ZWSP:  # breaks autolinks, invisible
            i += 1
        elif ch == "\\":
            assert i + 1 < len(out) and out[i + 1] in MARKDOWN_SPECIAL, out
            chars.append(out[i + 1])
            i += 2
        else:
            assert ch not in MARKDOWN_SPECIAL, out
            chars.append(ch)
            i += 1
    return "".join(chars)


@given(st.one_of(st.text(), st.sampled_from(HOSTILE)), st.integers(1, 80))
def test_shown_escapes_every_markdown_special(raw, limit):
    out = state.shown(raw, limit)
    assert out.replace(ZWSP, "").isprintable()
    plain = unescape(out)
    # what the browser's Markdown would see after escapes: no autolink pattern left
    text = re.sub(r"\\(.)", r"\1", out)
    assert not re.search(r"(?i)[a-z]://|www\.|@[^\u200b]|:[^\u200b]", text), (raw, out)
    assert len(plain) <= limit + 1
    cut = raw[:limit]
    assert plain[: len(cut)] == "".join(ch if ch.isprintable() else "?" for ch in cut)
