"""The self-attention page's limits, toy matrix and the model every section draws.

:func:`build` turns the page's inputs (a sentence's toy embeddings or a typed matrix, the
heads, the seed, the mask and the encoding) into the arrays the sections show; it is pure
(no Streamlit), so every section can rebuild it cheaply instead of handing arrays on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from attn_core import (
    MultiHeadResult,
    causal_mask,
    multi_head_attention,
    random_mha_weights,
    sinusoidal_positional_encoding,
)
from ui.tokens import Tokens, embed, labels, tokenize

SOURCES: Final = ("sentence", "matrix")
D_MAX: Final = 64  # d_model: more columns would not fit the heatmaps
X_MAX_ROWS, X_MAX_COLS = 32, 16  # a table one edits by hand (and that fits a link)
X_LIMIT: Final = 10.0  # entries of an edited X
PE_POSITIONS: Final = 64  # positions drawn in the encoding's heatmap
FLAT_BELOW: Final = 0.25  # a pair that turns less than this over the heatmap's positions looks flat
SEED_MAX: Final = 9999
# four toy tokens in four dimensions; the first and last are the same word, so without a
# positional encoding they get the same output
X_DEFAULT: Final = np.array(
    [[1.0, 0.0, 1.0, 0.0], [0.0, 2.0, 0.0, 1.0], [1.0, 1.0, -1.0, 0.5], [1.0, 0.0, 1.0, 0.0]]
)


@dataclass(frozen=True)
class Model:
    """What the page computes from its inputs.

    ``tok`` is the tokenized sentence (``None`` for a typed matrix), ``empty`` says the
    sentence had no token and the example sentence stood in; ``X_raw`` (n, d_model) the
    embeddings, ``PE`` (n, d_model) the encoding of their positions, ``X`` what attention sees
    (``X_raw + PE`` with the encoding on); ``W`` the weights W_q, W_k, W_v, W_o (d, d);
    ``mask`` (n, n) True = may attend, or ``None``; ``result`` the multi-head attention of
    ``X`` (``None`` with ``error`` set when the core refused it).
    """

    tok: Tokens | None
    empty: bool
    names: list[str]
    labels: list[str]
    X_raw: np.ndarray
    PE: np.ndarray
    X: np.ndarray
    W: dict[str, np.ndarray]
    heads: int
    mask: np.ndarray | None
    result: MultiHeadResult | None
    error: str = ""

    @property
    def n(self) -> int:
        return int(self.X_raw.shape[0])

    @property
    def d_model(self) -> int:
        return int(self.X_raw.shape[1])

    @property
    def d_head(self) -> int:
        return self.d_model // self.heads

    @property
    def dims(self) -> list[str]:
        return [str(j + 1) for j in range(self.d_model)]


def build(
    *,
    sentence: str | None,
    fallback: str,
    matrix: np.ndarray,
    d: int,
    heads: int,
    seed: int,
    causal: bool,
    pe: bool,
) -> Model:
    """The model for the page's inputs: the toy embeddings of ``sentence`` in ``d`` dimensions
    (``fallback``'s when it has no token), or ``matrix`` when ``sentence`` is ``None``."""
    if sentence is None:
        tok, empty = None, False
        X_raw = np.asarray(matrix, dtype=np.float64)  # (n, d_model)
        names = ["x"] * X_raw.shape[0]
    else:
        tok = tokenize(sentence)
        empty = not tok.tokens
        if empty:
            tok = tokenize(fallback)
        names = list(tok.tokens)
        X_raw = embed(tok.tokens, d)  # (n, d_model) toy embeddings
    n, d_model = X_raw.shape
    PE = sinusoidal_positional_encoding(n, d_model)  # (n, d_model)
    X = X_raw + PE if pe else X_raw  # (n, d_model) what attention sees
    W = random_mha_weights(d_model, d_model, seed=seed)  # W_q, W_k, W_v, W_o (d, d)
    mask = causal_mask(n) if causal else None  # (n, n) True = may attend
    result, error = None, ""
    try:
        result = multi_head_attention(X, X, **W, n_heads=heads, mask=mask)
    except ValueError as err:  # not reachable with clamped inputs; never crash the lesson
        error = str(err)
    return Model(tok, empty, names, labels(names), X_raw, PE, X, W, heads, mask, result, error)
