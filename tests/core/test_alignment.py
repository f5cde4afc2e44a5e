"""Luong's alignment variants: global, local-m, local-p; soft vs hard."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from attn_core import (
    global_weights,
    hard_attention,
    local_weights,
    predicted_position,
    random_position_params,
    sample_positions,
    softmax,
)
from tests.core import reference

scores_1d = arrays(np.float64, st.integers(1, 12), elements=st.floats(-10, 10))


def test_global_weights_are_a_softmax_over_all_positions():
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(global_weights(x), softmax(x, axis=-1))
    np.testing.assert_allclose(global_weights(x, tau=2.0), softmax(x, tau=2.0))


@given(scores_1d, st.integers(1, 4), st.data())
def test_local_weights_match_the_loop_reference(scores, D, data):
    S = scores.size
    p_t = data.draw(st.floats(0, S))  # local-p's range
    a = local_weights(scores, p_t, D)
    np.testing.assert_allclose(a.weights, reference.local_weights(scores, p_t, D), atol=1e-12)
    assert a.sigma == D / 2


@given(scores_1d, st.integers(1, 4), st.data())
def test_window_gets_everything_and_the_gaussian_only_takes_away(scores, D, data):
    p_t = data.draw(st.floats(0, scores.size))
    a = local_weights(scores, p_t, D)
    positions = np.arange(scores.size)
    np.testing.assert_array_equal(a.window, np.abs(positions - p_t) <= D)
    assert (a.weights[~a.window] == 0.0).all() and (a.window_softmax[~a.window] == 0.0).all()
    assert math.isclose(a.window_softmax.sum(), 1.0, rel_tol=1e-12)
    assert (a.weights <= a.window_softmax + 1e-15).all()
    assert a.weights.sum() <= 1.0 + 1e-12  # not renormalised, as in the paper
    assert math.isclose(a.normalised.sum(), 1.0, rel_tol=1e-12)


def test_local_m_centre_keeps_its_window_weight():
    scores = np.array([0.3, -1.0, 2.0, 0.5, 0.0, 1.0])
    a = local_weights(scores, p_t=2, D=2)  # local-m at target step t = 2
    assert a.gaussian[2] == 1.0 and a.weights[2] == a.window_softmax[2]
    np.testing.assert_allclose(a.gaussian[[0, 4]], np.exp(-2.0))  # two sigmas away


def test_local_m_over_several_steps_uses_one_centre_per_row():
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(4, 7))
    a = local_weights(scores, p_t=np.arange(4), D=1)
    for t in range(4):
        np.testing.assert_allclose(a.weights[t], local_weights(scores[t], t, 1).weights)
    assert a.weights.shape == a.window.shape == a.gaussian.shape == (4, 7)


@given(arrays(np.float64, 3, elements=st.floats(-3, 3)), st.integers(1, 50), st.integers(0, 99))
def test_predicted_position_matches_the_reference_and_lies_inside(h_t, S, seed):
    params = random_position_params(3, h=4, seed=seed)
    p = predicted_position(h_t, params["W_p"], params["v_p"], S)
    assert isinstance(p, float) and 0 <= p <= S
    assert math.isclose(p, reference.predicted_position(h_t, params["W_p"], params["v_p"], S))


def test_predicted_position_for_several_states_and_extreme_ones():
    params = random_position_params(2, h=3, seed=0)
    H = np.array([[0.0, 0.0], [1.0, -1.0], [3.0, 2.0]])
    p = predicted_position(H, params["W_p"], params["v_p"], S=10)
    expected = [predicted_position(h, params["W_p"], params["v_p"], S=10) for h in H]
    np.testing.assert_allclose(p, expected)
    assert predicted_position([1.0], [[1.0]], [1e300], S=8) == 8.0  # sigmoid saturates, no warning


@given(st.lists(st.floats(0, 1), min_size=1, max_size=6).filter(lambda w: sum(w) > 0.1))
def test_sampled_positions_only_hit_positive_weights_and_repeat_with_the_seed(raw):
    w = np.array(raw) / sum(raw)
    s = sample_positions(w, 50, seed=4)
    assert s.dtype.kind == "i" and s.shape == (50,)
    assert (w[s] > 0).all()
    np.testing.assert_array_equal(s, sample_positions(w, 50, seed=4))


def test_sample_frequencies_approach_the_weights():
    w = np.array([0.1, 0.6, 0.3])
    counts = np.bincount(sample_positions(w, 20000, seed=0), minlength=3) / 20000
    np.testing.assert_allclose(counts, w, atol=0.015)


def test_hard_attention_running_mean_approaches_the_soft_context():
    rng = np.random.default_rng(2)
    w, values = softmax(rng.normal(size=8)), rng.normal(size=(8, 3))
    r = hard_attention(w, values, n_samples=4000, seed=1)
    np.testing.assert_allclose(r.soft_context, w @ values)
    np.testing.assert_array_equal(r.samples, values[r.positions])
    np.testing.assert_allclose(r.running_mean[9], values[r.positions[:10]].mean(axis=0))
    np.testing.assert_allclose(r.error, np.linalg.norm(r.running_mean - r.soft_context, axis=1))
    spread = sum(w[s] * np.sum((values[s] - r.soft_context) ** 2) for s in range(8))
    np.testing.assert_allclose(r.expected_error, np.sqrt(spread / np.arange(1, 4001)))
    assert r.error[-1] < 3 * r.expected_error[-1]  # within a few standard errors
    assert r.expected_error[3] == pytest.approx(2 * r.expected_error[15])  # 1/sqrt(N)


def test_hard_attention_with_one_hot_weights_has_no_error():
    r = hard_attention([0.0, 1.0, 0.0], [[1.0], [5.0], [9.0]], n_samples=5)
    assert (r.positions == 1).all() and (r.error == 0.0).all() and (r.expected_error == 0.0).all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: local_weights([1.0, 2.0], p_t=0, D=0), "D"),
        (lambda: local_weights([1.0, 2.0], p_t=5, D=1), "p_t"),
        (lambda: local_weights([1.0, 2.0], p_t=np.nan, D=1), "p_t"),
        (lambda: local_weights([1.0, 2.0], p_t=[0, 1], D=1), "p_t"),
        (lambda: local_weights(np.ones((2, 3)), p_t=[0, 1, 2], D=1), "p_t"),
        (lambda: local_weights(np.ones((2, 2, 2)), p_t=0, D=1), "scores"),
        (lambda: local_weights([], p_t=0, D=1), "scores"),
        (lambda: predicted_position([1.0, 2.0], np.ones((3, 3)), np.ones(3), 5), "W_p"),
        (lambda: predicted_position([1.0], np.ones((3, 1)), np.ones(2), 5), "v_p"),
        (lambda: predicted_position([1.0], np.ones((3, 1)), np.ones(3), 0), "S"),
        (lambda: sample_positions([0.5, 0.6], 3), "sum to 1"),
        (lambda: sample_positions([1.5, -0.5], 3), "negative"),
        (lambda: sample_positions([0.5, 0.5], 0), "n"),
        (lambda: hard_attention([0.5, 0.5], np.ones((3, 2)), 4), "rows of values"),
        (lambda: hard_attention([0.5, 0.5], [[np.inf], [1.0]], 4), "values"),
    ],
)
def test_bad_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
