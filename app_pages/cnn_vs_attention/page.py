"""CNN vs self-attention on an image, and self-attention that becomes a convolution.

Reads like the screen: the title, then one function per section, listed in order at the end.
Each section is its own group (fragment), so its own controls rerun it alone: the layers table
reruns the CNN section, the window the attention maps, the comparison picture the static vs
dynamic section, α the construction. Values that later sections read are handed on by name
(``sections.rerun_with`` in the control's callback) instead of one group for the whole page:

- the picture (built-in or uploaded, and its size) and the chosen pixel are page-wide data:
  every section but the published results draws them, so a change reruns sections 1–5;
- τ and λ (section 3) also drive the dynamic weights of section 4: they rerun 3 and 4;
- the kernel (section 4) is the one that section 5 rebuilds: its edits rerun 4 and 5.

A section reads what it needs from the bound state and recomputes the picture (cached on its
name and size). Costly figure specs are cached on their inputs (``cached_figure``).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages.cnn_vs_attention import data, figures, images, text
from attn_core.convolution import (
    conv2d,
    conv_as_attention,
    conv_attention_error,
    kernel_at,
    receptive_field,
    receptive_region,
)
from attn_core.vision import (
    attention_spread,
    global_attention_map,
    local_attention_map,
    pixel_features,
)
from ui import editor, layout, sections, state, widgets
from ui.i18n import current_language, t
from ui.state import shown
from ui.widgets import log_grid, log_slider, snap_choice

NS = "cnn_vs_attention"
SOURCES = (*images.BUILTINS, "upload")
SIZE_GRID = tuple(float(s) for s in images.SIZES)
TAU_GRID = log_grid(0.005, 5.0)
ALPHA_GRID = log_grid(0.1, 100.0)
WINDOW_GRID = tuple(float(w) for w in range(3, 32, 2))
UPLOAD_KEY = "cnn_vs_attention._upload"  # (hash, picture) of the last good upload, this session
LAST_UPLOAD_KEY = "cnn_vs_attention._upload_last"  # (hash, images.Upload) of the last file checked
LAYERS_KEY = "cnn_vs_attention._n_layers"  # slider that follows the number of layer-table rows
KSIZE_KEY = "cnn_vs_attention._ksize"  # radio that follows the size of the kernel
LAYER_COLS = ("kernel", "stride", "dilation")


class Source(state.Choice):
    """The picture's name; an uploaded picture stays in the session and out of the link."""

    def encode(self, value):
        return None if value == "upload" else str(value)


b = state.bind(
    NS,
    Source("img", "shapes", options=SOURCES),
    state.Float("size", 32.0, lo=SIZE_GRID[0], hi=SIZE_GRID[-1], grid=SIZE_GRID),
    state.Int("row", 9, lo=0, hi=images.MAX_SIDE - 1),
    state.Int("col", 9, lo=0, hi=images.MAX_SIDE - 1),
    state.Matrix(
        "layers",
        default=data.stack("plain", 3),
        max_rows=data.MAX_LAYERS,
        min_cols=3,
        max_cols=3,
        lo=1.0,
        hi=float(data.LAYER_LIMITS[2][1]),
    ),
    state.Float("tau", 0.05, lo=TAU_GRID[0], hi=TAU_GRID[-1], grid=TAU_GRID),
    state.Float("pos", 0.0, lo=0.0, hi=5.0),
    state.Float("window", 7.0, lo=WINDOW_GRID[0], hi=WINDOW_GRID[-1], grid=WINDOW_GRID),
    Source(
        "cmp",
        "stripes",
        options=SOURCES,
        labels="cnn_vs_attention.img",
        label_key="cnn_vs_attention.static.cmp",
    ),
    state.Matrix(
        "kernel",
        default=data.kernel("blur", 3),
        min_rows=3,
        max_rows=5,
        min_cols=3,
        max_cols=5,
        lo=-data.KERNEL_LIMIT,
        hi=data.KERNEL_LIMIT,
    ),
    state.Int("seed", 0, lo=0, hi=999_999),
    state.Float("alpha", 2.0, lo=ALPHA_GRID[0], hi=ALPHA_GRID[-1], grid=ALPHA_GRID),
)

# A link can hold a table of any shape the codec allows; keep only the shapes that make sense.
if np.shape(b["kernel"]) not in ((3, 3), (5, 5)):
    state.add_notice(
        t("cnn_vs_attention.notice.kernel_shape", shape=" × ".join(map(str, b["kernel"].shape)))
    )
    editor.set_matrix(b.key("kernel"), data.kernel("blur", 3))
layers_clean, layers_changed = data.clean_stack(b["layers"])
if layers_changed:
    cells = editor.changed_cells(
        b["layers"],
        layers_clean,
        [t("cnn_vs_attention.cnn.layer", l=i + 1) for i in range(len(layers_clean))],
        [t(f"cnn_vs_attention.cnn.col.{c}") for c in LAYER_COLS],
    )
    state.add_notice(
        t("cnn_vs_attention.notice.layers_cleaned", cells=editor.describe_changes(cells))
    )
    editor.set_matrix(b.key("layers"), layers_clean)

# Labels looked up in this run's language (a plain dict, so it also works from AppTest's thread).
SOURCE_LABELS = {name: t(f"cnn_vs_attention.img.{name}") for name in SOURCES}


# --- the picture and the pixel every section reads -----------------------------------------------
@lru_cache(maxsize=64)
def builtin(name: str, size: int) -> np.ndarray:
    """A built-in picture at ``size`` (read only: shared by every session)."""
    rgb = images.builtin(name, size)
    rgb.flags.writeable = False
    return rgb


def uploaded() -> tuple[str, np.ndarray] | None:
    """(hash, picture ``(h, w, 3)`` uint8) of this session's last good upload, if any."""
    return st.session_state.get(UPLOAD_KEY)


def picture_of(name: str, size: int) -> tuple[str, np.ndarray] | None:
    """(an id that names it, the picture ``name`` at ``size``); None for a missing upload."""
    if name != "upload":
        return name, builtin(name, size)
    up = uploaded()
    return None if up is None else (f"upload:{up[0]}", images.fit(up[1], size))


@dataclass(frozen=True, eq=False)
class Scene:
    """What every section draws on: the picture ``(H, W, 3)`` uint8, its id and the pixel."""

    rgb: np.ndarray
    picture_id: str  # the picture's name, or "upload:<hash>"; keys the cached figures
    pixel: tuple[int, int]


def scene() -> Scene:
    """The picture and pixel now chosen (the pixel moved inside a smaller picture, with a note)."""
    size = int(b["size"])
    found = picture_of(b["img"], size)
    picture_id, rgb = found if found is not None else ("shapes", builtin("shapes", size))
    h, w = rgb.shape[:2]
    pixel = (min(int(b["row"]), h - 1), min(int(b["col"]), w - 1))
    if pixel != (int(b["row"]), int(b["col"])):
        was = (int(b["row"]), int(b["col"]))
        state.flash(t("cnn_vs_attention.pixel.moved", h=h, w=w, was=f"{was}", now=f"{pixel}"))
        b.set("row", pixel[0])
        b.set("col", pixel[1])
    return Scene(rgb, picture_id, pixel)


# --- callbacks: a value that later sections read reruns them too ---------------------------------
def follow_picture() -> None:
    """The picture or the pixel changed: every section that draws them reruns."""
    sections.rerun_with(NS, [picture, cnn, attention, static, construction])


def follow_attention() -> None:
    """τ or λ changed: the attention maps and the dynamic weights of section 4."""
    sections.rerun_with(NS, [attention, static])


def follow_kernel() -> None:
    """The kernel changed: the static weights and the construction that rebuilds it."""
    sections.rerun_with(NS, [static, construction])


def resize_layers() -> None:
    n = int(st.session_state[LAYERS_KEY])
    editor.set_matrix(b.key("layers"), data.resize_stack(b["layers"], n))


def load_stack(name: str) -> None:
    editor.set_matrix(b.key("layers"), data.stack(name, len(b["layers"])))


def load_kernel(name: str) -> None:
    n = np.shape(b["kernel"])[0]
    if name == "random":
        b.set("seed", (int(b["seed"]) + 1) % 1_000_000)
    editor.set_matrix(b.key("kernel"), data.kernel(name, n, int(b["seed"])))
    follow_kernel()


def resize_kernel() -> None:
    n = int(st.session_state[KSIZE_KEY])
    old = b["kernel"]
    seed = int(b["seed"])
    name = data.kernel_name(old, seed)
    new = data.kernel(name, n, seed) if name else data.resize_kernel(old, n)
    editor.set_matrix(b.key("kernel"), new)
    follow_kernel()


# --- small helpers -------------------------------------------------------------------------------
def side_by_side():
    """Two columns for controls and a figure; stacked in presentation mode (large type)."""
    if layout.presenting():
        return st.container(), st.container()
    return st.columns([1, 1])


def downloads(items: list[tuple[str, str, object]], *view: object) -> None:
    """CSV buttons side by side: (name, label, a table or a function that makes it)."""
    for col, (name, label, frame) in zip(st.columns(len(items)), items, strict=True):
        with col:
            layout.download_csv(
                label,
                frame,
                f"{layout.export_name(f'cnn_vs_attention.{name}', *view)}.csv",
                key=f"cnn_vs_attention.dl.{name}",
            )


def pixel_table(m: np.ndarray) -> pd.DataFrame:
    """A map ``(H, W)`` as a table: rows and columns named by their pixel index."""
    return layout.matrix_frame(m, [str(i) for i in range(m.shape[0])], None)


def head_table(weights: np.ndarray, offsets: np.ndarray, padding: tuple[int, int]) -> pd.DataFrame:
    """Every head's weights at the query ``(K², H + 2r_h, W + 2r_w)`` as one long table, the
    pixel indices those of the picture (a padding pixel is outside it: negative or ≥ H, W)."""
    head, row, col = np.indices(weights.shape)
    return pd.DataFrame(
        {
            "head dr": offsets[head.ravel(), 0],
            "head dc": offsets[head.ravel(), 1],
            "row": row.ravel() - padding[0],
            "column": col.ravel() - padding[1],
            "weight": weights.ravel(),
        }
    )


@st.cache_resource(max_entries=256, show_spinner=False)
def _figure_cache(key: tuple, _build: Callable[[], go.Figure]) -> go.Figure:
    return _build()


def cached_figure(key: tuple, build: Callable[[], go.Figure]) -> go.Figure:
    """The figure ``build()`` makes, kept for ``key`` (everything it depends on, hashable:
    picture id, pixel, settings, language, presentation mode, phone). Shared by every session
    and only read (``show_figure`` builds a new figure to size it)."""
    return _figure_cache((*key, current_language(), layout.presenting(), layout.on_phone()), build)


def axes() -> dict[str, str]:
    return {
        "x_title": t("cnn_vs_attention.axis.col"),
        "y_title": t("cnn_vs_attention.axis.row"),
    }


def kernel_box(at: tuple[int, int], n_k: int, shape: tuple[int, ...]) -> figures.Box:
    r = n_k // 2
    return figures.clip_box((at[0] - r, at[0] + r, at[1] - r, at[1] + r), shape, "", "#ffffff")


# --- 1. A picture and one pixel ------------------------------------------------------------------
def picture() -> None:
    """1. Pick a picture (built-in or uploaded), its size and the query pixel."""
    st.header(t("cnn_vs_attention.pick.title"))
    layout.explain(t("cnn_vs_attention.pick.text"))
    with layout.controls():
        c1, c2 = st.columns([2, 1])
        widgets.control(
            c1.selectbox,
            b,
            "img",
            SOURCES,
            format_func=SOURCE_LABELS.__getitem__,
            on_change=follow_picture,
        )
        c2.select_slider(
            t("cnn_vs_attention.size"),
            options=SIZE_GRID,
            key=b.key("size"),
            format_func=lambda v: f"{int(v)} × {int(v)}",
            help=t("cnn_vs_attention.size.help", n=images.MAX_SIDE),
            on_change=follow_picture,
        )
        if b["img"] == "upload":
            upload_box()
        size = int(b["size"])
        found = picture_of(b["img"], size)
        if found is None:
            st.info(t("cnn_vs_attention.upload.none", fallback=SOURCE_LABELS["shapes"]))
        h, w = (found[1] if found is not None else builtin("shapes", size)).shape[:2]
        if b["row"] > h - 1 or b["col"] > w - 1:
            was, now = (b["row"], b["col"]), (min(b["row"], h - 1), min(b["col"], w - 1))
            st.caption(t("cnn_vs_attention.pixel.moved", h=h, w=w, was=f"{was}", now=f"{now}"))
        # Set every run: a slider whose range changes is a new widget and would otherwise
        # start at 0.
        b.set("row", min(b["row"], h - 1))
        b.set("col", min(b["col"], w - 1))
        c1, c2 = st.columns(2)
        widgets.control(c1.slider, b, "row", 0, h - 1, help=True, on_change=follow_picture)
        widgets.control(c2.slider, b, "col", 0, w - 1, help=True, on_change=follow_picture)
    s = scene()
    r, c = s.pixel
    colour = ", ".join(map(str, s.rgb[s.pixel]))
    st.markdown(t("cnn_vs_attention.pixel.info", r=r, c=c, h=h, w=w, rgb=colour))
    fig = cached_figure(
        ("picture", s.picture_id, s.rgb.shape, s.pixel),
        lambda: figures.picture(
            s.rgb, pixel=s.pixel, title=t("cnn_vs_attention.fig.picture", r=r, c=c), **axes()
        ),
    )
    layout.show_figure(
        fig,
        "cnn_vs_attention.fig.picture",
        name=f"picture-r{r}-c{c}",
        min_top=figures.PANEL_TOP,
    )


def upload_box() -> None:
    """The file box: a checked upload is kept for the session; a refused one says why."""
    file = st.file_uploader(
        t("cnn_vs_attention.upload"),
        type=["png", "jpg", "jpeg"],
        key="cnn_vs_attention.uploader",
        help=t("cnn_vs_attention.upload.help", mb=images.MAX_UPLOAD_BYTES // 2**20),
        on_change=follow_picture,
    )
    if file is not None:
        raw = file.getvalue()
        digest = hashlib.sha256(raw).hexdigest()[:16]
        last = st.session_state.get(LAST_UPLOAD_KEY)
        if last is None or last[0] != digest:
            result = images.load_upload(raw)
            st.session_state[LAST_UPLOAD_KEY] = (digest, result)
            if result.image is not None:
                st.session_state[UPLOAD_KEY] = (digest, result.image)
        result = st.session_state[LAST_UPLOAD_KEY][1]
        if result.error is not None:
            why = t(f"cnn_vs_attention.upload.{result.error.code}", **result.error.values)
            kept = t("cnn_vs_attention.upload.kept_last") if uploaded() is not None else ""
            st.error(
                t("cnn_vs_attention.upload.refused", name=shown(file.name), why=why, kept=kept),
                icon="✋",
            )
        for note in result.notes:
            st.info(t(f"cnn_vs_attention.upload.{note.code}", **note.values), icon="ℹ️")
    up = uploaded()
    if up is not None:
        st.caption(t("cnn_vs_attention.upload.kept", w=up[1].shape[1], h=up[1].shape[0]))
    st.caption(t("cnn_vs_attention.upload.not_in_link"))


# --- 2. What a CNN sees --------------------------------------------------------------------------
def cnn() -> None:
    """2. The receptive field of a stack of convolutions, layer by layer."""
    st.header(t("cnn_vs_attention.cnn.title"))
    layout.explain(t("cnn_vs_attention.cnn.text"))
    s = scene()
    h, w = s.rgb.shape[:2]
    left, right = side_by_side()
    with left, layout.controls():
        st.session_state[LAYERS_KEY] = len(b["layers"])
        st.slider(
            t("cnn_vs_attention.cnn.n_layers"),
            1,
            data.MAX_LAYERS,
            key=LAYERS_KEY,
            on_change=resize_layers,
        )
        bc = st.columns(len(data.STACKS))
        for col, name in zip(bc, data.STACKS, strict=True):
            col.button(
                t(f"cnn_vs_attention.cnn.stack.{name}"),
                key=f"cnn_vs_attention.stack.{name}",
                on_click=load_stack,
                args=(name,),
                width="stretch",
            )
        lo_hi = t("cnn_vs_attention.cnn.sep").join(
            t("cnn_vs_attention.cnn.limit", name=t(f"cnn_vs_attention.cnn.col.{c}"), lo=lo, hi=hi)
            for c, (lo, hi) in zip(LAYER_COLS, data.LAYER_LIMITS, strict=True)
        )
        row_names = [t("cnn_vs_attention.cnn.layer", l=i + 1) for i in range(len(b["layers"]))]
        col_names = [t(f"cnn_vs_attention.cnn.col.{c}") for c in LAYER_COLS]
        # each column has its own limits: clean_stack rounds and clips, one notice names it all
        table = editor.matrix_editor(b.key("layers"), row_labels=row_names, col_labels=col_names)
        layers, changed = data.clean_stack(table)
        if changed:
            cells = editor.changed_cells(table, layers, row_names, col_names)
            st.warning(
                t(
                    "cnn_vs_attention.cnn.cleaned",
                    limits=lo_hi,
                    cells=editor.describe_changes(cells),
                )
            )
            st.session_state[b.key("layers")] = layers
        st.caption(t("cnn_vs_attention.cnn.limits", limits=lo_hi))

    ks, ss, ds = (layers[:, i].astype(int) for i in range(3))
    rf_sizes = receptive_field(ks, ss, ds)  # (L,)
    regions = receptive_region(s.pixel, ks, ss, ds)  # (L, 4)
    r, c = s.pixel

    def build() -> go.Figure:
        boxes = []
        for i, (region, size) in enumerate(zip(regions, rf_sizes, strict=True)):
            box = figures.clip_box(region, s.rgb.shape, "", figures.LAYER_COLOURS[i])
            cut = t("cnn_vs_attention.cnn.cut") if box.dashed else ""
            name = t("cnn_vs_attention.cnn.box", l=i + 1, r=int(size), cut=cut)
            boxes.append(figures.Box(box.r0, box.r1, box.c0, box.c1, name, box.colour, box.dashed))
        return figures.picture(
            s.rgb,
            pixel=s.pixel,
            boxes=boxes,
            title=t("cnn_vs_attention.fig.rf", r=r, c=c),
            narrow=not layout.presenting(),  # beside its controls
            **axes(),
        )

    with right:
        fig = cached_figure(("rf", s.picture_id, s.rgb.shape, s.pixel, layers.tobytes()), build)
        layout.show_figure(
            fig,
            "cnn_vs_attention.fig.rf",
            name=f"receptive-field-r{r}-c{c}",
            min_top=figures.PANEL_TOP,
        )
        downloads(
            [
                (
                    "receptive-field",
                    t("cnn_vs_attention.export.rf"),
                    partial(
                        layout.table_frame,
                        {
                            "kernel": ks,
                            "stride": ss,
                            "dilation": ds,
                            "receptive field": rf_sizes,
                            "first row": regions[:, 0],
                            "last row": regions[:, 1],
                            "first column": regions[:, 2],
                            "last column": regions[:, 3],
                        },
                        [str(i + 1) for i in range(len(ks))],
                        "layer",
                    ),
                )
            ],
            f"r{r}-c{c}",
        )
    for line in text.receptive_sum(ks, ss, ds):
        st.latex(line)
    st.markdown(
        t(
            "cnn_vs_attention.cnn.sizes",
            sizes=" → ".join(f"{int(v)} × {int(v)}" for v in rf_sizes),
            last=int(rf_sizes[-1]),
            share=f"{min(1.0, int(rf_sizes[-1]) ** 2 / (h * w)):.0%}",
        )
    )
    if np.any(ds > 1):
        st.caption(t("cnn_vs_attention.cnn.gaps"))
    if np.any(ss > 1):
        st.caption(t("cnn_vs_attention.cnn.strided"))


# --- 3. What self-attention sees -----------------------------------------------------------------
def global_map(rgb: np.ndarray, pixel: tuple[int, int]) -> np.ndarray:
    """Global attention from ``pixel`` with this view's τ and λ, ``(H, W)``."""
    return global_attention_map(
        images.to_unit(rgb), pixel, tau=float(b["tau"]), position_weight=float(b["pos"])
    )


def attention() -> None:
    """3. Global and local self-attention from the pixel, and how spread out they are."""
    st.header(t("cnn_vs_attention.attn.title"))
    layout.explain(t("cnn_vs_attention.attn.text"))
    with layout.controls():
        c1, c2, c3 = st.columns(3)
        with c1:
            log_slider(
                t("cnn_vs_attention.tau"),
                b.key("tau"),
                TAU_GRID,
                help=t("cnn_vs_attention.tau.help"),
                on_change=follow_attention,
            )
        widgets.control(
            c2.slider, b, "pos", 0.0, 5.0, step=0.1, help=True, on_change=follow_attention
        )
        widgets.control(
            c3.select_slider,
            b,
            "window",
            options=WINDOW_GRID,
            format_func=lambda v: f"{int(v)} × {int(v)}",
            help=True,
        )
    s = scene()
    h, w = s.rgb.shape[:2]
    tau, pos_weight, window = float(b["tau"]), float(b["pos"]), int(b["window"])
    x = images.to_unit(s.rgb)  # (H, W, 3)
    g_map = global_map(s.rgb, s.pixel)  # (H, W)
    l_map = local_attention_map(x, s.pixel, window=window, tau=tau, position_weight=pos_weight)
    g_spread = attention_spread(g_map, s.pixel)
    l_spread = attention_spread(l_map, s.pixel)

    def build() -> go.Figure:
        half = window // 2
        win_box = figures.clip_box(
            (s.pixel[0] - half, s.pixel[0] + half, s.pixel[1] - half, s.pixel[1] + half),
            s.rgb.shape,
            t("cnn_vs_attention.attn.window_box", n=window),
            "#ffffff",
        )
        return figures.panels(
            [
                figures.overlay_panel(
                    s.rgb,
                    g_map,
                    title=t("cnn_vs_attention.fig.global"),
                    pixel=s.pixel,
                    colorbar_title=t("cnn_vs_attention.weight"),
                ),
                figures.overlay_panel(
                    s.rgb,
                    l_map,
                    title=t("cnn_vs_attention.fig.local", n=window),
                    pixel=s.pixel,
                    boxes=(win_box,),
                    colorbar_title=t("cnn_vs_attention.weight"),
                ),
            ],
            **axes(),
            height=420,
            big=layout.presenting(),
        )

    key = ("attention", s.picture_id, s.rgb.shape, s.pixel, tau, pos_weight, window)
    layout.show_figure(
        cached_figure(key, build), "cnn_vs_attention.fig.attention", min_top=figures.PANEL_TOP
    )
    spread_table = pd.DataFrame(
        [
            [f"{sp.self_weight:.3f}", f"{sp.n90}", f"{sp.mean_distance:.1f}"]
            for sp in (g_spread, l_spread)
        ],
        index=[
            t("cnn_vs_attention.attn.row_global"),
            t("cnn_vs_attention.attn.row_local", n=window),
        ],
        columns=[
            t("cnn_vs_attention.attn.self"),
            t("cnn_vs_attention.attn.n90"),
            t("cnn_vs_attention.attn.dist"),
        ],
    )
    st.table(spread_table)
    downloads(
        [
            ("attention-global", t("cnn_vs_attention.export.global"), partial(pixel_table, g_map)),
            (
                "attention-local",
                t("cnn_vs_attention.export.local", n=window),
                partial(pixel_table, l_map),
            ),
            (
                "attention-spread",
                t("cnn_vs_attention.export.spread"),
                partial(
                    layout.table_frame,
                    {
                        "self weight": [sp.self_weight for sp in (g_spread, l_spread)],
                        "pixels holding 90%": [sp.n90 for sp in (g_spread, l_spread)],
                        "mean distance": [sp.mean_distance for sp in (g_spread, l_spread)],
                    },
                    ["global", f"local {window}x{window}"],
                    "attention",
                ),
            ),
        ],
        b["img"],
        f"r{s.pixel[0]}-c{s.pixel[1]}",
    )
    st.caption(
        " · ".join(
            (
                t("cnn_vs_attention.attn.self.help"),
                t("cnn_vs_attention.attn.n90.help", n=h * w),
                t("cnn_vs_attention.attn.dist.help"),
            )
        )
    )
    features = pixel_features(x, pos_weight)  # (H, W, 5)
    for line in text.attention_formula(features[s.pixel], tau, float(g_map[s.pixel])):
        st.latex(line)
    st.caption(t("cnn_vs_attention.attn.caption"))


# --- 4. Static weights vs dynamic weights --------------------------------------------------------
def static() -> None:
    """4. The kernel's weights stay put on another picture; attention's weights move."""
    st.header(t("cnn_vs_attention.static.title"))
    layout.explain(t("cnn_vs_attention.static.text"))
    s = scene()
    left, right = side_by_side()
    with left, layout.controls():
        cmp_options = [o for o in SOURCES if o != "upload" or uploaded() is not None]
        snap_choice(
            b.key("cmp"),
            cmp_options,
            label=t("cnn_vs_attention.static.cmp"),
            format_func=SOURCE_LABELS.__getitem__,
            default="stripes",
            here=True,
        )
        st.selectbox(
            t("cnn_vs_attention.static.cmp"),
            cmp_options,
            key=b.key("cmp"),
            format_func=SOURCE_LABELS.__getitem__,
        )
        st.session_state[KSIZE_KEY] = int(np.shape(b["kernel"])[0])
        st.radio(
            t("cnn_vs_attention.kernel.size"),
            data.KERNEL_SIZES,
            key=KSIZE_KEY,
            horizontal=True,
            format_func=lambda n: f"{n} × {n}",
            on_change=resize_kernel,
        )
        kc = st.columns(2)
        for i, name in enumerate(data.KERNELS):
            kc[i % 2].button(
                t(f"cnn_vs_attention.kernel.{name}"),
                key=f"cnn_vs_attention.kbtn.{name}",
                on_click=load_kernel,
                args=(name,),
                width="stretch",
                help=t("cnn_vs_attention.kernel.random.help") if name == "random" else None,
            )
    with right, layout.controls():
        n_k = int(np.shape(b["kernel"])[0])
        offsets = [str(a) for a in range(-(n_k // 2), n_k // 2 + 1)]
        kernel = editor.matrix_editor(
            b.key("kernel"),
            row_labels=[f"Δr={o}" for o in offsets],
            col_labels=[f"Δc={o}" for o in offsets],
            lo=-data.KERNEL_LIMIT,
            hi=data.KERNEL_LIMIT,
            step=0.01,
            on_change=follow_kernel,
        )
        k_name = data.kernel_name(kernel, int(b["seed"]))
        st.caption(
            t(
                "cnn_vs_attention.kernel.now",
                name=t(f"cnn_vs_attention.kernel.{k_name}")
                if k_name
                else t("cnn_vs_attention.kernel.edited"),
                n=n_k,
                total=f"{kernel.sum():.3g}",
            )
        )

    found = picture_of(b["cmp"], int(b["size"]))
    cmp_id, rgb_b = found if found is not None else ("stripes", builtin("stripes", int(b["size"])))
    pixel_b = (min(s.pixel[0], rgb_b.shape[0] - 1), min(s.pixel[1], rgb_b.shape[1] - 1))
    conv_a, conv_b = (
        kernel_at(kernel, s.rgb.shape, s.pixel),
        kernel_at(kernel, rgb_b.shape, pixel_b),
    )
    g_map, g_map_b = global_map(s.rgb, s.pixel), global_map(rgb_b, pixel_b)

    def build() -> go.Figure:
        signed = bool(np.any(kernel < 0))
        static_panels = [
            figures.overlay_panel(
                pic,
                cm,
                title=t("cnn_vs_attention.fig.static", img=SOURCE_LABELS[name]),
                boxes=(kernel_box(at, n_k, pic.shape),),
                diverging=signed,
                colorbar_title=t("cnn_vs_attention.weight"),
            )
            for pic, cm, at, name in (
                (s.rgb, conv_a, s.pixel, b["img"]),
                (rgb_b, conv_b, pixel_b, b["cmp"]),
            )
        ]
        dynamic_panels = [
            figures.overlay_panel(
                pic,
                am,
                title=t("cnn_vs_attention.fig.dynamic", img=SOURCE_LABELS[name]),
                pixel=at,
                colorbar_title=t("cnn_vs_attention.weight"),
            )
            for pic, am, at, name in (
                (s.rgb, g_map, s.pixel, b["img"]),
                (rgb_b, g_map_b, pixel_b, b["cmp"]),
            )
        ]
        return figures.panels(
            [static_panels[0], dynamic_panels[0], static_panels[1], dynamic_panels[1]],
            **axes(),
            height=760,
            columns=2,
            big=layout.presenting(),
        )

    key = (
        "static",
        s.picture_id,
        s.rgb.shape,
        s.pixel,
        cmp_id,
        float(b["tau"]),
        float(b["pos"]),
        kernel.tobytes(),
        kernel.shape,
        b["img"],
        b["cmp"],
    )
    layout.show_figure(
        cached_figure(key, build), "cnn_vs_attention.fig.static", min_top=figures.PANEL_TOP
    )
    downloads(
        [
            (
                "kernel",
                t("cnn_vs_attention.export.kernel"),
                partial(layout.matrix_frame, kernel, [f"dr={o}" for o in offsets], offsets),
            ),
            (
                "attention-global-b",
                t("cnn_vs_attention.export.dynamic_b", img=SOURCE_LABELS[b["cmp"]]),
                partial(pixel_table, g_map_b),
            ),
        ],
        f"{n_k}x{n_k}",
    )
    if conv_a.shape == conv_b.shape:
        conv_gap = float(np.abs(conv_a - conv_b).max())
        attn_gap = 0.5 * float(np.abs(g_map - g_map_b).sum())
        st.markdown(
            t("cnn_vs_attention.static.numbers", conv=f"{conv_gap:.3g}", attn=f"{attn_gap:.3f}")
        )
    else:
        st.markdown(t("cnn_vs_attention.static.shapes"))


# --- 5. Attention that becomes a convolution -----------------------------------------------------
@st.cache_data(max_entries=64, show_spinner=False)
def error_curve(picture_id: str, size: int, kernel_cells: tuple, _grey: np.ndarray) -> np.ndarray:
    """Largest error per α of the slider (the costly part: one construction per α)."""
    return conv_attention_error(_grey, np.array(kernel_cells), ALPHA_GRID)


def construction() -> None:
    """5. K² attention heads that reproduce the kernel of section 4 (Cordonnier et al.)."""
    st.header(t("cnn_vs_attention.cordonnier.title"))
    layout.explain(t("cnn_vs_attention.cordonnier.text"))
    with layout.controls():
        alpha = log_slider(
            t("cnn_vs_attention.alpha"),
            b.key("alpha"),
            ALPHA_GRID,
            help=t("cnn_vs_attention.alpha.help"),
        )
    s = scene()
    pixel = s.pixel
    kernel = np.asarray(b["kernel"], dtype=np.float64)
    n_k = kernel.shape[0]
    grey = images.grey(s.rgb)  # (H, W)
    built = conv_as_attention(grey, kernel, alpha, query=pixel)
    conv = conv2d(grey, kernel)  # (H, W)
    diff = built.output - conv  # (H, W)
    error = float(np.abs(diff).max())
    rounding = float(np.finfo(np.float64).eps * max(np.abs(kernel).sum(), 1e-300))
    size = int(b["size"])
    errors = error_curve(s.picture_id, size, tuple(map(tuple, kernel.tolist())), grey)

    rh, rw = built.padding
    heads_at = built.offsets + np.array([pixel[0] + rh, pixel[1] + rw])  # (K², 2) p + Δ, padded
    target = built.weights[np.arange(len(heads_at)), heads_at[:, 0], heads_at[:, 1]]  # (K²,)
    titles = [  # a 5 × 5 grid (or a phone) has room for the offset only; the weight is hovered
        f"Δ=({a},{c}) w={kernel[a + rh, c + rw]:.2g}"
        if n_k == 3 and not layout.on_phone()
        else f"({a},{c})"
        for a, c in built.offsets.tolist()
    ]
    view = (s.picture_id, s.rgb.shape, pixel, kernel.tobytes(), kernel.shape, alpha)
    left, right = st.columns([1, 1])
    with left:
        heads = cached_figure(
            ("heads", *view),
            lambda: figures.head_maps(
                built.weights,
                built.offsets,
                built.query,
                built.padding,
                titles=titles,
                colorbar_title=t("cnn_vs_attention.weight"),
            ),
        )
        layout.show_figure(heads, "cnn_vs_attention.fig.heads", name=f"conv-heads-alpha-{alpha:g}")
        downloads(
            [
                (
                    "conv-heads",
                    t("cnn_vs_attention.export.heads", n=len(target)),
                    partial(head_table, built.weights, built.offsets, built.padding),
                )
            ],
            f"alpha-{alpha:g}",
        )
        st.caption(t("cnn_vs_attention.cordonnier.heads", n=len(target), k=n_k))
    with right:
        layout.show_figure(
            figures.error_curve(
                ALPHA_GRID,
                errors,
                alpha=alpha,
                error=error,
                rounding=rounding,
                title=t("cnn_vs_attention.fig.error"),
                x_title="α",
                y_title=t("cnn_vs_attention.cordonnier.err_axis"),
                curve_name=t("cnn_vs_attention.cordonnier.curve"),
                current_name=t("cnn_vs_attention.cordonnier.current", alpha=f"{alpha:g}"),
                rounding_name=t("cnn_vs_attention.cordonnier.rounding"),
            ),
            "cnn_vs_attention.fig.error",
        )
        downloads(
            [
                (
                    "error-by-alpha",
                    t("cnn_vs_attention.export.error"),
                    partial(
                        layout.table_frame,
                        {"largest error": errors},
                        [f"{a:g}" for a in ALPHA_GRID],
                        "alpha",
                    ),
                )
            ],
            f"{n_k}x{n_k}",
        )
    m1, m2, m3 = st.columns(3)
    m1.metric(t("cnn_vs_attention.cordonnier.max_err"), f"{error:.3g}")
    m2.metric(t("cnn_vs_attention.cordonnier.target"), f"{target.min():.6f}")
    m3.metric(t("cnn_vs_attention.cordonnier.heads_n"), f"{len(target)}")
    outputs = ((conv, "conv"), (built.output, "attn"), (diff, "diff"))

    def build() -> go.Figure:
        lim = float(max(np.abs(conv).max(), np.abs(built.output).max())) or 1.0
        return figures.panels(
            [
                figures.matrix_panel(
                    m,
                    title=t(f"cnn_vs_attention.fig.{name}"),
                    pixel=pixel,
                    diverging=True,
                    zmin=None if name == "diff" else -lim,
                    zmax=None if name == "diff" else lim,
                    colorbar_title=t("cnn_vs_attention.value"),
                )
                for m, name in outputs
            ],
            **axes(),
            height=340,
            big=layout.presenting(),
        )

    layout.show_figure(
        cached_figure(("outputs", *view), build),
        "cnn_vs_attention.fig.outputs",
        min_top=figures.PANEL_TOP,
    )
    downloads(
        [
            (f"output-{name}", t(f"cnn_vs_attention.fig.{name}"), partial(pixel_table, m))
            for m, name in outputs
        ],
        f"alpha-{alpha:g}",
    )
    score_line, output_line = text.construction_formula(
        alpha, float(target.min()), float(conv[pixel]), float(built.output[pixel])
    )
    st.latex(score_line)
    st.latex(output_line)
    st.caption(t("cnn_vs_attention.cordonnier.grey"))


# --- 6. Inductive bias vs data -------------------------------------------------------------------
@st.cache_resource(max_entries=8, show_spinner=False)
def published_figures(lang: str, big: bool) -> tuple:
    """The two charts and the table of published results (fixed data: built once per language
    and mode, then only read — ``show_figure`` builds a new, sized figure)."""
    chart = figures.pretraining_chart(
        data.PRETRAINING,
        data.VIT_TABLE5,
        title=t("cnn_vs_attention.fig.pretraining"),
        x_title=t("cnn_vs_attention.data.x"),
        y_title=t("cnn_vs_attention.data.y"),
        dataset_labels=[
            t(
                "cnn_vs_attention.data.dataset",
                name=n,
                count=t(f"cnn_vs_attention.data.count.{i}"),
            )
            for i, (n, _) in enumerate(data.PRETRAINING)
        ],
        big=big,
    )
    bars = figures.table2_chart(
        data.TABLE2,
        labels=[f"{m} · {d}" for m, d, *_ in data.TABLE2],
        title=t("cnn_vs_attention.fig.table2"),
        x_title=t("cnn_vs_attention.data.y_short"),
        hover=[t("cnn_vs_attention.data.cost", days=f"{c:,}") for *_, c, _ in data.TABLE2],
        big=big,
    )
    table = pd.DataFrame(
        [["–" if a is None else f"{a:.2f}" for a in accs] for accs in data.VIT_TABLE5.values()],
        index=list(data.VIT_TABLE5),
        columns=[name for name, _ in data.PRETRAINING],
    )
    return chart, bars, table


def published() -> None:
    """6. What the ViT paper measured: attention needs more data than a CNN's built-in bias."""
    st.header(t("cnn_vs_attention.data.title"))
    layout.explain(t("cnn_vs_attention.data.text"))
    chart5, chart2, table5 = published_figures(current_language(), layout.presenting())
    left, right = st.columns([3, 2])
    with left:
        layout.show_figure(chart5, "cnn_vs_attention.fig.pretraining")
        st.dataframe(table5, width="stretch")
    with right:
        layout.show_figure(chart2, "cnn_vs_attention.fig.table2")
    downloads(
        [
            (
                "vit-table5",
                t("cnn_vs_attention.export.table5"),
                partial(
                    pd.DataFrame,
                    [
                        [np.nan if a is None else a for a in accs]
                        for accs in data.VIT_TABLE5.values()
                    ],
                    index=pd.Index(list(data.VIT_TABLE5), name="model"),
                    columns=[f"{name} ({count:.3g} images)" for name, count in data.PRETRAINING],
                ),
            ),
            (
                "vit-table2",
                t("cnn_vs_attention.export.table2"),
                partial(
                    pd.DataFrame,
                    [row[1:] for row in data.TABLE2],
                    index=pd.Index([row[0] for row in data.TABLE2], name="model"),
                    columns=["pre-training data", "ImageNet top-1 (%)", "TPUv3-core-days", "CNN"],
                ),
            ),
        ]
    )
    vit5, (vit_t2, bit_t2) = data.VIT_TABLE5, (data.TABLE2[1], data.TABLE2[2])
    st.markdown(
        t(
            "cnn_vs_attention.data.reading",
            l16_small=f"{vit5['ViT-L/16'][0]:.2f}",
            b16_small=f"{vit5['ViT-B/16'][0]:.2f}",
            l16_big=f"{vit5['ViT-L/16'][2]:.2f}",
            b16_big=f"{vit5['ViT-B/16'][2]:.2f}",
            vit_t2=f"{vit_t2[2]:.2f}",
            bit_t2=f"{bit_t2[2]:.2f}",
            vit_days=f"{vit_t2[3]:,}",
            bit_days=f"{bit_t2[3]:,}",
        )
    )
    st.caption(t("cnn_vs_attention.data.citation"))


layout.header("cnn_vs_attention")
sections.show(
    "cnn_vs_attention",
    [[picture], [cnn], [attention], [static], [construction], [published]],
)
