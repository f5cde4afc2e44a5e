r"""Alignment variants of Luong, Pham & Manning (2015): global vs local, soft vs hard.

*Global* attention normalises the scores over all :math:`S` source positions. *Local*
attention looks only at the window :math:`[p_t - D, p_t + D]` (clipped at the ends of the
sentence) and comes in two modes (§3.2 of the paper):

- ``local-m`` (monotonic) sets :math:`p_t = t` and takes the softmax of the scores inside the
  window: the weights in the window sum to 1, every weight outside is 0;
- ``local-p`` (predictive) predicts :math:`p_t = S \cdot \operatorname{sigmoid}(v_p^\top
  \tanh(W_p h_t))` and multiplies that window softmax by a Gaussian
  :math:`\exp(-(s - p_t)^2 / (2\sigma^2))`, :math:`\sigma = D/2`, which favours positions near
  :math:`p_t`. As in the paper the product is not renormalised: local-p weights sum to less
  than 1.

*Soft* attention returns the weighted mean of the values; *hard* attention samples one
position from the weights, and only the mean of many samples approaches the soft context.
Positions are numbered from 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np

from ._validate import as_array, as_matrix, as_vector, positive_int, same
from .softmax import _as_probabilities, _softmax_, softmax

LocalMode = Literal["local-m", "local-p"]
LOCAL_MODES: tuple[LocalMode, ...] = get_args(LocalMode)  # ("local-m", "local-p")


def global_weights(scores: Any, tau: float = 1.0) -> np.ndarray:
    r"""Global alignment: a softmax over every source position.

    .. math::
        a_t(s) = \frac{\exp(\text{score}(h_t, \bar h_s)/\tau)}
                      {\sum_{s'} \exp(\text{score}(h_t, \bar h_{s'})/\tau)}

    Args:
        scores: ``(S,)`` one target step, or ``(T, S)`` one row per target step.

    Returns:
        Weights of the same shape, each row summing to 1.

    >>> np.round(global_weights([1.0, 2.0, 3.0]), 3)
    array([0.09 , 0.245, 0.665])
    """
    return softmax(scores, tau=tau, axis=-1)


def softmax_parts(scores: Any, window: Any = None) -> tuple[float, float]:
    r"""The two numbers a worked softmax shows: the largest score :math:`m` and the denominator.

    .. math::
        \operatorname{softmax}(z)_s = \frac{e^{z_s - m}}{\sum_{s' \in W} e^{z_{s'} - m}},
        \qquad m = \max_{s' \in W} z_{s'}

    Args:
        scores: ``(S,)`` one target step.
        window: ``(S,)`` bool, the positions :math:`W` that take part (default: all).

    Returns:
        ``(m, denominator)`` as floats.

    >>> softmax_parts([0.0, 1.0, 5.0], window=[True, True, False])
    (1.0, 1.3678794411714423)
    """
    z = as_vector("scores", scores)
    inside = np.ones(z.shape, dtype=bool) if window is None else np.asarray(window, dtype=bool)
    if inside.shape != z.shape or not inside.any():
        raise ValueError(
            f"window must be {z.shape[0]} True/False values with at least one True, "
            f"got shape {inside.shape}."
        )
    m = float(z[inside].max())
    return m, float(np.exp(z[inside] - m).sum())


def position_logit(h_t: Any, W_p: Any, v_p: Any) -> float | np.ndarray:
    r"""What local-p feeds to the sigmoid: :math:`v_p^\top \tanh(W_p h_t)`.

    Args:
        h_t: ``(d,)`` one decoder state, or ``(T, d)`` one per step.
        W_p: ``(h, d)``; v_p: ``(h,)``.

    Returns:
        A float for one state, ``(T,)`` for several.

    >>> position_logit([0.0, 0.0], np.ones((3, 2)), np.ones(3))
    0.0
    """
    h = as_array("h_t", h_t)
    if h.ndim not in (1, 2):
        raise ValueError(f"h_t must be one state (d,) or a matrix of states (T, d), got {h.shape}.")
    W_p, v_p = as_matrix("W_p", W_p), as_vector("v_p", v_p)
    same("the columns of W_p", W_p.shape[1], "the length of h_t", h.shape[-1])
    same("the length of v_p", v_p.shape[0], "the rows of W_p", W_p.shape[0])
    x = np.tanh(h @ W_p.T) @ v_p  # (T,) or ()
    return float(x) if x.ndim == 0 else x


def predicted_position(h_t: Any, W_p: Any, v_p: Any, S: int) -> float | np.ndarray:
    r"""Local-p's centre, predicted from the decoder state: a real number in :math:`[0, S]`.

    .. math:: p_t = S \cdot \operatorname{sigmoid}\!\big(v_p^\top \tanh(W_p h_t)\big)

    Args:
        h_t: ``(d,)`` one decoder state, or ``(T, d)`` one per step.
        W_p: ``(h, d)``; v_p: ``(h,)`` (learned; :func:`random_position_params` makes some).
        S: source length.

    Returns:
        A float for one state, ``(T,)`` for several.

    >>> predicted_position([0.0, 0.0], np.ones((3, 2)), np.ones(3), S=10)
    5.0
    """
    x = np.asarray(position_logit(h_t, W_p, v_p))  # (T,) or ()
    S = positive_int("S", S)
    p = S * 0.5 * (1.0 + np.tanh(x / 2.0))  # sigmoid(x) = (1 + tanh(x/2)) / 2, never overflows
    return float(p) if p.ndim == 0 else p


def random_position_params(d: int, h: int = 8, seed: int = 0) -> dict[str, np.ndarray]:
    r"""Seeded ``W_p (h, d)`` and ``v_p (h,)`` for :func:`predicted_position`.

    .. math:: (W_p)_{ij} \sim \mathcal N(0, 1/d), \qquad (v_p)_i \sim \mathcal N(0, 1/h)

    >>> {name: w.shape for name, w in random_position_params(4, h=2).items()}
    {'W_p': (2, 4), 'v_p': (2,)}
    """
    d, h = positive_int("d", d), positive_int("h", h)
    rng = np.random.default_rng(seed)
    return {"W_p": rng.normal(0.0, d**-0.5, (h, d)), "v_p": rng.normal(0.0, h**-0.5, h)}


@dataclass(frozen=True)
class LocalAlignment:
    """Local attention, step by step; arrays are ``(S,)`` for one target step, else ``(T, S)``."""

    mode: LocalMode  # "local-m" or "local-p"
    p_t: float | np.ndarray  # the window's centre (float, or (T,))
    D: int  # half-width of the window
    window: np.ndarray  # bool, True where |s - p_t| <= D (inside the sentence)
    window_softmax: np.ndarray  # softmax of the scores inside the window, 0 outside
    sigma: float | None  # D / 2 for local-p; None for local-m (no Gaussian)
    gaussian: np.ndarray | None  # local-p: exp(-(s - p_t)^2 / (2 sigma^2)) everywhere; else None
    weights: np.ndarray  # local-m: window_softmax; local-p: window_softmax * gaussian

    @property
    def total(self) -> float | np.ndarray:
        """Sum of the weights of each step: 1 for local-m, less than 1 for local-p."""
        total = self.weights.sum(axis=-1)
        return float(total) if total.ndim == 0 else total

    @property
    def normalised(self) -> np.ndarray:
        """``weights`` rescaled to sum to 1 (for sampling; the paper does not renormalise
        local-p, and local-m needs no rescaling)."""
        return self.weights / self.weights.sum(axis=-1, keepdims=True)

    @property
    def first(self) -> int | np.ndarray:
        """The first position inside the window, ``max(0, ⌈p_t − D⌉)``."""
        first = np.argmax(self.window, axis=-1)
        return int(first) if first.ndim == 0 else first

    @property
    def last(self) -> int | np.ndarray:
        """The last position inside the window, ``min(S − 1, ⌊p_t + D⌋)``."""
        last = self.window.shape[-1] - 1 - np.argmax(self.window[..., ::-1], axis=-1)
        return int(last) if last.ndim == 0 else last


def local_weights(scores: Any, p_t: Any, D: int, *, mode: LocalMode) -> LocalAlignment:
    r"""Luong's local alignment around ``p_t`` with half-width ``D`` (Luong et al., 2015, §3.2).

    Only the window :math:`W_t = \{s : |s - p_t| \le D,\ 0 \le s < S\}` takes part; positions
    outside it (and outside the sentence) get weight 0.

    ``mode="local-m"`` (monotonic, :math:`p_t = t`): the softmax restricted to the window,

    .. math::
        a_t(s) = \frac{\exp\big(\text{score}(h_t, \bar h_s)\big)}
                      {\sum_{s' \in W_t} \exp\big(\text{score}(h_t, \bar h_{s'})\big)},
        \qquad \sum_{s \in W_t} a_t(s) = 1.

    ``mode="local-p"`` (predictive, :math:`p_t` from :func:`predicted_position`): that window
    softmax times a Gaussian centred at :math:`p_t`,

    .. math::
        a_t(s) = \frac{\exp\big(\text{score}(h_t, \bar h_s)\big)}
                      {\sum_{s' \in W_t} \exp\big(\text{score}(h_t, \bar h_{s'})\big)}
        \cdot \exp\!\Big(-\frac{(s - p_t)^2}{2\sigma^2}\Big), \qquad \sigma = \frac{D}{2}.

    Like the paper, local-p is **not** renormalised after the Gaussian, so its weights sum
    to less than 1 (exactly 1 only if all the window softmax sits on :math:`s = p_t`);
    ``.normalised`` gives the rescaled variant, ``.total`` the sums.

    Args:
        scores: ``(S,)`` for one target step, or ``(T, S)``.
        p_t: the centre, a number (or ``(T,)`` numbers for ``(T, S)`` scores). For local-m
            the target step ``t``, a whole number ``0 .. S-1+D`` (``np.arange(T)`` for a
            ``(T, S)`` matrix); for local-p a real number in ``-D .. S-1+D``, normally
            :func:`predicted_position`'s ``S · sigmoid(…)`` in ``[0, S]``.
        D: half-width of the window, a whole number ``>= 1``.
        mode: ``"local-m"`` or ``"local-p"``; anything else raises ``ValueError``.

    Returns:
        :class:`LocalAlignment` whose arrays have the shape of ``scores``; ``.weights`` is
        the alignment, ``.gaussian`` and ``.sigma`` are ``None`` for local-m.

    >>> m = local_weights([0.0, 0.0, 0.0, 0.0, 0.0], p_t=2, D=1, mode="local-m")
    >>> np.round(m.weights, 3), m.total
    (array([0.   , 0.333, 0.333, 0.333, 0.   ]), 1.0)
    >>> p = local_weights([0.0, 0.0, 0.0, 0.0, 0.0], p_t=2, D=1, mode="local-p")
    >>> np.round(p.weights, 3), round(p.total, 3)
    (array([0.   , 0.045, 0.333, 0.045, 0.   ]), 0.424)
    """
    if mode not in LOCAL_MODES:
        raise ValueError(
            f"mode must be 'local-m' (window softmax around p_t = t) or 'local-p' "
            f"(window softmax times a Gaussian around a predicted p_t), got {mode!r}."
        )
    z = as_array("scores", scores)
    if z.ndim not in (1, 2):
        raise ValueError(f"scores must be (S,) or (T, S), got shape {z.shape}.")
    D = positive_int("D", D)
    p = as_array("p_t", p_t)
    if p.ndim > 1 or (p.ndim == 1 and (z.ndim == 1 or p.shape[0] != z.shape[0])):
        want = "one number" if z.ndim == 1 else f"one number or {z.shape[0]} numbers"
        raise ValueError(f"p_t must be {want}, got shape {p.shape}.")
    S = z.shape[-1]
    lo = 0 if mode == "local-m" else -D
    if ((p < lo) | (p > S - 1 + D)).any():
        raise ValueError(
            f"p_t must lie between {lo} and S - 1 + D = {S - 1 + D} so that the window "
            f"[p_t - D, p_t + D] holds a position, got {p_t!r}."
        )
    if mode == "local-m" and (p != np.round(p)).any():
        raise ValueError(
            f"local-m centres the window on the target step, p_t = t, a whole number; got "
            f"{p_t!r} (use mode='local-p' for a real-valued centre)."
        )
    centre = p[..., None] if z.ndim == 2 and p.ndim == 1 else p  # broadcasts against (…, S)
    offset = np.arange(S) - centre  # (S,) or (T, S): s - p_t
    window = np.broadcast_to(np.abs(offset) <= D, z.shape).copy()
    window_softmax = _softmax_(np.where(window, z, -np.inf), 1.0, -1)  # 0 outside the window
    p_out = float(p) if p.ndim == 0 else p
    if mode == "local-m":
        return LocalAlignment(mode, p_out, D, window, window_softmax, None, None, window_softmax)
    sigma = D / 2.0
    gaussian = np.broadcast_to(np.exp(-(offset**2) / (2.0 * sigma**2)), z.shape).copy()
    weights = window_softmax * gaussian
    return LocalAlignment(mode, p_out, D, window, window_softmax, sigma, gaussian, weights)


def peak_hit_rate(weights: Any, truth: Any) -> float:
    r"""Share of target steps whose largest weight falls on the true source position.

    .. math:: \frac{1}{T} \sum_t \big[\arg\max_s a_t(s) = s^*_t\big]

    Args:
        weights: ``(T, S)``; truth: ``(T,)`` whole numbers, the true position of each step.

    >>> peak_hit_rate([[0.1, 0.9], [0.8, 0.2]], [1, 1])
    0.5
    """
    a = as_matrix("weights", weights)
    s = as_vector("truth", truth)
    same("the length of truth", s.shape[0], "the rows of weights", a.shape[0])
    return float(np.mean(a.argmax(axis=1) == s))


@dataclass(frozen=True)
class HardAttention:
    """Hard attention by sampling, beside the soft context it approximates."""

    positions: np.ndarray  # (N,) int, the sampled positions
    samples: np.ndarray  # (N, d_v) the values at those positions: one context per sample
    running_mean: np.ndarray  # (N, d_v) mean of the first 1, 2, ..., N samples
    soft_context: np.ndarray  # (d_v,) weights @ values, the expectation of one sample
    error: np.ndarray  # (N,) ||running_mean - soft_context||, falls like 1/sqrt(N)
    expected_error: np.ndarray  # (N,) sqrt(sum_s a_s ||v_s - soft_context||^2 / N), the RMS error


def sample_positions(weights: Any, n: int, seed: int = 0) -> np.ndarray:
    r"""Draw ``n`` positions independently with probabilities ``weights``.

    .. math:: s_1, \dots, s_n \sim \operatorname{Categorical}(a), \qquad P(s_i = s) = a_s

    Args:
        weights: ``(S,)`` non-negative, summing to 1 (renormalise local weights first).
        n: number of samples; seed: for ``np.random.default_rng``.

    Returns:
        ``(n,)`` int positions in ``0 .. S-1``.

    >>> sample_positions([0.0, 1.0, 0.0], n=3)
    array([1, 1, 1])
    """
    a = _as_probabilities("weights", weights)
    n = positive_int("n", n)
    return np.random.default_rng(seed).choice(a.shape[0], size=n, p=a / a.sum())


def hard_attention(weights: Any, values: Any, n_samples: int, seed: int = 0) -> HardAttention:
    r"""Hard attention: sample positions, take their values, and compare with soft attention.

    .. math::
        c_{\text{soft}} = \sum_s a_s v_s = \mathbb{E}[v_{s_i}], \qquad
        \bar c_N = \frac{1}{N}\sum_{i=1}^{N} v_{s_i}, \qquad
        \sqrt{\mathbb{E}\,\|\bar c_N - c_{\text{soft}}\|^2}
        = \sqrt{\tfrac{1}{N}\textstyle\sum_s a_s \|v_s - c_{\text{soft}}\|^2}

    One sample is a hard choice of one value; their mean is unbiased for the soft context and
    its error shrinks like :math:`1/\sqrt{N}`.

    Args:
        weights: ``(S,)`` probabilities; values: ``(S, d_v)``; n_samples: ``N``; seed: for
            ``np.random.default_rng`` (the same seed gives the same samples).

    Returns:
        :class:`HardAttention` with ``positions (N,)``, ``samples (N, d_v)``,
        ``running_mean (N, d_v)``, ``soft_context (d_v,)``, ``error (N,)``,
        ``expected_error (N,)``.

    >>> r = hard_attention([0.5, 0.5], [[0.0], [2.0]], n_samples=400, seed=0)
    >>> r.soft_context, bool(r.error[-1] < 0.2)
    (array([1.]), True)
    """
    a = _as_probabilities("weights", weights)
    v = as_matrix("values", values)
    same("the rows of values", v.shape[0], "the number of weights", a.shape[0])
    positions = sample_positions(a, n_samples, seed)  # (N,)
    samples = v[positions]  # (N, d_v)
    counts = np.arange(1, positions.shape[0] + 1)[:, None]  # (N, 1)
    running_mean = np.cumsum(samples, axis=0) / counts  # (N, d_v)
    soft_context = a @ v  # (d_v,)
    error = np.linalg.norm(running_mean - soft_context, axis=1)  # (N,)
    spread = a @ np.sum((v - soft_context) ** 2, axis=1)  # E||v_s - c||^2, a scalar
    expected_error = np.sqrt(spread / counts[:, 0])  # (N,)
    return HardAttention(positions, samples, running_mean, soft_context, error, expected_error)
