r"""Attention in three steps: score, align, context.

.. math::
    S = a(Q, K), \qquad
    A = \operatorname{softmax}\!\big(\operatorname{mask}(S) / \tau\big), \qquad
    O = A V

Every query row gets a weight for every key (the row sums to 1) and returns the weighted mean
of the values. A mask removes keys a query may not see; their weight is exactly 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import as_mask, as_matrix, positive, positive_int, same
from .scores import SCORE_KINDS, check_score_inputs, raw_scores
from .softmax import _softmax_


@dataclass(frozen=True)
class AttentionResult:
    """What one attention call computed; the arrays are read-only."""

    scores: np.ndarray  # (n_q, n_k) raw scores a(q_i, k_j), before temperature and mask
    weights: np.ndarray  # (n_q, n_k) each row sums to 1; masked keys and fully masked rows get 0
    output: np.ndarray  # (n_q, d_v) weights @ V
    fully_masked: np.ndarray  # (n_q,) bool, True where the mask left the query no key at all


def _frozen(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.flags.writeable = False


def masked_softmax(
    S: np.ndarray, mask: np.ndarray | None, tau: float
) -> tuple[np.ndarray, np.ndarray]:
    """Weights ``softmax(mask(S) / tau)`` over the last axis and the fully masked rows.

    Unchecked: ``S`` finite float64 ``(..., n_q, n_k)``, ``mask`` bool broadcastable to it.
    """
    if mask is None:
        weights = _softmax_(S, tau, -1, out=np.empty_like(S))  # (..., n_q, n_k)
        return weights, np.zeros(S.shape[:-1], dtype=bool)
    weights = _softmax_(np.where(mask, S, -np.inf), tau, -1)  # masked keys: exp(-inf) = 0
    fully_masked = np.broadcast_to(~mask.any(axis=-1), S.shape[:-1]).copy()  # (..., n_q)
    return weights, fully_masked


def attention(
    Q: Any,
    K: Any,
    V: Any,
    *,
    kind: str = "scaled_dot",
    mask: Any = None,
    tau: float = 1.0,
    params: dict[str, Any] | None = None,
) -> AttentionResult:
    r"""Attention of every query over all keys, returning scores, weights and output.

    .. math::
        A_{ij} = \frac{\exp(S_{ij}/\tau)\,[M_{ij}]}{\sum_{l} \exp(S_{il}/\tau)\,[M_{il}]},
        \qquad O_i = \sum_j A_{ij} v_j

    with :math:`S = ` :func:`~attn_core.score` ``(Q, K, kind, params)``. A query whose mask
    row is all False attends to nothing: zero weights, zero output, flagged in
    ``fully_masked``.

    Args:
        Q: ``(n_q, d_q)`` queries.
        K: ``(n_k, d_k)`` keys.
        V: ``(n_k, d_v)`` values, one per key.
        kind: score function, one of ``SCORE_KINDS``.
        mask: ``(n_q, n_k)`` bool, True = may attend; ``None`` lets every query see every key.
        tau: softmax temperature ``> 0``.
        params: parameters of the ``additive`` or ``general`` score.

    Returns:
        :class:`AttentionResult` with ``scores``, ``weights (n_q, n_k)``, ``output (n_q, d_v)``
        and ``fully_masked (n_q,)``.

    >>> r = attention([[1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]], [[10.0], [20.0]], kind="dot")
    >>> np.round(r.weights, 3), np.round(r.output, 3)
    (array([[0.731, 0.269]]), array([[12.689]]))
    """
    Q, K, V = as_matrix("Q", Q), as_matrix("K", K), as_matrix("V", V)
    same("the number of rows of V", V.shape[0], "the number of keys (rows of K)", K.shape[0])
    if kind not in SCORE_KINDS:
        raise ValueError(f"kind must be one of {', '.join(SCORE_KINDS)}; got {kind!r}.")
    p = check_score_inputs(Q, K, kind, params)
    tau = positive("tau", tau)
    n_q, n_k = Q.shape[0], K.shape[0]
    m = None if mask is None else as_mask("mask", mask, (n_q, n_k))

    S = raw_scores(Q, K, kind, p)  # (n_q, n_k)
    weights, fully_masked = masked_softmax(S, m, tau)  # (n_q, n_k), (n_q,)
    output = weights @ V  # (n_q, n_k) @ (n_k, d_v) -> (n_q, d_v); fully masked rows stay 0
    _frozen(S, weights, output, fully_masked)
    return AttentionResult(scores=S, weights=weights, output=output, fully_masked=fully_masked)


def causal_mask(n: int) -> np.ndarray:
    r"""Mask that lets position ``i`` attend to positions ``j <= i`` only (look left).

    .. math:: M_{ij} = [\, j \le i \,]

    Args:
        n: sequence length.

    Returns:
        ``(n, n)`` bool, lower triangular including the diagonal.

    >>> causal_mask(3).astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 1]])
    """
    n = positive_int("n", n)
    return np.tri(n, dtype=bool)  # (n, n)


def valid_length_mask(n_q: int, n_k: int, valid_lens: Any) -> np.ndarray:
    r"""Mask that hides padding: query ``i`` sees the first ``valid_lens[i]`` keys.

    .. math:: M_{ij} = [\, j < \ell_i \,]

    Args:
        n_q, n_k: numbers of queries and keys.
        valid_lens: one whole number for every query, or ``(n_q,)`` of them, each in
            ``0..n_k``; 0 leaves that query nothing to attend to.

    Returns:
        ``(n_q, n_k)`` bool.

    >>> valid_length_mask(2, 3, [1, 3]).astype(int)
    array([[1, 0, 0],
           [1, 1, 1]])
    """
    n_q, n_k = positive_int("n_q", n_q), positive_int("n_k", n_k)
    try:
        lens = np.asarray(valid_lens, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"valid_lens must be whole numbers, got {valid_lens!r}.") from None
    if lens.ndim > 1 or (lens.ndim == 1 and lens.shape != (n_q,)):
        raise ValueError(f"valid_lens must be one number or {n_q} numbers, got shape {lens.shape}.")
    if not np.isfinite(lens).all() or (lens != np.round(lens)).any():
        raise ValueError(f"valid_lens must be whole numbers, got {valid_lens!r}.")
    if (lens < 0).any() or (lens > n_k).any():
        raise ValueError(
            f"each valid length must be between 0 and n_k = {n_k}, got {valid_lens!r}."
        )
    lens = np.broadcast_to(lens, (n_q,))
    return np.arange(n_k)[None, :] < lens[:, None]  # (1, n_k) < (n_q, 1) -> (n_q, n_k)
