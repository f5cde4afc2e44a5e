"""The alignment page's toy translation, its sizes and choices. No Streamlit calls.

A source sentence of ``S`` positions has random encoder states; the target sentence (also
``S`` steps, a simplification) is made by copying, at each step ``t``, the state of source
position ``t + shift`` and adding noise. So the right alignment is known: a diagonal moved by
``shift``. Scores are scaled dot products; local-p's ``W_p, v_p`` are seeded, not trained.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import numpy as np

from attn_core import (
    global_weights,
    hard_attention,
    local_weights,
    position_logit,
    predicted_position,
    random_position_params,
    score,
)
from attn_core.alignment import HardAttention, LocalAlignment

D_MODEL: Final = 16  # size of the toy hidden states
D_VALUE: Final = 2  # size of the values that soft and hard attention read
VALUE_SCALE: Final = 3.0  # spread of the values: keeps the expected error clear of 1/√N
NOISE: Final = 1.0  # how far each target state strays from the source state it copies
H_POSITION: Final = 8  # hidden size of the local-p position predictor


@dataclass(frozen=True)
class Toy:
    source: np.ndarray  # (S, d) encoder states h̄_s
    target: np.ndarray  # (S, d) decoder states h_t
    aligned: np.ndarray  # (S,) int: the source position target step t was copied from
    scores: np.ndarray  # (S, S) score(h_t, h̄_s) = h_tᵀ h̄_s / √d, rows t, columns s
    values: np.ndarray  # (S, d_v) what attention reads at each source position
    W_p: np.ndarray  # (h, d) local-p's position predictor (seeded, untrained)
    v_p: np.ndarray  # (h,)


def make_toy(S: int, shift: int, seed: int) -> Toy:
    """The toy sentence pair for ``S`` positions; the same seed gives the same sentences.

    >>> toy = make_toy(5, shift=1, seed=0)
    >>> toy.scores.shape, toy.aligned.tolist()
    ((5, 5), [1, 2, 3, 4, 4])
    """
    rng = np.random.default_rng(seed)
    source = rng.standard_normal((S, D_MODEL))  # (S, d)
    aligned = np.clip(np.arange(S) + shift, 0, S - 1)  # (S,)
    target = source[aligned] + NOISE * rng.standard_normal((S, D_MODEL))  # (S, d)
    values = VALUE_SCALE * rng.standard_normal((S, D_VALUE))  # (S, d_v)
    params = random_position_params(D_MODEL, h=H_POSITION, seed=seed)
    return Toy(
        source=source,
        target=target,
        aligned=aligned,
        scores=score(target, source, "scaled_dot"),  # (S, S)
        values=values,
        W_p=params["W_p"],
        v_p=params["v_p"],
    )


def log_spaced(n: int, points: int = 240) -> np.ndarray:
    """About ``points`` sample counts from 1 to ``n``, even on a log axis (for long curves).

    >>> log_spaced(10, 4).tolist()
    [1, 2, 5, 10]
    """
    return np.unique(np.geomspace(1, n, points).round().astype(np.int64))


MAX_S: Final = 200  # the longest toy sentence
VARIANTS: Final = ("global", "local_m", "local_p")
P_MODES: Final = ("predicted", "slider")  # local-p's centre: the predictor's, or the slider's
N_GRID: Final = tuple(
    float(m * 10**k) for k in range(6) for m in (1, 2, 5) if m * 10**k <= 100_000
)  # hard-attention sample counts: 1, 2, 5, 10, …, 100,000


@dataclass(frozen=True)
class View:
    """Everything the sections draw for one toy sentence, step and window."""

    toy: Toy
    z: np.ndarray  # (S,) v_pᵀ tanh(W_p h_t), for the formula
    p_pred: np.ndarray  # (S,) local-p's predicted centre of each step
    p_local: np.ndarray  # (S,) the centres used (the slider's at step t when set by hand)
    lm: LocalAlignment  # local-m: p_t = t, window softmax
    lp: LocalAlignment  # local-p: window softmax × Gaussian
    W: dict[str, np.ndarray]  # variant → (S, S) weights, rows t


@lru_cache(maxsize=32)
def view(S: int, shift: int, seed: int, D: int, step: int, p_hand: float | None) -> View:
    """The toy, its local-p centres and the three variants' weights (cached: every section
    asks for the same view; shared read-only by every session)."""
    toy = make_toy(S, shift, seed)
    z = position_logit(toy.target, toy.W_p, toy.v_p)
    p_pred = predicted_position(toy.target, toy.W_p, toy.v_p, S)
    p_local = p_pred.copy()
    if p_hand is not None:
        p_local[step] = p_hand  # the slider moves the window of the step shown
    lm = local_weights(toy.scores, np.arange(S), D, mode="local-m")
    lp = local_weights(toy.scores, p_local, D, mode="local-p")
    W = {
        "global": global_weights(toy.scores),  # (S, S), rows sum to 1
        "local_m": lm.weights,  # (S, S), each row sums to 1 inside its window
        "local_p": lp.weights,  # (S, S), rows sum to < 1 (not renormalised, as in the paper)
    }
    parts = (z, p_pred, p_local, *W.values(), *vars(toy).values(), *vars(lm).values())
    for value in (*parts, *vars(lp).values()):
        if isinstance(value, np.ndarray):
            value.flags.writeable = False  # shared by every session: read only
    return View(toy, z, p_pred, p_local, lm, lp, W)


@lru_cache(maxsize=32)
def samples(key: tuple, variant: str, n: int, seed: int) -> HardAttention:
    """``n`` hard-attention samples at step t of the view ``key`` (the arguments of
    :func:`view`), drawn from ``variant``'s weights (local-p's rescaled to sum to 1): 65–90 ms
    at N = 100,000, so cached; shared by every session, read only."""
    v = view(*key)
    step = key[4]
    a = v.lp.normalised[step] if variant == "local_p" else v.W[variant][step]
    result = hard_attention(a, v.toy.values, n, seed=seed)
    for value in vars(result).values():
        value.flags.writeable = False
    return result
