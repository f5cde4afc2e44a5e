"""LaTeX for the waist → weight page, built from the very arrays the figures draw.

Pure functions (no Streamlit): the page passes the weights and predictions it plots, and the
tests check that the numbers written here add up to the prediction shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np

from attn_core.kernel_regression import kernel_map
from ui.formulas import num

KERNEL_TEX: Final = {
    "gaussian": r"K(u) = e^{-u^2/2}",
    "boxcar": r"K(u) = \mathbb{1}\big[\,|u| \le 1\,\big]",
    "epanechnikov": r"K(u) = \max\!\big(0,\ 1 - u^2\big)",
}


def val(x: float) -> str:
    """A data value as typed (``43``, ``43.5``), at most 6 significant digits."""
    return f"{float(x):.6g}"


def general_formula(method: str, kernel: str) -> list[str]:
    """The estimate and its weights for one method, in symbols (one line each, so that they
    fit a projector's width)."""
    lines = [r"f(q) = \sum_{i=1}^{n} \alpha(q, k_i)\, v_i"]
    if method == "average":
        return [*lines, r"\alpha(q, k_i) = \frac{1}{n}"]
    if method == "parametric":
        return [
            *lines,
            r"\alpha(q, k_i) = \operatorname{softmax}_i\!\Big(-\tfrac{1}{2}\big((q - k_i)\,w\big)^2"
            r"\Big)",
        ]
    return [
        *lines,
        r"\alpha(q, k_i) = \frac{K\big(\frac{q - k_i}{h}\big)}"
        r"{\sum_{j} K\big(\frac{q - k_j}{h}\big)},\qquad " + KERNEL_TEX[kernel],
    ]


def key_step(
    method: str, kernel: str, q: float, k: float, alpha: float, n: int, scale: float
) -> str:
    """One key's weight worked out: ``u``, ``K(u)`` and ``α`` (``scale`` is ``h`` or ``w``)."""
    if method == "average":
        return rf"\alpha(q, k_i) = \frac{{1}}{{{n}}} = {num(alpha)}"
    if method == "parametric":
        z = -0.5 * ((q - k) * scale) ** 2
        return (
            rf"-\tfrac{{1}}{{2}}\big(({val(q)} - {val(k)}) \cdot {num(scale)}\big)^2 = {num(z)}"
            rf",\qquad \alpha(q = {val(q)},\ k = {val(k)}) = {num(alpha)}"
        )
    u = (q - k) / scale
    return (
        rf"u = \frac{{{val(q)} - {val(k)}}}{{{val(scale)}}} = {num(u)},\quad "
        rf"K(u) = {num(float(kernel_map(kernel, u)))},\quad "
        rf"\alpha(q = {val(q)},\ k = {val(k)}) = {num(alpha)}"
    )


def weighted_terms(
    q: float,
    weights: Sequence[float] | np.ndarray,
    values: Sequence[float] | np.ndarray,
    prediction: float,
    most: int = 4,
) -> tuple[str, int, float]:
    r"""``f(q) = α·v + … = prediction`` with the ``most`` heaviest terms written out.

    Returns the LaTeX, how many terms were left out and their total weight; the left-out terms
    are shown as ``+ \dots`` (the page says in words what they add up to).
    """
    a = np.asarray(weights, dtype=np.float64)  # (n,)
    v = np.asarray(values, dtype=np.float64)  # (n,)
    order = np.argsort(-a, kind="stable")
    shown = order[:most]
    rest = order[most:]
    terms = [rf"{num(a[i])} \cdot {val(v[i])}" for i in shown]
    if len(rest):
        terms.append(r"\dots")
    tex = rf"f({val(q)}) = " + " + ".join(terms) + f" = {num(prediction, 4)}"
    return tex, len(rest), float(a[rest].sum()) if len(rest) else 0.0


def pair_formula(q: float, keys: Sequence[float], values: Sequence[float], weights, pred) -> str:
    """The seed's two-neighbour example: equal weights on the two nearest people."""
    w = np.asarray(weights, dtype=np.float64).ravel()
    terms = " + ".join(rf"{val(a)} \cdot {val(v)}" for a, v in zip(w, values, strict=True))
    ks = ",\\ ".join(val(k) for k in keys)
    return rf"q = {val(q)},\ \ k \in \{{{ks}\}}:\qquad f({val(q)}) = {terms} = {val(pred)}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A small Markdown table (cells are our own text and numbers, never user input)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
