"""Figure builders shared by the pages. Each returns a ``go.Figure``; none calls Streamlit.

Scales are colour-blind safe (viridis for weights, a blue–orange diverging scale for signed
values). Small matrices carry their numbers on the cells; matrices larger than
``IMAGE_ABOVE`` on a side are sent as a PNG image instead of numbers.
"""

from __future__ import annotations

import base64
import io
import math
import re
import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import Any, Final

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import get_colorscale, sample_colorscale

VALUES_UP_TO: Final = 12  # numbers on cells when both sides are at most this
IMAGE_ABOVE: Final = 64  # larger matrices are drawn as an image
SEQUENTIAL: Final = "Viridis"
DIVERGING: Final = "PuOr_r"
# The scales as explicit colour lists, for figures built from dicts: plotly.js knows "Viridis"
# but not "PuOr_r", and only Plotly's Python validation (skipped there) expands a name.
SEQUENTIAL_SCALE: Final = get_colorscale(SEQUENTIAL)
DIVERGING_SCALE: Final = get_colorscale(DIVERGING)
MASKED_COLOUR: Final = "rgba(160,160,160,0.55)"
PALETTE: Final = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")


# A lean template for every figure: the app's look in a few lines. Plotly's own default
# template is ~6 kB of JSON that every figure would carry on every update, and copying it
# costs several milliseconds per figure.
_AXIS: Final = {
    "automargin": True,
    "gridcolor": "#e6e6e6",
    "linecolor": "#9a9a9a",
    "zerolinecolor": "#b0b0b0",
    "ticks": "outside",
    "tickcolor": "#9a9a9a",
}
pio.templates["attn"] = go.layout.Template(
    layout={
        "colorway": list(PALETTE),
        "font": {"family": "Source Sans Pro, Noto Sans CJK SC, sans-serif", "color": "#262730"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "hoverlabel": {"align": "left"},
        "title": {"x": 0.5, "xanchor": "center"},
    }
)
pio.templates.default = "attn"
# The same template as a plain dict, for figures built from dicts without validation.
LIGHT_TEMPLATE: Final = {"layout": pio.templates["attn"].layout.to_plotly_json()}


def _labels(labels: Sequence[str] | None, n: int, prefix: str) -> list[str]:
    return list(labels) if labels is not None else [f"{prefix}{i + 1}" for i in range(n)]


def heatmap(
    m: np.ndarray,
    *,
    title: str = "",
    x_title: str = "",
    y_title: str = "",
    x_labels: Sequence[str] | None = None,
    y_labels: Sequence[str] | None = None,
    zmin: float | None = None,
    zmax: float | None = None,
    diverging: bool = False,
    masked: np.ndarray | None = None,
    value_format: str = ".2f",
    colorbar_title: str = "",
    show_values: bool | None = None,
) -> go.Figure:
    """A matrix as a heatmap, row 0 at the top.

    ``masked`` (bool, same shape) marks cells drawn grey with “–” (not allowed to attend).
    """
    m = np.atleast_2d(np.asarray(m, dtype=np.float64))  # (rows, cols)
    n_rows, n_cols = m.shape
    if diverging and zmin is None and zmax is None:
        lim = float(np.max(np.abs(m))) if m.size else 1.0
        zmin, zmax = -(lim or 1.0), lim or 1.0
    if max(n_rows, n_cols) > IMAGE_ABOVE:
        return _image_heatmap(m, title, x_title, y_title, zmin, zmax, diverging, colorbar_title)
    xs = _labels(x_labels, n_cols, "")
    ys = _labels(y_labels, n_rows, "")
    z = m.copy()
    if masked is not None:
        z[np.asarray(masked, dtype=bool)] = np.nan
    if show_values is None:
        show_values = max(n_rows, n_cols) <= VALUES_UP_TO
    trace = {
        "type": "heatmap",
        "z": z,
        "x": xs,
        "y": ys,
        "zmin": zmin,
        "zmax": zmax,
        "colorscale": DIVERGING_SCALE if diverging else SEQUENTIAL_SCALE,
        "colorbar": {"title": {"text": colorbar_title}, "thickness": 14},
        "hovertemplate": "%{y} · %{x}: %{z:.4g}<extra></extra>",
        "xgap": 1,
        "ygap": 1,
    }
    if show_values:
        trace.update(texttemplate="%{z:" + value_format + "}", textfont={"size": 12})
    data = [trace]
    layout = {
        "title": {"text": title},
        "xaxis": {"title": {"text": x_title}, "side": "bottom", "type": "category"},
        "yaxis": {"title": {"text": y_title}, "autorange": "reversed", "type": "category"},
        "height": max(260, min(560, 60 + 34 * n_rows)),
    }
    if masked is not None and np.any(masked):
        mi, mj = np.nonzero(np.asarray(masked, dtype=bool))
        data.append(
            {
                "type": "scatter",
                "x": [xs[j] for j in mj],
                "y": [ys[i] for i in mi],
                "mode": "text" if show_values else "markers",
                "text": ["–"] * len(mi),
                "marker": {"symbol": "square", "size": 6, "color": MASKED_COLOUR},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
        layout["plot_bgcolor"] = MASKED_COLOUR
    return figure(data, layout)


def colour_image(
    m: np.ndarray, zmin: float | None = None, zmax: float | None = None, diverging: bool = False
) -> np.ndarray:
    """Map a matrix to RGB bytes ``(rows, cols, 3)`` with the app's colour scale."""
    m = np.asarray(m, dtype=np.float64)
    lo = float(np.nanmin(m)) if zmin is None else zmin
    hi = float(np.nanmax(m)) if zmax is None else zmax
    scale = (m - lo) / (hi - lo) if hi > lo else np.zeros_like(m)
    lut = _lookup_table(DIVERGING if diverging else SEQUENTIAL)  # (256, 3)
    idx = np.clip(np.nan_to_num(scale, nan=0.0) * 255, 0, 255).astype(np.uint8)
    return lut[idx]


@cache
def _lookup_table(scale: str) -> np.ndarray:
    """256 RGB colours sampled along a Plotly colour scale (read-only)."""
    colours = sample_colorscale(scale, np.linspace(0, 1, 256))
    lut = np.array([[int(float(c)) for c in s[s.index("(") + 1 : -1].split(",")] for s in colours])
    lut = lut.astype(np.uint8)
    lut.flags.writeable = False
    return lut


def png_data_uri(rgb: np.ndarray) -> str:
    """An RGB or greyscale uint8 array as a ``data:image/png`` URI.

    Fast compression (level 1): a 1,024² weight map took 0.57 s at PIL's default level and
    0.06 s at level 1, for a somewhat larger file (measured on the Q·K·V page, n = 1,024).
    """
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(
        buf, format="PNG", optimize=False, compress_level=1
    )
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def colour_bar_marker(lo: float, hi: float, diverging: bool, colorbar: dict) -> dict:
    """An invisible marker whose only job is to draw the colour bar an image trace lacks."""
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "marker": {
            "colorscale": DIVERGING_SCALE if diverging else SEQUENTIAL_SCALE,
            "cmin": lo,
            "cmax": hi if hi > lo else lo + 1,
            "color": [lo],
            "showscale": True,
            "colorbar": colorbar,
        },
        "hoverinfo": "skip",
        "showlegend": False,
    }


def _image_heatmap(
    m: np.ndarray,
    title: str,
    x_title: str,
    y_title: str,
    zmin: float | None,
    zmax: float | None,
    diverging: bool,
    colorbar_title: str,
) -> go.Figure:
    lo = float(np.min(m)) if zmin is None else zmin
    hi = float(np.max(m)) if zmax is None else zmax
    uri = png_data_uri(colour_image(m, lo, hi, diverging))
    colour_bar = colour_bar_marker(
        lo, hi, diverging, {"title": {"text": colorbar_title}, "thickness": 14}
    )
    return figure(
        [{"type": "image", "source": uri, "hoverinfo": "skip"}, colour_bar],
        {
            "title": {"text": title},
            "xaxis": {"title": {"text": x_title}, "showgrid": False},
            "yaxis": {"title": {"text": y_title}, "showgrid": False, "autorange": "reversed"},
            "height": 520,
        },
    )


def bars(
    values: Sequence[float] | np.ndarray,
    labels: Sequence[str],
    *,
    title: str = "",
    x_title: str = "",
    y_title: str = "",
    value_format: str = ".3f",
    highlight: int | None = None,
    y_range: tuple[float, float] | None = None,
) -> go.Figure:
    """A bar chart with each bar's value written on it; ``highlight`` picks one bar out."""
    return figure(
        [_bar_trace(values, labels, value_format, highlight)],
        {
            "title": {"text": title},
            "xaxis": {"title": {"text": x_title}, "type": "category"},
            "yaxis": {"title": {"text": y_title}, **({"range": list(y_range)} if y_range else {})},
            "height": 320,
            "showlegend": False,
        },
    )


def _bar_trace(
    values: Sequence[float] | np.ndarray,
    labels: Sequence[str],
    value_format: str,
    highlight: int | None,
    axes: str = "",
) -> dict:
    """Bars with their values written above them; ``highlight`` picks one bar out."""
    v = np.asarray(values, dtype=np.float64)
    return {
        "type": "bar",
        "x": list(labels),
        "y": v,
        "marker": {"color": [PALETTE[1] if i == highlight else PALETTE[0] for i in range(len(v))]},
        "texttemplate": "%{y:" + value_format + "}",
        "textposition": "outside",
        "cliponaxis": False,
        "hovertemplate": "%{x}: %{y:.6g}<extra></extra>",
        "showlegend": False,
        "xaxis": "x" + axes,  # "x", "x2", …: the subplot it is drawn in
        "yaxis": "y" + axes,
    }


def vectors_plane(
    queries: np.ndarray,
    keys: np.ndarray,
    *,
    query_labels: Sequence[str],
    key_labels: Sequence[str],
    weights: np.ndarray | None = None,
    title: str = "",
    axis_titles: tuple[str, str] = ("", ""),
) -> go.Figure:
    """2-D query and key vectors as arrows from the origin.

    The dot product qᵀk = ‖q‖‖k‖cos θ is visible as length and angle. ``weights`` (n_k,)
    sizes the key markers by the attention the (first) query gives them.
    """
    Q = np.atleast_2d(np.asarray(queries, dtype=np.float64))  # (n_q, 2)
    K = np.atleast_2d(np.asarray(keys, dtype=np.float64))  # (n_k, 2)
    size = 10 + 40 * np.asarray(weights) if weights is not None else np.full(len(K), 12.0)
    data = []
    for pts, labels, colour, sizes, dash in (
        (K, key_labels, PALETTE[0], size, "dot"),
        (Q, query_labels, PALETTE[1], np.full(len(Q), 14.0), "solid"),
    ):
        for (x, y), label, s in zip(pts, labels, sizes, strict=True):
            data.append(
                {
                    "type": "scatter",
                    "x": [0, float(x)],
                    "y": [0, float(y)],
                    "mode": "lines+markers+text",
                    "line": {"color": colour, "dash": dash, "width": 2},
                    "marker": {"size": [0, float(s)], "color": colour},
                    "text": ["", label],
                    "textposition": "top center",
                    "hovertemplate": f"{label}: (%{{x:.3g}}, %{{y:.3g}})<extra></extra>",
                    "showlegend": False,
                }
            )
    lim = float(np.max(np.abs(np.vstack([Q, K])))) * 1.25 or 1.0
    return figure(
        data,
        {
            "title": {"text": title},
            "xaxis": {"title": {"text": axis_titles[0]}, "range": [-lim, lim], "zeroline": True},
            "yaxis": {
                "title": {"text": axis_titles[1]},
                "range": [-lim, lim],
                "scaleanchor": "x",
                "zeroline": True,
            },
            "height": 380,
        },
    )


def bar_panels(
    panels: Sequence[tuple[str, np.ndarray, str]],
    labels: Sequence[str],
    *,
    highlight: int | None = None,
    y_ranges: Sequence[tuple[float, float] | None] | None = None,
) -> go.Figure:
    """Several bar charts side by side in one figure: ``(title, values, value_format)`` each.

    One figure instead of several is one redraw in the browser instead of several.
    """
    n = max(1, len(panels))
    gap = 0.2 / n  # the spacing plotly's make_subplots puts between columns
    width = (1 - gap * (n - 1)) / n
    data, layout = [], {"height": 340, "bargap": 0.25, "annotations": []}
    for c, (title, values, fmt) in enumerate(panels, start=1):
        axes = "" if c == 1 else str(c)
        left = (c - 1) * (width + gap)
        data.append(_bar_trace(values, labels, fmt, highlight, axes=axes))
        y_axis = {"anchor": "x" + axes}
        if y_ranges is not None and y_ranges[c - 1] is not None:
            y_axis["range"] = list(y_ranges[c - 1])
        layout["xaxis" + axes] = {
            "domain": [left, min(1.0, left + width)],
            "anchor": "y" + axes,
            "type": "category",
        }
        layout["yaxis" + axes] = {"domain": [0.0, 1.0], **y_axis}
        layout["annotations"].append(
            {
                "text": title,
                "x": left + width / 2,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 16},
            }
        )
    return figure(data, layout)


# --- starting margins -----------------------------------------------------------------------
# Axes here have ``automargin``: when tick labels, titles, a colour bar or a legend do not fit
# in the margins a figure starts with, plotly.js draws it, grows the margins and draws it
# again — two to three times the work of one drawing (measured: a four-panel figure 175 ms
# with 10 px margins, 64 ms when they fit). So every figure starts with margins estimated
# from its own labels; automargin only corrects a short estimate.

_CHAR: Final = 0.6  # width of an average Latin character or digit, in font sizes
PAD: Final = 12  # px added to estimated labels: too much costs some white, too little a redraw
LEGEND_ROW_PX: Final = 520  # a legend under the plot wraps at about this width
LEGEND_NARROW_PX: Final = 360  # … and in a half-width column at about this one
NARROW_FIGURE_PX: Final = 320  # a figure in a half-width column at 1280 × 720 (measured)
LEGEND_FOOT: Final = {"orientation": "h", "x": 0, "y": 0, "yref": "container", "yanchor": "bottom"}
_TAG = re.compile(r"<[^>]*>")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def fit_title(text: str, width_px: float = NARROW_FIGURE_PX, size: float = 17) -> str:
    """A title on two lines (split at the space nearest its middle) when it is wider than a
    figure in a half-width column; plotly.js cuts a long title off instead of wrapping it."""
    if "<br" in text or text_width(text, size) <= width_px - 20:
        return text
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    if not spaces:
        return text
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:cut] + "<br>" + text[cut + 1 :]


def text_width(text: object, size: float) -> float:
    """Estimated width in px of a label (the longest of its ``<br>`` lines) at font ``size``."""
    best = 0.0
    for line in _BR.split(str(text)):
        plain = _TAG.sub("", line)
        wide = sum(1 for ch in plain if unicodedata.east_asian_width(ch) in "WF")
        best = max(best, (len(plain) - wide) * _CHAR * size + wide * size)
    return best


def _tick_width(axis: dict, values: list, size: float) -> float:
    """Width of the widest tick label an axis will show (its own labels or its data's)."""
    if axis.get("showticklabels") is False or axis.get("visible") is False:
        return 0.0
    if axis.get("ticktext") is not None:
        return max((text_width(x, size) for x in axis["ticktext"]), default=0.0)
    strings = [v for vs in values for v in vs if isinstance(v, str)]
    if strings or axis.get("type") == "category":
        return max((text_width(v, size) for v in strings[:500]), default=2 * _CHAR * size)
    numbers = [v for vs in values for v in vs if isinstance(v, (int, float, np.number))]
    lo_hi = axis.get("range") or (
        [min(numbers), max(numbers)] if numbers and all(np.isfinite(numbers)) else [0, 1]
    )
    if axis.get("type") == "log":
        return 5 * _CHAR * size
    # auto ticks: about one more significant digit than the ends show (0.05, 0.1, … 0.95)
    chars = max(len(f"{float(v):.2g}") for v in lo_hi if v is not None) if lo_hi else 3
    return (chars + 1) * _CHAR * size


def _axis_values(data: Sequence[dict], name: str) -> list:
    letter, suffix = name[0], name[5:]
    ref = letter + suffix
    out = []
    for trace in data:
        if trace.get(f"{letter}axis", letter) != ref:
            continue
        values = trace.get(letter)
        if values is None:
            continue
        # a sample of at most ~200 values is enough; sampled before any conversion, since
        # turning a long NumPy array into Python objects costs more than the whole estimate
        flat = values.ravel() if isinstance(values, np.ndarray) else None
        if flat is None:
            flat = np.asarray(values, dtype=object).ravel()
        out.append(list(flat[:: max(1, len(flat) // 200)].astype(object)))
    return out


def _bar_width(bar: dict, size: float) -> float:
    """Room a colour bar at the right of the plot takes: offset, bar, tick labels, title."""
    if bar.get("x", 1.02) < 0.9:  # inside the plot (a bar near the right edge still sticks out)
        return 0.0
    ticks = (bar.get("tickfont") or {}).get("size", size)
    title = (bar.get("title") or {}).get("text") or ""
    labels = 5 * _CHAR * ticks + 6
    return 14 + bar.get("thickness", 30) + 10 + max(labels, text_width(title, size)) + 24


def _colour_bars(data: Sequence[dict], layout: dict) -> list[dict]:
    """The colour bars a figure shows: its traces' own and its shared colour axes'."""
    bars = []
    for trace in data:
        marker = trace.get("marker") if isinstance(trace.get("marker"), dict) else {}
        if trace.get("type") in ("heatmap", "contour", "histogram2d") and "coloraxis" not in trace:
            if trace.get("showscale", True):
                bars.append(trace.get("colorbar") or {})
        elif marker.get("showscale") and "coloraxis" not in marker:
            bars.append(marker.get("colorbar") or {})
    for name, axis in layout.items():
        if name.startswith("coloraxis") and isinstance(axis, dict) and axis.get("showscale", True):
            bars.append(axis.get("colorbar") or {})
    return bars


_NOT_IN_LEGEND: Final = ("heatmap", "image", "contour", "histogram2d")


def _legend_items(data: Sequence[dict], layout: dict) -> list[str]:
    """The legend's entries, as plotly.js decides: shown with two or more, or when asked."""
    if layout.get("showlegend") is False:
        return []
    names = [
        str(d.get("name") or "trace")
        for d in data
        if d.get("showlegend", d.get("type") not in _NOT_IN_LEGEND)
    ]
    return names if (layout.get("showlegend") or len(names) > 1) else []


def start_margins(data: Sequence[dict], layout: dict, size: float) -> dict[str, int]:
    """Margins (px) that should hold a figure's labels, colour bars and legend at font ``size``.

    ``data`` and ``layout`` are plain dicts (a figure's own ``to_plotly_json`` parts). An
    estimate: a little too much leaves a little white, too little costs one more drawing.
    """
    title = (layout.get("title") or {}).get("text")
    # the right: room for the last x tick label's overhang; the top: for a legend or a note
    # a title (1.4 × the type) is centred in the top margin: at projector sizes its line needs
    # more than 50 px, or its top is cut off by the figure's edge
    top = max(50.0, 3.2 * size) if title else max(20.0, 1.4 * size)
    side = {"l": 6.0, "r": 1.5 * size, "t": top, "b": 6.0}
    if title:  # a title on two lines (see fit_title) needs a second line's room
        per_line = 1.3 * 1.3 * size if size < PRES_FONT else 2.2 * 1.4 * size  # clear of ticks
        side["t"] += (len(_BR.split(str(title))) - 1) * per_line
    for name, axis in layout.items():
        if not (name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict)):
            continue
        if axis.get("visible") is False:
            continue
        tick_size = (axis.get("tickfont") or {}).get("size", size)
        width = _tick_width(axis, _axis_values(data, name), tick_size)
        has_title = bool((axis.get("title") or {}).get("text"))
        ticks = 8.0 if axis.get("ticks", "outside") == "outside" else 3.0
        width += PAD if width else 0.0
        title_px = 1.5 * size + 8 if has_title else 0.0
        if has_title and name.startswith("x"):  # a title in several lines (presentation mode)
            title_px += 1.2 * size * len(_BR.findall(str(axis["title"]["text"])))
        if name.startswith("y"):
            where = "r" if axis.get("side") == "right" else "l"
            side[where] = max(side[where], width + ticks + title_px)
        else:
            angle = abs(float(axis.get("tickangle") or 0)) % 180
            height = 1.45 * tick_size + PAD if width else 0.0
            if angle:
                s = abs(np.sin(np.radians(angle)))
                height = width * s + tick_size * abs(np.cos(np.radians(angle)))
            where = "t" if axis.get("side") == "top" else "b"
            side[where] = max(side[where], height + ticks + title_px + (6 if where == "t" else 0))
    bars = max((_bar_width(bar, size) for bar in _colour_bars(data, layout)), default=0.0)
    side["r"] = max(side["r"], bars)
    names = _legend_items(data, layout)
    if names:
        legend = layout.get("legend") or {}
        x, y = legend.get("x", 1.02), legend.get("y", 1.0)
        if legend.get("orientation") == "h" and legend.get("yref") == "container" and y <= 0.05:
            # at the foot of the figure, under the x axis' labels and title: its rows add to them
            # (counted for a narrow column, where a legend wraps sooner)
            row = sum(text_width(n, size) + 46 for n in names)
            rows = int(np.ceil(row / LEGEND_NARROW_PX))
            side["b"] += rows * 1.6 * size + 12
        elif legend.get("orientation") == "h" and y < 0:
            plot_h = float(layout.get("height") or 360) - side["t"] - side["b"]
            row = sum(text_width(n, size) + 46 for n in names)
            rows = int(np.ceil(row / LEGEND_ROW_PX))
            side["b"] = max(side["b"], -y * plot_h + rows * 2 * size + 16)
        elif x >= 1:
            widest = max(text_width(n, size) for n in names)
            side["r"] = max(side["r"], 0.02 * 600 + widest + 64, bars)
    for note in layout.get("annotations") or ():  # titles set above the plot (or its top part),
        # once the legend's rows are counted: they take their height from the plot's
        y = note.get("y", 0)
        if note.get("yref") == "paper" and note.get("yanchor") == "bottom" and y >= 0.5:
            lines = len(_BR.split(str(note.get("text", ""))))
            font = (note.get("font") or {}).get("size", size)
            plot_h = float(layout.get("height") or 360) - side["t"] - side["b"]
            inside = max(0.0, 1.0 - y) * plot_h  # room between the note and the plot's top
            lift = max(0.0, float(note.get("yshift") or 0))  # raised above its anchor
            side["t"] = max(side["t"], lines * 1.35 * font + 6 + lift - inside)
    return {k: int(np.ceil(v)) for k, v in side.items()}


# --- presentation mode ----------------------------------------------------------------------
# On a projector (1280 × 720, read from the back of a room) no text of a figure is smaller than
# ``PRES_MIN_FONT``: builders' explicit small sizes (cell numbers, bar values, notes) are raised
# to it, and plotly.js is told not to shrink text to fit (bars, heatmap cells).

FONT: Final = 13  # figure type, px
PRES_FONT: Final = 20  # figure type in presentation mode
PRES_MIN_FONT: Final = 14  # the smallest text a figure shows in presentation mode
PRES_HEIGHT: Final = 1.25  # figures are this much taller in presentation mode
PRES_CROWDED_FONT: Final = 16  # figure type in presentation mode, three or more panels in a row
LOG_MINOR_SCALE: Final = 0.75  # plotly.js writes a log axis's in-between digits this much smaller
PRES_FIGURE_PX: Final = 890  # width of a full-width figure at 1280 px with the sidebar open
_SHRINKING: Final = ("heatmap", "histogram2d", "contour")  # an unset cell font fits the cell


def panels_in_a_row(layout: dict) -> int:
    """How many subplots a figure has side by side (distinct x-axis domains)."""
    starts = {
        round(float(axis["domain"][0]), 3)
        for name, axis in layout.items()
        if name.startswith("xaxis") and isinstance(axis, dict) and axis.get("domain")
    }
    return max(1, len(starts))


def _raised(font: dict, minimum: float) -> dict:
    size = font.get("size")
    if isinstance(size, (int, float)) and not isinstance(size, bool):
        return font if size >= minimum else {**font, "size": minimum}
    if isinstance(size, (list, tuple, np.ndarray)):  # one size per point
        return {**font, "size": [max(minimum, float(s)) for s in size]}
    return font  # unset or "auto": the layout's font, or the cell's (handled by the caller)


def _floored(obj: object, minimum: float) -> object:
    """``obj`` with every ``*font`` dict in it at least ``minimum`` px; copies what changes."""
    if isinstance(obj, dict):
        out = None
        for k, v in obj.items():
            if isinstance(v, dict) and k.endswith("font"):
                new = _raised(v, minimum)
                new = _floored(new, minimum) if new is v else new
            elif isinstance(v, (dict, list)):
                new = _floored(v, minimum)
            else:
                continue
            if new is not v:
                out = dict(obj) if out is None else out
                out[k] = new
        return obj if out is None else out
    if isinstance(obj, list) and obj and isinstance(obj[0], dict):
        new_items = [_floored(v, minimum) for v in obj]
        if any(a is not b for a, b in zip(new_items, obj, strict=True)):
            return new_items
    return obj


def _domain_of(layout: dict, axis: str) -> tuple[float, float]:
    """The paper span of an x axis (``"x"``, ``"x2"``, …)."""
    d = (layout.get("xaxis" + axis[1:]) or {}).get("domain") or (0.0, 1.0)
    return float(d[0]), float(d[1])


def _cell_text_fits(trace: dict, layout: dict, size: float, plot_px: float) -> bool:
    """Whether a heatmap's numbers at ``size`` px fit its cells in a plot ``plot_px`` wide."""
    match = re.fullmatch(r"%\{z:([^}]*)\}", str(trace.get("texttemplate") or ""))
    z = trace.get("z")
    if match is None or z is None:
        return True  # text the estimate cannot read: left as it is
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 2 or not z.size:
        return True
    lo, hi = _domain_of(layout, trace.get("xaxis", "x"))
    cell = (hi - lo) * plot_px / z.shape[1] - float(trace.get("xgap") or 0)
    sample = z[np.isfinite(z)].ravel()[:400]
    try:
        texts = [format(float(v), match.group(1)) for v in sample]
    except ValueError:
        return True
    return max((_number_width(x, size) for x in texts), default=0.0) + 4 <= cell


def _number_width(text: str, size: float) -> float:
    """Width in px of a number as drawn (digits ~0.52 em, point and comma ~0.26 em)."""
    return size * sum(0.26 if ch in ".,:" else 0.33 if ch == "-" else 0.52 for ch in text)


_WIDE: Final = "WF"
_NO_LINE_START: Final = frozenset("，。、；：！？）》」』,.;:!?)]")


def wrapped_text(text: str, size: float, room: float) -> str:
    """``text`` in ``<br>`` lines that fit ``room`` px at font ``size`` (see :func:`_wrapped`)."""
    return _wrapped(text, size, room)


def _wrapped(text: str, size: float, room: float) -> str:
    """``text`` in ``<br>`` lines that fit ``room`` px (split at spaces or CJK characters)."""
    bold = text.startswith("<b>") and text.endswith("</b>")
    inner = text[3:-4] if bold else text
    wide = 1.1 if bold else 1.0  # bold type is about a tenth wider
    if "<" in inner or text_width(text, size) * wide <= room:
        return text  # fits, or markup this split could break
    tokens = re.findall(r"\s+|[^\s]", inner)
    words: list[str] = []  # runs of narrow characters, single wide ones, spaces
    for tok in tokens:
        narrow = not tok.isspace() and unicodedata.east_asian_width(tok) not in _WIDE
        if narrow and words and words[-1] and not words[-1].isspace():
            last = words[-1]
            if unicodedata.east_asian_width(last[-1]) not in _WIDE:
                words[-1] += tok
                continue
        words.append(tok)
    lines, line = [], ""
    for w in words:
        closing = w in _NO_LINE_START  # punctuation that may not begin a line stays behind
        if line and not w.isspace() and not closing and text_width(line + w, size) * wide > room:
            lines.append(line.rstrip())
            line = ""
        if not (w.isspace() and not line):
            line += w
    lines.append(line.rstrip())
    return "<br>".join(f"<b>{x}</b>" if bold else x for x in lines if x)


def _fit_titles(notes: Sequence[dict], layout: dict, size: float, plot_px: float) -> list[dict]:
    """Panel titles (paper-placed notes without arrows) fitted to the width of their panel:
    a little smaller, then in two lines (more only when they must); all at one size."""
    spans = [
        _domain_of(layout, "x" + name[5:])
        for name, axis in layout.items()
        if name.startswith("xaxis") and isinstance(axis, dict)
    ] or [(0.0, 1.0)]
    titles = {}  # index → (room, font)
    for i, note in enumerate(notes):
        x = note.get("x")
        if (
            note.get("xref") != "paper"
            or note.get("showarrow", True)
            or "<br" in str(note.get("text", ""))
            or not isinstance(x, (int, float))
        ):
            continue
        inside = [hi - lo for lo, hi in spans if lo - 1e-6 <= x <= hi + 1e-6]
        room = (min(inside) if inside else 1.0) * plot_px - 8
        # a panel title is not smaller than the figure's type (some builders set 14 px)
        titles[i] = (room, max(size, (notes[i].get("font") or {}).get("size", size)))
    fitted = {}
    for i, (room, font) in titles.items():
        least = max(PRES_MIN_FONT, min(font, PRES_CROWDED_FONT))
        # a smaller size (not under ``least``) before a third line; the least size after that
        for f in [*range(int(font), int(least) - 1, -1), least]:
            if _wrapped(str(notes[i].get("text", "")), f, room).count("<br>") <= 1:
                break
        fitted[i] = f
    own = {i: (notes[i].get("font") or {}).get("size", size) for i in fitted}
    if all(f == own[i] and _fits(notes[i], f, titles[i][0]) for i, f in fitted.items()):
        return list(notes)  # every title fits as it is (also when there is none)
    common = min(fitted.values())
    out = list(notes)
    for i, (room, _) in titles.items():
        note = notes[i]
        text = _wrapped(str(note.get("text", "")), common, room)
        out[i] = {**note, "text": text, "font": {**(note.get("font") or {}), "size": common}}
    return out


def _fits(note: dict, font: float, room: float) -> bool:
    text = str(note.get("text", ""))
    return _wrapped(text, font, room) == text


def floor_fonts(
    data: Sequence[dict], layout: dict, minimum: float = PRES_MIN_FONT
) -> tuple[list[dict], dict]:
    """A figure's traces and layout (plain dicts, not modified) with no text under ``minimum`` px.

    Every explicit font size (tick labels, cell numbers, bar values, colour-bar numbers, notes,
    legends, titles) is raised to ``minimum``; numbers on heatmap cells whose size plotly.js
    would fit to the cell are given it, and left out (the hover still tells) where they would
    not fit a cell of a projector-wide figure; ``uniformtext`` keeps plotly.js from shrinking
    bar text below it; panel titles wider than their panel wrap; hover labels grow too.
    """
    out = _floored(layout, minimum)
    out = dict(out) if out is layout else out
    size = (out.get("font") or {}).get("size", PRES_FONT)
    margin = start_margins(data, out, size)
    plot_px = PRES_FIGURE_PX - margin["l"] - margin["r"]
    traces = []
    for name, axis in list(out.items()):
        if name.startswith("coloraxis") and isinstance(axis, dict) and axis.get("colorbar"):
            out[name] = {**axis, "colorbar": _clear_of_title(axis["colorbar"])}
    for trace in data:
        new = _floored(trace, minimum)
        if isinstance(new.get("colorbar"), dict):
            new = {**new, "colorbar": _clear_of_title(new["colorbar"])}
        marker = new.get("marker")
        if isinstance(marker, dict) and isinstance(marker.get("colorbar"), dict):
            new = {**new, "marker": {**marker, "colorbar": _clear_of_title(marker["colorbar"])}}
        text = trace.get("texttemplate") or trace.get("text") is not None
        if trace.get("type") in _SHRINKING and text:
            cell = (new.get("textfont") or {}).get("size")
            if not isinstance(cell, (int, float)) or isinstance(cell, bool):
                cell = minimum
                new = {**new, "textfont": {**(new.get("textfont") or {}), "size": cell}}
            if not _cell_text_fits(new, out, cell, plot_px):
                new = {k: v for k, v in new.items() if k not in ("texttemplate", "textfont")}
        traces.append(new)
    if out.get("annotations"):
        out["annotations"] = _fit_titles(out["annotations"], out, size, plot_px)
    for name, axis in list(out.items()):  # x-axis titles wider than their panel wrap
        title = axis.get("title") if name.startswith("xaxis") and isinstance(axis, dict) else None
        if isinstance(title, dict) and title.get("text"):
            lo, hi = _domain_of(out, "x" + name[5:])
            font = (title.get("font") or {}).get("size", size)
            text = _wrapped(str(title["text"]), font, (hi - lo) * plot_px - 4)
            if text != title["text"]:
                out[name] = {**axis, "title": {**title, "text": text}}
    for name, axis in list(out.items()):  # rows of categories: a label every line of type
        if (
            name.startswith("yaxis")
            and isinstance(axis, dict)
            and axis.get("type") == "category"
            and not any(k in axis for k in ("dtick", "tickvals", "nticks"))
        ):
            lo, hi = (axis.get("domain") or (0.0, 1.0))[:2]
            length = (float(out.get("height") or 360) - margin["t"] - margin["b"]) * (hi - lo)
            font = (axis.get("tickfont") or {}).get("size", size)
            out[name] = {**axis, "nticks": max(2, int(length / (1.5 * font)))}
    for name, axis in list(out.items()):  # log axes write 2 and 5 between powers at 3/4 size
        if (
            name.startswith(("xaxis", "yaxis"))
            and isinstance(axis, dict)
            and axis.get("type") == "log"
        ):
            tick = axis.get("tickfont") or {}
            font = max(tick.get("size", size), math.ceil(minimum / LOG_MINOR_SCALE))
            new_axis = {**axis, "tickfont": {**tick, "size": font}}
            if not any(k in axis for k in ("dtick", "tickvals", "nticks")):
                # plotly.js spaces log ticks by the axis' length only (every digit 2…9 on a short
                # axis): at projector sizes they would overlap, so fewer ticks by the font size
                lo, hi = (axis.get("domain") or (0.0, 1.0))[:2]
                if name[0] == "y":
                    length = (float(out.get("height") or 360) - margin["t"] - margin["b"]) * (
                        hi - lo
                    )
                    new_axis["nticks"] = max(3, int(length / (2.5 * font)))
                else:
                    new_axis["nticks"] = max(3, int(plot_px * (hi - lo) / (4.0 * font)))
            out[name] = new_axis
    uniform = out.get("uniformtext") or {}
    out["uniformtext"] = {
        **uniform,
        "mode": "show",
        "minsize": max(minimum, uniform.get("minsize") or 0),
    }
    hover = out.get("hoverlabel") or {}
    out["hoverlabel"] = {**hover, "font": {**(hover.get("font") or {}), "size": max(16, minimum)}}
    return traces, out


def _clear_of_title(colorbar: dict) -> dict:
    """A titled colour bar whose numbers are written under their ticks: at projector sizes the
    top number, centred on the bar's top edge, would run into the title just above it."""
    title = colorbar.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    if not text or colorbar.get("orientation") == "h":
        return colorbar
    return {**colorbar, "ticklabelposition": "outside bottom"}


def figure_parts(fig: go.Figure) -> tuple[list[dict], dict]:
    """A figure's traces and layout as the plain dicts it holds (not copied: do not modify)."""
    data, layout = getattr(fig, "_data", None), getattr(fig, "_layout", None)
    if isinstance(data, list) and isinstance(layout, dict):
        return data, layout
    spec = fig.to_plotly_json()
    return spec["data"], spec["layout"]


def figure(data: list[dict], layout: dict) -> go.Figure:
    """A ``go.Figure`` from plain dicts with the light template, not validated here.

    Validation costs ~6 ms for a small heatmap and tens of ms for a multi-panel figure, more
    than the rest of its rerun; ``st.plotly_chart`` does not validate a ``go.Figure`` again.
    tests/app/test_figures_valid.py validates every figure every page sends instead.
    """
    spec = {"data": data, "layout": {"template": LIGHT_TEMPLATE, **layout}}
    try:
        return go.Figure(spec, _validate=False)
    except TypeError:  # a Plotly without the private switch: validate after all
        return go.Figure(spec)


# --- side-by-side panels (one figure, one shared scale) -----------------------------------

GREY = "#555555"
# Plotly.js knows only a few scales by name; without validation the name is not translated
TOP = 0.86  # panels fill the paper up to here; their titles sit above
# a legend at the foot of the figure, under the x axes' labels and titles (its rows counted in
# the bottom margin: a legend hung below the plot at a fraction of its height ran into them)
BELOW = LEGEND_FOOT
Spec = dict[str, Any]


def axis_names(i: int) -> tuple[str, str]:
    """Panel ``i``'s axis references: ``("x", "y")``, ``("x2", "y2")``, …"""
    suffix = "" if i == 0 else str(i + 1)
    return "x" + suffix, "y" + suffix


def panels(
    titles: Sequence[str],
    x_titles: Sequence[str],
    y_titles: Sequence[str],
    *,
    gap: float = 0.11,
    widths: Sequence[float] | None = None,
) -> Spec:
    """Layout for side-by-side panels: axes with their domains and titles, titles above.

    Returns ``xaxis``, ``yaxis``, ``xaxis2``, … and ``annotations`` (the panel titles); the
    caller adds whatever else each axis needs (``layout["yaxis2"]["type"] = "log"``).
    """
    n = len(titles)
    w = np.asarray(widths if widths is not None else [1.0] * n, dtype=float)
    w = w / w.sum() * (1.0 - gap * (n - 1))
    starts = np.concatenate([[0.0], np.cumsum(w + gap)[:-1]])
    layout: Spec = {"annotations": []}
    for i in range(n):
        x, y = axis_names(i)
        domain = [float(starts[i]), float(starts[i] + w[i])]
        layout["xaxis" + x[1:]] = {"domain": domain, "anchor": y, "title": {"text": x_titles[i]}}
        layout["yaxis" + y[1:]] = {
            "domain": [0.0, TOP],
            "anchor": x,
            "title": {"text": y_titles[i]},
        }
        layout["annotations"].append(
            {
                "xref": "paper",
                "yref": "paper",
                "x": sum(domain) / 2,
                "y": TOP + 0.03,
                "xanchor": "center",
                "yanchor": "bottom",
                "text": f"<b>{titles[i]}</b>",
                "showarrow": False,
            }
        )
    return layout


def vline(x: float, colour: str, axes: tuple[str, str] = ("x", "y"), **line: Any) -> Spec:
    """A vertical line at data position ``x`` across one panel (a shape spec)."""
    return {
        "type": "line",
        "xref": axes[0],
        "yref": f"{axes[1]} domain",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": colour, "dash": "dot", "width": 2, **line},
    }


def hline(y: float, axes: tuple[str, str] = ("x", "y"), colour: str = GREY) -> Spec:
    """A dashed horizontal line at data position ``y`` across one panel (a shape spec)."""
    return {
        "type": "line",
        "xref": f"{axes[0]} domain",
        "yref": axes[1],
        "x0": 0,
        "x1": 1,
        "y0": y,
        "y1": y,
        "line": {"color": colour, "dash": "dash", "width": 1.5},
    }


# --- phones: panels side by side become one column --------------------------------------------

PHONE_PANEL_PX: Final = 380  # the height of one stacked panel on a phone, plot and labels
PHONE_TEXT_PX: Final = 330
PHONE_MIN_FONT: Final = 10  # the room for a title across a phone's figure (390 px screen)
_STACK_GAP: Final = 0.6  # of one panel's height, between stacked panels (titles, tick labels)


def _axis_pairs(data: Sequence[dict], layout: dict) -> list[tuple[str, str]]:
    """The (x axis, y axis) layout names of the figure's panels, in reading order."""
    pairs = {
        (
            "xaxis" + (tr.get("xaxis") or "x")[1:],
            "yaxis" + (tr.get("yaxis") or "y")[1:],
        )
        for tr in data
        if tr.get("type") not in {"pie", "table", "sankey"}
    }

    def place(pair: tuple[str, str]) -> tuple[float, float]:
        x = (layout.get(pair[0]) or {}).get("domain") or [0, 1]
        y = (layout.get(pair[1]) or {}).get("domain") or [0, 1]
        return (-round(float(y[1]), 3), round(float(x[0]), 3))

    return sorted(pairs, key=place)


def stack_panels(data: list[dict], layout: dict) -> tuple[list[dict], dict, int]:
    """A figure whose panels sit side by side, re-laid as one column (for a phone's width).

    Every panel keeps its axes, traces and titles; what was placed in paper coordinates near a
    panel (its title, its colour bar) moves with it. Returns the new data, layout and the number
    of panels; a figure with one panel per row comes back unchanged (and 1).
    """
    pairs = _axis_pairs(data, layout)
    if panels_in_a_row(layout) < 2 or len(pairs) < 2:
        return data, layout, 1
    n = len(pairs)
    head = 0.3  # room above the first panel for its title, in panel heights
    unit = 1.0 / (n + _STACK_GAP * (n - 1) + head)
    old: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    new: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    out = dict(layout)
    for i, pair in enumerate(pairs):
        xa, ya = dict(layout.get(pair[0]) or {}), dict(layout.get(pair[1]) or {})
        old[pair] = (list(xa.get("domain") or [0, 1]), list(ya.get("domain") or [0, 1]))
        top = 1.0 - head * unit - i * unit * (1 + _STACK_GAP)
        new[pair] = ([0.0, 1.0], [max(0.0, top - unit), top])
        out[pair[0]] = {**xa, "domain": new[pair][0]}
        out[pair[1]] = {**ya, "domain": new[pair][1]}

    def nearest(x: float, y: float) -> tuple[str, str]:
        def gap(pair: tuple[str, str]) -> float:
            (x0, x1), (y0, y1) = old[pair]
            dx = max(x0 - x, 0.0, x - x1)
            dy = max(y0 - y, 0.0, y - y1)
            return dx + dy

        return min(pairs, key=gap)

    def moved(x: float, y: float) -> tuple[float, float]:
        pair = nearest(x, y)
        (ox0, ox1), (oy0, oy1) = old[pair]
        (nx0, nx1), (ny0, ny1) = new[pair]
        fx = (x - ox0) / (ox1 - ox0) if ox1 > ox0 else 0.5
        fy = (y - oy0) / (oy1 - oy0) if oy1 > oy0 else 0.5
        return nx0 + fx * (nx1 - nx0), ny0 + fy * (ny1 - ny0)

    notes = []
    for note in layout.get("annotations") or ():
        if note.get("xref") == "paper" and note.get("yref") == "paper" and "x" in note:
            x, y = moved(float(note["x"]), float(note.get("y", 1.0)))
            note = {**note, "x": x, "y": y}
        notes.append(note)
    if notes:
        out["annotations"] = notes
    stacked = []
    for tr in data:
        bar = tr.get("colorbar") or (tr.get("marker") or {}).get("colorbar")
        if bar is not None and bar.get("orientation") != "h":
            pair = ("xaxis" + (tr.get("xaxis") or "x")[1:], "yaxis" + (tr.get("yaxis") or "y")[1:])
            if pair in new:
                y0, y1 = new[pair][1]
                bar = {**bar, "y": (y0 + y1) / 2, "yanchor": "middle"}
                if float(bar.get("x", 1.02)) < 1:  # beside its panel: now right of the column
                    bar.update(x=1.02, xanchor="left")
                bar["len"] = PHONE_BAR_LEN * (y1 - y0)
                bar.pop("lenmode", None)
                if "colorbar" in tr:
                    tr = {**tr, "colorbar": bar}
                else:
                    tr = {**tr, "marker": {**tr["marker"], "colorbar": bar}}
        stacked.append(tr)
    lo, hi = new[pairs[-1]][1][0], new[pairs[0]][1][1]
    for name, axis in layout.items():  # a shared colour bar: along the column, under its top title
        if name.startswith("coloraxis") and isinstance(axis, dict):
            bar = dict(axis.get("colorbar") or {})
            if bar.get("orientation") != "h":
                bar.pop("lenmode", None)
                bar.update(y=(lo + hi) / 2, yanchor="middle", len=PHONE_BAR_LEN * (hi - lo))
                out[name] = {**axis, "colorbar": bar}
    return stacked, out, n


def phone_titles(layout: dict, size: float) -> dict:
    """The figure's title and paper-placed notes (panel titles) wrapped to a phone's width."""
    out = dict(layout)
    title = out.get("title")
    if isinstance(title, dict) and isinstance(title.get("text"), str):
        out["title"] = {**title, "text": wrapped_text(title["text"], size * 1.2, PHONE_TEXT_PX)}
    notes = []
    for note in out.get("annotations") or ():
        text = note.get("text")
        if isinstance(text, str) and note.get("xref") == "paper" and not note.get("showarrow"):
            font = (note.get("font") or {}).get("size") or size
            wide = text_width(text, font)
            if wide > PHONE_TEXT_PX:  # smaller type first (a note sits between rows), then lines
                smaller = max(PHONE_MIN_FONT, font * PHONE_TEXT_PX / wide)
                note = {
                    **note,
                    "font": {**(note.get("font") or {}), "size": smaller},
                    "text": wrapped_text(text, smaller, PHONE_TEXT_PX),
                }
        notes.append(note)
    if notes:
        out["annotations"] = notes
    return out


PHONE_FIGURE_PX: Final = 360  # a figure's width on a 390-px phone (the page's padding apart)
PHONE_NOTE_FONT: Final = 12  # notes on the data (an arrow's text, a band's name) on a phone
PHONE_BAR_LEN: Final = 0.7  # a stacked panel's colour bar, of its height: its title stays clear


def phone_layout(data: Sequence[dict], layout: dict, size: float) -> dict:
    """Before the margins: what would take a phone's width goes under or into fewer lines.

    A legend at the right of the plot moves to the figure's foot, axis titles wrap to the
    width, and notes on the data (no size of their own) take :data:`PHONE_NOTE_FONT`.
    """
    out = dict(layout)
    legend = out.get("legend") or {}
    if _legend_items(data, out) and legend.get("x", 1.02) >= 1 and legend.get("orientation") != "h":
        out["legend"] = {**legend, **LEGEND_FOOT, "xanchor": "left"}
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            title = axis.get("title") or {}
            text = title.get("text") if isinstance(title, dict) else None
            if isinstance(text, str) and text:
                room = PHONE_TEXT_PX if name.startswith("x") else 0.8 * PHONE_PANEL_PX
                out[name] = {**axis, "title": {**title, "text": wrapped_text(text, size, room)}}
    notes = []
    for note in out.get("annotations") or ():
        if note.get("xref", "paper") != "paper" and not (note.get("font") or {}).get("size"):
            note = {**note, "font": {**(note.get("font") or {}), "size": PHONE_NOTE_FONT}}
        notes.append(note)
    if notes:
        out["annotations"] = notes
    return out


def phone_margins(layout: dict, margin: dict[str, int], size: float) -> tuple[dict, dict]:
    """The figure's title pinned to the top, and the top margin made to hold the title *and*
    the panel titles set above the plot (the estimate takes the larger of the two)."""
    title = layout.get("title") or {}
    text = title.get("text") if isinstance(title, dict) else None
    if not text:
        return layout, margin
    lines = len(_BR.split(str(text)))
    title_px = lines * 1.35 * 1.4 * size + 10
    above = 0.0
    for note in layout.get("annotations") or ():
        top_note = note.get("yref") == "paper" and note.get("yanchor") == "bottom"
        if top_note and float(note.get("y", 0)) >= 0.999:
            font = (note.get("font") or {}).get("size") or size
            rows = len(_BR.split(str(note.get("text", ""))))
            above = max(above, rows * 1.35 * font + 6 + max(0.0, float(note.get("yshift") or 0)))
    top = int(np.ceil(max(margin["t"], title_px + above + 4)))
    height = float(layout.get("height") or 360)
    # centred on its own band at the top (plotly.js would centre it on the whole top margin)
    where = {"yref": "container", "y": 1 - (title_px / 2 + 2) / height, "yanchor": "middle"}
    return {**layout, "title": {**title, **where}}, {**margin, "t": top}


def _tick_room(layout: dict, name: str, margin: dict[str, int]) -> float:
    """px an axis spans on a phone, from its domain and the figure's plot area."""
    lo, hi = (layout.get(name) or {}).get("domain") or [0, 1]
    if name.startswith("x"):
        whole = PHONE_FIGURE_PX - margin["l"] - margin["r"]
    else:
        whole = float(layout.get("height") or 360) - margin["t"] - margin["b"]
    return max(20.0, (float(hi) - float(lo)) * whole)


def phone_ticks(data: Sequence[dict], layout: dict, margin: dict[str, int], size: float) -> dict:
    """Tick labels that fit a phone's width: category labels rotated, then smaller (not under
    :data:`PHONE_MIN_FONT`), then thinned to every k-th; log axes labelled every k decades."""
    out = dict(layout)
    for name, axis in layout.items():
        if not (name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict)):
            continue
        if axis.get("showticklabels") is False or axis.get("visible") is False:
            continue
        room = _tick_room(layout, name, margin)
        font = (axis.get("tickfont") or {}).get("size") or size
        if axis.get("type") == "log":
            lo, hi = axis.get("range") or (None, None)
            if lo is None or axis.get("tickmode") == "array":
                continue
            step = max(1, int(axis.get("dtick") or 1))
            per = (3 * _CHAR * font + 14) if name.startswith("x") else 1.6 * font
            while (float(hi) - float(lo)) / step * per > room and step < 12:
                step += 1
            if step != (axis.get("dtick") or 1):
                out[name] = {**axis, "dtick": step}
            continue
        if axis.get("ticktext") is not None:
            labels = [str(s) for s in axis["ticktext"]]
            values = list(axis.get("tickvals") or labels)
        else:
            found = [v for vs in _axis_values(data, name) for v in vs]
            if not found or not all(isinstance(v, str) for v in found):
                continue
            labels = list(dict.fromkeys(found))
            values = labels
        n = len(labels)
        if n < 2:
            continue
        across = name.startswith("x") and not abs(float(axis.get("tickangle") or 0)) % 180
        if across and max(text_width(s, font) for s in labels) + 6 <= room / n:
            continue  # side by side, they fit
        angle = {"tickangle": -90} if name.startswith("x") else {}
        fit = max(PHONE_MIN_FONT, min(font, room / (n * 1.5)))
        step = max(1, int(np.ceil(n * 1.5 * fit / room)))
        if step == 1 and fit == font and not across:
            continue  # one under another (rotated, or a y axis), they fit
        out[name] = {
            **axis,
            **angle,
            "tickmode": "array",
            "tickvals": values[::step],
            "ticktext": labels[::step],
            "tickfont": {**(axis.get("tickfont") or {}), "size": fit},
        }
    return out


def phone_notes(layout: dict, margin: dict[str, int], size: float) -> dict:
    """Paper-placed notes (panel titles) kept inside a phone's figure and clear of a colour bar at
    its right: a centred note gets twice the room between its centre and the nearer of the
    figure's left edge and the plot's right edge, in smaller type, then in lines."""
    plot_w = PHONE_FIGURE_PX - margin["l"] - margin["r"]
    notes = []
    for note in layout.get("annotations") or ():
        text = note.get("text")
        if (
            isinstance(text, str)
            and note.get("xref") == "paper"
            and not note.get("showarrow")
            and note.get("xanchor", "center") == "center"
        ):
            centre = margin["l"] + float(note.get("x", 0.5)) * plot_w
            # not into the right margin: a colour bar's labels live there
            room = 2 * min(centre, margin["l"] + plot_w + 6 - centre) - 4
            for name, axis in layout.items():  # a panel's title: no wider than its panel
                if name.startswith("xaxis") and isinstance(axis, dict) and axis.get("domain"):
                    x0, x1 = (float(v) for v in axis["domain"])
                    if x1 - x0 < 0.9 and x0 <= float(note.get("x", 0.5)) <= x1:
                        room = min(room, (x1 - x0) * plot_w + 8)
            font = (note.get("font") or {}).get("size") or size
            wide = text_width(text, font)
            if wide > room > 0:
                smaller = max(PHONE_MIN_FONT, font * room / wide)
                note = {
                    **note,
                    "font": {**(note.get("font") or {}), "size": smaller},
                    "text": wrapped_text(_BR.sub(" ", text), smaller, room),
                }
        notes.append(note)
    return {**layout, "annotations": notes} if notes else layout


def phone_cell_numbers(data: list[dict], layout: dict, margin: dict[str, int]) -> list[dict]:
    """Numbers written on heatmap cells left out where a cell is narrower than its number on a
    phone (they would run into each other; hovering a cell still shows it)."""
    out = []
    for trace in data:
        if trace.get("type") == "heatmap" and trace.get("texttemplate"):
            z = np.asarray(trace.get("z") if trace.get("z") is not None else [[0]], dtype=float)
            cols = z.shape[-1] if z.ndim == 2 else 1
            name = "xaxis" + (trace.get("xaxis") or "x")[1:]
            cell = _tick_room(layout, name, margin) / max(1, cols)
            font = (trace.get("textfont") or {}).get("size") or 11
            finite = z[np.isfinite(z)]
            big = float(np.max(np.abs(finite))) if finite.size else 0.0
            sample = f"-{big:.2f}" if finite.size and np.min(finite) < 0 else f"{big:.2f}"
            if _number_width(sample, font) + 2 > cell:
                trace = {k: v for k, v in trace.items() if k not in ("texttemplate", "textfont")}
        out.append(trace)
    return out
