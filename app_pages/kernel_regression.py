"""Waist → weight: Nadaraya–Watson kernel regression, the first attention model (seed 001)."""

import time
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from attn_core import (
    KERNELS,
    BandwidthFit,
    KernelRegression,
    average_pooling,
    fit_bandwidth,
    nadaraya_watson,
    nw_parametric,
)
from ui import editor, fig_kernel, kernel_text, layout, state
from ui import kernel_data as kd
from ui.i18n import current_language, t
from ui.widgets import log_grid

H_GRID = log_grid(0.5, 50.0)  # bandwidths in cm, about evenly spaced on a log scale
LR_GRID = log_grid(0.05, 100.0)
METHODS = ("average", "nw", "parametric")
PAIR_QUERY, PAIR_KEYS, PAIR_VALUES = 57.0, (56.0, 58.0), (43.0, 48.0)  # seed 001's neighbours
AUTO_FIT_ROWS = 100  # larger tables are fitted on a button press: one epoch costs ~n² work
PROGRESS_AFTER_S = 0.3  # a fit running longer than this shows a progress bar (and keeps it)
FIT_CACHE, FIT_CACHE_SIZE = "_kernel.fits", 8
EDITOR_BASE = "_kernel.editor_base"  # (editor key, language, the table the editor started from)
UPLOAD_VERSION, UPLOADED = "_kernel.upload_version", "_kernel.uploaded"
CURVE_POINTS = 401

b = state.bind(
    "kernel",
    kd.DatasetParam("data"),
    state.Float("q", PAIR_QUERY, lo=0.0, hi=300.0),
    state.Choice("method", "nw", options=METHODS),
    state.Choice("kernel", "gaussian", options=KERNELS),
    state.Float("h", 5.0, lo=H_GRID[0], hi=H_GRID[-1], grid=H_GRID),
    state.Float("lr", 1.0, lo=LR_GRID[0], hi=LR_GRID[-1], grid=LR_GRID),
    state.Int("epochs", 50, lo=1, hi=500),
)
DATA = b.key("data")


def upload_key() -> str:
    return f"kernel.upload.{st.session_state.get(UPLOAD_VERSION, 0)}"


def on_upload() -> None:
    """Read a new file once; a good one replaces the table, a bad one only leaves a message."""
    f = st.session_state.get(upload_key())
    if f is None:
        st.session_state.pop(UPLOADED, None)
        return
    if f.size > kd.MAX_BYTES:  # the uploader refuses these too; never trust the browser
        result = kd.ParseResult(None, (kd.Problem("too_big", n=f.size),))
    else:
        result = kd.parse_csv(f.getvalue())
    st.session_state[UPLOADED] = (f.file_id, f.name, result)
    if result.data is not None:
        editor.set_matrix(DATA, result.data)


def reset_data() -> None:
    editor.set_matrix(DATA, kd.default_dataset())
    st.session_state[UPLOAD_VERSION] = st.session_state.get(UPLOAD_VERSION, 0) + 1
    st.session_state.pop(UPLOADED, None)


def data_table(data: np.ndarray) -> None:
    """The editable table. Edits are kept as changes to the table the editor started from;
    a good table replaces the data, a bad one is reported and the last good data stays."""
    lang = current_language()
    ek = editor.editor_key(DATA)
    base = st.session_state.get(EDITOR_BASE)
    if base is not None and base[0] == ek and base[1] != lang:
        editor.set_matrix(DATA, data)  # new column labels make a new editor: start from data
        ek = editor.editor_key(DATA)
    if base is None or base[0] != ek or base[1] != lang or ek not in st.session_state:
        base = (ek, lang, np.array(data))
        st.session_state[EDITOR_BASE] = base
    # No min_value/max_value/step: the browser would clamp (500 → 200) or round what is typed,
    # silently; the range is checked here and a value outside it is refused with a message.
    config = {
        c: st.column_config.NumberColumn(
            t(f"kernel.col.{c}.head"),
            required=True,  # format "plain" would show 95 as 95.00000000000001 (1.67)
        )
        for c in kd.COLUMNS
    }
    edited = st.data_editor(
        kd.table_frame(base[2]),
        key=ek,
        num_rows="dynamic",
        hide_index=True,
        column_config=config,
        height=35 * (len(base[2]) + 2) + 3 if len(base[2]) <= 14 else 460,
        width="stretch",
    )
    result = kd.read_table(edited)
    if result.data is not None:
        if not np.array_equal(result.data, data):
            st.session_state[DATA] = result.data
    else:
        result = kd.with_kept(result, data, len(edited))  # name what each bad cell still is
        st.error(
            t("kernel.table.bad", problems=kd.describe_all(result, source="row"), n=len(data)),
            icon="✋",
        )
    if result.skipped:
        st.caption(t("kernel.table.skipped", n=result.skipped))


def fitted(data: np.ndarray, lr: float, epochs: int, slot) -> tuple[BandwidthFit, float] | None:
    """The fit of w for these inputs: from this session's cache, or run now with a progress
    bar (small tables at once, large ones on a button). Returns ``(fit, seconds)``."""
    cache: dict = st.session_state.setdefault(FIT_CACHE, {})
    key = (kd.digest(data), float(lr), int(epochs))
    if key in cache:
        return cache[key]
    if len(data) > AUTO_FIT_ROWS and not slot.button(
        t("kernel.fit.button", n=len(data), epochs=epochs), icon="▶️"
    ):
        return None
    # A large table's fit shows its bar at once; any other fit shows it as soon as it has run
    # for PROGRESS_AFTER_S (a bar that would flash for 6 ms is not drawn at all).
    bar = slot.progress(0.0, text=t("kernel.fit.running")) if len(data) > AUTO_FIT_ROWS else None
    every = max(1, epochs // 25)  # ~25 updates, whatever the number of epochs
    start = time.perf_counter()

    def progress(epoch: int, w: float, loss: float) -> None:
        nonlocal bar
        if epoch % every and epoch != epochs:
            return
        spent = time.perf_counter() - start
        if bar is None and spent < PROGRESS_AFTER_S:
            return
        text = t(
            "kernel.fit.progress", epoch=epoch, epochs=epochs, loss=f"{loss:.3f}", s=f"{spent:.1f}"
        )
        bar = (bar if bar is not None else slot).progress(epoch / epochs, text=text)

    try:
        fit = fit_bandwidth(data[:, 0], data[:, 1], lr=lr, epochs=epochs, callback=progress)
    except ValueError as err:
        slot.error(t("kernel.core_error", why=state.shown(str(err), 300)))
        return None
    cache[key] = (fit, time.perf_counter() - start)
    while len(cache) > FIT_CACHE_SIZE:
        cache.pop(next(iter(cache)))
    return cache[key]


def attend(method: str, queries: np.ndarray, keys, values, kernel, h, w) -> KernelRegression:
    """The chosen method's weights and predictions for every query."""
    if method == "average":
        return average_pooling(queries, values)
    if method == "parametric":
        return nw_parametric(queries, keys, values, w)
    return nadaraya_watson(queries, keys, values, kernel, h)


def fmt(x: float, unit: str = "", digits: int = 2) -> str:
    """A number for text; never 'nan'."""
    if not np.isfinite(x):
        return "—"
    return f"{x:.{digits}f}{unit}"


layout.header("kernel")
KG = " " + t("kernel.unit.weight")
# names looked up now, so that the widgets' format functions need no session (AppTest calls them)
METHOD_NAMES = {m: t(f"kernel.method.{m}") for m in METHODS}
KERNEL_NAMES = {k: t(f"kernel.kernel.{k}") for k in KERNELS}

# --- 1. Two neighbours, equal weights ----------------------------------------------------
st.header(t("kernel.pair.title"))
layout.explain(t("kernel.pair.text"))
pair = average_pooling([PAIR_QUERY], PAIR_VALUES)  # equal weights on the two neighbours
st.latex(
    kernel_text.pair_formula(
        PAIR_QUERY, PAIR_KEYS, PAIR_VALUES, pair.weights[0], pair.prediction[0]
    )
)
layout.explain(t("kernel.pair.next"))

# --- 2. The data -------------------------------------------------------------------------
st.header(t("kernel.data.title"))
layout.explain(
    t("kernel.data.text", max_rows=f"{kd.MAX_ROWS:,}", url_rows=kd.URL_MAX_ROWS)
    + "\n\n"
    + t(
        "kernel.data.ranges",
        wlo=f"{kd.WAIST_RANGE[0]:g}",
        whi=f"{kd.WAIST_RANGE[1]:g}",
        klo=f"{kd.WEIGHT_RANGE[0]:g}",
        khi=f"{kd.WEIGHT_RANGE[1]:g}",
    )
)
with layout.controls(t("kernel.data.controls")):
    col_table, col_files = st.columns([3, 2], gap="large")
    with col_files:
        st.file_uploader(
            t("kernel.upload"),
            type=["csv", "txt"],
            key=upload_key(),
            on_change=on_upload,
            max_upload_size=1,
            help=t("kernel.upload.help"),
        )
        current_file = st.session_state.get(upload_key())
        loaded = st.session_state.get(UPLOADED)
        if current_file is not None and loaded is not None and loaded[0] == current_file.file_id:
            _, name, result = loaded
            if result.data is not None:
                st.success(
                    t("kernel.upload.ok", name=state.shown(name, 60), n=len(result.data)),
                    icon="✅",
                )
                if result.ignored:
                    ignored = ", ".join(state.shown(c) for c in result.ignored[:6])
                    st.caption(t("kernel.upload.ignored", cols=ignored))
                if result.skipped:
                    lines = ", ".join(str(i) for i in result.skipped_at[:10])
                    st.caption(
                        t(
                            "kernel.upload.skipped",
                            n=result.skipped,
                            lines=lines + (", …" if result.skipped > 10 else ""),
                        )
                    )
            else:
                st.error(
                    t(
                        "kernel.upload.bad",
                        name=state.shown(name, 60),
                        problems=kd.describe_all(result, source="line"),
                    ),
                    icon="✋",
                )
    with col_table:
        data_table(st.session_state[DATA])
    data = st.session_state[DATA]  # (n, 2) the last good table
    table_csv = kd.csv_frame(data, current_language())  # headers in the reader's language
    with col_files:
        st.download_button(
            t("kernel.download"),
            lambda: layout.csv_bytes(table_csv, index=False),
            file_name=f"{layout.export_name('kernel.data')}.csv",
            mime="text/csv",
            key="kernel.download",
            icon="⬇️",
            on_click="ignore",
        )
        st.button(t("kernel.reset"), on_click=reset_data, icon="↩️", key="kernel.reset")
        toy = b.params["data"].is_default(data)
        st.caption((t("app.toy_data") + " " if toy else "") + t("kernel.data.caption", n=len(data)))
        if len(data) > kd.URL_MAX_ROWS:
            st.caption(t("kernel.data.not_in_link", n=len(data), url_rows=kd.URL_MAX_ROWS))

keys, values = data[:, 0], data[:, 1]  # (n,) waists in cm, (n,) weights in kg
n = len(keys)

# --- 3. One query: method, weights, prediction -------------------------------------------
st.header(t("kernel.method.title"))
layout.explain(t("kernel.method.text"))
q_lo, q_hi = kd.query_range(keys)
asked = float(b["q"])
q_ok = min(max(round(asked * 2) / 2, q_lo), q_hi)  # on the slider's 0.5 cm steps
b.set("q", q_ok)  # always: a new range makes a new slider, which must start from the query
with layout.controls():
    c_method, c_query = st.columns([1, 2], gap="large")
    c_method.radio(
        t("kernel.method"),
        METHODS,
        key=b.key("method"),
        format_func=METHOD_NAMES.__getitem__,
    )
    method = b["method"]
    with c_query:
        st.slider(
            t("kernel.query"),
            q_lo,
            q_hi,
            step=0.5,
            format="%.1f",
            key=b.key("q"),
            help=t("kernel.query.help"),
        )
        if q_ok != asked:
            st.caption(t("kernel.query.moved", asked=f"{asked:g}", q=f"{q_ok:g}"))
    # every control is drawn on every run (greyed out when its method is not chosen), so
    # that none loses its value while another method is shown
    c_kernel, c_h, c_lr, c_epochs = st.columns(4)
    c_kernel.selectbox(
        t("kernel.kernel"),
        KERNELS,
        key=b.key("kernel"),
        format_func=KERNEL_NAMES.__getitem__,
        disabled=method != "nw",
    )
    c_h.select_slider(
        t("kernel.h"),
        options=H_GRID,
        key=b.key("h"),
        format_func=lambda v: f"{v:g}",
        disabled=method != "nw",
        help=t("kernel.h.help"),
    )
    c_lr.select_slider(
        t("kernel.lr"),
        options=LR_GRID,
        key=b.key("lr"),
        format_func=lambda v: f"{v:g}",
        disabled=method != "parametric",
        help=t("kernel.lr.help"),
    )
    c_epochs.slider(
        t("kernel.epochs"), 1, 500, key=b.key("epochs"), disabled=method != "parametric"
    )
    fit = None
    w = 0.0
    if method == "parametric":
        slot = st.empty()
        fit = fitted(data, float(b["lr"]), int(b["epochs"]), slot)
        if fit is not None and fit[1] >= PROGRESS_AFTER_S:  # a long fit: its bar stays, full
            slot.progress(
                1.0, text=t("kernel.fit.done_slow", epochs=b["epochs"], s=f"{fit[1]:.1f}")
            )
            w = fit[0].w
        elif fit is not None:
            slot.caption(t("kernel.fit.done", epochs=b["epochs"], ms=f"{fit[1] * 1000:.0f}"))
            w = fit[0].w
        else:
            w = fit_bandwidth(keys, values, epochs=0).w  # the starting point, not fitted yet
            st.info(t("kernel.fit.pending", w=f"{w:.4f}"))
q, kernel, h = float(b["q"]), b["kernel"], float(b["h"])

grid = np.linspace(q_lo, q_hi, CURVE_POINTS)  # (m,) queries for the curve
heat_q = kd.query_grid(q_lo, q_hi)  # (n_q,) round queries for the heatmap
queries = np.concatenate([[q], grid, heat_q])
try:
    r = attend(method, queries, keys, values, kernel, h, w)
except ValueError as err:  # cannot happen with checked data; shown, never raised
    st.error(t("kernel.core_error", why=state.shown(str(err), 300)))
    r = average_pooling(queries, values)
alpha, pred, lost = r.weights[0], float(r.prediction[0]), bool(r.uncovered[0])  # (n,), f(q)
curve = r.prediction[1 : 1 + CURVE_POINTS]  # (m,) NaN where uncovered
heat = r.weights[1 + CURVE_POINTS :]  # (n_q, n)
heat_lost = r.uncovered[1 + CURVE_POINTS :]  # (n_q,)
reach = h if method == "nw" and kernel != "gaussian" else None
gaps = kd.uncovered_intervals(keys, reach, q_lo, q_hi) if reach else []

st.metric(
    t("kernel.prediction", q=f"{q:g}", method=METHOD_NAMES[method]),
    fmt(pred, KG) if not lost else t("kernel.prediction.none"),
)
if lost:
    st.warning(
        t("kernel.uncovered.query", q=f"{q:g}", h=f"{h:g}", kernel=KERNEL_NAMES[kernel]),
        icon="⚠️",
    )
if gaps:
    spans = ", ".join(f"{start:.1f}–{end:.1f}" for start, end in gaps)
    st.info(t("kernel.uncovered.gaps", spans=spans, h=f"{h:g}"))

nearest = int(np.argmax(alpha)) if not lost else None
view = f"{method}-{kernel}" if method == "nw" else method  # what the weights depend on
# side by side on a screen; one below the other on a projector, where type is larger
col_curve, col_bars = (
    (st.container(), st.container()) if layout.presenting() else st.columns([3, 2])
)
with col_curve:
    layout.show_figure(
        fig_kernel.data_curve(
            keys,
            values,
            alpha,
            grid,
            curve,
            q,
            pred,
            gaps,
            text={
                "title": t("kernel.fig.curve", method=METHOD_NAMES[method]),
                "x": t("kernel.axis.waist"),
                "y": t("kernel.axis.weight"),
                "data": t("kernel.fig.people"),
                "curve": t("kernel.fig.prediction"),
                "query": t("kernel.fig.query", q=f"{q:g}"),
                "gap": t("kernel.fig.gap"),
                "baseline": t("kernel.fig.baseline"),
            },
            baseline=float(np.mean(values)) if method != "average" else None,
        ),
        key="kernel.curve",
        name=f"curve-{view}",
    )
    layout.download_csv(
        t("kernel.export.curve"),
        partial(pd.DataFrame, {"waist (query, cm)": grid, "predicted weight (kg)": curve}),
        f"{layout.export_name('kernel.prediction', view)}.csv",
        key="kernel.dl.curve",
        index=False,
    )
with col_bars:
    layout.show_figure(
        fig_kernel.weight_bars(
            keys,
            alpha,
            q,
            (q_lo, q_hi),
            text={
                "title": t("kernel.fig.bars", q=f"{q:g}"),
                "x": t("kernel.axis.waist"),
                "y": t("kernel.axis.alpha"),
                "none": t("kernel.fig.none"),
            },
            highlight=float(keys[nearest]) if nearest is not None else None,
        ),
        key="kernel.bars",
        name=f"weights-at-{q:g}",
    )
    layout.download_csv(
        t("kernel.export.bars", q=f"{q:g}"),
        partial(
            pd.DataFrame, {"waist (key, cm)": keys, "weight (value, kg)": values, "alpha": alpha}
        ),
        f"{layout.export_name('kernel.weights-at', f'{q:g}', view)}.csv",
        key="kernel.dl.bars",
        index=False,
    )

st.subheader(t("app.formula"))
for line in kernel_text.general_formula(method, kernel):
    st.latex(line)
if nearest is not None:
    scale = w if method == "parametric" else h
    st.latex(
        kernel_text.key_step(method, kernel, q, float(keys[nearest]), alpha[nearest], n, scale)
    )
    terms, n_rest, rest_weight = kernel_text.weighted_terms(q, alpha, values, pred)
    st.latex(terms)
    st.caption(
        t("kernel.formula.caption", k=f"{keys[nearest]:g}")
        + (" " + t("kernel.formula.rest", n=n_rest, weight=f"{rest_weight:.3f}") if n_rest else "")
    )
else:
    st.caption(t("kernel.formula.none"))

if method == "parametric" and fit is not None:
    st.subheader(t("kernel.fit.title"))
    result, _ = fit
    st.markdown(
        t(
            "kernel.fit.summary",
            w0=f"{result.w_history[0]:.4f}",
            w=f"{result.w:.4f}",
            h=fmt(1.0 / abs(result.w), " " + t("kernel.unit.waist")) if result.w != 0 else "∞",
            loss0=f"{result.loss_history[0]:.2f}",
            loss=f"{result.loss_history[-1]:.2f}",
            epochs=len(result.loss_history) - 1,
        )
    )
    layout.show_figure(
        fig_kernel.loss_curve(
            result.loss_history,
            result.w_history,
            text={
                "title": t("kernel.fig.loss"),
                "x": t("kernel.axis.epoch"),
                "loss": t("kernel.axis.loss"),
                "w": t("kernel.axis.w"),
            },
        ),
        key="kernel.loss",
        name="fit-history",
    )
    layout.download_csv(
        t("kernel.export.history"),
        partial(
            layout.table_frame,
            {"loss": result.loss_history, "w": result.w_history},
            index_name="epoch",
        ),
        f"{layout.export_name('kernel.fit-history')}.csv",
        key="kernel.dl.history",
    )
    layout.explain(t("kernel.fit.text"))

# --- 4. All queries at once: the weight matrix -------------------------------------------
st.header(t("kernel.heatmap.title"))
layout.explain(t("kernel.heatmap.text"))
layout.show_figure(
    fig_kernel.weight_heatmap(
        keys,
        heat_q,
        heat,
        heat_lost,
        q,
        text={
            "title": t("kernel.fig.heatmap", method=METHOD_NAMES[method]),
            "x": t("kernel.axis.keys"),
            "y": t("kernel.axis.queries"),
        },
    ),
    key="kernel.heatmap",
    name=f"heatmap-{view}",
)
if heat_lost.any():
    st.caption(t("kernel.heatmap.grey"))
order = np.argsort(keys, kind="stable")
layout.download_csv(
    t("kernel.heatmap.download"),
    layout.matrix_frame(
        heat[:, order], [f"{x:g}" for x in heat_q], fig_kernel.unique_labels(keys[order])
    ),
    f"{layout.export_name('kernel.attention-weights', view)}.csv",
    key="kernel.download_weights",
)

# --- 5. Back to 57: every method on the full table ---------------------------------------
st.header(t("kernel.example.title", q=f"{PAIR_QUERY:g}"))
layout.explain(t("kernel.example.text", q=f"{PAIR_QUERY:g}", h=f"{h:g}"))
rows = [(t("kernel.method.average"), average_pooling([PAIR_QUERY], values))]
rows += [
    (
        t("kernel.example.kernel", kernel=KERNEL_NAMES[k], h=f"{h:g}"),
        nadaraya_watson([PAIR_QUERY], keys, values, k, h),
    )
    for k in KERNELS
]
if method == "parametric":
    rows.append(
        (t("kernel.example.parametric", w=f"{w:.4f}"), nw_parametric([PAIR_QUERY], keys, values, w))
    )
st.markdown(
    kernel_text.markdown_table(
        [
            t("kernel.example.col.method"),
            t("kernel.example.col.prediction", q=f"{PAIR_QUERY:g}"),
            t("kernel.example.col.reached"),
        ],
        [
            [
                name,
                t("kernel.example.none") if res.uncovered[0] else fmt(res.prediction[0], KG),
                t("kernel.example.reached", k=int(np.count_nonzero(res.weights[0] > 1e-3)), n=n),
            ]
            for name, res in rows
        ],
    )
)
layout.download_csv(
    t("kernel.export.example"),
    partial(
        pd.DataFrame,
        {
            "prediction (kg)": [res.prediction[0] for _, res in rows],
            "keys reached": [int(np.count_nonzero(res.weights[0] > 1e-3)) for _, res in rows],
            "keys": n,
        },
        index=pd.Index([name for name, _ in rows], name="method"),
    ),
    f"{layout.export_name('kernel.every-method-at', f'{PAIR_QUERY:g}')}.csv",
    key="kernel.dl.example",
)
layout.explain(t("kernel.example.after"))
