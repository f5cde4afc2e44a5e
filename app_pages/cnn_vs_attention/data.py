"""Data for the CNN-vs-attention page: kernels, CNN stacks and published results.

Pure (no Streamlit). The published numbers are copied from the paper's tables, with the table
named next to them; nothing here is computed by the app.
"""

from __future__ import annotations

from typing import Final

import numpy as np

# ---------------------------------------------------------------------------------------------
# Convolution kernels (the construction reproduces any of them)

KERNELS: Final = ("blur", "sharpen", "sobel_x", "sobel_y", "identity", "random")
KERNEL_SIZES: Final = (3, 5)
KERNEL_LIMIT: Final = 10.0  # cells of an edited kernel are kept within ±10
_BINOMIAL: Final = {3: np.array([1.0, 2.0, 1.0]), 5: np.array([1.0, 4.0, 6.0, 4.0, 1.0])}
_DERIVATIVE: Final = {3: np.array([-1.0, 0.0, 1.0]), 5: np.array([-1.0, -2.0, 0.0, 2.0, 1.0])}


def kernel(name: str, size: int, seed: int = 0) -> np.ndarray:
    """A ``(size, size)`` kernel: binomial blur, sharpen (2·identity − blur), Sobel, identity,
    or random normal weights (rounded to 0.01, so a link holds them exactly)."""
    if size not in KERNEL_SIZES:
        raise ValueError(f"kernel size must be 3 or 5, got {size!r}.")
    b = _BINOMIAL[size]
    blur = np.outer(b, b) / b.sum() ** 2  # (K, K) sums to 1
    identity = np.zeros((size, size))
    identity[size // 2, size // 2] = 1.0
    if name == "blur":
        return blur
    if name == "sharpen":
        return 2.0 * identity - blur
    if name == "sobel_x":
        return np.outer(b, _DERIVATIVE[size]) / (1.0 if size == 3 else 4.0)
    if name == "sobel_y":
        return np.outer(_DERIVATIVE[size], b) / (1.0 if size == 3 else 4.0)
    if name == "identity":
        return identity
    if name == "random":
        rng = np.random.default_rng(seed)
        return np.round(rng.normal(0.0, 1.0 / size, (size, size)), 2)
    raise ValueError(f"unknown kernel {name!r}; choose one of {', '.join(KERNELS)}.")


def kernel_name(k: np.ndarray, seed: int = 0) -> str | None:
    """The preset that ``k`` equals (the random one for ``seed``), or None if edited."""
    k = np.asarray(k, dtype=np.float64)
    if k.ndim != 2 or k.shape[0] != k.shape[1] or k.shape[0] not in KERNEL_SIZES:
        return None
    for name in KERNELS:
        if np.allclose(k, kernel(name, k.shape[0], seed), rtol=0, atol=1e-12):
            return name
    return None


def resize_kernel(k: np.ndarray, size: int) -> np.ndarray:
    """A kernel cut to its centre (5 → 3) or framed with zeros (3 → 5)."""
    k = np.asarray(k, dtype=np.float64)
    n = k.shape[0]
    if n == size:
        return k.copy()
    if n > size:
        m = (n - size) // 2
        return k[m : m + size, m : m + size].copy()
    out = np.zeros((size, size))
    m = (size - n) // 2
    out[m : m + n, m : m + n] = k
    return out


# ---------------------------------------------------------------------------------------------
# CNN stacks: one row per layer, columns kernel size, stride, dilation

MAX_LAYERS: Final = 8
LAYER_LIMITS: Final = ((1, 11), (1, 4), (1, 32))  # (lo, hi) of kernel size, stride, dilation
STACKS: Final = ("plain", "strided", "dilated")


def stack(name: str, n_layers: int) -> np.ndarray:
    """``(L, 3)`` layers: plain 3 × 3; 3 × 3 with stride 2; 3 × 3 with dilation 1, 2, 4, …"""
    n = int(n_layers)
    rows = np.tile([3.0, 1.0, 1.0], (n, 1))
    if name == "strided":
        rows[:, 1] = 2.0
    elif name == "dilated":
        rows[:, 2] = np.minimum(2.0 ** np.arange(n), LAYER_LIMITS[2][1])
    elif name != "plain":
        raise ValueError(f"unknown stack {name!r}; choose one of {', '.join(STACKS)}.")
    return rows


def resize_stack(layers: np.ndarray, n_layers: int) -> np.ndarray:
    """Drop layers from the top, or repeat the last layer, to get ``n_layers`` rows."""
    layers = np.asarray(layers, dtype=np.float64)
    n = int(n_layers)
    if n <= len(layers):
        return layers[:n].copy()
    return np.vstack([layers, np.tile(layers[-1], (n - len(layers), 1))])


def clean_stack(layers: np.ndarray) -> tuple[np.ndarray, bool]:
    """Whole numbers within each column's limits; also says whether anything was changed."""
    layers = np.asarray(layers, dtype=np.float64)
    lo = np.array([lim[0] for lim in LAYER_LIMITS], dtype=np.float64)
    hi = np.array([lim[1] for lim in LAYER_LIMITS], dtype=np.float64)
    out = np.clip(np.round(layers), lo, hi)
    return out, bool(np.any(out != layers))


# ---------------------------------------------------------------------------------------------
# Published results: Dosovitskiy et al. (2021), "An Image is Worth 16x16 Words", ICLR 2021

PRETRAINING: Final = (  # (name, number of training images) as given in the paper's §4.1
    ("ImageNet", 1.3e6),
    ("ImageNet-21k", 14e6),
    ("JFT-300M", 303e6),
)
# Table 5 (appendix): ImageNet top-1 accuracy (%) after fine-tuning at 384 px, per pre-training
# dataset above; ViT-H/14 was not pre-trained on ImageNet alone (“-” in the table).
VIT_TABLE5: Final = {
    "ViT-B/32": (73.38, 81.28, 80.73),
    "ViT-B/16": (77.91, 83.97, 84.15),
    "ViT-L/32": (71.16, 80.99, 84.37),
    "ViT-L/16": (76.53, 85.15, 87.12),
    "ViT-H/14": (None, 85.13, 88.04),
}
# Table 2: ImageNet top-1 accuracy (%) and pre-training cost (TPUv3-core-days).
TABLE2: Final = (  # (model, pre-training data, accuracy, core-days, is a CNN)
    ("ViT-H/14", "JFT-300M", 88.55, 2500, False),
    ("ViT-L/16", "JFT-300M", 87.76, 680, False),
    ("BiT-L (ResNet152x4)", "JFT-300M", 87.54, 9900, True),
    ("ViT-L/16", "ImageNet-21k", 85.30, 230, False),
)
