"""Waist → weight: Nadaraya–Watson kernel regression, the first attention model (seed 001).

Reads like the screen: the title, then one function per section, listed in order at the end.
The seed's pair of neighbours uses no data and no control: it stands alone. The table (edit,
upload, reset) is the data every later section computes on, so a change of the table reruns
its own section and the three after it (``sections.rerun_with`` in the table's callbacks), not
the page (the seed pair does not depend on it). The query section's controls (method, query,
kernel, bandwidth, the fitted sharpness) feed the weight matrix and the table of every method
at 57 cm: those three sections are one fragment, and a slider moved reruns them, not the table
(whose editor, 1,000 rows at most, is then neither read nor sent again).
With "Guess first" on (Nadaraya–Watson), the prediction at the query, its figures and its
formula hide until the guess is revealed; so does the table at 57 cm when the query is 57.
"""

import time
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from app_pages.waist_weight import data as kd
from app_pages.waist_weight import figures, text
from attn_core import (
    KERNELS,
    BandwidthFit,
    KernelRegression,
    average_pooling,
    fit_bandwidth,
    nadaraya_watson,
    nw_parametric,
)
from attn_core.kernel_regression import uncovered_intervals
from ui import editor, guess, layout, sections, state, widgets
from ui.i18n import current_language, t
from ui.widgets import log_grid

H_GRID = log_grid(0.5, 50.0)  # bandwidths in cm, about evenly spaced on a log scale
LR_GRID = log_grid(0.05, 100.0)
METHODS = ("average", "nw", "parametric")
PAIR_QUERY, PAIR_KEYS, PAIR_VALUES = 57.0, (56.0, 58.0), (43.0, 48.0)  # seed 001's neighbours
AUTO_FIT_ROWS = 100  # larger tables are fitted on a button press: one epoch costs ~n² work
PROGRESS_AFTER_S = 0.3  # a fit running longer than this shows a progress bar (and keeps it)
FIT_CACHE, FIT_CACHE_SIZE = "_waist_weight.fits", 8
EDITOR_BASE = "_waist_weight.editor_base"  # (editor key, language, the table it started from)
LAST_READ = "_waist_weight.last_read"  # ((editor key, its edits), what they read as)
UPLOAD_VERSION, UPLOADED = "_waist_weight.upload_version", "_waist_weight.uploaded"
CURVE_POINTS = 401

b = state.bind(
    "waist_weight",
    kd.DatasetParam("data"),
    state.Float("q", PAIR_QUERY, lo=0.0, hi=300.0),
    state.Choice("method", "nw", options=METHODS),
    state.Choice("kernel", "gaussian", options=KERNELS),
    state.Float("h", 5.0, lo=H_GRID[0], hi=H_GRID[-1], grid=H_GRID),
    state.Float("lr", 1.0, lo=LR_GRID[0], hi=LR_GRID[-1], grid=LR_GRID),
    state.Int("epochs", 50, lo=1, hi=500),
)
DATA = b.key("data")
guess.bind("waist_weight")  # the guess (query section) stays in the link on the other sections


# --- the table ---------------------------------------------------------------------------------


def table() -> np.ndarray:
    """The last good table, ``(n, 2)``: waists (cm) in column 0, weights (kg) in column 1."""
    return st.session_state[DATA]


def upload_key() -> str:
    return f"waist_weight.upload.{st.session_state.get(UPLOAD_VERSION, 0)}"


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
    table_changed()


def reset_data() -> None:
    editor.set_matrix(DATA, kd.default_dataset())
    st.session_state[UPLOAD_VERSION] = st.session_state.get(UPLOAD_VERSION, 0) + 1
    st.session_state.pop(UPLOADED, None)
    table_changed()


def table_changed() -> None:
    """A callback's last word when the table changed: every section that reads it reruns."""
    sections.rerun_with("waist_weight", [dataset, query_section, heatmap, example])


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
        base = (ek, lang, np.array(data), kd.table_frame(data))
        st.session_state[EDITOR_BASE] = base
    # No min_value/max_value/step: the browser would clamp (500 → 200) or round what is typed,
    # silently; the range is checked here and a value outside it is refused with a message.
    config = {
        c: st.column_config.NumberColumn(
            t(f"waist_weight.col.{c}.head"),
            required=True,  # format "plain" would show 95 as 95.00000000000001 (1.67)
        )
        for c in kd.COLUMNS
    }
    edited = st.data_editor(
        base[3],
        key=ek,
        on_change=table_changed,
        num_rows="dynamic",
        hide_index=True,
        column_config=config,
        height=35 * (len(base[2]) + 2) + 3 if len(base[2]) <= 14 else 460,
        width="stretch",
    )
    changes = st.session_state.get(ek) or {}
    if not any(changes.get(k) for k in ("edited_rows", "added_rows", "deleted_rows")):
        return  # the table as the editor started it: nothing to read
    seen = (ek, repr(changes))
    last = st.session_state.get(LAST_READ)
    if last is not None and last[0] == seen:
        result = last[1]  # the same edits as last run (a full run): read once, ~15 ms
    else:
        result = kd.read_table(edited)
        st.session_state[LAST_READ] = (seen, result)
    if result.data is not None:
        if not np.array_equal(result.data, data):
            st.session_state[DATA] = result.data
    else:
        result = kd.with_kept(result, data, len(edited))  # name what each bad cell still is
        st.error(
            t(
                "waist_weight.table.bad",
                problems=kd.describe_all(result, source="row"),
                n=len(data),
            ),
            icon="✋",
        )
    if result.skipped:
        st.caption(t("waist_weight.table.skipped", n=result.skipped))


def upload_report() -> None:
    """What the last upload gave: the people loaded, columns ignored, lines skipped, or why not."""
    current_file = st.session_state.get(upload_key())
    loaded = st.session_state.get(UPLOADED)
    if current_file is None or loaded is None or loaded[0] != current_file.file_id:
        return
    _, name, result = loaded
    if result.data is None:
        st.error(
            t(
                "waist_weight.upload.bad",
                name=state.shown(name, 60),
                problems=kd.describe_all(result, source="line"),
            ),
            icon="✋",
        )
        return
    st.success(
        t("waist_weight.upload.ok", name=state.shown(name, 60), n=len(result.data)), icon="✅"
    )
    if result.ignored:
        ignored = ", ".join(state.shown(c) for c in result.ignored[:6])
        st.caption(t("waist_weight.upload.ignored", cols=ignored))
    if result.skipped:
        lines = ", ".join(str(i) for i in result.skipped_at[:10])
        st.caption(
            t(
                "waist_weight.upload.skipped",
                n=result.skipped,
                lines=lines + (", …" if result.skipped > 10 else ""),
            )
        )


def download_bytes(data: np.ndarray, lang: str) -> bytes:
    """The table as CSV, with headers in the reader's language (both read back)."""
    return layout.csv_bytes(kd.csv_frame(data, lang), index=False)


# --- the method and the query --------------------------------------------------------------------


def query(keys: np.ndarray) -> tuple[float, float, float]:
    """The query on the slider's 0.5 cm steps inside its range, and that range ``(lo, hi)``."""
    q_lo, q_hi = kd.query_range(keys)
    return min(max(round(float(b["q"]) * 2) / 2, q_lo), q_hi), q_lo, q_hi


def fitted(data: np.ndarray, slot=None) -> tuple[BandwidthFit, float] | None:
    """The fit of w for the table and the bound lr and epochs: from this session's cache, or
    run now. With a ``slot`` (the query section) it shows a progress bar, and a large table
    waits for a button; without one (another section, e.g. alone on a projector) a small
    table is fitted quietly and a large one not at all. Returns ``(fit, seconds)``."""
    lr, epochs = float(b["lr"]), int(b["epochs"])
    cache: dict = st.session_state.setdefault(FIT_CACHE, {})
    key = (kd.digest(data), lr, epochs)
    if key in cache:
        return cache[key]
    if len(data) > AUTO_FIT_ROWS and (
        slot is None
        or not slot.button(
            t("waist_weight.fit.button", n=len(data), epochs=epochs),
            key="waist_weight.fit",
            icon="▶️",
        )
    ):
        return None
    # A large table's fit shows its bar at once; any other fit shows it as soon as it has run
    # for PROGRESS_AFTER_S (a bar that would flash for 6 ms is not drawn at all).
    bar = (
        slot.progress(0.0, text=t("waist_weight.fit.running"))
        if slot is not None and len(data) > AUTO_FIT_ROWS
        else None
    )
    every = max(1, epochs // 25)  # ~25 updates, whatever the number of epochs
    start = time.perf_counter()

    def progress(epoch: int, w: float, loss: float) -> None:
        nonlocal bar
        if slot is None or (epoch % every and epoch != epochs):
            return
        spent = time.perf_counter() - start
        if bar is None and spent < PROGRESS_AFTER_S:
            return
        message = t(
            "waist_weight.fit.progress",
            epoch=epoch,
            epochs=epochs,
            loss=f"{loss:.3f}",
            s=f"{spent:.1f}",
        )
        bar = (bar if bar is not None else slot).progress(epoch / epochs, text=message)

    try:
        fit = fit_bandwidth(data[:, 0], data[:, 1], lr=lr, epochs=epochs, callback=progress)
    except ValueError as err:
        if slot is not None:
            slot.error(t("waist_weight.core_error", why=state.shown(str(err), 300)))
        return None
    cache[key] = (fit, time.perf_counter() - start)
    while len(cache) > FIT_CACHE_SIZE:
        cache.pop(next(iter(cache)))
    return cache[key]


def sharpness(data: np.ndarray, fit: tuple[BandwidthFit, float] | None) -> float:
    """The parametric method's w: the fitted one, or the starting point while not fitted."""
    return fit[0].w if fit is not None else fit_bandwidth(data[:, 0], data[:, 1], epochs=0).w


def attend(queries: np.ndarray, data: np.ndarray, w: float) -> KernelRegression:
    """The chosen method's weights and predictions for every query."""
    try:
        return predict(b["method"], b["kernel"], float(b["h"]), w, queries, data)
    except ValueError as err:  # cannot happen with checked data; shown, never raised
        st.error(t("waist_weight.core_error", why=state.shown(str(err), 300)))
        return average_pooling(queries, data[:, 1])


@st.cache_data(max_entries=64, show_spinner=False)
def curve_over(
    digest: str, method: str, kernel: str, h: float, w: float, _data: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The prediction over the query range, ``(grid (m,), prediction (m,))``, NaN where no key
    reaches. It does not depend on the query: cached on the table (its ``digest``) and the
    method's settings, a query move costs one row of weights instead of 402 (~30 ms at 1,000
    rows)."""
    q_lo, q_hi = kd.query_range(_data[:, 0])
    grid = np.linspace(q_lo, q_hi, CURVE_POINTS)  # (m,)
    return grid, predict(method, kernel, h, w, grid, _data).prediction


@st.cache_resource(max_entries=32, show_spinner=False)
def heatmap_figure(
    digest: str,
    method: str,
    kernel: str,
    h: float,
    w: float,
    row: float,
    labels: tuple,
    _data: np.ndarray,
):
    """The queries × keys weights (an image above 64 keys, ~12 ms to encode at 1,000) and their
    CSV frame, cached on the table, the settings, the outlined row and the labels: a query
    move that stays on the same row sends the same figure. Shared, read only."""
    keys = _data[:, 0]
    q_lo, q_hi = kd.query_range(keys)
    heat_q = kd.query_grid(q_lo, q_hi)  # (n_q,) round queries for the rows
    r = predict(method, kernel, h, w, heat_q, _data)
    title, x, y = labels
    fig = figures.weight_heatmap(
        keys, heat_q, r.weights, r.uncovered, row, text={"title": title, "x": x, "y": y}
    )
    order = np.argsort(keys, kind="stable")
    frame = layout.matrix_frame(
        r.weights[:, order], [f"{x:g}" for x in heat_q], figures.unique_labels(keys[order])
    )
    return fig, bool(r.uncovered.any()), frame


def predict(
    method: str, kernel: str, h: float, w: float, queries: np.ndarray, data: np.ndarray
) -> KernelRegression:
    """A method's weights and predictions for every query (no Streamlit: cacheable)."""
    keys, values = data[:, 0], data[:, 1]
    if method == "average":
        return average_pooling(queries, values)
    if method == "parametric":
        return nw_parametric(queries, keys, values, w)
    return nadaraya_watson(queries, keys, values, kernel, h)


def prediction_question(
    data: np.ndarray, alpha: np.ndarray, pred: float, q: float, kernel: str, h: float
) -> guess.Question:
    """Guess the Nadaraya–Watson prediction at the query (kg, within the table's weights: the
    prediction is a weighted average of them); why: the two keys that carry the most weight."""
    keys, values = data[:, 0], data[:, 1]
    i, j = (int(k) for k in np.argsort(-alpha, kind="stable")[:2])
    numbers = {
        "q": f"{q:g}",
        "k1": f"{keys[i]:g}",
        "v1": f"{values[i]:g}",
        "a1": f"{alpha[i]:.3f}",
        "pred": f"{pred:.2f}",
    }
    if alpha[j] > 0:
        why = t(
            "waist_weight.guess.why",
            k2=f"{keys[j]:g}",
            v2=f"{values[j]:g}",
            a2=f"{alpha[j]:.3f}",
            share=f"{alpha[i] + alpha[j]:.0%}",
            **numbers,
        )
    else:  # a kernel of finite reach that reaches one person only
        why = t("waist_weight.guess.why_one", h=f"{h:g}", **numbers)
    return guess.Question(
        f"waist_weight.nw.q{q:g}.{kernel}.h{h:g}",
        "number",
        answer=pred,
        why=why,
        lo=float(values.min()),
        hi=float(values.max()),
        unit=t("waist_weight.unit.weight"),
    )


def view() -> str:
    """What the weights depend on, for export names."""
    return f"nw-{b['kernel']}" if b["method"] == "nw" else b["method"]


def method_names() -> dict[str, str]:
    return {m: t(f"waist_weight.method.{m}") for m in METHODS}


def kernel_names() -> dict[str, str]:
    return {k: t(f"waist_weight.kernel.{k}") for k in KERNELS}


def kg() -> str:
    return " " + t("waist_weight.unit.weight")


def fmt(x: float, unit: str = "", digits: int = 2) -> str:
    """A number for text; never 'nan'."""
    if not np.isfinite(x):
        return "—"
    return f"{x:.{digits}f}{unit}"


# --- the sections, in screen order -------------------------------------------------------------


def pair() -> None:
    """1. Two neighbours, equal weights: seed 001's example, computed."""
    st.header(t("waist_weight.pair.title"))
    layout.explain(t("waist_weight.pair.text"))
    r = average_pooling([PAIR_QUERY], PAIR_VALUES)  # equal weights on the two neighbours
    st.latex(text.pair_formula(PAIR_QUERY, PAIR_KEYS, PAIR_VALUES, r.weights[0], r.prediction[0]))
    layout.explain(t("waist_weight.pair.next"))


def dataset() -> None:
    """2. The data: edit the table, upload a CSV, download it, reset it."""
    st.header(t("waist_weight.data.title"))
    layout.explain(
        t("waist_weight.data.text", max_rows=f"{kd.MAX_ROWS:,}", url_rows=kd.URL_MAX_ROWS)
        + "\n\n"
        + t(
            "waist_weight.data.ranges",
            wlo=f"{kd.WAIST_RANGE[0]:g}",
            whi=f"{kd.WAIST_RANGE[1]:g}",
            klo=f"{kd.WEIGHT_RANGE[0]:g}",
            khi=f"{kd.WEIGHT_RANGE[1]:g}",
        )
    )
    with layout.controls(t("waist_weight.data.controls")):
        col_table, col_files = st.columns([3, 2], gap="large")
        with col_files:
            st.file_uploader(
                t("waist_weight.upload"),
                type=["csv", "txt"],
                key=upload_key(),
                on_change=on_upload,
                max_upload_size=1,
                help=t("waist_weight.upload.help"),
            )
            upload_report()
        with col_table:
            data_table(table())
        data = table()
        with col_files:
            st.download_button(
                t("waist_weight.download"),
                # headers in the reader's language; built only when the button is pressed
                partial(download_bytes, data, current_language()),
                file_name=f"{layout.export_name('waist_weight.data')}.csv",
                mime="text/csv",
                key="waist_weight.download",
                icon="⬇️",
                on_click="ignore",
            )
            st.button(
                t("waist_weight.reset"), on_click=reset_data, icon="↩️", key="waist_weight.reset"
            )
            toy = b.params["data"].is_default(data)
            st.caption(
                (t("app.toy_data") + " " if toy else "")
                + t("waist_weight.data.caption", n=len(data))
            )
            if len(data) > kd.URL_MAX_ROWS:
                st.caption(
                    t("waist_weight.data.not_in_link", n=len(data), url_rows=kd.URL_MAX_ROWS)
                )


def method_controls(
    data: np.ndarray, q_ok: float, q_lo: float, q_hi: float
) -> tuple[BandwidthFit, float] | None:
    """The method, the query and the method's own controls (greyed out when not in use);
    with the parametric method, the fit and its progress. Returns the fit, if any."""
    asked = float(b["q"])
    b.set("q", q_ok)  # always: a new range makes a new slider, which must start from the query
    names, kernels = method_names(), kernel_names()
    with layout.controls():
        c_method, c_query = st.columns([1, 2], gap="large")
        widgets.control(c_method.radio, b, "method", METHODS, format_func=names.__getitem__)
        method = b["method"]
        with c_query:
            st.slider(
                t("waist_weight.query"),
                q_lo,
                q_hi,
                step=0.5,
                format="%.1f",
                key=b.key("q"),
                help=t("waist_weight.query.help"),
            )
            if q_ok != asked:
                st.caption(t("waist_weight.query.moved", asked=f"{asked:g}", q=f"{q_ok:g}"))
        # every control is drawn on every run (greyed out when its method is not chosen), so
        # that none loses its value while another method is shown
        c_kernel, c_h, c_lr, c_epochs = st.columns(4)
        widgets.control(
            c_kernel.selectbox,
            b,
            "kernel",
            KERNELS,
            format_func=kernels.__getitem__,
            disabled=method != "nw",
        )
        for col, name, grid, used_by in (
            (c_h, "h", H_GRID, "nw"),
            (c_lr, "lr", LR_GRID, "parametric"),
        ):
            widgets.control(
                col.select_slider,
                b,
                name,
                options=grid,
                format_func=lambda v: f"{v:g}",
                disabled=method != used_by,
                help=True,
            )
        widgets.control(c_epochs.slider, b, "epochs", 1, 500, disabled=method != "parametric")
        return fit_status(data) if method == "parametric" else None


def fit_status(data: np.ndarray) -> tuple[BandwidthFit, float] | None:
    """Run (or fetch) the fit with its progress bar, and say how it went."""
    slot = st.empty()
    fit = fitted(data, slot)
    epochs = b["epochs"]
    if fit is not None and fit[1] >= PROGRESS_AFTER_S:  # a long fit: its bar stays, full
        slot.progress(1.0, text=t("waist_weight.fit.done_slow", epochs=epochs, s=f"{fit[1]:.1f}"))
    elif fit is not None:
        slot.caption(t("waist_weight.fit.done", epochs=epochs, ms=f"{fit[1] * 1000:.0f}"))
    else:
        st.info(t("waist_weight.fit.pending", w=f"{sharpness(data, None):.4f}"))
    return fit


def query_section() -> None:
    """3. One query: method, weights, prediction, the formula worked out, the fit."""
    st.header(t("waist_weight.method.title"))
    layout.explain(t("waist_weight.method.text"))
    data = table()
    keys, values = data[:, 0], data[:, 1]  # (n,) waists in cm, (n,) weights in kg
    n = len(keys)
    q, q_lo, q_hi = query(keys)
    fit = method_controls(data, q, q_lo, q_hi)
    method, kernel, h = b["method"], b["kernel"], float(b["h"])
    w = sharpness(data, fit) if method == "parametric" else 0.0

    r = attend(np.array([q]), data, w)
    alpha, pred, lost = r.weights[0], float(r.prediction[0]), bool(r.uncovered[0])  # (n,), f(q)
    grid, curve = curve_over(kd.digest(data), method, kernel, h, w, data)  # (m,), (m,) NaN gaps
    reach = h if method == "nw" and kernel != "gaussian" else None
    gaps = uncovered_intervals(keys, reach, q_lo, q_hi) if reach else []
    names, kernels = method_names(), kernel_names()
    if method == "nw" and not lost:  # predict, then reveal: the answer hides until revealed
        if not guess.ask("waist_weight", prediction_question(data, alpha, pred, q, kernel, h)):
            return
    elif st.session_state.get(b.key(guess.GUESS)):
        st.info(t("waist_weight.guess.none" if method == "nw" else "waist_weight.guess.nw_only"))

    st.metric(
        t("waist_weight.prediction", q=f"{q:g}", method=names[method]),
        fmt(pred, kg()) if not lost else t("waist_weight.prediction.none"),
    )
    if lost:
        st.warning(
            t("waist_weight.uncovered.query", q=f"{q:g}", h=f"{h:g}", kernel=kernels[kernel]),
            icon="⚠️",
        )
    if gaps:
        spans = ", ".join(f"{start:.1f}–{end:.1f}" for start, end in gaps)
        st.info(t("waist_weight.uncovered.gaps", spans=spans, h=f"{h:g}"))

    nearest = int(np.argmax(alpha)) if not lost else None
    # side by side on a screen; one below the other on a projector, where type is larger
    col_curve, col_bars = (
        (st.container(), st.container()) if layout.presenting() else st.columns([3, 2])
    )
    with col_curve:
        layout.show_figure(
            figures.data_curve(
                keys,
                values,
                alpha,
                grid,
                curve,
                q,
                pred,
                gaps,
                text={
                    "title": t("waist_weight.fig.curve", method=names[method]),
                    "x": t("waist_weight.axis.waist"),
                    "y": t("waist_weight.axis.weight"),
                    "data": t("waist_weight.fig.people"),
                    "curve": t("waist_weight.fig.prediction"),
                    "query": t("waist_weight.fig.query", q=f"{q:g}"),
                    "gap": t("waist_weight.fig.gap"),
                    "baseline": t("waist_weight.fig.baseline"),
                },
                baseline=float(np.mean(values)) if method != "average" else None,
            ),
            key="waist_weight.curve",
            name=f"curve-{view()}",
        )
        layout.download_csv(
            t("waist_weight.export.curve"),
            partial(pd.DataFrame, {"waist (query, cm)": grid, "predicted weight (kg)": curve}),
            f"{layout.export_name('waist_weight.prediction', view())}.csv",
            key="waist_weight.dl.curve",
            index=False,
        )
    with col_bars:
        layout.show_figure(
            figures.weight_bars(
                keys,
                alpha,
                q,
                (q_lo, q_hi),
                text={
                    "title": t("waist_weight.fig.bars", q=f"{q:g}"),
                    "x": t("waist_weight.axis.waist"),
                    "y": t("waist_weight.axis.alpha"),
                    "none": t("waist_weight.fig.none"),
                },
                highlight=float(keys[nearest]) if nearest is not None else None,
            ),
            key="waist_weight.bars",
            name=f"weights-at-{q:g}",
        )
        layout.download_csv(
            t("waist_weight.export.bars", q=f"{q:g}"),
            partial(
                pd.DataFrame,
                {"waist (key, cm)": keys, "weight (value, kg)": values, "alpha": alpha},
            ),
            f"{layout.export_name('waist_weight.weights-at', f'{q:g}', view())}.csv",
            key="waist_weight.dl.bars",
            index=False,
        )

    st.subheader(t("app.formula"))
    for line in text.general_formula(method, kernel):
        st.latex(line)
    if nearest is not None:
        scale = w if method == "parametric" else h
        st.latex(text.key_step(method, kernel, q, float(keys[nearest]), alpha[nearest], n, scale))
        terms, n_rest, rest_weight = text.weighted_terms(q, alpha, values, pred)
        st.latex(terms)
        rest = t("waist_weight.formula.rest", n=n_rest, weight=f"{rest_weight:.3f}")
        st.caption(
            t("waist_weight.formula.caption", k=f"{keys[nearest]:g}")
            + (" " + rest if n_rest else "")
        )
    else:
        st.caption(t("waist_weight.formula.none"))

    if method == "parametric" and fit is not None:
        fit_history(fit[0])


def fit_history(result: BandwidthFit) -> None:
    """The fit, epoch by epoch: the loss falls, w settles (part of the query section)."""
    st.subheader(t("waist_weight.fit.title"))
    st.markdown(
        t(
            "waist_weight.fit.summary",
            w0=f"{result.w_history[0]:.4f}",
            w=f"{result.w:.4f}",
            h=fmt(1.0 / abs(result.w), " " + t("waist_weight.unit.waist"))
            if result.w != 0
            else "∞",
            loss0=f"{result.loss_history[0]:.2f}",
            loss=f"{result.loss_history[-1]:.2f}",
            epochs=len(result.loss_history) - 1,
        )
    )
    layout.show_figure(
        figures.loss_curve(
            result.loss_history,
            result.w_history,
            text={
                "title": t("waist_weight.fig.loss"),
                "x": t("waist_weight.axis.epoch"),
                "loss": t("waist_weight.axis.loss"),
                "w": t("waist_weight.axis.w"),
            },
        ),
        key="waist_weight.loss",
        name="fit-history",
    )
    layout.download_csv(
        t("waist_weight.export.history"),
        partial(
            layout.table_frame,
            {"loss": result.loss_history, "w": result.w_history},
            index_name="epoch",
        ),
        f"{layout.export_name('waist_weight.fit-history')}.csv",
        key="waist_weight.dl.history",
    )
    layout.explain(t("waist_weight.fit.text"))


def heatmap() -> None:
    """4. All queries at once: the queries × keys weight matrix."""
    st.header(t("waist_weight.heatmap.title"))
    layout.explain(t("waist_weight.heatmap.text"))
    data = table()
    keys = data[:, 0]
    q, q_lo, q_hi = query(keys)
    w = sharpness(data, fitted(data)) if b["method"] == "parametric" else 0.0
    method = b["method"]
    heat_q = kd.query_grid(q_lo, q_hi)  # the figure's rows: the one nearest the query outlined
    row = float(heat_q[int(np.argmin(np.abs(heat_q - q)))])
    labels = (
        t("waist_weight.fig.heatmap", method=method_names()[method]),
        t("waist_weight.axis.keys"),
        t("waist_weight.axis.queries"),
    )
    try:
        fig, grey, frame = heatmap_figure(
            kd.digest(data), method, b["kernel"], float(b["h"]), w, row, labels, data
        )
    except ValueError as err:  # cannot happen with checked data; shown, never raised
        st.error(t("waist_weight.core_error", why=state.shown(str(err), 300)))
        return
    layout.show_figure(fig, key="waist_weight.heatmap", name=f"heatmap-{view()}")
    if grey:
        st.caption(t("waist_weight.heatmap.grey"))
    layout.download_csv(
        t("waist_weight.heatmap.download"),
        frame,
        f"{layout.export_name('waist_weight.attention-weights', view())}.csv",
        key="waist_weight.download_weights",
    )


def example() -> None:
    """5. Back to 57: every method on the full table."""
    data = table()
    keys, values = data[:, 0], data[:, 1]
    n, h = len(keys), float(b["h"])
    st.header(t("waist_weight.example.title", q=f"{PAIR_QUERY:g}"))
    layout.explain(t("waist_weight.example.text", q=f"{PAIR_QUERY:g}", h=f"{h:g}"))
    asked_here = b["method"] == "nw" and query(keys)[0] == PAIR_QUERY
    if asked_here and guess.hiding("waist_weight"):  # the table would give the answer away
        st.info(t("waist_weight.guess.hidden"))
        return
    kernels = kernel_names()
    rows = [(t("waist_weight.method.average"), average_pooling([PAIR_QUERY], values))]
    rows += [
        (
            t("waist_weight.example.kernel", kernel=kernels[k], h=f"{h:g}"),
            nadaraya_watson([PAIR_QUERY], keys, values, k, h),
        )
        for k in KERNELS
    ]
    if b["method"] == "parametric":
        w = sharpness(data, fitted(data))
        rows.append(
            (
                t("waist_weight.example.parametric", w=f"{w:.4f}"),
                nw_parametric([PAIR_QUERY], keys, values, w),
            )
        )
    reached = [int(np.count_nonzero(res.weights[0] > 1e-3)) for _, res in rows]
    st.markdown(
        text.markdown_table(
            [
                t("waist_weight.example.col.method"),
                t("waist_weight.example.col.prediction", q=f"{PAIR_QUERY:g}"),
                t("waist_weight.example.col.reached"),
            ],
            [
                [
                    name,
                    t("waist_weight.example.none")
                    if res.uncovered[0]
                    else fmt(res.prediction[0], kg()),
                    t("waist_weight.example.reached", k=k, n=n),
                ]
                for (name, res), k in zip(rows, reached, strict=True)
            ],
        )
    )
    layout.download_csv(
        t("waist_weight.export.example"),
        partial(
            pd.DataFrame,
            {
                "prediction (kg)": [res.prediction[0] for _, res in rows],
                "keys reached": reached,
                "keys": n,
            },
            index=pd.Index([name for name, _ in rows], name="method"),
        ),
        f"{layout.export_name('waist_weight.every-method-at', f'{PAIR_QUERY:g}')}.csv",
        key="waist_weight.dl.example",
    )
    layout.explain(t("waist_weight.example.after"))


layout.header("waist_weight")
sections.show("waist_weight", [[pair], [dataset], [query_section, heatmap, example]])
