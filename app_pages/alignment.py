"""Alignment variants: global vs local (local-m, local-p), soft vs hard attention."""

import numpy as np
import streamlit as st

from attn_core import global_weights, hard_attention, local_weights, predicted_position
from ui import fig_alignment, layout, state
from ui.alignment_toy import (
    context_latex,
    error_latex,
    global_latex,
    local_latex,
    log_spaced,
    make_toy,
    position_latex,
)
from ui.i18n import t

MAX_S = 200
VARIANTS = ("global", "local_m", "local_p")
P_MODES = ("predicted", "slider")
N_GRID = tuple(
    float(m * 10**k) for k in range(6) for m in (1, 2, 5) if m * 10**k <= 100_000
)  # 1, 2, 5, 10, …, 100,000

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

# Sizes that depend on each other: t < S, D ≤ S, p inside the sentence. A link (or a smaller S)
# can break them; clamp before the widgets are drawn, and say so on this run.
S = int(b["S"])
clamped = []
for name, hi in (("t", S - 1), ("D", S), ("p", S - 1.0)):
    if b[name] > hi:
        clamped.append(t(f"alignment.clamp.{name}", S=S, value=f"{hi:g}", was=f"{b[name]:g}"))
        b.set(name, type(b[name])(hi))


def new_samples() -> None:
    b.set("sseed", (int(b["sseed"]) + 1) % 2**31)


layout.header("alignment")
for text in clamped:
    st.warning(text, icon="📏")

# --- 1. The toy sentences -----------------------------------------------------------------
st.header(t("alignment.setup.title"))
layout.explain(t("alignment.setup.text"))
with layout.controls():
    c1, c2, c3 = st.columns([3, 3, 2])
    c1.slider(t("alignment.S", hi=MAX_S), 2, MAX_S, key=b.key("S"), help=t("alignment.S.help"))
    c2.slider(t("alignment.shift"), -20, 20, key=b.key("shift"), help=t("alignment.shift.help"))
    c3.number_input(t("app.seed"), min_value=0, max_value=2**31 - 1, step=1, key=b.key("seed"))
    c1, c2 = st.columns(2)
    c1.slider(t("alignment.t"), 0, S - 1, key=b.key("t"), help=t("alignment.t.help"))
    c2.slider(t("alignment.D"), 1, S, key=b.key("D"), help=t("alignment.D.help", S=S))
    c1, c2 = st.columns([2, 3])
    c1.radio(
        t("alignment.pmode"),
        P_MODES,
        key=b.key("pmode"),
        format_func={m: t(f"alignment.pmode.{m}") for m in P_MODES}.__getitem__,
        horizontal=True,
    )
    c2.slider(
        t("alignment.p"),
        0.0,
        S - 1.0,
        step=0.5,
        key=b.key("p"),
        disabled=b["pmode"] != "slider",
        help=t("alignment.p.help"),
    )

toy = make_toy(S, int(b["shift"]), int(b["seed"]))
step, D = int(b["t"]), int(b["D"])
z = np.tanh(toy.target @ toy.W_p.T) @ toy.v_p  # (S,)  v_pᵀ tanh(W_p h_t), for the formula
p_pred = predicted_position(toy.target, toy.W_p, toy.v_p, S)  # (S,) one centre per step
p_local = p_pred.copy()
if b["pmode"] == "slider":
    p_local[step] = float(b["p"])  # the slider moves the window of the step shown

weights = {
    "global": global_weights(toy.scores),  # (S, S)
    "local_m": local_weights(toy.scores, np.arange(S, dtype=float), D),
    "local_p": local_weights(toy.scores, p_local, D),
}
W = {
    "global": weights["global"],
    "local_m": weights["local_m"].weights,  # (S, S), rows sum to less than 1 (no renormalising)
    "local_p": weights["local_p"].weights,
}
names = {v: t(f"alignment.variant.{v}") for v in VARIANTS}

# --- 2. Global vs local at step t ----------------------------------------------------------
st.header(t("alignment.compare.title", t=step))
layout.explain(t("alignment.compare.text"))
rows = []
for v in VARIANTS:
    title = t("alignment.fig.weights", name=names[v], total=f"{W[v][step].sum():.3f}")
    if v == "global":
        rows.append(fig_alignment.Panel(title, W[v][step]))
    else:
        la = weights[v]  # LocalAlignment: the window, its centre and the Gaussian of every row
        rows.append(
            fig_alignment.Panel(
                title,
                W[v][step],
                window=la.window[step],
                p_t=float(la.p_t[step]),
                gaussian=la.gaussian[step],
            )
        )
layout.show_figure(
    fig_alignment.position_weights(
        rows,
        truth=int(toy.aligned[step]),
        x_title=t("alignment.axis.s"),
        y_title=t("alignment.axis.weight"),
        gauss_label=t("alignment.fig.gauss", sigma=f"{D / 2:g}"),
        truth_label=t("alignment.fig.truth"),
    ),
    key="alignment.fig.weights",
)

tops = {v: int(np.argmax(W[v][step])) for v in VARIANTS}
cols = st.columns(3)
for col, v in zip(cols, VARIANTS, strict=True):
    col.metric(
        t("alignment.metric.top", name=names[v]),
        f"s = {tops[v]}",
        t("alignment.metric.hit") if tops[v] == toy.aligned[step] else t("alignment.metric.miss"),
        delta_color="normal" if tops[v] == toy.aligned[step] else "inverse",
        delta_arrow="off",
    )

st.subheader(t("app.formula"))
s_top = tops["global"]
st.latex(global_latex(toy.scores[step], W["global"][step], s_top))
if b["pmode"] == "predicted":
    st.latex(position_latex(S, float(z[step]), float(p_local[step])))
else:
    st.latex(rf"p_t = {p_local[step]:g}\ \ (\text{{{t('alignment.p.by_slider')}}})")
lp = weights["local_p"]
s_lp = tops["local_p"]  # the position local-p weighs most
local_lines = local_latex(
    float(p_local[step]),
    D,
    s_lp,
    float(lp.window_softmax[step, s_lp]),
    float(lp.gaussian[step, s_lp]),
    float(lp.weights[step, s_lp]),
)
for line in local_lines:
    st.latex(line)
if b["pmode"] == "predicted":
    st.caption(t("alignment.caption.untrained"))

# --- 3. Every step: the t × position maps -------------------------------------------------
st.header(t("alignment.maps.title"))
layout.explain(t("alignment.maps.text"))
layout.show_figure(
    fig_alignment.alignment_maps(
        [W[v] for v in VARIANTS],
        t=step,
        titles=[names[v] for v in VARIANTS],
        x_title=t("alignment.axis.s"),
        y_title=t("alignment.axis.t"),
        colorbar_title=t("alignment.axis.weight_short"),
    ),
    key="alignment.fig.maps",
)
hits = {v: float(np.mean(W[v].argmax(axis=1) == toy.aligned)) for v in VARIANTS}
st.caption(t("alignment.maps.hits", **{v: f"{hits[v]:.0%}" for v in VARIANTS}))
if b["pmode"] == "slider":
    st.caption(t("alignment.maps.slider", t=step))

# --- 4. Soft vs hard ----------------------------------------------------------------------
st.header(t("alignment.hard.title", t=step))
layout.explain(t("alignment.hard.text"))
with layout.controls():
    c1, c2, c3 = st.columns([2, 3, 2])
    c1.radio(
        t("alignment.sample"),
        VARIANTS,
        key=b.key("sample"),
        format_func=names.__getitem__,
        horizontal=True,
    )
    c2.select_slider(
        t("alignment.N", hi=f"{int(N_GRID[-1]):,}"),
        options=N_GRID,
        key=b.key("N"),
        format_func=lambda n: f"{n:,.0f}",
        help=t("alignment.N.help"),
    )
    with c3:
        st.number_input(
            t("alignment.sseed"), min_value=0, max_value=2**31 - 1, step=1, key=b.key("sseed")
        )
        st.button(t("alignment.resample"), on_click=new_samples, icon=":material/casino:")

a = W[b["sample"]][step]  # (S,)
if b["sample"] != "global":
    a = a / a.sum()  # local weights sum to less than 1: renormalise to draw from them
    st.caption(t("alignment.hard.renormalised"))
n_samples = int(b["N"])
hard = hard_attention(a, toy.values, n_samples, seed=int(b["sseed"]))
ns = log_spaced(n_samples)  # (K,) sample counts to draw the curves at
layout.show_figure(
    fig_alignment.hard_samples(
        a,
        hard.positions,
        ns,
        [
            (t("alignment.fig.error"), hard.error[ns - 1], "solid"),
            (t("alignment.fig.rms"), hard.expected_error[ns - 1], "dash"),
            (t("alignment.fig.inv_sqrt"), 1.0 / np.sqrt(ns), "dot"),
        ],
        titles=[
            t("alignment.fig.samples", n=f"{n_samples:,}", name=names[b["sample"]]),
            t("alignment.fig.convergence"),
        ],
        x_titles=[t("alignment.axis.s"), t("alignment.axis.N")],
        y_titles=[t("alignment.axis.share"), t("alignment.axis.error")],
        weights_label=t("alignment.fig.drawn_from"),
        samples_label=t("alignment.fig.sampled"),
    ),
    key="alignment.fig.hard",
)

first = int(hard.positions[0])
m1, m2, m3 = st.columns(3)
m1.metric(t("alignment.metric.one_sample"), f"s = {first}", help=t("alignment.metric.one_help"))
m2.metric(t("alignment.metric.error", n=f"{n_samples:,}"), f"{hard.error[-1]:.4f}")
m3.metric(t("alignment.metric.rms", n=f"{n_samples:,}"), f"{hard.expected_error[-1]:.4f}")
st.latex(context_latex(hard.soft_context, hard.running_mean[-1], n_samples))
st.latex(error_latex(n_samples, float(hard.error[-1]), float(hard.expected_error[-1])))
layout.explain(t("alignment.hard.after"))
