"""Self-attention, multi-head, positional encoding: X → XW_Q, XW_K, XW_V, heads, W_O, order.

Reads like the screen: the title, then one function per section, listed in order at the end;
each section is its own fragment and rebuilds the model it draws (:func:`data.build`, a few
milliseconds at 32 tokens and d_model = 64). The tokens (sentence or matrix, d_model), the
heads, the seed, the causal mask and the positional encoding define that model, which every
later section draws: changing one of them is a page-wide change and reruns the page
(:func:`page_wide`). The other controls rerun their own group only: the weight matrices'
switch (section 2); the guess of section 3 (which token the worked token attends to most in
the worked head) and the worked token and head of section 4, which share a fragment (section 4
chooses the question, section 3 hides its heatmap and section 4 its weights while one
guesses); the shuffle (section 6).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages.self_attention import data, figures
from app_pages.self_attention.data import (
    D_MAX,
    FLAT_BELOW,
    PE_POSITIONS,
    SEED_MAX,
    SOURCES,
    X_DEFAULT,
    X_LIMIT,
    X_MAX_COLS,
    X_MAX_ROWS,
)
from app_pages.self_attention.text import head_row_latex, permutation_latex, tex_label
from attn_core import head_counts, multi_head_attention, sinusoidal_positional_encoding
from attn_core.positional import positional_wavelengths
from ui import editor, guess, layout, sections, state, widgets
from ui.i18n import current_language, t
from ui.token_grid import Panel, grid_cols, heatmap_grid
from ui.tokens import MAX_TOKEN_CHARS, MAX_TOKENS, embed, permutation, tokenize
from ui.widgets import snap_choice

NS = "self_attention"
MODEL_KEY = "self_attention._model"  # the inputs of the model the sections last drew
MODEL_CACHE_KEY = "self_attention._model_built"  # (its inputs, the model)
FIGURES_KEY = "self_attention._figures"  # figure name → (what it was built from, the figure)

b = state.bind(
    "self_attention",
    state.Choice("source", "sentence", options=SOURCES),
    state.Text("sentence", t("self_attention.sentence.default"), max_len=200),
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
    state.Int("seed", 0, lo=0, hi=SEED_MAX),
    state.Flag("show_w", False),
    state.Flag("causal", False),
    state.Int("row", 1, lo=1, hi=MAX_TOKENS),
    state.Int("head", 1, lo=1, hi=D_MAX),
    state.Flag("pe", False),
    state.Int("shuffle", 1, lo=0, hi=SEED_MAX),
)


def d_model() -> int:
    """Columns of X: the matrix's in matrix mode, the slider's for a sentence."""
    if b["source"] == "matrix":
        return int(np.shape(st.session_state[b.key("X")])[1])
    return int(b["d"])


def snap_heads() -> None:
    """The number of heads must divide d_model: after d_model changed (or a link or a quick
    click asked for one that does not), keep the largest that divides it, and say so."""
    d = d_model()
    snap_choice(
        b.key("heads"),
        head_counts(d),
        label=t("self_attention.heads", d=d),
        pick=lambda h: max((k for k in head_counts(d) if k <= h), default=1),
        reason=lambda old, new: t("self_attention.notice.heads", heads=old, d=d, fixed=new),
    )


guess.bind(NS)  # the guess (section 3) stays in the link while another section is shown
snap_heads()  # a link, or a quick click, may ask for heads that do not divide d_model


def fill_from_sentence() -> None:
    """Matrix mode: start the table from the toy embeddings of the sentence."""
    toks = tokenize(b["sentence"]).tokens or tokenize(t("self_attention.sentence.default")).tokens
    editor.set_matrix(b.key("X"), embed(toks, min(b["d"], X_MAX_COLS)))
    snap_heads()


def reset_matrix() -> None:
    editor.set_matrix(b.key("X"), X_DEFAULT)
    snap_heads()


def next_shuffle() -> None:
    b.set("shuffle", (b["shuffle"] + 1) % (SEED_MAX + 1))


def inputs() -> tuple:
    """What the model depends on (hashable): its change is a page-wide change."""
    X = np.asarray(st.session_state[b.key("X")], dtype=np.float64)
    matrix = (X.shape, X.tobytes()) if b["source"] == "matrix" else None
    return (
        b["source"],
        b["sentence"] if matrix is None else None,
        int(b["d"]) if matrix is None else None,
        matrix,
        int(b["heads"]),
        int(b["seed"]),
        bool(b["causal"]),
        bool(b["pe"]),
    )


def page_wide() -> None:
    """First thing in a section with page-wide controls (and after the matrix editor, which
    applies an edit as it is drawn): when one of them changed the model, the section's own run
    stops here and the page reruns (every section draws the model); a full run notes the
    model's inputs."""
    now = inputs()
    changed = st.session_state.get(MODEL_KEY) != now
    st.session_state[MODEL_KEY] = now
    if changed and sections.fragment_rerun():
        st.rerun(scope="app")


def switch_section(part: str, switch: str) -> None:
    """Open a section whose one control is a page-wide switch: the page-wide check, the
    section's title and explanation, then the switch (with its help)."""
    page_wide()
    st.header(t(f"self_attention.{part}.title"))
    layout.explain(t(f"self_attention.{part}.text"))
    with layout.controls():
        widgets.control(st.toggle, b, switch, help=True)


def kept(name: str, build: Callable[[], go.Figure], *view: object) -> go.Figure:
    """The figure ``build`` makes, built again only when the model's inputs, the language, the
    mode or ``view`` changed (a heatmap grid of 32 tokens costs 10–20 ms to build; a section's
    rerun for another control, or a page-wide change it does not draw, reuses it)."""
    sig = (inputs(), current_language(), layout.presenting(), view)
    store: dict[str, tuple[tuple, go.Figure]] = st.session_state.setdefault(FIGURES_KEY, {})
    hit = store.get(name)
    if hit is None or hit[0] != sig:
        hit = store[name] = (sig, build())
    return hit[1]


def model() -> data.Model:
    """The model for the current inputs (see :func:`data.build`), built once for them."""
    sig = (inputs(), t("self_attention.sentence.default"))
    hit = st.session_state.get(MODEL_CACHE_KEY)
    if hit is None or hit[0] != sig:
        hit = st.session_state[MODEL_CACHE_KEY] = (sig, build_model())
    return hit[1]


def build_model() -> data.Model:
    return data.build(
        sentence=None if b["source"] == "matrix" else b["sentence"],
        fallback=t("self_attention.sentence.default"),
        matrix=st.session_state[b.key("X")],
        d=int(b["d"]),
        heads=int(b["heads"]),
        seed=int(b["seed"]),
        causal=bool(b["causal"]),
        pe=bool(b["pe"]),
    )


def refused(m: data.Model) -> bool:
    """Say so when the core refused the inputs (not reachable with clamped ones)."""
    if m.result is None:
        st.error(t("self_attention.error", msg=m.error))
    return m.result is None


def matrix_downloads(
    items: list[tuple[str, str, np.ndarray, list[str] | None, list[str] | None]], *view: object
) -> None:
    """One CSV button per matrix, side by side: (name, label, matrix, row and column labels)."""
    for col, (name, label, M, rows, cols) in zip(st.columns(len(items)), items, strict=True):
        with col:
            layout.download_csv(
                label,
                partial(layout.matrix_frame, M, rows, cols),
                f"{layout.export_name(f'self_attention.{name}', *view)}.csv",
                key=f"self_attention.dl.{name}",
            )


def causal_view() -> tuple[str, ...]:
    """In the names of what the mask changes."""
    return ("causal",) if b["causal"] else ()


def worked(m: data.Model) -> tuple[int, int]:
    """The worked token and head (0-based), snapped to the model's tokens and heads: the
    options follow the sentence and the heads, and a quick click can send a stale one."""
    snap_choice(
        b.key("row"),
        range(1, m.n + 1),
        label=t("self_attention.row"),
        format_func=lambda i: m.labels[i - 1],
        here=True,
    )
    snap_choice(
        b.key("head"),
        range(1, m.heads + 1),
        label=t("self_attention.head"),
        format_func={
            h: t("self_attention.fig.head", h=h) for h in range(1, m.heads + 1)
        }.__getitem__,
        here=True,
    )
    return int(b["row"]) - 1, int(b["head"]) - 1


def top_question(m: data.Model, i: int, h: int) -> guess.Question:
    """Guess the token that token ``i`` attends to most in head ``h``; why: its weight against
    the runner-up's. Tokens tied for the most weight (equal keys: the same word without the
    encoding) are each a right answer: the answer is the guess when it is one of them."""
    w, s = m.result.weights[h, i], m.result.scores[h, i]  # (n,) each
    allowed = np.flatnonzero(m.mask[i]) if m.mask is not None else np.arange(m.n)
    order = sorted(allowed.tolist(), key=lambda j: (-w[j], j))  # most weight first
    top = order[0]
    tied = [j for j in order if np.isclose(w[j], w[top], rtol=1e-9, atol=1e-12)]
    picked = tuple(st.session_state.get(f"{NS}.{guess.VALUE}") or ())
    answer = int(picked[0]) if len(picked) == 1 and picked[0] in tied else top
    name = lambda j: state.shown(m.labels[j])  # noqa: E731
    numbers = {"h": h + 1, "token": name(i), "top": name(top), "w1": f"{w[top]:.3f}"}
    if len(order) == 1:  # one token, or the causal mask leaves the first one only itself
        why = t("self_attention.guess.why_one", **numbers)
    elif len(tied) > 1:
        tied_names = ", ".join(name(j) for j in tied)
        why = t("self_attention.guess.why_tie", **numbers, tied=tied_names, s1=f"{s[top]:.3f}")
    else:
        second = order[1]
        why = t(
            "self_attention.guess.why",
            **numbers,
            second=name(second),
            w2=f"{w[second]:.3f}",
            s1=f"{s[top]:.3f}",
            s2=f"{s[second]:.3f}",
        )
    return guess.Question(
        f"{NS}.top.row{i + 1}.head{h + 1}", "pick", answer=answer, why=why, labels=m.labels
    )


def tokens() -> None:
    """1. Tokens → X: a sentence's toy embeddings, or a matrix typed by hand."""
    page_wide()
    st.header(t("self_attention.tokens.title"))
    layout.explain(t("self_attention.tokens.text"))
    matrix_mode = b["source"] == "matrix"
    with layout.controls():
        widgets.control(
            st.radio,
            b,
            "source",
            SOURCES,
            horizontal=True,
            named_options=True,
            on_change=snap_heads,
        )
        if not matrix_mode:
            c1, c2 = st.columns([3, 1])
            c1.text_input(
                t("self_attention.sentence"),
                key=b.key("sentence"),
                max_chars=200,
                help=t("self_attention.sentence.help", n=MAX_TOKENS),
                placeholder=t("self_attention.sentence.placeholder"),
            )
            widgets.control(c2.slider, b, "d", 2, D_MAX, step=1, on_change=snap_heads, help=True)
        else:
            m_rows, m_cols = np.shape(st.session_state[b.key("X")])
            editor.matrix_editor(
                b.key("X"),
                row_labels=[f"x{i + 1}" for i in range(m_rows)],
                col_labels=[str(j + 1) for j in range(m_cols)],
                lo=-X_LIMIT,
                hi=X_LIMIT,
            )
            c1, c2 = st.columns(2)
            c1.button(t("app.reset"), key="self_attention.reset_x", on_click=reset_matrix)
            c2.button(
                t("self_attention.fill"),
                key="self_attention.fill_x",
                on_click=fill_from_sentence,
                help=t("self_attention.fill.help", d=min(b["d"], X_MAX_COLS), cols=X_MAX_COLS),
            )
    page_wide()

    m = model()
    if matrix_mode:
        st.caption(
            t("self_attention.matrix.caption", rows=X_MAX_ROWS, cols=X_MAX_COLS, lim=f"{X_LIMIT:g}")
        )
    else:
        tok = m.tok
        if m.empty:
            st.warning(t("self_attention.tokens.empty"))
        if tok.dropped:
            st.info(t("self_attention.tokens.dropped", n=tok.dropped))
        if tok.truncated:
            st.warning(t("self_attention.tokens.truncated", n=MAX_TOKENS, found=tok.found))
        if tok.cut_words:
            words = "; ".join(
                f"{state.shown(w, 30)} → {state.shown(w[:MAX_TOKEN_CHARS])}" for w in tok.cut[:4]
            )
            st.info(
                t(
                    "self_attention.tokens.cut",
                    n=MAX_TOKEN_CHARS,
                    words=words + ("; …" if len(tok.cut) > 4 else ""),
                )
            )
        st.markdown(
            t(
                "self_attention.tokens.list",
                n=len(m.names),
                tokens=" · ".join(state.shown(w) for w in m.names),
            )
        )
        st.caption(t("self_attention.tokens.toy"))

    x_panels = [
        Panel(
            m.X_raw,
            t("self_attention.fig.x"),
            t("self_attention.axis.dim"),
            t("self_attention.axis.token"),
            y_labels=m.labels,
        )
    ]
    if b["pe"]:
        x_panels += [
            Panel(
                m.PE,
                t("self_attention.fig.pe_rows"),
                t("self_attention.axis.dim"),
                y_labels=m.labels,
            ),
            Panel(
                m.X, t("self_attention.fig.x_pe"), t("self_attention.axis.dim"), y_labels=m.labels
            ),
        ]
    layout.show_figure(
        kept(
            "x",
            lambda: heatmap_grid(
                x_panels, big=layout.presenting(), colorbar_title=t("self_attention.axis.value")
            ),
        ),
        key="self_attention.fig_x",
    )
    layout.download_csv(
        t("self_attention.download.x"),
        partial(layout.matrix_frame, m.X, m.labels, m.dims),
        f"{layout.export_name('self_attention.X-plus-PE' if b['pe'] else 'self_attention.X')}.csv",
        key="self_attention.dl_x",
    )


def projections() -> None:
    """2. Q, K, V: the heads, the seed of the random weights, and the weights themselves."""
    page_wide()
    st.header(t("self_attention.qkv.title"))
    layout.explain(t("self_attention.qkv.text"))
    d = d_model()
    with layout.controls():
        c1, c2 = st.columns([3, 1])
        c1.radio(
            t("self_attention.heads", d=d),
            head_counts(d),
            key=b.key("heads"),
            horizontal=True,
            help=t("self_attention.heads.help"),
        )
        widgets.control(
            c2.number_input, b, "seed", 0, SEED_MAX, label_key="app.seed", step=1, help=True
        )
        widgets.control(st.toggle, b, "show_w")

    m, big, seed = model(), layout.presenting(), int(b["seed"])
    if b["show_w"]:
        layout.show_figure(
            kept(
                "w",
                lambda: heatmap_grid(
                    [
                        Panel(
                            m.W[name],
                            f"W<sub>{name[-1].upper()}</sub>",
                            t("self_attention.axis.out"),
                            t("self_attention.axis.in"),
                            col_groups=m.d_head if name != "W_o" else 0,
                        )
                        for name in ("W_q", "W_k", "W_v", "W_o")
                    ],
                    cols=4,
                    title=t("self_attention.fig.w", seed=seed),
                    big=big,
                    colorbar_title=t("self_attention.axis.value"),
                ),
            ),
            key="self_attention.fig_w",
            name=f"W-seed-{seed}",
        )
        matrix_downloads(
            [
                (name, t("self_attention.export.matrix", name=name), m.W[name], None, None)
                for name in ("W_q", "W_k", "W_v")  # W_O: with the concatenated heads, below
            ],
            f"seed-{seed}",
        )
    if refused(m):
        return
    r, heads = m.result, m.heads
    layout.show_figure(
        kept(
            "qkv",
            lambda: heatmap_grid(
                [
                    Panel(
                        M,
                        label,
                        t("self_attention.axis.dim"),
                        t("self_attention.axis.token"),
                        y_labels=m.labels,
                        col_groups=m.d_head if heads > 1 else 0,
                    )
                    for M, label in (
                        (r.Q, "Q = XW<sub>Q</sub>"),
                        (r.K, "K = XW<sub>K</sub>"),
                        (r.V, "V = XW<sub>V</sub>"),
                    )
                ],
                cols=3,
                title=t("self_attention.fig.heads_marked", h=heads, d_head=m.d_head)
                if heads > 1
                else "",
                big=big,
                colorbar_title=t("self_attention.axis.value"),
            ),
        ),
        key="self_attention.fig_qkv",
    )
    matrix_downloads(
        [
            (name, t("self_attention.export.matrix", name=name), M, m.labels, m.dims)
            for name, M in (("Q", r.Q), ("K", r.K), ("V", r.V))
        ],
        f"seed-{seed}",
    )


def head_weights() -> None:
    """3. One weight matrix per head, with or without the causal mask."""
    switch_section("heads", "causal")

    m, big = model(), layout.presenting()
    if refused(m):
        return
    r, heads, mask = m.result, m.heads, m.mask
    i, h = worked(m)
    question = st.empty()  # filled once ask() has bound the guess's state (a link's too)
    shown = guess.ask(NS, top_question(m, i, h))
    if st.session_state.get(f"{NS}.{guess.GUESS}"):
        question.markdown(
            t("self_attention.guess.question", token=state.shown(m.labels[i]), h=h + 1)
        )
    if not shown:
        return
    # every token labelled on every head: as many heads side by side as leave room for that
    cols = grid_cols(heads, m.n, big=big, labels=m.labels)
    layout.show_figure(
        kept(
            "heads",
            lambda: heatmap_grid(
                [
                    Panel(
                        r.weights[h],
                        t("self_attention.fig.head", h=h + 1),
                        t("self_attention.axis.key"),
                        t("self_attention.axis.query"),
                        x_labels=m.labels,
                        y_labels=m.labels,
                        masked=None if mask is None else ~mask,
                    )
                    for h in range(heads)
                ],
                cols=cols,
                signed=False,
                big=big,
                colorbar_title=t("self_attention.axis.weight"),
                panel_px=int(min(380, max(110, 900 // cols))),
            ),
        ),
        key="self_attention.fig_heads",
        name=f"weights-{heads}-heads" + ("-causal" if mask is not None else ""),
    )
    if mask is not None:
        st.caption(t("self_attention.causal.caption"))

    def every_weight() -> pd.DataFrame:
        h_idx, q_idx, k_idx = np.indices(r.weights.shape)  # (H, n, n) each
        lab = pd.Index(m.labels, dtype=object)  # labels are unique (position subscripts)
        return pd.DataFrame(
            {
                t("self_attention.csv.head"): h_idx.ravel() + 1,
                t("self_attention.axis.query"): pd.Categorical.from_codes(q_idx.ravel(), lab),
                t("self_attention.axis.key"): pd.Categorical.from_codes(k_idx.ravel(), lab),
                t("self_attention.axis.weight"): r.weights.ravel(),
            }
        )

    layout.download_csv(
        t("self_attention.download.weights"),
        every_weight,
        f"{layout.export_name('self_attention.weights', f'{heads}-heads', *causal_view())}.csv",
        key="self_attention.dl_weights",
    )
    with st.expander(t("self_attention.export.per_head", h=heads)):
        per_row = min(heads, 4)
        for start in range(0, heads, per_row):
            for h, col in zip(range(start, heads), st.columns(per_row), strict=False):
                name = layout.export_name(f"self_attention.head-{h + 1}-weights", *causal_view())
                with col:
                    layout.download_csv(
                        t("self_attention.fig.head", h=h + 1),
                        partial(layout.matrix_frame, r.weights[h], m.labels, m.labels),
                        f"{name}.csv",
                        key=f"self_attention.dl.head.{h + 1}",
                    )


def concat() -> None:
    """4. Concatenate the heads, then W_O; one token through one head, number by number."""
    st.header(t("self_attention.concat.title"))
    layout.explain(t("self_attention.concat.text"))
    m, big = model(), layout.presenting()
    if refused(m):
        return
    r, heads, n = m.result, m.heads, m.n
    layout.show_figure(
        kept(
            "concat",
            lambda: heatmap_grid(
                [
                    Panel(
                        r.concat,
                        t("self_attention.fig.concat"),
                        t("self_attention.axis.dim"),
                        t("self_attention.axis.token"),
                        y_labels=m.labels,
                        col_groups=m.d_head if heads > 1 else 0,
                    ),
                    Panel(
                        m.W["W_o"],
                        "W<sub>O</sub>",
                        t("self_attention.axis.out"),
                        t("self_attention.axis.in"),
                    ),
                    Panel(
                        r.output,
                        t("self_attention.fig.output"),
                        t("self_attention.axis.dim"),
                        y_labels=m.labels,
                    ),
                ],
                cols=3,
                big=big,
                colorbar_title=t("self_attention.axis.value"),
            ),
        ),
        key="self_attention.fig_concat",
    )
    matrix_downloads(
        [
            ("concat", t("self_attention.export.concat"), r.concat, m.labels, m.dims),
            ("W_o", t("self_attention.export.matrix", name="W_O"), m.W["W_o"], None, None),
        ],
        f"seed-{int(b['seed'])}",
    )
    layout.download_csv(
        t("self_attention.download.y"),
        partial(layout.matrix_frame, r.output, m.labels, m.dims),
        f"{layout.export_name('self_attention.Y', f'{heads}-heads', *causal_view())}.csv",
        key="self_attention.dl_y",
    )

    st.subheader(t("app.formula"))
    row_label = lambda i: m.labels[i - 1]  # noqa: E731
    head_label = {h: t("self_attention.fig.head", h=h) for h in range(1, heads + 1)}.__getitem__
    worked(m)
    with layout.controls():
        c1, c2 = st.columns(2)
        widgets.control(c1.selectbox, b, "row", list(range(1, n + 1)), format_func=row_label)
        widgets.control(c2.selectbox, b, "head", list(range(1, heads + 1)), format_func=head_label)
    if guess.hiding(NS):  # the weights written out would give the guess away
        st.info(t("self_attention.guess.hidden"))
        return
    i_row, h_sel = worked(m)
    token = tex_label(m.names[i_row], i_row + 1)
    for line in head_row_latex(r, i=i_row, h=h_sel, token=token, mask=m.mask):
        st.latex(line)


def encoding() -> None:
    """5. The positional encoding: the switch, its heatmap, and why its last columns look flat."""
    switch_section("pe", "pe")

    m, big = model(), layout.presenting()
    n, d = m.n, m.d_model
    layout.show_figure(
        kept(
            "pe",
            lambda: figures.positional_encoding_figure(
                sinusoidal_positional_encoding(PE_POSITIONS, d),
                n,
                title=t("self_attention.fig.pe", positions=PE_POSITIONS, d=d),
                x_title=t("self_attention.axis.position"),
                y_title=t("self_attention.axis.dim0"),
                used_label=t("self_attention.fig.pe_used", n=n),
            ),
        ),
        key="self_attention.fig_pe",
        min_top=figures.encoding_top(big),
    )
    layout.download_csv(
        t("self_attention.export.pe", positions=PE_POSITIONS),
        lambda d=d: layout.matrix_frame(  # the figure's table, made on the click
            sinusoidal_positional_encoding(PE_POSITIONS, d),
            [str(i) for i in range(PE_POSITIONS)],
            [str(j) for j in range(d)],
        ),
        f"{layout.export_name('self_attention.positional-encoding', f'd-{d}')}.csv",
        key="self_attention.dl.pe",
    )
    # Why the last columns look flat: their wavelengths, computed, and one full turn of each pair
    wavelengths = positional_wavelengths(d)  # (ceil(d/2),) in positions
    wave_rows = figures.wave_pairs(len(wavelengths))
    slowest_turn = (PE_POSITIONS - 1) / wavelengths[-1]  # turns of the slowest pair in the heatmap
    st.markdown(
        t(
            "self_attention.pe.slow"
            if slowest_turn < FLAT_BELOW
            else "self_attention.pe.slow_none",
            d=d,
            wavelengths=", ".join(figures.wavelength_text(w) for w in wavelengths),
            positions=PE_POSITIONS,
            n=n,
            turn=f"{slowest_turn:.2%}",
        )
    )
    layout.show_figure(
        kept(
            "waves",
            lambda: figures.positional_waves_figure(
                wavelengths,
                m.PE,
                pairs=wave_rows,
                row_titles=[
                    t(
                        "self_attention.fig.wave_row",
                        i=i,
                        cols=f"{2 * i}, {2 * i + 1}" if 2 * i + 1 < d else str(2 * i),
                        wl=figures.wavelength_text(wavelengths[i]),
                        turn=f"{(n - 1) / wavelengths[i]:.1%}",
                    )
                    for i in wave_rows
                ],
                title=t("self_attention.fig.waves"),
                x_title=t("self_attention.axis.position"),
                big=big,
            ),
        ),
        key="self_attention.fig_waves",
        name=f"positional-waves-d-{d}",
    )
    st.caption(t("self_attention.fig.waves_caption", n=n))
    if len(wave_rows) < len(wavelengths):
        st.caption(
            t(
                "self_attention.fig.waves_some",
                shown=len(wave_rows),
                pairs=len(wavelengths),
                which=", ".join(map(str, wave_rows)),
            )
        )


def shuffle() -> None:
    """6. Shuffle the tokens: without the encoding the outputs move with them, unchanged."""
    st.header(t("self_attention.perm.title"))
    layout.explain(t("self_attention.perm.text"))
    with layout.controls():
        st.button(
            t("self_attention.perm.shuffle"),
            key="self_attention.shuffle_btn",
            on_click=next_shuffle,
        )

    m, big, pe_on = model(), layout.presenting(), bool(b["pe"])
    n, X_raw, PE = m.n, m.X_raw, m.PE
    perm = permutation(n, int(b["shuffle"]))  # (n,) new position i holds old token perm[i]
    diffs: dict[bool, float] = {}
    shown_pair = None
    for with_pe in (False, True):
        try:
            X_in = X_raw + PE if with_pe else X_raw  # tokens in the original order
            X_sh = X_raw[perm] + PE if with_pe else X_raw[perm]  # shuffled, positions 0..n-1
            out = multi_head_attention(X_in, X_in, **m.W, n_heads=m.heads, mask=m.mask).output
            out_sh = multi_head_attention(X_sh, X_sh, **m.W, n_heads=m.heads, mask=m.mask).output
        except ValueError as err:
            st.error(t("self_attention.error", msg=str(err)))
            break
        diffs[with_pe] = float(np.max(np.abs(out_sh - out[perm])))
        if with_pe == pe_on:
            shown_pair = (out_sh, np.asarray(out)[perm])

    shuffled = [m.labels[j] for j in perm]
    st.markdown(
        t("self_attention.perm.order", order=" · ".join(state.shown(m.labels[j]) for j in perm))
    )
    if n == 1:
        st.info(t("self_attention.perm.one"))
    if len(diffs) == 2:
        c1, c2 = st.columns(2)
        c1.metric(t("self_attention.perm.without"), f"{diffs[False]:.3g}", border=not pe_on)
        c2.metric(t("self_attention.perm.with"), f"{diffs[True]:.3g}", border=pe_on)
        st.latex(permutation_latex(diffs[pe_on]))
        if m.mask is not None:
            st.warning(t("self_attention.perm.causal"))
        elif n > 1:
            st.success(
                t("self_attention.perm.verdict.pe" if pe_on else "self_attention.perm.verdict.nope")
            )
    if shown_pair is None:
        return
    out_sh, out_rows = shown_pair
    parts = (
        ("shuffled-output", "a", out_sh),
        ("output-reordered", "b", out_rows),
        ("shuffle-difference", "diff", out_sh - out_rows),
    )
    layout.show_figure(
        kept(
            "perm",
            lambda: heatmap_grid(
                [
                    Panel(
                        M,
                        t(f"self_attention.fig.perm_{part}"),
                        t("self_attention.axis.dim"),
                        t("self_attention.axis.position_token") if part == "a" else "",
                        y_labels=shuffled,
                    )
                    for _, part, M in parts
                ],
                cols=3,
                big=big,
                colorbar_title=t("self_attention.axis.value"),
            ),
            int(b["shuffle"]),
        ),
        key="self_attention.fig_perm",
        name=f"shuffle-{int(b['shuffle'])}" + ("-with-PE" if pe_on else ""),
    )
    matrix_downloads(
        [
            (name, t(f"self_attention.fig.perm_{part}"), M, shuffled, m.dims)
            for name, part, M in parts
        ],
        f"shuffle-{int(b['shuffle'])}",
        *(("with-PE",) if pe_on else ()),
    )


layout.header("self_attention")
sections.show(
    "self_attention", [[tokens], [projections], [head_weights, concat], [encoding], [shuffle]]
)
