"""Inside a trained transformer: induction and previous-token heads, and a learned alignment.

Reads top to bottom like the screen: the title, then one function per section, listed in order
at the end. Both models were trained by ``models/train.py``; every number here comes from their
NumPy forward passes in ``attn_core.transformer``. Model A's four sections are fragments of their
own, and a control whose value later sections read reruns them too (``sections.rerun_with`` in
its callback): the sequence reruns all four, the switched-off heads the heads and the
predictions, the position the predictions and the mechanism; the head shown and the mechanism's
head rerun their section alone. Model B's sentence and translation share a fragment. Each
section reads the sequence (or sentence) from the bound state and asks ``data`` for the model's
run on it (cached there).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app_pages.trained_model import data, figures, text
from app_pages.trained_model.text import fmt, head_name
from attn_core import induction_targets, key_composition, local_weights
from ui import layout, sections, state, widgets
from ui.i18n import current_language, t
from ui.tokens import labels as token_labels

MODEL_A = data.induction_model()
MODEL_B = data.alignment_model()
CFG_A, CFG_B = MODEL_A.config, MODEL_B.config
N_LAYERS, N_HEADS = CFG_A["n_layers"], CFG_A["n_heads"]
MAX_LEN = CFG_A["max_len"]
HEADS = [(layer, h) for layer in range(N_LAYERS) for h in range(N_HEADS)]
LAYER2 = [(N_LAYERS - 1, h) for h in range(N_HEADS)]  # the heads that can compose
HEAD_CHOICES = ("auto", *(head_name(*lh) for lh in LAYER2))
SHOW_CHOICES = ("auto", "all", *(str(h + 1) for h in range(N_HEADS)))  # heads drawn per layer
DEFAULT_SEQ = data.random_repeated(seed=0, segment=8, prefix=3)
DEFAULT_POS = 15  # 1-based: inside the second copy of the default sequence
DEFAULT_SENTENCE = "the big black dog sees a small cat"
ALIGN_LAYER = 1  # decoder layer 1's cross-attention picks the source word (layer 2 refines)
INDUCTION_CUT = 0.3  # "switch off the induction heads" takes layer-2 heads scoring above this
PREV_CUT = 0.5  # "switch off the previous-token heads" takes layer-1 heads scoring above this
BIG = layout.presenting()

b = state.bind(
    "trained_model",
    state.Text("seq", DEFAULT_SEQ, max_len=data.MAX_INPUT_CHARS),
    state.Int("seglen", 8, lo=2, hi=12),
    state.Int("prefix", 3, lo=0, hi=16),
    state.Int("gseed", 0, lo=0, hi=99_999),
    *(state.Flag(f"off{layer + 1}{h + 1}", False) for layer, h in HEADS),
    state.Int("pos", DEFAULT_POS, lo=1, hi=MAX_LEN),
    *(state.Choice(f"show{layer + 1}", "auto", options=SHOW_CHOICES) for layer in range(N_LAYERS)),
    state.Choice("khead", "auto", options=HEAD_CHOICES),
    state.Text("sent", DEFAULT_SENTENCE, max_len=data.MAX_INPUT_CHARS),
    state.Int("xlayer", ALIGN_LAYER, lo=1, hi=CFG_B["dec_layers"]),
    state.Int("D", 1, lo=1, hi=5),
)


def off_key(layer: int, head: int) -> str:
    return b.key(f"off{layer + 1}{head + 1}")


def ablated() -> tuple[tuple[int, int], ...]:
    return tuple(lh for lh in HEADS if st.session_state[off_key(*lh)])


# --------------------------------------------------------------------------- callbacks
# A value that later sections read reruns them too (see the module doc).
def follow_sequence() -> None:
    """The sequence changed: every section of model A runs on it."""
    sections.rerun_with("trained_model", [sequence, heads, predictions, mechanism])


def follow_ablation() -> None:
    """Heads switched off or on: their titles, and the ablated predictions."""
    sections.rerun_with("trained_model", [heads, predictions])


def follow_position() -> None:
    """The position changed: its predictions, and the mechanism worked out at it."""
    sections.rerun_with("trained_model", [predictions, mechanism])


def new_sequence() -> None:
    """The button: a fresh random segment and its repetition (the seed moves on by one)."""
    seed = (int(b["gseed"]) + 1) % 100_000
    b.set("gseed", seed)
    b.set("seq", data.random_repeated(seed, int(b["seglen"]), int(b["prefix"])))
    follow_sequence()


def set_heads(which: tuple[tuple[int, int], ...]) -> None:
    for lh in HEADS:
        st.session_state[off_key(*lh)] = lh in which
    follow_ablation()


def ablate_button(
    where: Any, name: str, label: str, heads: list[tuple[int, int]], **kwargs: Any
) -> None:
    """A button that switches ``heads`` off (label ``trained_model.heads.<label>`` naming
    them); greyed out when there are none."""
    where.button(
        t(f"trained_model.heads.{label}", heads=", ".join(head_name(*lh) for lh in heads)),
        on_click=set_heads,
        args=(tuple(heads),),
        key=b.key(name),
        disabled=not heads,
        **kwargs,
    )


# --------------------------------------------------------------------------- helpers
@st.cache_resource(max_entries=64, show_spinner=False)
def _figure_cache(key: tuple, _build: Callable[[], go.Figure]) -> go.Figure:
    return _build()


def cached_figure(key: tuple, build: Callable[[], go.Figure]) -> go.Figure:
    """The figure ``build()`` makes, kept for ``key`` (everything it depends on, hashable), the
    language and presentation mode. Shared by every session, only read (``show_figure`` sizes
    a new figure)."""
    return _figure_cache((*key, current_language(), BIG), build)


def letters() -> tuple[str, ...] | None:
    """Model A's sequence, or None when it cannot be used (its section says why)."""
    parsed = data.parse_letters(b["seq"], MAX_LEN)
    if parsed.unknown or parsed.too_long or len(parsed.items) < 2:
        return None
    return parsed.items


def induction() -> data.InductionView | None:
    """Model A on the sequence with the switched-off heads; None (said in presentation mode,
    where the sequence's section is not on screen) when the sequence cannot be used."""
    items = letters()
    if items is None:
        if layout.presenting():
            st.info(t("trained_model.a.unusable"))
        return None
    return data.induction_view(items, ablated())


def induction_section(part: str) -> data.InductionView | None:
    """Open a section on model A's sequence: its title and explanation, and the view (None
    when the sequence is not usable: the sequence section says why, this one stops)."""
    view = induction()
    if view is not None:
        st.subheader(t(f"trained_model.{part}.title"))
        layout.explain(t(f"trained_model.{part}.text"))
    return view


def words() -> tuple[str, ...] | None:
    """Model B's sentence, or None when it cannot be used (its section says why)."""
    parsed = data.parse_sentence(b["sent"])
    if parsed.unknown or parsed.too_long or not parsed.items:
        return None
    return parsed.items


def auto_head(view: data.InductionView, layer: int) -> int:
    """The head a layer shows by default: layer 1's strongest previous-token head, a later
    layer's strongest induction head (on this sequence)."""
    scores = view.prev[0] if layer == 0 else view.ind[layer]
    return int(np.nanargmax(np.nan_to_num(scores, nan=-1.0)))


def shown_heads(view: data.InductionView, layer: int) -> list[int]:
    choice = b[f"show{layer + 1}"]
    if choice == "all":
        return list(range(N_HEADS))
    return [auto_head(view, layer) if choice == "auto" else int(choice) - 1]


# --------------------------------------------------------------------------- sections
def models_intro() -> None:
    ev = CFG_A.get("numpy_eval", {})  # measured by models/evaluate.py with attn_core
    prev = np.asarray(ev.get("previous_token_score", np.zeros((N_LAYERS, N_HEADS))))
    ind = np.asarray(ev.get("induction_score", np.zeros((N_LAYERS, N_HEADS))))
    p_h, i_h = int(prev[0].argmax()), int(ind[-1].argmax())
    with st.expander(t("trained_model.models.title")):
        st.markdown(
            t(
                "trained_model.models.text",
                a_layers=N_LAYERS,
                a_heads=N_HEADS,
                a_d=CFG_A["d_model"],
                a_len=MAX_LEN,
                p_random=round(100 * CFG_A["p_random"]),
                p_skip=round(100 * CFG_A["p_skip"]),
                skip_keep=fmt(CFG_A["skip_keep"], 1),
                b_enc=CFG_B["enc_layers"],
                b_dec=CFG_B["dec_layers"],
                b_d=CFG_B["d_model"],
                b_cross=CFG_B["cross_heads"],
                a_steps=CFG_A["steps"],
                a_loss=fmt(CFG_A["final_loss"], 3),
                n_eval=ev.get("heldout_sequences", 0),
                a_acc=fmt(100 * ev.get("copy_accuracy", CFG_A["copy_accuracy"]), 1),
                prev_head=head_name(0, p_h),
                prev=fmt(prev[0, p_h]),
                ind_head=head_name(N_LAYERS - 1, i_h),
                ind=fmt(ind[-1, i_h]),
                ind_heads=", ".join(ev.get("induction_heads", [])) or "–",
                a_off=fmt(100 * ev.get("copy_accuracy_induction_heads_off", float("nan")), 1),
                b_steps=CFG_B["steps"],
                b_loss=fmt(CFG_B["final_loss"], 3),
                b_acc=fmt(100 * CFG_B["heldout_sequence_accuracy"], 1),
                seconds=round(CFG_A["train_seconds"] + CFG_B["train_seconds"]),
            )
        )


def sequence() -> None:
    """1. The two models, then the sequence for model A (a notice when it cannot be used)."""
    models_intro()
    st.header(t("trained_model.a.title"))
    layout.explain(t("trained_model.a.text", v=CFG_A["vocab_size"]))
    with layout.controls():
        st.text_input(
            t("trained_model.a.seq"),
            key=b.key("seq"),
            on_change=follow_sequence,
            max_chars=data.MAX_INPUT_CHARS,
            help=t("trained_model.a.seq.help", n=MAX_LEN),
        )
        c1, c2, c3 = st.columns([2, 2, 2])
        c1.slider(t("trained_model.a.seglen"), 2, 12, key=b.key("seglen"))
        c2.slider(t("trained_model.a.prefix"), 0, 16, key=b.key("prefix"))
        c3.button(t("trained_model.a.generate"), on_click=new_sequence, key=b.key("generate"))
    parsed = data.parse_letters(b["seq"], MAX_LEN)
    if parsed.unknown:
        st.error(t("trained_model.a.unknown", items=text.unknown_items(parsed.unknown)))
    elif parsed.too_long:
        st.error(t("trained_model.a.too_long", n=parsed.too_long, max=MAX_LEN))
    elif len(parsed.items) < 2:
        st.warning(t("trained_model.a.too_short"))
    else:
        st.caption(t("trained_model.a.read", n=len(parsed.items)))


def heads() -> None:
    """2. The heads' attention (one chosen head per layer, or all), their scores, and the
    switches that ablate them."""
    view = induction_section("heads")
    if view is None:
        return
    labels = token_labels(view.letters)
    c1, c3, c2 = st.columns([3, 4, 2])
    best_ind = [(1, h) for h in range(N_HEADS) if view.ind[1, h] >= INDUCTION_CUT]
    best_prev = [(0, h) for h in range(N_HEADS) if view.prev[0, h] >= PREV_CUT]
    help_prev = t("trained_model.heads.off_prev.help", cut=PREV_CUT)
    ablate_button(c3, "off_prev", "off_prev", best_prev, help=help_prev)
    ablate_button(c1, "off_ind", "off_induction", best_ind)
    c2.button(t("trained_model.heads.all_on"), on_click=set_heads, args=((),), key=b.key("on"))
    for layer in range(N_LAYERS):
        auto = head_name(layer, auto_head(view, layer))
        st.radio(
            t("trained_model.heads.show", layer=layer + 1),
            SHOW_CHOICES,
            key=b.key(f"show{layer + 1}"),
            horizontal=True,
            format_func=lambda c, layer=layer, auto=auto: (
                t("trained_model.heads.show.auto", head=auto)
                if c == "auto"
                else t("trained_model.heads.show.all")
                if c == "all"
                else head_name(layer, int(c) - 1)
            ),
            help=t("trained_model.heads.show.help"),
        )
        shown = shown_heads(view, layer)
        titles = [
            head_name(layer, h)
            + (f" · {t('trained_model.heads.off_tag')}" if view.run.ablated[layer, h] else "")
            for h in shown
        ]
        fig = cached_figure(  # 10 ms a head (33 ms for all four): cached for the other moves
            ("heads", view.letters, layer, tuple(titles)),
            lambda layer=layer, shown=shown, titles=titles: figures.layer_heads(
                view.full.attn[layer].weights[shown],
                labels,
                titles,
                x_title=t("trained_model.heads.x"),
                y_title=t("trained_model.heads.y"),
                colorbar_title=t("trained_model.weight"),
                big=BIG,
            ),
        )
        which = "all" if len(shown) > 1 else head_name(layer, shown[0])
        layout.show_figure(fig, f"trained_model.fig.layer{layer + 1}", name=f"heads-{which}")
        for h, col in enumerate(st.columns(N_HEADS)):
            col.checkbox(
                t("trained_model.heads.off", head=head_name(layer, h)),
                key=off_key(layer, h),
                on_change=follow_ablation,
            )
            col.caption(
                t(
                    "trained_model.heads.panel",
                    prev=fmt(view.prev[layer, h]),
                    dup=fmt(view.dup[layer, h]),
                    ind=fmt(view.ind[layer, h]),
                )
            )
    rows = [head_name(*lh) for lh in HEADS]
    frame = partial(
        layout.table_frame,
        {
            t("trained_model.score.prev"): view.prev.ravel(),
            t("trained_model.score.dup"): view.dup.ravel(),
            t("trained_model.score.ind"): view.ind.ravel(),
        },
        rows,
        t("trained_model.score.head"),
    )
    st.table(frame().style.format("{:.3f}", na_rep="–"))
    st.caption(t("trained_model.score.caption"))
    widgets.export_csv("trained_model", "scores", frame)
    weights = view.full.weights  # (L, H, T, T)
    widgets.export_csv(
        "trained_model",
        "weights",
        partial(
            layout.table_frame,
            {
                f"{head_name(layer, h)} {labels[i]}": weights[layer, h, i]
                for layer, h in HEADS
                for i in range(len(labels))
            },
            labels,
            t("trained_model.heads.x"),
        ),
    )


def predictions() -> None:
    """3. Next-token probabilities at one position, and the copying accuracy."""
    view = induction_section("pred")
    if view is None:
        return
    T = len(view.letters)
    if b["pos"] > T:
        st.info(t("trained_model.pred.clamped", was=b["pos"], value=T))
        b.set("pos", T)
    with layout.controls():
        st.slider(
            t("trained_model.pred.pos"), 1, max(T, 2), key=b.key("pos"), on_change=follow_position
        )
    i = min(int(b["pos"]), T) - 1
    off = bool(view.run.ablated.any())
    m1, m2, m3 = st.columns(3)
    n = view.copy_pos.size
    if n:
        m1.metric(
            t("trained_model.pred.acc_full"),
            f"{100 * view.acc_full:.0f}%",
            help=t("trained_model.pred.acc_help", n=n),
        )
        m2.metric(
            t("trained_model.pred.acc_off"),
            f"{100 * view.acc:.0f}%" if off else "–",
            delta=f"{100 * (view.acc - view.acc_full):+.0f} pt" if off else None,
        )
    else:
        m1.info(t("trained_model.pred.no_copy"))
    m3.metric(t("trained_model.pred.n_copy"), n)
    st.caption(t("trained_model.pred.acc_caption", n=n, hits=int(view.correct.sum())))
    top = np.argsort(-view.full.probs[i])[:6]
    letters = [data.LETTERS[k] for k in top]
    truth = (
        t("trained_model.pred.truth", tok=view.letters[i + 1])
        if i + 1 < T
        else t("trained_model.pred.last")
    )
    st.markdown(t("trained_model.pred.at", pos=i + 1, tok=view.letters[i], truth=truth))
    names = (t("trained_model.pred.all_heads"), t("trained_model.pred.with_off"))
    fig = figures.full_vs_ablated(
        "bars",
        letters,
        view.full.probs[i, top],
        view.run.probs[i, top] if off else None,
        names=names,
        title=t("trained_model.pred.bars", pos=i + 1),
        x_title=t("trained_model.pred.next"),
        y_title=t("trained_model.pred.prob"),
    )
    layout.show_figure(fig, "trained_model.fig.next")
    if n:
        targets = view.tokens[view.copy_pos + 1]
        strip = figures.full_vs_ablated(
            "strip",
            [token_labels(view.letters)[p] for p in view.copy_pos],
            view.full.probs[view.copy_pos, targets],
            view.run.probs[view.copy_pos, targets] if off else None,
            names=names,
            title=t("trained_model.pred.strip"),
            x_title=t("trained_model.heads.y"),
            y_title=t("trained_model.pred.prob_copy"),
        )
        layout.show_figure(strip, "trained_model.fig.copy")
        widgets.export_csv(
            "trained_model",
            "copy",
            partial(
                layout.table_frame,
                {
                    "position": view.copy_pos + 1,
                    "token": [view.letters[p] for p in view.copy_pos],
                    "next (copied)": [view.letters[p + 1] for p in view.copy_pos],
                    "p(next), all heads": view.full.probs[view.copy_pos, targets],
                    "p(next), ablated": view.run.probs[view.copy_pos, targets],
                    "correct, all heads": view.correct_full,
                    "correct, ablated": view.correct,
                },
            ),
        )


def mechanism() -> None:
    """4. K-composition with the numbers of one induction head at position i."""
    view = induction_section("mech")
    if view is None:
        return
    i = min(int(b["pos"]), len(view.letters)) - 1  # the predictions' position
    best = int(np.nanargmax(np.nan_to_num(view.ind[1], nan=-1.0)))
    with layout.controls():
        st.selectbox(
            t("trained_model.mech.head"),
            HEAD_CHOICES,
            key=b.key("khead"),
            format_func=lambda c: (
                t("trained_model.mech.auto", head=head_name(1, best)) if c == "auto" else c
            ),
        )
    choice = b["khead"]
    layer, head = (1, best) if choice == "auto" else LAYER2[HEAD_CHOICES.index(choice) - 1]
    parts = key_composition(view.full, MODEL_A.weights, layer, head, i)
    w = view.full.attn[layer].weights[head, i]
    keys = np.arange(i + 1)
    targets = np.nonzero(induction_targets(view.tokens)[i, : i + 1])[0]
    shown_keys = sorted(set(keys[np.argsort(-parts["total"][: i + 1])[:5]]) | set(targets))
    labels = token_labels(view.letters)
    cols = {
        t("trained_model.mech.col.total"): parts["total"][shown_keys],
        t("trained_model.mech.col.weight"): w[shown_keys],
        t("trained_model.mech.col.token"): parts["token"][shown_keys],
        t("trained_model.mech.col.position"): parts["position"][shown_keys],
    }
    for name, v in parts.items():
        if name.startswith("L"):
            cols[name] = v[shown_keys]
    frame = partial(
        layout.table_frame, cols, [labels[j] for j in shown_keys], t("trained_model.mech.key")
    )
    name = head_name(layer, head)
    st.markdown(t("trained_model.mech.query", head=name, pos=i + 1, tok=view.letters[i]))
    if targets.size:
        j = int(targets[-1])
        # the layer-1 head whose write adds most to this key's score (K-composition)
        prev_head = int(np.argmax([parts[head_name(0, h)][j] for h in range(N_HEADS)]))
        from_l1 = sum(parts[head_name(0, h)][j] for h in range(N_HEADS))
        largest = max(
            (("l1", from_l1), ("token", parts["token"][j]), ("position", parts["position"][j])),
            key=lambda kv: kv[1],
        )
        st.markdown(
            t(
                "trained_model.mech.found",
                head=name,
                tok=view.letters[i],
                earlier=j,
                target=j + 1,
                nxt=view.letters[j],
                w=fmt(w[j]),
                score=fmt(parts["total"][j]),
                prev_head=head_name(0, prev_head),
                from_prev=fmt(parts[head_name(0, prev_head)][j]),
                from_l1=fmt(from_l1),
                from_tok=fmt(parts["token"][j]),
                from_pos=fmt(parts["position"][j]),
                prev_score=fmt(view.prev[0, prev_head]),
            )
        )
        if largest[0] == "l1":
            st.markdown(t("trained_model.mech.verdict.kcomp", part=fmt(from_l1)))
        else:
            st.markdown(
                t(
                    "trained_model.mech.verdict.other",
                    part=t(f"trained_model.mech.part.{largest[0]}"),
                    value=fmt(largest[1]),
                    from_l1=fmt(from_l1),
                )
            )
    else:
        st.markdown(t("trained_model.mech.none", tok=view.letters[i], pos=i + 1))
    st.table(frame().style.format("{:.3f}"))
    st.caption(t("trained_model.mech.caption", head=name, d=CFG_A["d_model"] // N_HEADS))
    widgets.export_csv("trained_model", "qk", frame, name, i + 1)
    qk_product(view, layer, head, i, int(targets[-1]) if targets.size else int(np.argmax(w)))
    st.page_link(
        "app_pages/qkv/page.py", label=t("trained_model.mech.qkv_link"), icon=":material/link:"
    )


def qk_product(view: data.InductionView, layer: int, head: int, i: int, j: int) -> None:
    """The head's query at i and key at j, number by number: their dot product is the score."""
    d_head = CFG_A["d_model"] // N_HEADS
    cols = slice(head * d_head, (head + 1) * d_head)
    q = view.full.attn[layer].Q[i, cols]
    k = view.full.attn[layer].K[j, cols]
    dot = float(q @ k)
    score = float(view.full.attn[layer].scores[head, i, j])
    frame = partial(
        layout.table_frame,
        {
            t("trained_model.mech.qk.q", pos=i + 1): q,
            t("trained_model.mech.qk.k", pos=j + 1): k,
            t("trained_model.mech.qk.product"): q * k,
        },
        [str(c + 1) for c in range(d_head)],
        t("trained_model.mech.qk.dim"),
    )
    left, right = st.columns([3, 2])
    right.markdown(
        t(
            "trained_model.mech.qk.text",
            head=head_name(layer, head),
            pos=i + 1,
            tok=view.letters[i],
            key=j + 1,
            d=d_head,
            dot=fmt(dot),
            sqrt=fmt(np.sqrt(d_head)),
            score=fmt(score),
        )
    )
    left.table(frame().style.format("{:.3f}"))


def sentence() -> None:
    """5. A toy-English sentence for model B (a notice when it cannot be used)."""
    st.header(t("trained_model.b.title"))
    layout.explain(t("trained_model.b.text"))
    with layout.controls():
        st.text_input(
            t("trained_model.b.sent"),
            key=b.key("sent"),
            max_chars=data.MAX_INPUT_CHARS,
            help=t("trained_model.b.sent.help"),
        )
    with st.expander(t("trained_model.b.vocab")):
        st.markdown(text.vocabulary())
    parsed = data.parse_sentence(b["sent"])
    if parsed.unknown:
        st.error(t("trained_model.b.unknown", items=text.unknown_items(parsed.unknown)))
    elif parsed.too_long:
        st.error(t("trained_model.b.too_long", n=parsed.too_long, max=data.SENTENCE_MAX_WORDS))
    elif not parsed.items:
        st.warning(t("trained_model.b.empty"))


def translation() -> None:
    """6. The translation, its learned alignment, and Luong's local windows."""
    src = words()
    if src is None:
        if layout.presenting():
            st.info(t("trained_model.b.unusable"))
        return
    view = data.translation_view(src)
    out = view.out
    if data.unlike_training(src):
        st.warning(t("trained_model.b.unseen", max=data.TRAINED_MAX_ADJ))
    c1, c2 = st.columns(2)
    c1.markdown(t("trained_model.b.model_says", out=" ".join(out) or "–"))
    if view.gold is None:
        c2.info(t("trained_model.b.not_grammar"))
    elif view.gold == out:
        c2.success(t("trained_model.b.correct", gold=" ".join(view.gold)))
    else:
        c2.warning(t("trained_model.b.wrong", gold=" ".join(view.gold)))
    if not out:
        st.info(t("trained_model.b.no_output"))
        return
    n_dec = CFG_B["dec_layers"]
    with layout.controls():
        c1, c2 = st.columns(2)
        c1.slider(t("trained_model.b.layer"), 1, n_dec, key=b.key("xlayer"), disabled=n_dec < 2)
        c2.slider(t("trained_model.b.D"), 1, 5, key=b.key("D"))
    layer, D = int(b["xlayer"]) - 1, int(b["D"])
    m, S = len(out), len(src)
    cross = view.run.cross[layer]
    learned = cross.weights.mean(axis=0)[:m]  # (m, S): row t = the attention that chose word t
    scores = cross.scores.mean(axis=0)[:m]
    p_m = np.minimum(np.arange(m), S - 1)
    local_m = local_weights(scores, p_m, D, mode="local-m")
    centre = learned @ np.arange(S)  # where the learned attention looks, on average
    local_p = local_weights(scores, centre, D, mode="local-p")
    gold = np.zeros((m, S))
    if view.gold_align is not None and view.gold == out:
        gold[np.arange(m), view.gold_align] = 1.0
    titles = [
        t("trained_model.b.panel.gold" if gold.any() else "trained_model.b.panel.no_gold"),
        t("trained_model.b.panel.learned", layer=layer + 1),
        t("trained_model.b.panel.local_m", D=D),
        t("trained_model.b.panel.local_p", D=D),
    ]
    fig = figures.alignment_panels(
        [gold, learned, local_m.weights, local_p.weights],
        titles,
        token_labels(list(src)),
        token_labels(list(out)),
        x_title=t("trained_model.b.src"),
        y_title=t("trained_model.b.tgt"),
        colorbar_title=t("trained_model.weight"),
        big=BIG,
    )
    layout.show_figure(fig, "trained_model.fig.alignment")
    arg = learned.argmax(axis=1)
    outside = np.abs(arg - p_m) > D
    a1, a2 = st.columns(2)
    if gold.any():
        hits = int((arg == np.asarray(view.gold_align)).sum())
        a1.metric(t("trained_model.b.match"), f"{hits} / {m}")
    a2.metric(t("trained_model.b.outside", D=D), f"{int(outside.sum())} / {m}")
    if outside.any():
        st.markdown(
            t(
                "trained_model.b.outside_words",
                words=", ".join(
                    f"**{out[k]}** (t = {k + 1}, s = {arg[k] + 1})" for k in np.nonzero(outside)[0]
                ),
                D=D,
            )
        )
    layout.explain(t("trained_model.b.after"))
    st.caption(
        t(
            "trained_model.b.centres",
            layer=layer + 1,
            centres=", ".join(f"{w} {c + 1:.1f}" for w, c in zip(out, centre, strict=True)),
        )
    )
    widgets.export_csv(
        "trained_model",
        "alignment",
        partial(layout.matrix_frame, learned, list(out), list(src)),
        layer + 1,
    )
    st.page_link(
        "app_pages/alignment/page.py",
        label=t("trained_model.b.alignment_link"),
        icon=":material/link:",
    )


# --------------------------------------------------------------------------- the page
layout.header("trained_model")
sections.show(
    "trained_model", [[sequence], [heads], [predictions], [mechanism], [sentence, translation]]
)
