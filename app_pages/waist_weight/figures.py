"""Figures of the waist → weight page. Pure builders: arrays and translated labels in, figure out.

Every label arrives already translated in ``text`` (a mapping), so the builders stay free of
Streamlit and can be tested on their own. The figures are written as plain Plotly specs and
wrapped without Plotly's per-property validation (``_validate=False``): that is ~6× faster to
build, which matters because every figure is rebuilt on every slider move. The tests check
the specs instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import plotly.graph_objects as go

from ui import figures
from ui.figures import IMAGE_ABOVE, LEGEND_FOOT, MASKED_COLOUR, PALETTE, SEQUENTIAL, heatmap

GAP_COLOUR: Final = "rgba(120,120,120,0.16)"
LEGEND_INSIDE: Final = {
    "x": 0.01,
    "y": 0.99,
    "xanchor": "left",
    "yanchor": "top",
    "bgcolor": "rgba(255,255,255,0.75)",
}
CATEGORY_BARS_UP_TO: Final = 30  # more distinct waists: bars on a numeric axis, no numbers


def _figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    return figures.figure(data, layout)


def _vline(x: float, xref: str = "x") -> dict[str, Any]:
    """A dashed orange line across the whole plot height at ``x`` (the current query)."""
    return {
        "type": "line",
        "xref": xref,
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": PALETTE[1], "dash": "dash", "width": 2},
    }


def unique_labels(values: Sequence[float] | np.ndarray) -> list[str]:
    """``56, 58, 58 (2)``: category labels that stay distinct when values repeat."""
    seen: dict[str, int] = {}
    out = []
    for v in values:
        base = f"{float(v):g}"
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base} ({seen[base]})")
    return out


def marker_sizes(weights: np.ndarray) -> np.ndarray:
    """Marker diameters 7…33 px whose area grows with the weight (the largest weight → 33)."""
    w = np.clip(np.asarray(weights, dtype=np.float64), 0.0, None)  # (n,)
    top = float(w.max()) if w.size and w.max() > 0 else 1.0
    return 7.0 + 26.0 * np.sqrt(w / top)


def data_curve(
    keys: np.ndarray,
    values: np.ndarray,
    weights: np.ndarray,
    grid: np.ndarray,
    curve: np.ndarray,
    query: float,
    prediction: float,
    gaps: Sequence[tuple[float, float]],
    *,
    text: Mapping[str, str],
    baseline: float | None = None,
) -> go.Figure:
    """The people as points sized and coloured by their weight for the current query, the
    prediction curve over all queries (NaN → a gap), the query line and its prediction.

    ``keys, values, weights (n,)``; ``grid, curve (m,)``; ``gaps`` are shaded query intervals.
    Traces are named by ``meta`` (``gap``, ``baseline``, ``curve``, ``data``, ``query``).
    """
    w = np.asarray(weights, dtype=np.float64)  # (n,)
    top = float(w.max()) if w.size and w.max() > 0 else 1.0
    y = np.where(np.isfinite(curve), curve, None)  # (m,) None → a break in the line
    shapes = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": a,
            "x1": b,
            "y0": 0,
            "y1": 1,
            "fillcolor": GAP_COLOUR,
            "line": {"width": 0},
            "layer": "below",
        }
        for a, b in gaps
    ]
    shapes.append(_vline(query))
    data: list[dict[str, Any]] = []
    if gaps:
        data.append(
            {
                "type": "scatter",
                "x": [None],
                "y": [None],
                "mode": "markers",
                "marker": {"symbol": "square", "size": 14, "color": GAP_COLOUR},
                "name": text["gap"],
                "meta": "gap",
            }
        )
    if baseline is not None:
        data.append(
            {
                "type": "scatter",
                "x": [float(grid[0]), float(grid[-1])],
                "y": [baseline, baseline],
                "mode": "lines",
                "line": {"color": "grey", "dash": "dot", "width": 1.5},
                "name": text["baseline"],
                "hoverinfo": "skip",
                "meta": "baseline",
            }
        )
    data.append(
        {
            "type": "scatter",
            "x": grid,
            "y": y,
            "mode": "lines",
            "line": {"color": PALETTE[0], "width": 3},
            "connectgaps": False,
            "name": text["curve"],
            "hovertemplate": "q = %{x:.1f} → f(q) = %{y:.2f}<extra></extra>",
            "meta": "curve",
        }
    )
    data.append(
        {
            "type": "scatter",
            "x": keys,
            "y": values,
            "mode": "markers",
            "marker": {
                # float32 on the wire: sizes and colours need no more (half the bytes)
                "size": marker_sizes(w).astype(np.float32),
                "color": w.astype(np.float32),
                "colorscale": SEQUENTIAL,
                "cmin": 0.0,
                "cmax": top,
                "line": {"color": "black", "width": 1},
                "colorbar": {"title": {"text": "α"}, "thickness": 14, "len": 0.8},
                "showscale": True,
            },
            "name": text["data"],
            "hovertemplate": "k = %{x:g}, v = %{y:g}, α = %{marker.color:.3f}<extra></extra>",
            "meta": "data",
        }
    )
    if np.isfinite(prediction):
        data.append(
            {
                "type": "scatter",
                "x": [query],
                "y": [prediction],
                "mode": "markers",
                "marker": {
                    "symbol": "star",
                    "size": 18,
                    "color": PALETTE[1],
                    "line": {"width": 1, "color": "black"},
                },
                "name": text["query"],
                "hovertemplate": "f(%{x:g}) = %{y:.2f}<extra></extra>",
                "meta": "query",
            }
        )
    return _figure(
        data,
        {
            "title": {"text": figures.fit_title(text["title"])},
            "xaxis": {"title": {"text": text["x"]}, "range": [float(grid[0]), float(grid[-1])]},
            "yaxis": {"title": {"text": text["y"]}},
            # under the axis title: inside, a narrow column's legend covers the data
            "legend": LEGEND_FOOT,
            "shapes": shapes,
            "height": 480,
        },
    )


def weight_bars(
    keys: np.ndarray,
    weights: np.ndarray,
    query: float,
    x_range: tuple[float, float],
    *,
    text: Mapping[str, str],
    highlight: float | None = None,
) -> go.Figure:
    """The weight on each waist for the current query; people with the same waist share one
    bar with their summed weight. Up to 30 waists: one labelled bar each, with its value; more:
    bars at their waists on a numeric axis. ``highlight`` is the key worked out in the formula;
    the dashed line is the query."""
    uk, inverse = np.unique(np.asarray(keys, dtype=np.float64), return_inverse=True)  # (u,)
    w = np.bincount(inverse, weights=np.asarray(weights, dtype=np.float64))  # (u,)
    people = np.bincount(inverse)  # (u,)
    colours = [PALETTE[1] if highlight is not None and k == highlight else PALETTE[0] for k in uk]
    bar: dict[str, Any] = {
        "type": "bar",
        "y": w,
        "marker": {"color": colours},
        "customdata": people.astype(np.int32),  # how many people share the waist
        "cliponaxis": False,
        "hovertemplate": "k = %{x}: α = %{y:.4f} (× %{customdata})<extra></extra>",
    }
    if uk.size <= CATEGORY_BARS_UP_TO:
        bar.update(
            x=[f"{k:g}" for k in uk],
            texttemplate="%{y:.2f}",
            textposition="outside",
            textfont={"size": 12},
        )
        # the query line sits between the categories, at its place along the sorted waists
        at = float(np.interp(query, uk, np.arange(uk.size))) if uk.size > 1 else 0.0
        at = at - 0.5 if query < uk[0] else at + 0.5 if query > uk[-1] else at
        xaxis = {"type": "category", "range": [-0.6, uk.size - 0.4]}
    else:
        gap = float(np.min(np.diff(uk)))
        bar.update(x=uk, width=float(np.clip(0.8 * gap, 0.15, 2.0)))
        at = query
        xaxis = {"range": [float(x_range[0]), float(x_range[1])]}
    top = float(w.max()) if w.size else 0.0
    annotations = []
    if top <= 0:
        annotations.append(
            {
                "text": text["none"],
                "x": 0.5,
                "y": 0.5,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "font": {"size": 16},
            }
        )
    return _figure(
        [bar],
        {
            "title": {"text": figures.fit_title(text["title"])},
            "xaxis": {"title": {"text": text["x"]}, **xaxis},
            "yaxis": {"title": {"text": text["y"]}, "range": [0, max(1.18 * top, 0.05)]},
            "shapes": [_vline(at)],
            "annotations": annotations,
            "showlegend": False,
            "height": 440,
        },
    )


def weight_heatmap(
    keys: np.ndarray,
    queries: np.ndarray,
    weights: np.ndarray,
    uncovered: np.ndarray,
    current: float,
    *,
    text: Mapping[str, str],
) -> go.Figure:
    """Queries × keys weights with the keys sorted, the d2l picture; uncovered rows grey,
    the row nearest the current query outlined. ``weights (n_q, n_k)`` in the given key order.
    More than 64 keys: drawn as an image by :func:`ui.figures.heatmap`.
    """
    order = np.argsort(keys, kind="stable")
    m = np.asarray(weights)[:, order]  # (n_q, n_k)
    lost = np.asarray(uncovered, dtype=bool)  # (n_q,)
    n_q, n_k = m.shape
    zmax = max(float(m.max()), 1e-12)
    row = int(np.argmin(np.abs(np.asarray(queries) - current)))
    outline = {
        "type": "rect",
        "x0": -0.5,
        "x1": n_k - 0.5,
        "y0": row - 0.5,
        "y1": row + 0.5,
        "line": {"color": PALETTE[1], "width": 2},
    }
    height = max(420, min(640, 120 + 11 * n_q))
    if n_k > IMAGE_ABOVE:
        fig = heatmap(
            m,
            title=text["title"],
            x_title=text["x"],
            y_title=text["y"],
            zmin=0.0,
            zmax=zmax,
            colorbar_title="α",
        )
        fig.add_shape(outline)
        fig.update_layout(height=height)
        return fig
    z = np.where(lost[:, None], None, m)  # (n_q, n_k) uncovered rows left empty → grey
    return _figure(
        [
            {
                "type": "heatmap",
                "z": z,
                "x": unique_labels(np.asarray(keys)[order]),
                "y": [f"{q:g}" for q in queries],
                "zmin": 0.0,
                "zmax": zmax,
                "colorscale": SEQUENTIAL,
                "colorbar": {"title": {"text": "α"}, "thickness": 14},
                "hovertemplate": "q = %{y} · k = %{x}: α = %{z:.4f}<extra></extra>",
                "xgap": 1,
                "ygap": 1,
            }
        ],
        {
            "title": {"text": figures.fit_title(text["title"])},
            "xaxis": {"title": {"text": text["x"]}, "type": "category"},
            "yaxis": {"title": {"text": text["y"]}, "type": "category", "autorange": "reversed"},
            "plot_bgcolor": MASKED_COLOUR if lost.any() else None,
            "shapes": [outline],
            "height": height,
        },
    )


def loss_curve(
    loss_history: np.ndarray, w_history: np.ndarray, *, text: Mapping[str, str]
) -> go.Figure:
    """Leave-one-out loss (left axis) and the sharpness w (right axis) against the epoch."""
    epochs = np.arange(len(loss_history))
    return _figure(
        [
            {
                "type": "scatter",
                "x": epochs,
                "y": np.asarray(loss_history),
                "mode": "lines",
                "line": {"color": PALETTE[0], "width": 3},
                "name": text["loss"],
                "hovertemplate": "%{x}: %{y:.3f}<extra></extra>",
            },
            {
                "type": "scatter",
                "x": epochs,
                "y": np.asarray(w_history),
                "yaxis": "y2",
                "mode": "lines",
                "line": {"color": PALETTE[1], "width": 2, "dash": "dash"},
                "name": text["w"],
                "hovertemplate": "%{x}: w = %{y:.4f}<extra></extra>",
            },
        ],
        {
            "title": {"text": figures.fit_title(text["title"])},
            "xaxis": {"title": {"text": text["x"]}},
            "yaxis": {"title": {"text": text["loss"]}},
            "yaxis2": {
                "title": {"text": text["w"]},
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
            },
            "legend": {
                **LEGEND_INSIDE,
                "x": 0.98,
                "xanchor": "right",
                "y": 0.5,
                "yanchor": "middle",
            },
            "height": 360,
        },
    )
