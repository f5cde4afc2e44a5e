r"""The computation of one query row written out, with the numbers the heatmaps draw.

Pure functions (no Streamlit). :func:`row_working` takes the matrices and the
:class:`attn_core.AttentionResult` that the page draws and writes every step for query ``i``:
each score, the temperature, the mask, the exponentials, the normalisation and the weighted
sum of the values. The scores, weights and output it writes are *the rows of that result*
(not recomputed), so the formula and the heatmaps cannot disagree; the intermediate numbers
(the plain dot products, :math:`e^{s/\tau}`, their sum) are computed here from the same arrays.

LaTeX holds only mathematics (no words), so it reads the same in English and Chinese; the page
puts a translated title above each step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from ui.formulas import dot_terms, num, paren

MAX_KEYS: Final = 6  # keys written out one by one; with more: the first few, …, the last
MAX_ENTRIES: Final = 6  # entries of a vector written out; with more: the first three, …, the last
SHIFT_ABOVE: Final = 30.0  # |s/τ| beyond this: subtract the maximum before exp (as the core does)


@dataclass(frozen=True)
class Step:
    """One step of the computation: a name (for a translated title) and its LaTeX lines."""

    name: str  # score, temperature, mask, exp, normalise, output
    lines: tuple[str, ...]


@dataclass(frozen=True)
class RowWorking:
    """Every number of one query row, and the steps written out."""

    i: int  # the query row (0-based)
    shown: tuple[int, ...]  # the keys written out (0-based)
    scores: np.ndarray  # (n_k,) result.scores[i]: the scores heatmap's row
    logits: np.ndarray  # (n_k,) scores / τ, -inf where masked
    shift: float  # subtracted from the logits before exp (0 when they are moderate)
    exps: np.ndarray  # (n_k,) exp(logits - shift); 0 where masked
    total: float  # the sum of exps
    weights: np.ndarray  # (n_k,) result.weights[i]: the weights heatmap's row
    output: np.ndarray  # (d_v,) result.output[i]: the output heatmap's row
    fully_masked: bool
    steps: tuple[Step, ...]


def pick_keys(n_k: int, focus: int | None = None, limit: int = MAX_KEYS) -> tuple[int, ...]:
    """The keys to write out: all of them, or the first few, ``focus`` (e.g. the key with the
    largest weight) and the last, in order."""
    if n_k <= limit:
        return tuple(range(n_k))
    picked = set(range(limit - 2)) | {n_k - 1}
    inside = focus is not None and 0 <= focus < n_k and focus not in picked
    picked.add(focus if inside else limit - 2)
    return tuple(sorted(picked))


def vec(values: Sequence[float] | np.ndarray, digits: int = 3) -> str:
    """A row vector ``[a, b, c]``; long ones as ``[a, b, c, …, z]``."""
    v = list(values)
    parts = [num(x, digits) for x in v]
    if len(parts) > MAX_ENTRIES:
        parts = [*parts[:3], r"\dots", parts[-1]]
    return r"\left[" + r",\ ".join(parts) + r"\right]"


def _list(items: list[str]) -> str:
    return r"\left[" + r",\ ".join(items) + r"\right]"


def _over(items: list[str], shown: tuple[int, ...], n: int) -> list[str]:
    """Put ``\\dots`` wherever keys were skipped (``items`` belong to ``shown``)."""
    out: list[str] = []
    for k, (j, item) in enumerate(zip(shown, items, strict=True)):
        if (k == 0 and j > 0) or (k > 0 and j > shown[k - 1] + 1):
            out.append(r"\dots")
        out.append(item)
    if shown and shown[-1] < n - 1:
        out.append(r"\dots")
    return out


def _clean(x: float, scale: float) -> float:
    """``x`` with rounding noise (below 1e-12 of the row's scale) shown as 0."""
    return 0.0 if abs(x) <= 1e-12 * scale else x


def _score_lines(
    Q: np.ndarray,
    K: np.ndarray,
    S: np.ndarray,
    i: int,
    shown: tuple[int, ...],
    kind: str,
    params: dict[str, np.ndarray] | None,
) -> list[str]:
    q = Q[i]  # (d_q,)
    qi = f"\\mathbf{{q}}_{{{i + 1}}}"
    lines: list[str] = []
    if kind == "scaled_dot":
        d_k = K.shape[1]
        lines.append(rf"\sqrt{{d_k}} &= \sqrt{{{d_k}}} = {num(math.sqrt(d_k), 4)}")
    elif kind == "general":
        u = q @ params["W"]  # (d_k,)  q_iᵀ W, the query mapped into the keys' space
        lines.append(rf"\mathbf{{u}} = {qi}^\top W &= {vec(u)}")
    elif kind == "additive":
        a = params["W_q"] @ q  # (h,)
        w_v = np.ravel(params["w_v"])  # (h,)
        lines.append(rf"W_q {qi} &= {vec(a)}")
        lines.append(rf"\mathbf{{w}}_v &= {vec(w_v)}")
    scale = float(np.max(np.abs(S[i]))) if S.shape[1] else 0.0
    for n, j in enumerate(shown):
        if n > 0 and j > shown[n - 1] + 1:
            lines.append(r"&\;\;\vdots")
        k = K[j]  # (d_k,)
        kj = f"\\mathbf{{k}}_{{{j + 1}}}"
        s = f"s_{{{i + 1},{j + 1}}}"
        value = num(_clean(S[i, j], scale))
        if kind == "dot":
            lines.append(rf"{s} &= {qi}^\top {kj} = {dot_terms(q, k)} = {value}")
        elif kind == "scaled_dot":
            raw = float(q @ k)
            root = num(math.sqrt(K.shape[1]), 4)
            lines.append(rf"{qi}^\top {kj} &= {dot_terms(q, k)} = {num(_clean(raw, scale))}")
            lines.append(
                rf"{s} = \frac{{{qi}^\top {kj}}}{{\sqrt{{d_k}}}} &= "
                rf"\frac{{{num(_clean(raw, scale))}}}{{{root}}} = {value}"
            )
        elif kind == "general":
            lines.append(rf"{s} &= \mathbf{{u}}^\top {kj} = {dot_terms(u, k)} = {value}")
        else:
            inner = a + params["W_k"] @ k  # (h,)  W_q q_i + W_k k_j
            hidden = np.tanh(inner)  # (h,)
            lines.append(rf"{s} &= \mathbf{{w}}_v^\top \tanh\!\big(W_q {qi} + W_k {kj}\big)")
            lines.append(rf"&= \mathbf{{w}}_v^\top \tanh {vec(inner)}")
            lines.append(rf"&= \mathbf{{w}}_v^\top {vec(hidden)} = {value}")
    if shown[-1] < K.shape[0] - 1:
        lines.append(r"&\;\;\vdots")
    return lines


def _wrapped(lhs: str, terms: list[str], rhs: str, per_line: int = 3) -> list[str]:
    """``lhs = t1 + t2 + … = rhs`` over several aligned lines, ``per_line`` terms each."""
    chunks = [terms[k : k + per_line] for k in range(0, len(terms), per_line)] or [[]]
    lines = [f"{lhs} &= {' + '.join(chunks[0])}"]
    lines += [rf"&\quad + {' + '.join(c)}" for c in chunks[1:]]
    lines.append(f"&= {rhs}")
    return lines


def block(step: Step) -> str:
    """A step as one LaTeX block, its lines aligned at their ``&``."""
    return r"\begin{aligned}" + r"\\".join(step.lines) + r"\end{aligned}"


def row_working(
    Q: np.ndarray,
    K: np.ndarray,
    V: np.ndarray,
    result,
    i: int,
    *,
    kind: str,
    tau: float,
    mask: np.ndarray | None = None,
    params: dict[str, np.ndarray] | None = None,
) -> RowWorking:
    r"""Write out query ``i`` of ``result = attention(Q, K, V, kind=kind, mask=mask, tau=tau,
    params=params)``.

    ``Q (n_q, d_q)``, ``K (n_k, d_k)``, ``V (n_k, d_v)``; ``mask (n_q, n_k)`` bool or None.
    Lines are aligned at their ``&`` (render each step with :func:`block`).
    """
    S = result.scores  # (n_q, n_k)
    n_k = S.shape[1]
    scores = S[i]  # (n_k,)
    weights = result.weights[i]  # (n_k,)
    output = result.output[i]  # (d_v,)
    shown = pick_keys(n_k, focus=int(np.argmax(weights)))
    allowed = np.ones(n_k, dtype=bool) if mask is None else np.asarray(mask[i], dtype=bool)
    logits = np.where(allowed, scores / tau, -np.inf)  # (n_k,)
    fully_masked = not allowed.any()
    top = float(np.max(logits)) if not fully_masked else 0.0
    shift = top if abs(top) > SHIFT_ABOVE else 0.0
    with np.errstate(over="ignore"):
        exps = np.where(allowed, np.exp(logits - shift), 0.0)  # (n_k,)
    total = float(exps.sum())
    scale = float(np.max(np.abs(logits[allowed]))) if not fully_masked else 0.0
    si = f"s_{{{i + 1},j}}"
    steps = [Step("score", tuple(_score_lines(Q, K, S, i, shown, kind, params)))]

    if tau == 1.0:
        temp = rf"\tau = 1:\quad {si}/\tau &= {si}"
    else:
        listed = _list(_over([num(_clean(scores[j] / tau, scale)) for j in shown], shown, n_k))
        temp = rf"\tau = {num(tau)}:\quad \big({si}/\tau\big)_j &= {listed}"
    steps.append(Step("temperature", (temp,)))

    if mask is not None:
        row = vec(allowed.astype(float), 1)
        hidden = [j + 1 for j in range(n_k) if not allowed[j]]
        lines = [rf"M_{{{i + 1},j}} &= {row}"]
        if hidden:
            listed = ", ".join(str(j) for j in hidden[:8]) + (r", \dots" if len(hidden) > 8 else "")
            lines.append(
                rf"M_{{{i + 1},j}} = 0 \;&\Rightarrow\; {si}/\tau := -\infty\quad (j = {listed})"
            )
        steps.append(Step("mask", tuple(lines)))

    def e_of(j: int) -> str:
        if not allowed[j]:
            return r"e^{-\infty}"
        return f"e^{{{num(_clean(logits[j] - shift, scale))}}}"

    lhs = rf"e^{{{si}/\tau}}" if shift == 0.0 else rf"e^{{{si}/\tau - m}}"
    exp_lines = []
    if shift != 0.0:
        exp_lines.append(rf"m = \max_j {si}/\tau &= {num(shift)}")
    exp_lines.append(rf"\big({lhs}\big)_j &= {_list(_over([e_of(j) for j in shown], shown, n_k))}")
    exp_lines.append(rf"&= {_list(_over([num(exps[j]) for j in shown], shown, n_k))}")
    steps.append(Step("exp", tuple(exp_lines)))

    a = f"a_{{{i + 1},j}}"
    if fully_masked:
        norm = (rf"Z = \sum_j {lhs} &= 0 \;\Rightarrow\; {a} := 0",)
    else:
        terms = _over([num(exps[j]) for j in shown], shown, n_k)
        fracs = _over([rf"\frac{{{num(exps[j])}}}{{{num(total)}}}" for j in shown], shown, n_k)
        ws = _over([num(weights[j]) for j in shown], shown, n_k)
        norm = (
            *_wrapped(rf"Z = \sum_j {lhs}", terms, num(total), per_line=len(terms)),
            rf"\big({a}\big)_j = \Big(\frac{{{lhs}}}{{Z}}\Big)_j &= {_list(fracs)}",
            rf"&= {_list(ws)}",
            rf"\textstyle\sum_j {a} &= {num(float(weights.sum()), 4)}",
        )
    steps.append(Step("normalise", norm))

    o = f"\\mathbf{{o}}_{{{i + 1}}} = \\sum_j {a}\\,\\mathbf{{v}}_j"
    if fully_masked:
        out = (rf"{o} &= {vec(output)}",)
    else:
        parts = _over([f"{paren(weights[j])}\\,{vec(V[j])}" for j in shown], shown, n_k)
        out = tuple(_wrapped(o, parts, vec(output), per_line=2 if V.shape[1] > 2 else 3))
    steps.append(Step("output", out))

    return RowWorking(
        i=i,
        shown=shown,
        scores=scores,
        logits=logits,
        shift=shift,
        exps=exps,
        total=total,
        weights=weights,
        output=output,
        fully_masked=fully_masked,
        steps=tuple(steps),
    )


def angle_lines(q: np.ndarray, K: np.ndarray, i: int, limit: int = 4) -> list[str]:
    r"""For 2-D vectors: each :math:`q^\top k = \|q\|\,\|k\|\cos\theta` with its numbers,
    aligned at ``&``; the first line is the rule itself."""
    lines = [r"\mathbf{q}^\top\mathbf{k} &= \|\mathbf{q}\|\,\|\mathbf{k}\|\cos\theta"]
    nq = float(np.hypot(*q))
    for j in pick_keys(K.shape[0], limit=limit):
        k = K[j]
        nk = float(np.hypot(*k))
        dot = float(q @ k)
        if nq == 0 or nk == 0:
            angle = r"\text{—}"
        else:
            cos = max(-1.0, min(1.0, dot / (nq * nk)))
            angle = num(math.degrees(math.acos(cos)), 3) + r"^\circ"
        lines.append(
            rf"\mathbf{{q}}_{{{i + 1}}}^\top \mathbf{{k}}_{{{j + 1}}} &= "
            rf"{num(nq)} \cdot {num(nk)} \cdot \cos {angle} = {num(dot)}"
        )
    return lines


STEP_NAMES: Final = ("scores", "scale", "mask", "softmax", "output")


def step_through(w: RowWorking, Q: np.ndarray, K: np.ndarray, *, kind: str) -> tuple[Step, ...]:
    r"""Query ``w.i``'s computation in the five steps of :data:`STEP_NAMES`, each with its
    numbers: the scores (for the scaled dot product the plain :math:`q^\top k`), the scaling (by
    :math:`\sqrt{d_k}` and :math:`\tau`), the mask, the softmax and the weighted sum of the
    values. ``w`` is :func:`row_working`'s write-out of that row (same ``Q``, ``K`` and score
    ``kind``); its lines (the same numbers as the heatmaps) are split where the stepper needs
    them."""
    i = w.i
    by = {s.name: s.lines for s in w.steps}
    n_k = K.shape[0]
    qi, si = f"\\mathbf{{q}}_{{{i + 1}}}", f"s_{{{i + 1},j}}"
    if kind == "scaled_dot":
        raw = K @ Q[i]  # (n_k,)  q_iᵀ k_j, before the scaling
        scale = float(np.max(np.abs(raw))) if n_k else 0.0
        first = []
        for n, j in enumerate(w.shown):
            if n > 0 and j > w.shown[n - 1] + 1:
                first.append(r"&\;\;\vdots")
            first.append(
                rf"{qi}^\top \mathbf{{k}}_{{{j + 1}}} &= {dot_terms(Q[i], K[j])}"
                rf" = {num(_clean(raw[j], scale))}"
            )
        if w.shown[-1] < n_k - 1:
            first.append(r"&\;\;\vdots")
        root = math.sqrt(K.shape[1])
        row_scale = float(np.max(np.abs(w.scores))) if n_k else 0.0
        listed = _list(_over([num(_clean(w.scores[j], row_scale)) for j in w.shown], w.shown, n_k))
        second = [
            rf"\sqrt{{d_k}} &= \sqrt{{{K.shape[1]}}} = {num(root, 4)}",
            rf"\big({si}\big)_j = \Big(\frac{{{qi}^\top \mathbf{{k}}_j}}{{\sqrt{{d_k}}}}\Big)_j"
            rf" &= {listed}",
            *by["temperature"],
        ]
    else:
        first, second = list(by["score"]), list(by["temperature"])
    if "mask" in by:
        third = list(by["mask"])
    else:
        third = [rf"M_{{{i + 1},j}} &= 1 \quad (j = 1, \dots, {n_k})"]
    return (
        Step("scores", tuple(first)),
        Step("scale", tuple(second)),
        Step("mask", tuple(third)),
        Step("softmax", (*by["exp"], *by["normalise"])),
        Step("output", tuple(by["output"])),
    )
