r"""What a layer costs: convolution vs recurrence vs self-attention (Vaswani et al., 2017, Table 1).

For a sequence of ``n`` vectors of length ``d`` and a convolution kernel of width ``k``:

==================  =======================  ===================  ==================================
layer               operations per layer     sequential ops       maximum path length
==================  =======================  ===================  ==================================
self-attention      :math:`n^2 d`            :math:`1`            :math:`1`
recurrent           :math:`n d^2`            :math:`n`            :math:`n`
convolutional       :math:`k n d^2`          :math:`1`            :math:`\lceil (n-1)/(k-1) \rceil`
==================  =======================  ===================  ==================================

Self-attention connects every pair of positions in one step and in parallel, at a cost that
grows with :math:`n^2`: it is the cheapest while :math:`n < d` (vs recurrent) or
:math:`n < k d` (vs convolutional). The three layers are also here in plain NumPy, to be timed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from ._validate import as_array, as_matrix, positive_int, same
from .attention import attention

LAYERS: Final = ("self_attention", "recurrent", "convolutional")


@dataclass(frozen=True)
class LayerCost:
    """One row of the table; counts are multiply-adds up to a constant factor."""

    per_layer: int  # total operations of one layer over the whole sequence
    sequential: int  # operations that must wait for the previous one (depth in time)
    max_path: int  # layers/steps a signal crosses between the two farthest positions


def complexity(n: int, d: int, k: int) -> dict[str, LayerCost]:
    r"""The cost table for sequence length ``n``, width ``d`` and kernel width ``k``.

    .. math::
        \text{self-attention}: (n^2 d,\; 1,\; 1) \quad
        \text{recurrent}: (n d^2,\; n,\; n) \quad
        \text{convolutional}: (k n d^2,\; 1,\; \lceil \tfrac{n-1}{k-1} \rceil)

    The recurrent path counts the step that reads :math:`x_1` plus the :math:`n - 1` hidden
    steps to the last position; a stack of convolutions needs at least one layer.

    Args:
        n: sequence length; d: representation width; k: kernel width, ``>= 2``.

    Returns:
        ``{layer: LayerCost}`` keyed by ``LAYERS``.

    >>> complexity(n=9, d=4, k=3)["convolutional"]
    LayerCost(per_layer=432, sequential=1, max_path=4)
    """
    n, d, k = positive_int("n", n), positive_int("d", d), positive_int("k", k, minimum=2)
    return {
        "self_attention": LayerCost(per_layer=n * n * d, sequential=1, max_path=1),
        "recurrent": LayerCost(per_layer=n * d * d, sequential=n, max_path=n),
        "convolutional": LayerCost(
            per_layer=k * n * d * d, sequential=1, max_path=conv_layers_needed(n, k)
        ),
    }


def conv_layers_needed(n: int, k: int) -> int:
    r"""Layers of width-``k`` convolutions until one output sees both ``x_1`` and ``x_n``.

    Each layer widens the receptive field by :math:`k - 1`, so :math:`L` layers see
    :math:`1 + L(k-1)` inputs; the smallest :math:`L` with :math:`1 + L(k-1) \ge n` is

    .. math:: L = \max\big(1, \lceil (n-1)/(k-1) \rceil\big)

    >>> conv_layers_needed(5, 3), conv_layers_needed(9, 3), conv_layers_needed(1, 3)
    (2, 4, 1)
    """
    n, k = positive_int("n", n), positive_int("k", k, minimum=2)
    return max(1, -(-(n - 1) // (k - 1)))


def operations(layer: str, n: Any, d: int, k: int) -> np.ndarray:
    r"""Operations per layer as a function of ``n`` (floats, one per entry of ``n``).

    .. math:: \text{self-attention}: n^2 d, \quad \text{recurrent}: n d^2, \quad
        \text{convolutional}: k n d^2

    The same counts as :func:`complexity`, for arrays of ``n`` (a curve to plot).

    >>> operations("self_attention", [1, 10], d=4, k=3)
    array([  4., 400.])
    """
    if layer not in LAYERS:
        raise ValueError(f"layer must be one of {', '.join(LAYERS)}; got {layer!r}.")
    n = np.asarray(n, dtype=np.float64)
    if not np.all(np.isfinite(n)) or np.any(n < 0):
        raise ValueError("n must be finite and not negative.")
    d, k = positive_int("d", d), positive_int("k", k, minimum=2)
    if layer == "self_attention":
        return n * n * d
    if layer == "recurrent":
        return n * d * d
    return k * n * d * d


def loglog_slope(ns: Any, seconds: Any) -> float | None:
    r"""Slope of the least-squares line through :math:`(\log n, \log t)` of the larger half.

    If :math:`t \approx c\,n^s` then :math:`\log t = \log c + s \log n`: the slope is the
    exponent. Small sizes are dominated by fixed costs, so only the points from the median
    size up are used; pairs with ``n <= 0`` or ``t <= 0`` are left out; ``None`` with fewer
    than two points left.

    >>> round(loglog_slope([16, 32, 64, 128], [1.0, 4.0, 16.0, 64.0]), 6)
    2.0
    """
    ns, seconds = np.asarray(ns, dtype=np.float64), np.asarray(seconds, dtype=np.float64)
    if ns.shape != seconds.shape or ns.ndim != 1:
        raise ValueError(
            f"ns and seconds must be two lists of one length; got {ns.shape}, {seconds.shape}."
        )
    keep = np.isfinite(ns) & np.isfinite(seconds) & (ns > 0) & (seconds > 0)
    x, y = np.log(ns[keep]), np.log(seconds[keep])
    if x.size < 2:
        return None
    start = (x.size - 1) // 2  # from the median size up: at least two points
    x, y = x[start:], y[start:]
    if np.ptp(x) == 0:
        return None
    slope = float(np.polyfit(x, y, 1)[0])
    return slope if np.isfinite(slope) else None


def crossover_n(d: int, k: int) -> dict[str, int]:
    r"""Sequence lengths below which self-attention does fewer operations than each layer.

    .. math:: n^2 d < n d^2 \iff n < d, \qquad n^2 d < k n d^2 \iff n < k d

    >>> crossover_n(d=64, k=3)
    {'recurrent': 64, 'convolutional': 192}
    """
    d, k = positive_int("d", d), positive_int("k", k, minimum=2)
    return {"recurrent": d, "convolutional": k * d}


def conv1d_layer(X: Any, kernel: Any) -> np.ndarray:
    r"""A 1-D convolution layer over a sequence, zero-padded to keep its length.

    .. math:: y_t = \sum_{j=0}^{k-1} W_j^\top x_{t + j - \lfloor k/2 \rfloor}

    ``k`` matrix products of ``(n, d_in) @ (d_in, d_out)``: :math:`k n d^2` operations.

    Args:
        X: ``(n, d_in)``; kernel: ``(k, d_in, d_out)``.

    Returns:
        ``(n, d_out)``.

    >>> conv1d_layer([[1.0], [2.0], [3.0]], np.ones((3, 1, 1)))
    array([[3.],
           [6.],
           [5.]])
    """
    X, W = as_matrix("X", X), as_array("kernel", kernel, ndim=3)
    same("the kernel's input width (kernel.shape[1])", W.shape[1], "the columns of X", X.shape[1])
    n, k = X.shape[0], W.shape[0]
    padded = np.pad(X, ((k // 2, k - 1 - k // 2), (0, 0)))  # (n + k - 1, d_in)
    Y = np.zeros((n, W.shape[2]))
    for j in range(k):  # one shifted matrix product per kernel tap
        Y += padded[j : j + n] @ W[j]  # (n, d_in) @ (d_in, d_out)
    return Y


def recurrent_layer(X: Any, W_h: Any, W_x: Any) -> np.ndarray:
    r"""An Elman RNN layer: each hidden state waits for the previous one.

    .. math:: h_t = \tanh(W_h h_{t-1} + W_x x_t), \qquad h_0 = 0

    The input products can run in parallel; the ``n`` recurrent products cannot:
    :math:`n` sequential steps of :math:`d^2` operations.

    Args:
        X: ``(n, d_in)``; W_h: ``(d, d)``; W_x: ``(d, d_in)``.

    Returns:
        ``(n, d)`` the hidden states.

    >>> recurrent_layer([[1.0], [0.0]], [[1.0]], [[1.0]]).round(3)
    array([[0.762],
           [0.642]])
    """
    X, W_h, W_x = as_matrix("X", X), as_matrix("W_h", W_h), as_matrix("W_x", W_x)
    same("the rows of W_h", W_h.shape[0], "its columns", W_h.shape[1])
    same("the rows of W_x", W_x.shape[0], "the size of W_h", W_h.shape[0])
    same("the columns of W_x", W_x.shape[1], "the columns of X", X.shape[1])
    inputs = X @ W_x.T  # (n, d) every W_x x_t at once
    H = np.empty_like(inputs)
    h = np.zeros(W_h.shape[0])  # (d,)
    for t in range(X.shape[0]):  # the sequential part: step t needs h_{t-1}
        h = np.tanh(W_h @ h + inputs[t])
        H[t] = h
    return H


def self_attention_layer(X: Any) -> np.ndarray:
    r"""Scaled dot-product self-attention of a sequence with itself, without projections.

    .. math:: Y = \operatorname{softmax}\!\big(X X^\top / \sqrt{d}\big)\, X

    Two products of :math:`n \times n \times d`: the :math:`n^2 d` of the table (the
    projections :math:`X W_Q` etc. would add :math:`n d^2`, which the table leaves out).

    Args:
        X: ``(n, d)``.

    Returns:
        ``(n, d)``.

    >>> self_attention_layer([[1.0, 0.0], [1.0, 0.0]])
    array([[1., 0.],
           [1., 0.]])
    """
    X = as_matrix("X", X)
    return np.array(attention(X, X, X).output)  # a writable (n, d) copy


def random_layer_params(d: int, k: int = 3, seed: int = 0) -> dict[str, np.ndarray]:
    r"""Seeded weights for the three layers on width ``d``, std :math:`1/\sqrt{\text{fan-in}}`.

    Returns:
        ``{"kernel": (k, d, d), "W_h": (d, d), "W_x": (d, d)}``.

    >>> {name: w.shape for name, w in random_layer_params(4, k=3).items()}
    {'kernel': (3, 4, 4), 'W_h': (4, 4), 'W_x': (4, 4)}
    """
    d, k = positive_int("d", d), positive_int("k", k)
    rng = np.random.default_rng(seed)
    return {
        "kernel": rng.normal(0.0, (k * d) ** -0.5, (k, d, d)),
        "W_h": rng.normal(0.0, d**-0.5, (d, d)),
        "W_x": rng.normal(0.0, d**-0.5, (d, d)),
    }
