"""Predict, then reveal: a student guesses an answer before the page shows it.

A page asks one question (:class:`Question`) and hides its answer while :func:`ask` returns
False::

    q = guess.Question("qkv.weights.row2", "weights", answer=w, why=..., labels=keys)
    if guess.ask("qkv", q):
        ... draw the answer

The state is in the page's URL: ``guess`` (the switch), ``g`` (the guess) and ``rev``
(revealed), so a shared link poses the same question. Three kinds of guess:

- ``weights``: a share per key (sliders 0–10), shown normalised as they move; the error is the
  total-variation distance to the answer's weights;
- ``pick``: one of the labels (the token a head attends to most); right or wrong;
- ``number``: a value (a prediction in kg); absolute and relative error.

In a class (:mod:`ui.classroom`) a student's guess is sent to the class as it changes, and the
teacher sees everyone's guesses against the answer before revealing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import numpy as np
import streamlit as st

from attn_core import shares_to_weights, total_variation
from ui import classroom, figures, layout, state
from ui.i18n import t

Kind = Literal["weights", "pick", "number"]

GUESS: Final = "guess"
VALUE: Final = "g"  # the guess itself: personal, a follower of a class keeps their own
REVEAL: Final = "rev"
MAX_WEIGHT_KEYS: Final = 12  # more sliders than this do not make a question one can answer
SHARE_MAX: Final = 10.0
CLASS_REFRESH_S: Final = 2.0  # how often the teacher's view of the class's guesses refreshes


@dataclass(frozen=True)
class Question:
    """What is asked: ``key`` names it (class guesses are grouped by it)."""

    key: str
    kind: Kind
    answer: Any  # (n,) weights summing to 1 | int index into labels | float
    why: str  # one sentence, already translated, with the numbers that explain the answer
    labels: Sequence[str] = field(default_factory=tuple)
    lo: float = -math.inf  # number only: the range a guess may take
    hi: float = math.inf
    unit: str = ""

    def size(self) -> int:
        return len(self.labels) if self.kind == "weights" else 1


def bind(ns: str) -> state.Binding:
    """The guess's parameters (guess, g, rev) under the page's namespace. :func:`ask` binds
    them; a page binds them at its top too when the question's section is not always drawn
    (presentation mode shows one section), so the guess stays in the link on the other ones."""
    return state.bind(
        ns,
        state.Flag(GUESS, False),
        state.Vector(VALUE, default=(), min_len=1, max_len=MAX_WEIGHT_KEYS, lo=-1e6, hi=1e6),
        state.Flag(REVEAL, False),
    )


def ask(ns: str, q: Question) -> bool:
    """Draw the "Guess first" switch and, when on, the guess and the reveal.

    Returns True when the page may show its answer: guessing is off, or the answer is revealed.
    """
    b = bind(ns)
    if q.kind == "weights" and len(q.labels) > MAX_WEIGHT_KEYS:
        if b[GUESS]:
            st.info(t("app.guess.too_many", n=len(q.labels), most=MAX_WEIGHT_KEYS))
        return True
    st.toggle(t("app.guess.switch"), key=b.key(GUESS), help=t("app.guess.switch.help"))
    if not b[GUESS]:
        return True
    value = _checked_guess(b, q)
    with st.container(border=True):
        if b[REVEAL]:
            _reveal(b, q, value)
        else:
            value = _controls(b, q, value)
            if classroom.role() == "student" and value is not None:
                classroom.submit_guess(q.key, [float(v) for v in _as_answer_space(q, value)])
            st.button(
                t("app.guess.reveal"),
                key=f"{ns}._guess_reveal",
                on_click=b.set,
                args=(REVEAL, True),
                disabled=value is None,
                type="primary",
                icon=":material/visibility:",
            )
            if classroom.role() == "teacher":
                st.fragment(
                    lambda: _class_view(q), run_every=CLASS_REFRESH_S, key=f"{ns}.class_guesses"
                )()
    return bool(b[REVEAL])


def hiding(ns: str) -> bool:
    """Whether the page's answer is hidden now (guessing, not revealed): other sections that
    would give the answer away hide too."""
    return bool(st.session_state.get(f"{ns}.{GUESS}")) and not st.session_state.get(
        f"{ns}.{REVEAL}"
    )


def _checked_guess(b: state.Binding, q: Question) -> tuple[float, ...] | None:
    """The guess in the state, or None (no guess yet); a guess that no longer fits the question
    (another number of keys, a pick out of range) is dropped, and a notice says so."""
    value = tuple(b[VALUE])
    if not value:
        return None
    problem = None
    if len(value) != q.size():
        problem = t("app.guess.bad_size", n=len(value), m=q.size())
    elif q.kind == "weights" and (min(value) < 0 or max(value) > SHARE_MAX or sum(value) <= 0):
        problem = t("app.guess.bad_shares", hi=f"{SHARE_MAX:g}")
    elif q.kind == "pick" and (value[0] != int(value[0]) or not 0 <= value[0] < len(q.labels)):
        problem = t("app.guess.bad_pick", n=len(q.labels))
    elif q.kind == "number" and not q.lo <= value[0] <= q.hi:
        problem = t("app.guess.bad_number", lo=_fmt(q.lo), hi=_fmt(q.hi))
    if problem is None:
        return value
    state.flash(t("app.guess.dropped", old=", ".join(_fmt(v) for v in value), why=problem))
    b.set(VALUE, ())
    for key in _widget_keys(b.page):
        st.session_state.pop(key, None)
    b.set(REVEAL, False)
    return None


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def _as_answer_space(q: Question, value: Sequence[float]) -> np.ndarray:
    """The guess as the answer's kind of value: shares → weights; a pick or a number as is."""
    if q.kind == "weights":
        return shares_to_weights(value)
    return np.asarray(value, dtype=np.float64)


def _widget_keys(ns: str) -> list[str]:
    return [f"{ns}._guess_share{i}" for i in range(MAX_WEIGHT_KEYS)] + [
        f"{ns}._guess_pick",
        f"{ns}._guess_number",
    ]


def _controls(b: state.Binding, q: Question, value: tuple[float, ...] | None):
    """The guess's controls (filled from the state when first drawn, e.g. from a link; after
    that the widgets hold the guess); returns the guess, None until one is given."""
    ns = b.page
    st.markdown(t(f"app.guess.ask.{q.kind}"))
    if q.kind == "weights":
        shares = list(value) if value is not None else [1.0] * len(q.labels)
        cols = st.columns(min(len(q.labels), 4))
        new = []
        for i, label in enumerate(q.labels):
            key = f"{ns}._guess_share{i}"
            if key not in st.session_state:
                st.session_state[key] = float(shares[i])
            new.append(cols[i % len(cols)].slider(label, 0.0, SHARE_MAX, step=0.5, key=key))
        if sum(new) <= 0:
            st.warning(t("app.guess.all_zero"))
            return None
        b.set(VALUE, tuple(new))
        w = shares_to_weights(new)
        st.caption(
            t("app.guess.normalised")
            + " "
            + ", ".join(f"{label}: {x:.2f}" for label, x in zip(q.labels, w, strict=True))
        )
        return tuple(new)
    if q.kind == "pick":
        key = f"{ns}._guess_pick"
        if key not in st.session_state and value is not None:
            st.session_state[key] = int(value[0])
        options = list(range(len(q.labels)))
        picked = st.radio(
            t("app.guess.pick"),
            options,
            format_func=lambda i: (
                q.labels[i] if isinstance(i, int) and 0 <= i < len(q.labels) else str(i)
            ),
            key=key,
            horizontal=True,
            index=None,
        )
        if not isinstance(picked, int) or picked not in options:
            return None
        b.set(VALUE, (float(picked),))
        return (float(picked),)
    key = f"{ns}._guess_number"
    if key not in st.session_state and value is not None:
        st.session_state[key] = float(value[0])
    typed = st.number_input(t("app.guess.number", unit=q.unit), value=None, key=key, format="%.4g")
    if typed is None:
        return value
    if not (math.isfinite(typed) and q.lo <= typed <= q.hi):
        kept = t("app.guess.kept", x=_fmt(value[0])) if value is not None else ""
        st.warning(t("app.guess.out_of_range", x=_fmt(typed), lo=_fmt(q.lo), hi=_fmt(q.hi)) + kept)
        return value
    b.set(VALUE, (float(typed),))
    return (float(typed),)


def _reveal(b: state.Binding, q: Question, value: tuple[float, ...] | None) -> None:
    """The answer beside the guess, the error, and why."""
    if value is None:  # revealed without a guess (a link): just the answer
        st.markdown(t("app.guess.no_guess"))
    elif q.kind == "weights":
        g = shares_to_weights(value)
        a = np.asarray(q.answer, dtype=np.float64)
        tv = total_variation(g, a)
        layout.show_figure(
            _compare_weights(q.labels, g, a), f"{b.page}.fig.guess", name="guess-weights"
        )
        st.metric(t("app.guess.tv"), f"{tv:.3f}", help=t("app.guess.tv.help"))
    elif q.kind == "pick":
        i, a = int(value[0]), int(q.answer)
        right = i == a
        text = "app.guess.right" if right else "app.guess.wrong"
        (st.success if right else st.warning)(t(text, guess=q.labels[i], answer=q.labels[a]))
    else:
        g, a = float(value[0]), float(q.answer)
        c1, c2, c3 = st.columns(3)
        c1.metric(t("app.guess.yours"), f"{g:.4g} {q.unit}".strip())
        c2.metric(t("app.guess.answer"), f"{a:.4g} {q.unit}".strip())
        rel = abs(g - a) / abs(a) if a != 0 else math.inf
        c3.metric(
            t("app.guess.error"),
            f"{abs(g - a):.4g} {q.unit}".strip(),
            delta=f"{rel:.1%}" if math.isfinite(rel) else None,
            delta_color="off",
        )
    st.markdown(q.why)
    st.button(
        t("app.guess.again"),
        key=f"{b.page}._guess_again",
        on_click=b.set,
        args=(REVEAL, False),
        icon=":material/replay:",
    )


def _compare_weights(labels: Sequence[str], guess: np.ndarray, answer: np.ndarray):
    names = (t("app.guess.yours"), t("app.guess.answer"))
    data = [
        {
            "type": "bar",
            "x": list(labels),
            "y": values.tolist(),
            "name": name,
            "marker": {"color": colour},
            "text": [f"{v:.2f}" for v in values],
            "textposition": "outside",
        }
        for name, values, colour in zip(
            names, (guess, answer), (figures.PALETTE[1], figures.PALETTE[0]), strict=True
        )
    ]
    return figures.figure(
        data,
        {
            "barmode": "group",
            "height": 300,
            "yaxis": {"range": [0, 1.15], "title": {"text": t("app.guess.weight")}},
            "legend": figures.LEGEND_FOOT,
        },
    )


def _class_view(q: Question) -> None:
    """The teacher's view of the class's guesses against the answer (refreshes by itself)."""
    guesses = [g for g in classroom.class_guesses(q.key) if len(g) == q.size()]
    st.markdown(t("app.guess.class", n=len(guesses)))
    if not guesses:
        return
    G = np.array(guesses, dtype=np.float64)  # (students, size)
    if q.kind == "weights":
        fig = figures.figure(
            [
                {
                    "type": "box",
                    "x": [label for label in q.labels for _ in range(len(G))],
                    "y": G.T.ravel().tolist(),
                    "name": t("app.guess.class_series"),
                    "marker": {"color": figures.PALETTE[1]},
                    "boxpoints": "all",
                },
                {
                    "type": "scatter",
                    "mode": "markers",
                    "x": list(q.labels),
                    "y": np.asarray(q.answer, dtype=float).tolist(),
                    "name": t("app.guess.answer"),
                    "marker": {"symbol": "diamond", "size": 14, "color": figures.PALETTE[0]},
                },
            ],
            {"height": 320, "yaxis": {"range": [0, 1.05]}, "legend": figures.LEGEND_FOOT},
        )
    elif q.kind == "pick":
        counts = np.bincount(G[:, 0].astype(int), minlength=len(q.labels))
        colours = [
            figures.PALETTE[0] if i == int(q.answer) else figures.PALETTE[1]
            for i in range(len(q.labels))
        ]
        fig = figures.figure(
            [
                {
                    "type": "bar",
                    "x": list(q.labels),
                    "y": counts.tolist(),
                    "marker": {"color": colours},
                    "name": t("app.guess.class_series"),
                }
            ],
            {"height": 300, "yaxis": {"title": {"text": t("app.guess.count")}}},
        )
    else:
        fig = figures.figure(
            [
                {
                    "type": "histogram",
                    "x": G[:, 0].tolist(),
                    "name": t("app.guess.class_series"),
                    "marker": {"color": figures.PALETTE[1]},
                }
            ],
            {
                "height": 300,
                "shapes": [figures.vline(float(q.answer), figures.PALETTE[0])],
                "xaxis": {"title": {"text": q.unit}},
                "yaxis": {"title": {"text": t("app.guess.count")}},
            },
        )
    layout.show_figure(fig, f"{q.key.partition('.')[0]}.fig.class_guesses", name="class-guesses")
