"""What the user types is what the app computes: matrix editors keep every digit, say so when
they have to change a value, and a share link carries the exact numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from attn_core import attention
from tests.app.conftest import assert_ok, open_page
from tests.app.test_qkv import drawn
from tests.helpers import edit_cell, link_params

QKV = "app_pages/qkv/page.py"


def column_types(at: AppTest) -> list[dict]:
    """The number-column settings the browser receives, for every editor on the page."""
    out = []
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        out += [c["type_config"] for c in config.values() if "type_config" in c]
    return out


def assert_browser_keeps_every_digit(at: AppTest) -> None:
    """No step (the browser rounds a typed value to the step's decimals) and no min/max (it
    clamps a typed value to max_value), no format that shows fewer than 3 decimals."""
    types = column_types(at)
    assert types, "no editor on the page"
    for tc in types:
        assert tc.get("type") == "number"
        assert tc.get("step") is None, tc
        assert tc.get("min_value") is None and tc.get("max_value") is None, tc
        assert tc.get("format") is None, tc  # Streamlit's default: 1 → "1", 0.1234 → "0.1234"


def warnings(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


@pytest.mark.parametrize(
    ("page", "query"),
    [
        (QKV, {"mask": "valid", "score": "general"}),
        ("app_pages/self_attention/page.py", {"source": "matrix"}),
        ("app_pages/cnn_vs_attention/page.py", {}),
        ("app_pages/waist_weight/page.py", {}),
    ],
)
def test_every_editor_sends_what_is_typed_unrounded_and_unclamped(page, query):
    at = open_page(page, query=query)
    assert_ok(at)
    assert_browser_keeps_every_digit(at)


def test_a_typed_0_123_is_computed_with_and_travels_in_the_link():
    at = open_page(QKV)
    edit_cell(at, "qkv.Q", 0, "1", 0.123)
    assert_ok(at)
    Q = np.asarray(at.session_state["qkv.Q"])
    assert Q[0, 0] == 0.123
    K, V = at.session_state["qkv.K"], at.session_state["qkv.V"]
    res = attention(Q, K, V, kind="scaled_dot")
    assert res.scores[0, 0] == pytest.approx((0.123 * K[0, 0] + Q[0, 1] * K[0, 1]) / np.sqrt(2))
    scores, weights, output = drawn(at)  # what the page draws is computed with 0.123
    np.testing.assert_array_equal(scores, res.scores)
    np.testing.assert_array_equal(weights, res.weights)
    np.testing.assert_array_equal(output, res.output)
    # the link carries 0.123 exactly, and reopening it computes with 0.123 again
    assert link_params(at)["Q"].startswith("0.123,")
    again = open_page(QKV, query=link_params(at))
    assert np.asarray(again.session_state["qkv.Q"])[0, 0] == 0.123
    assert not again.warning


def test_a_value_outside_the_range_is_named_with_the_value_used():
    at = open_page(QKV)
    edit_cell(at, "qkv.Q", 1, "2", 5e7)
    assert_ok(at)
    assert at.session_state["qkv.Q"][1, 1] == 1e6
    assert "(q2, 2): 50000000 → 1000000" in warnings(at)
    # the notice stays while the cell holds the typed value, and goes when it is fixed
    at.run()
    assert "50000000 → 1000000" in warnings(at)
    edit_cell(at, "qkv.Q", 1, "2", 0.5)
    assert "→" not in warnings(at)


def test_whole_number_cells_say_how_they_were_rounded_and_clipped():
    at = open_page(QKV, query={"mask": "valid"})
    key = "qkv.lens"
    edit_cell(at, key, 0, "q1", 2.5)
    assert_ok(at)
    assert at.session_state[key][0, 0] == 2.0
    assert "2.5 → 2" in warnings(at)
    edit_cell(at, key, 0, "q1", 9.0)  # 4 keys
    assert at.session_state[key][0, 0] == 4.0
    assert "9 → 4" in warnings(at)


def test_notices_in_chinese_name_the_values_too():
    at = open_page(QKV, lang="zh")
    edit_cell(at, "qkv.Q", 0, "1", -3e6)
    assert "-3000000 → -1000000" in warnings(at)
    assert "输入 → 使用" in warnings(at)


# --- values a link gives or a text box takes: every change names the old and the new value ---


def notices(at: AppTest) -> str:
    return " ".join(str(e.value) for e in [*at.warning, *at.info, *at.caption])


def test_a_links_matrix_out_of_range_names_each_entry_given_and_used():
    at = open_page(QKV, query={"Q": "50000000,1;1,-0.123;1,1"})
    assert_ok(at)
    assert np.asarray(at.session_state["qkv.Q"])[0, 0] == 1e6
    assert np.asarray(at.session_state["qkv.Q"])[1, 1] == -0.123  # kept exactly
    assert "(1, 1): 50000000 → 1000000" in notices(at)


def test_typed_scores_beyond_the_limit_name_each_score_typed_and_used():
    at = open_page("app_pages/softmax/page.py")
    at.text_input(key="softmax._x_text").set_value("5000, 0, -1e6").run()
    assert_ok(at)
    assert at.session_state["softmax.x"] == (1000.0, 0.0, -1000.0)
    assert "5000 → 1000" in warnings(at) and "-1e+06 → -1000" in warnings(at)


def test_a_links_valid_lengths_say_what_was_given_and_what_is_used():
    at = open_page(QKV, query={"mask": "valid", "lens": "9,2.5,1"})  # 3 queries, 4 keys
    assert_ok(at)
    np.testing.assert_array_equal(at.session_state["qkv.lens"], [[4, 2, 1]])
    assert "9, 2.5, 1" in notices(at) and "4, 2, 1" in notices(at)


def test_fewer_keys_cut_the_valid_lengths_and_say_so():
    at = open_page(QKV, query={"mask": "valid", "lens": "4,3,2"})
    at.number_input(key="qkv.n_k").set_value(2).run()
    assert_ok(at)
    np.testing.assert_array_equal(at.session_state["qkv.lens"], [[2, 2, 2]])
    assert "4, 3, 2" in warnings(at) and "2, 2, 2" in warnings(at)


def test_a_links_layer_table_names_each_cell_given_and_used():
    at = open_page("app_pages/cnn_vs_attention/page.py", query={"layers": "3,1,1;2.5,9,1"})
    assert_ok(at)
    np.testing.assert_array_equal(
        at.session_state["cnn_vs_attention.layers"], [[3, 1, 1], [2, 4, 1]]
    )
    said = notices(at)
    assert "2.5 → 2" in said and "9 → 4" in said


def test_a_typed_layer_cell_names_the_value_typed_and_the_one_used_once():
    at = open_page("app_pages/cnn_vs_attention/page.py")
    edit_cell(at, "cnn_vs_attention.layers", 1, "stride s", 40.0)
    assert_ok(at)
    assert at.session_state["cnn_vs_attention.layers"][1, 1] == 4.0
    said = warnings(at)
    assert "40 → 4" in said and "→ 32" not in said


def test_a_links_query_row_beyond_the_queries_names_both():
    at = open_page(QKV, query={"row": "7"})  # 3 queries
    assert_ok(at)
    assert at.session_state["qkv.row"] == 2
    assert "query 8" in notices(at) and "number 3" in notices(at)


def test_a_smaller_picture_names_the_pixel_given_and_the_one_used():
    at = open_page(
        "app_pages/cnn_vs_attention/page.py", query={"size": "64", "row": "60", "col": "50"}
    )
    at.select_slider(key="cnn_vs_attention.size").set_value(16.0).run()
    assert_ok(at)
    assert "(60, 50)" in notices(at) and "(15, 15)" in notices(at)


def test_a_long_sentence_and_a_long_word_name_what_was_typed_and_what_is_used():
    from ui.tokens import MAX_TOKEN_CHARS, MAX_TOKENS

    long_word = "Rindfleischetikettierung"  # 24 letters: longer than MAX_TOKEN_CHARS
    sentence = long_word + " " + " ".join(f"w{i}" for i in range(MAX_TOKENS + 7))
    at = open_page("app_pages/self_attention/page.py", query={"sentence": sentence})
    assert_ok(at)
    said = " ".join(str(e.value) for e in [*at.warning, *at.info])
    assert f"has {MAX_TOKENS + 8} tokens" in said and f"first {MAX_TOKENS}" in said
    assert f"{long_word} → {long_word[:MAX_TOKEN_CHARS]}" in said


def test_a_links_sizes_and_parameter_shapes_that_do_not_fit_name_both():
    at = open_page(QKV, query={"n_q": "5", "score": "general", "W": "1,2;3,4;5,6"})
    assert_ok(at)
    said = notices(at)
    assert at.session_state["qkv.n_q"] == 3  # the example's Q has 3 rows
    assert "`n_q` = 5" in said and "n_q = 3" in said
    assert "3 × 2" in said and "2 × 2" in said
