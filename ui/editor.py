"""A keyed matrix editor on ``st.data_editor`` that never loses the last good matrix.

The matrix itself lives in ``st.session_state[key]`` (a float64 array); the editor widget's key
carries a version number, so loading a preset or resetting is ``set_matrix(key, M)`` (a new
version gives a fresh editor). Cells that are empty, not numbers, NaN or infinite are reported
with their place, and the last good matrix is kept until they are fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from ui.i18n import t

MAX_EDIT_CELLS = 1024  # larger matrices are shown, not edited cell by cell


def _version_key(key: str) -> str:
    return f"_editor.version.{key}"


def editor_key(key: str) -> str:
    """The data_editor widget key for matrix ``key`` (changes on every reset or preset)."""
    return f"{key}.editor.{st.session_state.get(_version_key(key), 0)}"


def set_matrix(key: str, m: np.ndarray) -> None:
    """Replace a matrix and start a fresh editor for it (call from a callback or before drawing)."""
    st.session_state[key] = np.array(m, dtype=np.float64)
    st.session_state[_version_key(key)] = st.session_state.get(_version_key(key), 0) + 1


@dataclass(frozen=True)
class Problem:
    """A cell that could not be read."""

    row: str
    col: str
    kept: float


@dataclass(frozen=True)
class Change:
    """A cell whose typed value could not be used as it is: ``typed`` became ``used``."""

    row: str
    col: str
    typed: float
    used: float


def shown_number(x: float) -> str:
    """A user's number in a notice: every digit typed (up to 10 significant), ``5.0`` → ``5``."""
    return f"{float(x):.10g}"


def read_frame(
    frame: pd.DataFrame, last_good: np.ndarray, lo: float, hi: float, *, whole: bool = False
) -> tuple[np.ndarray, list[Problem], list[Change]]:
    """Turn an edited frame into a matrix: bad cells keep their last good value.

    Returns the matrix, the bad cells, and the cells whose value had to change: outside
    ``[lo, hi]`` (clipped), or not a whole number when ``whole`` (rounded). Every other value
    is used exactly as typed (full float64 precision).
    """
    values = frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    if values.shape != last_good.shape:
        return last_good, [], []
    bad = ~np.isfinite(values)
    problems = [
        Problem(str(frame.index[i]), str(frame.columns[j]), float(last_good[i, j]))
        for i, j in zip(*np.nonzero(bad), strict=True)
    ]
    out = np.where(bad, last_good, values)  # (rows, cols)
    used = np.clip(np.round(out) if whole else out, lo, hi)
    return used, problems, changed_cells(out, used, frame.index, frame.columns)


def changed_cells(
    before: np.ndarray, after: np.ndarray, row_labels: Sequence[str], col_labels: Sequence[str]
) -> list[Change]:
    """The cells where ``after`` differs from ``before`` (same shape), as :class:`Change` s."""
    a, b = np.asarray(before, dtype=np.float64), np.asarray(after, dtype=np.float64)
    return [
        Change(str(row_labels[i]), str(col_labels[j]), float(a[i, j]), float(b[i, j]))
        for i, j in zip(*np.nonzero(a != b), strict=True)
    ]


def describe_changes(changes: Sequence[Change], most: int = 6) -> str:
    """``(row, col): typed → used`` for the first ``most`` changes (safe Markdown)."""
    parts = [
        f"({c.row}, {c.col}): {shown_number(c.typed)} → {shown_number(c.used)}"
        for c in changes[:most]
    ]
    return "; ".join(parts) + ("; …" if len(changes) > most else "")


def matrix_editor(
    key: str,
    *,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    lo: float = -1e6,
    hi: float = 1e6,
    step: float | None = None,
    disabled: bool = False,
    height: int | None = None,
    on_change: Callable[[], None] | None = None,
) -> np.ndarray:
    """Draw the editor for ``st.session_state[key]`` and return the current good matrix.

    Cells keep every digit typed: the columns have no ``step`` (Streamlit rounds typed values
    to the step's decimals in the browser, silently) and no ``min_value``/``max_value`` (the
    browser would clamp silently too). Values outside ``[lo, hi]`` are clipped here, and a
    whole-number ``step`` (1) makes the cells whole numbers (rounded here); either change is
    reported with the typed and the used value. The cells show integers as integers and
    other numbers with up to 4 decimals (Streamlit's default number format). ``on_change`` is
    called after an edit, before the run (e.g. to rerun the sections that read the matrix).
    """
    whole = step is not None and float(step) >= 1 and float(step).is_integer()
    last_good = np.asarray(st.session_state[key], dtype=np.float64)
    if last_good.size > MAX_EDIT_CELLS:
        st.caption(
            t(
                "app.editor.too_big",
                n=MAX_EDIT_CELLS,
                rows=last_good.shape[0],
                cols=last_good.shape[1],
            )
        )
        return last_good
    frame = pd.DataFrame(last_good, index=list(row_labels), columns=list(col_labels))
    config = {c: st.column_config.NumberColumn(c) for c in frame.columns}
    edited = st.data_editor(
        frame,
        key=editor_key(key),
        num_rows="fixed",
        column_config=config,
        disabled=disabled,
        height=height if height is not None else "auto",
        on_change=on_change,
    )
    matrix, problems, changes = read_frame(edited, last_good, lo, hi, whole=whole)
    if problems:
        where = ", ".join(f"({p.row}, {p.col})" for p in problems[:6])
        more = "…" if len(problems) > 6 else ""
        st.error(t("app.editor.bad_cells", where=where + more), icon="✋")
    if changes:
        st.warning(
            t(
                "app.editor.changed_whole" if whole else "app.editor.changed",
                lo=shown_number(lo),
                hi=shown_number(hi),
                cells=describe_changes(changes),
            ),
            icon="✏️",
        )
    st.session_state[key] = matrix
    return matrix
