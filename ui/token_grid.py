"""Heatmap grids of token × token matrices: several matrices side by side on one colour scale,
every token written on its axes. Shared by the self-attention and the trained-model pages.

Pure functions returning ``go.Figure`` (no Streamlit), built from plain dicts with
:func:`ui.figures.figure` and shown with :func:`ui.layout.show_figure`, which sizes them
(normal and presentation mode). The grid lays its panels out in pixels: the figure's height is
its base height (``show_figure`` makes it taller in presentation mode), and its ``font`` and
``margin`` are the ones ``show_figure`` computes again from the same labels, so a builder's
geometry can be checked without Streamlit. ``big`` (presentation mode) only chooses the type
sizes the layout is computed for.
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
from ui.tokens import TICK_CHARS, short_labels

VALUES_UP_TO: Final = 8  # numbers on the cells when a panel is at most this on both sides
PANEL_TITLE_PX: Final = 30  # room above a panel for its title
AXIS_PX: Final = 62  # room below a panel for tick labels and the axis title
SEPARATOR: Final = "rgba(255,255,255,0.95)"  # head boundaries drawn over the cells
# Tick labels. The narrowest figure is ~830 px (a 1280-px window with the sidebar open, measured);
# about 600 px of it are plot area once the token labels and the colour bar have their room.
PLOT_AREA_PX: Final = 600
FONT, BIG_FONT = 13, 20  # the app's font sizes (normal, presentation mode)
TICK_FLOOR, BIG_TICK_FLOOR = 10, 14  # tick labels are shrunk to fit, not below these
LINE: Final = (
    1.5  # px per font size a label takes across its line (its box, measured: 15 px at 10 px)
)
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


def _axis_labels(labels: Sequence[str] | None, n: int) -> list[str]:
    return list(labels) if labels is not None else [str(i + 1) for i in range(n)]


def _cells(z: np.ndarray, masked: np.ndarray | None) -> np.ndarray:
    """Cell values (a NumPy array travels as compact binary), masked cells NaN (blank)."""
    out = np.array(z, dtype=np.float64)  # a copy: the caller's array stays as it is
    if masked is not None:
        out[np.asarray(masked, dtype=bool)] = np.nan
    return out


def tick_font(n: int, room_px: float, big: bool) -> int:
    """The tick font size at which ``n`` labels side by side fit in ``room_px`` (not below a
    floor)."""
    base, floor = (BIG_FONT, BIG_TICK_FLOOR) if big else (FONT, TICK_FLOOR)
    if n <= 0:
        return base
    return int(max(floor, min(base, room_px / (n * LINE))))


def token_ticks(labels: Sequence[str], font: int) -> dict:
    """Axis properties that write every label (shortened, never dropped) at one font size."""
    return {
        "tickmode": "array",
        "tickvals": list(labels),
        "ticktext": short_labels(labels),
        "tickfont": {"size": font},
    }


def _label_px(labels: Sequence[str], font: float) -> float:
    """Width of the widest (shortened) label."""
    return max((figures.text_width(s, font) for s in short_labels(labels)), default=0.0)


def grid_cols(
    n_panels: int,
    n_labels: int,
    *,
    big: bool = False,
    most: int = 8,
    labels: Sequence[str] | None = None,
) -> int:
    """Panels side by side in a grid of ``n_labels`` × ``n_labels`` matrices (one per head).

    As many as fit on the narrowest figure (:data:`PLOT_AREA_PX`) with every label of their
    axes written at no less than the floor size, at most ``most``; the rest wrap into rows.
    ``labels`` (the row labels between the panels) default to the longest a token can show.
    """
    floor = BIG_TICK_FLOOR if big else TICK_FLOOR
    need = n_labels * LINE * floor  # px a panel needs for its x tick labels side by side
    widest = labels if labels is not None else ["w" * TICK_CHARS + "…₃₂"]
    gap = _label_px(widest, floor) + 24  # y labels between panels
    for c in range(max(1, min(n_panels, most)), 0, -1):
        if (PLOT_AREA_PX - (c - 1) * gap) / c >= max(need, 110):
            return c
    return 1


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
    Axes with given labels (tokens) write every one of them, shortened to
    :data:`ui.tokens.TICK_CHARS` characters, at a font size they fit in; panels grow taller
    and the gaps between them wider so that labels neither overlap nor run into a neighbour.
    """
    if not panels:
        return figures.figure([], {"height": 120})
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
    base = BIG_FONT if big else FONT
    n_rows_max = max(p.z.shape[0] for p in panels)
    if panel_px is None:
        panel_px = int(min(420, max(170, 40 + 30 * n_rows_max)))
    # rows of tokens: a font that fits the panel's height, and a panel tall enough for it
    y_font = tick_font(n_rows_max, panel_px, big)
    if tick_labels and any(p.y_labels is not None for p in panels):
        panel_px = max(panel_px, math.ceil(n_rows_max * LINE * y_font))
    # the gap between panels holds the y tick labels of the panel on the right
    y_label_px = max(
        (_label_px(p.y_labels, y_font) if p.y_labels is not None else 2 * 0.6 * y_font)
        for p in panels
    )
    if cols > 1 and tick_labels:
        gap = (y_label_px + 22) / PLOT_AREA_PX
    else:
        gap = 0.03 if cols > 1 else 0.0
    gap = min(gap, 0.25)
    width = (1.0 - gap * (cols - 1)) / cols
    panel_w = width * PLOT_AREA_PX
    if show_values is None:
        # a number needs ~40 px (~55 px in presentation mode) of its panel's narrowest width
        widest = max(p.z.shape[1] for p in panels)
        show_values = biggest <= VALUES_UP_TO and panel_w / widest >= (55 if big else 40)
    # columns: horizontal labels when they fit side by side, else vertical at a fitting size
    x_axes = []
    for p in panels:
        n_cols = p.z.shape[1]
        xs = _axis_labels(p.x_labels, n_cols)
        if p.x_labels is None:  # numbered dimensions: plotly writes as many as fit
            angle = _tick_angle(xs, cols, big)
            x_axes.append(({}, angle, max(map(len, xs), default=1) * 0.6 * base))
            continue
        room = panel_w / max(1, n_cols)
        if _label_px(xs, base) + 6 <= room:
            x_axes.append((token_ticks(xs, base), 0, 1.2 * base))
        else:
            font = tick_font(n_cols, panel_w, big)
            x_axes.append((token_ticks(xs, font), -90, _label_px(xs, font)))
    axis_px = AXIS_PX
    if tick_labels:
        axis_px = max(AXIS_PX, max(int(h) for _, _, h in x_axes) + 14 + int(1.5 * base) + 8)
    # the plot area, margins apart (the last row's tick labels sit in the bottom margin)
    # room above a panel for its title: a line of its type (22 px in presentation mode), two
    # when a title is wider than its panel (presentation mode wraps it: ui.figures.floor_fonts)
    title_font = figures.PRES_FONT if big else 14  # as show_figure draws them (see title_note)
    lines = (
        2 if big and any(figures.text_width(p.title, title_font) > panel_w for p in panels) else 1
    )
    title_px = max(PANEL_TITLE_PX, int(lines * 1.45 * title_font + 6))
    content_px = rows * (title_px + panel_px + axis_px) - axis_px
    spans: dict[str, tuple[float, float]] = {}

    data: list[dict] = []
    layout: dict = {
        "title": {"text": title},
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
        y_top = r * (title_px + panel_px + axis_px) + title_px  # px from the top
        spans[ya] = (y_top, y_top + panel_px)
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
        x_ticks, x_angle, _ = x_axes[idx]
        layout[xa] = {
            "domain": [max(0.0, x_left), min(1.0, x_left + width)],
            "anchor": y_ref,
            "type": "category",
            "title": {"text": p.x_title, "standoff": 4},
            "showticklabels": tick_labels,
            "tickangle": x_angle,
            "showgrid": False,
            **x_ticks,
        }
        layout[ya] = {
            "anchor": x_ref,
            "type": "category",
            "autorange": "reversed",
            "title": {"text": p.y_title if c == 0 else "", "standoff": 4},
            "showticklabels": tick_labels,
            "showgrid": False,
            **(token_ticks(ys, y_font) if p.y_labels is not None else {}),
        }
        layout["annotations"].append(
            {
                "text": p.title,
                "x": x_left + width / 2,
                "y": y_top,  # px for now: see _place
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                **title_note(cols, big),
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
    return place(data, layout, content_px, spans, big)


def place(
    data: list[dict],
    layout: dict,
    content_px: float,
    spans: dict[str, tuple[float, float]],
    big: bool,
) -> go.Figure:
    """Stacked panels laid out in px (``spans``: y axis → (top, bottom) px from the top of the
    plot area; annotations' ``y`` in px too) put into a figure whose plot area is exactly
    ``content_px`` tall: its height is that plus the margins its labels need. So a panel gets
    the height its tick labels were given, whatever the margins turn out to be.
    """
    for name, (top, bottom) in spans.items():
        layout[name]["domain"] = [
            max(0.0, 1.0 - bottom / content_px),
            min(1.0, 1.0 - top / content_px),
        ]
    for note in layout["annotations"]:
        note["y"] = min(1.0, 1.0 - note["y"] / content_px)
    font = figure_font(figures.panels_in_a_row(layout), big)
    margin = figures.start_margins(data, {**layout, "height": content_px}, font)
    margin["t"] = max(margin["t"], title_px(layout, font))
    layout["height"] = int(content_px + margin["t"] + margin["b"])
    return figures.figure(data, {**layout, "font": {"size": font}, "margin": margin})


# On a projector show_figure's style_figure grows an explicit note size ×1.4, or ×1.15 with
# three panels or more in a row (see ui.layout.style_figure); a panel title given PRES_FONT
# divided by that ends at PRES_FONT, whose subscripts (W_Q: 70 %) stay at 14 px. Without a size
# a title takes the figure's type, 16 px with three panels in a row: subscripts of 11 px.
PRES_NOTE_GROWTH: Final = 1.4
PRES_CROWDED_NOTE_GROWTH: Final = 1.15


def title_note(cols: int, big: bool) -> dict:
    """A panel title's font: none in normal mode (show_figure writes 14 px), and in
    presentation mode the size that show_figure grows to ``PRES_FONT``."""
    if not big:
        return {}
    growth = PRES_CROWDED_NOTE_GROWTH if cols >= 3 else PRES_NOTE_GROWTH
    return {"font": {"size": math.ceil(100 * figures.PRES_FONT / growth) / 100}}  # not 19.99


def figure_font(cols: int, big: bool) -> int:
    """The figure's type as :func:`ui.layout.style_figure` sets it: ``PRES_CROWDED_FONT`` with
    three panels or more in a row in presentation mode, ``PRES_FONT`` otherwise there."""
    if not big:
        return figures.FONT
    return figures.PRES_CROWDED_FONT if cols >= 3 else figures.PRES_FONT


def title_px(layout: dict, font: int) -> int:
    """Room above the plot for the figure's title (plotly.js draws it at 1.4 × the font)."""
    # plotly.js centres it in the top margin: the margin is twice its height
    return int(2 * 1.4 * font + 8) if (layout.get("title") or {}).get("text") else 0


def _tick_angle(labels: Sequence[str], cols: int, big: bool) -> int:
    """Horizontal tick labels when they fit side by side, vertical when they would overlap."""
    room = PLOT_AREA_PX / (cols * max(1, len(labels)))  # px per tick
    need = max(map(len, labels), default=1) * (12 if big else 8) + 4
    return 0 if need <= room else -90


def _plain(text: str) -> str:
    """Text for a hover box (which reads HTML): tags dropped, then any ``<``, ``>``, ``&``."""
    return "".join(ch for ch in re.sub(r"<[^>]*>", "", text) if ch not in "<>&")
