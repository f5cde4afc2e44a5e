r"""The two toy tasks the trained models of the "trained model" page learned (NumPy only).

* **Repeated random tokens** (model A, induction): a random prefix of random length, a segment
  of distinct random letters of random length, the same segment again, then random letters to
  the end (:func:`induction_batch`). Copying the second half needs an induction head: "find
  where my token appeared before and predict what followed it" (Olsson et al. 2022).
* **A toy translation** (model B, alignment): toy English ``DET ADJ* NOUN VERB DET ADJ* NOUN``
  into a toy Spanish in which the adjectives follow their noun (:func:`b_pair`), so the gold
  alignment is monotonic except for local swaps inside each noun phrase.

The training script ``models/train.py`` and the tests draw their data from here, so a held-out
sentence (:func:`held_out`) is never one the model was trained on.
"""

from __future__ import annotations

import zlib

import numpy as np

LETTERS: tuple[str, ...] = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")  # model A's vocabulary

# model B: toy English -> toy Spanish, word by word; adjectives move behind their noun.
DETS = {"the": "el", "a": "un"}
ADJS = {
    "big": "grande",
    "small": "pequeño",
    "red": "rojo",
    "black": "negro",
    "white": "blanco",
    "old": "viejo",
    "young": "joven",
}
NOUNS = {
    "dog": "perro",
    "cat": "gato",
    "bird": "pájaro",
    "horse": "caballo",
    "wolf": "lobo",
    "bear": "oso",
    "mouse": "ratón",
    "fish": "pez",
}
VERBS = {
    "sees": "ve",
    "follows": "sigue",
    "eats": "come",
    "loves": "ama",
    "finds": "encuentra",
    "bites": "muerde",
}
LEXICON = {**DETS, **ADJS, **NOUNS, **VERBS}
SRC_SPECIALS = ("<pad>",)
TGT_SPECIALS = ("<pad>", "<bos>", "<eos>")
SRC_WORDS: tuple[str, ...] = SRC_SPECIALS + tuple(LEXICON)
TGT_WORDS: tuple[str, ...] = TGT_SPECIALS + tuple(LEXICON.values())


def induction_batch(
    rng: np.random.Generator,
    n: int,
    length: int,
    cfg: dict,
    p_random: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` sequences of ``length`` tokens: prefix, segment, segment again, random filler.

    Args:
        rng: the random generator (seed it for reproducible data).
        n, length: number and length of the sequences.
        cfg: ``vocab_size``, ``min_segment``, ``max_segment`` (segment length drawn uniformly),
            ``p_random`` (share of plain random sequences, unless given here),
            ``distinct_segment`` (default True: no letter twice in a segment), ``p_skip``
            (default 0: share of "skip-bigram" sequences whose token ``i + 1`` is, with
            probability ``skip_keep``, a fixed permutation (seeded by ``skip_seed``) of token
            ``i - 1``; predicting them needs the previous token, as natural text often does).

    Returns:
        ``tokens (n, length)`` int64, ``starts (n,)`` where the first copy starts and
        ``lengths (n,)`` the segment length ``L`` (0 for a plain random sequence). The second
        copy starts at ``starts + lengths``.
    """
    V = cfg["vocab_size"]
    p_random = cfg["p_random"] if p_random is None else p_random
    tokens = rng.integers(0, V, size=(n, length), dtype=np.int64)
    starts = np.zeros(n, dtype=np.int64)
    lengths = np.zeros(n, dtype=np.int64)
    p_skip = cfg.get("p_skip", 0.0)
    skip_map = np.random.default_rng(cfg.get("skip_seed", 0)).permutation(V)
    for b in range(n):
        u = rng.random()
        if u < p_random:
            continue
        if u < p_random + p_skip:  # t_{i+1} = pi(t_{i-1}) mostly: the token before matters
            for i in range(2, length):
                if rng.random() < cfg.get("skip_keep", 0.8):
                    tokens[b, i] = skip_map[tokens[b, i - 2]]
            continue
        L = int(rng.integers(cfg["min_segment"], min(cfg["max_segment"], length // 2) + 1))
        s = int(rng.integers(0, length - 2 * L + 1))
        seg = rng.choice(V, size=L, replace=not cfg.get("distinct_segment", True))
        tokens[b, s : s + L] = seg
        tokens[b, s + L : s + 2 * L] = seg
        starts[b], lengths[b] = s, L
    return tokens, starts, lengths


def _noun_phrase(rng: np.random.Generator) -> tuple[list[str], list[str], list[int]]:
    """Source words, target words and, per target word, its source index inside the phrase."""
    det = str(rng.choice(list(DETS)))
    n_adj = int(rng.choice(3, p=[0.3, 0.4, 0.3]))
    adjs = [str(a) for a in rng.choice(list(ADJS), size=n_adj, replace=False)]
    noun = str(rng.choice(list(NOUNS)))
    src = [det, *adjs, noun]
    tgt = [DETS[det], NOUNS[noun], *(ADJS[a] for a in adjs)]
    align = [0, n_adj + 1, *range(1, n_adj + 1)]
    return src, tgt, align


def translate(words: list[str]) -> tuple[list[str], list[int]] | None:
    """Gold translation and alignment of a grammatical toy-English sentence, else ``None``.

    The alignment lists, for each target word, the index of the source word it translates.

    >>> translate("the big dog sees a cat".split())
    (['el', 'perro', 'grande', 've', 'un', 'gato'], [0, 2, 1, 3, 4, 5])
    """
    out: list[str] = []
    align: list[int] = []
    i = 0

    def phrase(i: int) -> int | None:
        if i >= len(words) or words[i] not in DETS:
            return None
        j = i + 1
        while j < len(words) and words[j] in ADJS:
            j += 1
        if j >= len(words) or words[j] not in NOUNS:
            return None
        out.extend([DETS[words[i]], NOUNS[words[j]], *(ADJS[w] for w in words[i + 1 : j])])
        align.extend([i, j, *range(i + 1, j)])
        return j + 1

    i = phrase(0)
    if i is None or i >= len(words) or words[i] not in VERBS:
        return None
    out.append(VERBS[words[i]])
    align.append(i)
    end = phrase(i + 1)
    if end != len(words):
        return None
    return out, align


def b_pair(rng: np.random.Generator) -> tuple[list[str], list[str], list[int]]:
    """One random sentence pair ``(source words, target words, gold alignment)``."""
    s1, t1, a1 = _noun_phrase(rng)
    verb = str(rng.choice(list(VERBS)))
    s2, t2, a2 = _noun_phrase(rng)
    off = len(s1) + 1
    src = [*s1, verb, *s2]
    tgt = [*t1, VERBS[verb], *t2]
    align = [*a1, len(s1), *(a + off for a in a2)]
    return src, tgt, align


def held_out(src: list[str]) -> bool:
    """True for the tenth of all sentences kept out of training (by a CRC of the words)."""
    return zlib.crc32(" ".join(src).encode()) % 10 == 0


def b_vocab() -> tuple[dict[str, int], dict[str, int]]:
    """Word -> index for the source and the target language (index 0 is padding)."""
    return {w: i for i, w in enumerate(SRC_WORDS)}, {w: i for i, w in enumerate(TGT_WORDS)}
