"""Where the Q · K · V playground gets its matrices: small stories and seeded random ones.

Pure NumPy (no Streamlit). Three modes decide how many matrices there are (seed 000):

- ``qkv``: queries, keys and values all different — three matrices ``Q, K, V``;
- ``qvv``: the keys are the values — ``Q`` and one matrix ``K`` that is also ``V``;
- ``vvv``: queries, keys and values are one set ``X`` (self-attention in the strict sense).

The presets tell the reagent-mixing picture with numbers: in ``qkv`` the keys are the labels
on four ink bottles (points on a colour wheel), the values are the inks (red, green, blue
amounts) and the queries are names on a shopping list; the output row is the colour of the
mixture. In ``qvv`` and ``vvv`` the inks are unlabelled, so they are compared with each other
directly (2-D points, so the plane view shows them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

MODES: Final = ("qkv", "qvv", "vvv")
GENERATORS: Final = ("default", "identical", "dominant", "random")
MAX_N: Final = 1024  # rows of a random matrix (queries or keys)
MAX_D: Final = 64  # columns of a random matrix (d_q, d_k, d_v)
RANDOM_DECIMALS: Final = 2  # random entries are rounded so tables and links stay short

# qkv: bottle labels on a colour wheel of radius 2 (angle = hue), the inks as RGB amounts
INK_LABELS: Final = np.array([[2.0, 0.0], [1.0, 1.7], [-1.0, 1.7], [-1.0, -1.7]])  # (4, 2)
INKS: Final = np.array(
    [[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
)  # (4, 3)  red, yellow, green, blue
WANTED: Final = np.array([[1.7, 1.0], [1.0, -1.7], [-2.0, 0.0]])  # (3, 2)  orange, magenta, teal
# qvv / vvv: four reagents described by two measured properties; the first two are alike
REAGENTS: Final = np.array([[2.0, 0.5], [1.5, 1.5], [-1.0, 2.0], [-1.5, -1.5]])  # (4, 2)
SAMPLES: Final = np.array([[2.0, 1.0], [-1.0, 1.0]])  # (2, 2)  two samples to imitate
SAME_KEY: Final = np.array([1.0, 1.0])  # every key identical: the score cannot tell them apart
LOUD: Final = 3.0  # the dominant key is this many times longer than in the default


@dataclass(frozen=True)
class Sizes:
    """Sizes of random matrices; ``d_q = 0`` means queries as long as keys (``d_k``)."""

    n_q: int = 4
    n_k: int = 6
    d_q: int = 0
    d_k: int = 4
    d_v: int = 3

    @property
    def query_length(self) -> int:
        return self.d_q or self.d_k


def names(mode: str) -> tuple[str, ...]:
    """The matrices a mode keeps: ``("Q", "K", "V")``, ``("Q", "K")`` or ``("X",)``."""
    return {"qkv": ("Q", "K", "V"), "qvv": ("Q", "K"), "vvv": ("X",)}[mode]


def _random(seed: int, stream: int, shape: tuple[int, int]) -> np.ndarray:
    """Standard normal entries, rounded; each matrix has its own stream, so changing the
    number of queries does not change the keys."""
    rng = np.random.default_rng([seed, stream])
    return np.round(rng.standard_normal(shape), RANDOM_DECIMALS)


def generate(gen: str, mode: str, seed: int = 0, sizes: Sizes = Sizes()) -> dict[str, np.ndarray]:
    """The matrices of ``mode`` for the preset or random generator ``gen``.

    Returns a dict with the keys of :func:`names`; arrays are new (callers may keep them).

    >>> {k: v.shape for k, v in generate("default", "qkv").items()}
    {'Q': (3, 2), 'K': (4, 2), 'V': (4, 3)}
    >>> {k: v.shape for k, v in generate("random", "vvv", 1, Sizes(n_k=5, d_k=3)).items()}
    {'X': (5, 3)}
    """
    if gen == "random":
        n_q, n_k = sizes.n_q, sizes.n_k
        if mode == "vvv":
            return {"X": _random(seed, 1, (n_k, sizes.d_k))}
        out = {"Q": _random(seed, 0, (n_q, sizes.query_length))}
        out["K"] = _random(seed, 1, (n_k, sizes.d_k))
        if mode == "qkv":
            out["V"] = _random(seed, 2, (n_k, sizes.d_v))
        return out
    keys = INK_LABELS if mode == "qkv" else REAGENTS  # (4, 2)
    keys = keys.copy()
    if gen == "identical":
        keys[:] = SAME_KEY
    elif gen == "dominant":
        keys[0] *= LOUD
    if mode == "vvv":
        return {"X": keys}
    if mode == "qvv":
        return {"Q": SAMPLES.copy(), "K": keys}
    return {"Q": WANTED.copy(), "K": keys, "V": INKS.copy()}


def qkv_of(mode: str, mats: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``(Q, K, V)`` that attention uses in ``mode`` (the same array where they are one)."""
    if mode == "vvv":
        X = mats["X"]
        return X, X, X
    if mode == "qvv":
        return mats["Q"], mats["K"], mats["K"]
    return mats["Q"], mats["K"], mats["V"]


def default_lengths(n_q: int, n_k: int) -> np.ndarray:
    """Valid lengths ``(1, n_q)`` for a first look: a staircase ``n_k, n_k - 1, …`` (≥ 1)."""
    return np.maximum(n_k - np.arange(n_q), 1).astype(np.float64)[None, :]


def fit_lengths(lens: np.ndarray, n_q: int, n_k: int) -> tuple[np.ndarray, bool]:
    """Valid lengths made usable: whole numbers in ``0..n_k``; the default if the size is off.

    Returns the lengths ``(1, n_q)`` and whether anything had to change.
    """
    lens = np.asarray(lens, dtype=np.float64)
    if lens.shape != (1, n_q) or not np.all(np.isfinite(lens)):
        return default_lengths(n_q, n_k), True
    fixed = np.clip(np.round(lens), 0, n_k)
    return fixed, bool(np.any(fixed != lens))


def lengths_text(lens: np.ndarray) -> str:
    """Valid lengths as a person reads them: ``4, 3, 2`` (at most 12, then ``…``)."""
    flat = np.asarray(lens, dtype=np.float64).ravel()
    shown = ", ".join(f"{x:.10g}" for x in flat[:12])
    return shown + (", …" if flat.size > 12 else "")


def looks_like_colours(V: np.ndarray) -> bool:
    """Whether the values can be read as colours: three columns, every entry in [0, 1]."""
    return V.ndim == 2 and V.shape[1] == 3 and bool(np.all((V >= 0) & (V <= 1)))
