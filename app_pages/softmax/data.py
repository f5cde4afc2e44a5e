"""The softmax page's presets and grids."""

from __future__ import annotations

from typing import Final

import numpy as np

from ui.widgets import log_grid

TAU_GRID: Final = log_grid(0.01, 100.0)
SWEEP: Final = np.geomspace(TAU_GRID[0], TAU_GRID[-1], 161)  # (161,) temperatures drawn as curves
D_GRID: Final = tuple(float(2**i) for i in range(11))  # 1, 2, 4, …, 1024
MAX_PAIRS: Final = 20_000
PRESETS: Final = {
    "example": (2.0, 1.0, 0.5, 0.0, -1.0),
    "a": (51.0, 49.0),  # seed 001's two pairs of scores …
    "b": (70.0, 30.0),
    "a8": (51 / 8, 49 / 8),  # … and the same divided by √64 = 8
    "b8": (70 / 8, 30 / 8),
    "tie": (2.0, 2.0, 0.0, -1.0),
}
SEED_ROWS: Final = ("a", "b", "a8", "b8")
