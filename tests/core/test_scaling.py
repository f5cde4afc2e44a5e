"""The √d variance experiment: spread of q·k, softmax saturation, and the Jacobian's norm."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attn_core import softmax, softmax_jacobian
from attn_core.scaling import dot_product_experiment, softmax_jacobian_norm

D_GRID = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]


@pytest.fixture(scope="module")
def big():
    return dot_product_experiment(D_GRID, n_pairs=20_000, n_keys=8, seed=3)


# --- the Jacobian's norm -------------------------------------------------------------------


@given(st.lists(st.floats(-30, 30), min_size=1, max_size=12))
def test_jacobian_norm_equals_the_norm_of_the_core_jacobian(x):
    p = softmax(np.array(x))
    assert softmax_jacobian_norm(p) == pytest.approx(
        np.linalg.norm(softmax_jacobian(p)), rel=1e-6, abs=1e-15
    )


def test_jacobian_norm_of_many_vectors_at_once():
    P = softmax(np.random.default_rng(0).normal(size=(5, 7, 4)))  # (5, 7, 4)
    norms = softmax_jacobian_norm(P)
    assert norms.shape == (5, 7)
    assert norms[2, 3] == pytest.approx(np.linalg.norm(softmax_jacobian(P[2, 3])))


def test_jacobian_norm_is_zero_at_one_hot_and_small_when_saturated():
    assert softmax_jacobian_norm([0.0, 1.0, 0.0]) == 0.0
    n = 6
    uniform = softmax_jacobian_norm(np.full(n, 1 / n))
    assert uniform == pytest.approx(np.sqrt(n - 1) / n, rel=1e-12)  # (n - 1) / n^2 under the root
    assert uniform > 100 * softmax_jacobian_norm(softmax(10 * np.arange(n, dtype=float)))
    # near one-hot the norm keeps its digits: p = (1 - e, e) gives 2 e (1 - e)
    e = 1e-12
    assert softmax_jacobian_norm([1 - e, e]) == pytest.approx(2 * e, rel=1e-9, abs=0)


# --- the experiment ------------------------------------------------------------------------


def test_shapes_and_grouping():
    e = dot_product_experiment([1, 3, 70], n_pairs=101, n_keys=4, seed=0)
    assert e.scores.shape == (3, 25, 4)  # 101 // 4 queries, 4 keys each
    assert e.flat_scores(1).shape == (100,)
    assert list(e.d) == [1, 3, 70]
    for name in ("variance", "max_weight", "jacobian_norm", "scaled_jacobian_norm"):
        assert getattr(e, name).shape == (3,)


def test_same_seed_same_numbers_other_seed_other_numbers():
    a = dot_product_experiment([1, 8], 200, 4, seed=5)
    b = dot_product_experiment([1, 8], 200, 4, seed=5)
    c = dot_product_experiment([1, 8], 200, 4, seed=6)
    assert np.array_equal(a.scores, b.scores)
    assert not np.array_equal(a.scores, c.scores)


def test_scores_at_a_dimension_do_not_depend_on_the_others_on_the_grid():
    # the running sum over one stream of coordinates: asking for fewer d changes nothing
    a = dot_product_experiment([1, 2, 64, 100], 300, 3, seed=2)
    b = dot_product_experiment([64, 100], 300, 3, seed=2)
    assert np.allclose(a.scores[2:], b.scores)


def test_one_dimension_is_a_product_of_two_normals():
    e = dot_product_experiment([1], 20_000, 2, seed=1)
    s = e.flat_scores(0)
    # q k with q, k ~ N(0, 1): mean 0, variance 1, kurtosis 9 (heavier tails than a normal)
    assert abs(s.mean()) < 0.05
    assert s.var() == pytest.approx(1.0, rel=0.06)
    assert np.mean(s**4) / s.var() ** 2 == pytest.approx(9.0, rel=0.25)


def test_variance_grows_like_d_and_scaling_fixes_it(big):
    assert np.allclose(big.variance / big.d, 1.0, rtol=0.06)
    assert np.allclose(big.scaled_variance, 1.0, rtol=0.06)
    assert np.allclose(big.scaled_variance, big.variance / big.d)


def test_unscaled_softmax_saturates_and_its_gradient_vanishes(big):
    assert np.all(np.diff(big.max_weight[2:]) > 0)
    assert big.max_weight[-1] > 0.95
    assert big.jacobian_norm[-1] < 0.2 * big.jacobian_norm[0]
    # scaled: the same softmax at every d (within sampling noise)
    assert np.ptp(big.scaled_max_weight[3:]) < 0.03
    assert np.ptp(big.scaled_jacobian_norm[3:]) < 0.03


def test_summaries_equal_the_core_softmax_on_the_scores():
    e = dot_product_experiment([1, 16, 256], 400, 5, seed=4)
    for i, d in enumerate(e.d):
        P = softmax(e.scores[i])  # (n_q, n_keys)
        Ps = softmax(e.scores[i], tau=np.sqrt(d))
        assert e.max_weight[i] == pytest.approx(P.max(axis=1).mean())
        assert e.scaled_max_weight[i] == pytest.approx(Ps.max(axis=1).mean())
        norms = [np.linalg.norm(softmax_jacobian(p)) for p in Ps]
        assert e.scaled_jacobian_norm[i] == pytest.approx(np.mean(norms))
        assert e.variance[i] == pytest.approx(np.var(e.flat_scores(i), ddof=1))


@pytest.mark.parametrize(
    ("d_values", "n_pairs", "n_keys"),
    [
        ([0, 2], 10, 2),
        ([4, 2], 10, 2),
        ([1.5], 10, 2),
        ([], 10, 2),
        ([1, np.nan], 10, 2),
        ([1], 0, 2),
        ([1], 10, 1),
        ([1], 10.0, 2),
        ("abc", 10, 2),
    ],
)
def test_bad_input_raises_value_error(d_values, n_pairs, n_keys):
    with pytest.raises(ValueError):
        dot_product_experiment(d_values, n_pairs, n_keys)


def test_default_size_is_quick_enough_to_compute_once_per_parameter_set():
    start = time.perf_counter()
    dot_product_experiment(D_GRID, 2_000, 8, seed=0)
    assert time.perf_counter() - start < 1.0
