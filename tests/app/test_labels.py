"""Every token is written on every attention heatmap of the self-attention page.

The page's figures are read back from what the page sends (AppTest): for each heatmap whose
axis carries tokens, the axis must write every one of them (``tickmode: "array"`` with a
tick per token), long tokens shortened with "…" and never dropped.
"""

from __future__ import annotations

import pytest

from app_pages.self_attention import figures as fig_self_attention
from attn_core.positional import positional_wavelengths
from tests.app.conftest import assert_ok, open_page
from tests.helpers import array, charts
from ui.i18n import catalog
from ui.tokens import ELLIPSIS, MAX_TOKENS, TICK_CHARS, labels, short_labels, tokenize

PAGE = "app_pages/self_attention/page.py"
PE_POSITIONS, FLAT_BELOW = 64, 0.25  # as on the page
TOKEN_FIGURES = (  # figures whose y axes (and the heads' x axes too) are the tokens
    "self_attention.fig_x",
    "self_attention.fig_qkv",
    "self_attention.fig_heads",
    "self_attention.fig_concat",
)
LONG_WORD = "internationalization"  # 20 characters, the longest a token may be


def token_axes(spec: dict) -> list[tuple[str, dict, list[str]]]:
    """(axis name, axis, the categories its heatmap puts on it) for each axis of tokens."""
    out = []
    layout = spec["layout"]
    for tr in spec["data"]:
        if tr.get("type") != "heatmap":
            continue
        for letter in "xy":
            ref = tr.get(f"{letter}axis", letter)
            name = f"{letter}axis{ref[1:]}"
            values = tr.get(letter)
            strings = isinstance(values, list) and values and isinstance(values[0], str)
            if strings and not all(v.isdigit() for v in values):  # dimensions are not tokens
                out.append((name, layout.get(name, {}), values))
    return out


def assert_every_token_written(spec: dict, tokens: list[str]) -> int:
    """Every token axis writes one tick per token, each the token's (shortened) label."""
    axes = token_axes(spec)
    want = short_labels(labels(tokens))
    for name, axis, values in axes:
        assert axis.get("tickmode") == "array", name
        assert axis.get("showticklabels", True), name
        assert axis["tickvals"] == values, name  # a tick on every category, none skipped
        assert axis["ticktext"] == want, name
    return len(axes)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_token_of_the_default_sentence_is_on_every_attention_heatmap(lang):
    at = open_page(PAGE, lang=lang)
    assert_ok(at)
    tokens = list(tokenize(catalog(lang)["self_attention.sentence.default"]).tokens)
    specs = charts(at, raw=True)
    assert set(TOKEN_FIGURES) <= set(specs)
    for key in TOKEN_FIGURES:
        n_axes = assert_every_token_written(specs[key], tokens)
        assert n_axes >= 1, key
    # the heads: both axes of every head are tokens
    heads = sum(1 for tr in specs["self_attention.fig_heads"]["data"] if tr["type"] == "heatmap")
    assert assert_every_token_written(specs["self_attention.fig_heads"], tokens) == 2 * heads
    text = " ".join(specs["self_attention.fig_heads"]["layout"]["xaxis"]["ticktext"])
    for tok in tokens:  # each token, by name
        assert tok in text


def test_a_longer_sentence_labels_it_and_animal_on_every_head():
    sentence = "The animal didn't cross the street because it was too tired"
    at = open_page(PAGE, query={"sentence": sentence, "heads": "4"})
    assert_ok(at)
    tokens = list(tokenize(sentence).tokens)
    spec = charts(at, raw=True)["self_attention.fig_heads"]
    assert assert_every_token_written(spec, tokens) == 2 * 4
    for name, axis, _ in token_axes(spec):
        assert "animal₂" in axis["ticktext"] and "it₈" in axis["ticktext"], name


def test_long_tokens_are_shortened_not_dropped_up_to_the_token_limit():
    words = [f"w{i}" for i in range(MAX_TOKENS - 1)]
    words.insert(14, LONG_WORD)
    sentence = " ".join(words)
    at = open_page(PAGE, query={"sentence": sentence, "heads": "4"})
    assert_ok(at)
    tokens = list(tokenize(sentence).tokens)
    assert len(tokens) == MAX_TOKENS
    specs = charts(at, raw=True)
    short = f"{LONG_WORD[:TICK_CHARS]}{ELLIPSIS}₁₅"
    for key in (*TOKEN_FIGURES, "self_attention.fig_perm"):
        spec = specs[key]
        axes = token_axes(spec)
        assert axes, key
        for name, axis, values in axes:
            assert axis["tickmode"] == "array"
            assert len(axis["ticktext"]) == MAX_TOKENS == len(set(axis["ticktext"])), (key, name)
            assert short in axis["ticktext"], (key, name)
            assert all(len(s.rstrip("₀₁₂₃₄₅₆₇₈₉")) <= TICK_CHARS + 1 for s in axis["ticktext"])
            assert f"{LONG_WORD}₁₅" in values  # the full token stays in the data and the hover


def test_the_encoding_shows_every_pair_s_wave_and_its_computed_wavelengths():
    for d in (8, 4, 2):
        at = open_page(PAGE, query={"d": str(d)})
        assert_ok(at)
        wl = positional_wavelengths(d)
        text = " ".join(m.value for m in at.markdown)
        for w in wl:
            assert fig_self_attention.wavelength_text(w) in text
        turn = (PE_POSITIONS - 1) / wl[-1]  # turns of the slowest pair over the heatmap
        assert f"{turn:.2%}" in text
        flat = catalog("en")["self_attention.pe.slow"].split("?")[0]  # "Why do … look flat"
        assert (flat in text) == (turn < FLAT_BELOW)
        spec = charts(at, raw=True)["self_attention.fig_waves"]
        layout = spec["layout"]
        lines = [tr for tr in spec["data"] if tr.get("mode") == "lines"]
        assert len(lines) == d  # a sine and a cosine line for every pair
        for i, w in enumerate(wl):
            suffix = "" if i == 0 else str(i + 1)
            lo, hi = layout[f"xaxis{suffix}"]["range"]
            assert hi - lo >= w  # one full turn of the pair is drawn
            for tr in lines:
                if tr.get("xaxis", "x") == f"x{suffix}":  # the whole wave: from −1 to 1
                    y = array(tr["y"])
                    assert y.max() > 0.99 and y.min() < -0.99
