"""Alignment variants: global vs local (local-m, local-p), soft vs hard attention.

Reads like the screen: the title, then one function per section, listed in order at the end.
The toy sentence's controls (S, shift, seed, the step t, the window D, local-p's centre) feed
every section: the first three sections are one fragment, and a move of one of these controls
reruns hard attention's section too (``sections.rerun_with`` in their callback). Hard
attention's own controls (the variant sampled, N, the sampling seed) rerun its section alone.
Each section recomputes what it needs from the bound state (cached on those values).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app_pages.alignment import data, figures
from app_pages.alignment.data import MAX_S, N_GRID, P_MODES, VARIANTS, log_spaced
from app_pages.alignment.text import (
    context_latex,
    error_latex,
    global_latex,
    local_m_latex,
    local_p_latex,
    position_latex,
    window_latex,
)
from attn_core import peak_hit_rate, softmax_parts
from ui import layout, sections, state, widgets
from ui.i18n import current_language, t

b = state.bind(
    "alignment",
    state.Int("S", 30, lo=2, hi=MAX_S),
    state.Int("shift", 3, lo=-20, hi=20),
    state.Int("seed", 0, lo=0, hi=2**31 - 1),
    state.Int("t", 10, lo=0, hi=MAX_S - 1),
    state.Int("D", 4, lo=1, hi=MAX_S),
    state.Choice("pmode", "predicted", options=P_MODES),
    state.Float("p", 10.0, lo=0.0, hi=MAX_S - 1.0),
    state.Choice("sample", "global", options=VARIANTS),
    state.Float("N", 200.0, lo=N_GRID[0], hi=N_GRID[-1], grid=N_GRID),
    state.Int("sseed", 0, lo=0, hi=2**31 - 1),
)


def new_samples() -> None:
    b.set("sseed", (int(b["sseed"]) + 1) % 2**31)


def follow_sentence() -> None:
    """A control of the toy sentence moved: hard attention's section samples its new weights."""
    sections.rerun_with("alignment", [setup, hard])


def fit_to_sentence() -> None:
    """Sizes that depend on each other: t < S, D ≤ S, p inside the sentence. A link (or a
    smaller S) can break them; pulled inside before the widgets are drawn, with a notice."""
    S = int(b["S"])
    for name, hi in (("t", S - 1), ("D", S), ("p", S - 1.0)):
        if b[name] > hi:
            state.flash(t(f"alignment.clamp.{name}", S=S, value=f"{hi:g}", was=f"{b[name]:g}"))
            b.set(name, type(b[name])(hi))


def view_key() -> tuple[int, int, int, int, int, float | None]:
    """What the view depends on: S, shift, seed, D, the step t and the centre set by hand
    (sizes pulled inside the sentence first)."""
    fit_to_sentence()
    p_hand = float(b["p"]) if b["pmode"] == "slider" else None
    return int(b["S"]), int(b["shift"]), int(b["seed"]), int(b["D"]), int(b["t"]), p_hand


def view() -> data.View:
    """The view of the bound state."""
    return data.view(*view_key())


@st.cache_resource(max_entries=64, show_spinner=False)
def _figure_cache(key: tuple, _build: Callable[[], go.Figure]) -> go.Figure:
    return _build()


def cached_figure(key: tuple, build: Callable[[], go.Figure]) -> go.Figure:
    """The figure ``build()`` makes, kept for ``key`` (everything it depends on, hashable) and
    the language. Shared by every session, only read (``show_figure`` sizes a new figure)."""
    return _figure_cache((*key, current_language()), build)


def names() -> dict[str, str]:
    return {v: t(f"alignment.variant.{v}") for v in VARIANTS}


def setup() -> None:
    """1. The toy sentence pair: its size, word order and seed; the step, window and centre."""
    fit_to_sentence()
    S = int(b["S"])
    st.header(t("alignment.setup.title"))
    layout.explain(t("alignment.setup.text"))
    with layout.controls():
        c1, c2, c3 = st.columns([3, 3, 2])
        c1.slider(
            t("alignment.S", hi=MAX_S),
            2,
            MAX_S,
            key=b.key("S"),
            help=t("alignment.S.help"),
            on_change=follow_sentence,
        )
        widgets.control(c2.slider, b, "shift", -20, 20, on_change=follow_sentence, help=True)
        c3.number_input(
            t("app.seed"),
            min_value=0,
            max_value=2**31 - 1,
            step=1,
            key=b.key("seed"),
            on_change=follow_sentence,
        )
        c1, c2 = st.columns(2)
        widgets.control(c1.slider, b, "t", 0, S - 1, on_change=follow_sentence, help=True)
        c2.slider(
            t("alignment.D"),
            1,
            S,
            key=b.key("D"),
            on_change=follow_sentence,
            help=t("alignment.D.help", S=S),
        )
        c1, c2 = st.columns([2, 3])
        widgets.control(
            c1.radio,
            b,
            "pmode",
            P_MODES,
            on_change=follow_sentence,
            named_options=True,
            horizontal=True,
        )
        widgets.control(
            c2.slider,
            b,
            "p",
            0.0,
            S - 1.0,
            step=0.5,
            on_change=follow_sentence,
            disabled=b["pmode"] != "slider",
            help=True,
        )


def compare() -> None:
    """2. Global vs local at step t: the three weight vectors, their peaks and formulas."""
    v = view()
    toy, lm, lp, W = v.toy, v.lm, v.lp, v.W
    S, step, D = int(b["S"]), int(b["t"]), int(b["D"])
    label = names()
    totals = {x: float(W[x][step].sum()) for x in VARIANTS}  # 1, 1 and less than 1
    st.header(t("alignment.compare.title", t=step))
    layout.explain(t("alignment.compare.text"))
    rows = [
        figures.Panel(
            t("alignment.fig.weights", name=label["global"], total=f"{totals['global']:.3f}"),
            W["global"][step],
        ),
        figures.Panel(
            t("alignment.fig.weights", name=label["local_m"], total=f"{totals['local_m']:.3f}"),
            W["local_m"][step],
            window=lm.window[step],
            p_t=float(lm.p_t[step]),
        ),
        figures.Panel(
            t("alignment.fig.weights", name=label["local_p"], total=f"{totals['local_p']:.3f}"),
            W["local_p"][step],
            window=lp.window[step],
            p_t=float(lp.p_t[step]),
            gaussian=lp.gaussian[step],
        ),
    ]
    layout.show_figure(
        figures.position_weights(
            rows,
            truth=int(toy.aligned[step]),
            x_title=t("alignment.axis.s"),
            y_title=t("alignment.axis.weight"),
            gauss_label=t("alignment.fig.gauss", sigma=f"{lp.sigma:g}"),
            truth_label=t("alignment.fig.truth"),
        ),
        key="alignment.fig.weights",
        name=f"weights-t-{step}",
    )
    layout.download_csv(
        t("alignment.export.weights", t=step),
        partial(layout.table_frame, {x: W[x][step] for x in VARIANTS}, index_name="s"),
        f"{layout.export_name('alignment.weights', f't-{step}')}.csv",
        key="alignment.dl.weights",
    )

    tops = {x: int(np.argmax(W[x][step])) for x in VARIANTS}
    for col, x in zip(st.columns(3), VARIANTS, strict=True):
        hit = tops[x] == toy.aligned[step]
        col.metric(
            t("alignment.metric.top", name=label[x]),
            f"s = {tops[x]}",
            t("alignment.metric.hit") if hit else t("alignment.metric.miss"),
            delta_color="normal" if hit else "inverse",
            delta_arrow="off",
        )

    st.subheader(t("app.formula"))
    st.markdown(f"**{label['global']}**")
    s_g = tops["global"]
    st.latex(
        global_latex(toy.scores[step], W["global"][step], s_g, *softmax_parts(toy.scores[step]))
    )
    st.markdown(f"**{label['local_m']}** — {t('alignment.formula.local_m', t=step)}")
    s_lm, first_m, last_m = tops["local_m"], int(lm.first[step]), int(lm.last[step])
    st.latex(window_latex(float(step), D, first_m, last_m))
    st.latex(
        local_m_latex(
            s_lm,
            float(toy.scores[step, s_lm]),
            *softmax_parts(toy.scores[step], lm.window[step]),
            float(lm.weights[step, s_lm]),
            first_m,
            last_m,
            totals["local_m"],
        )
    )
    st.markdown(f"**{label['local_p']}** — {t('alignment.formula.local_p')}")
    p_t = float(v.p_local[step])
    if b["pmode"] == "predicted":
        st.latex(position_latex(S, float(v.z[step]), p_t))
    else:
        st.latex(rf"p_t = {p_t:g}\ \ (\text{{{t('alignment.p.by_slider')}}})")
    s_lp = tops["local_p"]  # the position local-p weighs most
    st.latex(window_latex(p_t, D, int(lp.first[step]), int(lp.last[step]), lp.sigma))
    st.latex(
        local_p_latex(
            p_t,
            lp.sigma,
            s_lp,
            float(lp.window_softmax[step, s_lp]),
            float(lp.gaussian[step, s_lp]),
            float(lp.weights[step, s_lp]),
            totals["local_p"],
        )
    )
    if b["pmode"] == "predicted":
        st.caption(
            t(
                "alignment.caption.untrained",
                lo=f"{float(v.p_pred.min()):.1f}",
                hi=f"{float(v.p_pred.max()):.1f}",
                a_lo=int(toy.aligned.min()),
                a_hi=int(toy.aligned.max()),
            )
        )


def maps() -> None:
    """3. Every step: the t × position maps of the three variants."""
    v = view()
    step, label = int(b["t"]), names()
    st.header(t("alignment.maps.title"))
    layout.explain(t("alignment.maps.text"))
    maps_figure = cached_figure(  # 140 ms at S = 200 (three maps encoded as images)
        ("maps", *view_key()),
        lambda: figures.alignment_maps(
            [v.W[x] for x in VARIANTS],
            t=step,
            titles=[label[x] for x in VARIANTS],
            x_title=t("alignment.axis.s"),
            y_title=t("alignment.axis.t"),
            colorbar_title=t("alignment.axis.weight_short"),
        ),
    )
    layout.show_figure(maps_figure, key="alignment.fig.maps")
    for col, x in zip(st.columns(len(VARIANTS)), VARIANTS, strict=True):
        with col:
            layout.download_csv(
                t("alignment.export.map", name=label[x]),
                partial(layout.matrix_frame, v.W[x]),
                f"{layout.export_name('alignment.map', x)}.csv",
                key=f"alignment.dl.map.{x}",
            )
    hits = {x: peak_hit_rate(v.W[x], v.toy.aligned) for x in VARIANTS}
    st.caption(t("alignment.maps.hits", **{x: f"{hits[x]:.0%}" for x in VARIANTS}))
    if b["pmode"] == "slider":
        st.caption(t("alignment.maps.slider", t=step))


def hard() -> None:
    """4. Soft vs hard: sample positions with the weights of step t and watch the error."""
    v = view()
    step, label = int(b["t"]), names()
    st.header(t("alignment.hard.title", t=step))
    layout.explain(t("alignment.hard.text"))
    with layout.controls():
        c1, c2, c3 = st.columns([2, 3, 2])
        widgets.control(
            c1.radio, b, "sample", VARIANTS, format_func=label.__getitem__, horizontal=True
        )
        c2.select_slider(
            t("alignment.N", hi=f"{int(N_GRID[-1]):,}"),
            options=N_GRID,
            key=b.key("N"),
            format_func=lambda n: f"{n:,.0f}",
            help=t("alignment.N.help"),
        )
        with c3:
            widgets.control(st.number_input, b, "sseed", min_value=0, max_value=2**31 - 1, step=1)
            st.button(
                t("alignment.resample"),
                key="alignment._resample",
                on_click=new_samples,
                icon=":material/casino:",
            )

    a = v.W[b["sample"]][step]  # (S,) global and local-m weights sum to 1: probabilities as is
    if b["sample"] == "local_p":
        a = v.lp.normalised[step]  # local-p's weights sum to less than 1: rescaled to draw from
        st.caption(
            t("alignment.hard.renormalised", total=f"{float(v.W['local_p'][step].sum()):.3f}")
        )
    n_samples = int(b["N"])
    result = data.samples(view_key(), b["sample"], n_samples, int(b["sseed"]))
    ns = log_spaced(n_samples)  # (K,) sample counts to draw the curves at
    layout.show_figure(
        figures.hard_samples(
            a,
            result.positions,
            ns,
            [
                (t("alignment.fig.error"), result.error[ns - 1], "solid"),
                (t("alignment.fig.rms"), result.expected_error[ns - 1], "dash"),
                (t("alignment.fig.inv_sqrt"), 1.0 / np.sqrt(ns), "dot"),
            ],
            titles=[
                t("alignment.fig.samples", n=f"{n_samples:,}", name=label[b["sample"]]),
                t("alignment.fig.convergence"),
            ],
            x_titles=[t("alignment.axis.s"), t("alignment.axis.N")],
            y_titles=[t("alignment.axis.share"), t("alignment.axis.error")],
            weights_label=t("alignment.fig.drawn_from"),
            samples_label=t("alignment.fig.sampled"),
        ),
        key="alignment.fig.hard",
        name=f"hard-{b['sample']}-t-{step}-N-{n_samples}",
    )
    hard_view = (b["sample"], f"t-{step}", f"N-{n_samples}", f"seed-{int(b['sseed'])}")
    c1, c2 = st.columns(2)
    with c1:
        layout.download_csv(
            t("alignment.export.samples"),
            lambda a=a, positions=result.positions: layout.table_frame(
                {
                    "weight": a,
                    "times sampled": np.bincount(positions, minlength=a.shape[0]),
                    "share sampled": np.bincount(positions, minlength=a.shape[0]) / positions.size,
                },
                index_name="s",
            ),
            f"{layout.export_name('alignment.samples', *hard_view)}.csv",
            key="alignment.dl.samples",
        )
    with c2:
        layout.download_csv(
            t("alignment.export.error"),
            partial(
                layout.table_frame,
                {"error": result.error, "expected (RMS) error": result.expected_error},
                range(1, n_samples + 1),
                "N",
            ),
            f"{layout.export_name('alignment.error', *hard_view)}.csv",
            key="alignment.dl.error",
        )

    first = int(result.positions[0])
    m1, m2, m3 = st.columns(3)
    m1.metric(t("alignment.metric.one_sample"), f"s = {first}", help=t("alignment.metric.one_help"))
    m2.metric(t("alignment.metric.error", n=f"{n_samples:,}"), f"{result.error[-1]:.4f}")
    m3.metric(t("alignment.metric.rms", n=f"{n_samples:,}"), f"{result.expected_error[-1]:.4f}")
    st.latex(context_latex(result.soft_context, result.running_mean[-1], n_samples))
    st.latex(error_latex(n_samples, float(result.error[-1]), float(result.expected_error[-1])))
    layout.explain(t("alignment.hard.after"))
    st.page_link("app_pages/trained_model/page.py", label=t("alignment.trained_link"), icon="🔗")


layout.header("alignment")
sections.show("alignment", [[setup, compare, maps], [hard]])
