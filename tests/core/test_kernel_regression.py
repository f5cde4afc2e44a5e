"""Nadaraya–Watson kernel regression, average pooling and the fitted bandwidth."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attn_core.kernel_regression import (
    KERNELS,
    average_pooling,
    fit_bandwidth,
    kernel_map,
    leave_one_out_loss,
    nadaraya_watson,
    nw_parametric,
    uncovered_intervals,
)
from tests.core.reference_vision import leave_one_out_loss_loop, nadaraya_watson_loop

# A toy table like the page's: waist (cm) → weight (kg) of 12 people, with seed 001's pair.
WAIST = np.array([51.0, 56, 58, 62, 66, 70, 74, 79, 83, 88, 93, 98])
WEIGHT = np.array([40.0, 43, 48, 52, 55, 60, 66, 71, 77, 82, 90, 96])

coords = st.floats(-100, 100, allow_nan=False)
kernels = st.sampled_from(KERNELS)
bandwidths = st.floats(0.05, 50)


@st.composite
def datasets(draw, min_size=1, max_size=15):
    n = draw(st.integers(min_size, max_size))
    keys = np.array(draw(st.lists(coords, min_size=n, max_size=n)))
    values = np.array(draw(st.lists(coords, min_size=n, max_size=n)))
    queries = np.array(draw(st.lists(coords, min_size=1, max_size=8)))
    return queries, keys, values


# --- the worked example of the page ------------------------------------------------------------


def test_two_keys_with_equal_weights_give_the_midpoint():
    r = average_pooling([57.0], [43.0, 48.0])
    np.testing.assert_allclose(r.weights, [[0.5, 0.5]])
    assert r.prediction[0] == pytest.approx(45.5)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("bandwidth", [1.5, 4.0, 30.0])
def test_any_symmetric_kernel_weighs_57_halfway_between_56_and_58(kernel, bandwidth):
    r = nadaraya_watson([57.0], [56.0, 58.0], [43.0, 48.0], kernel, bandwidth)
    np.testing.assert_allclose(r.weights, [[0.5, 0.5]])
    assert r.prediction[0] == pytest.approx(45.5)


def test_boxcar_edge_is_inclusive():
    r = nadaraya_watson([57.0], [56.0, 58.0], [43.0, 48.0], "boxcar", 1.0)
    assert r.prediction[0] == pytest.approx(45.5)
    assert not r.uncovered[0]


# --- properties -------------------------------------------------------------------------------


@given(datasets(), kernels)
def test_huge_bandwidth_is_average_pooling(data, kernel):
    queries, keys, values = data
    r = nadaraya_watson(queries, keys, values, kernel, bandwidth=1e9)
    pooled = average_pooling(queries, values)
    np.testing.assert_allclose(r.weights, pooled.weights, rtol=1e-9)
    np.testing.assert_allclose(r.prediction, pooled.prediction, rtol=1e-9, atol=1e-9)


@given(datasets(), kernels, bandwidths)
def test_rows_sum_to_one_or_are_flagged_uncovered(data, kernel, bandwidth):
    queries, keys, values = data
    r = nadaraya_watson(queries, keys, values, kernel, bandwidth)
    assert r.weights.shape == (queries.size, keys.size)
    assert r.prediction.shape == r.uncovered.shape == (queries.size,)
    assert np.all(r.weights >= 0)
    sums = r.weights.sum(axis=1)
    np.testing.assert_allclose(sums[~r.uncovered], 1.0, rtol=1e-12)
    assert np.all(sums[r.uncovered] == 0)
    assert np.all(np.isnan(r.prediction[r.uncovered]))
    assert not np.any(np.isnan(r.prediction[~r.uncovered]))
    if kernel == "gaussian":
        assert not r.uncovered.any()


@given(datasets(), kernels, bandwidths)
def test_predictions_stay_within_the_values(data, kernel, bandwidth):
    queries, keys, values = data
    p = nadaraya_watson(queries, keys, values, kernel, bandwidth).prediction
    p = p[~np.isnan(p)]
    slack = 1e-9 * (1 + np.abs(values).max())
    assert np.all(p >= values.min() - slack)
    assert np.all(p <= values.max() + slack)


@given(datasets(), kernels, bandwidths)
def test_matches_the_loop_reference(data, kernel, bandwidth):
    queries, keys, values = data
    r = nadaraya_watson(queries, keys, values, kernel, bandwidth)
    weights, prediction = nadaraya_watson_loop(queries, keys, values, kernel, bandwidth)
    if kernel == "gaussian":  # the reference underflows to 0/0 far away; compare where it can
        ok = ~np.isnan(prediction)
        np.testing.assert_allclose(r.weights[ok], weights[ok], atol=1e-12)
        np.testing.assert_allclose(r.prediction[ok], prediction[ok], rtol=1e-9, atol=1e-9)
    else:
        np.testing.assert_allclose(r.weights, weights, atol=1e-12)
        np.testing.assert_allclose(r.prediction, prediction, rtol=1e-9, atol=1e-9)


def test_gaussian_far_from_the_data_takes_the_nearest_key():
    r = nadaraya_watson([1e6, -1e6], WAIST, WEIGHT, "gaussian", bandwidth=0.5)
    np.testing.assert_allclose(r.prediction, [WEIGHT[-1], WEIGHT[0]])
    assert not r.uncovered.any()
    tiny = nadaraya_watson([60.9], WAIST, WEIGHT, "gaussian", bandwidth=1e-200)
    assert tiny.prediction[0] == WEIGHT[3]


@pytest.mark.parametrize("kernel", ["boxcar", "epanechnikov"])
def test_a_query_no_key_reaches_is_uncovered(kernel):
    r = nadaraya_watson([57.0, 200.0], WAIST, WEIGHT, kernel, bandwidth=3.0)
    assert r.uncovered.tolist() == [False, True]
    assert np.isnan(r.prediction[1])
    assert np.all(r.weights[1] == 0)


def test_a_single_number_is_one_query():
    r = nadaraya_watson(57.0, [56.0, 58.0], [43.0, 48.0])
    assert r.prediction.shape == (1,)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bandwidth": 0.0}, "bandwidth"),
        ({"bandwidth": -1.0}, "bandwidth"),
        ({"bandwidth": float("nan")}, "bandwidth"),
        ({"bandwidth": float("inf")}, "bandwidth"),
        ({"kernel": "triangle"}, "kernel"),
        ({"keys": []}, "keys"),
        ({"keys": [1.0, 2.0, 3.0]}, "number of keys"),
        ({"values": [1.0, float("nan")]}, "values"),
        ({"queries": []}, "queries"),
        ({"queries": [[1.0]]}, "queries"),
    ],
)
def test_bad_input_names_the_argument(kwargs, message):
    args = {"queries": [57.0], "keys": [56.0, 58.0], "values": [43.0, 48.0]} | kwargs
    with pytest.raises(ValueError, match=message):
        nadaraya_watson(**args)


# --- the parametric version -------------------------------------------------------------------


@given(datasets(), st.floats(0.02, 20))
def test_nw_parametric_is_the_gaussian_with_bandwidth_one_over_w(data, w):
    queries, keys, values = data
    a = nw_parametric(queries, keys, values, w)
    b = nadaraya_watson(queries, keys, values, "gaussian", 1.0 / w)
    np.testing.assert_allclose(a.weights, b.weights, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(nw_parametric(queries, keys, values, -w).weights, a.weights)


def test_nw_parametric_with_w_zero_is_average_pooling():
    r = nw_parametric([40.0, 57.0], WAIST, WEIGHT, 0.0)
    np.testing.assert_allclose(r.prediction, WEIGHT.mean())


@given(datasets(min_size=2), st.floats(-3, 3))
def test_leave_one_out_loss_matches_the_loop(data, w):
    _, keys, values = data
    keys = keys / 10
    loss, _ = leave_one_out_loss(keys, values, w)
    assert loss == pytest.approx(leave_one_out_loss_loop(keys, values, w), rel=1e-9, abs=1e-9)


@given(datasets(min_size=2), st.floats(-3, 3))
def test_analytic_gradient_matches_a_finite_difference(data, w):
    _, keys, values = data
    keys = keys / 20  # keep exp(-d² w² / 2) in a range where a finite difference is meaningful
    _, grad = leave_one_out_loss(keys, values, w)
    h = 1e-6
    up, _ = leave_one_out_loss(keys, values, w + h)
    down, _ = leave_one_out_loss(keys, values, w - h)
    numeric = (up - down) / (2 * h)
    scale = 1 + abs(grad) + np.abs(values).max() ** 2
    assert grad == pytest.approx(numeric, abs=1e-5 * scale)


def test_gradient_on_the_toy_data_matches_a_finite_difference():
    for w in [0.05, 0.2, 0.32, 0.6, 1.5]:
        _, grad = leave_one_out_loss(WAIST, WEIGHT, w)
        h = 1e-7
        numeric = (
            leave_one_out_loss(WAIST, WEIGHT, w + h)[0]
            - leave_one_out_loss(WAIST, WEIGHT, w - h)[0]
        ) / (2 * h)
        assert grad == pytest.approx(numeric, rel=1e-5, abs=1e-6)


def test_fit_on_the_toy_data_lowers_the_loss_and_converges_quickly():
    seen = []
    start = time.perf_counter()
    fit = fit_bandwidth(WAIST, WEIGHT, callback=lambda e, w, loss: seen.append((e, w, loss)))
    elapsed = time.perf_counter() - start
    h = fit.loss_history
    assert elapsed < 2.0
    assert np.all(np.diff(h) <= 0)
    assert h[-1] < h[0] / 5
    assert abs(h[-1] - h[-11]) < 1e-3 * h[-1]  # flat by the end
    assert [e for e, _, _ in seen] == list(range(1, h.size))
    assert seen[-1][1] == fit.w == fit.w_history[-1]
    np.testing.assert_allclose([loss for _, _, loss in seen], h[1:])
    # the fitted w is the best one on a fine grid
    grid = np.linspace(0.01, 2, 2000)
    best = min(leave_one_out_loss(WAIST, WEIGHT, w)[0] for w in grid)
    assert h[-1] == pytest.approx(best, rel=1e-3)
    assert leave_one_out_loss(WAIST, WEIGHT, fit.w)[0] == pytest.approx(h[-1])


def test_fit_does_not_depend_on_the_units():
    cm_kg = fit_bandwidth(WAIST, WEIGHT, epochs=50)
    m_g = fit_bandwidth(WAIST / 100, WEIGHT * 1000, w0=100 / WAIST.std(), epochs=50)
    assert m_g.w == pytest.approx(cm_kg.w * 100, rel=1e-9)
    np.testing.assert_allclose(m_g.loss_history, cm_kg.loss_history * 1e6, rtol=1e-9)


@given(datasets(min_size=2, max_size=20))
def test_the_loss_never_rises(data):
    _, keys, values = data
    fit = fit_bandwidth(keys, values, epochs=30)
    assert fit.loss_history.shape == fit.w_history.shape == (31,)
    assert np.all(np.diff(fit.loss_history) <= 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"keys": [1.0], "values": [2.0]}, "at least 2"),
        ({"lr": 0.0}, "lr"),
        ({"epochs": -1}, "epochs"),
        ({"epochs": 2.5}, "epochs"),
        ({"w0": float("nan")}, "w0"),
    ],
)
def test_fit_bad_input_names_the_argument(kwargs, message):
    args = {"keys": WAIST, "values": WEIGHT} | kwargs
    with pytest.raises(ValueError, match=message):
        fit_bandwidth(**args)


def test_a_gradient_that_never_helps_leaves_w_where_it_is(monkeypatch):
    import attn_core.kernel_regression as kr

    monkeypatch.setattr(kr, "leave_one_out_loss", lambda k, v, w: (w * w, -2 * w))  # wrong sign
    seen = []
    fit = kr.fit_bandwidth(WAIST, WEIGHT, w0=0.5, epochs=5, callback=lambda *a: seen.append(a))
    assert fit.w == 0.5
    np.testing.assert_array_equal(fit.w_history, 0.5)
    assert [e for e, _, _ in seen] == [1, 2, 3, 4, 5]


# --- the kernel map and the queries a finite kernel leaves uncovered ---------------------------


@pytest.mark.parametrize("kernel", KERNELS)
def test_kernel_map_normalises_to_the_weights(kernel):
    r = nadaraya_watson([60.0], WAIST, WEIGHT, kernel, 5.0)
    k = kernel_map(kernel, (60.0 - WAIST) / 5.0)  # (n,)
    np.testing.assert_allclose(k / k.sum(), r.weights[0], atol=1e-12)


def test_kernel_map_values_and_shape():
    u = np.array([[0.0, 0.5], [1.0, 3.0]])
    np.testing.assert_allclose(kernel_map("gaussian", u), np.exp(-0.5 * u**2))
    np.testing.assert_array_equal(kernel_map("boxcar", u), [[1, 1], [1, 0]])
    np.testing.assert_allclose(kernel_map("epanechnikov", u), [[1, 0.75], [0, 0]])
    assert kernel_map("gaussian", 0.0).shape == ()


@pytest.mark.parametrize(
    ("args", "message"),
    [(("triangle", 0.0), "kernel"), (("boxcar", float("nan")), "u"), (("boxcar", "x"), "u")],
)
def test_kernel_map_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        kernel_map(*args)


@pytest.mark.parametrize("h", [0.5, 1.0, 2.0, 3.5, 8.0])
@pytest.mark.parametrize("kernel", ["boxcar", "epanechnikov"])
def test_uncovered_intervals_are_the_uncovered_queries(h, kernel):
    lo, hi = 40.0, 110.0
    gaps = uncovered_intervals(WAIST, h, lo, hi)
    grid = np.linspace(lo, hi, 2001)
    lost = nadaraya_watson(grid, WAIST, WEIGHT, kernel, h).uncovered
    inside = np.zeros_like(lost)
    for a, b in gaps:
        inside |= (grid >= a) & (grid <= b)
    edge = np.min(np.abs(np.abs(grid[:, None] - WAIST[None, :]) - h), axis=1) < 1e-9
    np.testing.assert_array_equal(inside[~edge], lost[~edge])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([], 1.0, 0.0, 1.0), "keys"),
        (([1.0], 0.0, 0.0, 1.0), "reach"),
        (([1.0], 1.0, 2.0, 1.0), "lo <= hi"),
        (([1.0], 1.0, float("nan"), 1.0), "lo <= hi"),
    ],
)
def test_uncovered_intervals_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        uncovered_intervals(*args)
