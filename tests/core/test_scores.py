"""Score functions: dot, scaled dot, additive (Bahdanau) and general (Luong)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from attn_core import SCORE_KINDS, random_score_params, score
from tests.core import reference

entries = st.floats(-5, 5, allow_nan=False)


@st.composite
def queries_and_keys(draw, same_width: bool = False):
    n_q, n_k, d_q = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 4))
    d_k = d_q if same_width else draw(st.integers(1, 4))
    Q = draw(arrays(np.float64, (n_q, d_q), elements=entries))
    K = draw(arrays(np.float64, (n_k, d_k), elements=entries))
    return Q, K


@given(queries_and_keys(same_width=True), st.sampled_from(["dot", "scaled_dot"]))
def test_dot_products_match_the_reference(QK, kind):
    Q, K = QK
    np.testing.assert_allclose(score(Q, K, kind), reference.score(Q, K, kind), atol=1e-12)


@given(queries_and_keys(), st.sampled_from(["additive", "general"]), st.integers(0, 10**6))
def test_learned_scores_match_the_reference_even_when_widths_differ(QK, kind, seed):
    Q, K = QK
    params = random_score_params(kind, Q.shape[1], K.shape[1], h=3, seed=seed)
    expected = reference.score(Q, K, kind, params)
    np.testing.assert_allclose(score(Q, K, kind, params), expected, atol=1e-12)


@given(queries_and_keys(same_width=True))
def test_scaling_divides_by_the_square_root_of_the_key_width(QK):
    Q, K = QK
    scaled = score(Q, K, "scaled_dot") * np.sqrt(K.shape[1])
    np.testing.assert_allclose(scaled, score(Q, K, "dot"), atol=1e-12)


def test_general_with_the_identity_is_the_dot_product():
    rng = np.random.default_rng(1)
    Q, K = rng.normal(size=(3, 4)), rng.normal(size=(5, 4))
    np.testing.assert_allclose(score(Q, K, "general", {"W": np.eye(4)}), Q @ K.T)


def test_shape_is_queries_by_keys():
    Q, K = np.ones((2, 3)), np.ones((7, 5))
    for kind in ("additive", "general"):
        assert score(Q, K, kind, random_score_params(kind, 3, 5)).shape == (2, 7)


@pytest.mark.parametrize("kind", ["dot", "scaled_dot"])
def test_dot_products_explain_why_widths_must_agree(kind):
    with pytest.raises(ValueError, match=r"same length.*additive or general"):
        score(np.ones((2, 3)), np.ones((2, 4)), kind)


def test_unknown_kind_lists_the_choices():
    with pytest.raises(ValueError, match="dot, scaled_dot, additive, general"):
        score(np.ones((1, 2)), np.ones((1, 2)), "cosine")


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("general", None, "random_score_params"),
        ("general", {"W_q": np.eye(2)}, "keys"),
        ("general", {"W": np.eye(3)}, r"shape \(2, 2\)"),
        ("general", {"W": [[1.0, np.nan], [0.0, 1.0]]}, "NaN"),
        ("general", [[1.0]], "dict"),
        ("additive", {"W_q": np.ones((3, 2)), "W_k": np.ones((4, 2)), "w_v": np.ones(3)}, "W_k"),
        ("additive", {"W_q": np.ones((3, 2)), "W_k": np.ones((3, 2)), "w_v": np.ones(2)}, "w_v"),
        ("additive", {"W_q": np.ones(3), "W_k": np.ones((3, 2)), "w_v": np.ones(3)}, "W_q"),
    ],
)
def test_bad_params_are_refused(kind, params, message):
    with pytest.raises(ValueError, match=message):
        score(np.ones((2, 2)), np.ones((3, 2)), kind, params)


@pytest.mark.parametrize(
    ("Q", "K", "name"),
    [
        ([], np.ones((2, 2)), "Q"),
        (np.ones((2, 2)), np.ones(2), "K"),
        (np.ones((2, 2)), [[1.0, np.inf]], "K"),
        ([[1.0, "x"]], np.ones((2, 2)), "Q"),
    ],
)
def test_bad_queries_or_keys_are_refused(Q, K, name):
    with pytest.raises(ValueError, match=name):
        score(Q, K, "dot")


def test_overflowing_scores_are_refused_not_returned_as_infinity():
    with pytest.raises(ValueError, match="overflow"):
        score(np.full((1, 2), 1e200), np.full((1, 2), 1e200), "dot")
    with pytest.raises(ValueError, match="overflow"):
        score(np.full((1, 2), 1e200), np.full((1, 2), 1e200), "general", {"W": np.eye(2)})


def test_random_params_are_seeded():
    for kind in ("additive", "general"):
        a, b = random_score_params(kind, 3, 2, seed=7), random_score_params(kind, 3, 2, seed=7)
        c = random_score_params(kind, 3, 2, seed=8)
        assert all(np.array_equal(a[name], b[name]) for name in a)
        assert not all(np.array_equal(a[name], c[name]) for name in a)
    assert random_score_params("dot", 3, 3) == {}
    assert SCORE_KINDS == ("dot", "scaled_dot", "additive", "general")


@pytest.mark.parametrize(("d_q", "d_k", "h"), [(0, 2, 8), (2, -1, 8), (2, 2, 0), (2.5, 2, 8)])
def test_random_params_refuse_bad_sizes(d_q, d_k, h):
    with pytest.raises(ValueError):
        random_score_params("additive", d_q, d_k, h=h)
