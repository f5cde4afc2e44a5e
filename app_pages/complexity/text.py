"""The complexity page's formulas, written out with the live numbers. Pure (no Streamlit)."""

from __future__ import annotations

from collections.abc import Mapping

from attn_core import LAYERS, LayerCost
from ui.formulas import num


def ops_latex(costs: Mapping[str, LayerCost], n: int, d: int, k: int, names: Mapping[str, str]):
    """One line per layer: the formula, the numbers put in, the count (from ``costs``)."""
    exprs = {
        "self_attention": (r"n^2 d", rf"{n}^2 \cdot {d}"),
        "recurrent": (r"n d^2", rf"{n} \cdot {d}^2"),
        "convolutional": (r"k n d^2", rf"{k} \cdot {n} \cdot {d}^2"),
    }
    return [
        r"\text{"
        + names[layer]
        + r"}:\quad "
        + exprs[layer][0]
        + " = "
        + exprs[layer][1]
        + " = "
        + f"{costs[layer].per_layer:,}".replace(",", "{,}")
        + (r" \approx " + num(costs[layer].per_layer) if costs[layer].per_layer >= 1e6 else "")
        for layer in LAYERS
    ]
