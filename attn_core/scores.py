r"""Score functions: how related is each key to each query.

=============  =====================================================  ====================
kind           score :math:`a(q, k)`                                   learned parameters
=============  =====================================================  ====================
``dot``        :math:`q^\top k`                                        none
``scaled_dot`` :math:`q^\top k / \sqrt{d_k}`                           none
``additive``   :math:`w_v^\top \tanh(W_q q + W_k k)` (Bahdanau)        ``W_q, W_k, w_v``
``general``    :math:`q^\top W k` (Luong)                              ``W``
=============  =====================================================  ====================

The dot products need queries and keys of the same length; additive and general do not.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

from ._validate import as_array, as_matrix, positive_int

SCORE_KINDS: Final = ("dot", "scaled_dot", "additive", "general")

# Parameter names and shapes per kind, in terms of d_q, d_k and the hidden size h.
_PARAM_SHAPES: Final = {
    "dot": {},
    "scaled_dot": {},
    "additive": {"W_q": ("h", "d_q"), "W_k": ("h", "d_k"), "w_v": ("h",)},
    "general": {"W": ("d_q", "d_k")},
}


def _check_kind(kind: Any) -> str:
    if kind not in SCORE_KINDS:
        raise ValueError(f"kind must be one of {', '.join(SCORE_KINDS)}; got {kind!r}.")
    return kind


def _check_params(kind: str, params: Any, d_q: int, d_k: int) -> dict[str, np.ndarray]:
    """Validate ``params`` for ``kind`` against the query and key sizes; return float64 arrays."""
    expected = _PARAM_SHAPES[kind]
    if not expected:
        return {}  # dot products learn nothing; params, if any, are ignored
    if params is None:
        raise ValueError(
            f"the {kind} score needs params {', '.join(expected)}; "
            f"make some with random_score_params({kind!r}, d_q={d_q}, d_k={d_k})."
        )
    if not isinstance(params, dict) or set(params) != set(expected):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(
            f"params for {kind} must be a dict with keys {sorted(expected)}; got {got}."
        )
    out = {
        name: as_array(f"params[{name!r}]", params[name], len(dims))
        for name, dims in expected.items()
    }
    sizes = {"d_q": d_q, "d_k": d_k, "h": out[next(iter(expected))].shape[0]}
    for name, dims in expected.items():
        want = tuple(sizes[dim] for dim in dims)
        if out[name].shape != want:
            labels = ", ".join(f"{dim}={sizes[dim]}" for dim in dims)
            raise ValueError(
                f"params[{name!r}] must have shape {want} ({labels}), got {out[name].shape}."
            )
    return out


def score(Q: Any, K: Any, kind: str, params: dict[str, Any] | None = None) -> np.ndarray:
    r"""Raw scores of every query against every key.

    .. math::
        S_{ij} = a(q_i, k_j) \in \{\, q_i^\top k_j,\; \tfrac{q_i^\top k_j}{\sqrt{d_k}},\;
        w_v^\top \tanh(W_q q_i + W_k k_j),\; q_i^\top W k_j \,\}

    Args:
        Q: ``(n_q, d_q)`` queries, one per row.
        K: ``(n_k, d_k)`` keys, one per row.
        kind: one of ``SCORE_KINDS``.
        params: ``additive``: ``W_q (h, d_q)``, ``W_k (h, d_k)``, ``w_v (h,)``;
            ``general``: ``W (d_q, d_k)``; ignored by the dot products.
            :func:`random_score_params` makes some.

    Returns:
        ``(n_q, n_k)`` scores, before any temperature or mask.

    >>> score([[1.0, 0.0]], [[2.0, 0.0], [0.0, 3.0]], "scaled_dot").round(3)
    array([[1.414, 0.   ]])
    >>> score([[1.0, 2.0]], [[3.0]], "general", {"W": [[1.0], [1.0]]})
    array([[9.]])
    """
    Q, K = as_matrix("Q", Q), as_matrix("K", K)
    kind = _check_kind(kind)
    p = check_score_inputs(Q, K, kind, params)
    return raw_scores(Q, K, kind, p)


def check_score_inputs(
    Q: np.ndarray, K: np.ndarray, kind: str, params: Any
) -> dict[str, np.ndarray]:
    """Validate sizes and ``params`` for ``kind`` (Q, K already float64 matrices)."""
    d_q, d_k = Q.shape[1], K.shape[1]
    p = _check_params(kind, params, d_q, d_k)
    if kind in ("dot", "scaled_dot") and d_q != d_k:
        raise ValueError(
            f"the {kind} score needs queries and keys of the same length, but Q has {d_q} "
            f"columns and K has {d_k}; use the additive or general score, which map between sizes."
        )
    return p


def raw_scores(Q: np.ndarray, K: np.ndarray, kind: str, p: dict[str, np.ndarray]) -> np.ndarray:
    """The scores of already validated inputs; ``ValueError`` if they overflow float64."""
    d_k = K.shape[1]
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below
        if kind == "dot":
            S = Q @ K.T  # (n_q, n_k)
        elif kind == "scaled_dot":
            # q·k of unit-variance vectors has variance d_k: rescale to 1 so softmax stays soft
            S = (Q * (1.0 / np.sqrt(d_k))) @ K.T  # (n_q, n_k)
        elif kind == "general":
            S = Q @ p["W"] @ K.T  # (n_q, d_q)(d_q, d_k)(d_k, n_k) -> (n_q, n_k)
        else:
            hq = Q @ p["W_q"].T  # (n_q, h)
            hk = K @ p["W_k"].T  # (n_k, h)
            hidden = np.tanh(hq[:, None, :] + hk[None, :, :])  # (n_q, n_k, h)
            S = hidden @ p["w_v"]  # (n_q, n_k)
    # |q·k| <= d max|q| max|k|: when that bound is safe, skip the full pass over the scores
    with np.errstate(over="ignore"):
        bound = d_k * np.abs(Q).max() * np.abs(K).max()
    safe = kind in ("dot", "scaled_dot") and bound < 1e300
    if not safe and not np.isfinite(S).all():
        raise ValueError(
            "the scores overflow float64 (the entries of Q, K or params are too large); "
            "rescale the inputs to moderate values."
        )
    return S


def random_score_params(
    kind: str, d_q: int, d_k: int, h: int = 8, seed: int = 0
) -> dict[str, np.ndarray]:
    r"""Seeded random parameters for ``score(..., kind, params)``.

    Entries are normal with standard deviation :math:`1/\sqrt{\text{fan-in}}`, so each
    projection keeps roughly the scale of its input (:math:`W_q, W_k` over ``d_q``, ``d_k``;
    :math:`w_v` over ``h``; ``general``'s :math:`W` over ``d_k``).

    Args:
        kind: one of ``SCORE_KINDS``; the dot products take no parameters (returns ``{}``).
        d_q, d_k: query and key lengths.
        h: hidden size of the additive score.
        seed: for ``np.random.default_rng``.

    Returns:
        ``additive``: ``{"W_q": (h, d_q), "W_k": (h, d_k), "w_v": (h,)}``;
        ``general``: ``{"W": (d_q, d_k)}``.

    >>> {name: w.shape for name, w in random_score_params("additive", 3, 2, h=4).items()}
    {'W_q': (4, 3), 'W_k': (4, 2), 'w_v': (4,)}
    """
    kind = _check_kind(kind)
    d_q, d_k, h = positive_int("d_q", d_q), positive_int("d_k", d_k), positive_int("h", h)
    rng = np.random.default_rng(seed)
    if kind == "additive":
        return {
            "W_q": rng.normal(0.0, 1.0 / np.sqrt(d_q), (h, d_q)),
            "W_k": rng.normal(0.0, 1.0 / np.sqrt(d_k), (h, d_k)),
            "w_v": rng.normal(0.0, 1.0 / np.sqrt(h), h),
        }
    if kind == "general":
        return {"W": rng.normal(0.0, 1.0 / np.sqrt(d_k), (d_q, d_k))}
    return {}
