r"""LaTeX with live numbers for the self-attention page: one token, one head, worked out.

Built from the arrays of :func:`attn_core.multi_head_attention`'s result (the ones the heatmaps
draw), so what is written equals what is drawn; the tests compare them.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

from ui.formulas import dot_terms, num

SHOW: Final = 6  # entries written out in a row before "…"


def tex_label(token: str, position: int) -> str:
    r"""A token for LaTeX, ``\text{cat}_{2}``; its characters are letters, digits, ``'`` and ``-``
    (see :mod:`ui.tokens`), and ``_`` is escaped in case."""
    safe = "".join(ch for ch in token if ch not in "\\{}$%&#^~")
    return r"\text{" + safe.replace("_", r"\_") + "}_{" + str(int(position)) + "}"


def _row(values: np.ndarray, masked: np.ndarray | None = None) -> str:
    """A row vector, masked entries as −∞ (scores) and long rows cut after ``SHOW`` entries."""
    parts = [
        r"-\infty" if masked is not None and masked[j] else num(v) for j, v in enumerate(values)
    ]
    if len(parts) > SHOW:
        parts = [*parts[: SHOW - 1], r"\dots", parts[-1]]
    return r"\left[" + ",\\ ".join(parts) + r"\right]"


def head_row_latex(
    result: Any, *, i: int, h: int, token: str, mask: np.ndarray | None = None
) -> list[str]:
    r"""The lines that take token ``i`` through head ``h`` and then through :math:`W_O`.

    Args:
        result: a :class:`attn_core.MultiHeadResult` — ``Q, K (n, d_model)``,
            ``scores, weights (H, n, n)``, ``head_outputs (H, n, d_head)``,
            ``concat (n, d_model)``, ``output (n, d_out)``.
        i: the token (row); h: the head; token: its label, from :func:`tex_label`;
        mask: ``(n, n)`` bool, True = may attend (``None``: all allowed).

    Returns:
        LaTeX lines: one score written out, the score row, the weight row, the head's
        output, the heads concatenated (when there are several) and the token's output.
    """
    Q, K, scores, weights = result.Q, result.K, result.scores, result.weights
    head_outputs, concat, output = result.head_outputs, result.concat, result.output
    n_heads = weights.shape[0]
    d_model = Q.shape[1]
    d_head = d_model // n_heads
    cols = slice(h * d_head, (h + 1) * d_head)
    q, k_self = Q[i, cols], K[i, cols]  # (d_head,) each
    hh = h + 1
    masked_row = None if mask is None else ~np.asarray(mask, dtype=bool)[i]
    lines = [
        rf"s^{{({hh})}}_{{{token},{token}}} = \frac{{\mathbf{{q}}^{{({hh})}}_{{{token}}} \cdot "
        rf"\mathbf{{k}}^{{({hh})}}_{{{token}}}}}{{\sqrt{{d_{{head}}}}}} = \frac{{"
        + dot_terms(q, k_self)
        + rf"}}{{\sqrt{{{d_head}}}}} = "
        + num(scores[h, i, i]),
        rf"\mathbf{{s}}^{{({hh})}}_{{{token}}} = " + _row(scores[h, i], masked_row),
        rf"\mathbf{{a}}^{{({hh})}}_{{{token}}} = \operatorname{{softmax}}"
        rf"\big(\mathbf{{s}}^{{({hh})}}_{{{token}}}\big) = " + _row(weights[h, i]),
        rf"\operatorname{{head}}_{{{hh}}}({token}) = \sum_j a^{{({hh})}}_{{{token},j}}\,"
        rf"\mathbf{{v}}^{{({hh})}}_j = " + _row(head_outputs[h, i]),
        rf"\big[\operatorname{{head}}_1, \dots, \operatorname{{head}}_{{{n_heads}}}\big]"
        rf"({token}) = " + _row(concat[i]),
        rf"\mathbf{{y}}_{{{token}}} = \big[\operatorname{{head}}_1, \dots, "
        rf"\operatorname{{head}}_{{{n_heads}}}\big]({token})\, W_O = " + _row(output[i]),
    ]
    if n_heads == 1:  # nothing to concatenate
        lines[-2:] = [
            rf"\mathbf{{y}}_{{{token}}} = \operatorname{{head}}_1({token})\, W_O = "
            + _row(output[i])
        ]
    return lines


def permutation_latex(max_diff: float) -> str:
    r"""``\max |f(PX) - P f(X)| = …`` with the measured number."""
    return r"\max_{i,j} \big| f(PX) - P\,f(X) \big|_{ij} = " + num(max_diff)
