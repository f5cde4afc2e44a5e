"""The alignment page's formulas with live numbers (LaTeX strings). No Streamlit calls."""

from __future__ import annotations

import numpy as np

from ui import formulas


def vec(v: np.ndarray) -> str:
    """A small vector in LaTeX."""
    return formulas.row(np.asarray(v, dtype=float))


def global_latex(
    scores_t: np.ndarray, weights_t: np.ndarray, s: int, m: float, total: float
) -> str:
    r"""Global weight of position ``s``: its exponentiated score over all ``S`` of them.

    ``m`` and ``total`` are the largest score and the denominator, from
    :func:`attn_core.softmax_parts`.
    """
    return (
        r"a_t(s) = \frac{e^{\text{score}(h_t, \bar h_s)}}{\sum_{s'=0}^{S-1} e^{\text{score}"
        r"(h_t, \bar h_{s'})}},\qquad "
        rf"a_t({s}) = \frac{{e^{{{formulas.num(scores_t[s])} - {formulas.paren(m)}}}}}"
        rf"{{{formulas.num(total)}}} = {formulas.num(weights_t[s], 4)}"
    )


def position_latex(S: int, z: float, p_t: float) -> str:
    r"""Local-p's predicted centre: :math:`p_t = S \cdot \operatorname{sigmoid}(z)`."""
    return (
        r"p_t = S \cdot \operatorname{sigmoid}\!\big(v_p^\top \tanh(W_p h_t)\big) = "
        rf"{S} \cdot \operatorname{{sigmoid}}({formulas.num(z)}) = {formulas.num(p_t, 4)}"
    )


def window_latex(p_t: float, D: int, first: int, last: int, sigma: float | None = None) -> str:
    r"""The window around ``p_t``, clipped to the sentence: positions ``first … last``; local-p
    adds its Gaussian's width ``sigma`` (= D/2, from the core)."""
    tex = (
        rf"[p_t - D,\ p_t + D] = [{formulas.num(p_t - D)},\ {formulas.num(p_t + D)}]"
        rf"\ \to\ s = {first}, \dots, {last}"
    )
    if sigma is not None:
        tex += rf",\qquad \sigma = \tfrac{{D}}{{2}} = {formulas.num(sigma)}"
    return tex


def local_m_latex(
    s: int,
    score_s: float,
    m: float,
    total: float,
    w: float,
    first: int,
    last: int,
    window_sum: float,
) -> str:
    r"""Local-m's weight of position ``s``: the softmax over the window alone, whose weights sum
    to 1 (``m``, ``total`` from :func:`attn_core.softmax_parts` on the window)."""
    return (
        rf"a_t({s}) = \frac{{e^{{\text{{score}}(h_t, \bar h_{{{s}}})}}}}"
        rf"{{\sum_{{s'={first}}}^{{{last}}} e^{{\text{{score}}(h_t, \bar h_{{s'}})}}}}"
        rf" = \frac{{e^{{{formulas.num(score_s)} - {formulas.paren(m)}}}}}{{{formulas.num(total)}}}"
        rf" = {formulas.num(w, 4)},\qquad \sum_{{s={first}}}^{{{last}}} a_t(s) = "
        rf"{window_sum:.3f}"  # three decimals, as in the figure's titles
    )


def local_p_latex(
    p_t: float, sigma: float, s: int, window_softmax: float, gauss: float, w: float, total: float
) -> str:
    r"""Local-p's weight of position ``s``: window softmax times the Gaussian, and the sum of
    all its weights (below 1: the paper does not renormalise)."""
    return (
        rf"a_t({s}) = \underbrace{{{formulas.num(window_softmax, 4)}}}_{{\text{{softmax}}}}"
        rf"\cdot \underbrace{{e^{{-({s} - {formulas.num(p_t)})^2 / (2 \cdot "
        rf"{formulas.num(sigma)}^2)}}}}_{{{formulas.num(gauss, 4)}}} = {formulas.num(w, 4)},"
        rf"\qquad \sum_s a_t(s) = {total:.3f}"
    )


def context_latex(soft: np.ndarray, mean: np.ndarray, n: int) -> str:
    r"""The soft context beside the mean of ``n`` hard samples."""
    return (
        rf"c_{{\text{{soft}}}} = \sum_s a_s v_s = {vec(soft)},\qquad "
        rf"\bar c_{{{n}}} = \tfrac{{1}}{{{n}}}\sum_{{i=1}}^{{{n}}} v_{{s_i}} = {vec(mean)}"
    )


def error_latex(n: int, error: float, rms: float) -> str:
    r"""How far the sampled mean is from the soft context, and how far it is expected to be."""
    return (
        rf"\|\bar c_{{{n}}} - c_{{\text{{soft}}}}\| = {formulas.num(error)},\qquad "
        rf"\sqrt{{\tfrac{{1}}{{{n}}}\textstyle\sum_s a_s \|v_s - c_{{\text{{soft}}}}\|^2}}"
        rf" = {formulas.num(rms)}"
    )
