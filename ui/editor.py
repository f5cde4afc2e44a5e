"""A keyed matrix editor on ``st.data_editor`` that never loses the last good matrix.

The matrix itself lives in ``st.session_state[key]`` (a float64 array); the editor widget's key
carries a version number, so loading a preset or resetting is ``set_matrix(key, M)`` (a new
version gives a fresh editor). Cells that are empty, not numbers, NaN or infinite are reported
with their place, and the last good matrix is kept until they are fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def read_frame(
    frame: pd.DataFrame, last_good: np.ndarray, lo: float, hi: float
) -> tuple[np.ndarray, list[Problem], bool]:
    """Turn an edited frame into a matrix: bad cells keep their last good value.

    Returns the matrix, the bad cells, and whether any value was clipped to ``[lo, hi]``.
    """
    values = frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    if values.shape != last_good.shape:
        return last_good, [], False
    bad = ~np.isfinite(values)
    problems = [
        Problem(str(frame.index[i]), str(frame.columns[j]), float(last_good[i, j]))
        for i, j in zip(*np.nonzero(bad), strict=True)
    ]
    out = np.where(bad, last_good, values)
    clipped = np.clip(out, lo, hi)
    return clipped, problems, bool(np.any(clipped != out))


def matrix_editor(
    key: str,
    *,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    lo: float = -1e6,
    hi: float = 1e6,
    step: float = 0.1,
    disabled: bool = False,
    height: int | None = None,
) -> np.ndarray:
    """Draw the editor for ``st.session_state[key]`` and return the current good matrix."""
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
    config = {
        c: st.column_config.NumberColumn(c, min_value=lo, max_value=hi, step=step, format="%.3g")
        for c in frame.columns
    }
    edited = st.data_editor(
        frame,
        key=editor_key(key),
        num_rows="fixed",
        column_config=config,
        disabled=disabled,
        height=height if height is not None else "auto",
    )
    matrix, problems, clipped = read_frame(edited, last_good, lo, hi)
    if problems:
        where = ", ".join(f"({p.row}, {p.col})" for p in problems[:6])
        more = "…" if len(problems) > 6 else ""
        st.error(t("app.editor.bad_cells", where=where + more), icon="✋")
    if clipped:
        st.warning(t("app.editor.clipped", lo=f"{lo:g}", hi=f"{hi:g}"))
    st.session_state[key] = matrix
    return matrix
