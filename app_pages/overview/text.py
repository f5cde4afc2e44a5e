r"""The overview's step-through, written out with the live numbers. Pure (no Streamlit).

One query :math:`\mathbf q_i` over the keys :math:`\mathbf k_j` and values :math:`\mathbf v_j`:

.. math::
    s_j = \mathbf q_i^\top \mathbf k_j,\quad \tilde s_j = s_j / \sqrt d,\quad
    \hat s_j = \tilde s_j \text{ or } -\infty,\quad
    a_j = \frac{e^{\hat s_j}}{\sum_l e^{\hat s_l}},\quad \mathbf o = \sum_j a_j \mathbf v_j

Every line is built from the arrays the page draws, so what is written is what is drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ui.formulas import dot_terms, num, paren, row


def _aligned(lines: Sequence[str]) -> str:
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def scores_latex(q: np.ndarray, K: np.ndarray, s: np.ndarray, i: int) -> str:
    """Step 1: every key's dot product with the query."""
    head = rf"\mathbf q_{i + 1}^\top \mathbf k"
    lines = [
        rf"s_{j + 1} &= {head}_{j + 1} = {dot_terms(q, K[j])} = {num(s[j])}" for j in range(len(s))
    ]
    return _aligned(lines)


def scale_latex(s: np.ndarray, scaled: np.ndarray, d: int) -> str:
    """Step 2: each score divided by √d."""
    root = num(math.sqrt(d))
    lines = [
        rf"\tilde s_{j + 1} &= s_{j + 1} / \sqrt{{{d}}} = {paren(s[j])} / {root} = {num(scaled[j])}"
        for j in range(len(s))
    ]
    return _aligned(lines)


def mask_latex(scaled: np.ndarray, allowed: np.ndarray) -> str:
    """Step 3: keys the query may not see get −∞ (nothing changes without a mask)."""
    shown = [num(v) if ok else r"-\infty" for v, ok in zip(scaled, allowed, strict=True)]
    hidden = [str(j + 1) for j, ok in enumerate(allowed) if not ok]
    rule = (
        rf"\hat s_j = -\infty \;\; (j = {', '.join(hidden)})"
        if hidden
        else r"\hat s_j = \tilde s_j \;\; (\text{all } j)"
    )
    return rule + r",\qquad \hat{\mathbf s} = \left[" + ",\\ ".join(shown) + r"\right]"


def softmax_latex(scaled: np.ndarray, allowed: np.ndarray, a: np.ndarray) -> list[str]:
    """Step 4: the softmax of the masked row: the sum of exponentials, then each weight."""
    terms = [rf"e^{{{num(v)}}}" for v, ok in zip(scaled, allowed, strict=True) if ok]
    total = float(np.sum(np.exp(scaled[allowed])))
    weights = [
        rf"a_{j + 1} &= e^{{{num(v)}}} / {num(total)} = {num(a[j])}"
        if ok
        else rf"a_{j + 1} &= e^{{-\infty}} / {num(total)} = 0"
        for j, (v, ok) in enumerate(zip(scaled, allowed, strict=True))
    ]
    return [
        r"\textstyle\sum_l e^{\hat s_l} = " + " + ".join(terms) + f" = {num(total)}",
        _aligned(weights),
    ]


def sum_latex(a: np.ndarray, V: np.ndarray, o: np.ndarray) -> str:
    """Step 5: the weighted sum of the values (keys of weight 0 left out)."""
    terms = [rf"{num(w)} \cdot {row(v)}" for w, v in zip(a, V, strict=True) if w > 0]
    return r"\mathbf o = \sum_j a_j \mathbf v_j = " + " + ".join(terms) + f" = {row(o)}"
