r"""Convolution, its receptive field, and a convolution rebuilt from attention heads.

A convolution looks at a fixed K × K neighbourhood with fixed weights; stacking layers widens
what one output sees (the receptive field). Cordonnier, Loukas & Jaggi (2019, "On the
Relationship between Self-Attention and Convolutional Layers", ICLR 2020) show that K² attention
heads with a quadratic relative-position score reproduce any K × K convolution: head
:math:`\Delta` attends almost only to the pixel at offset :math:`\Delta`, and multiplies it by
the kernel weight :math:`w_\Delta`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from attn_core._validate import as_array, as_matrix, as_pixel, positive

# ---------------------------------------------------------------------------------------------
# Receptive field


def _layer_ints(name: str, x: Any, n_layers: int | None) -> np.ndarray:
    """Whole numbers >= 1, one per layer, as an int array ``(L,)``."""
    a = as_array(name, x)
    a = a.reshape(1) if a.ndim == 0 else a
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name} must be a list with one whole number per layer, got {x!r}.")
    if np.any(a != np.round(a)) or np.any(a < 1):
        raise ValueError(f"{name} must hold whole numbers >= 1 (one per layer), got {x!r}.")
    if n_layers is not None and a.size != n_layers:
        raise ValueError(
            f"{name} has {a.size} entries but kernel_sizes has {n_layers}; give one per layer."
        )
    return a.astype(np.int64)


def _layers(
    kernel_sizes: Any, strides: Any, dilations: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    k = _layer_ints("kernel_sizes", kernel_sizes, None)
    s = np.ones_like(k) if strides is None else _layer_ints("strides", strides, k.size)
    d = np.ones_like(k) if dilations is None else _layer_ints("dilations", dilations, k.size)
    return k, s, d


def receptive_jump(kernel_sizes: Any, strides: Any = None, dilations: Any = None) -> np.ndarray:
    r"""Jump after each layer: input pixels between two neighbouring outputs.

    .. math:: J_l = \prod_{i \le l} s_i

    Shapes: ``kernel_sizes``, ``strides``, ``dilations`` ``(L,)``; result ``(L,)`` ints.

    >>> receptive_jump([3, 3, 3], strides=[2, 1, 2]).tolist()
    [2, 2, 4]
    """
    _, s, _ = _layers(kernel_sizes, strides, dilations)
    return np.cumprod(s)


def receptive_field(kernel_sizes: Any, strides: Any = None, dilations: Any = None) -> np.ndarray:
    r"""Receptive field size after each layer (input pixels one output sees along one axis).

    .. math:: r_0 = 1, \qquad r_l = r_{l-1} + (k_l - 1)\, d_l \prod_{i<l} s_i

    Shapes: ``kernel_sizes (L,)``, ``strides (L,)`` and ``dilations (L,)`` (default all 1);
    result ``(L,)`` ints, entry ``l - 1`` after layer ``l``.

    >>> receptive_field([3, 3]).tolist()
    [3, 5]
    >>> receptive_field([3, 3, 3], strides=[2, 2, 1], dilations=[1, 1, 2]).tolist()
    [3, 7, 23]
    """
    k, s, d = _layers(kernel_sizes, strides, dilations)
    jump_before = np.concatenate([[1], np.cumprod(s)[:-1]])  # (L,) prod_{i<l} s_i
    return 1 + np.cumsum((k - 1) * d * jump_before)


def receptive_region(
    pixel: Any, kernel_sizes: Any, strides: Any = None, dilations: Any = None
) -> np.ndarray:
    r"""Input rows and columns that one output pixel sees after each layer (not clipped).

    Convention: "same" padding, so a layer with kernel :math:`k` and dilation :math:`d` reaches
    :math:`\lfloor (k-1)d/2 \rfloor` steps back and the rest forward (symmetric for odd
    :math:`k`); a step of layer :math:`l` is :math:`J_{l-1} = \prod_{i<l} s_i` input pixels.
    ``pixel = (row, col)`` is where the output sits on the input grid (with strides, output
    index × jump). Rows and columns outside ``[0, H)`` are zero padding; clip them to draw.

    Shapes: ``pixel (2,)``, per-layer arguments ``(L,)``; result ``(L, 4)`` ints
    ``[row_first, row_last, col_first, col_last]`` (inclusive), row ``l - 1`` after layer ``l``.

    >>> receptive_region((2, 2), [3, 3]).tolist()
    [[1, 3, 1, 3], [0, 4, 0, 4]]
    """
    k, s, d = _layers(kernel_sizes, strides, dilations)
    p = as_array("pixel", pixel, ndim=1)
    if p.size != 2 or np.any(p != np.round(p)):
        raise ValueError(f"pixel must be two whole numbers (row, col), got {pixel!r}.")
    row, col = (int(v) for v in p)
    jump_before = np.concatenate([[1], np.cumprod(s)[:-1]])  # (L,)
    span = (k - 1) * d  # (L,) kernel extent in that layer's steps
    back = np.cumsum(span // 2 * jump_before)  # (L,)
    ahead = np.cumsum((span - span // 2) * jump_before)  # (L,)
    return np.stack([row - back, row + ahead, col - back, col + ahead], axis=1)


# ---------------------------------------------------------------------------------------------
# Convolution


def _odd_kernel(kernel: Any) -> np.ndarray:
    w = as_matrix("kernel", kernel)
    if w.shape[0] % 2 == 0 or w.shape[1] % 2 == 0:
        raise ValueError(
            f"kernel must have an odd size in both directions (1, 3, 5, …) so it has a centre "
            f"pixel; got shape {w.shape}."
        )
    return w


def kernel_at(kernel: Any, shape: Any, pixel: Any) -> np.ndarray:
    r"""A kernel's weights placed around one pixel on an otherwise zero map: the static weights
    a convolution gives the input pixels of output :math:`p`.

    .. math:: M_{p + \Delta} = w_\Delta \quad (\Delta \in [-r_h, r_h] \times [-r_w, r_w]),
              \qquad M_k = 0 \text{ elsewhere}

    Weights that fall outside the map (the zero padding) are dropped.

    Shapes: ``kernel (K_h, K_w)`` odd sides, ``shape (H, W, ...)`` (only ``H, W`` used),
    ``pixel (row, col)``; result ``(H, W)``.

    >>> kernel_at(np.arange(9.0).reshape(3, 3), (3, 4), (0, 3)).tolist()
    [[0.0, 0.0, 3.0, 4.0], [0.0, 0.0, 6.0, 7.0], [0.0, 0.0, 0.0, 0.0]]
    """
    w = _odd_kernel(kernel)
    try:
        h, wd = (int(v) for v in tuple(shape)[:2])
    except (TypeError, ValueError):
        raise ValueError(
            f"shape must start with two whole numbers (H, W), got {shape!r}."
        ) from None
    if h < 1 or wd < 1:
        raise ValueError(f"shape must be at least 1 × 1, got {h} × {wd}.")
    p = as_pixel("pixel", pixel, (h, wd))
    rh, rw = w.shape[0] // 2, w.shape[1] // 2
    out = np.zeros((h, wd))  # (H, W)
    r0, r1 = max(p[0] - rh, 0), min(p[0] + rh + 1, h)
    c0, c1 = max(p[1] - rw, 0), min(p[1] + rw + 1, wd)
    out[r0:r1, c0:c1] = w[r0 - p[0] + rh : r1 - p[0] + rh, c0 - p[1] + rw : c1 - p[1] + rw]
    return out


def conv2d(image: Any, kernel: Any) -> np.ndarray:
    r"""Zero-padded "same" 2-D cross-correlation (what deep-learning libraries call conv).

    .. math:: y_{ij} = \sum_{a=-r_h}^{r_h} \sum_{b=-r_w}^{r_w} w_{a+r_h,\, b+r_w}\, x_{i+a,\, j+b},
              \qquad x = 0 \text{ outside the image}

    Shapes: ``image (H, W)``, ``kernel (K_h, K_w)`` with odd sizes, :math:`r = \lfloor K/2 \rfloor`;
    result ``(H, W)``. Summed over the :math:`K_h K_w` shifts of the padded image.

    >>> conv2d(np.eye(3), np.ones((3, 3))).astype(int).tolist()
    [[2, 2, 1], [2, 3, 2], [1, 2, 2]]
    """
    x = as_matrix("image", image)
    w = _odd_kernel(kernel)
    (h, wd), (kh, kw) = x.shape, w.shape
    padded = np.pad(x, ((kh // 2, kh // 2), (kw // 2, kw // 2)))  # (H + K_h - 1, W + K_w - 1)
    out = np.zeros_like(x)  # (H, W)
    for a in range(kh):
        for b in range(kw):
            out += w[a, b] * padded[a : a + h, b : b + wd]
    return out


# ---------------------------------------------------------------------------------------------
# Convolution as attention (Cordonnier, Loukas & Jaggi, 2019)


def _gauss_sum(alpha: float) -> float:
    r""":math:`Z(\alpha) = \sum_{t \in \mathbb{Z}} e^{-\alpha t^2}`, exact to float64 for any α > 0.

    For :math:`\alpha \ge \pi` the terms fall like :math:`e^{-\pi t^2}`; below, Poisson
    summation gives the same sum as
    :math:`\sqrt{\pi/\alpha}\sum_{m \in \mathbb{Z}} e^{-\pi^2 m^2/\alpha}`, whose terms fall at
    least as fast. 30 terms each side leave a tail below :math:`10^{-300}`.
    """
    t = np.arange(1, 31, dtype=np.float64)
    if alpha >= np.pi:
        return float(1.0 + 2.0 * np.exp(-alpha * t * t).sum())
    return float(np.sqrt(np.pi / alpha) * (1.0 + 2.0 * np.exp(-(np.pi**2) * t * t / alpha).sum()))


def _axis_attention(n: int, r: int, alpha: float, z: float) -> np.ndarray:
    r"""One axis of every head: :math:`A^{(a)}_{im} = e^{-\alpha (m - i - a)^2} / Z` for query row
    ``i`` and key row ``m`` inside the image, offsets :math:`a = -r \dots r`; ``(2r + 1, n, n)``.

    The rest of the (infinite, zero-valued) padding takes the missing mass, which is why ``Z``
    sums over all integers. The matrices are Toeplitz: one 1-D profile, gathered.
    """
    t = np.arange(-(n - 1) - r, n + r)  # every value of m − i − a that occurs
    profile = np.exp(-alpha * (t * t).astype(np.float64)) / z  # (2n + 2r - 1,)
    profile[profile < 1e-100] = 0.0  # far below float64 precision; avoids slow subnormals
    idx = np.arange(n)
    lag = idx[None, :] - idx[:, None]  # (n, n) m − i
    a = np.arange(-r, r + 1)[:, None, None]  # (2r + 1, 1, 1)
    return profile[lag[None] - a + (n - 1) + r]  # (2r + 1, n, n)


@dataclass(frozen=True, eq=False)
class ConvAttention:
    """A K_h × K_w convolution computed by K_h·K_w attention heads."""

    output: np.ndarray  # (H, W) sum of the heads; → conv2d(image, kernel) as alpha grows
    head_outputs: np.ndarray  # (K_h*K_w, H, W) head Δ: attention-weighted pixels × kernel[Δ]
    weights: np.ndarray  # (K_h*K_w, H + 2r_h, W + 2r_w) each head's map at `query`, padded grid
    offsets: np.ndarray  # (K_h*K_w, 2) head Δ = (a, b), row-major over the kernel
    mass_beyond: np.ndarray  # (K_h*K_w,) softmax mass on keys outside the drawn padded grid
    query: tuple[int, int]  # the query pixel (row, col) of `weights`
    padding: tuple[int, int]  # (r_h, r_w): weights[:, r_h + i, r_w + j] is image pixel (i, j)


def conv_as_attention(image: Any, kernel: Any, alpha: float, query: Any = None) -> ConvAttention:
    r"""A convolution built from K² attention heads with a quadratic positional score.

    Head :math:`\Delta = (a, b)`, :math:`a, b \in \{-r, \dots, r\}`, scores key position
    :math:`k` from query pixel :math:`p` by position alone, and its value is the pixel times the
    kernel weight at :math:`\Delta`:

    .. math:: s_\Delta(p, k) = -\alpha \lVert (k - p) - \Delta \rVert^2, \qquad
              y_p = \sum_\Delta \sum_{k \in \mathbb{Z}^2}
                    \operatorname{softmax}_k\big(s_\Delta(p, k)\big)\, w_\Delta\, x_k

    Keys are every position of the infinite plane; pixels outside the image are 0 but still
    take softmax mass, so as :math:`\alpha \to \infty` each head becomes one-hot on
    :math:`p + \Delta` and :math:`y` becomes :func:`conv2d` (error :math:`\approx e^{-\alpha}`).
    Because :math:`\lVert u \rVert^2 = u_\text{row}^2 + u_\text{col}^2`, each head's softmax is the
    outer product of a row softmax and a column softmax, with normaliser
    :math:`Z(\alpha) = \sum_{t \in \mathbb{Z}} e^{-\alpha t^2}` (exact, no truncation), and
    head :math:`\Delta` is :math:`A^{(a)} X A^{(b)\top}` — no dense :math:`HW \times HW` matrix.

    Shapes: ``image (H, W)``, ``kernel (K_h, K_w)`` odd, ``alpha > 0``, ``query (row, col)``
    (default the centre pixel). ``.weights`` are the heads' maps at ``query`` over the image
    plus an ``r``-wide frame of padding (so each head's target :math:`p + \Delta` is drawn);
    ``.weights[h].sum() + .mass_beyond[h] == 1``.

    >>> x = np.arange(9.0).reshape(3, 3)
    >>> r = conv_as_attention(x, np.ones((3, 3)), alpha=50.0)
    >>> bool(np.allclose(r.output, conv2d(x, np.ones((3, 3))), atol=1e-12)), r.weights.shape
    (True, (9, 5, 5))
    """
    x = as_matrix("image", image)
    w = _odd_kernel(kernel)
    a_ = positive("alpha", alpha)
    (h, wd), (kh, kw) = x.shape, w.shape
    rh, rw = kh // 2, kw // 2
    qi, qj = (h // 2, wd // 2) if query is None else as_pixel("query", query, x.shape)
    z = _gauss_sum(a_)
    rows = _axis_attention(h, rh, a_, z)  # (K_h, H, H)
    cols = _axis_attention(wd, rw, a_, z)  # (K_w, W, W)
    # 2-D matmuls one by one: NumPy's broadcast batched matmul skips BLAS and is ~50× slower.
    row_mixed = [rows[a] @ x for a in range(kh)]  # K_h × (H, W): rows attended, columns not
    heads = np.stack(
        [w[a, b] * (row_mixed[a] @ cols[b].T) for a in range(kh) for b in range(kw)]
    )  # (K_h*K_w, H, W) head Δ = (a, b), row-major
    offsets = np.array([(a, b) for a in range(-rh, rh + 1) for b in range(-rw, rw + 1)])

    # The maps at the query: row and column softmaxes over the padded grid, outer product.
    grid_r, grid_c = np.arange(-rh, h + rh), np.arange(-rw, wd + rw)  # (H + 2r_h,), (W + 2r_w,)
    row_w = np.exp(-a_ * (grid_r[None, :] - qi - offsets[:, :1]) ** 2) / z  # (K², H + 2r_h)
    col_w = np.exp(-a_ * (grid_c[None, :] - qj - offsets[:, 1:]) ** 2) / z  # (K², W + 2r_w)
    maps = row_w[:, :, None] * col_w[:, None, :]  # (K², H + 2r_h, W + 2r_w)
    beyond = np.maximum(0.0, 1.0 - row_w.sum(axis=1) * col_w.sum(axis=1))  # (K²,)
    return ConvAttention(
        output=heads.sum(axis=0),
        head_outputs=heads,
        weights=maps,
        offsets=offsets,
        mass_beyond=beyond,
        query=(qi, qj),
        padding=(rh, rw),
    )


def conv_attention_error(image: Any, kernel: Any, alphas: Any) -> np.ndarray:
    r"""Largest gap between the attention construction and the convolution, per α.

    .. math:: e(\alpha) = \max_{i,j} \big| y^\text{attn}_{ij}(\alpha) - y^\text{conv}_{ij} \big|

    For large α the error falls like :math:`e^{-\alpha}`. For small α (below about 1) each head
    spreads far into the zero padding, and the error can first rise before it falls.

    Shapes: ``image (H, W)``, ``kernel (K_h, K_w)``, ``alphas (n,)`` all > 0; result ``(n,)``.

    >>> e = conv_attention_error(np.eye(4), np.ones((3, 3)), [0.5, 2.0, 8.0])
    >>> bool(e[0] > e[1] > e[2])
    True
    """
    x = as_matrix("image", image)
    conv = conv2d(x, kernel)  # (H, W)
    a = as_array("alphas", alphas)
    a = a.reshape(1) if a.ndim == 0 else as_array("alphas", a, ndim=1)
    return np.array([np.abs(conv_as_attention(x, kernel, v).output - conv).max() for v in a])
