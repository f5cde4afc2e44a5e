"""Slow, loop-by-loop references for kernel regression, convolution and image attention.

Written straight from the formulas, with no vectorisation and no shared code with
``attn_core``, so that a test comparing the two checks the fast version against the maths.
"""

from __future__ import annotations

import math

import numpy as np


def nadaraya_watson_loop(queries, keys, values, kernel, bandwidth):
    """Weights ``(n_q, n_k)`` and predictions ``(n_q,)``; NaN and zero weights if uncovered."""
    kernels = {
        "gaussian": lambda u: math.exp(-u * u / 2),
        "boxcar": lambda u: 1.0 if abs(u) <= 1 else 0.0,
        "epanechnikov": lambda u: max(0.0, 1 - u * u),
    }
    weights = np.zeros((len(queries), len(keys)))
    prediction = np.full(len(queries), np.nan)
    for i, q in enumerate(queries):
        raw = [kernels[kernel]((q - k) / bandwidth) for k in keys]
        total = sum(raw)
        if total > 0:
            weights[i] = [r / total for r in raw]
            prediction[i] = sum(w * v for w, v in zip(weights[i], values, strict=True))
    return weights, prediction


def leave_one_out_loss_loop(keys, values, w):
    """Mean over j of (prediction of key j from the other keys − value j)²."""
    n = len(keys)
    total = 0.0
    for j in range(n):
        others = [i for i in range(n) if i != j]
        scores = [-(((keys[j] - keys[i]) * w) ** 2) / 2 for i in others]
        top = max(scores)
        e = [math.exp(s - top) for s in scores]
        y_hat = sum(ei * values[i] for ei, i in zip(e, others, strict=True)) / sum(e)
        total += (y_hat - values[j]) ** 2
    return total / n


def receptive_field_loop(kernel_sizes, strides, dilations):
    """Follow the span of one output back through the layers, one layer at a time."""
    sizes = []
    for last in range(len(kernel_sizes)):
        lo, hi = 0, 0  # positions seen, in the grid of layer `last`
        for layer in range(last, -1, -1):
            k, s, d = kernel_sizes[layer], strides[layer], dilations[layer]
            # output index o of this layer reads inputs o*s + d*t, t = 0..k-1
            lo, hi = lo * s, hi * s + d * (k - 1)
        sizes.append(hi - lo + 1)
    return sizes


def conv2d_loop(image, kernel):
    """Zero-padded 'same' cross-correlation, one output pixel and one tap at a time."""
    h, w = image.shape
    kh, kw = kernel.shape
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            for a in range(kh):
                for b in range(kw):
                    m, n = i + a - kh // 2, j + b - kw // 2
                    if 0 <= m < h and 0 <= n < w:
                        out[i, j] += kernel[a, b] * image[m, n]
    return out


def conv_as_attention_loop(image, kernel, alpha):
    """K² heads, each a softmax over a zero-padded key grid wide enough to be exact.

    The padding makes exp(-alpha t²) < 1e-320 beyond it, so the truncated softmax equals the
    softmax over the infinite plane to float64. Dense over the whole padded grid: small images.
    """
    h, w = image.shape
    kh, kw = kernel.shape
    pad = max(kh, kw) + math.ceil(math.sqrt(740 / alpha)) + 1
    rows = np.arange(-pad, h + pad)
    cols = np.arange(-pad, w + pad)
    plane = np.zeros((rows.size, cols.size))
    plane[pad : pad + h, pad : pad + w] = image
    out = np.zeros((h, w))
    for a in range(-(kh // 2), kh // 2 + 1):
        for b in range(-(kw // 2), kw // 2 + 1):
            for i in range(h):
                for j in range(w):
                    dr = rows[:, None] - i - a
                    dc = cols[None, :] - j - b
                    scores = -alpha * (dr**2 + dc**2)
                    e = np.exp(scores - scores.max())
                    attn = e / e.sum()
                    out[i, j] += kernel[a + kh // 2, b + kw // 2] * (attn * plane).sum()
    return out


def attention_map_loop(image, pixel, tau, position_weight, window=None):
    """Softmax of −‖f_p − f_k‖²/τ over all pixels (or a clipped window), pixel by pixel."""
    img = image if image.ndim == 3 else image[:, :, None]
    h, w, _ = img.shape
    scale = max(h - 1, w - 1, 1)

    def feature(i, j):
        return [*img[i, j], position_weight * i / scale, position_weight * j / scale]

    fp = feature(*pixel)
    scores = np.full((h, w), -np.inf)
    for i in range(h):
        for j in range(w):
            if window is not None and (
                abs(i - pixel[0]) > window // 2 or abs(j - pixel[1]) > window // 2
            ):
                continue
            fk = feature(i, j)
            scores[i, j] = -sum((x - y) ** 2 for x, y in zip(fp, fk, strict=True)) / tau
    e = np.exp(scores - scores.max())
    return e / e.sum()
