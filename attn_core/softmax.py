r"""Softmax with a temperature, its Jacobian, and the entropy of what it returns.

The align step of attention: turn scores into weights that are positive and sum to one,

.. math:: \operatorname{softmax}(x / \tau)_i = \frac{e^{x_i / \tau}}{\sum_j e^{x_j / \tau}}.

A small temperature :math:`\tau` sharpens the weights towards one-hot (hard), a large one
flattens them towards uniform. Entries equal to ``-inf`` (what a mask writes) get weight 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import as_vector, positive

_SUM_TOLERANCE = 1e-6  # how far from 1 a probability vector may sum (rounding of typed numbers)
_NO_SHIFT_NEEDED = 500.0  # |max exponent| below this: exp neither overflows nor empties a sum


def _as_logits(name: str, x: Any) -> np.ndarray:
    """``x`` as a non-empty float64 array that may hold ``-inf`` but no NaN or ``+inf``."""
    try:
        z = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must contain numbers only ({err}).") from None
    if z.ndim == 0 or z.size == 0:
        raise ValueError(f"{name} must be a non-empty array of scores, got shape {z.shape}.")
    if np.isnan(z).any():
        raise ValueError(f"{name} contains NaN; every score must be a number.")
    if np.isposinf(z).any():
        raise ValueError(f"{name} contains +inf; scores may be -inf (masked) but not +inf.")
    return z


def _check_axis(axis: Any, name: str, ndim: int) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"axis must be a whole number, got {axis!r}.")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of range for {name} with {ndim} dimension(s).")
    return int(axis)


def _softmax_(z: np.ndarray, tau: float, axis: int, out: np.ndarray | None = None) -> np.ndarray:
    """Unchecked softmax of ``z / tau`` written into ``out`` (default: in place in ``z``).

    ``z`` must be float64 without NaN or ``+inf``; slices that are all ``-inf`` become zeros.
    """
    out = z if out is None else out
    m = np.max(z, axis=axis, keepdims=True)
    with np.errstate(over="ignore"):  # an exponent below -1.8e308 becomes -inf: weight 0 anyway
        if np.all(np.abs(m) <= _NO_SHIFT_NEEDED * tau):
            # every slice's largest exponent is moderate: exp cannot overflow and every sum is
            # at least e^-500, so the shift by the maximum (one more pass) is not needed
            src = z if tau == 1.0 else np.divide(z, tau, out=out)
        else:
            m[np.isneginf(m)] = 0.0  # an all -inf slice: shift by 0, its exps are all 0
            src = np.subtract(z, m, out=out)  # every entry ≤ 0, so exp cannot overflow
            if tau != 1.0:
                np.divide(out, tau, out=out)  # divide, not multiply by 1/tau: 1/tau may be inf
    np.exp(src, out=out)
    s = np.sum(out, axis=axis, keepdims=True)  # > 0 unless the slice was all -inf
    s[s == 0.0] = 1.0
    np.multiply(out, np.reciprocal(s, out=s), out=out)
    return out


def softmax(x: Any, tau: float = 1.0, axis: int = -1) -> np.ndarray:
    r"""Numerically stable softmax of ``x / tau`` along ``axis``.

    .. math:: p_i = \frac{\exp((x_i - \max_j x_j)/\tau)}{\sum_k \exp((x_k - \max_j x_j)/\tau)}

    Subtracting the maximum changes nothing mathematically and keeps every exponent
    :math:`\le 0`, so inputs as large as ``±1e300`` work. ``-inf`` entries get weight 0; a
    slice that is all ``-inf`` (nothing may be attended) becomes all zeros, not NaN.

    Args:
        x: scores, any shape with at least one entry; ``-inf`` allowed, NaN and ``+inf`` not.
        tau: temperature, a finite number ``> 0``.
        axis: the axis to normalise over.

    Returns:
        Weights of the same shape as ``x``, each slice along ``axis`` summing to 1 (or all 0).

    >>> np.round(softmax([51.0, 49.0]), 3)
    array([0.881, 0.119])
    >>> np.round(softmax([51.0, 49.0], tau=8.0), 3)
    array([0.562, 0.438])
    >>> softmax([0.0, -np.inf])
    array([1., 0.])
    """
    z = _as_logits("x", x)
    tau = positive("tau", tau)
    return _softmax_(z, tau, _check_axis(axis, "x", z.ndim), out=np.empty_like(z))


def _as_probabilities(name: str, p: Any) -> np.ndarray:
    """A non-negative vector summing to 1."""
    q = as_vector(name, p)
    if (q < 0).any():
        raise ValueError(f"{name} must not contain negative entries; it is a probability vector.")
    if abs(q.sum() - 1.0) > _SUM_TOLERANCE:
        raise ValueError(f"{name} must sum to 1 (it sums to {q.sum():.6g}); pass softmax(x).")
    return q


def softmax_jacobian(p: Any) -> np.ndarray:
    r"""Jacobian of the softmax at the point where it returned ``p``.

    .. math:: \frac{\partial p_i}{\partial x_j} = p_i(\delta_{ij} - p_j),
              \qquad J = \operatorname{diag}(p) - p p^\top

    It vanishes as ``p`` approaches one-hot: a saturated softmax passes back no gradient, the
    reason scores are divided by :math:`\sqrt{d_k}`. (For ``softmax(x / tau)`` multiply by
    ``1 / tau``.)

    Args:
        p: ``(n,)`` a probability vector, e.g. ``softmax(x)``.

    Returns:
        ``(n, n)`` symmetric matrix whose rows sum to 0.

    >>> softmax_jacobian([0.5, 0.5])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    q = _as_probabilities("p", p)
    return np.diag(q) - np.outer(q, q)  # (n, n)


def entropy(p: Any, axis: int = -1) -> np.ndarray | float:
    r"""Shannon entropy in nats, with :math:`0 \log 0 = 0`.

    .. math:: H(p) = -\sum_i p_i \ln p_i

    From 0 (one-hot, a hard choice) to :math:`\ln n` (uniform over ``n`` entries).

    Args:
        p: probability vectors along ``axis`` (non-negative, each summing to 1); a slice of
            all zeros (a fully masked row of weights) is allowed and has entropy 0.
        axis: the axis that holds one distribution.

    Returns:
        ``p``'s shape without ``axis``; a float for a single vector.

    >>> round(entropy([0.5, 0.5]), 4)
    0.6931
    >>> entropy([1.0, 0.0])
    0.0
    """
    try:
        q = np.asarray(p, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"p must contain numbers only ({err}).") from None
    if q.ndim == 0 or q.size == 0 or not np.isfinite(q).all() or (q < 0).any():
        raise ValueError("p must be a non-empty array of finite, non-negative probabilities.")
    axis = _check_axis(axis, "p", q.ndim)
    sums = q.sum(axis=axis)
    if not np.all((np.abs(sums - 1.0) <= _SUM_TOLERANCE) | (sums == 0.0)):
        raise ValueError(
            "every distribution in p must sum to 1 (or be all zeros); pass softmax(x)."
        )
    terms = q * np.log(np.where(q > 0, q, 1.0))  # log 1 = 0 where p = 0
    h = -terms.sum(axis=axis) + 0.0  # + 0.0 turns -0.0 into 0.0
    return float(h) if h.ndim == 0 else h


def shares_to_weights(shares: Any) -> np.ndarray:
    r"""Non-negative shares (a guess typed as any amounts) normalised into weights.

    .. math:: w_i = \frac{s_i}{\sum_j s_j}

    Args:
        shares: ``(n,)`` non-negative finite numbers, not all zero.

    Returns:
        ``(n,)`` weights summing to 1.

    >>> shares_to_weights([1, 3]).tolist()
    [0.25, 0.75]
    """
    s = as_vector("shares", shares)
    if (s < 0).any():
        raise ValueError("shares must not be negative.")
    total = s.sum()
    if not total > 0:
        raise ValueError("shares must not all be zero: give at least one key some weight.")
    return s / total  # (n,)


def total_variation(p: Any, q: Any) -> float:
    r"""Total-variation distance between two weight vectors over the same keys.

    .. math:: \operatorname{TV}(p, q) = \tfrac12 \sum_i |p_i - q_i| \in [0, 1]

    0 when they are equal, 1 when they put their weight on disjoint keys: the largest
    difference in the weight the two give to any set of keys.

    Args:
        p, q: ``(n,)`` probability vectors (non-negative, each summing to 1).

    >>> total_variation([1.0, 0.0], [0.5, 0.5])
    0.5
    """
    a, b = _as_probabilities("p", p), _as_probabilities("q", q)
    if a.shape != b.shape:
        raise ValueError(f"p and q must have the same length (got {a.size} and {b.size}).")
    return float(0.5 * np.abs(a - b).sum())
