"""Figures of the alignment page: weights over positions, t × position maps, hard samples.

Pure builders: arrays and translated texts in, ``go.Figure`` out; no Streamlit calls. Like
the softmax page, each figure is one plain spec built in one step, and the variants sit side
by side as panels of one figure (one shared scale, and one figure to style and send).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ui.figures import (
    BELOW,
    GREY,
    IMAGE_ABOVE,
    PALETTE,
    SEQUENTIAL_SCALE,
    TOP,
    Spec,
    axis_names,
    colour_image,
    figure,
    panels,
    png_data_uri,
    vline,
)

OUTSIDE = "#BBBBBB"  # bars outside the local window


@dataclass(frozen=True)
class Panel:
    """One variant's weights over the source positions at one target step."""

    title: str
    weights: np.ndarray  # (S,)
    window: np.ndarray | None = None  # (S,) bool, local variants only
    p_t: float | None = None  # the window's centre
    gaussian: np.ndarray | None = None  # (S,) local-p's Gaussian factor, in 0 … 1


def position_weights(
    rows: Sequence[Panel],
    *,
    truth: int,
    x_title: str,
    y_title: str,
    gauss_label: str,
    truth_label: str,
) -> go.Figure:
    """Panels of weights over source positions, on one y scale so their sizes compare.

    Local panels also get the window (bars outside it grey, the window shaded) and the centre
    ``p_t`` as a dotted line; a panel with a ``gaussian`` (local-p; local-m has none) draws it
    as a dashed curve on a 0–1 axis of its own. ``truth`` marks the position the target step
    was really made from.
    """
    n = len(rows)
    S = rows[0].weights.shape[0]
    s = np.arange(S)
    y_max = 1.12 * max(float(r.weights.max()) for r in rows) + 1e-9
    layout = panels([r.title for r in rows], [x_title] * n, [y_title] + [""] * (n - 1))
    data: list[Spec] = []
    shapes: list[Spec] = []
    for i, r in enumerate(rows):
        x, y = axis_names(i)
        layout["xaxis" + x[1:]]["range"] = [-0.7, S - 0.3]
        layout["yaxis" + y[1:]]["range"] = [0, y_max]
        inside = np.ones(S, dtype=bool) if r.window is None else np.asarray(r.window, dtype=bool)
        data.append(
            {
                "type": "bar",
                "x": s,
                "y": np.asarray(r.weights, dtype=np.float64),
                "xaxis": x,
                "yaxis": y,
                "marker": {"color": [PALETTE[0] if ok else OUTSIDE for ok in inside]},
                "hovertemplate": "s = %{x}: %{y:.4f}<extra></extra>",
                "showlegend": False,
            }
        )
        data.append(
            {
                "type": "scatter",
                "x": [truth],
                "y": [0],
                "xaxis": x,
                "yaxis": y,
                "mode": "markers",
                "marker": {"symbol": "triangle-up", "size": 13, "color": PALETTE[3]},
                "name": truth_label,
                "legendgroup": "truth",
                "showlegend": i == 0,
                "cliponaxis": False,
                "hovertemplate": truth_label + ": s = %{x}<extra></extra>",
            }
        )
        if r.gaussian is not None:
            g_axis = f"y{n + i + 1}"  # an overlay axis on the right of this panel, 0 … 1
            layout["yaxis" + g_axis[1:]] = {
                "overlaying": y,
                "anchor": x,
                "side": "right",
                "range": [0, 1.08],
                "tickvals": [0, 0.5, 1],
                "tickfont": {"color": PALETTE[5]},  # the colour of the Gaussian it measures
                "showgrid": False,
            }
            data.append(
                {
                    "type": "scatter",
                    "x": s,
                    "y": r.gaussian,
                    "xaxis": x,
                    "yaxis": g_axis,
                    "mode": "lines",
                    "line": {"color": PALETTE[5], "dash": "dash", "width": 2},
                    "name": gauss_label,
                    "legendgroup": "gauss",
                    "showlegend": not any(d.get("legendgroup") == "gauss" for d in data),
                    "hovertemplate": "s = %{x}: %{y:.3f}<extra></extra>",
                }
            )
        if r.window is not None and inside.any():
            lo, hi = int(np.argmax(inside)), int(S - 1 - np.argmax(inside[::-1]))
            shapes.append(
                {
                    "type": "rect",
                    "xref": x,
                    "yref": f"{y} domain",
                    "x0": lo - 0.5,
                    "x1": hi + 0.5,
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": PALETTE[4],
                    "opacity": 0.15,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
        if r.p_t is not None:
            shapes.append(vline(r.p_t, PALETTE[1], (x, y), width=3))
            data.append(
                {
                    "type": "scatter",
                    "x": [r.p_t],
                    "y": [y_max],
                    "xaxis": x,
                    "yaxis": y,
                    "mode": "text",
                    "text": [f"p_t = {r.p_t:.4g}"],
                    "textposition": "bottom right" if r.p_t < S / 2 else "bottom left",
                    "textfont": {"color": PALETTE[1]},
                    "hoverinfo": "skip",
                    "showlegend": False,
                }
            )
    layout.update(shapes=shapes, height=380, bargap=0.15, legend={**BELOW})
    return figure(data, layout)


def alignment_maps(
    maps: Sequence[np.ndarray],
    *,
    t: int,
    titles: Sequence[str],
    x_title: str,
    y_title: str,
    colorbar_title: str,
) -> go.Figure:
    """Panels of ``t × position`` weight matrices ``(T, S)`` on one colour scale, row ``t`` boxed.

    Up to ``IMAGE_ABOVE`` positions heatmaps of numbers; beyond, PNG images (a 200 × 200
    heatmap of numbers is slow to send and to draw) with one colour bar beside them.
    """
    n = len(maps)
    T, S = maps[0].shape
    zmax = max(float(m.max()) for m in maps) or 1.0
    layout = panels(titles, [x_title] * n, [y_title] + [""] * (n - 1), gap=0.07)
    colorbar = {
        "title": {"text": colorbar_title},
        "thickness": 12,
        "len": TOP,
        "y": 0,
        "yanchor": "bottom",
    }
    data: list[Spec] = []
    image = max(T, S) > IMAGE_ABOVE
    for i, W in enumerate(maps):
        x, y = axis_names(i)
        layout["xaxis" + x[1:]].update(showgrid=False, zeroline=False)
        layout["yaxis" + y[1:]].update(showgrid=False, zeroline=False, autorange="reversed")
        if image:
            data.append(
                {
                    "type": "image",
                    "source": png_data_uri(colour_image(W, 0.0, zmax)),
                    "xaxis": x,
                    "yaxis": y,
                    "hoverinfo": "skip",
                }
            )
        else:
            heat = {
                "type": "heatmap",
                "z": W,
                "xaxis": x,
                "yaxis": y,
                "coloraxis": "coloraxis",
                "hovertemplate": "t = %{y}, s = %{x}: %{z:.4f}<extra></extra>",
                "xgap": 1 if S <= 40 else 0,
                "ygap": 1 if T <= 40 else 0,
            }
            if S <= 12:
                heat["texttemplate"] = "%{z:.2f}"
            data.append(heat)
    if image:  # an invisible marker carries the colour bar that images lack
        data.append(
            {
                "type": "scatter",
                "x": [None],
                "y": [None],
                "mode": "markers",
                "marker": {"coloraxis": "coloraxis", "color": [0.0]},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    # cells and image pixels both sit at 0, 1, 2, …: row t spans t − ½ … t + ½
    layout["shapes"] = [
        {
            "type": "rect",
            "xref": axis_names(i)[0],
            "yref": axis_names(i)[1],
            "x0": -0.5,
            "x1": S - 0.5,
            "y0": t - 0.5,
            "y1": t + 0.5,
            "line": {"color": PALETTE[1], "width": 2.5},
        }
        for i in range(n)
    ]
    layout.update(
        coloraxis={"colorscale": SEQUENTIAL_SCALE, "cmin": 0.0, "cmax": zmax, "colorbar": colorbar},
        height=400,
    )
    return figure(data, layout)


def hard_samples(
    weights: np.ndarray,
    positions: np.ndarray,
    n: np.ndarray,
    curves: Sequence[tuple[str, np.ndarray, str]],
    *,
    titles: Sequence[str],
    x_titles: Sequence[str],
    y_titles: Sequence[str],
    weights_label: str,
    samples_label: str,
) -> go.Figure:
    """Two panels: how often each position was drawn (share of N) against the weights it was
    drawn from; and error curves against the number of samples ``n (K,)`` on log–log axes.

    ``curves``: (name, values at ``n``, dash style); the first is the measured error.
    """
    w = np.asarray(weights, dtype=np.float64)  # (S,)
    S = w.shape[0]
    counts = np.bincount(np.asarray(positions), minlength=S)  # (S,)
    s = np.arange(S)
    layout = panels(titles, x_titles, y_titles)
    layout["xaxis"]["range"] = [-0.7, S - 0.3]
    layout["yaxis"]["rangemode"] = "tozero"
    layout["xaxis2"]["type"] = layout["yaxis2"]["type"] = "log"
    # on a taller plot plotly.js writes every digit of a decade, 6 to 9 on top of each other
    # (the legend at the figure's foot leaves the plot that height): N at 1, 2, 5 in each
    # decade; the error, which spans a decade or two of a short axis, at the powers of ten
    layout["xaxis2"]["dtick"] = "D2"
    layout["yaxis2"]["dtick"] = 1
    data: list[Spec] = [
        {
            "type": "bar",
            "x": s,
            "y": counts / max(int(counts.sum()), 1),
            "name": samples_label,
            "marker": {"color": PALETTE[2]},
            "opacity": 0.8,
            "customdata": counts,
            "hovertemplate": "s = %{x}: %{y:.4f} (%{customdata})<extra></extra>",
        },
        {
            "type": "scatter",
            "x": s,
            "y": w,
            "mode": "lines",
            "name": weights_label,
            "line": {"color": "black", "width": 1.5, "shape": "hvh"},
            "hovertemplate": "s = %{x}: a = %{y:.4f}<extra></extra>",
        },
    ]
    data += [
        {
            "type": "scatter",
            "x": n,
            "y": values,
            "xaxis": "x2",
            "yaxis": "y2",
            "mode": "lines",
            "name": name,
            "line": {"color": (PALETTE[0], PALETTE[1], GREY)[i % 3], "dash": dash, "width": 2.5},
            "hovertemplate": name + ": N = %{x}, %{y:.4g}<extra></extra>",
        }
        for i, (name, values, dash) in enumerate(curves)
    ]
    layout.update(height=440, bargap=0.15, legend={**BELOW})  # the legend takes rows at the foot
    return figure(data, layout)
