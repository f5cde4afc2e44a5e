"""Self-attention page: tokens → X → Q, K, V → heads → W_O, the encoding and the shuffle.

Every control in both languages, hostile links, and the numbers on the page against the core.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from attn_core import (
    causal_mask,
    multi_head_attention,
    random_mha_weights,
    sinusoidal_positional_encoding,
)
from tests.app.conftest import assert_ok, open_page
from tests.helpers import array, chart, chart_keys, link, link_params
from ui.editor import editor_key
from ui.formulas import num
from ui.i18n import catalog
from ui.tokens import embed, permutation, tokenize

PAGE = "app_pages/self_attention/page.py"
EN_SENTENCE = "the cat sat on the mat"


def open_self_attention(query: Mapping[str, str] | None = None, lang: str = "en") -> AppTest:
    """Open the page as a browser opens its link (a new session with these parameters)."""
    return open_page(PAGE, query=query, lang=lang)


def panels(at: AppTest, key: str) -> list[np.ndarray]:
    return [array(tr["z"]) for tr in chart(at, key, raw=True)["data"] if tr["type"] == "heatmap"]


def metrics(at: AppTest) -> list[float]:
    return [float(m.value) for m in at.metric]


def expected(
    sentence: str = EN_SENTENCE,
    d: int = 8,
    heads: int = 2,
    seed: int = 0,
    causal: bool = False,
    pe: bool = False,
):
    """What the core computes for the page's inputs (independently of the page)."""
    X = embed(tokenize(sentence).tokens, d)
    if pe:
        X = X + sinusoidal_positional_encoding(len(X), d)
    W = random_mha_weights(d, d, seed=seed)
    mask = causal_mask(len(X)) if causal else None
    return X, W, multi_head_attention(X, X, **W, n_heads=heads, mask=mask)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_renders_in_both_languages(lang):
    at = open_self_attention(lang=lang)
    assert_ok(at)
    assert at.title[0].value == catalog(lang)["self_attention.title"]
    # X, Q·K·V, heads, concatenation, the encoding and its waves, the shuffle
    assert len(at.get("plotly_chart")) == 7
    assert len(at.metric) == 2
    assert not at.warning


def test_heads_queries_and_output_equal_the_core():
    at = open_self_attention(query={"sentence": EN_SENTENCE})
    assert_ok(at)
    X, W, r = expected()
    np.testing.assert_allclose(panels(at, "self_attention.fig_x")[0], X)
    q, k, v = panels(at, "self_attention.fig_qkv")
    np.testing.assert_allclose(q, r.Q)
    np.testing.assert_allclose(k, r.K)
    np.testing.assert_allclose(v, r.V)
    heads = panels(at, "self_attention.fig_heads")
    assert len(heads) == 2
    for h in range(2):
        np.testing.assert_allclose(heads[h], r.weights[h])
    concat, w_o, y = panels(at, "self_attention.fig_concat")
    np.testing.assert_allclose(concat, r.concat)
    np.testing.assert_allclose(w_o, W["W_o"])
    np.testing.assert_allclose(y, r.output)
    # the worked-out row: token 1, head 1 — the same numbers as the arrays
    text = " ".join(lx.value for lx in at.latex)
    for value in (r.scores[0, 0, 0], r.weights[0, 0, 1], r.head_outputs[0, 0, 0], r.output[0, 0]):
        assert num(value) in text


def test_same_token_gets_the_same_output_without_positional_encoding():
    at = open_self_attention(query={"sentence": EN_SENTENCE})
    y = panels(at, "self_attention.fig_concat")[2]
    np.testing.assert_array_equal(y[0], y[4])  # "the" twice
    at.toggle(key="self_attention.pe").set_value(True).run()
    y = panels(at, "self_attention.fig_concat")[2]
    assert np.max(np.abs(y[0] - y[4])) > 1e-3


@pytest.mark.parametrize("shuffle", ["1", "7"])
def test_permutation_check_measures_zero_without_and_nonzero_with_encoding(shuffle):
    at = open_self_attention(query={"sentence": EN_SENTENCE, "shuffle": shuffle})
    assert_ok(at)
    without, with_pe = metrics(at)
    assert without < 1e-12
    assert with_pe > 1e-3
    # the page's numbers are the core's
    X = embed(tokenize(EN_SENTENCE).tokens, 8)
    W = random_mha_weights(8, 8, seed=0)
    perm = permutation(len(X), int(shuffle))
    pe = sinusoidal_positional_encoding(len(X), 8)
    Y = multi_head_attention(X + pe, X + pe, **W, n_heads=2).output
    Xs = X[perm] + pe
    Ys = multi_head_attention(Xs, Xs, **W, n_heads=2).output
    assert f"{with_pe:.3g}" == f"{np.max(np.abs(Ys - Y[perm])):.3g}"
    a, b, diff = panels(at, "self_attention.fig_perm")
    np.testing.assert_allclose(diff, a - b)
    assert np.max(np.abs(diff)) < 1e-12  # the figure shows the current (no encoding) case


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_control(lang):
    at = open_self_attention(lang=lang)
    assert_ok(at)
    at.text_input(key="self_attention.sentence").input("attention is all you need").run()
    at.slider(key="self_attention.d").set_value(12).run()
    assert at.radio(key="self_attention.heads").options == ["1", "2", "3", "4", "6", "12"]
    at.radio(key="self_attention.heads").set_value(3).run()
    at.number_input(key="self_attention.seed").set_value(5).run()
    at.toggle(key="self_attention.show_w").set_value(True).run()
    at.toggle(key="self_attention.causal").set_value(True).run()
    at.selectbox(key="self_attention.row").set_value(4).run()
    at.selectbox(key="self_attention.head").set_value(2).run()
    at.toggle(key="self_attention.pe").set_value(True).run()
    at.button(key="self_attention.shuffle_btn").click().run()
    assert_ok(at)
    assert len(at.get("plotly_chart")) == 8  # + the weight matrices
    for part in ("d=12", "heads=3", "seed=5", "show_w=1", "causal=1", "row=4", "head=2", "pe=1"):
        assert part in link(at)
    assert "shuffle=2" in link(at)
    _, W, r = expected("attention is all you need", d=12, heads=3, seed=5, causal=True, pe=True)
    heads = panels(at, "self_attention.fig_heads")
    assert len(heads) == 3
    upper = ~causal_mask(5)
    for h in range(3):
        assert np.isnan(heads[h][upper]).all()  # masked cells are blank
        np.testing.assert_allclose(heads[h][~upper], r.weights[h][~upper])
    w_q = panels(at, "self_attention.fig_w")[0]
    np.testing.assert_allclose(w_q, W["W_q"])
    assert len(panels(at, "self_attention.fig_x")) == 3  # X, PE, X + PE
    text = " ".join(lx.value for lx in at.latex)
    assert num(r.head_outputs[1, 3, 0]) in text  # token 4, head 2
    assert at.warning  # the causal mask breaks the symmetry by itself: said on the page


def test_heads_follow_d_model():
    at = open_self_attention(query={"d": "12", "heads": "6"})
    at.slider(key="self_attention.d").set_value(
        8
    ).run()  # 6 does not divide 8: the largest that does
    assert_ok(at)
    assert at.session_state["self_attention.heads"] == 4
    # the heads the user chose changed: said, with the old and the new number
    assert [w.value for w in at.warning] == [
        catalog("en")["self_attention.notice.heads"].format(heads=6, d=8, fixed=4)
    ]


def test_matrix_mode_edit_fill_and_reset():
    at = open_self_attention()
    at.radio(key="self_attention.source").set_value("matrix").run()
    assert_ok(at)
    assert at.session_state["self_attention.heads"] == 2  # 4 columns: 2 still divides
    assert len(panels(at, "self_attention.fig_heads")[0]) == 4
    key = editor_key("self_attention.X")
    at.session_state[key] = {"edited_rows": {0: {"1": 3.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert_ok(at)
    X = panels(at, "self_attention.fig_x")[0]
    assert X[0, 0] == 3.0
    assert "X=3" in link(at)
    at.button(key="self_attention.fill_x").click().run()
    X = panels(at, "self_attention.fig_x")[0]
    np.testing.assert_allclose(X, embed(tokenize(EN_SENTENCE).tokens, 8))
    at.button(key="self_attention.reset_x").click().run()
    assert "X=" not in link(at)
    assert_ok(at)


def test_matrix_link_reopens_the_same_matrix():
    at = open_self_attention(query={"source": "matrix", "X": "1,2;3,4;5,6", "heads": "2"})
    assert_ok(at)
    np.testing.assert_allclose(panels(at, "self_attention.fig_x")[0], [[1, 2], [3, 4], [5, 6]])
    assert len(panels(at, "self_attention.fig_heads")) == 2


def test_chinese_sentence_is_split_into_characters():
    at = open_self_attention(query={"sentence": "我爱猫，猫也爱我"}, lang="zh")
    assert_ok(at)
    assert len(panels(at, "self_attention.fig_x")[0]) == 7
    assert "我 · 爱 · 猫 · 猫 · 也 · 爱 · 我" in " ".join(m.value for m in at.markdown)


def test_default_sentence_follows_the_language():
    at = open_self_attention(lang="zh")
    assert (
        at.session_state["self_attention.sentence"]
        == catalog("zh")["self_attention.sentence.default"]
    )
    assert "sentence=" not in link(at)


@pytest.mark.parametrize(
    ("query", "state"),
    [
        ({"d": "1e999", "seed": "<script>alert(1)</script>", "causal": "maybe"}, {"d": 8}),
        ({"d": "nan", "heads": "-4", "source": "evil"}, {"d": 8, "heads": 1}),
        ({"d": "500", "row": "99", "shuffle": "2.5"}, {"d": 64, "row": 6, "shuffle": 1}),
        ({"d": "8", "heads": "3"}, {"heads": 2}),
        ({"X": "1,2;3", "source": "matrix"}, {"source": "matrix"}),
        ({"X": ";".join(["1,2"] * 40), "source": "matrix"}, {"source": "matrix"}),
        ({"X": "nan,1;2,3", "source": "matrix"}, {"source": "matrix"}),
        ({"X": "1e9,1;2,3", "source": "matrix"}, {"source": "matrix"}),
        ({"sentence": "x" * 100_000}, {}),
    ],
)
def test_hostile_links_are_clamped_with_a_notice(query, state):
    at = open_self_attention(query=query)
    assert_ok(at)
    assert at.warning, "a notice says what was changed"
    for name, value in state.items():
        assert at.session_state[f"self_attention.{name}"] == value
    assert "<script>" not in link(at)


def test_hostile_sentence_is_cleaned_not_echoed():
    at = open_self_attention(query={"sentence": "<script>alert(1)</script> cat 🙂 \x00"})
    assert_ok(at)
    shown = " ".join(m.value for m in at.markdown)
    assert "<script>" not in shown
    assert at.info  # the ignored characters are counted
    assert len(panels(at, "self_attention.fig_x")[0]) == 5  # script, alert, 1, script, cat


def test_empty_and_long_sentences():
    at = open_self_attention(query={"sentence": "!!! ..."})
    assert_ok(at)
    assert at.warning  # nothing to attend over: the example sentence is used
    assert len(panels(at, "self_attention.fig_x")[0]) == 6
    at = open_self_attention(query={"sentence": " ".join(f"w{i}" for i in range(40))})
    assert_ok(at)
    assert at.warning
    assert len(panels(at, "self_attention.fig_x")[0]) == 32


def test_shared_link_reopens_the_same_view():
    at = open_self_attention()
    at.slider(key="self_attention.d").set_value(16).run()
    at.radio(key="self_attention.heads").set_value(4).run()
    at.toggle(key="self_attention.causal").set_value(True).run()
    query = dict(p.split("=", 1) for p in link(at).split("?", 1)[1].split("&"))
    again = open_self_attention(query={k: v for k, v in query.items() if k != "lang"})
    assert_ok(again)
    for a, b in zip(
        panels(at, "self_attention.fig_heads"),
        panels(again, "self_attention.fig_heads"),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)


# --- presentation mode: one section at a time -----------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presentation_mode_shows_one_section_and_next_moves_on(lang):
    cat = catalog(lang)
    at = open_self_attention(query={"pres": "1", "sentence": EN_SENTENCE, "heads": "4"}, lang=lang)
    assert_ok(at)
    assert [h.value for h in at.header] == [cat["self_attention.tokens.title"]]
    assert chart_keys(at) == ["self_attention.fig_x"]
    assert at.button(key="self_attention._sec_prev").disabled
    at.button(key="self_attention._sec_next").click().run()
    assert_ok(at)
    assert [h.value for h in at.header] == [cat["self_attention.qkv.title"]]
    assert chart_keys(at) == ["self_attention.fig_qkv"]
    assert link_params(at)["sec"] == "2" and link_params(at)["heads"] == "4"
    _, _, r = expected(heads=4)
    np.testing.assert_allclose(panels(at, "self_attention.fig_qkv")[0], r.Q)
    # the worked row opened alone from a link: the model rebuilt from the link, the core's numbers
    again = open_self_attention(query={**link_params(at), "sec": "4", "row": "3"}, lang=lang)
    assert_ok(again)
    assert [h.value for h in again.header] == [cat["self_attention.concat.title"]]
    assert chart_keys(again) == ["self_attention.fig_concat"]
    text = " ".join(lx.value for lx in again.latex)
    assert num(r.scores[0, 2, 2]) in text and num(r.output[2, 0]) in text


# --- predict, then reveal: the token the worked token attends to most ------------------------


def top_two(r, i: int, h: int) -> tuple[int, int]:
    """The token row ``i`` of head ``h`` weighs most, and the runner-up (from the core)."""
    order = np.argsort(-r.weights[h, i], kind="stable")
    return int(order[0]), int(order[1])


def test_a_guess_in_a_link_is_asked_again_with_the_heatmap_hidden():
    at = open_self_attention(query={"sentence": "a dog chased the ball", "guess": "1", "g": "2"})
    assert_ok(at)
    assert "self_attention.fig_heads" not in chart_keys(at)  # the answer is hidden …
    assert "self_attention.fig_concat" in chart_keys(at)  # … not what does not give it away
    assert at.radio(key="self_attention._guess_pick").value == 2  # the link's guess, reopened
    shown = " ".join(m.value for m in at.markdown)
    assert "which token does **a₁** attend to most" in shown
    assert catalog("en")["self_attention.guess.hidden"] in [i.value for i in at.info]
    assert not at.latex or "softmax" not in " ".join(lx.value for lx in at.latex)
    params = link_params(at)
    assert params["guess"] == "1" and params["g"] == "2"
    again = open_self_attention(query={k: v for k, v in params.items() if k != "lang"})
    assert again.radio(key="self_attention._guess_pick").value == 2


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("right", [True, False])
def test_the_reveal_says_right_or_wrong_and_why_with_the_weights(lang, right):
    sentence = "a dog chased the ball"
    _, _, r = expected(sentence, heads=2)
    top, second = top_two(r, 2, 1)  # token 3, head 2
    pick = top if right else second
    at = open_self_attention(
        query={"sentence": sentence, "heads": "2", "row": "3", "head": "2"}, lang=lang
    )
    at.toggle(key="self_attention.guess").set_value(True).run()
    assert "self_attention.fig_heads" not in chart_keys(at)
    at.radio(key="self_attention._guess_pick").set_value(pick).run()
    assert link_params(at)["g"] == str(pick)
    at.button(key="self_attention._guess_reveal").click().run()
    assert_ok(at)
    assert "self_attention.fig_heads" in chart_keys(at)  # revealed: the heatmap is back
    labels = ["a₁", "dog₂", "chased₃", "the₄", "ball₅"]
    said = [s.value for s in at.success] + [w.value for w in at.warning]
    verdict = "app.guess.right" if right else "app.guess.wrong"
    assert catalog(lang)[verdict].format(guess=labels[pick], answer=labels[top]) in said
    other = "app.guess.wrong" if right else "app.guess.right"
    assert catalog(lang)[other].format(guess=labels[pick], answer=labels[top]) not in said
    why = " ".join(m.value for m in at.markdown)
    assert f"{r.weights[1, 2, top]:.3f}" in why and f"{r.weights[1, 2, second]:.3f}" in why
    assert link_params(at)["rev"] == "1"
    assert num(r.weights[1, 2, top]) in " ".join(lx.value for lx in at.latex)  # the row again


def verdicts(at: AppTest) -> list[str]:
    """The reveal's right/wrong sentences on the page."""
    cat = catalog("en")
    starts = (cat["app.guess.right"].split("**")[0], cat["app.guess.wrong"].split("**")[0])
    return [e.value for e in (*at.success, *at.warning) if e.value.startswith(starts)]


def test_tokens_tied_for_the_most_weight_are_each_right():
    """ "a" twice without the positional encoding: equal keys, so "a₁" gives both "a" the same,
    largest weight, and either pick is right (the other token is wrong)."""
    sentence = "a dog a"
    _, _, r = expected(sentence, heads=1)
    w = r.weights[0, 0]  # token 1, the only head
    assert np.isclose(w[0], w[2]) and w[0] > w[1]  # the case this test is about
    cat = catalog("en")
    for pick, right in ((0, True), (2, True), (1, False)):
        at = open_self_attention(
            query={"sentence": sentence, "heads": "1", "row": "1", "guess": "1", "g": str(pick)}
        )
        at.button(key="self_attention._guess_reveal").click().run()
        assert_ok(at)
        labels = ["a₁", "dog₂", "a₃"]
        if right:
            assert verdicts(at) == [cat["app.guess.right"].format(answer=labels[pick])]
        else:
            assert verdicts(at) == [cat["app.guess.wrong"].format(guess="dog₂", answer="a₁")]
        why = " ".join(m.value for m in at.markdown)
        assert f"{w[0]:.3f}" in why and "a₁, a₃" in why  # the tie, with its weight


@pytest.mark.parametrize("g", ["99", "-1", "1.5", "1,2", "abc", "1e999"])
def test_a_hostile_guess_in_a_link_gives_a_notice_and_keeps_the_answer_hidden(g):
    at = open_self_attention(query={"sentence": "a dog chased the ball", "guess": "1", "g": g})
    assert_ok(at)
    assert at.warning, "a notice says what was wrong with the guess"
    assert "self_attention.fig_heads" not in chart_keys(at)
    assert at.radio(key="self_attention._guess_pick").value is None  # nothing picked
    assert link_params(at).get("g", "") != g


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_guess_in_presentation_mode_hides_the_heads_and_the_worked_row(lang):
    query = {"pres": "1", "sec": "3", "sentence": "a dog chased the ball", "guess": "1"}
    at = open_self_attention(query=query, lang=lang)
    assert_ok(at)
    assert [h.value for h in at.header] == [catalog(lang)["self_attention.heads.title"]]
    assert chart_keys(at) == []  # section 3 alone, its heatmap hidden
    assert at.radio(key="self_attention._guess_pick").options == [
        "a₁",
        "dog₂",
        "chased₃",
        "the₄",
        "ball₅",
    ]
    at.button(key="self_attention._sec_next").click().run()  # section 4: its weights hidden too
    assert catalog(lang)["self_attention.guess.hidden"] in [i.value for i in at.info]
    assert not at.latex
    assert link_params(at)["sec"] == "4" and link_params(at)["guess"] == "1"
