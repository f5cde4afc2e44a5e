"""Q · K · V playground: fill in queries, keys and values, and watch attention recompute."""

from functools import partial

import numpy as np
import streamlit as st

from attn_core import SCORE_KINDS, attention, causal_mask, random_score_params, valid_length_mask
from ui import editor, fig_qkv, layout, qkv_data, qkv_text, state
from ui.i18n import t
from ui.qkv_data import MAX_D, MAX_N, MODES
from ui.widgets import log_grid, log_slider, snap_choice

TAU_GRID = log_grid(0.05, 20.0)
MASKS = ("none", "causal", "valid")
MAX_SEED = 999_999
MAX_H = 16  # hidden size of the additive score: n_q · n_k · h numbers are computed at once
PARAM_DECIMALS = 2  # seeded score parameters are rounded, so their tables and links stay short
SWATCHES_UP_TO = 24  # colour swatches when there are at most this many values and queries
ARROWS_UP_TO = 40  # vectors in the plane when there are at most this many queries + keys
PLANE_HEIGHT = 380
SIZE_NAMES = {
    "qkv": ("n_q", "n_k", "d_q", "d_k", "d_v"),
    "qvv": ("n_q", "n_k", "d_q", "d_k"),
    "vvv": ("n_k", "d_k"),
}
PARAM_NAMES = {"additive": ("W_q", "W_k", "w_v"), "general": ("W",)}

# which values a first visit takes from the link (to say so when one has to be replaced)
from_link = {
    name: f"qkv.{name}" not in st.session_state and name in st.query_params
    for name in ("W_q", "W_k", "w_v", "W", "lens", "mask", "row", *SIZE_NAMES["qkv"])
}
b = state.bind(
    "qkv",
    state.Choice("mode", "qkv", options=MODES),
    state.Choice("gen", "default", options=qkv_data.GENERATORS),
    state.Int("seed", 0, lo=0, hi=MAX_SEED),
    state.Int("n_q", 3, lo=1, hi=MAX_N),  # sizes of the example, so its link stays short
    state.Int("n_k", 4, lo=1, hi=MAX_N),
    state.Int("d_q", 0, lo=0, hi=MAX_D),  # 0: as long as the keys
    state.Int("d_k", 2, lo=1, hi=MAX_D),
    state.Int("d_v", 3, lo=1, hi=MAX_D),
    state.Choice("score", "scaled_dot", options=SCORE_KINDS),
    state.Int("pseed", 0, lo=0, hi=MAX_SEED),
    state.Int("h", 4, lo=1, hi=MAX_H),
    state.Choice("mask", "none", options=MASKS),
    state.Float("tau", 1.0, lo=TAU_GRID[0], hi=TAU_GRID[-1], grid=TAU_GRID),
    state.Int("row", 0, lo=0, hi=MAX_N - 1),
)
mode, gen, kind = b["mode"], b["gen"], b["score"]


def sizes() -> qkv_data.Sizes:
    """The random generator's sizes. In a callback a size whose input is not on the screen in
    this mode (n_q in VVV) has no value yet: its default stands in, unused by the mode."""
    got = {n: st.session_state.get(b.key(n), b.params[n].default) for n in SIZE_NAMES["qkv"]}
    return qkv_data.Sizes(**got)


def made_params(kind: str, d_q: int, d_k: int) -> dict[str, np.ndarray]:
    """The seeded parameters of an additive or general score, as matrices (w_v is one row)."""
    p = random_score_params(kind, d_q, d_k, h=b["h"], seed=b["pseed"])
    return {name: np.atleast_2d(np.round(w, PARAM_DECIMALS)) for name, w in p.items()}


def load(gen: str | None = None) -> None:
    """Fill the matrices of the current mode from a preset or the random generator."""
    if gen is not None:
        b.set("gen", gen)
    for name, m in qkv_data.generate(b["gen"], b["mode"], b["seed"], sizes()).items():
        editor.set_matrix(b.key(name), m)


def new_random() -> None:
    if b["gen"] == "random":
        b.set("seed", (b["seed"] + 1) % (MAX_SEED + 1))
    load("random")


def dims() -> tuple[int, int, int, int]:
    """``n_q, n_k, d_q, d_k`` of the matrices in the session (for callbacks)."""
    names = qkv_data.names(b["mode"])
    Q, K, _ = qkv_data.qkv_of(b["mode"], {n: st.session_state[b.key(n)] for n in names})
    return Q.shape[0], K.shape[0], Q.shape[1], K.shape[1]


def reload_params() -> None:
    """New seeded score parameters (after a change of their seed or hidden size)."""
    _, _, d_q, d_k = dims()
    for kind in PARAM_NAMES:
        for name, m in made_params(kind, d_q, d_k).items():
            if b.key(name) in st.session_state:
                editor.set_matrix(b.key(name), m)


def use_score(kind: str) -> None:
    b.set("score", kind)


def plane_figure(Q, K, row: int, q_labels: list[str], k_labels: list[str]):
    """The plane view, rebuilt only when what it shows changed (not on every temperature move).

    In VVV the queries are the keys, so only the selected one is drawn over them.
    """
    pres, title = layout.presenting(), t("qkv.fig.plane", q=q_labels[row])
    memo_key = (Q.tobytes(), K.tobytes(), Q.shape, K.shape, row, mode, pres, title)
    memo = st.session_state.get("qkv._plane")
    if memo is None or memo[0] != memo_key:
        one = mode == "vvv"
        fig = fig_qkv.plane(
            Q[row : row + 1] if one else Q,
            K,
            row=0 if one else row,
            query_labels=[q_labels[row]] if one else q_labels,
            key_labels=k_labels,
            title=title,
            axis_titles=(t("qkv.axis.dim1"), t("qkv.axis.dim2")),
        )
        memo = (memo_key, layout.style_figure(fig, height=PLANE_HEIGHT))
        st.session_state["qkv._plane"] = memo
    return memo[1]


def reset_all() -> None:
    b.reset()
    load("default")
    reload_params()
    if b.key("lens") in st.session_state:
        n_q, n_k, _, _ = dims()
        editor.set_matrix(b.key("lens"), qkv_data.default_lengths(n_q, n_k))


# --- the matrices of this mode, then the score's parameters, the mask and the row ----------
made = qkv_data.generate(gen, mode, b["seed"], sizes())
state.bind(
    "qkv",
    *(
        state.Matrix(name, default=made[name], max_rows=MAX_N, max_cols=MAX_D)
        for name in qkv_data.names(mode)
    ),
)
mats = {name: st.session_state[b.key(name)] for name in qkv_data.names(mode)}
if mode == "qkv" and mats["K"].shape[0] != mats["V"].shape[0]:
    state.add_notice(t("qkv.notice.kv_rows", k=mats["K"].shape[0], v=mats["V"].shape[0]))
    for name in ("K", "V"):
        editor.set_matrix(b.key(name), made[name])
Q0, K0, V0 = qkv_data.qkv_of(mode, {n: st.session_state[b.key(n)] for n in qkv_data.names(mode)})
n_q, n_k, d_q, d_k = Q0.shape[0], K0.shape[0], Q0.shape[1], K0.shape[1]
# the size inputs always show the sizes of the matrices in use (a change draws random ones)
in_use = {"n_q": n_q, "n_k": n_k, "d_q": 0 if d_q == d_k else d_q, "d_k": d_k, "d_v": V0.shape[1]}
for name in SIZE_NAMES[mode]:
    if b[name] != in_use[name]:
        if from_link[name]:  # a size in the link that the matrices in use do not have
            state.add_notice(t("qkv.notice.size", name=name, asked=b[name], used=in_use[name]))
        b.set(name, in_use[name])

if kind in PARAM_NAMES:
    made_p = made_params(kind, d_q, d_k)
    state.bind(
        "qkv",
        *(
            state.Matrix(name, default=made_p[name], max_rows=MAX_D, max_cols=MAX_D)
            for name in PARAM_NAMES[kind]
        ),
    )
    for name in PARAM_NAMES[kind]:
        if st.session_state[b.key(name)].shape != made_p[name].shape:
            if from_link[name]:
                given = " × ".join(map(str, st.session_state[b.key(name)].shape))
                needed = " × ".join(map(str, made_p[name].shape))
                state.add_notice(t("qkv.notice.param_shape", name=name, given=given, needed=needed))
            editor.set_matrix(b.key(name), made_p[name])

square = n_q == n_k
if from_link["mask"] and b["mask"] == "causal" and not square:
    state.add_notice(t("qkv.notice.causal", n_q=n_q, n_k=n_k))
    b.set("mask", "none")
# options that follow the sizes: a quick click can send one that is gone, or its label
snap_choice(
    b.key("mask"),
    MASKS if square else ("none", "valid"),
    label=t("qkv.mask"),
    format_func={m: t(f"qkv.mask.{m}") for m in MASKS}.__getitem__,
    default="none",
)
lens_fitted = None  # set when the sizes changed the valid lengths: said beside their table
if b["mask"] == "valid":
    state.bind(
        "qkv",
        state.Matrix(
            "lens", default=qkv_data.default_lengths(n_q, n_k), max_rows=1, max_cols=MAX_N
        ),
    )
    was = np.asarray(st.session_state[b.key("lens")], dtype=np.float64)
    lens, changed = qkv_data.fit_lengths(was, n_q, n_k)
    if changed:
        # name the lengths given and the ones used: a link's, or ones a smaller n_k cut down
        values = {
            "n_q": n_q,
            "n_k": n_k,
            "was": qkv_data.lengths_text(was),
            "now": qkv_data.lengths_text(lens),
        }
        if from_link["lens"]:
            state.add_notice(t("qkv.notice.lens", **values))
        else:
            lens_fitted = t("qkv.notice.lens_fitted", **values)
        editor.set_matrix(b.key("lens"), lens)
if from_link["row"] and b["row"] >= n_q:
    state.add_notice(t("qkv.notice.row", asked=b["row"] + 1, n=n_q))
    b.set("row", n_q - 1)
snap_choice(b.key("row"), range(n_q), label=t("qkv.row"), format_func=lambda i: f"q{i + 1}")

layout.header("qkv")

# --- 1. Q, K and V: three ways to fill them, then the tables --------------------------------
st.header(t("qkv.modes.title"))
layout.explain(t("qkv.modes.text"))
c1, c2 = st.columns([1, 3])
with c1, layout.controls():
    st.radio(
        t("qkv.mode"),
        MODES,
        key=b.key("mode"),
        format_func={m: t(f"qkv.mode.{m}") for m in MODES}.__getitem__,
        on_change=load,
    )
with c2:
    layout.explain(t(f"qkv.mode.{mode}.story"), title=t(f"qkv.mode.{mode}"))

with layout.controls(t("qkv.matrices.controls")):
    cols = st.columns(5)
    for col, g in zip(cols, ("default", "identical", "dominant"), strict=False):
        col.button(
            t(f"qkv.gen.{g}"), key=f"qkv.load.{g}", on_click=load, args=(g,), width="stretch"
        )
    cols[3].button(
        t("qkv.gen.random"),
        key="qkv.load.random",
        on_click=new_random,
        icon=":material/casino:",
        help=t("qkv.gen.random.help"),
        width="stretch",
    )
    cols[4].button(
        t("app.reset"),
        key="qkv.reset",
        on_click=reset_all,
        icon=":material/restart_alt:",
        width="stretch",
    )
    shown_sizes = SIZE_NAMES[mode]
    cols = st.columns(1 + len(shown_sizes))
    cols[0].number_input(
        t("app.seed"),
        min_value=0,
        max_value=MAX_SEED,
        step=1,
        key=b.key("seed"),
        on_change=load,
        args=("random",),
    )
    for col, name in zip(cols[1:], shown_sizes, strict=True):
        label = t(f"qkv.size.{mode}.{name}" if mode == "vvv" else f"qkv.size.{name}")
        if name == "d_q":
            col.selectbox(
                label,
                range(MAX_D + 1),
                key=b.key(name),
                format_func=[t("qkv.size.d_q.same"), *map(str, range(1, MAX_D + 1))].__getitem__,
                on_change=load,
                args=("random",),
                help=t("qkv.size.d_q.help"),
            )
        else:
            cap = MAX_N if name.startswith("n") else MAX_D
            col.number_input(
                label,
                min_value=1,
                max_value=cap,
                step=1,
                key=b.key(name),
                on_change=load,
                args=("random",),
                help=t("qkv.size.cap", n=cap),
            )
ROW_LABEL = {"Q": "q", "K": "k", "V": "k", "X": "x"}
mats = {}
cols = st.columns(len(qkv_data.names(mode)))
for col, name in zip(cols, qkv_data.names(mode), strict=True):
    m = st.session_state[b.key(name)]
    rows = [f"{ROW_LABEL[name]}{r + 1}" for r in range(m.shape[0])]
    rgb = mode == "qkv" and name == "V" and gen != "random" and m.shape[1] == 3
    columns = ["R", "G", "B"] if rgb else [str(c + 1) for c in range(m.shape[1])]
    with col:
        st.markdown(t(f"qkv.matrix.{mode}.{name}", rows=m.shape[0], cols=m.shape[1]))
        mats[name] = editor.matrix_editor(b.key(name), row_labels=rows, col_labels=columns)
        if m.size > editor.MAX_EDIT_CELLS:
            panel = fig_qkv.Panel(
                m, name, t("qkv.axis.dims"), t(f"qkv.axis.rows.{name}"), columns, rows
            )
            layout.show_figure(fig_qkv.panels([panel]), key=f"qkv.fig.input.{name}")
Q, K, V = qkv_data.qkv_of(mode, mats)
layout.explain(t(f"qkv.gen.{gen}.story.{mode}", seed=b["seed"]))
layout.explain(t("qkv.matrices.text"))
q_labels = [f"q{r + 1}" for r in range(n_q)]
k_labels = [f"k{r + 1}" for r in range(n_k)]
v_labels = ["R", "G", "B"] if (mode == "qkv" and gen != "random" and V.shape[1] == 3) else None
v_labels = v_labels or [str(c + 1) for c in range(V.shape[1])]

# --- 3. Score, mask, temperature -----------------------------------------------------------
st.header(t("qkv.settings.title"))
layout.explain(t("qkv.settings.text"))
with layout.controls():
    st.radio(
        t("qkv.score"),
        SCORE_KINDS,
        key=b.key("score"),
        horizontal=True,
        format_func={k: t(f"qkv.score.{k}") for k in SCORE_KINDS}.__getitem__,
    )
    c1, c2 = st.columns(2)
    with c1:
        st.radio(
            t("qkv.mask"),
            MASKS if square else ("none", "valid"),
            key=b.key("mask"),
            horizontal=True,
            format_func={m: t(f"qkv.mask.{m}") for m in MASKS}.__getitem__,
        )
        if not square:
            st.caption(t("qkv.mask.causal.off", n_q=n_q, n_k=n_k))
    with c2:
        tau = log_slider(t("qkv.tau"), b.key("tau"), TAU_GRID, help=t("qkv.tau.help"))

params = None
if kind in PARAM_NAMES:
    with st.expander(t(f"qkv.params.{kind}"), expanded=False):
        st.markdown(t(f"qkv.params.{kind}.text"))
        c1, c2 = st.columns(2)
        c1.number_input(
            t("qkv.params.seed"),
            min_value=0,
            max_value=MAX_SEED,
            step=1,
            key=b.key("pseed"),
            on_change=reload_params,
        )
        if kind == "additive":
            c2.number_input(
                t("qkv.params.h"),
                min_value=1,
                max_value=MAX_H,
                step=1,
                key=b.key("h"),
                on_change=reload_params,
                help=t("qkv.size.cap", n=MAX_H),
            )
        params = {}
        pcols = st.columns(len(PARAM_NAMES[kind]))
        for col, name in zip(pcols, PARAM_NAMES[kind], strict=True):
            m = st.session_state[b.key(name)]
            with col:
                st.markdown(t(f"qkv.params.matrix.{name}", rows=m.shape[0], cols=m.shape[1]))
                rows = [str(r + 1) for r in range(m.shape[0])]
                columns = [str(c + 1) for c in range(m.shape[1])]
                params[name] = editor.matrix_editor(
                    b.key(name), row_labels=rows, col_labels=columns
                )
                if m.size > editor.MAX_EDIT_CELLS:
                    panel = fig_qkv.Panel(m, name, t("qkv.axis.dims"), "", columns, rows)
                    layout.show_figure(fig_qkv.panels([panel]), key=f"qkv.fig.param.{name}")
                layout.download_csv(
                    t("qkv.export.param", name=name),
                    partial(layout.matrix_frame, params[name], rows, columns),
                    f"{layout.export_name('qkv.param', kind, name)}.csv",
                    key=f"qkv.download.param.{name}",
                )
        if kind == "additive":
            params["w_v"] = params["w_v"][0]  # stored as one row, used as a vector (h,)

mask = None
if b["mask"] == "causal":
    mask = causal_mask(n_q)
elif b["mask"] == "valid":
    st.markdown(t("qkv.lens", n_k=n_k))
    if lens_fitted:
        st.warning(lens_fitted, icon="✏️")
    lens = editor.matrix_editor(
        b.key("lens"), row_labels=[t("qkv.lens.row")], col_labels=q_labels, lo=0, hi=n_k, step=1
    )
    lens, _ = qkv_data.fit_lengths(lens, n_q, n_k)
    mask = valid_length_mask(n_q, n_k, lens[0].astype(int))
if mask is not None:
    layout.download_csv(
        t("qkv.export.mask"),
        partial(layout.matrix_frame, mask, q_labels, k_labels),
        f"{layout.export_name('qkv.mask', b['mask'])}.csv",
        key="qkv.download.mask",
    )

result = None
if kind in ("dot", "scaled_dot") and d_q != d_k:
    st.warning(
        t("qkv.mismatch", kind=t(f"qkv.score.{kind}.name"), d_q=d_q, d_k=d_k),
        icon=":material/straighten:",
    )
    c1, c2, _ = st.columns([1, 1, 2])
    c1.button(
        t("qkv.mismatch.additive"), key="qkv.use.additive", on_click=use_score, args=("additive",)
    )
    c2.button(
        t("qkv.mismatch.general"), key="qkv.use.general", on_click=use_score, args=("general",)
    )
else:
    try:
        result = attention(Q, K, V, kind=kind, mask=mask, tau=tau, params=params)
    except ValueError as err:
        st.error(t("qkv.error", why=state.shown(str(err), 300)), icon=":material/error:")

# --- 4. Scores → weights → output ----------------------------------------------------------
if result is not None:
    row = b["row"]
    masked = None if mask is None else ~mask  # (n_q, n_k) True where a key is hidden
    st.header(t("qkv.results.title"))
    layout.explain(t("qkv.results.text"))
    colours = (
        qkv_data.looks_like_colours(V)
        and max(n_q, n_k) <= SWATCHES_UP_TO
        and bool(np.all(result.output <= 1.0))
    )
    layout.show_figure(
        fig_qkv.panels(
            [
                fig_qkv.Panel(
                    result.scores,
                    f"{t('qkv.fig.scores')}<br>{t(f'qkv.fig.scores.{kind}')}",
                    t("qkv.axis.keys"),
                    t("qkv.axis.queries"),
                    k_labels,
                    q_labels,
                    masked=masked,
                    row=row,
                ),
                fig_qkv.Panel(
                    result.weights,
                    f"{t('qkv.fig.weights')}<br>{t('qkv.fig.weights.formula', tau=f'{tau:g}')}",
                    t("qkv.axis.keys"),
                    "",
                    k_labels,
                    q_labels,
                    kind="weights",
                    masked=masked,
                    row=row,
                    top_swatches=V if colours else None,
                    row_ticks=False,
                ),
                fig_qkv.Panel(
                    result.output,
                    f"{t('qkv.fig.output')}<br>{t('qkv.fig.output.formula')}",
                    t("qkv.axis.dims_v"),
                    "",
                    v_labels,
                    q_labels,
                    row=row,
                    side_swatches=result.output if colours else None,
                    side_label=t("qkv.fig.mix.mixture"),
                    row_ticks=False,
                ),
            ]
        ),
        key="qkv.fig.results",
        name="-".join(("scores-weights-output", kind, b["mask"])),
    )
    if colours:
        st.caption(t("qkv.fig.mix.caption"))
    empty = np.flatnonzero(result.fully_masked)
    if empty.size:
        st.warning(
            t("qkv.fully_masked", rows=", ".join(q_labels[r] for r in empty[:12])),
            icon=":material/block:",
        )

    if d_q == d_k == 2:  # vectors in the plane: the angle-and-length story of q·k
        if n_q + n_k <= ARROWS_UP_TO:
            c1, c2 = st.columns([3, 2])
            with c1:
                layout.show_figure(
                    plane_figure(Q, K, row, q_labels, k_labels),
                    key="qkv.fig.plane",
                    height=PLANE_HEIGHT,
                    name=f"plane-{q_labels[row]}",
                )
            with c2:
                if kind in ("dot", "scaled_dot"):
                    st.caption(t("qkv.fig.plane.caption"))
                    angles = qkv_text.angle_lines(Q[row], K, row)
                    st.latex(qkv_text.block(qkv_text.Step("angle", tuple(angles))))
                else:
                    st.caption(t(f"qkv.fig.plane.{kind}"))
        else:
            st.caption(t("qkv.fig.plane.too_many", n=ARROWS_UP_TO))

    # --- 5. One query row, step by step -----------------------------------------------------
    st.header(t("qkv.work.title"))
    layout.explain(t("qkv.work.text"))
    with layout.controls():
        st.selectbox(
            t("qkv.row"),
            range(n_q),
            key=b.key("row"),
            format_func=q_labels.__getitem__,
            help=t("qkv.row.help"),
        )
    work = qkv_text.row_working(Q, K, V, result, row, kind=kind, tau=tau, mask=mask, params=params)
    if work.fully_masked:
        st.info(t("qkv.work.fully_masked", q=q_labels[row]))
    for n, step in enumerate(work.steps, start=1):
        st.markdown(f"**{n}. {t(f'qkv.work.{step.name}')}**")
        st.latex(qkv_text.block(step))
    if work.shift:
        st.caption(t("qkv.work.shift"))
    if len(work.shown) < n_k:
        st.caption(t("qkv.work.some_keys", shown=len(work.shown), n=n_k))

    # --- 6. Downloads ------------------------------------------------------------------------
    st.header(t("qkv.download.title"))
    cols = st.columns(6)
    view = (kind, b["mask"])  # the score and the mask the results depend on
    frames = (
        ("Q", Q, q_labels, [str(c + 1) for c in range(d_q)], ()),
        ("K", K, k_labels, [str(c + 1) for c in range(d_k)], ()),
        ("V", V, k_labels, v_labels, ()),
        ("scores", result.scores, q_labels, k_labels, (kind,)),
        ("weights", result.weights, q_labels, k_labels, view),
        ("output", result.output, q_labels, v_labels, view),
    )
    for col, (name, m, rows, columns, shown) in zip(cols, frames, strict=True):
        with col:
            layout.download_csv(
                t(f"qkv.download.{name}"),
                partial(layout.matrix_frame, m, rows, columns),
                f"{layout.export_name(f'qkv.{name}', *shown)}.csv",
                key=f"qkv.download.{name}",
            )
