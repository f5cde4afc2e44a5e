"""Input checks shared by the core: every user-reachable mistake becomes a ``ValueError``.

Messages name the argument and say what was expected, so a page can show them as they are.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def as_array(
    name: str, x: Any, ndim: int | None = None, *, allow_empty: bool = False
) -> np.ndarray:
    """Return ``x`` as a finite float64 array of ``ndim`` dimensions, or raise ``ValueError``."""
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must contain numbers only ({err}).") from None
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {a.shape}.")
    if not allow_empty and a.size == 0:
        raise ValueError(f"{name} is empty; it needs at least one entry.")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinity; every entry must be a finite number.")
    return a


def as_matrix(name: str, x: Any) -> np.ndarray:
    """A finite, non-empty float64 matrix ``(rows, cols)``."""
    return as_array(name, x, ndim=2)


def as_vector(name: str, x: Any) -> np.ndarray:
    """A finite, non-empty float64 vector ``(n,)``."""
    return as_array(name, x, ndim=1)


def positive(name: str, value: Any) -> float:
    """A finite number > 0."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}.") from None
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a finite number greater than 0, got {value!r}.")
    return v


def positive_int(name: str, value: Any, *, minimum: int = 1) -> int:
    """A whole number ≥ ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")
    return int(value)


def same(name_a: str, a: int, name_b: str, b: int) -> None:
    """Raise unless two sizes agree."""
    if a != b:
        raise ValueError(f"{name_a} ({a}) must equal {name_b} ({b}).")


def as_mask(name: str, mask: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A boolean array of exactly ``shape`` (True = may attend), or raise ``ValueError``."""
    m = np.asarray(mask)
    if m.dtype != np.bool_:
        raise ValueError(
            f"{name} must be a boolean array (True = may attend), got dtype {m.dtype}; "
            "build one with causal_mask or valid_length_mask, or compare, e.g. scores > 0."
        )
    if m.shape != shape:
        raise ValueError(f"{name} must have shape {shape} (queries × keys), got {m.shape}.")
    return m


def as_pixel(name: str, pixel: Any, shape: tuple[int, ...]) -> tuple[int, int]:
    """A ``(row, col)`` pair of whole numbers inside an image of ``shape`` ``(H, W, ...)``."""
    try:
        p = np.asarray(pixel, dtype=np.float64)
    except (TypeError, ValueError):
        p = np.empty(0)
    if p.shape != (2,) or not np.all(np.isfinite(p)) or np.any(p != np.round(p)):
        raise ValueError(f"{name} must be two whole numbers (row, col), got {pixel!r}.")
    row, col = int(p[0]), int(p[1])
    if not (0 <= row < shape[0] and 0 <= col < shape[1]):
        raise ValueError(
            f"{name} {(row, col)} lies outside the image; rows go 0…{shape[0] - 1}, "
            f"columns 0…{shape[1] - 1}."
        )
    return row, col
