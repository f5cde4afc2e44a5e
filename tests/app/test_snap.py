"""Widgets whose options follow other controls: a stale or wrong-type value never crashes a page.

A radio or selectbox hands back what the browser sent. After a quick click on options that
have since changed (d_model changed, then at once the number of heads), that is the option's
text (``"8"``), a label, or a value that is no longer an option. Each test puts such a value
into the session, as the browser would, and checks that the page runs, that the value is
snapped to an option, and that a notice names the old and the new value.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Widget

from tests.app.conftest import assert_ok, open_page
from ui.i18n import catalog
from ui.state import shown
from ui.widgets import as_option

SELF_ATTENTION = "app_pages/self_attention/page.py"
QKV = "app_pages/qkv/page.py"
CNN_VS_ATTENTION = "app_pages/cnn_vs_attention/page.py"
EN, ZH = catalog("en"), catalog("zh")


def send(at: AppTest, texts: dict[str, str]) -> AppTest:
    """Run as after a quick click: the widget with each key sends this text (what a radio or
    selectbox sends: an option's label), whether or not it is still one of its options."""
    states = at._tree.get_widget_states()  # every widget as the last run left it
    ids = {node.key: node.id for node in at._tree if isinstance(node, Widget)}
    for key, text in texts.items():
        (state,) = [w for w in states.widgets if w.id == ids[key]]
        state.string_value = text
    return at._run(states)


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def choice_notice(cat: dict[str, str], label: str, old: str, new: str) -> str:
    return cat["app.notice.choice"].format(label=label, old=shown(old), new=shown(new))


# --- the helper's matching, without Streamlit ------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [(4, 4), ("4", 4), (4.0, 4), (np.int64(4), 4), ("Head 4", 4), ("8", None), (None, None)],
)
def test_a_value_of_another_type_finds_its_option(value, expected):
    got = as_option(value, [1, 2, 4], format_func=lambda h: f"Head {h}")
    assert got == expected
    if expected is not None:
        assert type(got) is int


def test_a_bool_is_not_the_number_one():
    assert as_option(True, [1, 2]) is None
    assert as_option("causal", ("none", "valid")) is None
    assert as_option("valid", ("none", "valid")) == "valid"


# --- self-attention: heads follow d_model; row and head follow the sentence and the heads ----
def test_heads_sent_as_text_that_no_longer_divides_d_model_is_snapped_with_a_notice():
    """d_model went 8 → 6 and the click on "8 heads" arrived after: the radio hands back "8"."""
    at = open_page(SELF_ATTENTION, query={"d": "6"})
    send(at, {"self_attention.heads": "8"})
    assert_ok(at)
    assert at.session_state["self_attention.heads"] == 6
    assert warnings(at) == [EN["self_attention.notice.heads"].format(heads=8, d=6, fixed=6)]
    assert at.radio(key="self_attention.heads").value == 6


def test_d_model_and_a_stale_heads_value_in_one_rerun():
    """Both changes reach the server together: the d_model callback sees heads = "8"."""
    at = open_page(SELF_ATTENTION, query={"d": "6"})
    at.slider(key="self_attention.d").set_value(12)
    send(at, {"self_attention.heads": "8"})
    assert_ok(at)
    assert at.session_state["self_attention.heads"] == 6  # the largest divisor of 12 up to 8
    assert warnings(at) == [EN["self_attention.notice.heads"].format(heads=8, d=12, fixed=6)]
    at.run()  # the notice was for that change: the next run has none
    assert_ok(at)
    assert not warnings(at)


def test_heads_that_are_no_number_fall_back_to_one_head_with_a_notice():
    at = open_page(SELF_ATTENTION)
    send(at, {"self_attention.heads": "many"})
    assert_ok(at)
    assert at.session_state["self_attention.heads"] == 1
    assert warnings(at) == [EN["self_attention.notice.heads"].format(heads="many", d=8, fixed=1)]


def test_heads_as_text_that_divide_d_model_are_kept_without_a_notice():
    at = open_page(SELF_ATTENTION)  # d_model = 8
    at.session_state["self_attention.heads"] = "4"
    at.run()
    assert_ok(at)
    assert at.session_state["self_attention.heads"] == 4
    assert type(at.session_state["self_attention.heads"]) is int
    assert not warnings(at)


def test_row_and_head_that_are_gone_are_snapped_where_they_are_chosen():
    """The sentence shrank to 3 tokens while token 5 and head 2 of 2 were picked."""
    at = open_page(SELF_ATTENTION, query={"sentence": "one two three four five", "row": "5"})
    row_label = at.selectbox(key="self_attention.row").options[4]
    at.text_input(key="self_attention.sentence").set_value("one two three")
    at.radio(key="self_attention.heads").set_value(1)
    send(
        at,
        {
            "self_attention.row": row_label,
            "self_attention.head": EN["self_attention.fig.head"].format(h=2),
        },
    )
    assert_ok(at)
    assert at.session_state["self_attention.row"] == 3
    assert at.session_state["self_attention.head"] == 1
    assert warnings(at) == [
        choice_notice(
            EN, EN["self_attention.row"], "5", at.selectbox(key="self_attention.row").options[2]
        ),
        choice_notice(
            EN, EN["self_attention.head"], "2", EN["self_attention.fig.head"].format(h=1)
        ),
    ]


def test_the_notice_speaks_chinese_on_a_chinese_page():
    at = open_page(SELF_ATTENTION, query={"d": "6"}, lang="zh")
    send(at, {"self_attention.heads": "4"})
    assert_ok(at)
    assert at.session_state["self_attention.heads"] == 3
    assert warnings(at) == [ZH["self_attention.notice.heads"].format(heads=4, d=6, fixed=3)]


# --- Q · K · V: the query row follows n_q, the causal mask needs n_q = n_k -----------------
def test_qkv_row_label_that_is_gone_is_snapped_with_a_notice():
    at = open_page(QKV)  # 3 queries
    send(at, {"qkv.row": "q7"})
    assert_ok(at)
    assert at.session_state["qkv.row"] == 0  # a label says no number: the first query
    assert warnings(at) == [choice_notice(EN, EN["qkv.row"], "q7", "q1")]


def test_qkv_causal_mask_on_non_square_sizes_is_dropped_with_a_notice():
    at = open_page(QKV)  # 3 queries, 4 keys: no causal mask
    send(at, {"qkv.mask": EN["qkv.mask.causal"]})
    assert_ok(at)
    assert at.session_state["qkv.mask"] == "none"
    notice = choice_notice(EN, EN["qkv.mask"], EN["qkv.mask.causal"], EN["qkv.mask.none"])
    assert warnings(at) == [notice]


# --- cnn_vs_attention: the comparison picture offers "upload" only when there is one -------
def test_cnn_vs_attention_comparison_upload_without_an_upload_is_snapped_with_a_notice():
    at = open_page(CNN_VS_ATTENTION)
    send(at, {"cnn_vs_attention.cmp": EN["cnn_vs_attention.img.upload"]})
    assert_ok(at)
    assert at.session_state["cnn_vs_attention.cmp"] == "stripes"
    notice = choice_notice(
        EN,
        EN["cnn_vs_attention.static.cmp"],
        EN["cnn_vs_attention.img.upload"],
        EN["cnn_vs_attention.img.stripes"],
    )
    assert notice in warnings(at)


# --- any page: a choice handed back as a label of the other language, or as nothing known ---
def test_a_label_in_the_other_language_is_read_as_its_option():
    """A click just after the language changed sends the option's label in the old language."""
    at = open_page(QKV)
    send(at, {"qkv.mode": ZH["qkv.mode.vvv"]})
    assert_ok(at)
    assert at.session_state["qkv.mode"] == "vvv"
    assert not warnings(at)
    assert at.radio(key="qkv.mode").value == "vvv"


def test_a_choice_that_is_no_option_falls_back_to_the_default_with_a_notice():
    at = open_page(QKV, query={"score": "dot"})
    send(at, {"qkv.score": "softmax of everything"})
    assert_ok(at)
    assert at.session_state["qkv.score"] == "scaled_dot"
    assert warnings(at) == [
        choice_notice(EN, EN["qkv.score"], "softmax of everything", EN["qkv.score.scaled_dot"])
    ]
