"""CNN vs self-attention on an image, and self-attention that becomes a convolution."""

import hashlib
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from attn_core import (
    conv2d,
    conv_as_attention,
    conv_attention_error,
    global_attention_map,
    local_attention_map,
    pixel_features,
    receptive_field,
    receptive_region,
)
from ui import editor, fig_vision, images, layout, state, vision_data, vision_text
from ui.i18n import current_language, t
from ui.state import shown
from ui.widgets import log_grid, log_slider, snap_choice

SOURCES = (*images.BUILTINS, "upload")
SIZE_GRID = tuple(float(s) for s in images.SIZES)
TAU_GRID = log_grid(0.005, 5.0)
ALPHA_GRID = log_grid(0.1, 100.0)
WINDOW_GRID = tuple(float(w) for w in range(3, 32, 2))
UPLOAD_KEY = "vision._upload"  # (hash, picture) of the last good upload, kept for the session
LAST_UPLOAD_KEY = "vision._upload_last"  # (hash, images.Upload) of the last file checked
LAYERS_KEY = "vision._n_layers"  # slider that follows the number of rows of the layer table
KSIZE_KEY = "vision._ksize"  # radio that follows the size of the kernel
LAYER_COLS = ("kernel", "stride", "dilation")


class Source(state.Choice):
    """The picture's name; an uploaded picture stays in the session and out of the link."""

    def encode(self, value):
        return None if value == "upload" else str(value)


b = state.bind(
    "vision",
    Source("img", "shapes", options=SOURCES),
    state.Float("size", 32.0, lo=SIZE_GRID[0], hi=SIZE_GRID[-1], grid=SIZE_GRID),
    state.Int("row", 9, lo=0, hi=images.MAX_SIDE - 1),
    state.Int("col", 9, lo=0, hi=images.MAX_SIDE - 1),
    state.Matrix(
        "layers",
        default=vision_data.stack("plain", 3),
        max_rows=vision_data.MAX_LAYERS,
        min_cols=3,
        max_cols=3,
        lo=1.0,
        hi=float(vision_data.LAYER_LIMITS[2][1]),
    ),
    state.Float("tau", 0.05, lo=TAU_GRID[0], hi=TAU_GRID[-1], grid=TAU_GRID),
    state.Float("pos", 0.0, lo=0.0, hi=5.0),
    state.Float("window", 7.0, lo=WINDOW_GRID[0], hi=WINDOW_GRID[-1], grid=WINDOW_GRID),
    Source("cmp", "stripes", options=SOURCES, labels="vision.img", label_key="vision.static.cmp"),
    state.Matrix(
        "kernel",
        default=vision_data.kernel("blur", 3),
        min_rows=3,
        max_rows=5,
        min_cols=3,
        max_cols=5,
        lo=-vision_data.KERNEL_LIMIT,
        hi=vision_data.KERNEL_LIMIT,
    ),
    state.Int("seed", 0, lo=0, hi=999_999),
    state.Float("alpha", 2.0, lo=ALPHA_GRID[0], hi=ALPHA_GRID[-1], grid=ALPHA_GRID),
)

# A link can hold a table of any shape the codec allows; keep only the shapes that make sense.
if np.shape(b["kernel"]) not in ((3, 3), (5, 5)):
    state.add_notice(t("vision.notice.kernel_shape", shape=" × ".join(map(str, b["kernel"].shape))))
    editor.set_matrix(b.key("kernel"), vision_data.kernel("blur", 3))
layers_clean, layers_changed = vision_data.clean_stack(b["layers"])
if layers_changed:
    cells = editor.changed_cells(
        b["layers"],
        layers_clean,
        [t("vision.cnn.layer", l=i + 1) for i in range(len(layers_clean))],
        [t(f"vision.cnn.col.{c}") for c in LAYER_COLS],
    )
    state.add_notice(t("vision.notice.layers_cleaned", cells=editor.describe_changes(cells)))
    editor.set_matrix(b.key("layers"), layers_clean)


def uploaded() -> np.ndarray | None:
    """The last good upload ``(h, w, 3)`` uint8 of this session, if any."""
    entry = st.session_state.get(UPLOAD_KEY)
    return entry[1] if entry else None


def picture_of(name: str, size: int) -> np.ndarray | None:
    """The picture ``name`` at ``size`` (None for an upload that is not there)."""
    if name == "upload":
        up = uploaded()
        return None if up is None else images.fit(up, size)
    return images.builtin(name, size)


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


def source_label(name: str) -> str:
    return t(f"vision.img.{name}")


layout.header("vision")
# Labels looked up in this run's language (a plain dict, so it also works from AppTest's thread).
SOURCE_LABELS = {name: source_label(name) for name in SOURCES}
STYLE = fig_vision.Style(20, 1.25) if layout.presenting() else fig_vision.Style()


def side_by_side():
    """Two columns for controls and a figure; stacked in presentation mode (large type)."""
    if layout.presenting():
        return st.container(), st.container()
    return st.columns([1, 1])


def show(fig, key: str, name: str | None = None) -> None:
    """Draw a figure built with ``STYLE``: ``layout.show_figure`` minus the costly restyling."""
    layout.show_figure(fig, key, name=name, restyle=False)


def downloads(items: list[tuple[str, str, object]], *view: object) -> None:
    """CSV buttons side by side: (name, label, a table or a function that makes it)."""
    for col, (name, label, frame) in zip(st.columns(len(items)), items, strict=True):
        with col:
            layout.download_csv(
                label,
                frame,
                f"{layout.export_name(f'vision.{name}', *view)}.csv",
                key=f"vision.dl.{name}",
            )


def pixel_table(m: np.ndarray) -> pd.DataFrame:
    """A map ``(H, W)`` as a table: rows and columns named by their pixel index."""
    return layout.matrix_frame(m, [str(i) for i in range(m.shape[0])], None)


# --- 1. A picture and one pixel -------------------------------------------------------------
st.header(t("vision.pick.title"))
layout.explain(t("vision.pick.text"))
with layout.controls():
    c1, c2 = st.columns([2, 1])
    c1.selectbox(t("vision.img"), SOURCES, key=b.key("img"), format_func=SOURCE_LABELS.__getitem__)
    c2.select_slider(
        t("vision.size"),
        options=SIZE_GRID,
        key=b.key("size"),
        format_func=lambda v: f"{int(v)} × {int(v)}",
        help=t("vision.size.help", n=images.MAX_SIDE),
    )
    if b["img"] == "upload":
        file = st.file_uploader(
            t("vision.upload"),
            type=["png", "jpg", "jpeg"],
            key="vision.uploader",
            help=t("vision.upload.help", mb=images.MAX_UPLOAD_BYTES // 2**20),
        )
        if file is not None:
            data = file.getvalue()
            digest = hashlib.sha256(data).hexdigest()[:16]
            last = st.session_state.get(LAST_UPLOAD_KEY)
            if last is None or last[0] != digest:
                result = images.load_upload(data)
                st.session_state[LAST_UPLOAD_KEY] = (digest, result)
                if result.image is not None:
                    st.session_state[UPLOAD_KEY] = (digest, result.image)
            result = st.session_state[LAST_UPLOAD_KEY][1]
            if result.error is not None:
                why = t(f"vision.upload.{result.error.code}", **result.error.values)
                kept = t("vision.upload.kept_last") if uploaded() is not None else ""
                st.error(
                    t("vision.upload.refused", name=shown(file.name), why=why, kept=kept),
                    icon="✋",
                )
            for note in result.notes:
                st.info(t(f"vision.upload.{note.code}", **note.values), icon="ℹ️")
        up = uploaded()
        if up is not None:
            st.caption(t("vision.upload.kept", w=up.shape[1], h=up.shape[0]))
        st.caption(t("vision.upload.not_in_link"))

    size = int(b["size"])
    rgb = picture_of(b["img"], size)
    picture_id = b["img"]  # names the picture for the cached error curve
    if rgb is None:
        st.info(t("vision.upload.none", fallback=source_label("shapes")))
        rgb = images.builtin("shapes", size)
        picture_id = "shapes"
    elif b["img"] == "upload":
        picture_id = f"upload:{st.session_state[UPLOAD_KEY][0]}"
    H, W = rgb.shape[:2]
    if b["row"] > H - 1 or b["col"] > W - 1:
        was, now = (b["row"], b["col"]), (min(b["row"], H - 1), min(b["col"], W - 1))
        st.caption(t("vision.pixel.moved", h=H, w=W, was=f"{was}", now=f"{now}"))
    # Set every run: a slider whose range changes is a new widget and would otherwise start at 0.
    b.set("row", min(b["row"], H - 1))
    b.set("col", min(b["col"], W - 1))
    c1, c2 = st.columns(2)
    c1.slider(t("vision.row"), 0, H - 1, key=b.key("row"), help=t("vision.row.help"))
    c2.slider(t("vision.col"), 0, W - 1, key=b.key("col"), help=t("vision.col.help"))
pixel = (int(b["row"]), int(b["col"]))
colour = rgb[pixel]
st.markdown(
    t("vision.pixel.info", r=pixel[0], c=pixel[1], h=H, w=W, rgb=", ".join(map(str, colour)))
)
axis = {"x_title": t("vision.axis.col"), "y_title": t("vision.axis.row"), "style": STYLE}

# --- 2. What a CNN sees ---------------------------------------------------------------------
st.header(t("vision.cnn.title"))
layout.explain(t("vision.cnn.text"))


def resize_layers() -> None:
    n = int(st.session_state[LAYERS_KEY])
    editor.set_matrix(b.key("layers"), vision_data.resize_stack(b["layers"], n))


def load_stack(name: str) -> None:
    editor.set_matrix(b.key("layers"), vision_data.stack(name, len(b["layers"])))


left, right = side_by_side()
with left, layout.controls():
    st.session_state[LAYERS_KEY] = len(b["layers"])
    st.slider(
        t("vision.cnn.n_layers"),
        1,
        vision_data.MAX_LAYERS,
        key=LAYERS_KEY,
        on_change=resize_layers,
    )
    bc = st.columns(len(vision_data.STACKS))
    for col_, name in zip(bc, vision_data.STACKS, strict=True):
        col_.button(
            t(f"vision.cnn.stack.{name}"),
            key=f"vision.stack.{name}",
            on_click=load_stack,
            args=(name,),
            width="stretch",
        )
    lo_hi = t("vision.cnn.sep").join(
        t("vision.cnn.limit", name=t(f"vision.cnn.col.{c}"), lo=lo, hi=hi)
        for c, (lo, hi) in zip(LAYER_COLS, vision_data.LAYER_LIMITS, strict=True)
    )
    row_names = [t("vision.cnn.layer", l=i + 1) for i in range(len(b["layers"]))]
    col_names = [t(f"vision.cnn.col.{c}") for c in LAYER_COLS]
    # each column has its own limits: clean_stack rounds and clips, and one notice names it all
    table = editor.matrix_editor(b.key("layers"), row_labels=row_names, col_labels=col_names)
    layers, changed = vision_data.clean_stack(table)
    if changed:
        cells = editor.changed_cells(table, layers, row_names, col_names)
        st.warning(t("vision.cnn.cleaned", limits=lo_hi, cells=editor.describe_changes(cells)))
        st.session_state[b.key("layers")] = layers
    st.caption(t("vision.cnn.limits", limits=lo_hi))

ks, ss, ds = (layers[:, i].astype(int) for i in range(3))
rf_sizes = receptive_field(ks, ss, ds)  # (L,)
regions = receptive_region(pixel, ks, ss, ds)  # (L, 4)
boxes = []
for i, (region, r) in enumerate(zip(regions, rf_sizes, strict=True)):
    box = fig_vision.clip_box(region, rgb.shape, "", fig_vision.LAYER_COLOURS[i])
    cut = t("vision.cnn.cut") if box.dashed else ""
    name = t("vision.cnn.box", l=i + 1, r=int(r), cut=cut)
    boxes.append(fig_vision.Box(box.r0, box.r1, box.c0, box.c1, name, box.colour, box.dashed))
with right:
    show(
        fig_vision.picture(
            rgb,
            pixel=pixel,
            boxes=boxes,
            title=t("vision.fig.rf", r=pixel[0], c=pixel[1]),
            **axis,
        ),
        key="vision.fig.rf",
        name=f"receptive-field-r{pixel[0]}-c{pixel[1]}",
    )
    downloads(
        [
            (
                "receptive-field",
                t("vision.export.rf"),
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
        f"r{pixel[0]}-c{pixel[1]}",
    )
for line in vision_text.receptive_sum(ks, ss, ds):
    st.latex(line)
st.markdown(
    t(
        "vision.cnn.sizes",
        sizes=" → ".join(f"{int(r)} × {int(r)}" for r in rf_sizes),
        last=int(rf_sizes[-1]),
        share=f"{min(1.0, int(rf_sizes[-1]) ** 2 / (H * W)):.0%}",
    )
)
if np.any(ds > 1):
    st.caption(t("vision.cnn.gaps"))
if np.any(ss > 1):
    st.caption(t("vision.cnn.strided"))

# --- 3. What self-attention sees -------------------------------------------------------------
st.header(t("vision.attn.title"))
layout.explain(t("vision.attn.text"))
with layout.controls():
    c1, c2, c3 = st.columns(3)
    with c1:
        tau = log_slider(t("vision.tau"), b.key("tau"), TAU_GRID, help=t("vision.tau.help"))
    c2.slider(t("vision.pos"), 0.0, 5.0, step=0.1, key=b.key("pos"), help=t("vision.pos.help"))
    c3.select_slider(
        t("vision.window"),
        options=WINDOW_GRID,
        key=b.key("window"),
        format_func=lambda v: f"{int(v)} × {int(v)}",
        help=t("vision.window.help"),
    )
pos_weight = float(b["pos"])
window = int(b["window"])
x = images.to_unit(rgb)  # (H, W, 3)
g_map = global_attention_map(x, pixel, tau=tau, position_weight=pos_weight)  # (H, W)
l_map = local_attention_map(x, pixel, window=window, tau=tau, position_weight=pos_weight)
half = window // 2
win_box = fig_vision.clip_box(
    (pixel[0] - half, pixel[0] + half, pixel[1] - half, pixel[1] + half),
    rgb.shape,
    t("vision.attn.window_box", n=window),
    "#ffffff",
)
g_spread = vision_data.spread(g_map, pixel)
l_spread = vision_data.spread(l_map, pixel)
show(
    fig_vision.panels(
        [
            fig_vision.overlay_panel(
                rgb,
                g_map,
                title=t("vision.fig.global"),
                pixel=pixel,
                colorbar_title=t("vision.weight"),
            ),
            fig_vision.overlay_panel(
                rgb,
                l_map,
                title=t("vision.fig.local", n=window),
                pixel=pixel,
                boxes=(win_box,),
                colorbar_title=t("vision.weight"),
            ),
        ],
        **axis,
        height=420,
    ),
    key="vision.fig.attention",
)
spread_table = pd.DataFrame(
    [
        [f"{sp.self_weight:.3f}", f"{sp.n90}", f"{sp.mean_distance:.1f}"]
        for sp in (g_spread, l_spread)
    ],
    index=[t("vision.attn.row_global"), t("vision.attn.row_local", n=window)],
    columns=[t("vision.attn.self"), t("vision.attn.n90"), t("vision.attn.dist")],
)
st.table(spread_table)
downloads(
    [
        ("attention-global", t("vision.export.global"), partial(pixel_table, g_map)),
        ("attention-local", t("vision.export.local", n=window), partial(pixel_table, l_map)),
        (
            "attention-spread",
            t("vision.export.spread"),
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
    f"r{pixel[0]}-c{pixel[1]}",
)
st.caption(
    " · ".join(
        (
            t("vision.attn.self.help"),
            t("vision.attn.n90.help", n=H * W),
            t("vision.attn.dist.help"),
        )
    )
)
features = pixel_features(x, pos_weight)  # (H, W, 5)
for line in vision_text.attention_formula(features[pixel], tau, float(g_map[pixel])):
    st.latex(line)
st.caption(t("vision.attn.caption"))

# --- 4. Static weights vs dynamic weights ----------------------------------------------------
st.header(t("vision.static.title"))
layout.explain(t("vision.static.text"))


def load_kernel(name: str) -> None:
    n = np.shape(b["kernel"])[0]
    if name == "random":
        b.set("seed", (int(b["seed"]) + 1) % 1_000_000)
    editor.set_matrix(b.key("kernel"), vision_data.kernel(name, n, int(b["seed"])))


def resize_kernel() -> None:
    n = int(st.session_state[KSIZE_KEY])
    old = b["kernel"]
    name = vision_data.kernel_name(old, int(b["seed"]))
    seed = int(b["seed"])
    new = vision_data.kernel(name, n, seed) if name else vision_data.resize_kernel(old, n)
    editor.set_matrix(b.key("kernel"), new)


left, right = side_by_side()
with left, layout.controls():
    cmp_options = [s for s in SOURCES if s != "upload" or uploaded() is not None]
    snap_choice(
        b.key("cmp"),
        cmp_options,
        label=t("vision.static.cmp"),
        format_func=SOURCE_LABELS.__getitem__,
        default="stripes",
        here=True,
    )
    st.selectbox(
        t("vision.static.cmp"),
        cmp_options,
        key=b.key("cmp"),
        format_func=SOURCE_LABELS.__getitem__,
    )
    st.session_state[KSIZE_KEY] = int(np.shape(b["kernel"])[0])
    st.radio(
        t("vision.kernel.size"),
        vision_data.KERNEL_SIZES,
        key=KSIZE_KEY,
        horizontal=True,
        format_func=lambda n: f"{n} × {n}",
        on_change=resize_kernel,
    )
    kc = st.columns(2)
    for i, name in enumerate(vision_data.KERNELS):
        kc[i % 2].button(
            t(f"vision.kernel.{name}"),
            key=f"vision.kbtn.{name}",
            on_click=load_kernel,
            args=(name,),
            width="stretch",
            help=t("vision.kernel.random.help") if name == "random" else None,
        )
with right, layout.controls():
    n_k = int(np.shape(b["kernel"])[0])
    offsets = [str(a) for a in range(-(n_k // 2), n_k // 2 + 1)]
    kernel = editor.matrix_editor(
        b.key("kernel"),
        row_labels=[f"Δr={o}" for o in offsets],
        col_labels=[f"Δc={o}" for o in offsets],
        lo=-vision_data.KERNEL_LIMIT,
        hi=vision_data.KERNEL_LIMIT,
        step=0.01,
    )
    k_name = vision_data.kernel_name(kernel, int(b["seed"]))
    st.caption(
        t(
            "vision.kernel.now",
            name=t(f"vision.kernel.{k_name}") if k_name else t("vision.kernel.edited"),
            n=n_k,
            total=f"{kernel.sum():.3g}",
        )
    )

rgb_b = picture_of(b["cmp"], size)
if rgb_b is None:
    rgb_b = images.builtin("stripes", size)
pixel_b = (min(pixel[0], rgb_b.shape[0] - 1), min(pixel[1], rgb_b.shape[1] - 1))


def kernel_map(shape: tuple[int, ...], at: tuple[int, int]) -> np.ndarray:
    """The kernel's weights placed around pixel ``at`` on an otherwise zero map ``(H, W)``."""
    out = np.zeros(shape[:2])
    r = kernel.shape[0] // 2
    for a in range(-r, r + 1):
        for c in range(-r, r + 1):
            i, j = at[0] + a, at[1] + c
            if 0 <= i < shape[0] and 0 <= j < shape[1]:
                out[i, j] = kernel[a + r, c + r]
    return out


signed = bool(np.any(kernel < 0))
conv_a, conv_b = kernel_map(rgb.shape, pixel), kernel_map(rgb_b.shape, pixel_b)
g_map_b = global_attention_map(images.to_unit(rgb_b), pixel_b, tau=tau, position_weight=pos_weight)
kernel_box = fig_vision.clip_box(
    (pixel[0] - n_k // 2, pixel[0] + n_k // 2, pixel[1] - n_k // 2, pixel[1] + n_k // 2),
    rgb.shape,
    "",
    "#ffffff",
)
kernel_box_b = fig_vision.clip_box(
    (pixel_b[0] - n_k // 2, pixel_b[0] + n_k // 2, pixel_b[1] - n_k // 2, pixel_b[1] + n_k // 2),
    rgb_b.shape,
    "",
    "#ffffff",
)
static_panels = [
    fig_vision.overlay_panel(
        pic,
        cm,
        title=t("vision.fig.static", img=source_label(name)),
        boxes=(box,),
        diverging=signed,
        colorbar_title=t("vision.weight"),
    )
    for pic, cm, at, box, name in (
        (rgb, conv_a, pixel, kernel_box, b["img"]),
        (rgb_b, conv_b, pixel_b, kernel_box_b, b["cmp"]),
    )
]
dynamic_panels = [
    fig_vision.overlay_panel(
        pic,
        am,
        title=t("vision.fig.dynamic", img=source_label(name)),
        pixel=at,
        colorbar_title=t("vision.weight"),
    )
    for pic, am, at, name in ((rgb, g_map, pixel, b["img"]), (rgb_b, g_map_b, pixel_b, b["cmp"]))
]
show(
    fig_vision.panels(
        [static_panels[0], dynamic_panels[0], static_panels[1], dynamic_panels[1]],
        **axis,
        height=760,
        columns=2,
    ),
    key="vision.fig.static",
)
downloads(
    [
        (
            "kernel",
            t("vision.export.kernel"),
            partial(layout.matrix_frame, kernel, [f"dr={o}" for o in offsets], offsets),
        ),
        (
            "attention-global-b",
            t("vision.export.dynamic_b", img=source_label(b["cmp"])),
            partial(pixel_table, g_map_b),
        ),
    ],
    f"{n_k}x{n_k}",
)
if conv_a.shape == conv_b.shape:
    conv_gap = float(np.abs(conv_a - conv_b).max())
    attn_gap = 0.5 * float(np.abs(g_map - g_map_b).sum())
    st.markdown(t("vision.static.numbers", conv=f"{conv_gap:.3g}", attn=f"{attn_gap:.3f}"))
else:
    st.markdown(t("vision.static.shapes"))

# --- 5. Attention that becomes a convolution -------------------------------------------------
st.header(t("vision.cordonnier.title"))
layout.explain(t("vision.cordonnier.text"))
with layout.controls():
    alpha = log_slider(t("vision.alpha"), b.key("alpha"), ALPHA_GRID, help=t("vision.alpha.help"))
grey = images.grey(rgb)  # (H, W)
built = conv_as_attention(grey, kernel, alpha, query=pixel)
conv = conv2d(grey, kernel)  # (H, W)
diff = built.output - conv  # (H, W)
error = float(np.abs(diff).max())
rounding = float(np.finfo(np.float64).eps * max(np.abs(kernel).sum(), 1e-300))


@st.cache_data(max_entries=64, show_spinner=False)
def error_curve(picture_id: str, size: int, kernel_cells: tuple, _grey: np.ndarray) -> np.ndarray:
    """Largest error per α of the slider (the costly part: one construction per α)."""
    return conv_attention_error(_grey, np.array(kernel_cells), ALPHA_GRID)


errors = error_curve(picture_id, size, tuple(map(tuple, kernel.tolist())), grey)

rh, rw = built.padding
heads_at = built.offsets + np.array([pixel[0] + rh, pixel[1] + rw])  # (K², 2) p + Δ, padded
target = built.weights[np.arange(len(heads_at)), heads_at[:, 0], heads_at[:, 1]]  # (K²,)
titles = [  # a 5 × 5 grid has room for the offset only; the weight is in the hover text
    f"Δ=({a},{c}) w={kernel[a + rh, c + rw]:.2g}" if n_k == 3 else f"({a},{c})"
    for a, c in built.offsets.tolist()
]
left, right = st.columns([1, 1])
with left:
    show(
        fig_vision.head_maps(
            built.weights,
            built.offsets,
            built.query,
            built.padding,
            titles=titles,
            colorbar_title=t("vision.weight"),
            style=STYLE,
        ),
        key="vision.fig.heads",
        name=f"conv-heads-alpha-{alpha:g}",
    )
    downloads(
        [
            (
                "conv-heads",
                t("vision.export.heads", n=len(target)),
                partial(head_table, built.weights, built.offsets, built.padding),
            )
        ],
        f"alpha-{alpha:g}",
    )
    st.caption(t("vision.cordonnier.heads", n=len(target), k=n_k))
with right:
    show(
        fig_vision.error_curve(
            ALPHA_GRID,
            errors,
            alpha=alpha,
            error=error,
            rounding=rounding,
            title=t("vision.fig.error"),
            x_title="α",
            y_title=t("vision.cordonnier.err_axis"),
            curve_name=t("vision.cordonnier.curve"),
            current_name=t("vision.cordonnier.current", alpha=f"{alpha:g}"),
            rounding_name=t("vision.cordonnier.rounding"),
            style=STYLE,
        ),
        key="vision.fig.error",
    )
    downloads(
        [
            (
                "error-by-alpha",
                t("vision.export.error"),
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
m1.metric(t("vision.cordonnier.max_err"), f"{error:.3g}")
m2.metric(t("vision.cordonnier.target"), f"{target.min():.6f}")
m3.metric(t("vision.cordonnier.heads_n"), f"{len(target)}")
lim = float(max(np.abs(conv).max(), np.abs(built.output).max())) or 1.0
out_panels = [
    fig_vision.matrix_panel(
        m,
        title=t(f"vision.fig.{key}"),
        pixel=pixel,
        diverging=True,
        zmin=None if key == "diff" else -lim,
        zmax=None if key == "diff" else lim,
        colorbar_title=t("vision.value"),
    )
    for m, key in ((conv, "conv"), (built.output, "attn"), (diff, "diff"))
]
show(fig_vision.panels(out_panels, **axis, height=340), key="vision.fig.outputs")
downloads(
    [
        (f"output-{key}", t(f"vision.fig.{key}"), partial(pixel_table, m))
        for m, key in ((conv, "conv"), (built.output, "attn"), (diff, "diff"))
    ],
    f"alpha-{alpha:g}",
)
score_line, output_line = vision_text.construction_formula(
    alpha, float(target.min()), float(conv[pixel]), float(built.output[pixel])
)
st.latex(score_line)
st.latex(output_line)
st.caption(t("vision.cordonnier.grey"))

# --- 6. Inductive bias vs data ---------------------------------------------------------------
st.header(t("vision.data.title"))
layout.explain(t("vision.data.text"))


@st.cache_resource(max_entries=8, show_spinner=False)
def published_figures(lang: str, big: bool) -> tuple:
    """The two charts and the table of published results (fixed data: built once per language
    and size, then only read — ``show`` does not change a figure)."""
    style = fig_vision.Style(20, 1.25) if big else fig_vision.Style()
    chart = fig_vision.pretraining_chart(
        vision_data.PRETRAINING,
        vision_data.VIT_TABLE5,
        title=t("vision.fig.pretraining"),
        x_title=t("vision.data.x"),
        y_title=t("vision.data.y"),
        dataset_labels=[
            t("vision.data.dataset", name=n, count=t(f"vision.data.count.{i}"))
            for i, (n, _) in enumerate(vision_data.PRETRAINING)
        ],
        style=style,
    )
    bars = fig_vision.table2_chart(
        vision_data.TABLE2,
        labels=[f"{m} · {d}" for m, d, *_ in vision_data.TABLE2],
        title=t("vision.fig.table2"),
        x_title=t("vision.data.y_short"),
        hover=[t("vision.data.cost", days=f"{c:,}") for *_, c, _ in vision_data.TABLE2],
        style=style,
    )
    table = pd.DataFrame(
        [
            ["–" if a is None else f"{a:.2f}" for a in accs]
            for accs in vision_data.VIT_TABLE5.values()
        ],
        index=list(vision_data.VIT_TABLE5),
        columns=[name for name, _ in vision_data.PRETRAINING],
    )
    return chart, bars, table


chart5, chart2, table5 = published_figures(current_language(), layout.presenting())
left, right = st.columns([3, 2])
with left:
    show(chart5, key="vision.fig.pretraining")
    st.dataframe(table5, width="stretch")
with right:
    show(chart2, key="vision.fig.table2")
downloads(
    [
        (
            "vit-table5",
            t("vision.export.table5"),
            partial(
                pd.DataFrame,
                [
                    [np.nan if a is None else a for a in accs]
                    for accs in vision_data.VIT_TABLE5.values()
                ],
                index=pd.Index(list(vision_data.VIT_TABLE5), name="model"),
                columns=[f"{name} ({count:.3g} images)" for name, count in vision_data.PRETRAINING],
            ),
        ),
        (
            "vit-table2",
            t("vision.export.table2"),
            partial(
                pd.DataFrame,
                [row[1:] for row in vision_data.TABLE2],
                index=pd.Index([row[0] for row in vision_data.TABLE2], name="model"),
                columns=["pre-training data", "ImageNet top-1 (%)", "TPUv3-core-days", "CNN"],
            ),
        ),
    ]
)
vit5, (vit_t2, bit_t2) = vision_data.VIT_TABLE5, (vision_data.TABLE2[1], vision_data.TABLE2[2])
st.markdown(
    t(
        "vision.data.reading",
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
st.caption(t("vision.data.citation"))
