"""Overview: the three steps every attention shares, and attention as a choice of cue.

Reads like the screen: the title, then one function per section, listed in order at the end.
The fruit toy's steps and its query plane share one fragment (the sliders feed both); the cue
toy and the map of the pages each rerun alone.
"""

from functools import partial

import numpy as np
import streamlit as st

from app_pages.overview.data import (
    DESK,
    DESK_KEYS,
    FRUIT_KEYS,
    FRUIT_SUGAR,
    FRUITS,
    INTENTS,
    SALIENCE,
    TAU_GRID,
)
from attn_core import softmax
from ui import figures, formulas, layout, sections, state
from ui.i18n import t
from ui.navigation import available
from ui.widgets import log_slider

b = state.bind(
    "overview",
    state.Float("sweet", 1.0, lo=-2.0, hi=2.0),
    state.Float("sour", 0.0, lo=-2.0, hi=2.0),
    state.Float("tau", 1.0, lo=TAU_GRID[0], hi=TAU_GRID[-1], grid=TAU_GRID),
    state.Choice("focus", FRUITS[0], options=FRUITS),
    state.Choice("intent", "none", options=INTENTS),
)


def fruit_names() -> list[str]:
    return [t(f"overview.fruit.{f}") for f in FRUITS]


def fruit_toy() -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """The query, scores (4,), weights (4,) and context of the fruit toy, from the bound state."""
    q = np.array([b["sweet"], b["sour"]])  # (2,)
    scores = FRUIT_KEYS @ q  # (4,)  step 1: score
    weights = softmax(scores, tau=float(b["tau"]))  # (4,)  step 2: align
    context = float(weights @ FRUIT_SUGAR)  # step 3: context
    return q, scores, weights, context


def steps() -> None:
    """1. Score, align, context: the three steps on four fruits."""
    st.header(t("overview.steps.title"))
    layout.explain(t("overview.steps.text"))
    names = fruit_names()
    with layout.controls():
        c1, c2, c3, c4 = st.columns(4)
        c1.slider(
            t("overview.sweet"),
            -2.0,
            2.0,
            step=0.1,
            key=b.key("sweet"),
            help=t("overview.sweet.help"),
        )
        c2.slider(
            t("overview.sour"), -2.0, 2.0, step=0.1, key=b.key("sour"), help=t("overview.sour.help")
        )
        with c3:
            log_slider(t("overview.tau"), b.key("tau"), TAU_GRID, help=t("overview.tau.help"))
        c4.selectbox(
            t("overview.focus"),
            FRUITS,
            key=b.key("focus"),
            format_func=dict(zip(FRUITS, names, strict=True)).__getitem__,  # this run's language
        )
    q, scores, weights, context = fruit_toy()
    tau = float(b["tau"])
    i = FRUITS.index(b["focus"])

    layout.show_figure(
        figures.bar_panels(
            [
                (t("overview.fig.scores"), scores, ".3f"),
                (t("overview.fig.weights"), weights, ".3f"),
                (t("overview.fig.context", c=f"{context:.2f}"), weights * FRUIT_SUGAR, ".2f"),
            ],
            names,
            highlight=i,
            y_ranges=[None, (0, 1.1), None],
        ),
        key="overview.steps",
    )
    layout.download_csv(
        t("overview.export.steps"),
        partial(
            layout.table_frame,
            {
                "sweet (key)": FRUIT_KEYS[:, 0],
                "sour (key)": FRUIT_KEYS[:, 1],
                "score": scores,
                "weight": weights,
                "sugar (value)": FRUIT_SUGAR,
                "weight x sugar": weights * FRUIT_SUGAR,
            },
            names,
            "fruit",
        ),
        f"{layout.export_name('overview.steps')}.csv",
        key="overview.dl.steps",
    )

    st.subheader(t("app.formula"))
    st.latex(
        r"\text{1. }\; s_i = \mathbf{q}^\top \mathbf{k}_i,\quad s_{\text{"
        + names[i]
        + r"}} = "
        + formulas.dot_terms(q, FRUIT_KEYS[i])
        + " = "
        + formulas.num(scores[i])
    )
    st.latex(
        r"\text{2. }\; a_i = \frac{e^{s_i/\tau}}{\sum_j e^{s_j/\tau}},\quad a_{\text{"
        + names[i]
        + r"}} = \frac{e^{"
        + formulas.num(scores[i])
        + "/"
        + formulas.num(tau)
        + r"}}{"
        + " + ".join(f"e^{{{formulas.num(s)}/{formulas.num(tau)}}}" for s in scores)
        + "} = "
        + formulas.num(weights[i])
    )
    st.latex(
        r"\text{3. }\; c = \sum_i a_i v_i = "
        + formulas.weighted_sum(weights, FRUIT_SUGAR)
        + " = "
        + formulas.num(context)
    )
    st.caption(t("overview.steps.caption", names=", ".join(names)))


def plane() -> None:
    """1b. The query among the keys: the same toy drawn as vectors."""
    names = fruit_names()
    q, _, weights, _ = fruit_toy()
    layout.show_figure(
        figures.vectors_plane(
            q,
            FRUIT_KEYS,
            query_labels=["q"],
            key_labels=names,
            weights=weights,
            title=t("overview.fig.plane"),
            axis_titles=(t("overview.sweet"), t("overview.sour")),
        ),
        key="overview.plane",
    )
    layout.download_csv(
        t("overview.export.plane"),
        partial(
            layout.table_frame,
            {
                "sweet": np.concatenate([[q[0]], FRUIT_KEYS[:, 0]]),
                "sour": np.concatenate([[q[1]], FRUIT_KEYS[:, 1]]),
                "weight": np.concatenate([[np.nan], weights]),
            },
            ["q", *names],
            "vector",
        ),
        f"{layout.export_name('overview.plane')}.csv",
        key="overview.dl.plane",
    )


def cues() -> None:
    """2. Volitional and non-volitional cues: what stands out, or what matches a wish."""
    st.header(t("overview.cues.title"))
    layout.explain(t("overview.cues.text"))
    desk_names = [t(f"overview.desk.{d}") for d in DESK]
    with layout.controls():
        st.radio(
            t("overview.intent"),
            INTENTS,
            key=b.key("intent"),
            horizontal=True,
            format_func={x: t(f"overview.intent.{x}") for x in INTENTS}.__getitem__,
        )
    intent = b["intent"]
    if intent == "none":
        cue_scores = SALIENCE  # (5,)  nothing wanted: what stands out wins
    else:
        cue_query = np.eye(3)[INTENTS.index(intent) - 1]  # (3,)
        cue_scores = DESK_KEYS @ cue_query  # (5,)  a wish: what matches it wins
    cue_weights = softmax(cue_scores)
    top = int(np.argmax(cue_weights))
    layout.show_figure(
        figures.bars(
            cue_weights,
            desk_names,
            title=t("overview.fig.cues", intent=t(f"overview.intent.{intent}")),
            highlight=top,
            y_range=(0, 1.1),
        ),
        key="overview.cues",
        name=f"cues-{intent}",
    )
    layout.download_csv(
        t("overview.export.cues"),
        partial(
            layout.table_frame, {"score": cue_scores, "weight": cue_weights}, desk_names, "object"
        ),
        f"{layout.export_name('overview.cues', intent)}.csv",
        key="overview.dl.cues",
    )
    st.success(
        t(
            "overview.cues.winner",
            item=desk_names[top],
            weight=f"{cue_weights[top]:.1%}",
            kind=t("overview.cues.kind.none" if intent == "none" else "overview.cues.kind.query"),
        )
    )


def pages_map() -> None:
    """3. Map of the pages: one link per page, with its blurb."""
    st.header(t("overview.map.title"))
    for info in available()[1:]:
        st.page_link(info.path, label=t(f"{info.ns}.title"), icon=info.icon)
        st.caption(t(f"{info.ns}.blurb"))


layout.header("overview")
sections.show("overview", [[steps, plane], [cues], [pages_map]])
