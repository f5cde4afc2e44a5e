"""Overview: the three steps every attention shares, one query worked through step by step,
and attention as a choice of cue.

Reads like the screen: the title, then one function per section, listed in order at the end.
The fruit toy's steps and its query plane share one fragment (the sliders feed both); the
step-through, the cue toy and the map of the pages each rerun alone. The step-through's step
is in the URL (``step``) and moves with the arrow keys in presentation mode too.
"""

from functools import partial

import numpy as np
import streamlit as st

from app_pages.overview import text
from app_pages.overview.data import (
    DESK,
    DESK_KEYS,
    FRUIT_KEYS,
    FRUIT_SUGAR,
    FRUITS,
    INTENTS,
    SALIENCE,
    TAU_GRID,
    WALK_K,
    WALK_Q,
    WALK_STEPS,
    WALK_TOKENS,
    WALK_V,
)
from app_pages.overview.figures import step_cells
from attn_core import attention, causal_mask, score, softmax
from ui import figures, formulas, layout, sections, state, widgets
from ui.i18n import t
from ui.navigation import available
from ui.steps import STEP_PARAM, stepper
from ui.widgets import log_slider

b = state.bind(
    "overview",
    state.Float("sweet", 1.0, lo=-2.0, hi=2.0),
    state.Float("sour", 0.0, lo=-2.0, hi=2.0),
    state.Float("tau", 1.0, lo=TAU_GRID[0], hi=TAU_GRID[-1], grid=TAU_GRID),
    state.Choice("focus", FRUITS[0], options=FRUITS),
    state.Choice("intent", "none", options=INTENTS),
    state.Choice("token", WALK_TOKENS[2], options=WALK_TOKENS),
    state.Flag("causal", True),
    # the stepper's own parameter (ui.steps binds it again in its section), bound here too so
    # that it is read from the link before the first section's fragment rewrites the URL
    state.Int(STEP_PARAM, 1, lo=1, hi=len(WALK_STEPS)),
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
        widgets.control(c1.slider, b, "sweet", -2.0, 2.0, step=0.1, help=True)
        widgets.control(c2.slider, b, "sour", -2.0, 2.0, step=0.1, help=True)
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


def walkthrough() -> None:
    """2. One query, step by step: scores, scale, mask, softmax, weighted sum."""
    st.header(t("overview.walk.title"))
    layout.explain(t("overview.walk.text"))
    tokens = [t(f"overview.walk.token.{x}") for x in WALK_TOKENS]
    with layout.controls():
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        c1.radio(
            t("overview.walk.query"),
            WALK_TOKENS,
            key=b.key("token"),
            horizontal=True,
            format_func=dict(zip(WALK_TOKENS, tokens, strict=True)).__getitem__,
        )
        c2.toggle(
            t("overview.walk.causal"), key=b.key("causal"), help=t("overview.walk.causal.help")
        )
    step = WALK_STEPS[stepper("overview", [t(f"overview.walk.step.{x}") for x in WALK_STEPS])]

    i = WALK_TOKENS.index(b["token"])
    n, d = WALK_K.shape
    allowed_all = causal_mask(n) if b["causal"] else np.ones((n, n), dtype=bool)  # (n, n)
    raw = score(WALK_Q, WALK_K, "dot")  # (n, n)  qᵢᵀkⱼ
    result = attention(WALK_Q, WALK_K, WALK_V, kind="scaled_dot", mask=allowed_all)
    scaled = result.scores  # (n, n)  qᵢᵀkⱼ / √d
    allowed = allowed_all[i]  # (n,)
    a, o = result.weights[i], result.output[i]  # (n,), (d,)
    top = int(np.argmax(a))
    this_row = np.zeros((n, n), dtype=bool)
    this_row[i] = True
    cells = {
        "x_labels": tokens,
        "y_labels": tokens,
        "x_title": t("overview.walk.axis.key"),
        "y_title": t("overview.walk.axis.query"),
    }
    o_text = "(" + ", ".join(f"{v:.3f}" for v in o) + ")"
    if step == "scores":
        fig = step_cells(
            raw, this_row, title=t("overview.walk.fig.scores"), diverging=True, **cells
        )
        lines = [text.scores_latex(WALK_Q[i], WALK_K, raw[i], i)]
        note = t("overview.walk.note.scores", token=tokens[i])
    elif step == "scale":
        fig = step_cells(
            scaled, this_row, title=t("overview.walk.fig.scale", d=d), diverging=True, **cells
        )
        lines = [text.scale_latex(raw[i], scaled[i], d)]
        note = t("overview.walk.note.scale", root=f"{np.sqrt(d):.3f}")
    elif step == "mask":
        fig = step_cells(
            scaled,
            this_row & allowed_all,
            title=t("overview.walk.fig.mask"),
            masked=~allowed_all,
            diverging=True,
            **cells,
        )
        lines = [text.mask_latex(scaled[i], allowed)]
        hidden = [tokens[j] for j in range(n) if not allowed[j]]
        if not b["causal"]:
            note = t("overview.walk.note.mask_off")
        elif hidden:
            note = t("overview.walk.note.mask_hidden", token=tokens[i], hidden=", ".join(hidden))
        else:
            note = t("overview.walk.note.mask_last", token=tokens[i])
    elif step == "softmax":
        fig = step_cells(
            result.weights,
            this_row & allowed_all,
            title=t("overview.walk.fig.softmax"),
            masked=~allowed_all,
            zmin=0.0,
            zmax=1.0,
            **cells,
        )
        lines = text.softmax_latex(scaled[i], allowed, a)
        note = t(
            "overview.walk.note.softmax", token=tokens[i], top=f"{a[top]:.3f}", key=tokens[top]
        )
    else:  # the weighted sum
        used = np.repeat((a > 0)[:, None], d, axis=1)  # (n, d)  the values of weight > 0
        fig = step_cells(
            WALK_V,
            used,
            title=t("overview.walk.fig.sum", token=tokens[i]),
            x_labels=[f"v[{c + 1}]" for c in range(d)],
            y_labels=[f"{tok} · a = {w:.3f}" for tok, w in zip(tokens, a, strict=True)],
            x_title=t("overview.walk.axis.entry"),
            y_title=t("overview.walk.axis.key"),
            zmin=0.0,
        )
        lines = [text.sum_latex(a, WALK_V, o)]
        note = t("overview.walk.note.sum", token=tokens[i], o=o_text, key=tokens[top])
    layout.show_figure(fig, "overview.walk", name=f"walk-{step}-{b['token']}")
    for line in lines:
        st.latex(line)
    st.caption(note)


def cues() -> None:
    """3. Volitional and non-volitional cues: what stands out, or what matches a wish."""
    st.header(t("overview.cues.title"))
    layout.explain(t("overview.cues.text"))
    desk_names = [t(f"overview.desk.{d}") for d in DESK]
    with layout.controls():
        widgets.control(st.radio, b, "intent", INTENTS, horizontal=True, named_options=True)
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
    """4. Map of the pages: one link per page, with its blurb."""
    st.header(t("overview.map.title"))
    for info in available()[1:]:
        st.page_link(info.path, label=t(f"{info.ns}.title"), icon=info.icon)
        st.caption(t(f"{info.ns}.blurb"))


layout.header("overview")
sections.show(
    "overview", [[steps, plane], [walkthrough], [cues], [pages_map]], stepped=["walkthrough"]
)
