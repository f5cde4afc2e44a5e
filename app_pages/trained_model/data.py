"""The shipped models and the page's computations on them (no drawing here).

The weights in ``assets/models/`` were trained by ``models/train.py`` (``make train``); this
module loads them once per process and runs the NumPy forward passes of
``attn_core.transformer``. Parsing what a user typed also lives here, so it can be tested
without a browser.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import streamlit as st

from attn_core import (
    attn_only_forward,
    copy_accuracy,
    duplicate_token_score,
    encoder_decoder_forward,
    greedy_translate,
    induction_score,
    previous_token_score,
    translate,
)
from attn_core.toy_tasks import ADJS, LETTERS, SRC_WORDS, TGT_WORDS

MODELS_DIR: Final = Path(__file__).resolve().parents[2] / "assets" / "models"
MAX_INPUT_CHARS: Final = 200  # characters of a typed sequence or sentence
SENTENCE_MAX_WORDS: Final = 11  # the decoder also needs room for <bos>/<eos> (max_len 12)
# model B's training phrases had 0, 1 or 2 distinct adjectives (toy_tasks._noun_phrase; a test
# samples b_pair to check this number)
TRAINED_MAX_ADJ: Final = 2


@dataclass(frozen=True)
class Model:
    """One shipped model: its config (architecture, recipe, metrics) and float64 weights."""

    config: dict[str, Any]
    weights: dict[str, np.ndarray]
    checks: dict[str, np.ndarray]


def load(name: str, directory: Path = MODELS_DIR) -> Model:
    """Read ``<name>.json`` and ``<name>.npz``; arrays named ``check_*`` are the reference
    inputs and PyTorch's logits for them."""
    config = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
    with np.load(directory / f"{name}.npz") as z:
        arrays = {k: z[k] for k in z.files}
    weights = {k: v.astype(np.float64) for k, v in arrays.items() if not k.startswith("check_")}
    checks = {k: v for k, v in arrays.items() if k.startswith("check_")}
    for a in weights.values():
        a.flags.writeable = False
    return Model(config, weights, checks)


@st.cache_resource(show_spinner=False)
def induction_model() -> Model:
    return load("induction")


@st.cache_resource(show_spinner=False)
def alignment_model() -> Model:
    return load("alignment")


# --------------------------------------------------------------------------- model A
@dataclass(frozen=True)
class Parsed:
    """What was read from a typed input: the kept items and what could not be used."""

    items: tuple[str, ...]
    unknown: tuple[str, ...] = ()  # pieces that are not in the vocabulary (each once)
    too_long: int = 0  # the number of items typed when there were more than the limit


def parse_letters(text: str, max_len: int) -> Parsed:
    """A sequence for model A: letters A–Z (any case), with or without spaces between them.

    Anything else (digits, symbols, other scripts) is reported as unknown; nothing is
    silently dropped: the sequence is used only when every piece is known and it fits.
    """
    pieces = [p for p in re.split(r"[\s,;]+", text.strip()) if p]
    items: list[str] = []
    unknown: list[str] = []
    for piece in pieces:
        for ch in piece:
            if ch.upper() in LETTERS:
                items.append(ch.upper())
            elif ch not in unknown:
                unknown.append(ch)
    too_long = len(items) if len(items) > max_len else 0
    return Parsed(tuple(items), tuple(unknown), too_long)


def random_repeated(seed: int, segment: int, prefix: int) -> str:
    """Random prefix letters, a segment of distinct random letters, the segment again (text)."""
    rng = np.random.default_rng(seed)
    head = rng.integers(0, len(LETTERS), prefix)
    seg = rng.choice(len(LETTERS), size=segment, replace=False)
    return " ".join(LETTERS[i] for i in (*head, *seg, *seg))


@dataclass(frozen=True)
class InductionView:
    """Model A on one sequence, with and without the chosen heads switched off."""

    tokens: np.ndarray
    letters: tuple[str, ...]
    full: Any  # AttnOnlyRun with every head
    run: Any  # AttnOnlyRun with the ablation (== full when nothing is off)
    prev: np.ndarray  # (n_layers, n_heads) previous-token score
    dup: np.ndarray  # (n_layers, n_heads) duplicate-token score
    ind: np.ndarray  # (n_layers, n_heads) induction score
    acc_full: float
    acc: float
    copy_pos: np.ndarray  # the copy positions
    correct_full: np.ndarray
    correct: np.ndarray


@lru_cache(maxsize=64)
def induction_view(letters: tuple[str, ...], off: tuple[tuple[int, int], ...]) -> InductionView:
    model = induction_model()
    cfg = model.config
    tokens = np.array([LETTERS.index(c) for c in letters], dtype=np.int64)
    L, H = cfg["n_layers"], cfg["n_heads"]
    full = attn_only_forward(model.weights, tokens, L, H)
    run = attn_only_forward(model.weights, tokens, L, H, ablate=off) if off else full
    w = full.weights  # scores describe the heads themselves, so they come from the full run
    prev = np.asarray(previous_token_score(w), dtype=np.float64).reshape(L, H)
    dup = np.asarray(duplicate_token_score(w, tokens), dtype=np.float64).reshape(L, H)
    ind = np.asarray(induction_score(w, tokens), dtype=np.float64).reshape(L, H)
    acc_full, pos, correct_full = copy_accuracy(full.logits, tokens)
    acc, _, correct = copy_accuracy(run.logits, tokens)
    return InductionView(
        tokens, letters, full, run, prev, dup, ind, acc_full, acc, pos, correct_full, correct
    )


# --------------------------------------------------------------------------- model B
def parse_sentence(text: str, max_words: int = SENTENCE_MAX_WORDS) -> Parsed:
    """Source words of model B (lower-cased); unknown words are listed, never dropped."""
    words = [w for w in re.split(r"[\s,.;!?]+", text.strip().lower()) if w]
    vocab = set(SRC_WORDS[1:])
    unknown = tuple(dict.fromkeys(w for w in words if w not in vocab))
    too_long = len(words) if len(words) > max_words else 0
    return Parsed(tuple(words), unknown, too_long)


def adjective_runs(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The runs of consecutive adjectives in a sentence (one per noun phrase)."""
    runs: list[tuple[str, ...]] = []
    current: list[str] = []
    for w in (*words, ""):
        if w in ADJS:
            current.append(w)
        elif current:
            runs.append(tuple(current))
            current = []
    return runs


def unlike_training(words: tuple[str, ...]) -> bool:
    """True when a noun has more adjectives than training ever gave it, or one twice."""
    return any(len(r) > TRAINED_MAX_ADJ or len(set(r)) < len(r) for r in adjective_runs(words))


@dataclass(frozen=True)
class TranslationView:
    """Model B on one sentence: its greedy translation and its cross-attention."""

    src: tuple[str, ...]
    out: tuple[str, ...]  # the model's words (no <eos>)
    run: Any  # EncDecRun teacher-forced on the model's own output
    gold: tuple[str, ...] | None  # the grammar's translation, None if not a grammatical sentence
    gold_align: tuple[int, ...] | None


@lru_cache(maxsize=64)
def translation_view(words: tuple[str, ...]) -> TranslationView:
    model = alignment_model()
    src_ix = {w: i for i, w in enumerate(SRC_WORDS)}
    tgt_ix = {w: i for i, w in enumerate(TGT_WORDS)}
    src = [src_ix[w] for w in words]
    out, run = greedy_translate(model.weights, model.config, src, tgt_ix["<bos>"], tgt_ix["<eos>"])
    gold = translate(list(words))
    return TranslationView(
        words,
        tuple(TGT_WORDS[i] for i in out),
        run,
        None if gold is None else tuple(gold[0]),
        None if gold is None else tuple(gold[1]),
    )


def teacher_forced(words: tuple[str, ...], target: tuple[str, ...]) -> Any:
    """Model B's run with the given target words as decoder input (for the gold alignment)."""
    model = alignment_model()
    src_ix = {w: i for i, w in enumerate(SRC_WORDS)}
    tgt_ix = {w: i for i, w in enumerate(TGT_WORDS)}
    return encoder_decoder_forward(
        model.weights,
        model.config,
        [src_ix[w] for w in words],
        [tgt_ix["<bos>"], *(tgt_ix[w] for w in target)],
    )
