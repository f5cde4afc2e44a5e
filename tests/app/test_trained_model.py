"""Trained-model page: both languages, the numbers against the core, ablation, bad input, links."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app_pages.trained_model import data
from attn_core import attn_only_forward, copy_accuracy, induction_score, previous_token_score
from attn_core.toy_tasks import LETTERS
from tests.app.conftest import assert_ok, open_page
from tests.helpers import chart, chart_keys, link, link_params
from ui.i18n import catalog

PAGE = "app_pages/trained_model/page.py"
NS = "trained_model."


def open_tm(query: dict[str, str] | None = None, lang: str = "en") -> AppTest:
    return open_page(PAGE, query=query, lang=lang)


def no_raw_keys(at: AppTest) -> None:
    assert_ok(at)
    texts = (
        [m.value for m in at.markdown] + [e.value for e in at.error] + [w.value for w in at.warning]
    )
    texts += [h.value for h in at.header] + [h.value for h in at.subheader]
    for text in texts:
        assert not str(text).startswith(NS), f"raw catalog key shown: {text!r}"


def metric(at: AppTest, key: str, lang: str = "en", **values: object) -> str:
    label = catalog(lang)[NS + key].format(**values)
    return next(m.value for m in at.metric if m.label == label)


def score_table(at: AppTest):
    for table in at.table:
        frame = table.value
        cols = list(frame.columns)
        if catalog("en")[NS + "score.ind"] in cols:
            return frame
    raise AssertionError("no score table")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_renders_in_both_languages(lang):
    at = open_tm(lang=lang)
    no_raw_keys(at)
    assert at.title[0].value == catalog(lang)[NS + "title"]
    assert not at.error
    # 2 layer figures, next-token bars, the copy strip and the alignment panels
    assert len(at.get("plotly_chart")) == 5
    assert metric(at, "pred.acc_full", lang).endswith("%")


def test_scores_and_accuracy_on_the_page_equal_the_core():
    at = open_tm()
    model = data.load("induction")
    tokens = np.array([LETTERS.index(c) for c in data.parse_letters(data_default(), 40).items])
    run = attn_only_forward(model.weights, tokens, 2, 4)
    frame = score_table(at)
    np.testing.assert_allclose(
        frame[catalog("en")[NS + "score.prev"]].to_numpy(),
        np.asarray(previous_token_score(run.weights)).ravel(),
    )
    np.testing.assert_allclose(
        frame[catalog("en")[NS + "score.ind"]].to_numpy(),
        np.asarray(induction_score(run.weights, tokens)).ravel(),
    )
    acc = copy_accuracy(run.logits, tokens)[0]
    assert metric(at, "pred.acc_full") == f"{100 * acc:.0f}%"


def data_default() -> str:
    return data.random_repeated(seed=0, segment=8, prefix=3)


def test_switching_off_the_induction_heads_breaks_copying():
    at = open_tm()
    full = float(metric(at, "pred.acc_full").rstrip("%"))
    assert full >= 90
    assert metric(at, "pred.acc_off") == "–"
    at.button(key="trained_model.off_ind").click().run()
    no_raw_keys(at)
    off = float(metric(at, "pred.acc_off").rstrip("%"))
    assert full - off >= 50, (full, off)
    assert any(at.checkbox(key=f"trained_model.off2{h}").value for h in range(1, 5))
    assert "off2" in at.sidebar.code[0].value  # the ablation is in the share link
    at.button(key="trained_model.on").click().run()
    assert metric(at, "pred.acc_off") == "–"


def test_one_checkbox_ablates_one_head():
    at = open_tm()
    at.checkbox(key="trained_model.off11").check().run()
    no_raw_keys(at)
    assert metric(at, "pred.acc_off") != "–"
    assert "off11=1" in at.sidebar.code[0].value


def test_generate_makes_a_repeated_sequence():
    at = open_tm({"seglen": "5", "prefix": "2"})
    before = at.text_input(key="trained_model.seq").value
    at.button(key="trained_model.generate").click().run()
    no_raw_keys(at)
    seq = at.text_input(key="trained_model.seq").value.split()
    assert seq != before.split() and len(seq) == 12
    assert seq[2:7] == seq[7:12] and len(set(seq[2:7])) == 5


def type_refused(box: str, text: str, key: str) -> AppTest:
    """Type ``text`` into the text box ``box``: the notice ``key`` says why, the text stays."""
    at = open_tm()
    at.text_input(key=f"trained_model.{box}").input(text).run()
    no_raw_keys(at)
    shown = [e.value for e in at.error] + [w.value for w in at.warning]
    head = catalog("en")[NS + key].split("{")[0]
    assert any(s.startswith(head) for s in shown), shown
    assert at.text_input(key=f"trained_model.{box}").value == text
    return at


@pytest.mark.parametrize(
    ("seq", "key"),
    [
        ("AB C1D €", "a.unknown"),
        ("A" * 41, "a.too_long"),
        ("", "a.too_short"),
        ("   ", "a.too_short"),
        ("Q", "a.too_short"),
    ],
)
def test_bad_sequences_say_what_is_wrong_and_keep_the_text(seq, key):
    at = type_refused("seq", seq, key)
    # model B still works below
    assert any(catalog("en")[NS + "b.model_says"].split("{")[0] in m.value for m in at.markdown)


def test_unknown_characters_are_named():
    at = open_tm({"seq": "AB1C#"})
    assert "“1”" in at.error[0].value and "“\\#”" in at.error[0].value


@pytest.mark.parametrize(
    ("sent", "key"),
    [
        ("the big zebra sees a cat", "b.unknown"),
        (" ".join(["the"] * 12), "b.too_long"),
        ("", "b.empty"),
    ],
)
def test_bad_sentences_say_what_is_wrong_and_keep_the_text(sent, key):
    at = type_refused("sent", sent, key)
    if key == "b.unknown":
        assert "zebra" in at.error[0].value


def test_a_translation_and_its_alignment():
    at = open_tm({"sent": "a small white cat follows the old dog", "D": "1"})
    no_raw_keys(at)
    assert any("un gato pequeño blanco sigue el perro viejo" in m.value for m in at.markdown)
    assert at.success  # it is the grammar's translation
    assert metric(at, "b.match") == "8 / 8"
    # cat is 3 words from 'gato' (t = 1 → s = 3): outside local-m's window of D = 1
    assert metric(at, "b.outside", D=1) == "1 / 8"


def test_an_ungrammatical_sentence_still_translates_with_a_notice():
    at = open_tm({"sent": "dog dog sees"})
    no_raw_keys(at)
    assert at.info and at.info[0].value == catalog("en")[NS + "b.not_grammar"]


def test_position_past_the_end_is_clamped_with_a_notice():
    at = open_tm({"seq": "ABCABC", "pos": "30"})
    no_raw_keys(at)
    assert any(i.value.startswith("Position 30") for i in at.info)
    assert at.slider(key="trained_model.pos").value == 6


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_hostile_links_keep_the_page_working(lang):
    query = {
        "seq": "<script>alert(1)</script>",
        "pos": "-4",
        "khead": "L9H9",
        "off21": "maybe",
        "sent": "<img src=x onerror=alert(1)>" * 10,
        "xlayer": "nan",
        "D": "1e9",
        "seglen": "abc",
        "gseed": "-1",
    }
    at = open_tm(query, lang=lang)
    no_raw_keys(at)
    for m in at.markdown:
        assert "<script>" not in m.value and "<img" not in m.value
    assert len(at.warning) >= 6  # each unusable value is named
    assert at.error  # the typed text is not a sequence of letters, nor toy English


def test_head_choice_for_the_mechanism():
    at = open_tm({"khead": "L2H1", "pos": "15"})
    no_raw_keys(at)
    assert any("**L2H1**" in m.value for m in at.markdown)
    at = open_tm({"pos": "2"})  # a letter that has not occurred before
    no_raw_keys(at)
    tail = catalog("en")[NS + "mech.none"].split("}")[-1][:30]  # "… has not occurred before"
    assert any(tail in m.value for m in at.markdown), tail


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_training_recipe_is_read_from_the_shipped_configs(lang):
    """No architecture or recipe number is typed into the text: they come from the configs."""
    template = catalog(lang)[NS + "models.text"]
    literal = re.sub(r"\{[^{}]*\}", "", template.replace("{{", "").replace("}}", ""))
    literal = re.sub(r"layer \d|第 \d 层", "", literal)  # the name of a layer is no metric
    assert not re.findall(r"\d", literal), literal
    at = open_tm(lang=lang)
    cfg_a, cfg_b = data.load("induction").config, data.load("alignment").config
    intro = next(m.value for m in at.markdown if "d_{model}" in m.value)
    assert f"{round(100 * cfg_a['p_skip'])}%" in intro
    assert f"d_{{model}} = {cfg_a['d_model']}" in intro
    assert f"{cfg_a['max_len']}" in intro and f"{cfg_b['dec_layers']}" in intro
    ev = cfg_a["numpy_eval"]
    assert f"{100 * ev['copy_accuracy']:.1f}%" in intro
    assert f"{100 * ev['copy_accuracy_induction_heads_off']:.1f}%" in intro


def test_words_outside_local_m_are_counted_from_one_like_the_axes():
    """perro is target word 2 and looks at dog, source word 4 (the axes count from 1)."""
    at = open_tm({"D": "1"})
    no_raw_keys(at)
    head = catalog("en")[NS + "b.outside_words"].split("{")[0]
    said = next(m.value for m in at.markdown if m.value.startswith(head))
    assert "**perro** (t = 2, s = 4)" in said, said


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_local_p_says_how_its_centre_is_chosen_with_the_numbers(lang):
    at = open_tm(lang=lang)
    no_raw_keys(at)
    words = data.parse_sentence("the big black dog sees a small cat").items
    view = data.translation_view(words)
    learned = view.run.cross[0].weights.mean(axis=0)[: len(view.out)]
    centres = learned @ np.arange(len(words)) + 1
    expected = ", ".join(f"{w} {c:.1f}" for w, c in zip(view.out, centres, strict=True))
    assert any(expected in c.value for c in at.caption), expected
    assert "perro 4.0" in expected or "perro 3.9" in expected  # looks at dog, word 4


def test_the_k_composition_verdict_follows_the_numbers():
    """The sentence names the largest part of the target key's score, whatever it is."""
    at = open_tm({"khead": "L2H3", "pos": "15"})
    no_raw_keys(at)
    kcomp = catalog("en")[NS + "mech.verdict.kcomp"].split("{")[0]
    assert any(m.value.startswith(kcomp) for m in at.markdown)
    # L2H2 is no induction head: at position 15 its score for the target is the letter's own
    at = open_tm({"khead": "L2H2", "pos": "15"})
    no_raw_keys(at)
    other = catalog("en")[NS + "mech.verdict.other"].format(
        part=catalog("en")[NS + "mech.part.token"], value="", from_l1=""
    )
    said = [m.value for m in at.markdown if m.value.startswith(other.split("(")[0])]
    assert said and not any(m.value.startswith(kcomp) for m in at.markdown), said


def qk_table(at: AppTest):
    for table in at.table:
        if catalog("en")[NS + "mech.qk.product"] in list(table.value.columns):
            return table.value
    raise AssertionError("no q·k table")


def test_the_induction_heads_q_dot_k_is_shown_number_by_number():
    """Query of A at 15 and the key of position 8: their dot product / √d is the head's score."""
    at = open_tm({"pos": "15"})
    no_raw_keys(at)
    frame = qk_table(at).to_numpy()
    q, k, prod = frame[:, 0], frame[:, 1], frame[:, 2]
    model = data.load("induction")
    tokens = np.array([LETTERS.index(c) for c in data.parse_letters(data_default(), 40).items])
    run = attn_only_forward(model.weights, tokens, 2, 4)
    head = int(np.argmax(np.asarray(induction_score(run.weights, tokens))[1]))
    np.testing.assert_allclose(prod, q * k)
    np.testing.assert_allclose(q @ k / np.sqrt(q.size), run.attn[1].scores[head, 14, 7])
    text = catalog("en")[NS + "mech.qk.text"].split("{")[0]
    said = next(m.value for m in at.markdown if m.value.startswith(text))
    assert (
        f"q \\cdot k = {q @ k:.2f}" in said and f"**{run.attn[1].scores[head, 14, 7]:.2f}**" in said
    )


def test_no_gold_panel_is_named_gold_when_there_is_no_gold_alignment():
    at = open_tm({"sent": "dog dog sees"})
    no_raw_keys(at)
    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    titles = [a.get("text") for a in spec["layout"].get("annotations", [])]
    assert catalog("en")[NS + "b.panel.no_gold"] in titles, titles
    assert catalog("en")[NS + "b.panel.gold"] not in titles


def test_switching_off_the_previous_token_heads_breaks_copying_too():
    """K-composition made visible: the induction head stays on, its keys lose what they read."""
    at = open_tm()
    full = float(metric(at, "pred.acc_full").rstrip("%"))
    at.button(key="trained_model.off_prev").click().run()
    no_raw_keys(at)
    off = [h for h in range(1, 5) if at.checkbox(key=f"trained_model.off1{h}").value]
    assert off and not any(at.checkbox(key=f"trained_model.off2{h}").value for h in range(1, 5))
    prev = np.asarray(score_table(at)[catalog("en")[NS + "score.prev"]])[:4]
    assert [h - 1 for h in off] == [h for h in range(4) if prev[h] >= 0.5]
    assert full - float(metric(at, "pred.acc_off").rstrip("%")) >= 50


def test_the_trained_number_of_adjectives_is_the_one_training_drew():
    from attn_core.toy_tasks import b_pair

    rng = np.random.default_rng(0)
    runs = [r for _ in range(2000) for r in data.adjective_runs(tuple(b_pair(rng)[0]))]
    assert max(map(len, runs)) == data.TRAINED_MAX_ADJ
    assert all(len(set(r)) == len(r) for r in runs)  # never the same adjective twice


@pytest.mark.parametrize(
    ("sent", "unseen"),
    [
        ("the big black old dog sees the cat", True),
        ("the big big dog sees the cat", True),
        ("the big black dog sees a small cat", False),
    ],
)
def test_a_sentence_unlike_training_is_said_to_be_so(sent, unseen):
    at = open_tm({"sent": sent})
    no_raw_keys(at)
    head = catalog("en")[NS + "b.unseen"].split("{")[0]
    assert any(w.value.startswith(head) for w in at.warning) == unseen
    assert at.text_input(key="trained_model.sent").value == sent


def test_the_intros_numbers_are_what_the_numpy_evaluation_measures(monkeypatch):
    """The shipped numpy_eval is not stale: models/evaluate.py measures the same again."""
    monkeypatch.syspath_prepend(str(data.MODELS_DIR.parents[1] / "models"))
    import evaluate

    assert evaluate.eval_induction() == data.load("induction").config["numpy_eval"]
    at = open_tm()
    intro = next(m.value for m in at.markdown if "d_{model}" in m.value)
    heads = ", ".join(data.load("induction").config["numpy_eval"]["induction_heads"])
    assert f"{heads} switched off" in intro  # the intro names the heads it switched off


def test_the_share_link_reopens_the_exact_view():
    """Typed sequence and sentence, ablated heads, position, head choice and sliders."""
    from urllib.parse import parse_qsl, urlsplit

    at = open_tm()
    at.text_input(key="trained_model.seq").input("xyzq xyzq ab").run()
    at.checkbox(key="trained_model.off12").check().run()
    at.checkbox(key="trained_model.off23").check().run()
    at.slider(key="trained_model.pos").set_value(6).run()
    at.selectbox(key="trained_model.khead").set_value("L2H4").run()
    at.text_input(key="trained_model.sent").input("a red fish eats the young mouse").run()
    at.slider(key="trained_model.D").set_value(2).run()
    at.slider(key="trained_model.xlayer").set_value(2).run()
    again = open_tm(dict(parse_qsl(urlsplit(at.sidebar.code[0].value).query)))
    no_raw_keys(again)
    for key in ("seq", "sent"):
        k = f"trained_model.{key}"
        assert again.text_input(key=k).value == at.text_input(key=k).value
    for key in ("pos", "D", "xlayer"):
        assert (
            again.slider(key=f"trained_model.{key}").value
            == at.slider(key=f"trained_model.{key}").value
        )
    assert again.selectbox(key="trained_model.khead").value == "L2H4"
    off = {
        f"{layer}{h}"
        for layer in (1, 2)
        for h in range(1, 5)
        if again.checkbox(key=f"trained_model.off{layer}{h}").value
    }
    assert off == {"12", "23"}
    assert [m.value for m in again.metric] == [m.value for m in at.metric]


def heatmap_titles(at: AppTest, key: str) -> list[str]:
    """The panel titles of a heads figure, one per head drawn."""
    spec = chart(at, key)
    assert len([d for d in spec["data"] if d["type"] == "heatmap"]) == len(
        spec["layout"]["annotations"]
    )
    return [a["text"] for a in spec["layout"]["annotations"]]


def test_each_layer_shows_its_strongest_head_and_every_head_on_request():
    at = open_tm()
    no_raw_keys(at)
    letters = data.parse_letters(data_default(), 40).items
    view = data.induction_view(letters, ())
    prev_head = int(np.argmax(view.prev[0]))  # layer 1: the previous-token head
    ind_head = int(np.nanargmax(view.ind[1]))  # layer 2: the induction head
    assert heatmap_titles(at, "trained_model.fig.layer1") == [f"L1H{prev_head + 1}"]
    assert heatmap_titles(at, "trained_model.fig.layer2") == [f"L2H{ind_head + 1}"]
    z = np.asarray(chart(at, "trained_model.fig.layer2")["data"][0]["z"], dtype=float)
    lower = np.tril_indices(len(letters))
    np.testing.assert_allclose(z[lower], view.full.weights[1, ind_head][lower])
    one = chart(at, "trained_model.fig.layer2")["layout"]["height"]
    at.radio(key="trained_model.show2").set_value("all").run()
    at.radio(key="trained_model.show1").set_value("3").run()
    no_raw_keys(at)
    assert heatmap_titles(at, "trained_model.fig.layer2") == [f"L2H{h}" for h in range(1, 5)]
    assert heatmap_titles(at, "trained_model.fig.layer1") == ["L1H3"]
    assert chart(at, "trained_model.fig.layer2")["layout"]["height"] > 3 * one
    assert "show2=all" in link(at) and "show1=3" in link(at)
    again = open_tm(link_params(at))
    assert heatmap_titles(again, "trained_model.fig.layer1") == ["L1H3"]
    assert len(heatmap_titles(again, "trained_model.fig.layer2")) == 4


def test_a_switched_off_head_shown_says_so_in_its_title():
    at = open_tm({"show1": "2"})
    at.checkbox(key="trained_model.off12").check().run()
    off = catalog("en")[NS + "heads.off_tag"]
    assert heatmap_titles(at, "trained_model.fig.layer1") == [f"L1H2 · {off}"]


def test_presentation_mode_shows_one_section_and_next_moves_on():
    labels = catalog("en")
    at = open_tm({"pres": "1"})
    no_raw_keys(at)
    assert [h.value for h in at.header] == [labels[NS + "a.title"]]
    assert at.get("plotly_chart") == []
    at.button(key="trained_model._sec_next").click().run()
    no_raw_keys(at)
    assert [h.value for h in at.subheader] == [labels[NS + "heads.title"]]
    assert chart_keys(at) == ["trained_model.fig.layer1", "trained_model.fig.layer2"]
    assert link_params(at)["sec"] == "2"


@pytest.mark.parametrize(("sec", "key"), [("2", "a.unusable"), ("6", "b.unusable")])
def test_a_section_shown_alone_says_when_its_input_is_unusable(sec, key):
    """In presentation mode the input's own section (with its error) is not on screen."""
    at = open_tm({"pres": "1", "sec": sec, "seq": "ab1", "sent": "the dog zzz"})
    no_raw_keys(at)
    assert [i.value for i in at.info] == [catalog("en")[NS + key]]
    assert at.get("plotly_chart") == []
