"""Figures and formulas of the complexity page. Pure functions (no Streamlit).

Built as plain dicts with :func:`ui.figures.figure` (no validation here; the tests rebuild each
figure with Plotly's validation on) and shown with ``layout.show_figure``, which sizes them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import plotly.graph_objects as go

from attn_core import LAYERS
from attn_core.complexity import conv_layers_needed, operations
from ui.figures import PALETTE, figure
from ui.tokens import SUBSCRIPTS

COLOURS: Final = {  # Okabe–Ito, the same colour for a layer in every figure
    "self_attention": PALETTE[1],
    "recurrent": PALETTE[0],
    "convolutional": PALETTE[2],
}
HIGHLIGHT: Final = PALETTE[5]
EDGE: Final = "rgba(120,120,120,0.45)"
N_PLOT_MAX: Final = 100_000


def _log_axis(title: str) -> dict:
    """A log axis labelled at the powers of ten only (no 2 and 5 between them)."""
    return {
        "title": {"text": title},
        "type": "log",
        "exponentformat": "power",
        "dtick": 1,
        "showgrid": True,
    }


def ops_figure(
    d: int,
    k: int,
    n_now: int,
    crossovers: Mapping[str, int],
    *,
    names: Mapping[str, str],
    title: str,
    x_title: str,
    y_title: str,
    crossover_label: str,
    now_label: str,
    cheaper_label: str,
) -> go.Figure:
    """Operations per layer against ``n`` on log–log axes, crossovers and the current ``n``.

    ``crossovers`` is :func:`attn_core.crossover_n` — self-attention costs the same as the
    recurrent layer at ``n = d`` and as the convolution at ``n = k d``. ``crossover_label``
    is formatted with ``{n}`` and ``{other}``.
    """
    top = max(N_PLOT_MAX, 4 * k * d, 4 * n_now)
    n = np.geomspace(1, top, 240)  # (240,)
    data: list[dict] = []
    for layer in LAYERS:
        data.append(
            {
                "type": "scatter",
                "x": n,
                "y": operations(layer, n, d, k),
                "mode": "lines",
                "name": names[layer],
                "line": {"color": COLOURS[layer], "width": 3},
                "hovertemplate": "n = %{x:.0f}: %{y:.3s}<extra>" + names[layer] + "</extra>",
            }
        )
    cx, cy, ctext = [], [], []
    for other, n_cross in sorted(crossovers.items(), key=lambda item: item[1]):
        cx.append(n_cross)
        cy.append(float(operations("self_attention", np.array(n_cross), d, k)))
        ctext.append(crossover_label.format(n=f"{n_cross:,}", other=names[other]))
    data.append(
        {
            "type": "scatter",
            "x": cx,
            "y": cy,
            "mode": "markers",
            "text": ctext,
            "marker": {"size": 14, "color": "#000000", "symbol": "x"},
            "name": crossover_label.format(n="", other="").strip(" =:：,"),
            "showlegend": False,
            "hovertemplate": "%{text}<extra></extra>",
        }
    )
    now_y = [float(operations(layer, np.array(n_now), d, k)) for layer in LAYERS]
    data.append(
        {
            "type": "scatter",
            "x": [n_now] * len(LAYERS),
            "y": now_y,
            "mode": "markers",
            "marker": {"size": 12, "color": [COLOURS[x] for x in LAYERS], "line": {"width": 2}},
            "showlegend": False,
            "hovertemplate": "n = %{x}: %{y:,.0f}<extra></extra>",
        }
    )
    d_cross = crossovers.get("recurrent", d)
    # explicit ranges (log10), so the crossover notes can be placed in the plot's own terms
    x_range = [0.0, math.log10(top)]
    lows = [float(operations(layer, np.array(1.0), d, k)) for layer in LAYERS]
    highs = [float(operations(layer, np.array(top), d, k)) for layer in LAYERS]
    y_lo, y_hi = math.log10(min(lows)), math.log10(max(highs))
    pad = 0.04 * (y_hi - y_lo)
    y_range = [y_lo - pad, y_hi + pad]
    layout = {
        "title": {"text": title},
        "xaxis": {**_log_axis(x_title), "range": x_range},
        "yaxis": {**_log_axis(y_title), "dtick": 2, "range": y_range},
        "height": 460,
        "legend": {"x": 1.02, "y": 1, "xanchor": "left"},
        "shapes": [
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": 1,
                "x1": d_cross,
                "y0": 0,
                "y1": 1,
                "fillcolor": "rgba(230,159,0,0.10)",
                "line": {"width": 0},
                "layer": "below",
            },
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": n_now,
                "x1": n_now,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#555555", "dash": "dash", "width": 2},
            },
        ],
        "annotations": [
            {
                "text": now_label,
                "x": math.log10(n_now),
                "y": 0.0,
                "xref": "x",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "bottom",
                "xshift": 4,
                "showarrow": False,
            },
            {
                "text": cheaper_label,
                "x": x_range[0],  # from the band's left edge: never across the y axis
                "y": 0.97,
                "xref": "x",
                "yref": "paper",
                "xanchor": "left",
                "xshift": 4,
                "yanchor": "top",
                "showarrow": False,
                "font": {"color": "#8a5a00"},
            },
            *_crossover_notes(cx, cy, ctext, x_range, y_range),
        ],
    }
    return figure(data, layout)


def _crossover_notes(
    xs: Sequence[float],
    ys: Sequence[float],
    texts: Sequence[str],
    x_range: Sequence[float],
    y_range: Sequence[float],
) -> list[dict]:
    """Each crossover named in the plot's lower right, an arrow up to its marker.

    Self-attention's n²·d rises fastest, so below the curves on the right is the plot's free
    corner; the notes end at its right edge (never across the y axis and its title), on two
    lines, one above the other (the later crossover higher, as its marker is), above the
    current-n note at the bottom, on a white ground so that a line passing behind them
    leaves them readable.
    """
    notes = []
    for rank, (x, y, text) in enumerate(zip(xs, ys, texts, strict=True)):
        level = 0.16 + 0.17 * rank  # fraction of the plot's height
        head, sep, tail = text.partition(":") if ":" in text else text.partition("：")
        notes.append(
            {
                "text": f"{head}{sep}<br>{tail.strip()}" if sep else text,
                "x": math.log10(x),
                "y": math.log10(y),
                "xref": "x",
                "yref": "y",
                "ax": x_range[1] - 0.01 * (x_range[1] - x_range[0]),
                "ay": y_range[0] + level * (y_range[1] - y_range[0]),
                "axref": "x",
                "ayref": "y",
                "xanchor": "right",
                "align": "left",
                "yanchor": "middle",
                "showarrow": True,
                "arrowhead": 2,
                "arrowwidth": 1.5,
                "arrowcolor": "#333333",
                "standoff": 8,
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    return notes


def timing_figure(
    ns: Mapping[str, Sequence[int]],
    seconds: Mapping[str, Sequence[float]],
    predicted: Mapping[str, float],
    *,
    names: Mapping[str, str],
    title: str,
    x_title: str,
    y_title: str,
    measured_label: str,
    predicted_label: str,
) -> go.Figure:
    """Measured seconds per call against ``n`` (log–log) beside lines of the predicted slope.

    Each predicted line :math:`t \\propto n^s` passes through the layer's largest measured
    point. ``measured_label``/``predicted_label`` are formatted with ``{layer}`` (and ``{s}``).
    """
    data: list[dict] = []
    for layer in LAYERS:
        n = np.asarray(ns.get(layer, []), dtype=np.float64)
        t = np.asarray(seconds.get(layer, []), dtype=np.float64)
        if not n.size:
            continue
        data.append(
            {
                "type": "scatter",
                "x": n,
                "y": t * 1e3,
                "mode": "lines+markers",
                "name": measured_label.format(layer=names[layer]),
                "legendgroup": layer,
                "line": {"color": COLOURS[layer], "width": 3},
                "marker": {"size": 9},
                "hovertemplate": "n = %{x:.0f}: %{y:.3g} ms<extra>" + names[layer] + "</extra>",
            }
        )
        s = predicted[layer]
        line_n = np.geomspace(n[0], n[-1], 30)
        data.append(
            {
                "type": "scatter",
                "x": line_n,
                "y": t[-1] * 1e3 * (line_n / n[-1]) ** s,
                "mode": "lines",
                "name": predicted_label.format(layer=names[layer], s=f"{s:g}"),
                "legendgroup": layer,
                "line": {"color": COLOURS[layer], "dash": "dot", "width": 2},
                "hoverinfo": "skip",
            }
        )
    layout = {
        "title": {"text": title},
        "xaxis": {
            **_log_axis(x_title),
            "tickvals": sorted({int(v) for layer in ns for v in ns[layer]}),
            "ticktext": [f"{v:,}" for v in sorted({int(v) for layer in ns for v in ns[layer]})],
        },
        "yaxis": _log_axis(y_title),
        "height": 460,
        "legend": {"x": 1.02, "y": 1, "xanchor": "left", "tracegroupgap": 12},
    }
    return figure(data, layout)


def _segments(pairs: Sequence[tuple[tuple[float, float], tuple[float, float]]]) -> dict:
    """Line segments as one trace: x and y with ``None`` between segments."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for (x0, y0), (x1, y1) in pairs:
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    return {"x": xs, "y": ys}


def _lines(segments: dict | None = None, axis: str = "", **style) -> dict:
    """A line trace on the panel with axes ``x{axis}``/``y{axis}``."""
    return {
        "type": "scatter",
        "mode": "lines",
        "hoverinfo": "skip",
        "xaxis": f"x{axis}",
        "yaxis": f"y{axis}",
        **(segments or {}),
        **style,
    }


def two_lines(title: str) -> str:
    """``Name: count`` on two lines, so three titles fit over three narrow panels."""
    for sep in ("：", ": "):
        if sep in title:
            head, tail = title.split(sep, 1)
            return f"{head}{sep.strip()}<br>{tail}"
    return title


def path_figure(
    n: int,
    k: int,
    *,
    titles: Mapping[str, str],
    layer_title: str,
) -> go.Figure:
    """How far apart ``x_1`` and ``x_n`` are: a stack of convolutions, an RNN, self-attention.

    Convolution: the cone of one top unit whose receptive field covers ``x_1 … x_n``; unit
    ``j`` of layer ``l`` reads units ``j … j+k-1`` of layer ``l-1`` (inputs past ``x_n`` are
    padding, drawn hollow). The highlighted paths join ``x_1`` and ``x_n`` to the top unit.
    RNN: ``x_1 → h_1 → h_2 → … → h_n``. Self-attention: every output reads every input.
    ``titles`` maps each layer to its panel title (already filled in).
    """
    L = conv_layers_needed(n, k)
    data: list[dict] = []
    # --- convolution: the cone of the top unit ---------------------------------------------
    width = [1 + (L - lvl) * (k - 1) for lvl in range(L + 1)]  # units of the cone per layer

    def pos(lvl: int, j: int) -> tuple[float, float]:  # unit j (1-based) of layer lvl
        return (j + lvl * (k - 1) / 2, float(lvl))

    edges = [
        (pos(lvl, j), pos(lvl - 1, j + i))
        for lvl in range(1, L + 1)
        for j in range(1, width[lvl] + 1)
        for i in range(k)
    ]
    data.append(_lines(_segments(edges), line={"color": EDGE, "width": 1}))
    left = [pos(lvl, 1) for lvl in range(L + 1)]  # x_1 climbs along unit 1
    j, right = n, [pos(0, n)]
    for lvl in range(1, L + 1):
        j = max(1, j - (k - 1))  # the leftmost unit of this layer that still sees x_n
        right.append(pos(lvl, j))
    for path in (left, right):
        xy = {"x": [p[0] for p in path], "y": [p[1] for p in path]}
        data.append(_lines(xy, line={"color": HIGHLIGHT, "width": 4}))
    nodes = [
        (pos(lvl, j), lvl == 0 and j > n) for lvl in range(L + 1) for j in range(1, width[lvl] + 1)
    ]
    data.append(
        {
            "type": "scatter",
            "x": [p[0][0] for p in nodes],
            "y": [p[0][1] for p in nodes],
            "mode": "markers",
            "marker": {
                "size": 9,
                "color": ["#ffffff" if pad else COLOURS["convolutional"] for _, pad in nodes],
                "line": {"color": COLOURS["convolutional"], "width": 1.5},
            },
            "hoverinfo": "skip",
            "xaxis": "x",
            "yaxis": "y",
        }
    )
    # --- RNN: one chain --------------------------------------------------------------------
    rnn_edges = [((t, 0.0), (t, 1.0)) for t in range(1, n + 1)]
    rnn_edges += [((t, 1.0), (t + 1, 1.0)) for t in range(1, n)]
    data.append(_lines(_segments(rnn_edges), "2", line={"color": EDGE, "width": 1.5}))
    chain = {"x": [1, 1, *range(2, n + 1)], "y": [0, *[1] * n]}  # x_1 → h_1 → … → h_n
    data.append(_lines(chain, "2", line={"color": HIGHLIGHT, "width": 4}))
    # --- self-attention: everyone to everyone ----------------------------------------------
    sa_edges = [((i, 0.0), (j, 1.0)) for i in range(1, n + 1) for j in range(1, n + 1)]
    data.append(_lines(_segments(sa_edges), "3", line={"color": EDGE, "width": 0.8}))
    data.append(_lines({"x": [1, n], "y": [0, 1]}, "3", line={"color": HIGHLIGHT, "width": 4}))
    for axis, layer in (("2", "recurrent"), ("3", "self_attention")):
        data.append(
            {
                "type": "scatter",
                "x": [*range(1, n + 1)] * 2,
                "y": [0] * n + [1] * n,
                "mode": "markers",
                "marker": {"size": 9, "color": COLOURS[layer]},
                "hoverinfo": "skip",
                "xaxis": f"x{axis}",
                "yaxis": f"y{axis}",
            }
        )
    # x_1 and x_n named under the inputs of every panel
    for axis in ("", "2", "3"):
        data.append(
            {
                "type": "scatter",
                "x": [1, n],
                "y": [-0.35 * (max(1, L / 3) if axis == "" else 1)] * 2,
                "mode": "text",
                "text": ["x₁", "x" + str(n).translate(SUBSCRIPTS)],
                "textfont": {"size": 15, "color": HIGHLIGHT},
                "hoverinfo": "skip",
                "xaxis": f"x{axis}",
                "yaxis": f"y{axis}",
            }
        )
    for trace in data:
        trace.setdefault("showlegend", False)
    gap, w = 0.06, (1 - 2 * 0.06) / 3
    height = int(max(320, min(720, 150 + 34 * L)))
    hidden = {
        "showgrid": False,
        "zeroline": False,
        "showticklabels": False,
        "ticks": "",
        "showline": False,
    }
    layout: dict = {
        "height": height,
        "annotations": [
            {
                "text": two_lines(titles[layer]),
                "x": c * (w + gap) + w / 2,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 14},
            }
            for c, layer in enumerate(("convolutional", "recurrent", "self_attention"))
        ],
        "xaxis": {**hidden, "domain": [0, w], "anchor": "y"},
        "yaxis": {
            "domain": [0, 0.9],
            "anchor": "x",
            "range": [-0.9 * max(1, L / 3), L + 0.4],
            "tickvals": list(range(L + 1)),
            "title": {"text": layer_title},
            "showgrid": False,
            "zeroline": False,
        },
    }
    for c in (2, 3):
        left = (c - 1) * (w + gap)
        layout[f"xaxis{c}"] = {**hidden, "domain": [left, min(1.0, left + w)], "anchor": f"y{c}"}
        layout[f"yaxis{c}"] = {
            **hidden,
            "domain": [0, 0.9],
            "anchor": f"x{c}",
            "range": [-0.9, 1.4],
        }
    return figure(data, layout)
