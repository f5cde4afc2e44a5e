"""Slow reference implementations: the independent check for the vectorised core.

Written straight from the formulas with Python floats, ``math`` and explicit loops, one entry
at a time — no NumPy broadcasting, no shared helpers with ``attn_core``. Inputs are nested
lists (or anything with ``tolist()``); outputs are nested lists of floats.
"""

from __future__ import annotations

import math
from typing import Any

Matrix = list[list[float]]


def _lists(x: Any) -> Any:
    return x.tolist() if hasattr(x, "tolist") else x


def matmul(A: Any, B: Any) -> Matrix:
    A, B = _lists(A), _lists(B)
    return [
        [sum(A[i][m] * B[m][j] for m in range(len(B))) for j in range(len(B[0]))]
        for i in range(len(A))
    ]


def transpose(A: Any) -> Matrix:
    A = _lists(A)
    return [[A[i][j] for i in range(len(A))] for j in range(len(A[0]))]


def softmax(x: Any, tau: float = 1.0) -> list[float]:
    """Softmax of one vector; ``-inf`` entries get 0; all ``-inf`` gives zeros."""
    x = _lists(x)
    finite = [v for v in x if v != -math.inf]
    if not finite:
        return [0.0] * len(x)
    m = max(finite)
    exps = [0.0 if v == -math.inf else math.exp((v - m) / tau) for v in x]
    total = sum(exps)
    return [e / total for e in exps]


def softmax_jacobian(p: Any) -> Matrix:
    p = _lists(p)
    return [
        [p[i] * ((1.0 if i == j else 0.0) - p[j]) for j in range(len(p))] for i in range(len(p))
    ]


def entropy(p: Any) -> float:
    return -sum(v * math.log(v) for v in _lists(p) if v > 0)


def score(Q: Any, K: Any, kind: str, params: dict[str, Any] | None = None) -> Matrix:
    """Score of every query row against every key row, one pair at a time."""
    Q, K = _lists(Q), _lists(K)
    p = {name: _lists(w) for name, w in (params or {}).items()}

    def pair(q: list[float], k: list[float]) -> float:
        if kind == "dot":
            return sum(a * b for a, b in zip(q, k, strict=True))
        if kind == "scaled_dot":
            return sum(a * b for a, b in zip(q, k, strict=True)) / math.sqrt(len(k))
        if kind == "general":
            W = p["W"]
            return sum(q[i] * W[i][j] * k[j] for i in range(len(q)) for j in range(len(k)))
        W_q, W_k, w_v = p["W_q"], p["W_k"], p["w_v"]
        total = 0.0
        for r in range(len(w_v)):
            hidden = sum(W_q[r][i] * q[i] for i in range(len(q)))
            hidden += sum(W_k[r][j] * k[j] for j in range(len(k)))
            total += w_v[r] * math.tanh(hidden)
        return total

    return [[pair(q, k) for k in K] for q in Q]


def attention(
    Q: Any,
    K: Any,
    V: Any,
    kind: str = "scaled_dot",
    mask: Any = None,
    tau: float = 1.0,
    params: dict[str, Any] | None = None,
) -> tuple[Matrix, Matrix, Matrix]:
    """(scores, weights, output), one query row at a time."""
    S = score(Q, K, kind, params)
    V, mask = _lists(V), _lists(mask)
    weights, output = [], []
    for i, row in enumerate(S):
        allowed = [mask is None or bool(mask[i][j]) for j in range(len(row))]
        w = softmax([s if ok else -math.inf for s, ok in zip(row, allowed, strict=True)], tau)
        weights.append(w)
        output.append([sum(w[j] * V[j][c] for j in range(len(V))) for c in range(len(V[0]))])
    return S, weights, output


def multi_head_attention(
    X_q: Any, X_kv: Any, W_q: Any, W_k: Any, W_v: Any, W_o: Any, n_heads: int, mask: Any = None
) -> tuple[list[Matrix], Matrix]:
    """(weights per head, output): each head is attention on its own block of columns."""
    Q, K, V = matmul(X_q, W_q), matmul(X_kv, W_k), matmul(X_kv, W_v)
    d_head = len(Q[0]) // n_heads
    weights, concat = [], [[] for _ in Q]
    for h in range(n_heads):
        cols = range(h * d_head, (h + 1) * d_head)
        Qh, Kh, Vh = ([[row[c] for c in cols] for row in M] for M in (Q, K, V))
        _, w, out = attention(Qh, Kh, Vh, "scaled_dot", mask)
        weights.append(w)
        for i, row in enumerate(out):
            concat[i].extend(row)
    return weights, matmul(concat, W_o)


def positional_encoding(n: int, d: int) -> Matrix:
    pe = [[0.0] * d for _ in range(n)]
    for p in range(n):
        for c in range(d):
            i = c // 2
            angle = p / 10000 ** (2 * i / d)
            pe[p][c] = math.sin(angle) if c % 2 == 0 else math.cos(angle)
    return pe


def local_weights(scores: Any, p_t: float, D: int, mode: str) -> list[float]:
    """Luong's local weights for one target step (Luong et al., 2015, §3.2).

    local-m: the softmax over the positions with |s - p_t| <= D, 0 elsewhere (sums to 1).
    local-p: that window softmax times exp(-(s - p_t)^2 / (2 sigma^2)), sigma = D / 2.
    """
    scores = _lists(scores)
    inside = [s for s in range(len(scores)) if abs(s - p_t) <= D]
    m = max(scores[s] for s in inside)
    total = sum(math.exp(scores[s] - m) for s in inside)
    w = [math.exp(scores[s] - m) / total if s in inside else 0.0 for s in range(len(scores))]
    if mode == "local-m":
        return w
    sigma = D / 2
    return [w[s] * math.exp(-((s - p_t) ** 2) / (2 * sigma**2)) for s in range(len(scores))]


def predicted_position(h_t: Any, W_p: Any, v_p: Any, S: int) -> float:
    h_t, W_p, v_p = _lists(h_t), _lists(W_p), _lists(v_p)
    x = sum(
        v_p[r] * math.tanh(sum(W_p[r][i] * h_t[i] for i in range(len(h_t))))
        for r in range(len(v_p))
    )
    return S / (1 + math.exp(-x))


def conv1d(X: Any, kernel: Any) -> tuple[Matrix, int]:
    """(output, multiply-adds counted), zero padding outside the sequence."""
    X, W = _lists(X), _lists(kernel)
    n, k, d_in, d_out = len(X), len(W), len(X[0]), len(W[0][0])
    Y, ops = [[0.0] * d_out for _ in range(n)], 0
    for t in range(n):
        for j in range(k):
            src = t + j - k // 2
            for a in range(d_in):
                for b in range(d_out):
                    ops += 1
                    if 0 <= src < n:
                        Y[t][b] += X[src][a] * W[j][a][b]
    return Y, ops


def recurrent(X: Any, W_h: Any, W_x: Any) -> tuple[Matrix, int]:
    """(hidden states, multiply-adds counted) of h_t = tanh(W_h h_{t-1} + W_x x_t)."""
    X, W_h, W_x = _lists(X), _lists(W_h), _lists(W_x)
    d = len(W_h)
    h, H, ops = [0.0] * d, [], 0
    for x in X:
        new = []
        for r in range(d):
            total = sum(W_h[r][c] * h[c] for c in range(d))
            total += sum(W_x[r][c] * x[c] for c in range(len(x)))
            ops += d + len(x)
            new.append(math.tanh(total))
        h = new
        H.append(h)
    return H, ops


def self_attention_ops(n: int, d: int) -> int:
    """Multiply-adds of softmax(X X^T) X counted pair by pair: n*n*d for scores, same for mixing."""
    ops = 0
    for _i in range(n):
        for _j in range(n):
            ops += d  # q_i . k_j
            ops += d  # w_ij * v_j
    return ops


def conv_max_path(n: int, k: int) -> int:
    """Layers of width-k convolutions until position 0 reaches position n - 1 (grow the reach)."""
    reach, layers = 0, 0
    while reach < n - 1 or layers == 0:
        reach += k - 1
        layers += 1
    return layers
