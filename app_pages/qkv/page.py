"""Q · K · V playground: fill in queries, keys and values, and watch attention recompute.

Reads like the screen: the title, then one function per section, listed in order at the end.
Every section depends on the matrices: the Q/K/V editors feed the score settings, the scores →
weights → output heatmaps, the worked query row and the downloads, so they all sit in one group
(one fragment); a change anywhere reruns that group and nothing outside it. Each section reads
what it needs from the bound state (:func:`setup`, :func:`computed`), so in presentation mode,
where one section is shown at a time, every section draws on its own. Costly figures (the
results heatmaps, the plane, the step figure, large inputs drawn as images) are remembered on
their inputs. The results section asks first (``ui.guess``): with "Guess first" on, the selected
query's weights (and everything after that shows them) hide until the student reveals them; the
worked row steps through scores → scale → mask → softmax → weighted sum (``ui.steps``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import streamlit as st

from app_pages.qkv import data, figures, text
from app_pages.qkv.data import MAX_D, MAX_N, MODES
from app_pages.qkv.text import STEP_NAMES
from attn_core import SCORE_KINDS, attention, causal_mask, random_score_params, valid_length_mask
from ui import editor, guess, layout, sections, state, steps, widgets
from ui.i18n import t
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
ROW_LABEL = {"Q": "q", "K": "k", "V": "k", "X": "x"}
MEMO = "qkv._memo"  # {name: (inputs, value)}: figures and results kept while their inputs hold

# which values a first visit takes from the link (to say so when one has to be replaced)
from_link = {
    name: f"qkv.{name}" not in st.session_state and name in st.query_params
    for name in ("W_q", "W_k", "w_v", "W", "lens", "mask", "row", *SIZE_NAMES["qkv"])
}
b = state.bind(
    "qkv",
    state.Choice("mode", "qkv", options=MODES),
    state.Choice("gen", "default", options=data.GENERATORS),
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


# --- callbacks --------------------------------------------------------------------------------


def sizes() -> data.Sizes:
    """The random generator's sizes. In a callback a size whose input is not on the screen in
    this mode (n_q in VVV) has no value yet: its default stands in, unused by the mode."""
    got = {n: st.session_state.get(b.key(n), b.params[n].default) for n in SIZE_NAMES["qkv"]}
    return data.Sizes(**got)


def made_params(kind: str, d_q: int, d_k: int) -> dict[str, np.ndarray]:
    """The seeded parameters of an additive or general score, as matrices (w_v is one row)."""
    p = random_score_params(kind, d_q, d_k, h=b["h"], seed=b["pseed"])
    return {name: np.atleast_2d(np.round(w, PARAM_DECIMALS)) for name, w in p.items()}


def load(gen: str | None = None) -> None:
    """Fill the matrices of the current mode from a preset or the random generator."""
    if gen is not None:
        b.set("gen", gen)
    for name, m in data.generate(b["gen"], b["mode"], b["seed"], sizes()).items():
        editor.set_matrix(b.key(name), m)


def new_random() -> None:
    if b["gen"] == "random":
        b.set("seed", (b["seed"] + 1) % (MAX_SEED + 1))
    load("random")


def dims() -> tuple[int, int, int, int]:
    """``n_q, n_k, d_q, d_k`` of the matrices in the session (for callbacks)."""
    Q, K, _ = matrices()
    return Q.shape[0], K.shape[0], Q.shape[1], K.shape[1]


def reload_params() -> None:
    """New seeded score parameters (after a change of their seed or hidden size)."""
    _, _, d_q, d_k = dims()
    for kind in PARAM_NAMES:
        for name, m in made_params(kind, d_q, d_k).items():
            if b.key(name) in st.session_state:
                editor.set_matrix(b.key(name), m)


def params_input(where: Any, name: str, label: str, lo: int, hi: int, **kwargs: Any) -> None:
    """A whole number the score parameters are drawn from (label ``qkv.params.<label>``):
    changing it draws new parameters."""
    where.number_input(
        t(f"qkv.params.{label}"),
        min_value=lo,
        max_value=hi,
        step=1,
        key=b.key(name),
        on_change=reload_params,
        **kwargs,
    )


def use_score(kind: str) -> None:
    b.set("score", kind)


def reset_all() -> None:
    b.reset()
    load("default")
    reload_params()
    if b.key("lens") in st.session_state:
        n_q, n_k, _, _ = dims()
        editor.set_matrix(b.key("lens"), data.default_lengths(n_q, n_k))


# --- the state every section reads ----------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """The sizes of the matrices in use."""

    n_q: int
    n_k: int
    d_q: int
    d_k: int
    d_v: int

    @property
    def square(self) -> bool:
        return self.n_q == self.n_k


def matrices() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(Q, K, V)`` of the current mode, from the session (the same array where they are one)."""
    return data.qkv_of(b["mode"], {n: st.session_state[b.key(n)] for n in data.names(b["mode"])})


def setup() -> Setup:
    """Bind the matrices of this mode, the score's parameters, the mask's lengths and the row,
    and make them agree with each other. Every section calls it first (it changes nothing the
    second time), so a section drawn alone, or rerun alone, sees the same state."""
    mode, kind = b["mode"], b["score"]
    made = data.generate(b["gen"], mode, b["seed"], sizes())
    state.bind(
        "qkv",
        *(
            state.Matrix(name, default=made[name], max_rows=MAX_N, max_cols=MAX_D)
            for name in data.names(mode)
        ),
    )
    if (
        mode == "qkv"
        and st.session_state[b.key("K")].shape[0] != (st.session_state[b.key("V")].shape[0])
    ):
        k, v = st.session_state[b.key("K")].shape[0], st.session_state[b.key("V")].shape[0]
        state.add_notice(t("qkv.notice.kv_rows", k=k, v=v))
        for name in ("K", "V"):
            editor.set_matrix(b.key(name), made[name])
    Q, K, V = matrices()
    n_q, n_k, d_q, d_k = Q.shape[0], K.shape[0], Q.shape[1], K.shape[1]
    # the size inputs always show the sizes of the matrices in use (a change draws random ones)
    in_use = {
        "n_q": n_q,
        "n_k": n_k,
        "d_q": 0 if d_q == d_k else d_q,
        "d_k": d_k,
        "d_v": V.shape[1],
    }
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
                    state.add_notice(
                        t("qkv.notice.param_shape", name=name, given=given, needed=needed)
                    )
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
    if b["mask"] == "valid":
        state.bind(
            "qkv",
            state.Matrix(
                "lens", default=data.default_lengths(n_q, n_k), max_rows=1, max_cols=MAX_N
            ),
        )
        was = np.asarray(st.session_state[b.key("lens")], dtype=np.float64)
        lens, changed = data.fit_lengths(was, n_q, n_k)
        if changed:
            # name the lengths given and the ones used: a link's, or ones a smaller n_k cut down
            values = {
                "n_q": n_q,
                "n_k": n_k,
                "was": data.lengths_text(was),
                "now": data.lengths_text(lens),
            }
            if from_link["lens"]:
                state.add_notice(t("qkv.notice.lens", **values))
            else:  # new sizes cut them: said at the top of the section group
                state.flash(t("qkv.notice.lens_fitted", **values))
            editor.set_matrix(b.key("lens"), lens)
    if from_link["row"] and b["row"] >= n_q:
        state.add_notice(t("qkv.notice.row", asked=b["row"] + 1, n=n_q))
        b.set("row", n_q - 1)
    snap_choice(b.key("row"), range(n_q), label=t("qkv.row"), format_func=lambda i: f"q{i + 1}")
    # the guess and the step stay in the link while their section is off the screen (a slide;
    # otherwise the results section binds the guess before drawing its switch)
    if layout.presenting():
        guess.bind("qkv")  # the same binding as ask() makes
    state.bind("qkv", state.Int(steps.STEP_PARAM, 1, lo=1, hi=len(STEP_NAMES)))
    return Setup(n_q, n_k, d_q, d_k, V.shape[1])


def score_params() -> dict[str, np.ndarray] | None:
    """The additive or general score's parameters in the session (w_v as a vector), or None."""
    kind = b["score"]
    if kind not in PARAM_NAMES:
        return None
    params = {name: st.session_state[b.key(name)] for name in PARAM_NAMES[kind]}
    if kind == "additive":
        params["w_v"] = params["w_v"][0]  # stored as one row, used as a vector (h,)
    return params


def the_mask(s: Setup) -> np.ndarray | None:
    """``(n_q, n_k)`` True where a query may look at a key, or None without a mask."""
    if b["mask"] == "causal" and s.square:
        return causal_mask(s.n_q)
    if b["mask"] == "valid":
        lens, _ = data.fit_lengths(st.session_state[b.key("lens")], s.n_q, s.n_k)
        return valid_length_mask(s.n_q, s.n_k, lens[0].astype(int))
    return None


def mismatch(s: Setup) -> bool:
    """A dot-product score asked of queries and keys of different lengths."""
    return b["score"] in ("dot", "scaled_dot") and s.d_q != s.d_k


def _digest(*parts: Any) -> str:
    """One short digest of arrays and plain values (a memo's inputs)."""
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        if isinstance(p, np.ndarray):
            h.update(str((p.shape, p.dtype)).encode())
            h.update(np.ascontiguousarray(p).tobytes())
        elif isinstance(p, dict):
            h.update(_digest(*sorted(p)).encode())
            h.update(_digest(*(p[k] for k in sorted(p))).encode())
        else:
            h.update(repr(p).encode())
        h.update(b"|")
    return h.hexdigest()


def remembered(name: str, inputs: str, build: Callable[[], Any]) -> Any:
    """``build()``, or what it gave last time for the same ``inputs`` (one per name a session)."""
    memo: dict[str, tuple[str, Any]] = st.session_state.setdefault(MEMO, {})
    got = memo.get(name)
    if got is None or got[0] != inputs:
        got = (inputs, build())
        memo[name] = got
    return got[1]


@dataclass(frozen=True)
class Computed:
    """What attention gives for the state: the inputs, the result (None: nothing to show) and
    the error the core raised, if any."""

    Q: np.ndarray
    K: np.ndarray
    V: np.ndarray
    params: dict[str, np.ndarray] | None
    mask: np.ndarray | None
    tau: float
    result: Any
    error: str | None
    inputs: str  # digest of everything the result depends on


def computed(s: Setup) -> Computed:
    """Attention for the matrices, score, mask and temperature in the state (remembered: a
    section that only reads it costs nothing at n = 1,024)."""
    Q, K, V = matrices()
    params, mask, tau, kind = score_params(), the_mask(s), float(b["tau"]), b["score"]
    inputs = _digest(Q, K, V, params or {}, mask if mask is not None else 0, tau, kind)

    def run() -> tuple[Any, str | None]:
        if mismatch(s):
            return None, None
        try:
            return attention(Q, K, V, kind=kind, mask=mask, tau=tau, params=params), None
        except ValueError as err:
            return None, str(err)

    result, error = remembered("attention", inputs, run)
    return Computed(Q, K, V, params, mask, tau, result, error, inputs)


def labels(s: Setup) -> tuple[list[str], list[str], list[str]]:
    """Row labels of the queries and keys, and the value columns' labels (R, G, B for inks)."""
    q_labels = [f"q{r + 1}" for r in range(s.n_q)]
    k_labels = [f"k{r + 1}" for r in range(s.n_k)]
    rgb = b["mode"] == "qkv" and b["gen"] != "random" and s.d_v == 3
    v_labels = ["R", "G", "B"] if rgb else [str(c + 1) for c in range(s.d_v)]
    return q_labels, k_labels, v_labels


def large_matrix(m: np.ndarray, key: str, title: str, y_title: str, columns, rows) -> None:
    """A matrix too large for the table editor, drawn instead (remembered by content)."""
    inputs = _digest(m, title, y_title, columns, rows)
    fig = remembered(
        key,
        inputs,
        lambda: figures.panels(
            [figures.Panel(m, title, t("qkv.axis.dims"), y_title, columns, rows)]
        ),
    )
    layout.show_figure(fig, key=key)


# --- the sections, in screen order ----------------------------------------------------------


def matrices_section() -> None:
    """1. Q, K and V: three ways to fill them, the generators and sizes, then the tables."""
    s = setup()
    mode, gen = b["mode"], b["gen"]
    st.header(t("qkv.modes.title"))
    layout.explain(t("qkv.modes.text"))
    c1, c2 = st.columns([1, 3])
    with c1, layout.controls():
        widgets.control(st.radio, b, "mode", MODES, named_options=True, on_change=load)
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
                    format_func=[
                        t("qkv.size.d_q.same"),
                        *map(str, range(1, MAX_D + 1)),
                    ].__getitem__,
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
    _, _, v_labels = labels(s)
    cols = st.columns(len(data.names(mode)))
    for col, name in zip(cols, data.names(mode), strict=True):
        m = st.session_state[b.key(name)]
        rows = [f"{ROW_LABEL[name]}{r + 1}" for r in range(m.shape[0])]
        columns = v_labels if name == "V" else [str(c + 1) for c in range(m.shape[1])]
        with col:
            st.markdown(t(f"qkv.matrix.{mode}.{name}", rows=m.shape[0], cols=m.shape[1]))
            editor.matrix_editor(b.key(name), row_labels=rows, col_labels=columns)
            if m.size > editor.MAX_EDIT_CELLS:
                large_matrix(
                    m, f"qkv.fig.input.{name}", name, t(f"qkv.axis.rows.{name}"), columns, rows
                )
    layout.explain(t(f"qkv.gen.{gen}.story.{mode}", seed=b["seed"]))
    layout.explain(t("qkv.matrices.text"))


def settings() -> None:
    """2. Score, mask and temperature (with the score's parameters and the valid lengths)."""
    s = setup()
    kind = b["score"]
    st.header(t("qkv.settings.title"))
    layout.explain(t("qkv.settings.text"))
    with layout.controls():
        widgets.control(st.radio, b, "score", SCORE_KINDS, horizontal=True, named_options=True)
        c1, c2 = st.columns(2)
        with c1:
            widgets.control(
                st.radio,
                b,
                "mask",
                MASKS if s.square else ("none", "valid"),
                horizontal=True,
                format_func={m: t(f"qkv.mask.{m}") for m in MASKS}.__getitem__,
            )
            if not s.square:
                st.caption(t("qkv.mask.causal.off", n_q=s.n_q, n_k=s.n_k))
        with c2:
            log_slider(t("qkv.tau"), b.key("tau"), TAU_GRID, help=t("qkv.tau.help"))

    if kind in PARAM_NAMES:
        with st.expander(t(f"qkv.params.{kind}"), expanded=False):
            st.markdown(t(f"qkv.params.{kind}.text"))
            c1, c2 = st.columns(2)
            params_input(c1, "pseed", "seed", 0, MAX_SEED)
            if kind == "additive":
                params_input(c2, "h", "h", 1, MAX_H, help=t("qkv.size.cap", n=MAX_H))
            pcols = st.columns(len(PARAM_NAMES[kind]))
            for col, name in zip(pcols, PARAM_NAMES[kind], strict=True):
                m = st.session_state[b.key(name)]
                with col:
                    st.markdown(t(f"qkv.params.matrix.{name}", rows=m.shape[0], cols=m.shape[1]))
                    rows = [str(r + 1) for r in range(m.shape[0])]
                    columns = [str(c + 1) for c in range(m.shape[1])]
                    edited = editor.matrix_editor(b.key(name), row_labels=rows, col_labels=columns)
                    if m.size > editor.MAX_EDIT_CELLS:
                        large_matrix(m, f"qkv.fig.param.{name}", name, "", columns, rows)
                    layout.download_csv(
                        t("qkv.export.param", name=name),
                        partial(layout.matrix_frame, edited, rows, columns),
                        f"{layout.export_name('qkv.param', kind, name)}.csv",
                        key=f"qkv.download.param.{name}",
                    )

    q_labels, k_labels, _ = labels(s)
    if b["mask"] == "valid":
        st.markdown(t("qkv.lens", n_k=s.n_k))
        editor.matrix_editor(
            b.key("lens"),
            row_labels=[t("qkv.lens.row")],
            col_labels=q_labels,
            lo=0,
            hi=s.n_k,
            step=1,
        )
    mask = the_mask(s)
    if mask is not None:
        layout.download_csv(
            t("qkv.export.mask"),
            partial(layout.matrix_frame, mask, q_labels, k_labels),
            f"{layout.export_name('qkv.mask', b['mask'])}.csv",
            key="qkv.download.mask",
        )

    if mismatch(s):
        st.warning(
            t("qkv.mismatch", kind=t(f"qkv.score.{kind}.name"), d_q=s.d_q, d_k=s.d_k),
            icon=":material/straighten:",
        )
        c1, c2, _ = st.columns([1, 1, 2])
        c1.button(
            t("qkv.mismatch.additive"),
            key="qkv.use.additive",
            on_click=use_score,
            args=("additive",),
        )
        c2.button(
            t("qkv.mismatch.general"), key="qkv.use.general", on_click=use_score, args=("general",)
        )
        return
    c = computed(s)
    if c.error is not None:
        st.error(t("qkv.error", why=state.shown(c.error, 300)), icon=":material/error:")


def results_section(part: str, explained: bool = True) -> tuple[Setup, Computed] | None:
    """Open a section that shows results: the setup and its computation, with the section's
    title (and explanation) drawn; None when there is no result (a score that does not fit
    the sizes, or an error): said on a slide, where the settings section is not on screen; the
    settings section says why."""
    s = setup()
    c = computed(s)
    if c.result is None:
        if layout.presenting():
            st.info(t("qkv.no_result"))
        return None
    st.header(t(f"qkv.{part}.title"))
    if explained:
        layout.explain(t(f"qkv.{part}.text"))
    return s, c


def results() -> None:
    """3. Scores → weights → output, and the queries and keys as arrows when they are 2-D."""
    opened = results_section("results")
    if opened is None:
        return
    s, c = opened
    q_labels, k_labels, v_labels = labels(s)
    row = row_select(q_labels)
    question = weights_question(c, row, q_labels, k_labels)
    if question is not None and not guess.ask("qkv", question):
        scores_alone(c, row, q_labels, k_labels)
    else:
        all_results(s, c, row, q_labels, k_labels, v_labels)
    if s.d_q == s.d_k == 2:  # vectors in the plane: the angle-and-length story of q·k
        plane(s, c, row, q_labels, k_labels)


def row_select(q_labels: list[str]) -> int:
    """The query written out below (framed in the heatmaps, asked about by the guess)."""
    with layout.controls():
        widgets.control(
            st.selectbox,
            b,
            "row",
            range(len(q_labels)),
            format_func=q_labels.__getitem__,
            help=True,
        )
    return int(b["row"])


def weights_question(c: Computed, row: int, q_labels, k_labels) -> guess.Question | None:
    """Guess the selected query's weights; why: its best key's lead over the next, which the
    softmax turns into a ratio of weights e^(gap/τ). None when the mask hides every key."""
    allowed = np.ones(len(k_labels), bool) if c.mask is None else np.asarray(c.mask[row], bool)
    if not allowed.any():
        return None
    w, scores = c.result.weights[row], c.result.scores[row]  # (n_k,) each
    order = [int(j) for j in np.argsort(-scores, kind="stable") if allowed[j]]
    first = order[0]
    if len(order) == 1:
        why = t("qkv.guess.why_one", q=q_labels[row], k=k_labels[first])
    else:
        second = order[1]
        gap = float(scores[first] - scores[second])
        with np.errstate(over="ignore"):
            ratio = float(np.exp(gap / c.tau))  # = w[first] / w[second]
        why = t(
            "qkv.guess.why",
            q=q_labels[row],
            k1=k_labels[first],
            k2=k_labels[second],
            s1=f"{scores[first]:.4g}",
            s2=f"{scores[second]:.4g}",
            gap=f"{gap:.4g}",
            tau=f"{c.tau:g}",
            ratio=f"{ratio:.4g}",
            w1=f"{w[first]:.3f}",
            w2=f"{w[second]:.3f}",
        )
    return guess.Question(
        f"qkv.weights.row{row}", "weights", answer=w, why=why, labels=list(k_labels)
    )


def guessing(s: Setup, c: Computed) -> bool:
    """Whether the selected query's weights are hidden now (guessing, not revealed yet): the
    sections after the results hide what would give them away."""
    row = int(b["row"])
    if not guess.hiding("qkv") or s.n_k > guess.MAX_WEIGHT_KEYS:
        return False
    return c.mask is None or bool(np.any(c.mask[row]))


def scores_alone(c: Computed, row: int, q_labels, k_labels) -> None:
    """While the student guesses: the scores only (what the guess is made from)."""
    kind = b["score"]
    title = f"{t('qkv.fig.scores')}<br>{t(f'qkv.fig.scores.{kind}')}"
    masked = None if c.mask is None else ~c.mask
    fig = remembered(
        "scores",
        _digest(c.inputs, row, title, q_labels, k_labels),
        lambda: figures.panels(
            [
                figures.Panel(
                    c.result.scores,
                    title,
                    t("qkv.axis.keys"),
                    t("qkv.axis.queries"),
                    k_labels,
                    q_labels,
                    masked=masked,
                    row=row,
                )
            ]
        ),
    )
    layout.show_figure(fig, key="qkv.fig.scores", name=f"scores-{kind}-{b['mask']}")
    st.info(t("qkv.guess.hidden"))


def all_results(s: Setup, c: Computed, row: int, q_labels, k_labels, v_labels) -> None:
    """The scores, weights and output heatmaps, the selected row framed."""
    kind, result = b["score"], c.result
    colours = (
        data.looks_like_colours(c.V)
        and max(s.n_q, s.n_k) <= SWATCHES_UP_TO
        and bool(np.all(result.output <= 1.0))
    )
    titles = (
        f"{t('qkv.fig.scores')}<br>{t(f'qkv.fig.scores.{kind}')}",
        f"{t('qkv.fig.weights')}<br>{t('qkv.fig.weights.formula', tau=f'{c.tau:g}')}",
        f"{t('qkv.fig.output')}<br>{t('qkv.fig.output.formula')}",
        t("qkv.axis.keys"),
        t("qkv.axis.queries"),
        t("qkv.axis.dims_v"),
        t("qkv.fig.mix.mixture"),
    )
    inputs = _digest(c.inputs, row, colours, titles, q_labels, k_labels, v_labels)
    fig = remembered(
        "results",
        inputs,
        lambda: results_figure(c, row, colours, titles, q_labels, k_labels, v_labels),
    )
    layout.show_figure(
        fig,
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


def plane(s: Setup, c: Computed, row: int, q_labels, k_labels) -> None:
    """2-D queries and keys as arrows, with each q·k as lengths and an angle."""
    kind = b["score"]
    if s.n_q + s.n_k <= ARROWS_UP_TO:
        c1, c2 = st.columns([3, 2])
        with c1:
            layout.show_figure(
                plane_figure(c.Q, c.K, row, q_labels, k_labels),
                key="qkv.fig.plane",
                height=PLANE_HEIGHT,
                name=f"plane-{q_labels[row]}",
            )
        with c2:
            if kind in ("dot", "scaled_dot"):
                st.caption(t("qkv.fig.plane.caption"))
                angles = text.angle_lines(c.Q[row], c.K, row)
                st.latex(text.block(text.Step("angle", tuple(angles))))
            else:
                st.caption(t(f"qkv.fig.plane.{kind}"))
    else:
        st.caption(t("qkv.fig.plane.too_many", n=ARROWS_UP_TO))


def results_figure(c: Computed, row: int, colours: bool, titles, q_labels, k_labels, v_labels):
    """The scores, weights and output side by side, the selected row framed."""
    masked = None if c.mask is None else ~c.mask  # (n_q, n_k) True where a key is hidden
    scores_t, weights_t, output_t, keys_t, queries_t, dims_t, mixture_t = titles
    return figures.panels(
        [
            figures.Panel(
                c.result.scores, scores_t, keys_t, queries_t, k_labels, q_labels,
                masked=masked, row=row,
            ),
            figures.Panel(
                c.result.weights, weights_t, keys_t, "", k_labels, q_labels,
                kind="weights", masked=masked, row=row,
                top_swatches=c.V if colours else None, row_ticks=False,
            ),
            figures.Panel(
                c.result.output, output_t, dims_t, "", v_labels, q_labels, row=row,
                side_swatches=c.result.output if colours else None, side_label=mixture_t,
                row_ticks=False,
            ),
        ]
    )  # fmt: skip


def plane_figure(Q, K, row: int, q_labels: list[str], k_labels: list[str]):
    """The plane view, rebuilt only when what it shows changed (not on every temperature move).

    In VVV the queries are the keys, so only the selected one is drawn over them.
    """
    title, one = t("qkv.fig.plane", q=q_labels[row]), b["mode"] == "vvv"
    axis_titles = (t("qkv.axis.dim1"), t("qkv.axis.dim2"))

    def build():
        return figures.plane(
            Q[row : row + 1] if one else Q,
            K,
            row=0 if one else row,
            query_labels=[q_labels[row]] if one else q_labels,
            key_labels=k_labels,
            title=title,
            axis_titles=axis_titles,
        )

    return remembered(
        "plane", _digest(Q, K, row, one, q_labels, k_labels, title, axis_titles), build
    )


def work() -> None:
    """4. One query row, step by step: scores → scale → mask → softmax → weighted sum, each step
    with the cells it uses highlighted in the heatmaps and its numbers written out; then every
    step at once."""
    opened = results_section("work")
    if opened is None:
        return
    s, c = opened
    q_labels, k_labels, v_labels = labels(s)
    if layout.presenting():  # on its own slide: the query is chosen here
        row_select(q_labels)
    row, kind = int(b["row"]), b["score"]
    i = steps.stepper("qkv", [t(f"qkv.step.{name}") for name in STEP_NAMES])
    hidden = guessing(s, c)
    w = text.row_working(
        c.Q, c.K, c.V, c.result, row, kind=kind, tau=c.tau, mask=c.mask, params=c.params
    )
    stepped = text.step_through(w, c.Q, c.K, kind=kind)
    if hidden and STEP_NAMES[i] in ("softmax", "output"):
        st.info(t("qkv.guess.hidden"))
    else:
        st.markdown(t(f"qkv.step.{STEP_NAMES[i]}.text", q=q_labels[row]))
        fig = remembered(
            "step",
            _digest(c.inputs, row, i, q_labels, k_labels, v_labels, t("qkv.fig.scores")),
            lambda: step_figure(c, row, STEP_NAMES[i], q_labels, k_labels, v_labels),
        )
        layout.show_figure(fig, key="qkv.fig.step", name=f"step-{i + 1}-{STEP_NAMES[i]}")
        st.latex(text.block(stepped[i]))
    if hidden:
        return
    if w.fully_masked:
        st.info(t("qkv.work.fully_masked", q=q_labels[row]))
    with st.expander(t("qkv.work.all"), expanded=not layout.presenting()):
        for n, step in enumerate(w.steps, start=1):
            st.markdown(f"**{n}. {t(f'qkv.work.{step.name}')}**")
            st.latex(text.block(step))
        if w.shift:
            st.caption(t("qkv.work.shift"))
    if len(w.shown) < s.n_k:
        st.caption(t("qkv.work.some_keys", shown=len(w.shown), n=s.n_k))


def step_figure(c: Computed, row: int, step: str, q_labels, k_labels, v_labels):
    """The matrices one step reads and writes: the selected query's row framed and the other
    rows greyed where the step uses that row only; a matrix it reads whole framed whole."""
    masked = None if c.mask is None else ~c.mask  # (n_q, n_k) True where a key is hidden
    scores = c.result.scores  # (n_q, n_k)
    logits = scores / c.tau  # (n_q, n_k)
    keys, queries = t("qkv.axis.keys"), t("qkv.axis.queries")
    dims = t("qkv.axis.dims")

    def one_row(m, title, x_title, x_labels, kind="signed", hide=None, ticks=False):
        return figures.Panel(
            m, title, x_title, "" if not ticks else queries, x_labels, q_labels,
            kind=kind, masked=hide, row=row, dim=True, row_ticks=ticks,
        )  # fmt: skip

    def whole(m, title, x_title, x_labels, y_labels):
        # read whole; its rows are named by the panel on its left (no ticks over its colour bar)
        return figures.Panel(
            m, title, x_title, "", x_labels, y_labels, frame_all=True, row_ticks=False
        )

    d_q, d_k = c.Q.shape[1], c.K.shape[1]
    if step == "scores":
        raw = c.Q @ c.K.T if b["score"] == "scaled_dot" else scores  # (n_q, n_k)
        title = t("qkv.step.fig.raw") if b["score"] == "scaled_dot" else t("qkv.fig.scores")
        items = [
            one_row(c.Q, "Q", dims, [str(j + 1) for j in range(d_q)], ticks=True),
            whole(c.K.T, "Kᵀ", keys, k_labels, [str(j + 1) for j in range(d_k)]),
            one_row(raw, title, keys, k_labels),
        ]
    elif step == "scale":
        items = [
            one_row(scores, t("qkv.fig.scores"), keys, k_labels, ticks=True),
            one_row(logits, t("qkv.step.fig.scaled", tau=f"{c.tau:g}"), keys, k_labels),
        ]
    elif step == "mask":
        allowed = np.ones_like(scores) if c.mask is None else c.mask.astype(np.float64)
        items = [
            one_row(allowed, t("qkv.step.fig.mask"), keys, k_labels, kind="weights", ticks=True),
            one_row(logits, t("qkv.step.fig.masked"), keys, k_labels, hide=masked),
        ]
    elif step == "softmax":
        items = [
            one_row(logits, t("qkv.step.fig.masked"), keys, k_labels, hide=masked, ticks=True),
            one_row(c.result.weights, t("qkv.fig.weights"), keys, k_labels, "weights", masked),
        ]
    else:
        items = [
            one_row(
                c.result.weights, t("qkv.fig.weights"), keys, k_labels, "weights", masked, True
            ),
            whole(c.V, "V", t("qkv.axis.dims_v"), v_labels, k_labels),
            one_row(c.result.output, t("qkv.fig.output"), t("qkv.axis.dims_v"), v_labels),
        ]
    return figures.panels(items)


def downloads() -> None:
    """5. Every matrix as CSV: the inputs and the three results."""
    opened = results_section("download", explained=False)
    if opened is None:
        return
    s, c = opened
    kind = b["score"]
    q_labels, k_labels, v_labels = labels(s)
    cols = st.columns(6)
    view = (kind, b["mask"])  # the score and the mask the results depend on
    frames = (
        ("Q", c.Q, q_labels, [str(i + 1) for i in range(s.d_q)], ()),
        ("K", c.K, k_labels, [str(i + 1) for i in range(s.d_k)], ()),
        ("V", c.V, k_labels, v_labels, ()),
        ("scores", c.result.scores, q_labels, k_labels, (kind,)),
        ("weights", c.result.weights, q_labels, k_labels, view),
        ("output", c.result.output, q_labels, v_labels, view),
    )
    if guessing(s, c):  # the weights and the output would give the guess away
        frames = frames[:4]
    for col, (name, m, rows, columns, shown) in zip(cols, frames, strict=False):
        with col:
            layout.download_csv(
                t(f"qkv.download.{name}"),
                partial(layout.matrix_frame, m, rows, columns),
                f"{layout.export_name(f'qkv.{name}', *shown)}.csv",
                key=f"qkv.download.{name}",
            )


layout.header("qkv")
sections.show("qkv", [[matrices_section, settings, results, work, downloads]], stepped=["work"])
