"""Figures of the self-attention page: the positional encoding and its waves. Pure functions
returning ``go.Figure`` (no Streamlit); the heatmap grids of the page's matrices are
:func:`ui.token_grid.heatmap_grid`. Built from plain dicts with :func:`ui.figures.figure` and
sized by :func:`ui.layout.show_figure`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import plotly.graph_objects as go

from ui import figures, token_grid
from ui.token_grid import SIGNED_SCALE

NOTE_FONT: Final = 14  # notes and panel titles, as ui.layout.style_figure writes them


def positional_encoding_figure(
    pe: np.ndarray,
    n_used: int,
    *,
    title: str,
    x_title: str,
    y_title: str,
    used_label: str,
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
            # no title over a short bar (the figure's title names it): −1, 0, 1 say the range
            "colorbar": {"thickness": 14, "len": 0.9, "tickvals": [-1, 0, 1]},
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
    return figures.figure(data, layout)


def encoding_top(big: bool) -> int:
    """The top margin :func:`positional_encoding_figure` needs (``show_figure``'s ``min_top``):
    its title, then the note over the frame (notes are 14 px, the figure's type on a projector).
    """
    font = token_grid.figure_font(1, big)
    note = font if big else NOTE_FONT
    return token_grid.title_px({"title": {"text": "·"}}, font) + int(1.35 * note + 8)


MAX_WAVE_ROWS: Final = 8  # sin/cos pairs drawn one under the other, at most


def wave_pairs(n_pairs: int, most: int = MAX_WAVE_ROWS) -> list[int]:
    """The pairs ``i`` drawn: all of them, or ``most`` spread evenly, first and last included."""
    if n_pairs <= most:
        return list(range(n_pairs))
    return sorted({round(float(x)) for x in np.linspace(0, n_pairs - 1, most)})


def positional_waves_figure(
    wavelengths: np.ndarray,
    pe_used: np.ndarray,
    *,
    row_titles: Sequence[str],
    pairs: Sequence[int],
    title: str,
    x_title: str,
    big: bool = False,
) -> go.Figure:
    """One full turn of each drawn sin/cos pair of the encoding, one pair per row.

    ``wavelengths`` (ceil(d/2),) in positions; ``pe_used`` (n, d) the encoding of the
    sentence's positions, drawn as dots on the curves over a shaded band. Every row has its
    own x range, ``0 … max(λ_i, n−1)``, so even a pair that turns once in thousands of
    positions shows its whole wave, and the band shows how little of it the sentence sees.
    """
    wl = np.asarray(wavelengths, dtype=np.float64)  # (pairs,)
    pe_used = np.atleast_2d(np.asarray(pe_used, dtype=np.float64))  # (n, d)
    n, d = pe_used.shape
    font = token_grid.figure_font(1, big)
    note = font if big else NOTE_FONT  # the row titles, as show_figure writes them
    lines = 2 if big else 1  # presentation mode wraps a long panel title
    row_title_px, plot_h, axis_px = int(lines * 1.4 * note + 10), 120 if big else 90, 2 * font + 8
    rows = len(pairs)
    content_px = rows * (row_title_px + plot_h + axis_px) - axis_px
    spans: dict[str, tuple[float, float]] = {}
    data: list[dict] = []
    layout: dict = {
        "title": {"text": title},
        "showlegend": False,
        "annotations": [],
        "shapes": [],
    }
    p_used = np.arange(n)  # (n,)
    for r, i in enumerate(pairs):
        suffix = "" if r == 0 else str(r + 1)
        x_ref, y_ref = f"x{suffix}", f"y{suffix}"
        span = max(float(wl[i]), n - 1.0, 1.0)
        p = np.linspace(0.0, span, 241)  # (241,) positions, not only whole ones: the curve
        angle = 2 * np.pi * p / wl[i]
        y_top = r * (row_title_px + plot_h + axis_px) + row_title_px  # px from the top
        spans[f"yaxis{suffix}"] = (y_top, y_top + plot_h)
        curves = [(np.sin(angle), 2 * i, "solid")]
        if 2 * i + 1 < d:  # an odd d ends with a sine column
            curves.append((np.cos(angle), 2 * i + 1, "dash"))
        for k, (values, col, dash) in enumerate(curves):
            colour = figures.PALETTE[k]
            data.append(
                {
                    "type": "scatter",
                    "x": p,
                    "y": values,
                    "mode": "lines",
                    "line": {"color": colour, "dash": dash, "width": 2},
                    "xaxis": x_ref,
                    "yaxis": y_ref,
                    "hovertemplate": f"p = %{{x:.1f}}, PE[·, {col}] = %{{y:.3f}}<extra></extra>",
                }
            )
            data.append(
                {
                    "type": "scatter",
                    "x": p_used,
                    "y": pe_used[:, col],
                    "mode": "markers",
                    "marker": {"color": colour, "size": 7 if big else 5},
                    "xaxis": x_ref,
                    "yaxis": y_ref,
                    "hovertemplate": f"p = %{{x}}, PE[p, {col}] = %{{y:.4f}}<extra></extra>",
                }
            )
        layout[f"xaxis{suffix}"] = {
            "domain": [0.0, 1.0],
            "anchor": y_ref,
            "range": [-0.01 * span, span * 1.01],
            "title": {"text": x_title if r == rows - 1 else ""},
            "showgrid": False,
            "zeroline": False,
        }
        layout[f"yaxis{suffix}"] = {
            "anchor": x_ref,
            "range": [-1.2, 1.2],
            "tickmode": "array",
            "tickvals": [-1, 0, 1],
            "zeroline": True,
        }
        layout["shapes"].append(
            {
                "type": "rect",
                "xref": x_ref,
                "yref": f"{y_ref} domain",
                "x0": -0.5 if n > 1 else -0.005 * span,
                "x1": n - 0.5 if n > 1 else 0.005 * span,
                "y0": 0,
                "y1": 1,
                "fillcolor": "rgba(120,120,120,0.18)",
                "line": {"width": 0},
                "layer": "below",
            }
        )
        layout["annotations"].append(
            {
                "text": row_titles[r],
                "x": 0.0,
                "y": y_top,  # px for now: see ui.token_grid.place
                "xref": "paper",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
            }
        )
    return token_grid.place(data, layout, content_px, spans, big)


def wavelength_text(w: float) -> str:
    """A wavelength in positions, as a reader wants it: 6.3, 62.8, 628, 6,283."""
    return f"{w:.1f}" if w < 100 else f"{w:,.0f}"
