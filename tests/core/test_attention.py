"""Attention: scores → weights → output, with masks and temperature."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from attn_core import attention, causal_mask, random_score_params, valid_length_mask
from tests.core import reference

entries = st.floats(-5, 5, allow_nan=False)


@st.composite
def problems(draw, kinds=("dot", "scaled_dot", "additive", "general"), masked=True):
    """Q, K, V, kind, params and maybe a mask (rows may be fully masked)."""
    kind = draw(st.sampled_from(kinds))
    n_q, n_k, d_v = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 3))
    d_q = draw(st.integers(1, 4))
    d_k = d_q if kind in ("dot", "scaled_dot") else draw(st.integers(1, 4))
    Q = draw(arrays(np.float64, (n_q, d_q), elements=entries))
    K = draw(arrays(np.float64, (n_k, d_k), elements=entries))
    V = draw(arrays(np.float64, (n_k, d_v), elements=entries))
    params = random_score_params(kind, d_q, d_k, h=3, seed=draw(st.integers(0, 99)))
    mask = draw(arrays(np.bool_, (n_q, n_k))) if masked and draw(st.booleans()) else None
    return Q, K, V, kind, params, mask


@given(problems(), st.floats(0.1, 10))
def test_matches_the_loop_reference(problem, tau):
    Q, K, V, kind, params, mask = problem
    r = attention(Q, K, V, kind=kind, mask=mask, tau=tau, params=params)
    S, W, out = reference.attention(Q, K, V, kind, mask, tau, params)
    np.testing.assert_allclose(r.scores, S, atol=1e-12)
    np.testing.assert_allclose(r.weights, W, atol=1e-12)
    np.testing.assert_allclose(r.output, out, atol=1e-11)


@given(
    arrays(np.float64, st.tuples(st.integers(1, 4), st.just(1)), elements=st.floats(-40, 40)),
    arrays(np.float64, st.tuples(st.integers(1, 4), st.just(1)), elements=st.floats(-40, 40)),
    st.sampled_from([0.5, 1.0, 3.0]),
)
def test_large_scores_on_either_side_of_the_shift_threshold_match_the_reference(Q, K, tau):
    # q·k reaches ±1600: rows whose largest score/tau passes ±500 take the shifted path
    r = attention(Q, K, K, kind="dot", tau=tau)
    _, W, out = reference.attention(Q, K, K, "dot", None, tau)
    np.testing.assert_allclose(r.weights, W, atol=1e-12)
    np.testing.assert_allclose(r.output, out, atol=1e-10)


@given(problems(masked=False), st.floats(0.01, 100))
def test_every_row_sums_to_one_without_a_mask(problem, tau):
    Q, K, V, kind, params, _ = problem
    r = attention(Q, K, V, kind=kind, tau=tau, params=params)
    np.testing.assert_allclose(r.weights.sum(axis=1), 1.0, rtol=1e-12)
    assert not r.fully_masked.any()


@given(problems())
def test_masked_keys_get_exactly_zero_and_fully_masked_rows_are_flagged(problem):
    Q, K, V, kind, params, mask = problem
    if mask is None:
        mask = np.zeros((Q.shape[0], K.shape[0]), dtype=bool)
    r = attention(Q, K, V, kind=kind, mask=mask, params=params)
    assert (r.weights[~mask] == 0.0).all()
    empty = ~mask.any(axis=1)
    np.testing.assert_array_equal(r.fully_masked, empty)
    assert (r.output[empty] == 0.0).all()
    np.testing.assert_allclose(r.weights[~empty].sum(axis=1), 1.0, rtol=1e-12)


@given(problems())
def test_scores_are_raw_whatever_the_mask_and_temperature(problem):
    Q, K, V, kind, params, mask = problem
    plain = attention(Q, K, V, kind=kind, params=params)
    other = attention(Q, K, V, kind=kind, params=params, mask=mask, tau=0.3)
    np.testing.assert_array_equal(plain.scores, other.scores)


@given(problems(masked=False), st.floats(0.01, 100))
def test_outputs_lie_in_the_convex_hull_of_the_values(problem, tau):
    Q, K, V, kind, params, _ = problem
    out = attention(Q, K, V, kind=kind, tau=tau, params=params).output
    tol = 1e-9 * (1 + np.abs(V).max())
    assert (out >= V.min(axis=0) - tol).all() and (out <= V.max(axis=0) + tol).all()


@given(problems(masked=False))
def test_small_temperature_picks_the_best_key_and_large_is_uniform(problem):
    Q, K, V, kind, params, _ = problem
    S = attention(Q, K, V, kind=kind, params=params).scores
    hard = attention(Q, K, V, kind=kind, params=params, tau=1e-9).weights
    for row, weights in zip(S, hard, strict=True):
        top = np.sort(row)[::-1]
        if top.size == 1 or top[0] - top[1] > 1e-6:  # a unique maximum
            np.testing.assert_allclose(weights, np.eye(row.size)[np.argmax(row)], atol=1e-12)
    uniform = attention(Q, K, V, kind=kind, params=params, tau=1e9).weights
    np.testing.assert_allclose(uniform, 1 / K.shape[0], rtol=1e-6)


@given(st.integers(1, 6), st.integers(1, 4), st.integers(0, 10**6), st.integers(0, 10**6))
def test_self_attention_is_permutation_equivariant(n, d, data_seed, perm_seed):
    X = np.random.default_rng(data_seed).normal(size=(n, d))
    perm = np.random.default_rng(perm_seed).permutation(n)
    r, rp = attention(X, X, X), attention(X[perm], X[perm], X[perm])
    np.testing.assert_allclose(rp.output, r.output[perm], atol=1e-12)
    np.testing.assert_allclose(rp.weights, r.weights[np.ix_(perm, perm)], atol=1e-12)


def test_the_three_modes_of_seed_000():
    rng = np.random.default_rng(0)
    Q, K, V = rng.normal(size=(3, 2)), rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    qkv = attention(Q, K, V)
    qvv = attention(Q, V, V)  # keys are the values
    vvv = attention(V, V, V)  # true self-attention: one sequence asks about itself
    assert qkv.weights.shape == qvv.weights.shape == (3, 4)
    np.testing.assert_allclose(qvv.scores, Q @ V.T / np.sqrt(2))
    assert vvv.weights.shape == (4, 4)
    np.testing.assert_allclose(vvv.scores, vvv.scores.T)  # who asks and who answers are alike


def test_worked_example():
    r = attention([[1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]], [[10.0], [20.0]], kind="dot")
    e = np.e
    np.testing.assert_allclose(r.weights, [[e / (e + 1), 1 / (e + 1)]])
    np.testing.assert_allclose(r.output, [[(10 * e + 20) / (e + 1)]])


def test_results_are_read_only():
    r = attention(np.eye(2), np.eye(2), np.eye(2))
    for a in (r.scores, r.weights, r.output, r.fully_masked):
        with pytest.raises(ValueError):
            a[0] = 1


def test_large_inputs_are_computed_in_one_piece():
    rng = np.random.default_rng(3)
    Q, K, V = rng.normal(size=(300, 8)), rng.normal(size=(200, 8)), rng.normal(size=(200, 2))
    mask = rng.random((300, 200)) < 0.5
    r = attention(Q, K, V, mask=mask, tau=0.7)
    _, W, out = reference.attention(Q[:3], K, V, "scaled_dot", mask[:3], 0.7)
    np.testing.assert_allclose(r.weights[:3], W, atol=1e-12)
    np.testing.assert_allclose(r.output[:3], out, atol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"V": np.ones((3, 2))}, "rows of V"),
        ({"V": np.ones(2)}, "V"),
        ({"mask": np.ones((2, 2), dtype=int)}, "boolean"),
        ({"mask": np.ones((2, 3), dtype=bool)}, r"shape \(2, 2\)"),
        ({"tau": 0.0}, "tau"),
        ({"tau": -2.0}, "tau"),
        ({"kind": "cosine"}, "kind"),
        ({"kind": "general"}, "random_score_params"),
        ({"K": np.ones((2, 3))}, "additive or general"),
        ({"Q": [[np.nan, 1.0], [1.0, 1.0]]}, "Q"),
        ({"K": np.empty((0, 2)), "V": np.empty((0, 1))}, "K"),
    ],
)
def test_bad_input_is_refused(kwargs, message):
    args = {"Q": np.ones((2, 2)), "K": np.ones((2, 2)), "V": np.ones((2, 1))} | kwargs
    Q, K, V = args.pop("Q"), args.pop("K"), args.pop("V")
    with pytest.raises(ValueError, match=message):
        attention(Q, K, V, **args)


@given(st.integers(1, 8))
def test_causal_mask_only_looks_left(n):
    m = causal_mask(n)
    for i in range(n):
        for j in range(n):
            assert m[i, j] == (j <= i)


def test_causal_attention_ignores_the_future():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(5, 3))
    r = attention(X, X, X, mask=causal_mask(5))
    changed = X.copy()
    changed[3:] += 10.0  # only the future of positions 0..2 changes
    r2 = attention(changed, changed, changed, mask=causal_mask(5))
    np.testing.assert_allclose(r.output[:3], r2.output[:3])


@given(st.integers(1, 5), st.integers(1, 6), st.data())
def test_valid_length_mask_allows_the_first_keys(n_q, n_k, data):
    lens = data.draw(st.lists(st.integers(0, n_k), min_size=n_q, max_size=n_q))
    m = valid_length_mask(n_q, n_k, lens)
    for i in range(n_q):
        assert m[i].tolist() == [j < lens[i] for j in range(n_k)]
    np.testing.assert_array_equal(valid_length_mask(n_q, n_k, lens[0]), np.tile(m[0], (n_q, 1)))


@pytest.mark.parametrize(
    ("n_q", "n_k", "valid_lens", "message"),
    [
        (2, 3, [1, 4], "between 0 and n_k"),
        (2, 3, -1, "between 0 and n_k"),
        (2, 3, [1, 2, 3], "2 numbers"),
        (2, 3, 1.5, "whole"),
        (2, 3, "two", "whole"),
        (0, 3, 1, "n_q"),
        (2, 0, 0, "n_k"),
    ],
)
def test_valid_length_mask_refuses_bad_lengths(n_q, n_k, valid_lens, message):
    with pytest.raises(ValueError, match=message):
        valid_length_mask(n_q, n_k, valid_lens)


@pytest.mark.parametrize("n", [0, -1, 2.5, "3", True])
def test_causal_mask_refuses_bad_sizes(n):
    with pytest.raises(ValueError, match="n"):
        causal_mask(n)
