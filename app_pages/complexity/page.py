"""Complexity: what a convolution, a recurrent layer and self-attention cost, counted and timed.

Reads like the screen: the title, then one function per section, listed in order at the end.
The table and the growth curves share one fragment (n and d feed both); the path picture and the
live timing each rerun alone. The kernel width k is read by every section (the table, the
curves, the path picture, the timed convolution): moving it reruns them all
(``sections.rerun_with``).
"""

import time
from functools import partial

import pandas as pd
import streamlit as st

from app_pages.complexity.data import (
    BIG_O,
    D_GRID,
    EXACT_PATH,
    K_MAX,
    N_GRID,
    PICTURE_N_MAX,
    ROWS,
    TIMING_D,
    TIMING_N,
)
from app_pages.complexity.figures import ops_figure, path_figure, timing_figure
from app_pages.complexity.text import ops_latex
from app_pages.complexity.timing import (
    BUDGET_S,
    PREDICTED_SLOPE,
    TimingRun,
    measure_layer,
    run_timings,
)
from attn_core import LAYERS, complexity, crossover_n
from attn_core.complexity import loglog_slope, operations
from ui import figures, layout, sections, state, widgets
from ui.i18n import t
from ui.widgets import log_slider

RESULTS = "complexity._timing"  # the last timing run of this session (not in the URL)

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


def layer_names() -> dict[str, str]:
    return {layer: t(f"complexity.layer.{layer}") for layer in LAYERS}


def fmt_int(v: float) -> str:
    return f"{int(v):,}"


@st.cache_data(max_entries=1000, show_spinner=False)
def measured(layer: str, n: int, d: int, k: int) -> tuple[float, float, float]:
    """One timed point, cached by its parameters: every session shares the result, so the
    page says when it was measured (the third item) and how many points this run timed."""
    return measure_layer(layer, n, d, k)


def clock(unix: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(unix))


def table() -> None:
    """1. The table, with live counts for n, d and k."""
    st.header(t("complexity.table.title"))
    layout.explain(t("complexity.table.text"))
    with layout.controls():
        c1, c2, c3 = st.columns(3)
        with c1:
            widgets.control(st.select_slider, b, "n", N_GRID, format_func=fmt_int, help=True)
        with c2:
            widgets.control(st.select_slider, b, "d", D_GRID, format_func=fmt_int, help=True)
        widgets.control(c3.slider, b, "k", 2, K_MAX, step=1, help=True, on_change=k_moved)

    n, d, k = int(b["n"]), int(b["d"]), int(b["k"])
    names = layer_names()
    try:
        costs = complexity(n, d, k)
    except ValueError as err:  # not reachable with the clamped controls; never crash the lesson
        st.error(t("complexity.error", msg=str(err)))
        return
    frame = pd.DataFrame(
        {
            t("complexity.col.layer"): [names[r] for r in ROWS],
            t("complexity.col.ops"): [f"{BIG_O['ops'][r]}: {costs[r].per_layer:,}" for r in ROWS],
            t("complexity.col.seq"): [f"{BIG_O['seq'][r]}: {costs[r].sequential:,}" for r in ROWS],
            t("complexity.col.path"): [path_cell(r, costs[r].max_path) for r in ROWS],
        }
    )
    st.table(frame, hide_index=True)
    widgets.export_csv(
        "complexity",
        "table",
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
        f"n-{n}",
        f"d-{d}",
        f"k-{k}",
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


def growth() -> None:
    """2. Operations against n, on log–log axes, with the crossovers."""
    st.header(t("complexity.growth.title"))
    layout.explain(t("complexity.growth.text"))
    n, d, k = int(b["n"]), int(b["d"]), int(b["k"])
    names = layer_names()
    try:
        crossovers = crossover_n(d, k)
    except ValueError as err:  # not reachable with the clamped controls
        st.error(t("complexity.error", msg=str(err)))
        return
    fig = ops_figure(
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
    )
    layout.show_figure(fig, "complexity.fig_ops", name=f"ops-d-{d}-k-{k}")
    x = figures.figure_parts(fig)[0][0]["x"]  # the n the curves are drawn at
    widgets.export_csv(
        "complexity",
        "ops",
        partial(
            layout.table_frame,
            {layer: operations(layer, x, d, k) for layer in LAYERS},
            [f"{v:.6g}" for v in x],
            "n",
        ),
        f"d-{d}",
        f"k-{k}",
    )
    st.caption(
        t(
            "complexity.growth.caption",
            d=f"{crossovers['recurrent']:,}",
            kd=f"{crossovers['convolutional']:,}",
        )
    )


def path() -> None:
    """3. Maximum path length: how many steps join x₁ and xₙ."""
    st.header(t("complexity.path.title"))
    layout.explain(t("complexity.path.text"))
    with layout.controls():
        widgets.control(st.slider, b, "pn", 2, PICTURE_N_MAX, step=1, help=True)
    pn, k = int(b["pn"]), int(b["k"])
    paths = complexity(pn, 2, k)  # d does not change path lengths
    layout.show_figure(
        path_figure(
            pn,
            k,
            titles={
                "convolutional": t(
                    "complexity.fig.path_cnn", k=k, L=paths["convolutional"].max_path
                ),
                "recurrent": t("complexity.fig.path_rnn", L=paths["recurrent"].max_path),
                "self_attention": t("complexity.fig.path_sa", L=paths["self_attention"].max_path),
            },
            layer_title=t("complexity.axis.layer"),
        ),
        "complexity.fig_path",
        name=f"path-n-{pn}-k-{k}",
    )
    widgets.export_csv(
        "complexity",
        "path",
        partial(
            layout.table_frame,
            {"maximum path length": [paths[r].max_path for r in ROWS]},
            ROWS,
            "layer",
        ),
        f"n-{pn}",
        f"k-{k}",
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


def timing() -> None:
    """4. Timed live: the three layers on this server, within a time budget."""
    st.header(t("complexity.timing.title"))
    layout.explain(t("complexity.timing.text", budget=f"{BUDGET_S:g}"))
    with layout.controls():
        c1, c2 = st.columns(2)
        with c1:
            log_slider(t("complexity.td"), b.key("td"), TIMING_D, help=t("complexity.td.help"))
        with c2:
            log_slider(t("complexity.tn"), b.key("tn"), TIMING_N, help=t("complexity.tn.help"))
        run_now = st.button(t("complexity.timing.run"), key="complexity.run", type="primary")
    td, tn, k = int(b["td"]), int(b["tn"]), int(b["k"])
    names = layer_names()

    if run_now:
        bar = st.progress(0.0, text=t("complexity.timing.progress"))
        st.session_state[RESULTS] = run_timings(
            measured,
            d=td,
            k=k,
            n_max=tn,
            progress=lambda f: bar.progress(f, text=t("complexity.timing.progress")),
        )
        bar.empty()

    run: TimingRun | None = st.session_state.get(RESULTS)
    if run is None:
        st.info(t("complexity.timing.press"))
        return
    if (run.d, run.k, run.n_max) != (td, k, tn):
        st.info(t("complexity.timing.stale"))
    slopes = {layer: loglog_slope(run.n[layer], run.seconds[layer]) for layer in LAYERS}
    layout.show_figure(
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
        ),
        "complexity.fig_timing",
        name=f"timing-d-{run.d}-k-{run.k}",
    )
    widgets.export_csv(
        "complexity",
        "timing",
        partial(
            layout.table_frame,
            {
                "layer": [r for r in ROWS for _ in run.n[r]],
                "n": [x for r in ROWS for x in run.n[r]],
                "seconds per call": [s for r in ROWS for s in run.seconds[r]],
            },
        ),
        f"d-{run.d}",
        f"k-{run.k}",
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
    widgets.export_csv(
        "complexity",
        "slopes",
        partial(
            layout.table_frame,
            {
                "predicted slope": [PREDICTED_SLOPE[r] for r in ROWS],
                "measured slope": [slopes[r] for r in ROWS],
            },
            ROWS,
            "layer",
        ),
        f"d-{run.d}",
        f"k-{run.k}",
    )
    cut = [f"{names[r]} (n = {run.cut[r]:,})" for r in ROWS if run.cut[r]]
    if cut:
        st.caption(t("complexity.timing.cut", budget=f"{BUDGET_S:g}", which=", ".join(cut)))
    st.caption(t("complexity.timing.caption", d=run.d, k=run.k, n=f"{run.n_max:,}"))
    when = run.times()
    if when:
        first, last = clock(when[0]), clock(when[-1])
        span = first if first == last else f"{first} – {last}"
        st.caption(t("complexity.timing.when", when=span, fresh=run.fresh(), total=run.total()))


def k_moved() -> None:
    """The k slider's callback: every section reads k (see the module doc)."""
    sections.rerun_with("complexity", [table, growth, path, timing])


layout.header("complexity")
sections.show("complexity", [[table, growth], [path], [timing]])
