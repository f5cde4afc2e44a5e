"""Luong's alignment variants: global, local-m, local-p; soft vs hard."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import attn_core as core
from attn_core import softmax, softmax_parts
from tests.core import reference

scores_1d = arrays(np.float64, st.integers(1, 12), elements=st.floats(-10, 10))


def test_global_weights_are_a_softmax_over_all_positions():
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(core.global_weights(x), softmax(x, axis=-1))
    np.testing.assert_allclose(core.global_weights(x, tau=2.0), softmax(x, tau=2.0))


def window_softmax_by_hand(scores: np.ndarray, p_t: float, D: int) -> np.ndarray:
    """The softmax of the scores at positions max(0, ⌈p_t − D⌉) … min(S − 1, ⌊p_t + D⌋) and 0
    elsewhere, computed on the slice of those positions alone (no mask, no -inf)."""
    S = scores.size
    lo, hi = max(0, math.ceil(p_t - D)), min(S - 1, math.floor(p_t + D))
    inside = scores[lo : hi + 1]
    e = np.exp(inside - inside.max())
    out = np.zeros(S)
    out[lo : hi + 1] = e / e.sum()
    return out


@given(scores_1d, st.integers(1, 4), st.data())
def test_local_m_is_the_softmax_restricted_to_the_window(scores, D, data):
    S = scores.size
    t = data.draw(st.integers(0, S - 1 + D))  # p_t = t; a window past the end still holds S - 1
    a = core.local_weights(scores, t, D, mode="local-m")
    np.testing.assert_allclose(a.weights, window_softmax_by_hand(scores, t, D), atol=1e-12)
    np.testing.assert_allclose(a.weights, reference.local_weights(scores, t, D, "local-m"))
    assert math.isclose(a.weights[a.window].sum(), 1.0, rel_tol=1e-12)  # the window sums to 1
    assert math.isclose(a.total, 1.0, rel_tol=1e-12)
    assert (a.weights[~a.window] == 0.0).all()
    assert a.mode == "local-m" and a.gaussian is None and a.sigma is None


@given(
    scores_1d,
    st.integers(1, 4),
    arrays(np.float64, 3, elements=st.floats(-3, 3)),
    st.integers(0, 99),
)
def test_local_p_is_the_window_softmax_times_a_gaussian_around_the_predicted_centre(
    scores, D, h_t, seed
):
    S = scores.size
    params = core.random_position_params(3, h=4, seed=seed)
    W_p, v_p = params["W_p"], params["v_p"]
    p_t = S / (1.0 + math.exp(-float(v_p @ np.tanh(W_p @ h_t))))  # S · sigmoid(v_pᵀ tanh(W_p h_t))
    assert math.isclose(core.predicted_position(h_t, W_p, v_p, S), p_t, rel_tol=1e-12)
    a = core.local_weights(scores, core.predicted_position(h_t, W_p, v_p, S), D, mode="local-p")
    sigma = D / 2
    gaussian = np.exp(-((np.arange(S) - p_t) ** 2) / (2 * sigma**2))
    want = window_softmax_by_hand(scores, p_t, D) * gaussian
    np.testing.assert_allclose(a.weights, want, atol=1e-12)
    np.testing.assert_allclose(a.weights, reference.local_weights(scores, p_t, D, "local-p"))
    assert a.mode == "local-p" and a.sigma == D / 2
    np.testing.assert_allclose(a.gaussian, gaussian, atol=1e-12)


@given(scores_1d, st.integers(1, 4), st.data())
def test_local_p_is_not_renormalised_so_it_sums_to_less_than_one(scores, D, data):
    p_t = data.draw(st.floats(0, scores.size))  # local-p's range, S · sigmoid(…) ∈ [0, S]
    a = core.local_weights(scores, p_t, D, mode="local-p")
    positions = np.arange(scores.size)
    np.testing.assert_array_equal(a.window, np.abs(positions - p_t) <= D)
    assert (a.weights[~a.window] == 0.0).all() and (a.window_softmax[~a.window] == 0.0).all()
    assert math.isclose(a.window_softmax.sum(), 1.0, rel_tol=1e-12)
    assert (a.weights <= a.window_softmax + 1e-15).all()  # the Gaussian only takes away
    assert a.total <= 1.0 + 1e-12
    if a.window.sum() > 1:  # some weight sits ≥ ½ away from the centre, where e^{-…} < 1
        assert a.total < 1.0
    assert math.isclose(a.normalised.sum(), 1.0, rel_tol=1e-12)


def test_local_m_and_local_p_differ_by_the_gaussian_alone():
    scores = np.array([0.3, -1.0, 2.0, 0.5, 0.0, 1.0])
    m = core.local_weights(scores, 2, 2, mode="local-m")
    p = core.local_weights(scores, 2.0, 2, mode="local-p")
    np.testing.assert_array_equal(m.weights, m.window_softmax)
    np.testing.assert_array_equal(p.window_softmax, m.weights)
    np.testing.assert_allclose(p.weights, m.weights * p.gaussian)
    assert p.gaussian[2] == 1.0 and p.weights[2] == m.weights[2]  # the centre keeps its weight
    np.testing.assert_allclose(p.gaussian[[0, 4]], np.exp(-2.0))  # two sigmas away
    assert m.total == pytest.approx(1.0) and p.total < 0.9


@pytest.mark.parametrize(
    ("mode", "p_t", "first", "last"),
    [
        ("local-m", 0, 0, 3),  # t = 0: the left half of the window is cut off
        ("local-m", 9, 6, 9),  # the last step: the right half is cut off
        ("local-m", 11, 8, 9),  # a target longer than the source: only 8, 9 remain
        ("local-p", 0.4, 0, 3),
        ("local-p", 9.7, 7, 9),
        ("local-p", 10.0, 7, 9),  # S · sigmoid(+large) = S, one past the last position
    ],
)
def test_windows_are_clipped_at_the_ends_of_the_sentence(mode, p_t, first, last):
    scores = np.linspace(-1.0, 2.0, 10)
    a = core.local_weights(scores, p_t, 3, mode=mode)
    assert (a.first, a.last) == (first, last)
    assert a.window.tolist() == [first <= s <= last for s in range(10)]
    inside = scores[first : last + 1]
    np.testing.assert_allclose(
        a.window_softmax[first : last + 1], np.exp(inside) / np.exp(inside).sum()
    )
    if mode == "local-m":
        assert a.total == pytest.approx(1.0)  # clipped or not, the window sums to 1
    else:
        assert a.total < 1.0


def test_both_modes_over_several_steps_use_one_centre_per_row():
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(4, 7))
    for mode, p in (("local-m", np.arange(4)), ("local-p", np.array([0.2, 3.5, 6.9, 4.0]))):
        a = core.local_weights(scores, p, D=1, mode=mode)
        for t in range(4):
            np.testing.assert_allclose(
                a.weights[t], core.local_weights(scores[t], p[t], 1, mode=mode).weights
            )
        assert a.weights.shape == a.window.shape == (4, 7)
        assert np.shape(a.total) == np.shape(a.first) == np.shape(a.last) == (4,)
    np.testing.assert_allclose(
        core.local_weights(scores, np.arange(4), 2, mode="local-m").total, 1.0
    )


@pytest.mark.parametrize("mode", ["local", "global", "LOCAL-M", "local_m", "", None])
def test_an_unknown_mode_is_refused_by_name(mode):
    with pytest.raises(ValueError, match=r"mode must be 'local-m' .* or 'local-p'"):
        core.local_weights([1.0, 2.0, 3.0], p_t=1, D=1, mode=mode)


def test_local_m_centre_is_a_target_step():
    with pytest.raises(ValueError, match="whole number"):
        core.local_weights([1.0, 2.0, 3.0], p_t=1.5, D=1, mode="local-m")
    with pytest.raises(ValueError, match="p_t"):
        core.local_weights([1.0, 2.0, 3.0], p_t=-1, D=1, mode="local-m")
    assert core.local_weights([1.0, 2.0, 3.0], p_t=-1.0, D=1, mode="local-p").first == 0


def test_softmax_parts_are_the_numbers_of_the_worked_softmax():
    z = np.array([0.5, -1.0, 2.0, 3.0])
    window = np.array([True, True, True, False])
    m, total = softmax_parts(z, window)
    assert m == 2.0 and total == pytest.approx(np.exp(-1.5) + np.exp(-3.0) + 1.0)
    a = core.local_weights(z, 0, 2, mode="local-m")  # t = 0, D = 2: the same window, 0 … 2
    np.testing.assert_array_equal(a.window, window)
    m_all, total_all = softmax_parts(z)
    assert m_all == 3.0
    np.testing.assert_allclose(core.global_weights(z), np.exp(z - m_all) / total_all)
    m_w, total_w = softmax_parts(z, a.window)
    np.testing.assert_allclose(a.weights[a.window], np.exp(z[a.window] - m_w) / total_w)
    with pytest.raises(ValueError, match="window"):
        softmax_parts(z, [False] * 4)


def test_position_logit_is_what_the_sigmoid_gets():
    params = core.random_position_params(3, h=4, seed=2)
    H = np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 0.0]])
    x = core.position_logit(H, params["W_p"], params["v_p"])
    np.testing.assert_allclose(x, [params["v_p"] @ np.tanh(params["W_p"] @ h) for h in H])
    np.testing.assert_allclose(
        core.predicted_position(H, params["W_p"], params["v_p"], 12), 12 / (1 + np.exp(-x))
    )


def test_peak_hit_rate_counts_rows_whose_peak_is_the_truth():
    W = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.0, 0.4, 0.6], [0.2, 0.2, 0.6]])
    assert core.peak_hit_rate(W, [1, 0, 1, 2]) == 0.75
    with pytest.raises(ValueError, match="truth"):
        core.peak_hit_rate(W, [1, 0])


@given(arrays(np.float64, 3, elements=st.floats(-3, 3)), st.integers(1, 50), st.integers(0, 99))
def test_predicted_position_matches_the_reference_and_lies_inside(h_t, S, seed):
    params = core.random_position_params(3, h=4, seed=seed)
    p = core.predicted_position(h_t, params["W_p"], params["v_p"], S)
    assert isinstance(p, float) and 0 <= p <= S
    assert math.isclose(p, reference.predicted_position(h_t, params["W_p"], params["v_p"], S))


def test_predicted_position_for_several_states_and_extreme_ones():
    params = core.random_position_params(2, h=3, seed=0)
    H = np.array([[0.0, 0.0], [1.0, -1.0], [3.0, 2.0]])
    p = core.predicted_position(H, params["W_p"], params["v_p"], S=10)
    expected = [core.predicted_position(h, params["W_p"], params["v_p"], S=10) for h in H]
    np.testing.assert_allclose(p, expected)
    # the sigmoid saturates, with no warning
    assert core.predicted_position([1.0], [[1.0]], [1e300], S=8) == 8.0


@given(st.lists(st.floats(0, 1), min_size=1, max_size=6).filter(lambda w: sum(w) > 0.1))
def test_sampled_positions_only_hit_positive_weights_and_repeat_with_the_seed(raw):
    w = np.array(raw) / sum(raw)
    s = core.sample_positions(w, 50, seed=4)
    assert s.dtype.kind == "i" and s.shape == (50,)
    assert (w[s] > 0).all()
    np.testing.assert_array_equal(s, core.sample_positions(w, 50, seed=4))


def test_sample_frequencies_approach_the_weights():
    w = np.array([0.1, 0.6, 0.3])
    counts = np.bincount(core.sample_positions(w, 20000, seed=0), minlength=3) / 20000
    np.testing.assert_allclose(counts, w, atol=0.015)


def test_hard_attention_running_mean_approaches_the_soft_context():
    rng = np.random.default_rng(2)
    w, values = softmax(rng.normal(size=8)), rng.normal(size=(8, 3))
    r = core.hard_attention(w, values, n_samples=4000, seed=1)
    np.testing.assert_allclose(r.soft_context, w @ values)
    np.testing.assert_array_equal(r.samples, values[r.positions])
    np.testing.assert_allclose(r.running_mean[9], values[r.positions[:10]].mean(axis=0))
    np.testing.assert_allclose(r.error, np.linalg.norm(r.running_mean - r.soft_context, axis=1))
    spread = sum(w[s] * np.sum((values[s] - r.soft_context) ** 2) for s in range(8))
    np.testing.assert_allclose(r.expected_error, np.sqrt(spread / np.arange(1, 4001)))
    assert r.error[-1] < 3 * r.expected_error[-1]  # within a few standard errors
    assert r.expected_error[3] == pytest.approx(2 * r.expected_error[15])  # 1/sqrt(N)


def test_hard_attention_with_one_hot_weights_has_no_error():
    r = core.hard_attention([0.0, 1.0, 0.0], [[1.0], [5.0], [9.0]], n_samples=5)
    assert (r.positions == 1).all() and (r.error == 0.0).all() and (r.expected_error == 0.0).all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: core.local_weights([1.0, 2.0], p_t=0, D=0, mode="local-m"), "D"),
        (lambda: core.local_weights([1.0, 2.0], p_t=5, D=1, mode="local-p"), "p_t"),
        (lambda: core.local_weights([1.0, 2.0], p_t=np.nan, D=1, mode="local-p"), "p_t"),
        (lambda: core.local_weights([1.0, 2.0], p_t=[0, 1], D=1, mode="local-m"), "p_t"),
        (lambda: core.local_weights(np.ones((2, 3)), p_t=[0, 1, 2], D=1, mode="local-m"), "p_t"),
        (lambda: core.local_weights(np.ones((2, 2, 2)), p_t=0, D=1, mode="local-m"), "scores"),
        (lambda: core.local_weights([], p_t=0, D=1, mode="local-p"), "scores"),
        (lambda: core.predicted_position([1.0, 2.0], np.ones((3, 3)), np.ones(3), 5), "W_p"),
        (lambda: core.predicted_position([1.0], np.ones((3, 1)), np.ones(2), 5), "v_p"),
        (lambda: core.predicted_position([1.0], np.ones((3, 1)), np.ones(3), 0), "S"),
        (lambda: core.sample_positions([0.5, 0.6], 3), "sum to 1"),
        (lambda: core.sample_positions([1.5, -0.5], 3), "negative"),
        (lambda: core.sample_positions([0.5, 0.5], 0), "n"),
        (lambda: core.hard_attention([0.5, 0.5], np.ones((3, 2)), 4), "rows of values"),
        (lambda: core.hard_attention([0.5, 0.5], [[np.inf], [1.0]], 4), "values"),
    ],
)
def test_bad_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
