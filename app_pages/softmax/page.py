"""Softmax, temperature and √d: type scores, turn the temperature, and see why we scale by √d.

Reads like the screen: the title, then one function per section, listed in order at the end.
Scores and temperature share one fragment (the temperature curves use the scores); the seed
example and the √d experiment each rerun alone.
"""

import math
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from app_pages.softmax import figures
from app_pages.softmax.data import D_GRID, MAX_PAIRS, PRESETS, SEED_ROWS, SWEEP, TAU_GRID
from app_pages.softmax.text import (
    LIMIT,
    MAX_LEN,
    MIN_LEN,
    entropy_latex,
    format_scores,
    parse_scores,
    probability,
    softmax_latex,
    variance_latex,
)
from attn_core import entropy, softmax, softmax_jacobian
from attn_core.scaling import DotProductExperiment, dot_product_experiment
from ui import formulas, guess, layout, sections, state
from ui.i18n import t
from ui.widgets import log_slider

TEXT_KEY = "softmax._x_text"  # the text box; the bound vector itself is "softmax.x"

b = state.bind(
    "softmax",
    state.Vector(
        "x", default=PRESETS["example"], min_len=MIN_LEN, max_len=MAX_LEN, lo=-LIMIT, hi=LIMIT
    ),
    state.Float("tau", 1.0, lo=TAU_GRID[0], hi=TAU_GRID[-1], grid=TAU_GRID),
    state.Float("d", 64.0, lo=D_GRID[0], hi=D_GRID[-1], grid=D_GRID),
    state.Int("n", 2_000, lo=100, hi=MAX_PAIRS),
    state.Int("keys", 8, lo=2, hi=64),
    state.Int("seed", 0, lo=0, hi=2**31 - 1),
)
guess.bind("softmax")  # the guess (section 1) stays in the link on the other sections
if TEXT_KEY not in st.session_state:
    st.session_state[TEXT_KEY] = format_scores(b["x"])


def load(vector: tuple[float, ...]) -> None:
    """A preset or reset (callback): the vector and the text box together."""
    b.set("x", vector)
    st.session_state[TEXT_KEY] = format_scores(vector)


def reset_scores() -> None:
    load(PRESETS["example"])
    b.reset(["tau"])


@st.cache_resource(max_entries=16, show_spinner=False)
def experiment(n: int, keys: int, seed: int) -> DotProductExperiment:
    """The variance experiment for one parameter set (0.1 s at 2,000 pairs, ~1 s at 20,000)."""
    e = dot_product_experiment(D_GRID, n, keys, seed)
    for value in vars(e).values():
        value.flags.writeable = False  # shared by every session: read only
    return e


def scores_x() -> np.ndarray:
    """The scores now in use, shape (n,)."""
    return np.array(b["x"], dtype=np.float64)


def ratio_text(log_ratio: float) -> str:
    """e^log_ratio written out; beyond a float's range (the second weight underflows to 0)
    as a power of ten."""
    if log_ratio < 700:
        return f"{math.exp(log_ratio):.4g}"
    return f"10^{log_ratio / math.log(10):.0f}"


def weights_question(x: np.ndarray, tau: float, p: np.ndarray) -> guess.Question:
    """Guess the weights at this temperature; why: the leader's lead, as a ratio of weights."""
    first, second = (int(i) for i in np.argsort(-x, kind="stable")[:2])
    gap = float(x[first] - x[second])
    why = t(
        "softmax.guess.why",
        a=first + 1,
        b=second + 1,
        gap=f"{gap:.4g}",
        tau=f"{tau:g}",
        ratio=ratio_text(gap / tau),
        pa=f"{p[first]:.3f}",
        pb=f"{p[second]:.3f}",
    )
    labels = [f"x{i + 1}" for i in range(x.shape[0])]
    return guess.Question("softmax.weights", "weights", answer=p, why=why, labels=labels)


def scores() -> None:
    """1. Scores → weights: type scores, turn the temperature."""
    st.header(t("softmax.scores.title"))
    layout.explain(t("softmax.scores.text"))
    with layout.controls():
        c1, c2 = st.columns([3, 2])
        c1.text_input(
            t("softmax.x", lo=MIN_LEN, hi=MAX_LEN),
            key=TEXT_KEY,
            help=t("softmax.x.help"),
            placeholder=t("softmax.x.placeholder"),
            max_chars=400,
        )
        with c2:
            tau = log_slider(t("softmax.tau"), b.key("tau"), TAU_GRID, help=t("softmax.tau.help"))
        st.caption(t("app.preset"))
        per_row = 4 if layout.presenting() else len(PRESETS) + 1  # big type: two rows of buttons
        cols = (
            [c for _ in range(2) for c in st.columns(per_row)]
            if per_row == 4
            else st.columns(per_row)
        )
        for col, (name, vector) in zip(cols, PRESETS.items(), strict=False):
            col.button(
                t(f"softmax.preset.{name}"),
                key=f"softmax._preset.{name}",
                on_click=load,
                args=(vector,),
                width="stretch",
            )
        cols[len(PRESETS)].button(
            t("app.reset"),
            key="softmax._reset",
            on_click=reset_scores,
            icon=":material/restart_alt:",
            width="stretch",
        )

    parsed = parse_scores(st.session_state[TEXT_KEY])
    if parsed.values is None:
        detail = {k: state.shown(v) for k, v in parsed.detail.items()}
        st.error(
            t(parsed.problem, **detail) + " " + t("softmax.input.kept", x=format_scores(b["x"])),
            icon="✋",
        )
    else:
        if parsed.problem:
            st.warning(t(parsed.problem, **parsed.detail))
        b.set("x", parsed.values)

    x = scores_x()  # (n,)
    n = x.shape[0]
    p = softmax(x, tau=tau)  # (n,)
    H = entropy(p)
    J = softmax_jacobian(p) / tau  # (n, n)  ∂p/∂x: the chain rule through x / τ
    top = int(np.argmax(p))
    labels = [f"x{i + 1} = {v:.4g}" for i, v in enumerate(x)]
    if not guess.ask("softmax", weights_question(x, tau, p)):
        return

    layout.show_figure(
        figures.scores_weights_jacobian(
            x,
            p,
            J,
            labels=labels,
            highlight=top,
            titles=[
                t("softmax.fig.scores"),
                t("softmax.fig.weights", tau=f"{tau:g}"),
                t("softmax.fig.jacobian"),
            ],
            x_titles=[t("softmax.axis.entry"), t("softmax.axis.entry"), t("softmax.axis.wrt")],
            y_titles=[
                t("softmax.axis.score"),
                t("softmax.axis.weight"),
                t("softmax.axis.weight_i"),
            ],
            colorbar_title="∂p/∂x",
        ),
        key="softmax.fig.main",
        name=f"scores-weights-jacobian-tau-{tau:g}",
    )
    c1, c2 = st.columns(2)
    with c1:
        layout.download_csv(
            t("softmax.export.weights"),
            partial(
                layout.table_frame, {"score x": x, "weight p": p}, [f"x{i + 1}" for i in range(n)]
            ),
            f"{layout.export_name('softmax.scores-weights', f'tau-{tau:g}')}.csv",
            key="softmax.dl.weights",
        )
    with c2:
        layout.download_csv(
            t("softmax.export.jacobian"),
            partial(
                layout.matrix_frame,
                J,
                [f"p{i + 1}" for i in range(n)],
                [f"x{j + 1}" for j in range(n)],
            ),
            f"{layout.export_name('softmax.jacobian', f'tau-{tau:g}')}.csv",
            key="softmax.dl.jacobian",
        )

    m1, m2, m3, m4 = st.columns(2) * 2 if layout.presenting() else st.columns(4)
    m1.metric(t("softmax.metric.top", i=top + 1), f"{p[top]:.4f}")
    m2.metric(t("softmax.metric.entropy"), f"{H:.4f}")
    m3.metric(t("softmax.metric.max_entropy", n=n), f"{np.log(n):.4f}")
    m4.metric(t("softmax.metric.jacobian"), f"{np.linalg.norm(J):.4g}")

    st.subheader(t("app.formula"))
    for line in (*softmax_latex(x, tau, p, top), *entropy_latex(p, H)):
        st.latex(line)
    st.latex(
        r"\frac{\partial p_i}{\partial x_j} = \frac{p_i(\delta_{ij} - p_j)}{\tau},\qquad"
        rf"\Big\|\frac{{\partial p}}{{\partial x}}\Big\|_F = {formulas.num(np.linalg.norm(J), 4)}"
    )
    layout.explain(t("softmax.scores.caption"))


def temperature() -> None:
    """2. Temperature: entropy and weights over the whole range of τ."""
    st.header(t("softmax.temp.title"))
    layout.explain(t("softmax.temp.text"))
    if guess.hiding("softmax"):  # the curves would give the weights away
        st.info(t("softmax.guess.hidden"))
        return
    x, tau = scores_x(), float(b["tau"])
    n = x.shape[0]
    p = softmax(x, tau=tau)  # (n,)
    H = entropy(p)
    labels = [f"x{i + 1} = {v:.4g}" for i, v in enumerate(x)]
    P_sweep = softmax(x[None, :] / SWEEP[:, None])  # (161, n)  one row per temperature
    H_sweep = entropy(P_sweep)  # (161,)
    n_top = int(np.sum(x == x.max()))  # ties at the top share the weight as τ → 0
    h_low = float(np.log(n_top))
    low_label = (
        t("softmax.limit.one_hot")
        if n_top == 1
        else t("softmax.limit.ties", k=n_top, h=f"{h_low:.3f}")
    )
    layout.show_figure(
        figures.temperature(
            SWEEP,
            H_sweep,
            P_sweep,
            tau=tau,
            h_now=H,
            h_low=h_low,
            h_high=float(np.log(n)),
            labels=labels,
            low_label=low_label,
            high_label=t("softmax.limit.uniform", n=n, h=f"{np.log(n):.3f}"),
            now_label=t("softmax.limit.now", tau=f"{tau:g}", h=f"{H:.3f}"),
            titles=[t("softmax.fig.entropy"), t("softmax.fig.weights_tau")],
            x_title=t("softmax.axis.tau"),
            y_titles=[t("softmax.axis.entropy"), t("softmax.axis.weight")],
        ),
        key="softmax.fig.temperature",
    )
    layout.download_csv(
        t("softmax.export.temperature"),
        partial(
            layout.table_frame,
            {"entropy": H_sweep, **{f"p{i + 1}": P_sweep[:, i] for i in range(n)}},
            [f"{v:.6g}" for v in SWEEP],
            "tau",
        ),
        f"{layout.export_name('softmax.temperature')}.csv",
        key="softmax.dl.temperature",
    )
    if n_top == n:
        st.info(t("softmax.temp.all_equal"))


def seed_example() -> None:
    """3. Seed 001's example: [51, 49] and [70, 30], then divided by √64 = 8."""
    st.header(t("softmax.seed.title"))
    layout.explain(t("softmax.seed.text"))
    rows, shown_w, seed_numbers = [], {}, []
    for name in SEED_ROWS:
        v = np.array(PRESETS[name])  # (2,)
        w = softmax(v)  # (2,)  τ = 1, as in the example
        shown_w[name] = ", ".join(probability(float(pi)) for pi in w)
        seed_numbers.append((*v, v[0] - v[1], *w, np.linalg.norm(softmax_jacobian(w))))
        rows.append(
            {
                t("softmax.seed.col.scores"): format_scores(np.round(v, 4)),
                t("softmax.seed.col.gap"): f"{v[0] - v[1]:g}",
                t("softmax.seed.col.weights"): shown_w[name],
                t("softmax.seed.col.jacobian"): f"{np.linalg.norm(softmax_jacobian(w)):.3g}",
            }
        )
    seed_table = pd.DataFrame(rows, index=[t(f"softmax.preset.{name}") for name in SEED_ROWS])
    st.table(seed_table)
    layout.download_csv(
        t("softmax.export.seed"),
        partial(
            pd.DataFrame,
            seed_numbers,
            index=pd.Index(SEED_ROWS, name="preset"),
            columns=["x1", "x2", "gap", "p1", "p2", "jacobian norm"],
        ),
        f"{layout.export_name('softmax.seed-example')}.csv",
        key="softmax.dl.seed",
    )
    share = PRESETS["a"][0] / sum(PRESETS["a"])  # the "scores as shares" misreading
    layout.explain(t("softmax.seed.after", share=f"{share:.2f}", **shown_w))


def scaling() -> None:
    """4. Why divide by √d: the spread of q·k grows with d."""
    st.header(t("softmax.var.title"))
    layout.explain(t("softmax.var.text"))
    with layout.controls():
        c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
        c1.select_slider(
            t("softmax.var.d"),
            options=D_GRID,
            key=b.key("d"),
            format_func=lambda v: f"{v:g}",
            help=t("softmax.var.d.help"),
        )
        c2.number_input(
            t("softmax.var.n", hi=f"{MAX_PAIRS:,}"),
            min_value=100,
            max_value=MAX_PAIRS,
            step=500,
            key=b.key("n"),
            help=t("softmax.var.n.help"),
        )
        c3.slider(t("softmax.var.keys"), 2, 64, key=b.key("keys"), help=t("softmax.var.keys.help"))
        c4.number_input(t("app.seed"), min_value=0, max_value=2**31 - 1, step=1, key=b.key("seed"))

    with st.spinner(t("softmax.var.computing")):
        e = experiment(int(b["n"]), int(b["keys"]), int(b["seed"]))
    d = int(b["d"])
    g = D_GRID.index(float(d))
    raw = e.flat_scores(g)  # (n_q * keys,)
    n_q = e.scores.shape[1]
    st.caption(t("softmax.var.sizes", pairs=f"{raw.size:,}", q=f"{n_q:,}", keys=e.scores.shape[2]))

    layout.show_figure(
        figures.histograms(
            raw,
            d,
            titles=[
                t("softmax.fig.hist_raw", d=d, var=f"{e.variance[g]:.3g}"),
                t("softmax.fig.hist_scaled", d=d, var=f"{e.scaled_variance[g]:.3g}"),
            ],
            x_titles=["qᵀk", "qᵀk / √d"],
            y_title=t("softmax.axis.density"),
            normal_labels=[
                t("softmax.fig.normal", var=f"{d:g}"),
                t("softmax.fig.normal", var="1"),
            ],
        ),
        key="softmax.fig.histograms",
        name=f"histograms-d-{d}",
    )
    experiment_view = (f"{b['n']}-pairs", f"{b['keys']}-keys", f"seed-{b['seed']}")
    layout.download_csv(
        t("softmax.export.samples", n=f"{raw.size:,}"),
        lambda raw=raw, d=d: layout.table_frame({"q.k": raw, "q.k / sqrt(d)": raw / np.sqrt(d)}),
        f"{layout.export_name('softmax.dot-products', f'd-{d}', *experiment_view)}.csv",
        key="softmax.dl.samples",
        index=False,
    )
    for line in variance_latex(d, e.variance[g], e.scaled_variance[g], t("softmax.var.measured")):
        st.latex(line)

    m = st.columns(2) * 2 if layout.presenting() else st.columns(4)
    m[0].metric(t("softmax.metric.max_w_raw", d=d), f"{e.max_weight[g]:.3f}")
    m[1].metric(t("softmax.metric.max_w_scaled", d=d), f"{e.scaled_max_weight[g]:.3f}")
    m[2].metric(t("softmax.metric.jac_raw", d=d), f"{e.jacobian_norm[g]:.3g}")
    m[3].metric(t("softmax.metric.jac_scaled", d=d), f"{e.scaled_jacobian_norm[g]:.3g}")

    raw_name, scaled_name = t("softmax.series.raw"), t("softmax.series.scaled")
    keys = e.scores.shape[2]
    layout.show_figure(
        figures.versus_d(
            np.array(D_GRID),
            [
                [(raw_name, e.variance), (scaled_name, e.scaled_variance)],
                [(raw_name, e.max_weight), (scaled_name, e.scaled_max_weight)],
                [(raw_name, e.jacobian_norm), (scaled_name, e.scaled_jacobian_norm)],
            ],
            [
                [(t("softmax.ref.d"), np.array(D_GRID)), (t("softmax.ref.one"), 1.0)],
                [
                    (t("softmax.ref.one_hot"), 1.0),
                    (t("softmax.ref.uniform", keys=keys), 1.0 / keys),
                ],
                [],
            ],
            d_now=d,
            titles=[
                t("softmax.fig.variance"),
                t("softmax.fig.max_weight"),
                t("softmax.fig.jacobian_d"),
            ],
            x_title="d",
            y_titles=[
                t("softmax.axis.variance"),
                t("softmax.axis.max_weight"),
                t("softmax.axis.jacobian"),
            ],
            log_y=[True, False, False],
            y_ranges=[None, (0.0, 1.05), None],
        ),
        key="softmax.fig.versus_d",
    )
    layout.download_csv(
        t("softmax.export.variance"),
        partial(
            layout.table_frame,
            {
                "variance": e.variance,
                "variance scaled": e.scaled_variance,
                "max weight": e.max_weight,
                "max weight scaled": e.scaled_max_weight,
                "jacobian norm": e.jacobian_norm,
                "jacobian norm scaled": e.scaled_jacobian_norm,
            },
            [f"{v:g}" for v in D_GRID],
            "d",
        ),
        f"{layout.export_name('softmax.variance-experiment', *experiment_view)}.csv",
        key="softmax.dl.variance",
    )
    layout.explain(t("softmax.var.after"))


layout.header("softmax")
sections.show("softmax", [[scores, temperature], [seed_example], [scaling]])
