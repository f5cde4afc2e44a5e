"""Multi-head attention: projections, heads side by side, W_O."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attn_core import (
    attention,
    causal_mask,
    head_counts,
    multi_head_attention,
    random_mha_weights,
)
from tests.core import reference

seeds = st.integers(0, 10**6)


@st.composite
def setups(draw):
    """Tokens X_q, X_kv, weights and a head count that divides d_model."""
    n_heads = draw(st.integers(1, 3))
    d_model = n_heads * draw(st.integers(1, 3))
    d_in, n_q, n_k = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(seeds))
    weights = random_mha_weights(d_in, d_model, seed=draw(seeds))
    X_q, X_kv = rng.normal(size=(n_q, d_in)), rng.normal(size=(n_k, d_in))
    mask = rng.random((n_q, n_k)) < 0.7 if draw(st.booleans()) else None
    return X_q, X_kv, weights, n_heads, mask


@given(setups())
def test_matches_the_loop_reference(setup):
    X_q, X_kv, w, n_heads, mask = setup
    r = multi_head_attention(X_q, X_kv, **w, n_heads=n_heads, mask=mask)
    weights, output = reference.multi_head_attention(X_q, X_kv, **w, n_heads=n_heads, mask=mask)
    np.testing.assert_allclose(r.weights, weights, atol=1e-12)
    np.testing.assert_allclose(r.output, output, atol=1e-12)


@given(setups())
def test_shapes_and_concatenation(setup):
    X_q, X_kv, w, h, mask = setup
    r = multi_head_attention(X_q, X_kv, **w, n_heads=h, mask=mask)
    n_q, n_k, d_model = X_q.shape[0], X_kv.shape[0], w["W_q"].shape[1]
    assert r.weights.shape == r.scores.shape == (h, n_q, n_k)
    assert r.head_outputs.shape == (h, n_q, d_model // h)
    assert r.concat.shape == (n_q, d_model) and r.output.shape == (n_q, w["W_o"].shape[1])
    np.testing.assert_allclose(r.concat, np.concatenate(list(r.head_outputs), axis=1))
    np.testing.assert_allclose(r.output, r.concat @ w["W_o"])
    np.testing.assert_allclose(r.Q, X_q @ w["W_q"])


@given(setups())
def test_every_head_is_scaled_dot_attention_on_its_columns(setup):
    X_q, X_kv, w, h, mask = setup
    r = multi_head_attention(X_q, X_kv, **w, n_heads=h, mask=mask)
    d_head = w["W_q"].shape[1] // h
    for i in range(h):
        cols = slice(i * d_head, (i + 1) * d_head)
        single = attention(r.Q[:, cols], r.K[:, cols], r.V[:, cols], mask=mask)
        np.testing.assert_allclose(r.weights[i], single.weights, atol=1e-12)
        np.testing.assert_allclose(r.head_outputs[i], single.output, atol=1e-12)
        np.testing.assert_array_equal(r.fully_masked, single.fully_masked)


@given(st.integers(1, 5), st.integers(1, 4), seeds)
def test_one_head_with_identity_output_equals_single_head_attention(n, d, seed):
    X = np.random.default_rng(seed).normal(size=(n, d))
    w = random_mha_weights(d, d, seed=seed)
    r = multi_head_attention(X, X, w["W_q"], w["W_k"], w["W_v"], np.eye(d), n_heads=1)
    single = attention(X @ w["W_q"], X @ w["W_k"], X @ w["W_v"])
    np.testing.assert_allclose(r.weights[0], single.weights, atol=1e-12)
    np.testing.assert_allclose(r.output, single.output, atol=1e-12)


@given(st.integers(2, 6), seeds, seeds)
def test_self_attention_is_permutation_equivariant(n, data_seed, perm_seed):
    X = np.random.default_rng(data_seed).normal(size=(n, 4))
    w = random_mha_weights(4, 4, seed=data_seed)
    perm = np.random.default_rng(perm_seed).permutation(n)
    out = multi_head_attention(X, X, **w, n_heads=2).output
    shuffled = multi_head_attention(X[perm], X[perm], **w, n_heads=2).output
    np.testing.assert_allclose(shuffled, out[perm], atol=1e-12)


def test_causal_mask_is_shared_by_all_heads():
    X = np.random.default_rng(2).normal(size=(4, 6))
    r = multi_head_attention(X, X, **random_mha_weights(6, 6), n_heads=3, mask=causal_mask(4))
    upper = ~causal_mask(4)
    assert (r.weights[:, upper] == 0.0).all()
    np.testing.assert_allclose(r.weights.sum(axis=2), 1.0)


def test_random_weights_are_seeded_and_scaled():
    a, b = random_mha_weights(16, 32, seed=3), random_mha_weights(16, 32, seed=3)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W_q"], random_mha_weights(16, 32, seed=4)["W_q"])
    assert a["W_o"].shape == (32, 16)
    assert random_mha_weights(16, 32, d_out=5)["W_o"].shape == (32, 5)
    assert 0.15 < a["W_q"].std() < 0.35  # about 1/sqrt(16)


def test_results_are_read_only():
    X = np.eye(2)
    r = multi_head_attention(X, X, X, X, X, X, n_heads=1)
    with pytest.raises(ValueError):
        r.output[0, 0] = 1.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"n_heads": 3}, r"n_heads \(3\) must divide d_model \(4\).*\[1, 2, 4\]"),
        ({"n_heads": 0}, "n_heads"),
        ({"W_q": np.ones((3, 4))}, "W_q"),
        ({"W_k": np.ones((2, 5))}, "W_k"),
        ({"W_v": np.ones((3, 4))}, "W_v"),
        ({"W_o": np.ones((5, 2))}, "W_o"),
        ({"X_kv": np.ones((3, 3))}, "X_kv"),
        ({"mask": np.ones((2, 2), dtype=bool)}, "mask"),
        ({"mask": np.ones((2, 3))}, "boolean"),
        ({"X_q": [[np.nan, 1.0]]}, "X_q"),
        ({"W_o": np.full((4, 2), 1e308)}, "overflow"),
    ],
)
def test_bad_input_is_refused(change, message):
    args = {
        "X_q": np.ones((2, 2)),
        "X_kv": np.ones((3, 2)),
        "W_q": np.ones((2, 4)),
        "W_k": np.ones((2, 4)),
        "W_v": np.ones((2, 4)),
        "W_o": np.ones((4, 2)),
        "n_heads": 2,
    } | change
    with pytest.raises(ValueError, match=message):
        multi_head_attention(**args)


@given(st.integers(1, 200))
def test_head_counts_are_the_divisors_and_each_splits_d_model(d_model):
    counts = head_counts(d_model)
    assert counts == sorted(counts) and counts[0] == 1 and counts[-1] == d_model
    for h in range(1, d_model + 1):
        assert (h in counts) == (d_model // h * h == d_model)


def test_head_counts_of_known_sizes_and_bad_input():
    assert head_counts(12) == [1, 2, 3, 4, 6, 12]
    assert head_counts(7) == [1, 7]
    for bad in (0, -4, 2.5, True):
        with pytest.raises(ValueError, match="d_model"):
            head_counts(bad)
