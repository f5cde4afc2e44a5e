r"""Self-attention on an image: where does one pixel look?

Every pixel becomes a feature vector (its colour, optionally plus its scaled position). One
query pixel scores every key pixel by how *similar* their features are,

.. math:: s(p, k) = -\frac{\lVert f_p - f_k \rVert^2}{\tau}, \qquad
          \alpha_k = \operatorname{softmax}_k\, s(p, k),

so the map follows the content: pixels of the same colour light up wherever they are. (A plain
dot product :math:`f_p \cdot f_k` would not: a white pixel has the largest dot product with
every query, so every map would just show the bright regions.) A convolution, by contrast,
looks at a fixed square around the pixel with weights that do not depend on the image.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from attn_core._validate import as_array, as_pixel, positive, positive_int


def _image(image: Any) -> np.ndarray:
    """An image ``(H, W)`` or ``(H, W, C)`` with values in [0, 1], returned as ``(H, W, C)``."""
    x = as_array("image", image)
    if x.ndim == 2:
        x = x[:, :, None]
    if x.ndim != 3 or x.shape[2] == 0:
        raise ValueError(f"image must have shape (H, W) or (H, W, C), got {x.shape}.")
    if x.min() < 0.0 or x.max() > 1.0:
        raise ValueError(
            f"image values must lie in [0, 1] (divide 8-bit pixels by 255); "
            f"got {x.min():.3g} to {x.max():.3g}."
        )
    return x


def _position_weight(value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"position_weight must be a number >= 0, got {value!r}.") from None
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"position_weight must be a finite number >= 0, got {value!r}.")
    return v


def pixel_features(image: Any, position_weight: float = 0.0) -> np.ndarray:
    r"""One feature vector per pixel: its colour channels, then its scaled position.

    .. math:: f_{ij} = \Big(x_{ij1}, \dots, x_{ijC},\;
              \lambda \frac{i}{S},\; \lambda \frac{j}{S}\Big), \qquad S = \max(H - 1, W - 1, 1)

    Positions are scaled into [0, 1] like the colours (keeping the aspect ratio), so
    ``position_weight`` :math:`\lambda` says how much a unit of distance across the image counts
    against a unit of colour. With :math:`\lambda = 0` the two position columns are zero.

    Shapes: ``image (H, W)`` or ``(H, W, C)`` in [0, 1]; result ``(H, W, C + 2)``.

    >>> pixel_features(np.zeros((2, 3)), position_weight=1.0)[1, 2].tolist()
    [0.0, 0.5, 1.0]
    """
    x = _image(image)  # (H, W, C)
    lam = _position_weight(position_weight)
    h, w = x.shape[:2]
    scale = max(h - 1, w - 1, 1)
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")  # (H, W) each
    pos = lam * np.stack([rows, cols], axis=-1) / scale  # (H, W, 2)
    return np.concatenate([x, pos], axis=-1)


def _similarity(features: np.ndarray, pixel: tuple[int, int], tau: float) -> np.ndarray:
    """Scores :math:`-\\lVert f_p - f_k\\rVert^2 / \\tau` of every pixel ``(H, W)``."""
    diff = features - features[pixel]  # (H, W, F)
    return -np.einsum("hwf,hwf->hw", diff, diff) / tau  # (H, W)


def _softmax_all(scores: np.ndarray) -> np.ndarray:
    e = np.exp(scores - scores.max())  # the query pixel itself has the top score, 0
    return e / e.sum()


def global_attention_map(
    image: Any, pixel: Any, tau: float = 0.1, position_weight: float = 0.0
) -> np.ndarray:
    r"""Attention weights of one query pixel over every pixel of the image.

    .. math:: \alpha_k = \frac{\exp\!\big(-\lVert f_p - f_k \rVert^2 / \tau\big)}
                              {\sum_{k'} \exp\!\big(-\lVert f_p - f_{k'} \rVert^2 / \tau\big)}

    with :math:`f` from :func:`pixel_features`. Small ``tau`` keeps only near-identical pixels;
    large ``tau`` spreads the weight over the whole image.

    Shapes: ``image (H, W)`` or ``(H, W, C)`` in [0, 1], ``pixel (row, col)``; result ``(H, W)``
    summing to 1.

    >>> img = np.array([[0.0, 1.0], [0.0, 1.0]])
    >>> global_attention_map(img, (0, 0), tau=0.1).round(3).tolist()
    [[0.5, 0.0], [0.5, 0.0]]
    """
    f = pixel_features(image, position_weight)  # (H, W, F)
    p = as_pixel("pixel", pixel, f.shape)
    return _softmax_all(_similarity(f, p, positive("tau", tau)))


def local_attention_map(
    image: Any, pixel: Any, window: int = 7, tau: float = 0.1, position_weight: float = 0.0
) -> np.ndarray:
    r"""Like :func:`global_attention_map`, but only keys in a window × window square count.

    .. math:: \alpha_k = \frac{\mathbb{1}[k \in N(p)]\, e^{s(p, k)}}
                              {\sum_{k' \in N(p)} e^{s(p, k')}}, \qquad
              N(p) = \{k : |k_\text{row} - p_\text{row}| \le r,\
                          |k_\text{col} - p_\text{col}| \le r\}, \quad
              r = \lfloor \text{window}/2 \rfloor

    The square is clipped at the image border (the weights renormalise over what remains).

    Shapes: as :func:`global_attention_map`; ``window`` odd ≥ 1; result ``(H, W)``, zero
    outside the square, summing to 1.

    >>> m = local_attention_map(np.zeros((4, 4)), (0, 0), window=3)
    >>> m.round(2).tolist()[:2]
    [[0.25, 0.25, 0.0, 0.0], [0.25, 0.25, 0.0, 0.0]]
    """
    f = pixel_features(image, position_weight)  # (H, W, F)
    p = as_pixel("pixel", pixel, f.shape)
    t = positive("tau", tau)
    size = positive_int("window", window)
    if size % 2 == 0:
        raise ValueError(f"window must be odd (1, 3, 5, …) so it is centred; got {size}.")
    r = size // 2
    r0, r1 = max(p[0] - r, 0), min(p[0] + r + 1, f.shape[0])
    c0, c1 = max(p[1] - r, 0), min(p[1] + r + 1, f.shape[1])
    inside = f[r0:r1, c0:c1]  # (window', window', F) clipped at the border
    out = np.zeros(f.shape[:2])  # (H, W)
    out[r0:r1, c0:c1] = _softmax_all(_similarity(inside, (p[0] - r0, p[1] - c0), t))
    return out


@dataclass(frozen=True)
class Spread:
    """How spread out one attention map is (see :func:`attention_spread`)."""

    n90: int  # fewest pixels that hold 90 % of the weight
    mean_distance: float  # Σ_k α_k ‖k − p‖, in pixels (the ViT paper's "attention distance")
    self_weight: float  # α_p, the weight the query pixel gives itself


def attention_spread(weights: Any, pixel: Any) -> Spread:
    r"""Summaries of one attention map at its query pixel :math:`p`.

    .. math:: n_{90} = \min\{n : \textstyle\sum_{i \le n} \alpha_{(i)} \ge 0.9 \sum_k \alpha_k\},
              \qquad \bar d = \sum_k \alpha_k \lVert k - p \rVert, \qquad \alpha_p

    with :math:`\alpha_{(1)} \ge \alpha_{(2)} \ge \dots` the weights sorted, largest first.

    Shapes: ``weights (H, W)`` (non-negative, e.g. from :func:`global_attention_map`),
    ``pixel (row, col)``.

    >>> one = np.zeros((3, 3)); one[1, 2] = 1.0
    >>> s = attention_spread(one, (1, 2)); (s.n90, s.mean_distance, s.self_weight)
    (1, 0.0, 1.0)
    """
    w = as_array("weights", weights)
    if w.ndim != 2 or w.size == 0:
        raise ValueError(f"weights must be a non-empty map (H, W), got shape {w.shape}.")
    if np.any(w < 0):
        raise ValueError("weights must be >= 0 (attention weights).")
    p = as_pixel("pixel", pixel, w.shape)
    flat = np.sort(w.ravel())[::-1]  # (H·W,) largest first
    n90 = int(np.searchsorted(np.cumsum(flat), 0.9 * flat.sum()) + 1)
    rows, cols = np.indices(w.shape)  # (H, W) each
    dist = np.hypot(rows - p[0], cols - p[1])  # (H, W)
    return Spread(min(n90, w.size), float((w * dist).sum()), float(w[p]))
