"""The softmax page's pure helpers: reading a typed score vector, and LaTeX with live numbers.

Nothing here calls Streamlit; messages are returned as catalog keys with their values, so the
page translates them and the tests can check them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from ui import formulas

MIN_LEN: Final = 2
MAX_LEN: Final = 12
LIMIT: Final = 1000.0  # |score| above this is clipped (softmax only sees differences anyway)
MAX_TEXT: Final = 400  # characters read from the text box
_SPLIT: Final = re.compile(r"[\s,;，；、]+")  # commas, spaces, semicolons, also full-width
_NUMBER: Final = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Parsed:
    """What came out of the text box.

    ``values`` is ``None`` when the text cannot be used; ``problem`` is then a catalog key
    (``softmax.input.*``) and ``detail`` its fields. A usable vector may still carry a
    ``problem`` (e.g. clipped entries) that the page shows as a warning.
    """

    values: tuple[float, ...] | None
    problem: str | None = None
    detail: dict[str, str] = field(default_factory=dict)


def _token(tok: str) -> float | None:
    """One entry: a number, or a fraction ``a/b`` (so ``70/8`` can be typed as written)."""
    parts = tok.split("/")
    if len(parts) > 2 or not all(_NUMBER.fullmatch(p) for p in parts):
        return None
    num = float(parts[0])
    if len(parts) == 1:
        return num
    den = float(parts[1])
    return num / den if den != 0 else math.nan


def parse_scores(text: str) -> Parsed:
    """Read ``"51, 49"`` (or ``51 49``, ``51，49``, ``70/8, 30/8``) into a score vector.

    >>> parse_scores("51, 49").values
    (51.0, 49.0)
    >>> parse_scores("70/8 30/8").values
    (8.75, 3.75)
    >>> parse_scores("1, x").problem
    'softmax.input.not_number'
    """
    if len(text) > MAX_TEXT:
        return Parsed(None, "softmax.input.too_long", {"n": str(MAX_TEXT), "hi": str(MAX_LEN)})
    tokens = [tok for tok in _SPLIT.split(text.strip().strip("[]()")) if tok]
    if not tokens:
        return Parsed(None, "softmax.input.empty")
    if len(tokens) > MAX_LEN:
        return Parsed(None, "softmax.input.too_many", {"n": str(len(tokens)), "hi": str(MAX_LEN)})
    values: list[float] = []
    for i, tok in enumerate(tokens):
        v = _token(tok)
        if v is None:
            return Parsed(None, "softmax.input.not_number", {"entry": tok, "i": str(i + 1)})
        if not math.isfinite(v):
            return Parsed(None, "softmax.input.not_finite", {"entry": tok, "i": str(i + 1)})
        values.append(v)
    if len(values) < MIN_LEN:
        return Parsed(None, "softmax.input.too_few", {"lo": str(MIN_LEN)})
    clipped = tuple(min(max(v, -LIMIT), LIMIT) for v in values)
    if clipped != tuple(values):
        changes = "; ".join(
            f"{format_scores([a])} → {format_scores([b])}"
            for a, b in zip(values, clipped, strict=True)
            if a != b
        )
        return Parsed(clipped, "softmax.input.clipped", {"limit": f"{LIMIT:g}", "changes": changes})
    return Parsed(tuple(values))


def format_scores(values: Sequence[float]) -> str:
    """The text-box form of a vector: ``51, 49`` (short, and read back exactly).

    >>> format_scores((51.0, 49.0, 6.375))
    '51, 49, 6.375'
    """
    return ", ".join(_short(v) for v in values)


def _short(v: float) -> str:
    s = f"{float(v):.6g}"
    return s if float(s) == float(v) else repr(float(v))


def probability(p: float) -> str:
    """A weight for a table: 4 significant digits, scientific notation when tiny.

    >>> probability(0.88079707), probability(4.248354e-18), probability(1.0)
    ('0.8808', '4.248e-18', '1')
    """
    if p == 0 or abs(p) >= 1e-4:
        return f"{p:.4g}"
    return f"{p:.3e}"


def softmax_latex(x: np.ndarray, tau: float, p: np.ndarray, i: int) -> tuple[str, str]:
    r"""The softmax of entry ``i``: the formula with the shift by the maximum, then its numbers.

    .. math:: p_i = \frac{e^{(x_i - m)/\tau}}{\sum_j e^{(x_j - m)/\tau}}, \qquad m = \max_j x_j

    ``p`` are the weights the page draws (``softmax(x, tau)``); the result on the right is
    ``p[i]`` itself, so the formula and the bars agree. Two lines, so each fits a projector.
    """
    m = float(np.max(x))
    exps = np.exp((np.asarray(x) - m) / tau)  # (n,) each ≤ 1
    terms = [formulas.num(e) for e in exps]
    if len(terms) > 6:
        terms = [*terms[:3], r"\dots", terms[-1]]
    k = i + 1
    shifted = f"({formulas.num(x[i])} - {formulas.paren(m)})/{formulas.num(tau)}"
    return (
        rf"p_{{{k}}} = \frac{{e^{{(x_{{{k}}} - \max_j x_j)/\tau}}}}"
        rf"{{\sum_j e^{{(x_j - \max_j x_j)/\tau}}}}",
        rf"p_{{{k}}} = \frac{{e^{{{shifted}}}}}"
        rf"{{{' + '.join(terms)}}}"
        rf" = \frac{{{formulas.num(exps[i])}}}{{{formulas.num(float(exps.sum()))}}}"
        rf" = {formulas.num(p[i], 4)}",
    )


def entropy_latex(p: np.ndarray, h: float) -> tuple[str, str]:
    r"""``H(p) = -\sum_i p_i \ln p_i`` with its range, then the first terms and the page's value."""
    terms = [
        rf"{formulas.num(v)} \ln {formulas.num(v)}" for v in np.asarray(p, dtype=float) if v > 0
    ]
    if len(terms) > 4:
        terms = [*terms[:3], r"\dots"]
    n = len(p)
    return (
        rf"H(p) = -\sum_i p_i \ln p_i \;\in\; [0,\ \ln {n} = {formulas.num(math.log(n), 4)}]",
        r"H(p) = -\left(" + " + ".join(terms) + rf"\right) = {formulas.num(h, 4)}",
    )


def variance_latex(d: int, var: float, scaled_var: float, measured: str) -> tuple[str, str]:
    r"""``Var(q·k) = d`` and ``Var(q·k/√d) = 1``, each beside its measured value (two lines).

    ``measured`` is the translated word for "measured" (plain text, from the catalog).
    """
    word = rf"\text{{{measured}}}"
    return (
        rf"\operatorname{{Var}}(q^\top k) = d = {d},\quad {word}\ {formulas.num(var, 4)}",
        rf"\operatorname{{Var}}\!\Big(\tfrac{{q^\top k}}{{\sqrt{{{d}}}}}\Big) = 1,"
        rf"\quad {word}\ {formulas.num(scaled_var, 4)}",
    )
