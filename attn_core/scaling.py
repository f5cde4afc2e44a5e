r"""Why scaled dot-product attention divides by :math:`\sqrt{d}`: the variance experiment.

For :math:`q, k \sim \mathcal{N}(0, I_d)` independent, every product :math:`q_i k_i` has mean 0
and variance 1, so

.. math:: \operatorname{Var}(q^\top k) = \sum_{i=1}^{d} \operatorname{Var}(q_i k_i) = d,
          \qquad \operatorname{Var}\!\Big(\frac{q^\top k}{\sqrt d}\Big) = 1.

Unscaled scores spread like :math:`\sqrt d`; a softmax over them saturates (one weight near 1)
and its Jacobian :math:`\operatorname{diag}(p) - pp^\top` — the gradient it passes back — goes
to 0. Divided by :math:`\sqrt d` the spread, the weights and the gradient stay the same at
every ``d``. The functions here run that experiment on seeded random vectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import as_array, positive_int
from .softmax import _softmax_

_CHUNK = 64  # coordinates drawn per step: memory n_q * n_keys * 64 floats, any grid


def softmax_jacobian_norm(p: Any) -> np.ndarray | float:
    r"""Frobenius norm of the softmax Jacobian at ``p``, for many probability vectors at once.

    .. math:: \|J\|_F^2 = \|\operatorname{diag}(p) - pp^\top\|_F^2
              = \sum_i p_i^2 (1 - p_i)^2 + \sum_i p_i^2 \sum_{j \ne i} p_j^2

    0 at a one-hot ``p`` (no gradient flows back); :math:`\sqrt{n-1}/n` at uniform.

    Args:
        p: ``(..., n)`` probability vectors along the last axis (e.g. ``softmax(x)``).

    Returns:
        ``(...)`` norms; a float for one vector.

    >>> from attn_core.softmax import softmax_jacobian
    >>> p = np.array([0.7, 0.2, 0.1])
    >>> bool(np.isclose(softmax_jacobian_norm(p), np.linalg.norm(softmax_jacobian(p))))
    True
    >>> softmax_jacobian_norm([1.0, 0.0])
    0.0
    """
    q = as_array("p", p)
    if q.ndim == 0:
        raise ValueError("p must hold probability vectors along its last axis, got a number.")
    # ||J||^2 = sum_i p_i^2 (1 - p_i)^2 + sum_i p_i^2 sum_{j != i} p_j^2, every term >= 0.
    # Near one-hot, 1 - p_k and sum_{j != k} p_j^2 of the largest entry k are tiny differences
    # of numbers near 1: sum the other entries instead, so small norms keep their digits.
    k = np.argmax(q, axis=-1)[..., None]  # (..., 1)
    top = np.take_along_axis(q, k, axis=-1)  # (..., 1)
    others = q.copy()
    np.put_along_axis(others, k, 0.0, axis=-1)  # (..., n) p with the largest entry zeroed
    rest = others.sum(axis=-1, keepdims=True)  # (..., 1) = 1 - p_k
    rest2 = (others * others).sum(axis=-1, keepdims=True)  # (..., 1) = sum_{j != k} p_j^2
    s2 = rest2 + top * top  # (..., 1)
    total = (others * others * ((1.0 - others) ** 2 + (s2 - others * others))).sum(axis=-1) + (
        top * top * (rest * rest + rest2)
    )[..., 0]  # (...)
    norm = np.sqrt(total) + 0.0
    return float(norm) if norm.ndim == 0 else norm


@dataclass(frozen=True)
class DotProductExperiment:
    """Scores ``q·k`` of random vectors at several dimensions, and what a softmax makes of them.

    ``G`` dimensions, ``n_q`` queries, each scored against ``n_keys`` keys of its own.
    """

    d: np.ndarray  # (G,) the dimensions, increasing
    scores: np.ndarray  # (G, n_q, n_keys) q·k
    variance: np.ndarray  # (G,) sample variance of q·k, ≈ d
    scaled_variance: np.ndarray  # (G,) sample variance of q·k / sqrt(d), ≈ 1
    max_weight: np.ndarray  # (G,) mean over queries of the largest softmax(q·k) weight
    scaled_max_weight: np.ndarray  # (G,) the same for softmax(q·k / sqrt(d))
    jacobian_norm: np.ndarray  # (G,) mean ||diag(p) - pp^T||_F, p = softmax(q·k)
    scaled_jacobian_norm: np.ndarray  # (G,) the same for p = softmax(q·k / sqrt(d))

    def flat_scores(self, i: int) -> np.ndarray:
        """``(n_q * n_keys,)`` all scores at ``d[i]``."""
        return self.scores[i].reshape(-1)


def dot_product_experiment(
    d_values: Any, n_pairs: int, n_keys: int = 8, seed: int = 0
) -> DotProductExperiment:
    r"""Draw random queries and keys and measure the spread of :math:`q^\top k` against ``d``.

    .. math::
        q^{(r)}, k^{(r)}_j \sim \mathcal{N}(0, I_{d_{\max}}), \qquad
        s^{(r)}_j(d) = \sum_{i=1}^{d} q^{(r)}_i k^{(r)}_{j,i}

    ``n_q = max(1, n_pairs // n_keys)`` queries, each against ``n_keys`` keys. The score at
    dimension ``d`` uses the first ``d`` coordinates of the same vectors (a running sum), so
    one draw of ``d_max`` coordinates serves every ``d``; at each ``d`` the scores are exactly
    :math:`q^\top k` for :math:`q, k \sim \mathcal{N}(0, I_d)`.

    Args:
        d_values: ``(G,)`` whole numbers ``>= 1``, increasing (e.g. 1, 2, 4, …, 1024).
        n_pairs: how many ``(q, k)`` pairs (scores) to draw per ``d``.
        n_keys: keys per query (the length of each softmax), ``>= 2``.
        seed: for ``np.random.default_rng``; the same seed gives the same numbers.

    Returns:
        :class:`DotProductExperiment`; ``scores`` is ``(G, n_q, n_keys)``.

    >>> e = dot_product_experiment([1, 64], n_pairs=4000, n_keys=8, seed=0)
    >>> e.scores.shape
    (2, 500, 8)
    >>> np.round(e.variance / e.d, 1), np.round(e.scaled_variance, 1)
    (array([1., 1.]), array([1., 1.]))
    >>> bool(e.max_weight[1] > 0.8 > 0.5 > e.scaled_max_weight[1])
    True
    """
    d = as_array("d_values", d_values, ndim=1)
    if np.any(d != np.round(d)) or np.any(d < 1) or np.any(np.diff(d) <= 0):
        raise ValueError(f"d_values must be increasing whole numbers >= 1, got {d_values!r}.")
    dims = d.astype(np.int64)  # (G,)
    n_pairs = positive_int("n_pairs", n_pairs)
    n_keys = positive_int("n_keys", n_keys, minimum=2)
    n_q = max(1, n_pairs // n_keys)
    rng = np.random.default_rng(seed)
    scores = np.empty((dims.shape[0], n_q, n_keys))  # (G, n_q, n_keys)
    running = np.zeros((n_q, n_keys))  # (n_q, n_keys) sum of q_i k_i over the first `done` coords
    for start in range(0, int(dims[-1]), _CHUNK):  # the same stream of draws for any grid
        q = rng.standard_normal((n_q, _CHUNK))  # (n_q, c)
        k = rng.standard_normal((n_q, n_keys, _CHUNK))  # (n_q, n_keys, c)
        for g in np.nonzero((dims > start) & (dims < start + _CHUNK))[0]:  # d inside this chunk
            c = int(dims[g]) - start
            scores[g] = running + np.einsum("rc,rjc->rj", q[:, :c], k[:, :, :c])
        running += np.einsum("rc,rjc->rj", q, k)
        if start + _CHUNK in dims:
            scores[np.searchsorted(dims, start + _CHUNK)] = running
    scaled = scores / np.sqrt(dims)[:, None, None]  # (G, n_q, n_keys)
    variance = scores.reshape(dims.shape[0], -1).var(axis=1, ddof=1)  # (G,) ≥ 2 scores each
    p = _softmax_(scores.copy(), 1.0, -1)  # (G, n_q, n_keys)
    p_scaled = _softmax_(scaled.copy(), 1.0, -1)
    return DotProductExperiment(
        d=dims,
        scores=scores,
        variance=variance,
        scaled_variance=variance / dims,
        max_weight=p.max(axis=-1).mean(axis=-1),
        scaled_max_weight=p_scaled.max(axis=-1).mean(axis=-1),
        jacobian_norm=softmax_jacobian_norm(p).mean(axis=-1),
        scaled_jacobian_norm=softmax_jacobian_norm(p_scaled).mean(axis=-1),
    )
