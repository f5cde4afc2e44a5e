"""LaTeX with live numbers for the CNN-vs-attention page, built from the arrays the figures draw."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from attn_core.convolution import receptive_field, receptive_jump
from ui.formulas import num, row


def receptive_sum(
    kernels: Sequence[int], strides: Sequence[int], dilations: Sequence[int]
) -> tuple[str, str]:
    r"""The recurrence, then ``r_L = 1 + (k_1-1)·d_1·J_0 + … = value`` with every layer's numbers.

    :math:`J_{l-1} = \prod_{i<l} s_i` is how many input pixels one step of layer ``l`` covers.
    """
    k = np.asarray(kernels, dtype=int)
    d = np.asarray(dilations, dtype=int)
    jumps = np.concatenate([[1], receptive_jump(k, strides, d)[:-1]])  # (L,) J_{l-1}
    terms = [f"({a}-1)\\cdot {b}\\cdot {j}" for a, b, j in zip(k, d, jumps, strict=True)]
    if len(terms) > 4:
        terms = [*terms[:2], r"\dots", terms[-1]]
    total = int(receptive_field(k, strides, d)[-1])
    rule = (
        r"r_0 = 1,\quad r_l = r_{l-1} + (k_l - 1)\, d_l\, J_{l-1},\quad J_{l-1} = \prod_{i<l} s_i"
    )
    return rule, f"r_{{{len(k)}}} = 1 + " + " + ".join(terms) + f" = {total}"


def attention_formula(feature: np.ndarray, tau: float, self_weight: float) -> tuple[str, str]:
    r"""Two lines: the global map's softmax; the query pixel's features and its own weight."""
    f = np.asarray(feature, dtype=np.float64)
    rule = (
        r"\alpha_{p\to k} = \frac{\exp\!\big(-\lVert f_p - f_k\rVert^2/\tau\big)}"
        r"{\sum_{k'} \exp\!\big(-\lVert f_p - f_{k'}\rVert^2/\tau\big)}"
    )
    numbers = (
        r"f_p = "
        + row(f, 3)
        + r",\quad \tau = "
        + num(tau)
        + r",\quad \alpha_{p\to p} = "
        + num(self_weight, 4)
    )
    return rule, numbers


def construction_formula(
    alpha: float, target_weight: float, conv_value: float, attn_value: float
) -> tuple[str, str]:
    r"""Two lines: the heads' score and their least weight on p + Δ; both outputs at p."""
    score = (
        r"s_\Delta(p, k) = -\alpha\,\lVert k - p - \Delta\rVert^2,\quad \alpha = "
        + num(alpha)
        + r"\;\Rightarrow\; \min_\Delta a_\Delta(p,\, p+\Delta) = "
        + num(target_weight, 6)
    )
    output = (
        r"y_p = \sum_\Delta w_\Delta \sum_k a_\Delta(p, k)\, x_k = "
        + num(attn_value, 6)
        + r",\qquad \text{conv}: \sum_\Delta w_\Delta\, x_{p+\Delta} = "
        + num(conv_value, 6)
    )
    return score, output
