"""The overview's toys: four fruits to taste, five things on a desk, and what each is for."""

from __future__ import annotations

from typing import Final

import numpy as np

from ui.widgets import log_grid

TAU_GRID: Final = log_grid(0.05, 20.0)
FRUITS: Final = ("apple", "lemon", "mango", "grape")
# keys: how sweet and how sour each fruit tastes (0–1); values: sugar, g per 100 g (rounded)
FRUIT_KEYS: Final = np.array([[0.7, 0.3], [0.1, 0.9], [0.9, 0.1], [0.6, 0.5]])  # (4, 2)
FRUIT_SUGAR: Final = np.array([10.0, 2.5, 14.0, 16.0])  # (4,)
DESK: Final = ("cup", "notebook", "book", "newspaper", "pen")
# how much each object stands out by itself (the red cup is bright), in arbitrary units
SALIENCE: Final = np.array([3.0, 1.0, 1.0, 1.2, 0.8])  # (5,)
# what each object is for: read, drink, write
DESK_KEYS: Final = np.array(
    [[0.0, 3.0, 0.0], [0.5, 0.0, 2.0], [3.0, 0.0, 0.0], [2.2, 0.0, 0.0], [0.0, 0.0, 3.0]]
)  # (5, 3)
INTENTS: Final = ("none", "read", "drink", "write")
# One query worked through: four tokens (named in the catalog, overview.walk.token.*), d = 2
WALK_TOKENS: Final = ("t1", "t2", "t3", "t4")
WALK_Q: Final = np.array([[1.0, 0.2], [0.4, 1.2], [1.5, 0.5], [0.3, 1.0]])  # (4, 2) queries
WALK_K: Final = np.array([[1.2, 0.1], [0.2, 1.0], [1.0, 0.8], [0.5, 1.5]])  # (4, 2) keys
WALK_V: Final = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [1.0, 3.0]])  # (4, 2) values
WALK_STEPS: Final = ("scores", "scale", "mask", "softmax", "sum")

for _table in (FRUIT_KEYS, FRUIT_SUGAR, SALIENCE, DESK_KEYS, WALK_Q, WALK_K, WALK_V):
    _table.flags.writeable = False  # module constants shared by every session: read only
