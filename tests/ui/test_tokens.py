"""Tokenising a typed sentence and its deterministic toy embeddings."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ui.tokens import (
    MAX_TOKEN_CHARS,
    MAX_TOKENS,
    embed,
    labels,
    permutation,
    token_seed,
    tokenize,
    toy_embedding,
)

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_PUNCT = set("'’-_")


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("the cat sat on the mat", ("the", "cat", "sat", "on", "the", "mat")),
        ("Hello, world!", ("Hello", "world")),
        ("don't stop self-attention", ("don't", "stop", "self-attention")),
        ("'quoted' -dash- end-", ("quoted", "dash", "end")),
        ("我爱猫，猫也爱我", ("我", "爱", "猫", "猫", "也", "爱", "我")),
        ("我爱 NLP 2024", ("我", "爱", "NLP", "2024")),
        ("注意力机制attention", ("注", "意", "力", "机", "制", "attention")),
        ("ひらがなカタカナ 한국", ("ひ", "ら", "が", "な", "カ", "タ", "カ", "ナ", "한", "국")),
        ("नमस्ते दुनिया", ("नमस्ते", "दुनिया")),
        ("café naïve", ("café", "naïve")),
        ("  \t\n ", ()),
        ("", ()),
    ],
)
def test_tokenize(text, tokens):
    result = tokenize(text)
    assert result.tokens == tokens
    assert result.dropped == 0 and not result.truncated and not result.cut_words


@pytest.mark.parametrize(
    ("text", "tokens", "dropped"),
    [
        ("<script>alert(1)</script>", ("script", "alert", "1", "script"), 4),
        ("cat 🙂 dog", ("cat", "dog"), 1),
        ("a\x00b\x1bc", ("a", "b", "c"), 2),
        ("$x^2$ + <b>y</b>", ("x", "2", "b", "y", "b"), 8),
        ("javascript:alert(document.cookie)", ("javascript", "alert", "document", "cookie"), 0),
    ],
)
def test_hostile_text_keeps_only_letters_and_digits(text, tokens, dropped):
    result = tokenize(text)
    assert result.tokens == tokens
    assert result.dropped == dropped


def test_caps_on_tokens_and_word_length():
    result = tokenize(" ".join(f"w{i}" for i in range(100)))
    assert len(result.tokens) == MAX_TOKENS and result.truncated
    assert result.tokens[-1] == f"w{MAX_TOKENS - 1}"
    long = tokenize("a" * 500)
    assert long.tokens == ("a" * MAX_TOKEN_CHARS,) and long.cut_words
    assert len(tokenize("字" * 100_000).tokens) == MAX_TOKENS


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_safe_tokens(text):
    result = tokenize(text)
    assert len(result.tokens) <= MAX_TOKENS
    for tok in result.tokens:
        assert 1 <= len(tok) <= MAX_TOKEN_CHARS
        assert all(
            ch.isalnum() or ch in ALLOWED_PUNCT or unicodedata.category(ch)[0] == "M" for ch in tok
        ), tok
        assert not any(ch in '<>&"`$\\{}' for ch in tok)


def test_labels_are_unique_even_for_repeated_tokens():
    lab = labels(("the", "cat", "the"))
    assert lab == ["the₁", "cat₂", "the₃"]
    assert len(set(labels(("a",) * 32))) == 32


def test_embeddings_are_deterministic_and_case_insensitive():
    a = toy_embedding("Cat", 8)
    np.testing.assert_array_equal(a, toy_embedding("cat", 8))
    np.testing.assert_array_equal(a, toy_embedding("CAT", 16)[:8])  # growing d adds columns
    assert not np.array_equal(a, toy_embedding("dog", 8))
    assert a.dtype == np.float64 and np.array_equal(a, np.round(a, 2))
    X = embed(("the", "cat", "the"), 5)
    assert X.shape == (3, 5)
    np.testing.assert_array_equal(X[0], X[2])
    assert embed((), 4).shape == (0, 4)
    with pytest.raises(ValueError, match="at least 1"):
        toy_embedding("x", 0)


def test_embeddings_do_not_depend_on_the_process_hash_seed():
    code = (
        "from ui.tokens import toy_embedding, token_seed; "
        "print(token_seed('猫'), toy_embedding('cat', 4).tolist())"
    )
    outs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        outs.add(out.stdout)
    assert len(outs) == 1
    assert outs.pop().split()[0] == str(token_seed("猫"))


def test_permutation_always_moves_something():
    for n in range(2, 12):
        for seed in range(30):
            perm = permutation(n, seed)
            assert sorted(perm.tolist()) == list(range(n))
            assert (perm != np.arange(n)).any()
    assert permutation(1, 3).tolist() == [0]
    np.testing.assert_array_equal(permutation(6, 4), permutation(6, 4))


def test_tick_labels_shorten_long_tokens_and_keep_their_position():
    from ui.tokens import ELLIPSIS, TICK_CHARS, short_labels

    names = labels(tokenize("internationalization cat internationalism").tokens)
    short = short_labels(names)
    assert short == [f"internat{ELLIPSIS}₁", "cat₂", f"internat{ELLIPSIS}₃"]
    assert len(set(short)) == len(short)  # still tell the two apart
    assert short_labels(["abcdefghijk", "abcdefghijz"]) == [
        f"abcdefgh{ELLIPSIS}₁",
        f"abcdefgh{ELLIPSIS}₂",
    ]  # made equal by the cut: told apart by their place
    assert short_labels(["exactly8", "x"]) == ["exactly8", "x"]  # short ones untouched
    assert all(len(s.rstrip("₀₁₂₃₄₅₆₇₈₉")) <= TICK_CHARS + 1 for s in short)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=MAX_TOKEN_CHARS), min_size=1, max_size=MAX_TOKENS))
def test_tick_labels_of_any_sentence_are_unique_short_and_all_there(words):
    from ui.tokens import TICK_CHARS, short_labels

    names = labels(words)  # unique by their position subscripts
    short = short_labels(names)
    assert len(short) == len(names)  # none dropped
    assert len(set(short)) == len(short)
    for full, s in zip(names, short, strict=True):
        core = s.rstrip("₀₁₂₃₄₅₆₇₈₉")
        assert len(core) <= TICK_CHARS + 1
        assert full.startswith(core.removesuffix("…")) or s == full
