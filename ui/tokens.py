"""A typed sentence as tokens, and deterministic toy embeddings for them.

Pure functions (no Streamlit). English and other space-separated scripts are split into words
(runs of letters and digits, with inner apostrophes or hyphens kept: ``don't``, ``self-attention``);
Chinese, Japanese and Korean characters are one token each. Punctuation is skipped quietly;
anything else (symbols, emoji, HTML, control characters) is skipped and reported, so a token
only ever holds letters, digits, ``'`` and ``-`` and is safe to show as a label.

The embeddings are toys: each token's vector comes from a random generator seeded by a stable
hash of the token (BLAKE2b, never Python's per-process salted ``hash()``), so the same word
gets the same vector in every session, on every machine, for every ``d``.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

MAX_TOKENS: Final = 32  # attention over more tokens would not fit the heatmaps on a screen
MAX_TOKEN_CHARS: Final = 20  # a longer "word" is cut here (for labels and hashing)
TICK_CHARS: Final = 8  # a tick label shows at most this many characters of a token, then "…"
ELLIPSIS: Final = "…"
SUBSCRIPTS: Final = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_JOINERS: Final = "'’-"  # kept inside a word: don't, self-attention
_SUBSCRIPT_DIGITS: Final = "₀₁₂₃₄₅₆₇₈₉"


@dataclass(frozen=True)
class Tokens:
    """The tokens of a sentence and what had to be changed to get them."""

    tokens: tuple[str, ...]
    dropped: int = 0  # characters that are neither letters, digits, spaces nor punctuation
    truncated: bool = False  # more than MAX_TOKENS tokens: only the first are kept
    cut_words: bool = False  # a word longer than MAX_TOKEN_CHARS was cut
    found: int = 0  # tokens in the text, before only the first MAX_TOKENS were kept
    cut: tuple[str, ...] = ()  # the words that were cut, as typed


def _is_cjk(ch: str) -> bool:
    """A letter of a script written without spaces between words: Han, kana, hangul."""
    o = ord(ch)
    return unicodedata.category(ch)[0] == "L" and (
        0x3400 <= o <= 0x4DBF  # CJK extension A
        or 0x4E00 <= o <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= o <= 0xFAFF  # compatibility ideographs
        or 0x20000 <= o <= 0x3FFFF  # extensions B and later
        or 0x3040 <= o <= 0x30FF  # hiragana, katakana
        or 0xAC00 <= o <= 0xD7AF  # hangul syllables
    )


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN" or ch == "_"


def tokenize(text: str, max_tokens: int = MAX_TOKENS) -> Tokens:
    """Split ``text`` into at most ``max_tokens`` tokens.

    >>> tokenize("The cat sat on the mat.").tokens
    ('The', 'cat', 'sat', 'on', 'the', 'mat')
    >>> tokenize("我爱猫，猫也爱我").tokens
    ('我', '爱', '猫', '猫', '也', '爱', '我')
    >>> t = tokenize("<b>hi</b> 🙂 don't")
    >>> t.tokens, t.dropped > 0
    (('b', 'hi', 'b', "don't"), True)
    """
    tokens: list[str] = []
    word: list[str] = []
    dropped = 0
    cut_list: list[str] = []

    def flush() -> None:
        while word and word[-1] in _JOINERS:  # a trailing apostrophe or hyphen is punctuation
            word.pop()
        if word:
            if len(word) > MAX_TOKEN_CHARS:
                cut_list.append("".join(word))
            tokens.append("".join(word[:MAX_TOKEN_CHARS]))
            word.clear()

    for ch in unicodedata.normalize("NFC", str(text)):
        if _is_cjk(ch):
            flush()
            tokens.append(ch)
        elif _is_word_char(ch) or (word and (ch in _JOINERS or unicodedata.category(ch)[0] == "M")):
            word.append(ch)  # combining marks (accents, Indic vowel signs) stay in their word
        else:
            flush()
            category = unicodedata.category(ch)
            if not (ch.isspace() or category[0] == "P"):
                dropped += 1
    flush()
    return Tokens(
        tokens=tuple(tokens[:max_tokens]),
        dropped=dropped,
        truncated=len(tokens) > max_tokens,
        cut_words=bool(cut_list),
        found=len(tokens),
        cut=tuple(cut_list),
    )


def labels(tokens: tuple[str, ...] | list[str]) -> list[str]:
    """Unique axis labels: each token with its position as a subscript (``the₁ … the₅``)."""
    return [f"{tok}{str(i + 1).translate(SUBSCRIPTS)}" for i, tok in enumerate(tokens)]


def short_labels(names: Sequence[str], max_chars: int = TICK_CHARS) -> list[str]:
    """Tick labels no longer than ``max_chars`` characters (plus "…" and a position subscript).

    A long token is shortened, never dropped: ``self-attention₃`` → ``self-att…₃``. The
    position subscript that :func:`labels` adds stays whole, so labels unique before stay
    unique; labels that only the shortening made equal get their position as a subscript.

    >>> short_labels(["internationalization₁", "cat₂"])
    ['internat…₁', 'cat₂']
    >>> short_labels(["abcdefghijk", "abcdefghijz"])
    ['abcdefgh…₁', 'abcdefgh…₂']
    """
    out = []
    for name in map(str, names):
        core = name.rstrip(_SUBSCRIPT_DIGITS)
        tail = name[len(core) :]
        out.append(core[:max_chars] + ELLIPSIS + tail if len(core) > max_chars else name)
    seen: dict[str, int] = {}
    for s in out:
        seen[s] = seen.get(s, 0) + 1
    originals = list(map(str, names))
    return [
        s + str(i + 1).translate(SUBSCRIPTS) if seen[s] > 1 and s != originals[i] else s
        for i, s in enumerate(out)
    ]


def token_seed(token: str) -> int:
    """A stable 64-bit seed for a token (case-insensitive): the same in every process."""
    digest = hashlib.blake2b(token.casefold().encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def toy_embedding(token: str, d: int) -> np.ndarray:
    """A made-up ``(d,)`` vector for ``token``, entries ~ N(0, 1) rounded to 2 decimals.

    The first ``d`` entries do not depend on how many are asked for, so growing ``d`` only
    adds columns.

    >>> np.array_equal(toy_embedding("Cat", 4), toy_embedding("cat", 8)[:4])
    True
    """
    if d < 1:
        raise ValueError(f"d must be at least 1, got {d}.")
    rng = np.random.default_rng(token_seed(token))
    return np.round(rng.standard_normal(d), 2)  # (d,)


def embed(tokens: tuple[str, ...] | list[str], d: int) -> np.ndarray:
    """The toy embeddings of a token sequence, one row per token: ``(n, d)``."""
    if not tokens:
        return np.zeros((0, d))
    return np.stack([toy_embedding(tok, d) for tok in tokens])  # (n, d)


def permutation(n: int, seed: int) -> np.ndarray:
    """A seeded shuffle of ``0 .. n-1`` that moves something whenever ``n > 1``.

    >>> sorted(permutation(5, 3).tolist())
    [0, 1, 2, 3, 4]
    >>> bool((permutation(2, 0) != [0, 1]).any())
    True
    """
    perm = np.random.default_rng(seed).permutation(n)  # (n,)
    if n > 1 and np.array_equal(perm, np.arange(n)):
        perm = np.roll(perm, 1)  # the identity shows nothing: move every token one place
    return perm
