"""Figures of the softmax page: weights, temperature sweeps and the √d experiment.

Every builder takes the arrays the page computed with ``attn_core`` and the translated texts,
and returns a ``go.Figure``; none calls Streamlit. Speed matters (a slider must redraw at once):
each figure is written as one plain spec and built in one step without Plotly's per-property
validation (the tests build every figure once more *with* validation), and related plots share
one figure as side-by-side panels, since each figure costs a fixed few milliseconds to style
and send.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ui.figures import (
    BELOW,
    DIVERGING_SCALE,
    GREY,
    PALETTE,
    TOP,
    Spec,
    axis_names,
    figure,
    hline,
    panels,
    vline,
)


def _bars(values: np.ndarray, labels: Sequence[str], highlight: int, fmt: str, i: int) -> Spec:
    x, y = axis_names(i)
    return {
        "type": "bar",
        "x": [f"x{k + 1}" for k in range(len(labels))],
        "customdata": list(labels),
        "y": np.asarray(values, dtype=np.float64),
        "xaxis": x,
        "yaxis": y,
        "marker": {
            "color": [PALETTE[1] if k == highlight else PALETTE[0] for k in range(len(labels))]
        },
        "texttemplate": "%{y:" + fmt + "}",
        "textposition": "outside",
        "cliponaxis": False,
        "hovertemplate": "%{customdata}: %{y:.6g}<extra></extra>",
        "showlegend": False,
    }


def scores_weights_jacobian(
    x: np.ndarray,
    p: np.ndarray,
    J: np.ndarray,
    *,
    labels: Sequence[str],
    highlight: int,
    titles: Sequence[str],
    x_titles: Sequence[str],
    y_titles: Sequence[str],
    colorbar_title: str,
) -> go.Figure:
    """Three panels: the scores ``x (n,)``, the weights ``p (n,)``, the Jacobian ``J (n, n)``.

    Bars carry their values; the largest weight is orange in both bar panels; the Jacobian is
    on a diverging scale centred at 0 with its numbers on the cells.
    """
    n = len(labels)
    lim = float(np.max(np.abs(J))) or 1.0
    layout = panels(titles, x_titles, y_titles, widths=[1.0, 1.0, 1.15])
    for axis in ("xaxis", "xaxis2", "xaxis3", "yaxis3"):
        layout[axis]["type"] = "category"
    layout["yaxis2"]["range"] = [0, 1.12]
    layout["yaxis3"]["autorange"] = "reversed"
    layout.update(height=380, showlegend=False)
    heat = {
        "type": "heatmap",
        "z": J,
        "x": [f"x{j + 1}" for j in range(n)],
        "y": [f"p{i + 1}" for i in range(n)],
        "xaxis": "x3",
        "yaxis": "y3",
        "zmin": -lim,
        "zmax": lim,
        "colorscale": DIVERGING_SCALE,
        "colorbar": {
            "title": {"text": colorbar_title},
            "thickness": 12,
            "len": TOP,
            "y": 0,
            "yanchor": "bottom",
        },
        "texttemplate": "%{z:.3f}" if n <= 5 else "%{z:.2f}",
        "textfont": {"size": 11 if n <= 5 else 8},
        "hovertemplate": "∂%{y}/∂%{x} = %{z:.4g}<extra></extra>",
        "xgap": 1,
        "ygap": 1,
    }
    data = [_bars(x, labels, highlight, ".4~g", 0), _bars(p, labels, highlight, ".3f", 1), heat]
    return figure(data, layout)


def temperature(
    taus: np.ndarray,
    H: np.ndarray,
    P: np.ndarray,
    *,
    tau: float,
    h_now: float,
    h_low: float,
    h_high: float,
    labels: Sequence[str],
    low_label: str,
    high_label: str,
    now_label: str,
    titles: Sequence[str],
    x_title: str,
    y_titles: Sequence[str],
) -> go.Figure:
    """Two panels against τ (log axis): the entropy ``H (n_tau,)`` with the current τ marked and
    both limits named, and every weight ``P (n_tau, n)``.

    ``h_low`` is the limit as τ → 0 (0 for one largest score, ln k for k tied ones), ``h_high``
    the limit as τ → ∞ (ln n, uniform). The entropy rises from left to right, so the cold limit
    is named on the right under its line and the hot one on the left above its line.
    """
    span = max(h_high - h_low, 0.1)
    layout = panels(titles, [x_title, x_title], y_titles)
    layout["xaxis"]["type"] = layout["xaxis2"]["type"] = "log"
    layout["yaxis"]["range"] = [h_low - 0.2 * span, h_high + 0.2 * span]
    layout["yaxis2"]["range"] = [-0.03, 1.03]
    layout["shapes"] = [hline(h_low), hline(h_high), vline(tau, GREY, ("x2", "y2"))]
    layout.update(height=380, legend={"x": 1.02, "y": TOP, "yanchor": "top"})
    hover = "τ = %{x:.3g}<br>H = %{y:.4f}<extra></extra>"
    data: list[Spec] = [
        {
            "type": "scatter",
            "x": taus,
            "y": H,
            "mode": "lines",
            "line": {"color": PALETTE[0], "width": 3},
            "hovertemplate": hover,
            "showlegend": False,
        },
        {
            "type": "scatter",
            "x": [tau],
            "y": [h_now],
            "mode": "markers+text",
            "marker": {"size": 14, "color": PALETTE[1], "line": {"width": 1.5}},
            "text": [now_label],
            "textposition": "middle right" if tau < 3 else "middle left",
            "hovertemplate": hover,
            "showlegend": False,
        },
        {  # the limits named on their lines: text marks, which style and send cheaper than notes
            "type": "scatter",
            "x": [taus[-1], taus[0]],
            "y": [h_low, h_high],
            "mode": "text",
            "text": [low_label, high_label],
            "textposition": ["bottom left", "top right"],
            "textfont": {"color": GREY},
            "hoverinfo": "skip",
            "showlegend": False,
        },
    ]
    data += [
        {
            "type": "scatter",
            "x": taus,
            "y": P[:, i],
            "xaxis": "x2",
            "yaxis": "y2",
            "mode": "lines",
            "name": label,
            "line": {
                "color": PALETTE[i % len(PALETTE)],
                "width": 2,
                "dash": "solid" if i < len(PALETTE) else "dot",
            },
            "hovertemplate": label + ": τ = %{x:.3g}, p = %{y:.4f}<extra></extra>",
        }
        for i, label in enumerate(labels)
    ]
    return figure(data, layout)


def _histogram(values: np.ndarray, variance: float, colour: str, name: str, i: int) -> list[Spec]:
    """Bars of a density histogram and the normal curve N(0, variance), on panel ``i``."""
    v = np.asarray(values, dtype=np.float64)  # (N,)
    lim = max(float(np.max(np.abs(v))) if v.size else 1.0, 4.0 * np.sqrt(variance), 1e-9)
    counts, edges = np.histogram(v, bins=61, range=(-lim, lim), density=True)
    xs = np.linspace(-lim, lim, 201)
    normal = np.exp(-(xs**2) / (2 * variance)) / np.sqrt(2 * np.pi * variance)
    x, y = axis_names(i)
    return [
        {
            "type": "bar",
            "x": 0.5 * (edges[:-1] + edges[1:]),
            "y": counts,
            "xaxis": x,
            "yaxis": y,
            "width": float(edges[1] - edges[0]),
            "marker": {"color": colour, "line": {"width": 0}},
            "opacity": 0.75,
            "hovertemplate": "%{x:.3g}: %{y:.3g}<extra></extra>",
            "showlegend": False,
        },
        {
            "type": "scatter",
            "x": xs,
            "y": normal,
            "xaxis": x,
            "yaxis": y,
            "mode": "lines",
            "line": {"color": "black", "width": 2, "dash": "dash"},
            "name": name,
            "hoverinfo": "skip",
        },
    ]


def histograms(
    raw: np.ndarray,
    d: int,
    *,
    titles: Sequence[str],
    x_titles: Sequence[str],
    y_title: str,
    normal_labels: Sequence[str],
) -> go.Figure:
    """Two panels: the density of ``q·k`` with N(0, d), and of ``q·k / √d`` with N(0, 1).

    The bins are counted here and sent as bars: a few dozen numbers, not every sample.
    """
    layout = panels(titles, x_titles, [y_title, y_title])
    layout.update(
        height=360,
        bargap=0,
        legend={**BELOW},
    )
    data = _histogram(raw, float(d), PALETTE[0], normal_labels[0], 0)
    data += _histogram(raw / np.sqrt(d), 1.0, PALETTE[2], normal_labels[1], 1)
    data[3]["line"]["dash"] = "dot"  # tell the two normal curves apart in the shared legend
    return figure(data, layout)


def versus_d(
    d: np.ndarray,
    panels_series: Sequence[Sequence[tuple[str, np.ndarray]]],
    references: Sequence[Sequence[tuple[str, np.ndarray | float]]],
    *,
    d_now: int,
    titles: Sequence[str],
    x_title: str,
    y_titles: Sequence[str],
    log_y: Sequence[bool],
    y_ranges: Sequence[tuple[float, float] | None],
) -> go.Figure:
    """Panels of measured curves against ``d`` (log axis) with dashed references, ``d`` marked.

    ``panels_series[i]``: (name, values (G,)) for panel ``i`` — the same names on every panel
    share one legend entry and colour; ``references[i]``: (name, a constant or values (G,)).
    """
    layout = panels(titles, [x_title] * len(titles), y_titles)
    data: list[Spec] = []
    shown: set[str] = set()
    for i, (series, refs) in enumerate(zip(panels_series, references, strict=True)):
        x, y = axis_names(i)
        layout["xaxis" + x[1:]].update(
            type="log", tickvals=list(d[::3]), ticktext=[str(int(v)) for v in d[::3]], tickangle=0
        )
        layout["yaxis" + y[1:]].update(
            type="log" if log_y[i] else "linear",
            range=list(y_ranges[i]) if y_ranges[i] else None,
            rangemode="normal" if log_y[i] else "tozero",
        )
        for k, (name, values) in enumerate(series):
            data.append(
                {
                    "type": "scatter",
                    "x": d,
                    "y": values,
                    "xaxis": x,
                    "yaxis": y,
                    "mode": "lines+markers",
                    "name": name,
                    "legendgroup": name,
                    "showlegend": name not in shown,
                    "line": {"color": PALETTE[k * 2 % len(PALETTE)], "width": 3},
                    "marker": {"size": 7, "symbol": ("circle", "square", "diamond")[k % 3]},
                    "hovertemplate": name + ": d = %{x}, %{y:.4g}<extra></extra>",
                }
            )
            shown.add(name)
        for j, (name, ref) in enumerate(refs):
            data.append(
                {
                    "type": "scatter",
                    "x": d,
                    "y": np.full(len(d), float(ref)) if np.ndim(ref) == 0 else np.asarray(ref),
                    "xaxis": x,
                    "yaxis": y,
                    "mode": "lines",
                    "name": name,
                    "line": {"color": ("black", "#888888")[j % 2], "width": 1.5, "dash": "dash"},
                    "hoverinfo": "skip",
                }
            )
    layout["shapes"] = [vline(d_now, PALETTE[1], axis_names(i)) for i in range(len(titles))]
    layout.update(height=400, legend={**BELOW})
    return figure(data, layout)
