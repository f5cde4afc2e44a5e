"""Complexity: what a convolution, a recurrent layer and self-attention cost, counted and timed."""

import time
from functools import partial

import pandas as pd
import streamlit as st

from attn_core import LAYERS, complexity, crossover_n
from ui import figures, layout, state
from ui.complexity_timing import (
    BUDGET_S,
    PREDICTED_SLOPE,
    TimingRun,
    fit_slope,
    measure_layer,
    run_timings,
)
from ui.fig_complexity import ops_figure, ops_latex, path_figure, timing_figure
from ui.i18n import t
from ui.widgets import log_grid, log_slider

ROWS = ("convolutional", "recurrent", "self_attention")  # the order of the table


def int_grid(lo: int, hi: int) -> tuple[float, ...]:
    """Whole numbers from ``lo`` to ``hi``, about evenly spaced in log, powers of 2 included."""
    powers = {2.0**e for e in range(1, 20) if lo <= 2**e <= hi}
    return tuple(sorted({float(round(v)) for v in log_grid(lo, hi)} | powers))


N_GRID = int_grid(2, 100_000)
D_GRID = int_grid(2, 4096)
TIMING_D = (16.0, 32.0, 64.0, 128.0, 256.0)  # wider layers would not fit the time budget
TIMING_N = (128.0, 256.0, 512.0, 1024.0, 2048.0)  # longest sequence timed (memory ~ n²)
K_MAX, PICTURE_N_MAX = 16, 24
RESULTS = "complexity._timing"  # the last timing run of this session (not in the URL)
BIG = layout.presenting()
BIG_O = {
    "ops": {"convolutional": "O(k·n·d²)", "recurrent": "O(n·d²)", "self_attention": "O(n²·d)"},
    "seq": {"convolutional": "O(1)", "recurrent": "O(n)", "self_attention": "O(1)"},
    "path": {"convolutional": "O(n/k)", "recurrent": "O(n)", "self_attention": "O(1)"},
}
EXACT_PATH = {"convolutional": "⌈(n−1)/(k−1)⌉"}  # what the table's number is, exactly

b = state.bind(
    "complexity",
    state.Float("n", 100.0, lo=N_GRID[0], hi=N_GRID[-1], grid=N_GRID),
    state.Float("d", 512.0, lo=D_GRID[0], hi=D_GRID[-1], grid=D_GRID),
    state.Int("k", 3, lo=2, hi=K_MAX),
    state.Int("pn", 9, lo=2, hi=PICTURE_N_MAX),
    state.Float("td", 64.0, lo=TIMING_D[0], hi=TIMING_D[-1], grid=TIMING_D),
    state.Float("tn", 1024.0, lo=TIMING_N[0], hi=TIMING_N[-1], grid=TIMING_N),
)


def path_cell(layer: str, value: int) -> str:
    """A path-length cell: the O(·) and, where it is not the count itself, the exact count."""
    exact = EXACT_PATH.get(layer)
    if exact is None:
        return f"{BIG_O['path'][layer]}: {value:,}"
    return t("complexity.col.exact", big_o=BIG_O["path"][layer], formula=exact, value=f"{value:,}")


def show(fig, key: str, name: str | None = None) -> None:
    """Draw a figure whose builder already applied the app's sizes (see ui.fig_selfattn)."""
    layout.show_figure(fig, key, name=name, restyle=False)


names = {layer: t(f"complexity.layer.{layer}") for layer in LAYERS}
fmt_int = {v: f"{int(v):,}" for v in (*N_GRID, *D_GRID, *TIMING_D, *TIMING_N)}.__getitem__

layout.header("complexity")

# --- 1. The table, with live counts ----------------------------------------------------------
st.header(t("complexity.table.title"))
layout.explain(t("complexity.table.text"))
with layout.controls():
    c1, c2, c3 = st.columns(3)
    with c1:
        st.select_slider(
            t("complexity.n"),
            N_GRID,
            key=b.key("n"),
            format_func=fmt_int,
            help=t("complexity.n.help"),
        )
    with c2:
        st.select_slider(
            t("complexity.d"),
            D_GRID,
            key=b.key("d"),
            format_func=fmt_int,
            help=t("complexity.d.help"),
        )
    c3.slider(t("complexity.k"), 2, K_MAX, step=1, key=b.key("k"), help=t("complexity.k.help"))

n, d, k = int(b["n"]), int(b["d"]), int(b["k"])
try:
    costs = complexity(n, d, k)
    crossovers = crossover_n(d, k)
except ValueError as err:  # not reachable with the clamped controls; never crash the lesson
    st.error(t("complexity.error", msg=str(err)))
    costs, crossovers = None, None

if costs is not None:
    table = pd.DataFrame(
        {
            t("complexity.col.layer"): [names[r] for r in ROWS],
            t("complexity.col.ops"): [f"{BIG_O['ops'][r]}: {costs[r].per_layer:,}" for r in ROWS],
            t("complexity.col.seq"): [f"{BIG_O['seq'][r]}: {costs[r].sequential:,}" for r in ROWS],
            t("complexity.col.path"): [path_cell(r, costs[r].max_path) for r in ROWS],
        }
    )
    st.table(table, hide_index=True)
    layout.download_csv(
        t("complexity.export.table"),
        partial(
            layout.table_frame,
            {
                "operations per layer": [costs[r].per_layer for r in ROWS],
                "sequential operations": [costs[r].sequential for r in ROWS],
                "maximum path length": [costs[r].max_path for r in ROWS],
                "operations (big O)": [BIG_O["ops"][r] for r in ROWS],
                "sequential (big O)": [BIG_O["seq"][r] for r in ROWS],
                "path (big O)": [BIG_O["path"][r] for r in ROWS],
            },
            ROWS,
            "layer",
        ),
        f"{layout.export_name('complexity.table', f'n-{n}', f'd-{d}', f'k-{k}')}.csv",
        key="complexity.dl.table",
    )
    st.caption(t("complexity.table.caption", n=f"{n:,}", d=f"{d:,}", k=k))
    sa = costs["self_attention"].per_layer
    st.markdown(
        t(
            "complexity.table.ratio",
            rnn=f"{sa / costs['recurrent'].per_layer:.3g}",
            cnn=f"{sa / costs['convolutional'].per_layer:.3g}",
            cheapest=names[min(LAYERS, key=lambda x: costs[x].per_layer)],
        )
    )
    for line in ops_latex(costs, n, d, k, names):
        st.latex(line)

# --- 2. Operations against n -------------------------------------------------------------------
st.header(t("complexity.growth.title"))
layout.explain(t("complexity.growth.text"))
if crossovers is not None:
    ops_fig = ops_figure(
        d,
        k,
        n,
        crossovers,
        names=names,
        title=t("complexity.fig.ops", d=f"{d:,}", k=k),
        x_title=t("complexity.axis.n"),
        y_title=t("complexity.axis.ops"),
        crossover_label=t("complexity.fig.crossover"),
        now_label=t("complexity.fig.now", n=f"{n:,}"),
        cheaper_label=t("complexity.fig.cheaper"),
        big=BIG,
    )
    show(ops_fig, key="complexity.fig_ops", name=f"ops-d-{d}-k-{k}")
    curves = figures.figure_parts(ops_fig)[0][: len(LAYERS)]  # one line per layer, as drawn
    layout.download_csv(
        t("complexity.export.ops"),
        partial(
            layout.table_frame,
            {layer: curve["y"] for layer, curve in zip(LAYERS, curves, strict=True)},
            [f"{x:.6g}" for x in curves[0]["x"]],
            "n",
        ),
        f"{layout.export_name('complexity.ops', f'd-{d}', f'k-{k}')}.csv",
        key="complexity.dl.ops",
    )
    st.caption(
        t(
            "complexity.growth.caption",
            d=f"{crossovers['recurrent']:,}",
            kd=f"{crossovers['convolutional']:,}",
        )
    )

# --- 3. Maximum path length --------------------------------------------------------------------
st.header(t("complexity.path.title"))
layout.explain(t("complexity.path.text"))
with layout.controls():
    st.slider(
        t("complexity.pn"), 2, PICTURE_N_MAX, step=1, key=b.key("pn"), help=t("complexity.pn.help")
    )
pn = int(b["pn"])
paths = complexity(pn, 2, k)  # d does not change path lengths
show(
    path_figure(
        pn,
        k,
        titles={
            "convolutional": t("complexity.fig.path_cnn", k=k, L=paths["convolutional"].max_path),
            "recurrent": t("complexity.fig.path_rnn", L=paths["recurrent"].max_path),
            "self_attention": t("complexity.fig.path_sa", L=paths["self_attention"].max_path),
        },
        layer_title=t("complexity.axis.layer"),
        big=BIG,
    ),
    key="complexity.fig_path",
    name=f"path-n-{pn}-k-{k}",
)
layout.download_csv(
    t("complexity.export.path"),
    partial(
        layout.table_frame,
        {"maximum path length": [paths[r].max_path for r in ROWS]},
        ROWS,
        "layer",
    ),
    f"{layout.export_name('complexity.path', f'n-{pn}', f'k-{k}')}.csv",
    key="complexity.dl.path",
)
st.caption(
    t(
        "complexity.path.caption",
        n=pn,
        k=k,
        cnn=paths["convolutional"].max_path,
        rnn=paths["recurrent"].max_path,
        field=1 + paths["convolutional"].max_path * (k - 1),
    )
)

# --- 4. Timed live -------------------------------------------------------------------------------
st.header(t("complexity.timing.title"))
layout.explain(t("complexity.timing.text", budget=f"{BUDGET_S:g}"))
with layout.controls():
    c1, c2 = st.columns(2)
    with c1:
        log_slider(t("complexity.td"), b.key("td"), TIMING_D, help=t("complexity.td.help"))
    with c2:
        log_slider(t("complexity.tn"), b.key("tn"), TIMING_N, help=t("complexity.tn.help"))
    run_now = st.button(t("complexity.timing.run"), key="complexity.run", type="primary")
td, tn = int(b["td"]), int(b["tn"])


@st.cache_data(max_entries=1000, show_spinner=False)
def measured(layer: str, n: int, d: int, k: int) -> tuple[float, float, float]:
    """One timed point, cached by its parameters: every session shares the result, so the
    page says when it was measured (the third item) and how many points this run timed."""
    return measure_layer(layer, n, d, k)


def clock(unix: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(unix))


if run_now:
    bar = st.progress(0.0, text=t("complexity.timing.progress"))
    run = run_timings(
        measured,
        d=td,
        k=k,
        n_max=tn,
        progress=lambda f: bar.progress(f, text=t("complexity.timing.progress")),
    )
    bar.empty()
    st.session_state[RESULTS] = run

run: TimingRun | None = st.session_state.get(RESULTS)
if run is None:
    st.info(t("complexity.timing.press"))
else:
    if (run.d, run.k, run.n_max) != (td, k, tn):
        st.info(t("complexity.timing.stale"))
    slopes = {layer: fit_slope(run.n[layer], run.seconds[layer]) for layer in LAYERS}
    show(
        timing_figure(
            run.n,
            run.seconds,
            PREDICTED_SLOPE,
            names=names,
            title=t("complexity.fig.timing", d=run.d, k=run.k),
            x_title=t("complexity.axis.n"),
            y_title=t("complexity.axis.ms"),
            measured_label=t("complexity.fig.measured"),
            predicted_label=t("complexity.fig.predicted"),
            big=BIG,
        ),
        key="complexity.fig_timing",
        name=f"timing-d-{run.d}-k-{run.k}",
    )
    layout.download_csv(
        t("complexity.export.timing"),
        partial(
            layout.table_frame,
            {
                "layer": [r for r in ROWS for _ in run.n[r]],
                "n": [x for r in ROWS for x in run.n[r]],
                "seconds per call": [s for r in ROWS for s in run.seconds[r]],
            },
        ),
        f"{layout.export_name('complexity.timing', f'd-{run.d}', f'k-{run.k}')}.csv",
        key="complexity.dl.timing",
        index=False,
    )
    st.table(
        pd.DataFrame(
            {
                t("complexity.col.layer"): [names[r] for r in ROWS],
                t("complexity.col.predicted"): [f"{PREDICTED_SLOPE[r]:g}" for r in ROWS],
                t("complexity.col.measured"): [
                    "—" if slopes[r] is None else f"{slopes[r]:.2f}" for r in ROWS
                ],
                t("complexity.col.largest"): [
                    f"{run.n[r][-1]:,} · {run.seconds[r][-1] * 1e3:.3g} ms" if run.n[r] else "—"
                    for r in ROWS
                ],
            }
        ),
        hide_index=True,
    )
    layout.download_csv(
        t("complexity.export.slopes"),
        partial(
            layout.table_frame,
            {
                "predicted slope": [PREDICTED_SLOPE[r] for r in ROWS],
                "measured slope": [slopes[r] for r in ROWS],
            },
            ROWS,
            "layer",
        ),
        f"{layout.export_name('complexity.slopes', f'd-{run.d}', f'k-{run.k}')}.csv",
        key="complexity.dl.slopes",
    )
    cut = [f"{names[r]} (n = {run.cut[r]:,})" for r in ROWS if run.cut[r]]
    if cut:
        st.caption(t("complexity.timing.cut", budget=f"{BUDGET_S:g}", which=", ".join(cut)))
    st.caption(t("complexity.timing.caption", d=run.d, k=run.k, n=f"{run.n_max:,}"))
    when = run.times()
    if when:
        span = (
            clock(when[0])
            if clock(when[0]) == clock(when[-1])
            else f"{clock(when[0])} – {clock(when[-1])}"
        )
        st.caption(t("complexity.timing.when", when=span, fresh=run.fresh(), total=run.total()))
