"""Self-attention, multi-head, positional encoding: X → XW_Q, XW_K, XW_V, heads, W_O, order."""

from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from attn_core import (
    causal_mask,
    multi_head_attention,
    random_mha_weights,
    sinusoidal_positional_encoding,
)
from attn_core.positional import positional_wavelengths
from ui import editor, fig_selfattn, layout, state
from ui.fig_selfattn import Panel, heatmap_grid, positional_encoding_figure
from ui.i18n import t
from ui.selfattn_text import head_row_latex, permutation_latex, tex_label
from ui.tokens import MAX_TOKEN_CHARS, MAX_TOKENS, embed, labels, permutation, tokenize
from ui.widgets import snap_choice

SOURCES = ("sentence", "matrix")
D_MAX = 64  # d_model: more columns would not fit the heatmaps
X_MAX_ROWS, X_MAX_COLS = 32, 16  # a table one edits by hand (and that fits a link)
X_LIMIT = 10.0  # entries of an edited X
PE_POSITIONS = 64  # positions drawn in the encoding's heatmap
FLAT_BELOW = 0.25  # a pair that turns less than this over the heatmap's positions looks flat
# four toy tokens in four dimensions; the first and last are the same word, so without a
# positional encoding they get the same output
X_DEFAULT = np.array(
    [[1.0, 0.0, 1.0, 0.0], [0.0, 2.0, 0.0, 1.0], [1.0, 1.0, -1.0, 0.5], [1.0, 0.0, 1.0, 0.0]]
)


BIG = layout.presenting()


def show(fig, key: str, name: str | None = None) -> None:
    """Draw a figure whose builder already applied the app's sizes (see ui.fig_selfattn)."""
    layout.show_figure(fig, key, name=name, restyle=False)


def matrix_downloads(
    items: list[tuple[str, str, np.ndarray, list[str] | None, list[str] | None]], *view: object
) -> None:
    """One CSV button per matrix, side by side: (name, label, matrix, row and column labels)."""
    for col, (name, label, m, rows, cols) in zip(st.columns(len(items)), items, strict=True):
        with col:
            layout.download_csv(
                label,
                partial(layout.matrix_frame, m, rows, cols),
                f"{layout.export_name(f'selfattn.{name}', *view)}.csv",
                key=f"selfattn.dl.{name}",
            )


def divisors(n: int) -> list[int]:
    return [h for h in range(1, n + 1) if n % h == 0]


b = state.bind(
    "selfattn",
    state.Choice("source", "sentence", options=SOURCES),
    state.Text("sentence", t("selfattn.sentence.default"), max_len=200),
    state.Matrix(
        "X",
        default=X_DEFAULT,
        max_rows=X_MAX_ROWS,
        max_cols=X_MAX_COLS,
        min_cols=2,
        lo=-X_LIMIT,
        hi=X_LIMIT,
    ),
    state.Int("d", 8, lo=2, hi=D_MAX),
    state.Int("heads", 2, lo=1, hi=D_MAX),
    state.Int("seed", 0, lo=0, hi=9999),
    state.Flag("show_w", False),
    state.Flag("causal", False),
    state.Int("row", 1, lo=1, hi=MAX_TOKENS),
    state.Int("head", 1, lo=1, hi=D_MAX),
    state.Flag("pe", False),
    state.Int("shuffle", 1, lo=0, hi=9999),
)


def snap_heads() -> None:
    """The number of heads must divide d_model: after d_model changed (or a link or a quick
    click asked for one that does not), keep the largest that divides it, and say so."""
    d = int(np.shape(st.session_state[b.key("X")])[1]) if b["source"] == "matrix" else int(b["d"])
    snap_choice(
        b.key("heads"),
        divisors(d),
        label=t("selfattn.heads", d=d),
        pick=lambda h: max((k for k in divisors(d) if k <= h), default=1),
        reason=lambda old, new: t("selfattn.notice.heads", heads=old, d=d, fixed=new),
    )


matrix_mode = b["source"] == "matrix"
d_model = int(np.shape(st.session_state[b.key("X")])[1]) if matrix_mode else int(b["d"])
snap_heads()


def fill_from_sentence() -> None:
    """Matrix mode: start the table from the toy embeddings of the sentence."""
    toks = tokenize(b["sentence"]).tokens or tokenize(t("selfattn.sentence.default")).tokens
    editor.set_matrix(b.key("X"), embed(toks, min(b["d"], X_MAX_COLS)))
    snap_heads()


def reset_matrix() -> None:
    editor.set_matrix(b.key("X"), X_DEFAULT)
    snap_heads()


layout.header("selfattn")

# --- 1. Tokens → X ---------------------------------------------------------------------------
st.header(t("selfattn.tokens.title"))
layout.explain(t("selfattn.tokens.text"))
with layout.controls():
    st.radio(
        t("selfattn.source"),
        SOURCES,
        key=b.key("source"),
        horizontal=True,
        format_func={s: t(f"selfattn.source.{s}") for s in SOURCES}.__getitem__,
        on_change=snap_heads,
    )
    if not matrix_mode:
        c1, c2 = st.columns([3, 1])
        c1.text_input(
            t("selfattn.sentence"),
            key=b.key("sentence"),
            max_chars=200,
            help=t("selfattn.sentence.help", n=MAX_TOKENS),
            placeholder=t("selfattn.sentence.placeholder"),
        )
        c2.slider(
            t("selfattn.d"),
            2,
            D_MAX,
            step=1,
            key=b.key("d"),
            on_change=snap_heads,
            help=t("selfattn.d.help"),
        )
    else:
        m_rows, m_cols = np.shape(st.session_state[b.key("X")])
        X_raw = editor.matrix_editor(
            b.key("X"),
            row_labels=[f"x{i + 1}" for i in range(m_rows)],
            col_labels=[str(j + 1) for j in range(m_cols)],
            lo=-X_LIMIT,
            hi=X_LIMIT,
        )
        c1, c2 = st.columns(2)
        c1.button(t("app.reset"), key="selfattn.reset_x", on_click=reset_matrix)
        c2.button(
            t("selfattn.fill"),
            key="selfattn.fill_x",
            on_click=fill_from_sentence,
            help=t("selfattn.fill.help", d=min(b["d"], X_MAX_COLS), cols=X_MAX_COLS),
        )

if matrix_mode:
    st.caption(t("selfattn.matrix.caption", rows=X_MAX_ROWS, cols=X_MAX_COLS, lim=f"{X_LIMIT:g}"))
    X_raw = np.asarray(X_raw, dtype=np.float64)  # (n, d_model)
    names = ["x"] * X_raw.shape[0]
    token_labels = labels(names)
else:
    tok = tokenize(b["sentence"])
    if not tok.tokens:
        st.warning(t("selfattn.tokens.empty"))
        tok = tokenize(t("selfattn.sentence.default"))
    if tok.dropped:
        st.info(t("selfattn.tokens.dropped", n=tok.dropped))
    if tok.truncated:
        st.warning(t("selfattn.tokens.truncated", n=MAX_TOKENS, found=tok.found))
    if tok.cut_words:
        words = "; ".join(
            f"{state.shown(w, 30)} → {state.shown(w[:MAX_TOKEN_CHARS])}" for w in tok.cut[:4]
        )
        st.info(
            t(
                "selfattn.tokens.cut",
                n=MAX_TOKEN_CHARS,
                words=words + ("; …" if len(tok.cut) > 4 else ""),
            )
        )
    names = list(tok.tokens)
    token_labels = labels(tok.tokens)
    X_raw = embed(tok.tokens, d_model)  # (n, d_model) toy embeddings
    st.markdown(
        t("selfattn.tokens.list", n=len(names), tokens=" · ".join(state.shown(w) for w in names))
    )
    st.caption(t("selfattn.tokens.toy"))

n = X_raw.shape[0]
d_model = X_raw.shape[1]
dims = [str(j + 1) for j in range(d_model)]
PE = sinusoidal_positional_encoding(n, d_model)  # (n, d_model)
X = X_raw + PE if b["pe"] else X_raw  # (n, d_model) what attention sees

x_panels = [
    Panel(
        X_raw,
        t("selfattn.fig.x"),
        t("selfattn.axis.dim"),
        t("selfattn.axis.token"),
        y_labels=token_labels,
    )
]
if b["pe"]:
    x_panels += [
        Panel(PE, t("selfattn.fig.pe_rows"), t("selfattn.axis.dim"), y_labels=token_labels),
        Panel(X, t("selfattn.fig.x_pe"), t("selfattn.axis.dim"), y_labels=token_labels),
    ]
show(heatmap_grid(x_panels, big=BIG, colorbar_title=t("selfattn.axis.value")), key="selfattn.fig_x")
layout.download_csv(
    t("selfattn.download.x"),
    layout.matrix_frame(X, token_labels, dims),
    f"{layout.export_name('selfattn.X-plus-PE' if b['pe'] else 'selfattn.X')}.csv",
    key="selfattn.dl_x",
)

# --- 2. Q, K, V ------------------------------------------------------------------------------
st.header(t("selfattn.qkv.title"))
layout.explain(t("selfattn.qkv.text"))
with layout.controls():
    c1, c2 = st.columns([3, 1])
    c1.radio(
        t("selfattn.heads", d=d_model),
        divisors(d_model),
        key=b.key("heads"),
        horizontal=True,
        help=t("selfattn.heads.help"),
    )
    c2.number_input(t("app.seed"), 0, 9999, step=1, key=b.key("seed"), help=t("selfattn.seed.help"))
    st.toggle(t("selfattn.show_w"), key=b.key("show_w"))

heads = int(b["heads"])
d_head = d_model // heads
W = random_mha_weights(d_model, d_model, seed=int(b["seed"]))  # W_q, W_k, W_v (d, d); W_o (d, d)
mask = causal_mask(n) if b["causal"] else None  # (n, n) True = may attend
causal_view = ("causal",) if b["causal"] else ()  # in the names of what the mask changes
try:
    result = multi_head_attention(X, X, **W, n_heads=heads, mask=mask)
except ValueError as err:  # not reachable with clamped inputs; never crash the lesson
    st.error(t("selfattn.error", msg=str(err)))
    result = None

if b["show_w"]:
    show(
        heatmap_grid(
            [
                Panel(
                    W[name],
                    f"W<sub>{name[-1].upper()}</sub>",
                    t("selfattn.axis.out"),
                    t("selfattn.axis.in"),
                    col_groups=d_head if name != "W_o" else 0,
                )
                for name in ("W_q", "W_k", "W_v", "W_o")
            ],
            cols=4,
            title=t("selfattn.fig.w", seed=int(b["seed"])),
            big=BIG,
            colorbar_title=t("selfattn.axis.value"),
        ),
        key="selfattn.fig_w",
        name=f"W-seed-{int(b['seed'])}",
    )
    matrix_downloads(
        [
            (name, t("selfattn.export.matrix", name=name), W[name], None, None)
            for name in ("W_q", "W_k", "W_v")  # W_O: with the concatenated heads, below
        ],
        f"seed-{int(b['seed'])}",
    )

if result is not None:
    head_caption = t("selfattn.fig.heads_marked", h=heads, d_head=d_head) if heads > 1 else ""
    show(
        heatmap_grid(
            [
                Panel(
                    M,
                    label,
                    t("selfattn.axis.dim"),
                    t("selfattn.axis.token"),
                    y_labels=token_labels,
                    col_groups=d_head if heads > 1 else 0,
                )
                for M, label in (
                    (result.Q, "Q = XW<sub>Q</sub>"),
                    (result.K, "K = XW<sub>K</sub>"),
                    (result.V, "V = XW<sub>V</sub>"),
                )
            ],
            cols=3,
            title=head_caption,
            big=BIG,
            colorbar_title=t("selfattn.axis.value"),
        ),
        key="selfattn.fig_qkv",
    )
    matrix_downloads(
        [
            (name, t("selfattn.export.matrix", name=name), M, token_labels, dims)
            for name, M in (("Q", result.Q), ("K", result.K), ("V", result.V))
        ],
        f"seed-{int(b['seed'])}",
    )

# --- 3. One weight matrix per head -----------------------------------------------------------
st.header(t("selfattn.heads.title"))
layout.explain(t("selfattn.heads.text"))
with layout.controls():
    st.toggle(t("selfattn.causal"), key=b.key("causal"), help=t("selfattn.causal.help"))

if result is not None:
    # every token labelled on every head: as many heads side by side as leave room for that
    grid_cols = fig_selfattn.grid_cols(heads, n, big=BIG, labels=token_labels)
    show(
        heatmap_grid(
            [
                Panel(
                    result.weights[h],
                    t("selfattn.fig.head", h=h + 1),
                    t("selfattn.axis.key"),
                    t("selfattn.axis.query"),
                    x_labels=token_labels,
                    y_labels=token_labels,
                    masked=None if mask is None else ~mask,
                )
                for h in range(heads)
            ],
            cols=grid_cols,
            signed=False,
            big=BIG,
            colorbar_title=t("selfattn.axis.weight"),
            panel_px=int(min(380, max(110, 900 // grid_cols))),
        ),
        key="selfattn.fig_heads",
        name=f"weights-{heads}-heads" + ("-causal" if mask is not None else ""),
    )
    if mask is not None:
        st.caption(t("selfattn.causal.caption"))
    h_idx, q_idx, k_idx = np.indices(result.weights.shape)  # (H, n, n) each
    lab = pd.Index(token_labels, dtype=object)  # labels are unique (position subscripts)
    layout.download_csv(
        t("selfattn.download.weights"),
        pd.DataFrame(
            {
                t("selfattn.csv.head"): h_idx.ravel() + 1,
                t("selfattn.axis.query"): pd.Categorical.from_codes(q_idx.ravel(), lab),
                t("selfattn.axis.key"): pd.Categorical.from_codes(k_idx.ravel(), lab),
                t("selfattn.axis.weight"): result.weights.ravel(),
            }
        ),
        f"{layout.export_name('selfattn.weights', f'{heads}-heads', *causal_view)}.csv",
        key="selfattn.dl_weights",
    )
    with st.expander(t("selfattn.export.per_head", h=heads)):
        per_row = min(heads, 4)
        for start in range(0, heads, per_row):
            for h, col in zip(range(start, heads), st.columns(per_row), strict=False):
                with col:
                    layout.download_csv(
                        t("selfattn.fig.head", h=h + 1),
                        partial(layout.matrix_frame, result.weights[h], token_labels, token_labels),
                        f"{layout.export_name(f'selfattn.head-{h + 1}-weights', *causal_view)}.csv",
                        key=f"selfattn.dl.head.{h + 1}",
                    )

# --- 4. Concatenate, then W_O ----------------------------------------------------------------
st.header(t("selfattn.concat.title"))
layout.explain(t("selfattn.concat.text"))
if result is not None:
    show(
        heatmap_grid(
            [
                Panel(
                    result.concat,
                    t("selfattn.fig.concat"),
                    t("selfattn.axis.dim"),
                    t("selfattn.axis.token"),
                    y_labels=token_labels,
                    col_groups=d_head if heads > 1 else 0,
                ),
                Panel(W["W_o"], "W<sub>O</sub>", t("selfattn.axis.out"), t("selfattn.axis.in")),
                Panel(
                    result.output,
                    t("selfattn.fig.output"),
                    t("selfattn.axis.dim"),
                    y_labels=token_labels,
                ),
            ],
            cols=3,
            big=BIG,
            colorbar_title=t("selfattn.axis.value"),
        ),
        key="selfattn.fig_concat",
    )
    matrix_downloads(
        [
            ("concat", t("selfattn.export.concat"), result.concat, token_labels, dims),
            ("W_o", t("selfattn.export.matrix", name="W_O"), W["W_o"], None, None),
        ],
        f"seed-{int(b['seed'])}",
    )
    layout.download_csv(
        t("selfattn.download.y"),
        layout.matrix_frame(result.output, token_labels, dims),
        f"{layout.export_name('selfattn.Y', f'{heads}-heads', *causal_view)}.csv",
        key="selfattn.dl_y",
    )

    st.subheader(t("app.formula"))
    # options that follow the sentence and the heads: a quick click can send a stale one
    row_label = lambda i: token_labels[i - 1]  # noqa: E731
    head_label = {h: t("selfattn.fig.head", h=h) for h in range(1, heads + 1)}.__getitem__
    snap_choice(
        b.key("row"), range(1, n + 1), label=t("selfattn.row"), format_func=row_label, here=True
    )
    snap_choice(
        b.key("head"),
        range(1, heads + 1),
        label=t("selfattn.head"),
        format_func=head_label,
        here=True,
    )
    with layout.controls():
        c1, c2 = st.columns(2)
        c1.selectbox(
            t("selfattn.row"),
            list(range(1, n + 1)),
            key=b.key("row"),
            format_func=row_label,
        )
        c2.selectbox(
            t("selfattn.head"),
            list(range(1, heads + 1)),
            key=b.key("head"),
            format_func=head_label,
        )
    i_row, h_sel = int(b["row"]) - 1, int(b["head"]) - 1
    for line in head_row_latex(
        result, i=i_row, h=h_sel, token=tex_label(names[i_row], i_row + 1), mask=mask
    ):
        st.latex(line)

# --- 5. Positional encoding ------------------------------------------------------------------
st.header(t("selfattn.pe.title"))
layout.explain(t("selfattn.pe.text"))
with layout.controls():
    st.toggle(t("selfattn.pe"), key=b.key("pe"), help=t("selfattn.pe.help"))
show(
    positional_encoding_figure(
        sinusoidal_positional_encoding(PE_POSITIONS, d_model),
        n,
        title=t("selfattn.fig.pe", positions=PE_POSITIONS, d=d_model),
        x_title=t("selfattn.axis.position"),
        y_title=t("selfattn.axis.dim0"),
        used_label=t("selfattn.fig.pe_used", n=n),
        big=BIG,
    ),
    key="selfattn.fig_pe",
)
layout.download_csv(
    t("selfattn.export.pe", positions=PE_POSITIONS),
    lambda d=d_model: layout.matrix_frame(  # the figure's table, made on the click
        sinusoidal_positional_encoding(PE_POSITIONS, d),
        [str(i) for i in range(PE_POSITIONS)],
        [str(j) for j in range(d)],
    ),
    f"{layout.export_name('selfattn.positional-encoding', f'd-{d_model}')}.csv",
    key="selfattn.dl.pe",
)
# Why the last columns look flat: their wavelengths, computed, and one full turn of each pair
wavelengths = positional_wavelengths(d_model)  # (ceil(d/2),) in positions
wave_rows = fig_selfattn.wave_pairs(len(wavelengths))
slowest_turn = (PE_POSITIONS - 1) / wavelengths[-1]  # turns of the slowest pair in the heatmap
st.markdown(
    t(
        "selfattn.pe.slow" if slowest_turn < FLAT_BELOW else "selfattn.pe.slow_none",
        d=d_model,
        wavelengths=", ".join(fig_selfattn.wavelength_text(w) for w in wavelengths),
        positions=PE_POSITIONS,
        n=n,
        turn=f"{slowest_turn:.2%}",
    )
)
show(
    fig_selfattn.positional_waves_figure(
        wavelengths,
        PE,
        pairs=wave_rows,
        row_titles=[
            t(
                "selfattn.fig.wave_row",
                i=i,
                cols=f"{2 * i}, {2 * i + 1}" if 2 * i + 1 < d_model else str(2 * i),
                wl=fig_selfattn.wavelength_text(wavelengths[i]),
                turn=f"{(n - 1) / wavelengths[i]:.1%}",
            )
            for i in wave_rows
        ],
        title=t("selfattn.fig.waves"),
        x_title=t("selfattn.axis.position"),
        big=BIG,
    ),
    key="selfattn.fig_waves",
    name=f"positional-waves-d-{d_model}",
)
st.caption(t("selfattn.fig.waves_caption", n=n))
if len(wave_rows) < len(wavelengths):
    st.caption(
        t(
            "selfattn.fig.waves_some",
            shown=len(wave_rows),
            pairs=len(wavelengths),
            which=", ".join(map(str, wave_rows)),
        )
    )

# --- 6. Shuffle the tokens -------------------------------------------------------------------
st.header(t("selfattn.perm.title"))
layout.explain(t("selfattn.perm.text"))


def next_shuffle() -> None:
    b.set("shuffle", (b["shuffle"] + 1) % 10000)


with layout.controls():
    st.button(t("selfattn.perm.shuffle"), key="selfattn.shuffle_btn", on_click=next_shuffle)

perm = permutation(n, int(b["shuffle"]))  # (n,) new position i holds old token perm[i]
diffs: dict[bool, float] = {}
shown_pair = None
for with_pe in (False, True):
    try:
        X_in = X_raw + PE if with_pe else X_raw  # tokens in the original order
        X_sh = X_raw[perm] + PE if with_pe else X_raw[perm]  # shuffled, positions 0..n-1 again
        out = multi_head_attention(X_in, X_in, **W, n_heads=heads, mask=mask).output
        out_sh = multi_head_attention(X_sh, X_sh, **W, n_heads=heads, mask=mask).output
    except ValueError as err:
        st.error(t("selfattn.error", msg=str(err)))
        break
    diffs[with_pe] = float(np.max(np.abs(out_sh - out[perm])))
    if with_pe == bool(b["pe"]):
        shown_pair = (out_sh, np.asarray(out)[perm])

shuffled_labels = [token_labels[j] for j in perm]
st.markdown(t("selfattn.perm.order", order=" · ".join(state.shown(token_labels[j]) for j in perm)))
if n == 1:
    st.info(t("selfattn.perm.one"))
if len(diffs) == 2:
    c1, c2 = st.columns(2)
    c1.metric(t("selfattn.perm.without"), f"{diffs[False]:.3g}", border=not b["pe"])
    c2.metric(t("selfattn.perm.with"), f"{diffs[True]:.3g}", border=bool(b["pe"]))
    st.latex(permutation_latex(diffs[bool(b["pe"])]))
    if mask is not None:
        st.warning(t("selfattn.perm.causal"))
    elif n > 1:
        st.success(t("selfattn.perm.verdict.pe" if b["pe"] else "selfattn.perm.verdict.nope"))
if shown_pair is not None:
    out_sh, out_rows = shown_pair
    show(
        heatmap_grid(
            [
                Panel(
                    out_sh,
                    t("selfattn.fig.perm_a"),
                    t("selfattn.axis.dim"),
                    t("selfattn.axis.position_token"),
                    y_labels=shuffled_labels,
                ),
                Panel(
                    out_rows,
                    t("selfattn.fig.perm_b"),
                    t("selfattn.axis.dim"),
                    y_labels=shuffled_labels,
                ),
                Panel(
                    out_sh - out_rows,
                    t("selfattn.fig.perm_diff"),
                    t("selfattn.axis.dim"),
                    y_labels=shuffled_labels,
                ),
            ],
            cols=3,
            big=BIG,
            colorbar_title=t("selfattn.axis.value"),
        ),
        key="selfattn.fig_perm",
        name=f"shuffle-{int(b['shuffle'])}" + ("-with-PE" if b["pe"] else ""),
    )
    matrix_downloads(
        [
            (name, t(f"selfattn.fig.perm_{part}"), m, shuffled_labels, dims)
            for name, part, m in (
                ("shuffled-output", "a", out_sh),
                ("output-reordered", "b", out_rows),
                ("shuffle-difference", "diff", out_sh - out_rows),
            )
        ],
        f"shuffle-{int(b['shuffle'])}",
        *(("with-PE",) if b["pe"] else ()),
    )
