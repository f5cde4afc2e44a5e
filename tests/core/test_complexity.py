"""The cost table of CNN, RNN and self-attention, and the three layers it describes."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import attn_core as core
from tests.core import reference

ns, ds, ks = st.integers(1, 40), st.integers(1, 16), st.integers(2, 7)


def test_vaswani_table_for_one_configuration():
    table = core.complexity(n=10, d=4, k=3)
    assert set(table) == set(core.LAYERS)
    assert table["self_attention"] == core.LayerCost(per_layer=400, sequential=1, max_path=1)
    assert table["recurrent"] == core.LayerCost(per_layer=160, sequential=10, max_path=10)
    assert table["convolutional"] == core.LayerCost(per_layer=480, sequential=1, max_path=5)


@given(ns, ds, ks)
def test_the_cnn_path_is_the_layers_needed_to_reach_across(n, d, k):
    assert core.complexity(n, d, k)["convolutional"].max_path == reference.conv_max_path(n, k)


@given(st.integers(1, 8), st.integers(1, 4), st.integers(2, 4))
def test_per_layer_costs_match_counted_multiply_adds(n, d, k):
    """Counting every multiply-add of the loop references gives the table up to a constant."""
    table = core.complexity(n, d, k)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d))
    _, conv_ops = reference.conv1d(X, rng.normal(size=(k, d, d)))
    _, rnn_ops = reference.recurrent(X, rng.normal(size=(d, d)), rng.normal(size=(d, d)))
    assert conv_ops == table["convolutional"].per_layer  # k n d^2 exactly
    assert rnn_ops == 2 * table["recurrent"].per_layer  # W_h h and W_x x: 2 n d^2
    assert reference.self_attention_ops(n, d) == 2 * table["self_attention"].per_layer


@given(ns, ds, ks)
def test_self_attention_is_cheaper_exactly_below_the_crossovers(n, d, k):
    table, cross = core.complexity(n, d, k), core.crossover_n(d, k)
    sa = table["self_attention"].per_layer
    assert (sa < table["recurrent"].per_layer) == (n < cross["recurrent"])
    assert (sa < table["convolutional"].per_layer) == (n < cross["convolutional"])


@given(
    st.integers(1, 7), st.integers(1, 3), st.integers(1, 3), st.integers(1, 5), st.integers(0, 99)
)
def test_conv_layer_matches_the_loop_reference(n, d_in, d_out, k, seed):
    rng = np.random.default_rng(seed)
    X, W = rng.normal(size=(n, d_in)), rng.normal(size=(k, d_in, d_out))
    expected, _ = reference.conv1d(X, W)
    np.testing.assert_allclose(core.conv1d_layer(X, W), expected, atol=1e-12)


@given(st.integers(1, 7), st.integers(1, 3), st.integers(1, 4), st.integers(0, 99))
def test_recurrent_layer_matches_the_loop_reference(n, d_in, d, seed):
    rng = np.random.default_rng(seed)
    X, W_h, W_x = rng.normal(size=(n, d_in)), rng.normal(size=(d, d)), rng.normal(size=(d, d_in))
    expected, _ = reference.recurrent(X, W_h, W_x)
    np.testing.assert_allclose(core.recurrent_layer(X, W_h, W_x), expected, atol=1e-12)


@given(st.integers(1, 6), st.integers(1, 4), st.integers(0, 99))
def test_self_attention_layer_matches_the_loop_reference(n, d, seed):
    X = np.random.default_rng(seed).normal(size=(n, d))
    _, _, expected = reference.attention(X, X, X, "scaled_dot")
    out = core.self_attention_layer(X)
    np.testing.assert_allclose(out, expected, atol=1e-12)
    out[0, 0] = 1.0  # a plain writable array


def test_random_layer_params_fit_the_layers():
    p = core.random_layer_params(8, k=5, seed=2)
    X = np.random.default_rng(0).normal(size=(12, 8))
    assert core.conv1d_layer(X, p["kernel"]).shape == (12, 8)
    H = core.recurrent_layer(X, p["W_h"], p["W_x"])
    assert H.shape == (12, 8) and np.abs(H).max() < 1.0
    np.testing.assert_array_equal(p["W_h"], core.random_layer_params(8, k=5, seed=2)["W_h"])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: core.complexity(10, 4, 1), "k"),
        (lambda: core.complexity(0, 4, 3), "n"),
        (lambda: core.complexity(10, 2.5, 3), "d"),
        (lambda: core.crossover_n(4, 1), "k"),
        (lambda: core.conv1d_layer(np.ones((4, 2)), np.ones((3, 3, 2))), "kernel"),
        (lambda: core.conv1d_layer(np.ones((4, 2)), np.ones((3, 2))), "kernel"),
        (lambda: core.recurrent_layer(np.ones((4, 2)), np.ones((3, 2)), np.ones((3, 2))), "W_h"),
        (lambda: core.recurrent_layer(np.ones((4, 2)), np.ones((3, 3)), np.ones((2, 2))), "W_x"),
        (lambda: core.recurrent_layer(np.ones((4, 2)), np.ones((3, 3)), np.ones((3, 4))), "X"),
        (lambda: core.self_attention_layer(np.ones(3)), "X"),
    ],
)
def test_bad_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@given(ns, ds, ks)
def test_operations_curve_is_the_tables_count(n, d, k):
    from attn_core.complexity import operations

    table = core.complexity(n, d, k)
    for layer in core.LAYERS:
        assert operations(layer, [n], d, k)[0] == table[layer].per_layer


@given(st.integers(1, 10_000), st.integers(2, 64))
def test_conv_layers_needed_is_the_smallest_stack_that_reaches_across(n, k):
    from attn_core.complexity import conv_layers_needed

    L = conv_layers_needed(n, k)
    assert 1 + L * (k - 1) >= n  # L layers see 1 + L(k-1) inputs
    assert L == 1 or 1 + (L - 1) * (k - 1) < n  # one layer fewer does not


def test_loglog_slope_reads_the_exponent_off_the_larger_half():
    from attn_core.complexity import loglog_slope

    ns_ = np.array([16, 32, 64, 128, 256])
    assert loglog_slope(ns_, 3e-9 * ns_**2.0) == pytest.approx(2.0)
    # flat (fixed costs) at small n, then linear: only the larger half counts
    assert loglog_slope(ns_, [1e-4, 1e-4, 1e-4, 2e-4, 4e-4]) == pytest.approx(1.0)
    assert loglog_slope([16], [1.0]) is None
    assert loglog_slope([16, 32], [0.0, 1.0]) is None  # a zero time cannot be on a log axis


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda f: f["operations"]("lstm", [1], 4, 3), "layer must be one of"),
        (lambda f: f["operations"]("recurrent", [np.nan], 4, 3), "finite"),
        (lambda f: f["operations"]("recurrent", [4], 4, 1), "k must be at least 2"),
        (lambda f: f["conv_layers_needed"](0, 3), "n must be at least 1"),
        (lambda f: f["loglog_slope"]([1, 2], [1.0]), "one length"),
    ],
)
def test_bad_input_is_a_clear_error(call, match):
    module = importlib.import_module("attn_core.complexity")  # the name is also a function

    with pytest.raises(ValueError, match=match):
        call(vars(module))
