"""Figures of the Q · K · V playground. Pure builders: each returns a ``go.Figure``.

The main figure puts scores → weights → output side by side in *one* Plotly figure (one
figure to redraw when the temperature moves, not three). Small matrices carry their numbers
on the cells; a matrix larger than ``figures.IMAGE_ABOVE`` on a side is sent as a PNG image
(``figures.colour_image`` + ``figures.png_data_uri``), and the encoded image is remembered by
content, so an unchanged 512 × 512 matrix is not encoded again. When the values read as
colours, the weights panel gets a row of ink swatches over its key columns and the output
panel a column with each query's mixture: the reagent-mixing picture inside the heatmaps.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from threading import Lock
from typing import Final

import numpy as np
import plotly.graph_objects as go

from ui import figures
from ui.tokens import MAX_TOKENS, short_labels

HIGHLIGHT: Final = figures.PALETTE[5]  # vermilion: the selected query row
DIMMED: Final = "rgba(255,255,255,0.72)"  # over the cells a step does not use
GAP: Final = 0.1  # paper width between panels (room for a colour bar)
ROW_TICKS: Final = 24  # more row labels than this: every k-th is written
COLUMN_TICKS: Final = 12  # the same for columns (panels are narrower than tall)
FONT: Final = 13  # the figure's font size (tick labels are shrunk to fit, not below the floor)
TICK_FLOOR: Final = 10
GLYPH: Final = 1.25  # px a label takes across its line, per px of font size
PLOT_AREA_PX: Final = 640  # the panels' share of the narrowest figure (~820 px at 1280 × 720)
CELL_NUMBER_PX: Final = 28  # a cell estimated narrower than this gets no number on it
MARGINS_PX: Final = 130  # of the figure's height: titles above, column labels below
_IMAGES: OrderedDict[tuple, str] = OrderedDict()  # (digest, zmin, zmax, diverging) -> data URI
_IMAGES_MAX: Final = 12  # immutable strings shared by all sessions; oldest dropped first
_IMAGES_LOCK: Final = Lock()


def image_uri(m: np.ndarray, zmin: float, zmax: float, diverging: bool) -> str:
    """A matrix as a PNG data URI in the app's colours, remembered by content."""
    m = np.ascontiguousarray(m, dtype=np.float64)
    digest = hashlib.blake2b(m.tobytes(), digest_size=16).digest()
    key = (digest, m.shape, zmin, zmax, diverging)
    with _IMAGES_LOCK:
        if key in _IMAGES:
            _IMAGES.move_to_end(key)
            return _IMAGES[key]
    uri = figures.png_data_uri(figures.colour_image(m, zmin, zmax, diverging))
    with _IMAGES_LOCK:
        _IMAGES[key] = uri
        while len(_IMAGES) > _IMAGES_MAX:
            _IMAGES.popitem(last=False)
    return uri


@dataclass(frozen=True)
class Panel:
    """One matrix of a figure and how to draw it."""

    m: np.ndarray  # (rows, cols)
    title: str
    x_title: str
    y_title: str
    x_labels: Sequence[str]
    y_labels: Sequence[str]
    kind: str = "signed"  # "signed": diverging around 0; "weights": 0 … 1
    masked: np.ndarray | None = None  # (rows, cols) True where the cell is masked
    row: int | None = None  # the selected query row, framed
    top_swatches: np.ndarray | None = None  # (cols, 3) RGB in [0, 1]: a row over the columns
    top_label: str = ""
    side_swatches: np.ndarray | None = None  # (rows, 3) RGB in [0, 1]: a column on the right
    side_label: str = ""
    row_ticks: bool = True  # False: the rows are named by the panel on the left
    dim: bool = False  # grey the rows other than ``row`` (a step that uses only that row)
    frame_all: bool = False  # frame the whole matrix (a step that uses every row)


def _rgb(c: np.ndarray) -> str:
    r, g, b = (round(255 * float(min(max(x, 0.0), 1.0))) for x in c)
    return f"rgb({r},{g},{b})"


def _ticks(
    labels: Sequence[str],
    most: int,
    extra: tuple[tuple[int, str], ...] = (),
    *,
    room_px: float | None = None,
    across: bool = False,
) -> dict:
    """Tick labels that do not overlap in ``room_px`` (the axis' length on the narrowest screen).

    Every label (shortened, never dropped) when they fit side by side at no less than
    :data:`TICK_FLOOR` px, the font shrunk to fit; otherwise every k-th, as few k as fit (at
    most ``most`` beyond :data:`ui.tokens.MAX_TOKENS` labels). ``across``: labels along an x
    axis, turned upright when they do not fit lying down.
    """
    n = len(labels)
    short = short_labels(labels)
    font, angle = FONT, 0
    if room_px is None or n == 0:
        step = 1 if n <= MAX_TOKENS else max(1, -(-n // most))
    else:
        per = room_px / n  # px per label
        wide = max(figures.text_width(s, FONT) for s in short) + 6  # lying down
        if across and wide <= per:
            step = 1
        else:
            angle = -90 if across else 0
            font = int(max(TICK_FLOOR, min(FONT, per / GLYPH)))
            step = max(1, math.ceil(n * GLYPH * font / room_px))
            if n > MAX_TOKENS:
                step = max(step, -(-n // most))
    shown = range(0, n, step)
    vals = [v for v, _ in extra] + list(shown)
    text = [s for _, s in extra] + [short[i] for i in shown]
    out = {"tickmode": "array", "tickvals": vals, "ticktext": text, "tickfont": {"size": font}}
    if across:
        out["tickangle"] = angle
    return out


def _limits(p: Panel) -> tuple[float, float]:
    if p.kind == "weights":
        return 0.0, 1.0
    shown = p.m if p.masked is None else p.m[~np.asarray(p.masked, dtype=bool)]
    lim = float(np.max(np.abs(shown))) if shown.size else 1.0
    return -(lim or 1.0), lim or 1.0


def _rect(xa: str, ya: str, x1: float, ys: tuple[float, float], fill: str, line: dict) -> dict:
    """A rectangle on one panel's axes, from its left edge (-0.5) to ``x1``, rows ``ys``."""
    return {
        "type": "rect",
        "xref": xa,
        "yref": ya,
        "x0": -0.5,
        "x1": x1,
        "y0": ys[0],
        "y1": ys[1],
        "fillcolor": fill,
        "line": line,
    }


def panels(items: Sequence[Panel], *, height: int | None = None) -> go.Figure:
    """Matrices side by side in one figure, each with its own axes and colour bar.

    Cells are at integer positions (column j at x = j, row i at y = i, row 0 on top), so
    frames and swatches sit at the same places whether a panel is numbers or an image.
    """
    shares = np.array([max(p.m.shape[1] + (p.side_swatches is not None), 2) for p in items], float)
    shares = np.maximum(shares / shares.sum(), 0.12)
    widths = shares / shares.sum() * (1.0 - GAP * len(items))
    data: list[dict] = []
    masks = any(p.masked is not None and np.any(p.masked) for p in items)
    layout: dict = {"annotations": [], "shapes": [], "plot_bgcolor": "white"}
    if masks:
        layout["plot_bgcolor"] = figures.MASKED_COLOUR  # masked cells are holes in the heatmap
    left = 0.0
    max_rows = max(p.m.shape[0] + (p.top_swatches is not None) for p in items)
    fig_height = height or (
        520 if max_rows > figures.IMAGE_ABOVE else max(300, min(600, 90 + 36 * max_rows))
    )
    for k, (p, width) in enumerate(zip(items, widths, strict=True)):
        n = "" if k == 0 else str(k + 1)
        xa, ya = f"x{n}", f"y{n}"
        m = np.asarray(p.m, dtype=np.float64)
        n_rows, n_cols = m.shape
        zmin, zmax = _limits(p)
        scale = figures.SEQUENTIAL_SCALE if p.kind == "weights" else figures.DIVERGING_SCALE
        bar = {
            "thickness": 12,
            "x": left + width + 0.006,
            "xanchor": "left",
            "len": 0.85,
            "y": 0.5,
            "yanchor": "middle",
        }
        image = max(n_rows, n_cols) > figures.IMAGE_ABOVE
        if image:
            uri = image_uri(m, zmin, zmax, p.kind != "weights")
            data.append(
                {"type": "image", "source": uri, "xaxis": xa, "yaxis": ya, "hoverinfo": "skip"}
            )
            data.append(
                {
                    "type": "scatter",
                    "x": [None],
                    "y": [None],
                    "mode": "markers",
                    "xaxis": xa,
                    "yaxis": ya,
                    "hoverinfo": "skip",
                    "showlegend": False,
                    "marker": {
                        "colorscale": scale,
                        "cmin": zmin,
                        "cmax": zmax,
                        "color": [zmin],
                        "showscale": True,
                        "colorbar": bar,
                    },
                }
            )
        else:
            # numbers on the cells when few and wide enough to hold "-0.00" / "0.000"
            numbers = (
                max(n_rows, n_cols) <= figures.VALUES_UP_TO
                and width * PLOT_AREA_PX / (n_cols + (p.side_swatches is not None))
                >= CELL_NUMBER_PX
            )
            z = m.copy()
            if p.masked is not None:
                z[np.asarray(p.masked, dtype=bool)] = np.nan
            trace = {
                "type": "heatmap",
                "z": z,
                "x": list(range(n_cols)),
                "y": list(range(n_rows)),
                "zmin": zmin,
                "zmax": zmax,
                "colorscale": scale,
                "colorbar": bar,
                "xgap": 1,
                "ygap": 1,
                "xaxis": xa,
                "yaxis": ya,
                "customdata": [[f"{r} · {c}" for c in p.x_labels] for r in p.y_labels],
                "hovertemplate": "%{customdata}: %{z:.4g}<extra></extra>",
            }
            if numbers:
                fmt = ".3f" if p.kind == "weights" else ".2f"
                trace["texttemplate"] = "%{z:" + fmt + "}"
                if max(n_rows, n_cols) > 6:  # small cells: small numbers; else the figure's size
                    trace["textfont"] = {"size": 12}
            data.append(trace)
            if p.masked is not None and np.any(p.masked):
                mi, mj = np.nonzero(np.asarray(p.masked, dtype=bool))
                data.append(
                    {
                        "type": "scatter",
                        "x": mj,
                        "y": mi,
                        "text": ["–"] * len(mi),
                        "mode": "text" if numbers else "markers",
                        "marker": {"symbol": "square", "size": 5, "color": figures.MASKED_COLOUR},
                        "xaxis": xa,
                        "yaxis": ya,
                        "hoverinfo": "skip",
                        "showlegend": False,
                    }
                )
        x_extra, y_extra = (), ()
        if p.top_swatches is not None:
            data.append(_swatches(np.arange(n_cols), np.full(n_cols, -1), p.top_swatches, xa, ya))
            y_extra = ((-1, p.top_label),) if p.top_label else ()
        if p.side_swatches is not None:
            data.append(
                _swatches(
                    np.full(n_rows, n_cols),
                    np.arange(n_rows),
                    p.side_swatches,
                    xa,
                    ya,
                    selected=p.row,
                )
            )
            x_extra = ((n_cols, p.side_label),)
        x_hi = n_cols - 0.5 + (p.side_swatches is not None)
        y_lo = -0.5 - (p.top_swatches is not None)
        layout[f"xaxis{n}"] = {
            "domain": [left, left + width],
            "anchor": ya,
            "range": [-0.5, x_hi],
            "title": {"text": p.x_title},
            "showgrid": False,
            "zeroline": False,
            **_ticks(p.x_labels, COLUMN_TICKS, x_extra, room_px=width * PLOT_AREA_PX, across=True),
        }
        layout[f"yaxis{n}"] = {
            "domain": [0.0, 1.0],
            "anchor": xa,
            "range": [n_rows - 0.5, y_lo],
            "title": {"text": p.y_title},
            "showgrid": False,
            "zeroline": False,
            **_ticks(
                p.y_labels if p.row_ticks else [],
                ROW_TICKS,
                y_extra,
                room_px=(fig_height - MARGINS_PX) * n_rows / (n_rows - y_lo - 0.5),
            ),
        }
        if image:
            layout[f"yaxis{n}"]["scaleanchor"] = False  # an image would force square pixels
        layout["annotations"].append(
            {
                "text": f"<b>{p.title}</b>",
                "x": left + width / 2,
                "xref": "paper",
                "y": 1.0,
                "yref": "paper",
                "yanchor": "bottom",  # above the plot, in a top margin sized for its lines
                "yshift": 4,
                "showarrow": False,
            }
        )
        if p.row is not None and p.dim:  # the rows this step does not use, greyed
            for y0, y1 in ((y_lo, p.row - 0.5), (p.row + 0.5, n_rows - 0.5)):
                if y1 > y0:
                    layout["shapes"].append(_rect(xa, ya, x_hi, (y0, y1), DIMMED, {"width": 0}))
        frame = {"color": HIGHLIGHT, "width": 3}
        if p.frame_all:
            layout["shapes"].append(
                _rect(xa, ya, n_cols - 0.5, (-0.5, n_rows - 0.5), "rgba(0,0,0,0)", frame)
            )
        if p.row is not None:
            layout["shapes"].append(
                _rect(xa, ya, n_cols - 0.5, (p.row - 0.5, p.row + 0.5), "rgba(0,0,0,0)", frame)
            )
        left += width + GAP
    layout["height"] = fig_height
    layout["showlegend"] = False
    return figures.figure(data, layout)


def _swatches(
    x: np.ndarray, y: np.ndarray, rgb: np.ndarray, xa: str, ya: str, selected: int | None = None
) -> dict:
    n = len(x)
    return {
        "type": "scatter",
        "x": x,
        "y": y,
        "mode": "markers",
        "xaxis": xa,
        "yaxis": ya,
        "customdata": np.asarray(rgb),
        "showlegend": False,
        "hovertemplate": "(%{customdata[0]:.3f}, %{customdata[1]:.3f}, "
        "%{customdata[2]:.3f})<extra></extra>",
        "marker": {
            "symbol": "square",
            "size": 26,
            "color": [_rgb(c) for c in rgb],
            "line": {
                "color": [HIGHLIGHT if k == selected else "#555555" for k in range(n)],
                "width": [4 if k == selected else 1 for k in range(n)],
            },
        },
    }


def plane(
    Q: np.ndarray,
    K: np.ndarray,
    *,
    row: int,
    query_labels: Sequence[str],
    key_labels: Sequence[str],
    title: str = "",
    axis_titles: tuple[str, str] = ("", ""),
) -> go.Figure:
    """2-D queries and keys as arrows (``ui.figures.vectors_plane``), the selected query bold,
    the others faint."""
    fig = figures.vectors_plane(
        Q,
        K,
        query_labels=query_labels,
        key_labels=key_labels,
        # a half-width column: on a projector (28-px title) a long title would run off it
        title=figures.fit_title(title, width_px=500, size=28),
        axis_titles=axis_titles,
    )
    n_k = len(K)
    for q, trace in enumerate(fig.data[n_k:]):
        if q == row:
            trace.line.width = 4
            trace.line.color = HIGHLIGHT
            trace.marker.color = HIGHLIGHT
        else:
            trace.opacity = 0.45
    return fig
