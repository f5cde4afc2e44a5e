"""The overview's step-through figure: a matrix with the cells one step uses outlined.

Pure (no Streamlit). Built on :func:`ui.figures.heatmap`; ``layout.show_figure`` sizes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import plotly.graph_objects as go

from ui import figures

OUTLINE: Final = "#d55e00"  # Okabe–Ito vermilion: the cells this step uses
VEIL: Final = "rgba(255,255,255,0.72)"  # over the cells it does not use: greyed out


def step_cells(
    m: np.ndarray,
    used: np.ndarray,
    *,
    title: str,
    x_labels: Sequence[str],
    y_labels: Sequence[str],
    x_title: str = "",
    y_title: str = "",
    masked: np.ndarray | None = None,
    diverging: bool = False,
    zmin: float | None = None,
    zmax: float | None = None,
) -> go.Figure:
    """``m`` as a heatmap with its values; the cells where ``used`` is True outlined, the others
    veiled (greyed). ``masked`` cells are drawn as masked (grey, “–”)."""
    m = np.asarray(m, dtype=np.float64)
    used = np.asarray(used, dtype=bool)
    if used.shape != m.shape:
        raise ValueError(f"used {used.shape} must have the shape of the matrix {m.shape}")
    base = figures.heatmap(
        m,
        title=title,
        x_title=x_title,
        y_title=y_title,
        x_labels=x_labels,
        y_labels=y_labels,
        masked=masked,
        diverging=diverging,
        zmin=zmin,
        zmax=zmax,
        value_format=".3f",
        show_values=True,
    )
    data, layout = figures.figure_parts(base)
    shapes = []
    for i, j in np.ndindex(*m.shape):  # category axes: cell (i, j) spans j ± ½, i ± ½
        cell = {"type": "rect", "xref": "x", "yref": "y"}
        cell.update(x0=j - 0.5, x1=j + 0.5, y0=i - 0.5, y1=i + 0.5)
        if used[i, j]:
            shapes.append({**cell, "line": {"color": OUTLINE, "width": 3}, "layer": "above"})
        else:
            shapes.append({**cell, "fillcolor": VEIL, "line": {"width": 0}, "layer": "above"})
    return figures.figure(data, {**layout, "shapes": [*(layout.get("shapes") or ()), *shapes]})
