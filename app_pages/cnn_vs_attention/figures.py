"""Figures of the CNN-vs-attention page. Each returns a ``go.Figure``; none calls Streamlit.

Pictures and maps travel as small PNG images (``figures.png_data_uri``), never as thousands of
numbers; an invisible marker carries the colour bar. Pixel ``(row, col)`` is centred on
``x = col, y = row``, so a pixel spans ``col ± 0.5``; rows grow downwards. Every builder writes
plain dicts and makes one unvalidated figure (``ui.figures.figure``); the page shows it with
``ui.layout.show_figure``, which sizes it (normal and presentation mode). ``big`` (presentation
mode) only wraps titles that would run off a narrow column and lifts panel titles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import plotly.graph_objects as go

from ui.figures import (
    FONT,
    LEGEND_FOOT,
    PALETTE,
    PRES_FONT,
    PRES_HEIGHT,
    SEQUENTIAL_SCALE,
    colour_bar_marker,
    colour_image,
    figure,
    fit_title,
    png_data_uri,
    wrapped_text,
)

# The published-results charts share a row at 1280 px with the sidebar open (measured in
# presentation mode): the accuracy-against-data chart ~520 px wide, the CNN-vs-ViT bars ~340 px.
# On a projector their titles wrap to these widths rather than run off the figure.
PRETRAINING_PX: Final = 520
TABLE2_PX: Final = 340
# Room above a row of titled panels (their titles are notes over the plots), px.
PANEL_TOP: Final = 50


def _narrow_titles(layout: dict, big: bool, width_px: float, plot_px: float) -> dict:
    """``layout`` with its title and x-axis title wrapped to a narrow column's width in
    presentation mode (``big``; else as it is)."""
    if not big:
        return layout
    title = wrapped_text(layout["title"]["text"], 1.4 * PRES_FONT, width_px - 24)
    x_title = wrapped_text(layout["xaxis"]["title"]["text"], PRES_FONT, plot_px)
    # the plot keeps its height: the figure grows by the lines added (at the base size)
    added = 2.2 * 1.4 * title.count("<br>") + 1.2 * x_title.count("<br>")
    return {
        **layout,
        "title": {"text": title},
        "xaxis": {**layout["xaxis"], "title": {"text": x_title}},
        "height": int(layout["height"] + added * PRES_FONT / PRES_HEIGHT),
    }


MARK: Final = {
    "symbol": "x",
    "size": 13,
    "color": "white",
    "line": {"color": "black", "width": 1.5},
}
LAYER_COLOURS: Final = (*PALETTE, "#000000")  # eight layers at most


@dataclass(frozen=True)
class Box:
    """A rectangle of pixels (inclusive), its legend name, colour and whether it is cut."""

    r0: int
    r1: int
    c0: int
    c1: int
    name: str
    colour: str = "#ffffff"
    dashed: bool = False


def _axes(h: int, w: int, x_title: str, y_title: str) -> dict:
    """Layout of a picture: square pixels, row 0 at the top, no grid."""
    return {
        "xaxis": {
            "title": {"text": x_title},
            "range": [-0.5, w - 0.5],
            "showgrid": False,
            "zeroline": False,
        },
        "yaxis": {
            "title": {"text": y_title},
            "range": [h - 0.5, -0.5],
            "showgrid": False,
            "zeroline": False,
            "scaleanchor": "x",
            "constrain": "domain",
        },
    }


def _image_trace(rgb: np.ndarray) -> dict:
    return {
        "type": "image",
        "source": png_data_uri(np.asarray(rgb, dtype=np.uint8)),
        "x0": 0,
        "y0": 0,
        "dx": 1,
        "dy": 1,
        "hovertemplate": "(%{y}, %{x})<extra></extra>",
    }


def _colourbar(lo: float, hi: float, diverging: bool, title: str) -> dict:
    """The colour bar of an image (a marker that draws nothing else)."""
    return colour_bar_marker(
        lo, hi, diverging, {"title": {"text": title}, "thickness": 12, "len": 0.9}
    )


def _pixel_mark(pixel: tuple[int, int] | None, name: str = "") -> list[dict]:
    if pixel is None:
        return []
    return [
        {
            "type": "scatter",
            "x": [pixel[1]],
            "y": [pixel[0]],
            "mode": "markers",
            "marker": MARK,
            "name": name,
            "showlegend": bool(name),
            "hovertemplate": f"{name} (%{{y}}, %{{x}})<extra></extra>",
        }
    ]


def _box_outline(box: Box) -> dict:
    """The closed line around a box's cells (pixel edges, half a cell out from the centres)."""
    x0, x1, y0, y1 = box.c0 - 0.5, box.c1 + 0.5, box.r0 - 0.5, box.r1 + 0.5
    return {
        "type": "scatter",
        "x": [x0, x1, x1, x0, x0],
        "y": [y0, y0, y1, y1, y0],
        "mode": "lines",
    }


def _box_trace(box: Box) -> dict:
    return {
        **_box_outline(box),
        "line": {"color": box.colour, "width": 3, "dash": "dash" if box.dashed else "solid"},
        "name": box.name,
        "hoverinfo": "name",
        "showlegend": bool(box.name),
    }


def _box_shadow(box: Box) -> dict:
    """A dark line under a box, so that it shows on any picture."""
    return {
        **_box_outline(box),
        "line": {"color": "rgba(0,0,0,0.75)", "width": 5.5},
        "hoverinfo": "skip",
        "showlegend": False,
    }


def clip_box(region: Sequence[int], shape: tuple[int, ...], name: str, colour: str) -> Box:
    """A region ``[r0, r1, c0, c1]`` (may reach into the padding) cut to the picture."""
    r0, r1, c0, c1 = (int(v) for v in region)
    h, w = shape[:2]
    cut = r0 < 0 or c0 < 0 or r1 > h - 1 or c1 > w - 1
    return Box(max(r0, 0), min(r1, h - 1), max(c0, 0), min(c1, w - 1), name, colour, cut)


@dataclass(frozen=True, eq=False)
class Panel:
    """One picture of a row of pictures: what is drawn, its title and optional colour bar."""

    rgb: np.ndarray  # (H, W, 3) uint8, already coloured
    title: str = ""
    pixel: tuple[int, int] | None = None
    boxes: tuple[Box, ...] = ()
    scale: tuple[float, float, bool, str] | None = None  # (lo, hi, diverging, colour-bar title)


def _span(a: float, b: float) -> list[float]:
    """A domain inside [0, 1] (sums of fractions can stray by 1e-17)."""
    return [min(max(round(a, 6), 0.0), 1.0), min(max(round(b, 6), 0.0), 1.0)]


def panels(
    row: Sequence[Panel],
    *,
    x_title: str = "",
    y_title: str = "",
    height: int = 400,
    legend: bool = False,
    columns: int | None = None,
    big: bool = False,
) -> go.Figure:
    """Pictures side by side (``columns`` per row) in one figure, lighter than several figures.

    Panel ``i`` uses axes ``x{i}``/``y{i}`` with square pixels; a panel with a ``scale`` gets
    its own colour bar at its right edge. Only the first column carries row labels.
    """
    data, layout = _panel_parts(row, x_title, y_title, height, legend, columns, big)
    return figure(data, layout)


def _panel_parts(
    row: Sequence[Panel],
    x_title: str,
    y_title: str,
    height: int,
    legend: bool,
    columns: int | None,
    big: bool,
) -> tuple[list[dict], dict]:
    """The traces and layout of :func:`panels` (plain dicts)."""
    n = len(row)
    n_cols = min(n, columns or n)
    n_rows = -(-n // n_cols)
    gap_x, gap_y = 0.06, 0.14 / max(n_rows - 1, 1) if n_rows > 1 else 0.0
    width = (1 - gap_x * (n_cols - 1)) / n_cols
    tall = (1 - gap_y * (n_rows - 1)) / n_rows
    data: list[dict] = []
    layout: dict = {
        "height": height,
        "showlegend": legend,
        "legend": {**LEGEND_FOOT},
        "annotations": [],
    }
    for i, panel in enumerate(row):
        r, c = divmod(i, n_cols)
        suffix = "" if i == 0 else str(i + 1)
        x0 = c * (width + gap_x)
        y1 = 1 - r * (tall + gap_y)
        bar = 0.22 * width if panel.scale else 0.0  # room for the colour bar
        h, w = panel.rgb.shape[:2]
        axes = _axes(h, w, x_title if r == n_rows - 1 else "", y_title if c == 0 else "")
        axes["xaxis"].update(domain=_span(x0, x0 + width - bar), anchor="y" + suffix)
        axes["yaxis"].update(
            domain=_span(y1 - tall, y1), anchor="x" + suffix, scaleanchor="x" + suffix
        )
        if c > 0:
            axes["yaxis"]["showticklabels"] = False
        layout["xaxis" + suffix] = axes["xaxis"]
        layout["yaxis" + suffix] = axes["yaxis"]
        on = {"xaxis": "x" + suffix, "yaxis": "y" + suffix}
        data.append({**_image_trace(panel.rgb), **on})
        if panel.scale:
            lo, hi, diverging, title = panel.scale
            cb = _colourbar(lo, hi, diverging, title)
            cb["marker"]["colorbar"].update(
                {
                    "x": x0 + width - bar * 0.8,
                    "xanchor": "left",
                    "y": y1 - tall / 2,
                    "len": tall * 0.8,
                }
            )
            data.append({**cb, **on})
        data.extend({**_box_shadow(b), **on} for b in panel.boxes)
        data.extend({**_box_trace(b), **on} for b in panel.boxes)
        data.extend({**t, **on} for t in _pixel_mark(panel.pixel))
        if panel.title:
            layout["annotations"].append(
                {
                    "text": panel.title,
                    "x": x0 + (width - bar) / 2,
                    "y": y1,
                    "xref": "paper",
                    "yref": "paper",
                    "xanchor": "center",
                    "yanchor": "bottom",
                    # clear of the top y tick label's overhang (half its line, bigger type
                    # in presentation mode)
                    "yshift": 6 + ((PRES_FONT - FONT) if big else 0),
                    "showarrow": False,
                    "font": {"size": 14},
                }
            )
    return data, layout


def picture(
    rgb: np.ndarray,
    *,
    pixel: tuple[int, int] | None = None,
    boxes: Sequence[Box] = (),
    title: str = "",
    x_title: str = "",
    y_title: str = "",
    big: bool = False,
    narrow: bool = False,
) -> go.Figure:
    """The picture with the chosen pixel marked and rectangles (receptive fields) on it.

    One panel: its title is the figure's, centred in the top margin (a long one, wrapped on a
    projector, stays clear of the top row's tick label, which a panel title may not); on two
    lines when the figure sits in a ``narrow`` (half-width) column and would cut it off.
    """
    p = Panel(np.asarray(rgb, dtype=np.uint8), "", pixel, tuple(boxes))
    data, layout = _panel_parts([p], x_title, y_title, 460, bool(boxes), None, big)
    return figure(data, {**layout, "title": {"text": fit_title(title) if narrow else title}})


def blend(rgb: np.ndarray, m: np.ndarray, *, diverging: bool = False) -> tuple[np.ndarray, float]:
    """The picture faded to grey with a map painted over it; returns RGB uint8 and the scale top.

    Each pixel's paint is as opaque as its share of the largest value (square root, so that
    small weights stay visible): a weight of 0 leaves the faded picture, the largest hides it.
    """
    m = np.asarray(m, dtype=np.float64)  # (H, W)
    top = float(np.max(np.abs(m))) or 1.0
    share = np.abs(m) / top  # (H, W) in [0, 1]
    base = (np.asarray(rgb, dtype=np.float64) @ [0.299, 0.587, 0.114]) * 0.55 + 40  # (H, W)
    if diverging:
        paint = colour_image(m, -top, top, diverging=True).astype(np.float64)  # (H, W, 3)
    else:
        paint = colour_image(m, 0.0, top).astype(np.float64)
    a = np.sqrt(share)[..., None]  # (H, W, 1)
    out = base[..., None] * (1 - a) + paint * a
    return np.clip(np.round(out), 0, 255).astype(np.uint8), top


def overlay_panel(
    rgb: np.ndarray,
    m: np.ndarray,
    *,
    title: str = "",
    pixel: tuple[int, int] | None = None,
    boxes: Sequence[Box] = (),
    diverging: bool = False,
    colorbar_title: str = "",
) -> Panel:
    """A map (attention weights, or kernel weights placed at the pixel) over the picture."""
    img, top = blend(rgb, m, diverging=diverging)
    scale = (-top if diverging else 0.0, top, diverging, colorbar_title)
    return Panel(img, title, pixel, tuple(boxes), scale)


def matrix_panel(
    m: np.ndarray,
    *,
    title: str = "",
    pixel: tuple[int, int] | None = None,
    diverging: bool = False,
    zmin: float | None = None,
    zmax: float | None = None,
    colorbar_title: str = "",
) -> Panel:
    """A matrix (a conv output, a difference) coloured as an image with its colour bar."""
    m = np.asarray(m, dtype=np.float64)
    if diverging and zmin is None and zmax is None:
        lim = float(np.max(np.abs(m))) or 1.0
        zmin, zmax = -lim, lim
    lo = float(np.min(m)) if zmin is None else zmin
    hi = float(np.max(m)) if zmax is None else zmax
    img = colour_image(m, lo, hi, diverging=diverging)
    return Panel(img, title, pixel, (), (lo, hi, diverging, colorbar_title))


def head_maps(
    maps: np.ndarray,
    offsets: np.ndarray,
    query: tuple[int, int],
    padding: tuple[int, int],
    *,
    titles: Sequence[str],
    colorbar_title: str = "",
    margin: int = 1,
) -> go.Figure:
    """The K² heads' attention maps at the query, each cut to the square around it.

    ``maps (K², H + 2r_h, W + 2r_w)`` over the picture plus its padding frame. Each head shows
    rows and columns ``query ± (r + margin)``; the squares are tiled K × K in one heatmap (one
    trace, so the figure stays light), separated by empty cells, titled ``titles[h]``.
    """
    rh, rw = padding
    kh, kw = 2 * rh + 1, 2 * rw + 1
    qi, qj = query
    hp, wp = maps.shape[1:]
    rows = np.arange(qi - rh - margin, qi + rh + margin + 1)  # picture rows of a tile
    cols = np.arange(qj - rw - margin, qj + rw + margin + 1)
    th, tw = len(rows), len(cols)
    gap = 1
    mosaic = np.full((kh * (th + gap) - gap, kw * (tw + gap) - gap), np.nan)
    where = np.full(mosaic.shape, "", dtype=object)
    ri, ci = rows + rh, cols + rw  # indices into the padded maps
    r_ok, c_ok = (ri >= 0) & (ri < hp), (ci >= 0) & (ci < wp)
    tx, ty, marks_x, marks_y = [], [], [], []
    for h in range(maps.shape[0]):
        a, b = divmod(h, kw)
        y0, x0 = a * (th + gap), b * (tw + gap)
        tile = np.full((th, tw), np.nan)
        tile[np.ix_(r_ok, c_ok)] = maps[h][np.ix_(ri[r_ok], ci[c_ok])]
        mosaic[y0 : y0 + th, x0 : x0 + tw] = tile
        where[y0 : y0 + th, x0 : x0 + tw] = [
            [f"{titles[h]} · ({r}, {c})" for c in cols] for r in rows
        ]
        tx.append(x0 + (tw - 1) / 2)
        ty.append(y0 - 0.75)
        marks_x.append(x0 + (qj - cols[0]))
        marks_y.append(y0 + (qi - rows[0]))
    data = [
        {
            "type": "heatmap",
            "z": mosaic,
            "customdata": where,
            "coloraxis": "coloraxis",
            "xgap": 1,
            "ygap": 1,
            "hovertemplate": "%{customdata}: %{z:.3g}<extra></extra>",
            "hoverongaps": False,
        },
        {
            "type": "scatter",
            "x": marks_x,
            "y": marks_y,
            "mode": "markers",
            "marker": {**MARK, "size": 8},
            "hoverinfo": "skip",
            "showlegend": False,
        },
        {
            "type": "scatter",
            "x": tx,
            "y": ty,
            "mode": "text",
            "text": list(titles),
            "textfont": {"size": 10 if kw > 3 else 12},
            "hoverinfo": "skip",
            "showlegend": False,
        },
    ]
    layout = {
        "coloraxis": {
            "colorscale": SEQUENTIAL_SCALE,
            "cmin": 0.0,
            "cmax": 1.0,
            "colorbar": {"title": {"text": colorbar_title}, "thickness": 12},
        },
        "xaxis": {"visible": False, "range": [-0.5, mosaic.shape[1] - 0.5]},
        "yaxis": {
            "visible": False,
            "range": [mosaic.shape[0] - 0.5, -1.6],
            "scaleanchor": "x",
            "constrain": "domain",
        },
        "plot_bgcolor": "white",
        "height": 90 * kh + 120,
    }
    return figure(data, layout)


def error_curve(
    alphas: np.ndarray,
    errors: np.ndarray,
    *,
    alpha: float,
    error: float,
    rounding: float,
    title: str = "",
    x_title: str = "",
    y_title: str = "",
    curve_name: str = "",
    current_name: str = "",
    rounding_name: str = "",
) -> go.Figure:
    """Largest |attention − conv| against α, both axes logarithmic.

    An error of exactly 0 cannot sit on a log axis: it is drawn at ``rounding / 10`` and its
    hover text says 0.
    """
    a = np.asarray(alphas, dtype=np.float64)
    e = np.asarray(errors, dtype=np.float64)
    floor = rounding / 10
    data = [
        {
            "type": "scatter",
            "x": a,
            "y": np.maximum(e, floor),
            "customdata": e,
            "mode": "lines+markers",
            "line": {"color": PALETTE[0], "width": 2},
            "marker": {"size": 5},
            "name": curve_name,
            "hovertemplate": "α = %{x:.3g}: %{customdata:.3g}<extra></extra>",
        },
        {
            "type": "scatter",
            "x": [float(a.min()), float(a.max())],
            "y": [rounding, rounding],
            "mode": "lines",
            "line": {"color": PALETTE[5], "dash": "dash", "width": 1.5},
            "name": rounding_name,
            "hovertemplate": f"{rounding:.2g}<extra></extra>",
        },
        {
            "type": "scatter",
            "x": [alpha],
            "y": [max(error, floor)],
            "customdata": [error],
            "mode": "markers",
            "marker": {"color": PALETTE[1], "size": 14, "line": {"color": "black", "width": 1}},
            "name": current_name,
            "hovertemplate": "α = %{x:.3g}: %{customdata:.3g}<extra></extra>",
        },
    ]
    layout = {
        "title": {"text": title},
        "xaxis": {"title": {"text": x_title}, "type": "log"},
        "yaxis": {"title": {"text": y_title}, "type": "log", "exponentformat": "power"},
        "height": 380,
        "legend": {**LEGEND_FOOT},
    }
    return figure(data, layout)


def pretraining_chart(
    datasets: Sequence[tuple[str, float]],
    results: dict[str, tuple[float | None, ...]],
    *,
    title: str = "",
    x_title: str = "",
    y_title: str = "",
    dataset_labels: Sequence[str],
    big: bool = False,
) -> go.Figure:
    """Accuracy against the number of pre-training images (log axis), one line per model."""
    xs = [n for _, n in datasets]
    dashes = ("dot", "solid", "dot", "solid", "solid")
    data = []
    for i, (model, accs) in enumerate(results.items()):  # numbers are in the table beside it
        pts = [(x, y) for x, y in zip(xs, accs, strict=True) if y is not None]
        data.append(
            {
                "type": "scatter",
                "x": [p[0] for p in pts],
                "y": [p[1] for p in pts],
                "mode": "lines+markers",
                "line": {"color": PALETTE[i % len(PALETTE)], "dash": dashes[i % len(dashes)]},
                "marker": {"size": 8},
                "name": model,
                "hovertemplate": model + ": %{y:.2f} %<extra></extra>",
            }
        )
    layout = {
        "title": {"text": title},
        "xaxis": {
            "title": {"text": x_title},
            "type": "log",
            "tickvals": xs,
            "ticktext": list(dataset_labels),
            "range": [float(np.log10(xs[0])) - 0.25, float(np.log10(xs[-1])) + 0.25],
        },
        "yaxis": {"title": {"text": y_title}, "range": [69, 90]},
        "height": 440,
        "legend": {**LEGEND_FOOT},
    }
    return figure(data, _narrow_titles(layout, big, PRETRAINING_PX, PRETRAINING_PX - 150))


def table2_chart(
    rows: Sequence[tuple[str, str, float, float, bool]],
    *,
    labels: Sequence[str],
    title: str = "",
    x_title: str = "",
    hover: Sequence[str] = (),
    big: bool = False,
) -> go.Figure:
    """Horizontal bars of accuracy; CNN bars orange, attention bars blue."""
    acc = [r[2] for r in rows]
    bar = {
        "type": "bar",
        "x": acc,
        "y": list(labels),
        "orientation": "h",
        "marker": {"color": [PALETTE[1] if r[4] else PALETTE[0] for r in rows]},
        "text": [f"{a:.2f}" for a in acc],
        "textposition": "outside",
        "cliponaxis": False,
        "hovertemplate": "%{y}: %{x:.2f} %<extra></extra>",
    }
    if hover:
        bar["customdata"] = list(hover)
        bar["hovertemplate"] = "%{y}: %{x:.2f} %<br>%{customdata}<extra></extra>"
    layout = {
        "title": {"text": title},
        "xaxis": {"title": {"text": x_title}, "range": [80, 91]},
        "yaxis": {
            "autorange": "reversed",
            "type": "category",
            # "model • data set" on two lines: the bars keep most of a narrow column
            "tickmode": "array",
            "tickvals": list(labels),
            "ticktext": [re.sub(r"\s+[•·]\s+", "<br>", str(s)) for s in labels],
        },
        "height": 320,
        "showlegend": False,
    }
    return figure([bar], _narrow_titles(layout, big, TABLE2_PX, TABLE2_PX - 220))
