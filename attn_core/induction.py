r"""Scores that say what an attention head does (Elhage et al. 2021, Olsson et al. 2022).

For a head's weights :math:`A` ``(T, T)`` (row = query position ``i``, column = key ``j``) on
tokens :math:`t_0 \dots t_{T-1}`:

* **previous-token score** — the mean weight on the position just before:
  :math:`\frac{1}{T-1}\sum_{i=1}^{T-1} A_{i,\,i-1}`.
* **duplicate-token score** — over the positions ``i`` whose token occurred before, the mean
  of the weight on those earlier occurrences: :math:`\sum_{j<i,\ t_j = t_i} A_{i,j}`.
* **induction score** — over the same positions, the mean of the weight on the tokens that
  *followed* an earlier occurrence: :math:`\sum_{1 \le j \le i,\ t_{j-1} = t_i} A_{i,j}`.

On a random segment of length ``L`` followed by its repetition (distinct tokens), these are
the papers' scores: for ``i`` in the second copy, the duplicate is ``i - L`` and the induction
target is ``i - L + 1``. A perfect previous-token head scores 1 on the first, a perfect
induction head 1 on the third.

**Copying**: a position ``i`` is a *copy position* when its token occurred before (latest at
``j < i``) and the next token repeats what followed then (:math:`t_{i+1} = t_{j+1}`). The copying
accuracy is the share of copy positions where the model's most likely next token is
:math:`t_{i+1}`.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _weights_tokens(weights: Any, tokens: Any) -> tuple[np.ndarray, np.ndarray]:
    A = np.asarray(weights, dtype=np.float64)
    t = np.asarray(tokens)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ValueError(f"weights must be (..., T, T), got shape {A.shape}.")
    if t.shape != (A.shape[-1],):
        raise ValueError(f"tokens must have {A.shape[-1]} entries, got shape {t.shape}.")
    return A, t


def _duplicate_mask(t: np.ndarray) -> np.ndarray:
    """``(T, T)`` True at ``(i, j)`` when ``j < i`` and ``t_j == t_i``."""
    T = t.size
    return (t[None, :] == t[:, None]) & (np.arange(T)[None, :] < np.arange(T)[:, None])


def _induction_mask(t: np.ndarray) -> np.ndarray:
    """``(T, T)`` True at ``(i, j)`` when ``1 <= j <= i`` and ``t_{j-1} == t_i``."""
    T = t.size
    m = np.zeros((T, T), dtype=bool)
    m[:, 1:] = t[None, :-1] == t[:, None]
    return m & (np.arange(T)[None, :] <= np.arange(T)[:, None])


def previous_token_score(weights: Any) -> np.ndarray | float:
    """Mean weight on the previous position; ``weights (..., T, T)`` -> ``(...)``; nan if T = 1."""
    A = np.asarray(weights, dtype=np.float64)
    if A.shape[-1] < 2:
        return np.full(A.shape[:-2], np.nan) if A.ndim > 2 else float("nan")
    out = np.diagonal(A, offset=-1, axis1=-2, axis2=-1).mean(axis=-1)
    return float(out) if np.ndim(out) == 0 else out


def _masked_mean(A: np.ndarray, mask: np.ndarray) -> np.ndarray | float:
    rows = mask.any(axis=1)  # queries that have an earlier occurrence
    if not rows.any():
        return np.full(A.shape[:-2], np.nan) if A.ndim > 2 else float("nan")
    out = (A * mask).sum(axis=-1)[..., rows].mean(axis=-1)
    return float(out) if np.ndim(out) == 0 else out


def duplicate_token_score(weights: Any, tokens: Any) -> np.ndarray | float:
    """Mean weight on earlier occurrences of the same token (nan if no token repeats)."""
    A, t = _weights_tokens(weights, tokens)
    return _masked_mean(A, _duplicate_mask(t))


def induction_score(weights: Any, tokens: Any) -> np.ndarray | float:
    """Mean weight on the tokens after earlier occurrences of the same token (nan if none)."""
    A, t = _weights_tokens(weights, tokens)
    return _masked_mean(A, _duplicate_mask(t).any(axis=1)[:, None] & _induction_mask(t))


def induction_targets(tokens: Any) -> np.ndarray:
    """``(T, T)`` bool: the keys an induction head should attend to from each query."""
    return (
        _induction_mask(np.asarray(tokens))
        & _duplicate_mask(np.asarray(tokens)).any(axis=1)[:, None]
    )


def copy_positions(tokens: Any) -> np.ndarray:
    """Positions ``i < T - 1`` whose next token copies what followed ``t_i`` last time."""
    t = np.asarray(tokens)
    last: dict[Any, int] = {}
    out = []
    for i in range(t.size - 1):
        j = last.get(t[i])
        if j is not None and t[i + 1] == t[j + 1]:
            out.append(i)
        last[t[i]] = i
    return np.asarray(out, dtype=np.int64)


def copy_accuracy(logits: Any, tokens: Any) -> tuple[float, np.ndarray, np.ndarray]:
    """Share of copy positions where ``argmax logits[i] == t_{i+1}``.

    Returns ``(accuracy, positions, correct)``; accuracy is nan when there is no copy position.
    """
    t = np.asarray(tokens)
    pos = copy_positions(t)
    if pos.size == 0:
        return float("nan"), pos, np.zeros(0, dtype=bool)
    correct = np.asarray(logits)[pos].argmax(axis=-1) == t[pos + 1]
    return float(correct.mean()), pos, correct
