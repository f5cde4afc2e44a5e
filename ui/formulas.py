"""LaTeX with live numbers. Pure functions of the arrays that the figures draw.

Pages build a formula from the very arrays they plot, so what is written equals what is drawn
(the tests compare them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def num(x: float, digits: int = 3) -> str:
    """A number for LaTeX: ``digits`` significant digits, ``\\times 10^{k}`` when tiny or huge."""
    x = float(x)
    if math.isnan(x):
        return r"\text{—}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    if x == 0:
        return "0"
    exponent = math.floor(math.log10(abs(x)))
    if -4 <= exponent < 6:
        decimals = max(digits - 1 - exponent, 0)
        return f"{x:.{decimals}f}"
    # format's own rounding (``x / 10**exponent`` divides by zero for subnormal numbers)
    mantissa, exp = f"{x:.{digits - 1}e}".split("e")
    return mantissa + rf"\times 10^{{{int(exp)}}}"


def paren(x: float, digits: int = 3) -> str:
    """A number wrapped in parentheses when negative, for products like ``2 \\cdot (-1)``."""
    s = num(x, digits)
    return f"({s})" if s.startswith("-") else s


def row(values: Sequence[float] | np.ndarray, digits: int = 3) -> str:
    """A row vector ``[a, b, c]``."""
    return r"\left[" + ",\\ ".join(num(v, digits) for v in values) + r"\right]"


def dot_terms(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> str:
    """The written-out sum ``a_1 b_1 + a_2 b_2 + …`` with numbers (first 6 terms)."""
    terms = [f"{paren(x)} \\cdot {paren(y)}" for x, y in zip(a, b, strict=True)]
    if len(terms) > 6:
        terms = [*terms[:3], r"\dots", terms[-1]]
    return " + ".join(terms)


def weighted_sum(
    weights: Sequence[float] | np.ndarray, values: Sequence[float] | np.ndarray
) -> str:
    """``w_1 v_1 + w_2 v_2 + …`` with numbers (values scalars)."""
    return dot_terms(weights, values)
