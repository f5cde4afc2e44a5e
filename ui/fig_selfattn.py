"""Figures of the self-attention page. Pure functions returning ``go.Figure`` (no Streamlit).

Several matrices are drawn side by side in one figure (panels on one colour scale), so the
heads of a multi-head attention can be compared at a glance.

Speed: Plotly validates every property it is given, and ``make_subplots`` plus the
``update_*`` calls of ``ui.layout.style_figure`` cost 10–20 ms per multi-panel figure; a page
with six figures would spend most of its time there. So these builders write the whole figure,
the app's sizes included (``big`` = presentation mode, as ``style_figure`` does), as plain
dicts and wrap them once with :func:`dict_figure`. The tests build every figure again *with*
validation, so a misspelt property still fails.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import plotly.graph_objects as go

from ui import figures
from ui.figures import DIVERGING_SCALE, MASKED_COLOUR, SEQUENTIAL_SCALE

VALUES_UP_TO: Final = 8  # numbers on the cells when a panel is at most this on both sides
PLOT_PX: Final = 1000  # about how wide a figure is drawn on a laptop or a projector
PANEL_TITLE_PX: Final = 30  # room above a panel for its title
AXIS_PX: Final = 62  # room below a panel for tick labels and the axis title
SEPARATOR: Final = "rgba(255,255,255,0.95)"  # head boundaries drawn over the cells
# The app's scales as explicit colour lists (see ui.figures), under this page's names
SIGNED_SCALE: Final = DIVERGING_SCALE
WEIGHT_SCALE: Final = SEQUENTIAL_SCALE


@dataclass(frozen=True)
class Panel:
    """One matrix in a grid of heatmaps.

    ``x_labels``/``y_labels`` default to 1, 2, 3, …; ``masked`` (bool, same shape) cells are left
    blank on a grey background; ``col_groups`` draws a separator every that many columns (the
    boundaries between heads).
    """

    z: np.ndarray
    title: str = ""
    x_title: str = ""
    y_title: str = ""
    x_labels: Sequence[str] | None = None
    y_labels: Sequence[str] | None = None
    masked: np.ndarray | None = None
    col_groups: int = 0


def dict_figure(data: list[dict], layout: dict, *, big: bool = False) -> go.Figure:
    """A figure from plain dicts with the app's sizes (larger when ``big``: presentation mode).

    The dicts are trusted (Plotly's validation is skipped; the tests validate them).
    """
    return figures.dict_figure(
        data, layout, font_size=20 if big else 13, height_factor=1.25 if big else 1.0
    )


def _axis_labels(labels: Sequence[str] | None, n: int) -> list[str]:
    return list(labels) if labels is not None else [str(i + 1) for i in range(n)]


def _cells(z: np.ndarray, masked: np.ndarray | None) -> np.ndarray:
    """Cell values (a NumPy array travels as compact binary), masked cells NaN (blank)."""
    out = np.array(z, dtype=np.float64)  # a copy: the caller's array stays as it is
    if masked is not None:
        out[np.asarray(masked, dtype=bool)] = np.nan
    return out


def heatmap_grid(
    panels: Sequence[Panel],
    *,
    cols: int | None = None,
    signed: bool = True,
    zmin: float | None = None,
    zmax: float | None = None,
    colorbar_title: str = "",
    title: str = "",
    show_values: bool | None = None,
    value_format: str = ".2f",
    panel_px: int | None = None,
    tick_labels: bool = True,
    big: bool = False,
) -> go.Figure:
    """Matrices side by side (wrapping after ``cols`` panels) on one shared colour scale.

    ``signed`` picks the diverging scale centred on 0 (blue–orange); otherwise viridis from
    ``zmin`` (default 0). Numbers are written on the cells when every panel is small.
    """
    if not panels:
        return dict_figure([], {"height": 120}, big=big)
    cols = max(1, min(cols or len(panels), len(panels)))
    rows = math.ceil(len(panels) / cols)
    finite = [p.z[np.isfinite(p.z)] for p in panels if p.z.size]
    if signed and zmin is None and zmax is None:
        lim = max((float(np.max(np.abs(f))) for f in finite if f.size), default=1.0) or 1.0
        zmin, zmax = -lim, lim
    elif not signed:
        zmin = 0.0 if zmin is None else zmin
        top = max((float(np.max(f)) for f in finite if f.size), default=1.0)
        zmax = (top if top > zmin else zmin + 1.0) if zmax is None else zmax
    biggest = max(max(p.z.shape) for p in panels)
    if show_values is None:
        # a number needs ~40 px (~55 px in presentation mode); count the columns side by side
        widest = max(p.z.shape[1] for p in panels)
        show_values = biggest <= VALUES_UP_TO and cols * widest * (55 if big else 40) <= PLOT_PX
    n_rows_max = max(p.z.shape[0] for p in panels)
    if panel_px is None:
        panel_px = int(min(420, max(170, 40 + 30 * n_rows_max)))
    top_px = 40 if title else 10
    height = top_px + rows * (PANEL_TITLE_PX + panel_px + AXIS_PX)
    plot_px = height - top_px  # the domain fractions below are of this
    gap = (0.09 if big else 0.06) if cols > 1 and tick_labels else (0.03 if cols > 1 else 0.0)
    width = (1.0 - gap * (cols - 1)) / cols

    data: list[dict] = []
    layout: dict = {
        "title": {"text": title},
        "height": height,
        "coloraxis": {
            "colorscale": SIGNED_SCALE if signed else WEIGHT_SCALE,
            "cmin": zmin,
            "cmax": zmax,
            "colorbar": {"title": {"text": colorbar_title}, "thickness": 14, "len": 0.9},
        },
        "plot_bgcolor": MASKED_COLOUR,
        "annotations": [],
        "shapes": [],
    }
    for idx, p in enumerate(panels):
        r, c = divmod(idx, cols)
        suffix = "" if idx == 0 else str(idx + 1)
        xa, ya = f"xaxis{suffix}", f"yaxis{suffix}"
        x_ref, y_ref = f"x{suffix}", f"y{suffix}"
        z = np.asarray(p.z, dtype=np.float64)  # (rows, cols)
        xs = _axis_labels(p.x_labels, z.shape[1])
        ys = _axis_labels(p.y_labels, z.shape[0])
        y_top = 1.0 - (r * (PANEL_TITLE_PX + panel_px + AXIS_PX) + PANEL_TITLE_PX) / plot_px
        y_bottom = y_top - panel_px / plot_px
        x_left = c * (width + gap)
        trace: dict = {
            "type": "heatmap",
            "z": _cells(z, p.masked),
            "x": xs,
            "y": ys,
            "coloraxis": "coloraxis",
            "xaxis": x_ref,
            "yaxis": y_ref,
            "xgap": 1 if max(z.shape) <= 16 else 0,  # thin cells: no white grid over them
            "ygap": 1 if max(z.shape) <= 16 else 0,
            "hoverongaps": False,
            "hovertemplate": "%{y} · %{x}: %{z:.4g}<extra>" + _plain(p.title) + "</extra>",
        }
        if show_values:
            trace["texttemplate"] = "%{z:" + value_format + "}"
            trace["textfont"] = {"size": 15 if big else 11}
        data.append(trace)
        layout[xa] = {
            "domain": [max(0.0, x_left), min(1.0, x_left + width)],
            "anchor": y_ref,
            "type": "category",
            "title": {"text": p.x_title, "standoff": 4},
            "showticklabels": tick_labels,
            "tickangle": _tick_angle(xs, cols, big),
            "showgrid": False,
        }
        layout[ya] = {
            "domain": [max(0.0, y_bottom), min(1.0, y_top)],
            "anchor": x_ref,
            "type": "category",
            "autorange": "reversed",
            "title": {"text": p.y_title if c == 0 else "", "standoff": 4},
            "showticklabels": tick_labels,
            "showgrid": False,
        }
        layout["annotations"].append(
            {
                "text": p.title,
                "x": x_left + width / 2,
                "y": min(1.0, y_top),
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 22 if big else 14},
            }
        )
        if p.col_groups and 0 < p.col_groups < z.shape[1]:
            for g in range(p.col_groups, z.shape[1], p.col_groups):
                layout["shapes"].append(
                    {
                        "type": "line",
                        "xref": x_ref,
                        "yref": f"{y_ref} domain",
                        "x0": g - 0.5,
                        "x1": g - 0.5,
                        "y0": 0,
                        "y1": 1,
                        "line": {"color": SEPARATOR, "width": 3},
                    }
                )
    return dict_figure(data, layout, big=big)


def _tick_angle(labels: Sequence[str], cols: int, big: bool) -> int:
    """Horizontal tick labels when they fit side by side, vertical when they would overlap."""
    room = PLOT_PX / (cols * max(1, len(labels)))  # px per tick
    need = max(map(len, labels), default=1) * (12 if big else 8) + 4
    return 0 if need <= room else -90


def _plain(text: str) -> str:
    """Text for a hover box (which reads HTML): tags dropped, then any ``<``, ``>``, ``&``."""
    return "".join(ch for ch in re.sub(r"<[^>]*>", "", text) if ch not in "<>&")


def positional_encoding_figure(
    pe: np.ndarray,
    n_used: int,
    *,
    title: str,
    x_title: str,
    y_title: str,
    used_label: str,
    big: bool = False,
) -> go.Figure:
    """The encoding as a heatmap: positions along x, dimensions down y, values in [-1, 1].

    A frame marks the positions that the tokens on the page occupy (``0 .. n_used-1``).
    """
    pe = np.asarray(pe, dtype=np.float64)  # (positions, d)
    n_pos, d = pe.shape
    data = [
        {
            "type": "heatmap",
            "z": np.ascontiguousarray(pe.T),  # (d, positions)
            "x": np.arange(n_pos),
            "y": np.arange(d),
            "zmin": -1.0,
            "zmax": 1.0,
            "colorscale": SIGNED_SCALE,
            "colorbar": {"title": {"text": "PE"}, "thickness": 14},
            "hovertemplate": "p = %{x}, i = %{y}: %{z:.4f}<extra></extra>",
        }
    ]
    shapes = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "y",
            "x0": -0.5,
            "x1": n_used - 0.5,
            "y0": -0.5,
            "y1": d - 0.5,
            "line": {"color": "#000000", "width": 2, "dash": "dash"},
        }
    ]
    annotations = [
        {
            "text": used_label,
            "x": -0.5,
            "y": 1.0,
            "xref": "x",
            "yref": "paper",
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
        }
    ]
    layout = {
        "title": {"text": title},
        "xaxis": {"title": {"text": x_title}, "showgrid": False, "range": [-0.5, n_pos - 0.5]},
        "yaxis": {"title": {"text": y_title}, "showgrid": False, "range": [d - 0.5, -0.5]},
        "shapes": shapes,
        "annotations": annotations,
        "height": int(min(460, max(300, 140 + 9 * d))),
    }
    return dict_figure(data, layout, big=big)
