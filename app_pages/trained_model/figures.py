"""Figures of the trained-model page. Pure functions returning ``go.Figure`` (no Streamlit)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ui import figures
from ui.token_grid import Panel, grid_cols, heatmap_grid

OFF_COLOUR = "#9a9a9a"


def layer_heads(
    weights: np.ndarray,
    labels: Sequence[str],
    titles: Sequence[str],
    *,
    x_title: str,
    y_title: str,
    colorbar_title: str,
    big: bool = False,
) -> go.Figure:
    """One layer's heads side by side: ``weights (h, T, T)``, the causal mask in grey.

    As many heads in a row as leave every token label room at its floor size (the rest wrap
    into rows, as on the self-attention page): every token stays labelled on every head.
    """
    T = weights.shape[-1]
    cols = grid_cols(len(weights), T, big=big, labels=labels)
    future = np.triu(np.ones((T, T), dtype=bool), k=1)
    panels = [
        Panel(w, title, x_title, y_title if i % cols == 0 else "", labels, labels, masked=future)
        for i, (w, title) in enumerate(zip(weights, titles, strict=True))
    ]
    return heatmap_grid(
        panels,
        cols=cols,
        signed=False,
        zmin=0.0,
        zmax=1.0,
        colorbar_title=colorbar_title,
        show_values=False,
        panel_px=int(min(380, max(110, 900 // cols))),
        big=big,
    )


def full_vs_ablated(
    kind: str,
    x: Sequence[str],
    full: np.ndarray,
    ablated: np.ndarray | None,
    *,
    names: tuple[str, str],
    title: str,
    x_title: str,
    y_title: str,
) -> go.Figure:
    """The model with every head against the ablated one (when heads are off), over ``x``.

    ``kind="bars"``: the most likely next tokens, as grouped bars with their probabilities;
    ``kind="strip"``: the probability of the correct (copied) next token at each copy position.
    """
    bars = kind == "bars"
    data = []
    for i, (p, name) in enumerate(_series(full, ablated, names)):
        trace = {"x": list(x), "y": list(map(float, p)), "name": name}
        if bars:
            trace |= {
                "type": "bar",
                "marker": {"color": figures.PALETTE[i]},
                "text": [f"{v:.2f}" for v in p],
                "textposition": "outside",
            }
        else:
            dash = {"dash": "dash"} if i else {}
            trace |= {
                "type": "scatter",
                "mode": "lines+markers",
                "line": {"color": figures.PALETTE[i], **dash},
            }
        data.append(trace)
    layout = {
        "title": {"text": title},
        "xaxis": {"title": {"text": x_title}, "type": "category"},
        "yaxis": {"title": {"text": y_title}, "range": [0, 1.15 if bars else 1.05]},
        "height": 320 if bars else 300,
        "legend": figures.LEGEND_FOOT,
    }
    if bars:
        layout["barmode"] = "group"
    return figures.figure(data, layout)


def _series(
    full: np.ndarray, ablated: np.ndarray | None, names: tuple[str, str]
) -> list[tuple[np.ndarray, str]]:
    """The model with every head, then (when heads are off) the ablated model, with names."""
    return [(full, names[0])] + ([] if ablated is None else [(ablated, names[1])])


def alignment_panels(
    matrices: Sequence[np.ndarray],
    titles: Sequence[str],
    src: Sequence[str],
    tgt: Sequence[str],
    *,
    x_title: str,
    y_title: str,
    colorbar_title: str,
    big: bool = False,
) -> go.Figure:
    """Target words (rows) × source words (columns): gold, learned, local-m, local-p."""
    panels = [
        Panel(m, title, x_title, y_title if i % 2 == 0 else "", src, tgt)
        for i, (m, title) in enumerate(zip(matrices, titles, strict=True))
    ]
    return heatmap_grid(
        panels,
        cols=2,
        signed=False,
        zmin=0.0,
        zmax=1.0,
        colorbar_title=colorbar_title,
        big=big,
    )
