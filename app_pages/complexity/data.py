"""The complexity page's grids and the table's O(·) entries."""

from __future__ import annotations

from typing import Final

from ui.widgets import log_grid


def int_grid(lo: int, hi: int) -> tuple[float, ...]:
    """Whole numbers from ``lo`` to ``hi``, about evenly spaced in log, powers of 2 included."""
    powers = {2.0**e for e in range(1, 20) if lo <= 2**e <= hi}
    return tuple(sorted({float(round(v)) for v in log_grid(lo, hi)} | powers))


ROWS: Final = ("convolutional", "recurrent", "self_attention")  # the order of the table
N_GRID: Final = int_grid(2, 100_000)
D_GRID: Final = int_grid(2, 4096)
TIMING_D: Final = (16.0, 32.0, 64.0, 128.0, 256.0)  # wider layers would not fit the time budget
TIMING_N: Final = (128.0, 256.0, 512.0, 1024.0, 2048.0)  # longest sequence timed (memory ~ n²)
K_MAX: Final = 16
PICTURE_N_MAX: Final = 24
BIG_O: Final = {
    "ops": {"convolutional": "O(k·n·d²)", "recurrent": "O(n·d²)", "self_attention": "O(n²·d)"},
    "seq": {"convolutional": "O(1)", "recurrent": "O(n)", "self_attention": "O(1)"},
    "path": {"convolutional": "O(n/k)", "recurrent": "O(n)", "self_attention": "O(1)"},
}
EXACT_PATH: Final = {"convolutional": "⌈(n−1)/(k−1)⌉"}  # what the table's number is, exactly
