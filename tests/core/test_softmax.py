"""Softmax with temperature, its Jacobian and entropy."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from attn_core import entropy, shares_to_weights, softmax, softmax_jacobian, total_variation
from tests.core import reference

moderate = st.floats(-50, 50, allow_nan=False)
vectors = arrays(np.float64, st.integers(1, 8), elements=moderate)
taus = st.floats(0.05, 20)


@given(vectors, taus)
def test_matches_the_loop_reference(x, tau):
    np.testing.assert_allclose(
        softmax(x, tau=tau), reference.softmax(x, tau), rtol=1e-12, atol=1e-15
    )


@given(vectors, taus)
def test_weights_are_positive_and_sum_to_one(x, tau):
    p = softmax(x, tau=tau)
    assert (p >= 0).all()
    assert math.isclose(p.sum(), 1.0, rel_tol=1e-12)


@given(vectors, st.floats(-1e6, 1e6))
def test_adding_a_constant_changes_nothing(x, c):
    np.testing.assert_allclose(softmax(x + c), softmax(x), atol=1e-9)


def test_seed_example_is_computed_not_quoted():
    # seed 001 prints ≈ [0.51, 0.49]; the true values:
    np.testing.assert_allclose(softmax([51.0, 49.0]), [0.8808, 0.1192], atol=1e-4)
    np.testing.assert_allclose(softmax([70.0, 30.0]), [1.0, 0.0], atol=1e-17)


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        ([1e300, -1e300], [1.0, 0.0]),
        ([1e300, 1e300], [0.5, 0.5]),
        ([-1e300, -1e300, -1e300], [1 / 3, 1 / 3, 1 / 3]),
        ([1.7e308, -1.7e308], [1.0, 0.0]),  # the difference overflows float64
        ([-1e300, 0.0], [0.0, 1.0]),
    ],
)
def test_extreme_inputs_stay_finite_and_warn_nothing(x, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(x)
        q = softmax(x, tau=1e-3)
    np.testing.assert_allclose(p, expected, atol=1e-15)
    np.testing.assert_allclose(q, expected, atol=1e-15)


def test_minus_infinity_gets_exactly_zero_and_an_all_minus_infinity_row_gets_zeros():
    p = softmax([[0.0, -np.inf, 1.0], [-np.inf, -np.inf, -np.inf]], tau=0.5)
    assert p[0, 1] == 0.0
    assert math.isclose(p[0].sum(), 1.0)
    assert (p[1] == 0.0).all() and not np.isnan(p).any()


@given(arrays(np.float64, st.integers(2, 8), elements=moderate, unique=True))
def test_small_temperature_is_one_hot_at_the_maximum(x):
    p = softmax(x, tau=1e-6)
    expected = np.zeros_like(x)
    expected[np.argmax(x)] = 1.0
    if np.sort(x)[-1] - np.sort(x)[-2] > 1e-3:  # a clear winner
        np.testing.assert_allclose(p, expected, atol=1e-12)


@given(vectors)
def test_large_temperature_is_uniform(x):
    np.testing.assert_allclose(softmax(x, tau=1e9), np.full(x.shape, 1 / x.size), rtol=1e-6)


@given(vectors, taus, taus)
def test_entropy_grows_with_temperature(x, tau_a, tau_b):
    low, high = sorted((tau_a, tau_b))
    assert entropy(softmax(x, tau=low)) <= entropy(softmax(x, tau=high)) + 1e-9


def test_axis_normalises_the_chosen_axis():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(softmax(x, axis=0), softmax(x.T, axis=1).T)
    np.testing.assert_allclose(softmax(x, axis=0).sum(axis=0), 1.0)


def test_input_is_not_modified():
    x = np.array([1.0, 2.0, 3.0])
    softmax(x, tau=2.0)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("tau", [0, -1.0, np.nan, np.inf, "hot", None])
def test_bad_temperature_is_refused(tau):
    with pytest.raises(ValueError, match="tau"):
        softmax([1.0, 2.0], tau=tau)


@pytest.mark.parametrize("x", [[], [1.0, np.nan], [np.inf, 0.0], 3.0, [["a", "b"]]])
def test_bad_scores_are_refused(x):
    with pytest.raises(ValueError, match="x"):
        softmax(x)


@pytest.mark.parametrize("axis", [2, -3, 1.5])
def test_bad_axis_is_refused(axis):
    with pytest.raises(ValueError, match="axis"):
        softmax(np.zeros((2, 2)), axis=axis)
    with pytest.raises(ValueError, match="axis"):
        entropy(np.full((2, 2), 0.5), axis=axis)


@given(vectors)
def test_jacobian_matches_the_reference_and_finite_differences(x):
    p = softmax(x)
    J = softmax_jacobian(p)
    np.testing.assert_allclose(J, reference.softmax_jacobian(p), atol=1e-15)
    np.testing.assert_allclose(J, J.T)
    np.testing.assert_allclose(J.sum(axis=1), 0.0, atol=1e-12)
    eps = 1e-6
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = eps
        column = (softmax(x + step) - softmax(x - step)) / (2 * eps)
        np.testing.assert_allclose(J[:, j], column, atol=1e-7)


def test_jacobian_vanishes_when_softmax_saturates():
    assert np.abs(softmax_jacobian(softmax([70.0, 30.0]))).max() < 1e-15
    assert np.abs(softmax_jacobian(softmax([70.0, 30.0], tau=8.0))).max() > 1e-3


@pytest.mark.parametrize("p", [[0.5, 0.6], [1.5, -0.5], [[0.5, 0.5]], [], [np.nan, 1.0]])
def test_jacobian_refuses_what_is_not_a_probability_vector(p):
    with pytest.raises(ValueError, match="p"):
        softmax_jacobian(p)


@given(vectors)
def test_entropy_matches_the_reference_and_its_bounds(x):
    p = softmax(x)
    h = entropy(p)
    assert math.isclose(h, reference.entropy(p), rel_tol=1e-12, abs_tol=1e-15)
    assert -1e-12 <= h <= math.log(x.size) + 1e-12


def test_entropy_of_uniform_one_hot_and_fully_masked_rows():
    rows = np.array([[0.25, 0.25, 0.25, 0.25], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    np.testing.assert_allclose(entropy(rows), [math.log(4), 0.0, 0.0])
    assert isinstance(entropy([0.5, 0.5]), float)


@pytest.mark.parametrize("p", [[0.5, 0.6], [-0.1, 1.1], [], [np.nan], "abc"])
def test_entropy_refuses_what_is_not_a_distribution(p):
    with pytest.raises(ValueError, match="p"):
        entropy(p)


# --- guesses: shares → weights, total-variation distance --------------------------------------

_shares = st.lists(st.floats(0, 10, allow_nan=False), min_size=1, max_size=12).filter(
    lambda s: sum(s) > 0
)


@given(_shares)
def test_shares_become_weights_in_the_same_proportions(shares):
    w = shares_to_weights(shares)
    assert w.sum() == pytest.approx(1.0)
    assert (w >= 0).all()
    i = int(np.argmax(shares))
    assert w[i] == pytest.approx(shares[i] / sum(shares))


@pytest.mark.parametrize("bad", [[0.0, 0.0], [1.0, -0.5], [np.nan, 1.0], []])
def test_shares_that_cannot_be_weights_are_refused(bad):
    with pytest.raises(ValueError):
        shares_to_weights(bad)


@given(_shares, _shares)
def test_total_variation_is_half_the_l1_distance_and_a_metric(a, b):
    n = min(len(a), len(b))
    p, q = (
        shares_to_weights(a[:n] if sum(a[:n]) > 0 else [1.0] * n),
        shares_to_weights(b[:n] if sum(b[:n]) > 0 else [1.0] * n),
    )
    d = total_variation(p, q)
    assert 0.0 <= d <= 1.0 + 1e-12
    assert d == pytest.approx(total_variation(q, p))
    assert d == pytest.approx(0.5 * sum(abs(x - y) for x, y in zip(p, q, strict=True)))
    assert total_variation(p, p) == 0.0


def test_total_variation_of_disjoint_weights_is_one_and_lengths_must_match():
    assert total_variation([1.0, 0.0], [0.0, 1.0]) == 1.0
    assert total_variation([0.5, 0.5, 0.0], [0.25, 0.25, 0.5]) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="same length"):
        total_variation([1.0, 0.0], [1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="sum to 1"):
        total_variation([0.7, 0.7], [0.5, 0.5])
