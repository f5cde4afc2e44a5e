"""Receptive fields, conv2d, and the convolution built from attention heads."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.signal import correlate2d

from attn_core.convolution import (
    conv2d,
    conv_as_attention,
    conv_attention_error,
    kernel_at,
    receptive_field,
    receptive_jump,
    receptive_region,
)
from tests.core.reference_vision import (
    conv2d_loop,
    conv_as_attention_loop,
    receptive_field_loop,
)

# --- receptive field --------------------------------------------------------------------------


@st.composite
def stacks(draw):
    n = draw(st.integers(1, 6))
    ints = st.lists
    k = draw(ints(st.integers(1, 7), min_size=n, max_size=n))
    s = draw(ints(st.integers(1, 3), min_size=n, max_size=n))
    d = draw(ints(st.integers(1, 3), min_size=n, max_size=n))
    return k, s, d


def test_two_3x3_layers_see_5x5():
    assert receptive_field([3, 3]).tolist() == [3, 5]


def test_known_values():
    assert receptive_field([3] * 5).tolist() == [3, 5, 7, 9, 11]
    assert receptive_field([1, 1]).tolist() == [1, 1]
    assert receptive_field([7, 3, 3], strides=[2, 2, 1]).tolist() == [7, 11, 19]
    assert receptive_field([3, 3, 3], dilations=[1, 2, 4]).tolist() == [3, 7, 15]


def test_d2l_x1_and_x5_are_within_a_two_layer_kernel_3_cnn():
    # d2l Fig. 11.6.1: tokens x1 … x5; the output above x3 after two k = 3 layers sees x1 … x5.
    region = receptive_region((2, 2), [3, 3])  # 0-based: x3 is index 2
    assert region[-1, :2].tolist() == [0, 4]  # x1 … x5
    assert region[0, :2].tolist() == [1, 3]  # one layer: x2 … x4 only


@given(stacks())
def test_receptive_field_matches_the_loop(stack):
    k, s, d = stack
    assert receptive_field(k, s, d).tolist() == receptive_field_loop(k, s, d)


@given(stacks(), st.integers(-5, 40), st.integers(-5, 40))
def test_region_has_the_receptive_field_size(stack, row, col):
    k, s, d = stack
    region = receptive_region((row, col), k, s, d)
    sizes = receptive_field(k, s, d)
    assert region.shape == (len(k), 4)
    np.testing.assert_array_equal(region[:, 1] - region[:, 0] + 1, sizes)
    np.testing.assert_array_equal(region[:, 3] - region[:, 2] + 1, sizes)
    assert np.all(region[:, 0] <= row) and np.all(region[:, 1] >= row)
    assert np.all(np.diff(region[:, 0]) <= 0) and np.all(np.diff(region[:, 1]) >= 0)
    if all(x % 2 == 1 for x in k):  # odd kernels: centred on the pixel
        np.testing.assert_array_equal(row - region[:, 0], region[:, 1] - row)


def test_jump_is_the_cumulative_stride():
    assert receptive_jump([3, 3, 3, 3], strides=[2, 1, 2, 3]).tolist() == [2, 2, 4, 12]
    assert receptive_jump([5, 5]).tolist() == [1, 1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([],), "kernel_sizes"),
        (([3, 0],), "kernel_sizes"),
        (([3, 2.5],), "kernel_sizes"),
        (([3, 3], [1]), "strides"),
        (([3, 3], [1, 0]), "strides"),
        (([3, 3], None, [1, 1, 1]), "dilations"),
    ],
)
def test_receptive_field_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        receptive_field(*args)


def test_region_bad_pixel():
    with pytest.raises(ValueError, match="pixel"):
        receptive_region((1.5, 2), [3])
    with pytest.raises(ValueError, match="pixel"):
        receptive_region((1, 2, 3), [3])


# --- conv2d -----------------------------------------------------------------------------------

unit = st.floats(0, 1, allow_nan=False)
weight = st.floats(-5, 5, allow_nan=False)


def images(max_side=12):
    return arrays(
        np.float64, st.tuples(st.integers(1, max_side), st.integers(1, max_side)), elements=unit
    )


def kernels(sizes=(1, 3, 5), square=False):
    shape = (
        st.sampled_from(sizes).map(lambda k: (k, k))
        if square
        else st.tuples(st.sampled_from(sizes), st.sampled_from(sizes))
    )
    return arrays(np.float64, shape, elements=weight)


@given(images(), kernels())
def test_conv2d_matches_scipy_and_the_loop(image, kernel):
    out = conv2d(image, kernel)
    assert out.shape == image.shape
    expected = correlate2d(image, kernel, mode="same", boundary="fill", fillvalue=0)
    np.testing.assert_allclose(out, expected, atol=1e-12)
    np.testing.assert_allclose(out, conv2d_loop(image, kernel), atol=1e-12)


def test_conv2d_identity_kernel_returns_the_image():
    image = np.random.default_rng(0).uniform(size=(6, 9))
    delta = np.zeros((3, 3))
    delta[1, 1] = 1
    np.testing.assert_array_equal(conv2d(image, delta), image)


@pytest.mark.parametrize(
    ("image", "kernel", "message"),
    [
        (np.ones((4, 4)), np.ones((2, 2)), "odd"),
        (np.ones((4, 4)), np.ones((3, 4)), "odd"),
        (np.ones(4), np.ones((3, 3)), "image"),
        (np.ones((4, 4)), np.ones(3), "kernel"),
        (np.full((4, 4), np.nan), np.ones((3, 3)), "image"),
    ],
)
def test_conv2d_bad_input(image, kernel, message):
    with pytest.raises(ValueError, match=message):
        conv2d(image, kernel)


# --- convolution as attention -----------------------------------------------------------------


@given(images(16), kernels())
def test_attention_heads_reproduce_the_convolution_at_alpha_50(image, kernel):
    r = conv_as_attention(image, kernel, alpha=50.0)
    assert np.abs(r.output - conv2d(image, kernel)).max() < 1e-9


@settings(max_examples=20)
@given(images(5), kernels((1, 3)), st.floats(0.3, 5))
def test_attention_heads_match_the_dense_loop_reference(image, kernel, alpha):
    r = conv_as_attention(image, kernel, alpha)
    np.testing.assert_allclose(r.output, conv_as_attention_loop(image, kernel, alpha), atol=1e-12)


@given(images(10), kernels(square=True), st.floats(0.01, 100))
def test_each_head_is_a_distribution_over_the_plane(image, kernel, alpha):
    r = conv_as_attention(image, kernel, alpha)
    kh, kw = kernel.shape
    h, w = image.shape
    assert r.weights.shape == (kh * kw, h + 2 * (kh // 2), w + 2 * (kw // 2))
    assert r.head_outputs.shape == (kh * kw, h, w)
    assert np.all(r.weights >= 0) and np.all(r.mass_beyond >= 0)
    np.testing.assert_allclose(r.weights.sum(axis=(1, 2)) + r.mass_beyond, 1.0, atol=1e-12)
    np.testing.assert_allclose(r.head_outputs.sum(axis=0), r.output, atol=1e-12)


def test_each_head_looks_at_its_own_offset():
    image = np.random.default_rng(1).uniform(size=(7, 8))
    kernel = np.arange(9.0).reshape(3, 3)
    r = conv_as_attention(image, kernel, alpha=2.0, query=(0, 5))
    assert r.query == (0, 5) and r.padding == (1, 1)
    for head, (a, b) in enumerate(r.offsets):
        peak = np.unravel_index(r.weights[head].argmax(), r.weights[head].shape)
        assert peak == (0 + a + 1, 5 + b + 1)  # + padding
        one_hot = np.zeros((3, 3))
        one_hot[a + 1, b + 1] = kernel[a + 1, b + 1]  # the same head alone
        alone = conv_as_attention(image, one_hot, alpha=2.0).output
        np.testing.assert_allclose(r.head_outputs[head], alone, atol=1e-12)
    assert r.mass_beyond[0] > 0  # head (-1, -1) at row 0 puts some weight above the padding


@given(images(10), kernels())
def test_error_falls_as_alpha_grows(image, kernel):
    # Below α ≈ 1 a head can spread so far into the padding that the error first rises
    # (1×1 image, kernel [[1, 0, 0]]: error e^{-α} / Z(α)² peaks near α = 1); above, it falls.
    alphas = np.geomspace(2, 60, 12)
    errors = conv_attention_error(image, kernel, alphas)
    assert errors.shape == (12,)
    assert np.all(np.diff(errors) <= 1e-12)
    assert errors[-1] < 1e-12


def test_error_can_rise_for_small_alpha_on_a_tiny_image():
    errors = conv_attention_error([[1.0]], [[1.0, 0.0, 0.0]], [0.5, 1.0, 2.0])
    assert errors[0] < errors[1] > errors[2]


def test_error_curve_is_positive_then_vanishes():
    image = np.random.default_rng(2).uniform(size=(12, 12))
    kernel = np.random.default_rng(3).normal(size=(3, 3))
    errors = conv_attention_error(image, kernel, [0.1, 1.0, 10.0, 50.0])
    assert errors[0] > errors[1] > errors[2] > 0
    assert errors[3] < 1e-9


def test_64x64_image_every_alpha_is_fast():
    rng = np.random.default_rng(4)
    image, kernel = rng.uniform(size=(64, 64)), rng.normal(size=(3, 3))
    alphas = np.geomspace(0.05, 100, 30)
    conv_attention_error(image, kernel, alphas[:2])  # warm up
    start = time.perf_counter()
    conv_attention_error(image, kernel, alphas)
    assert time.perf_counter() - start < 0.5  # about 30 ms here; generous for slow machines


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"alpha": 0.0}, "alpha"),
        ({"alpha": -1.0}, "alpha"),
        ({"alpha": float("nan")}, "alpha"),
        ({"kernel": np.ones((2, 2))}, "odd"),
        ({"query": (4, 0)}, "query"),
        ({"query": (0, -1)}, "query"),
        ({"query": (1,)}, "query"),
    ],
)
def test_conv_as_attention_bad_input(kwargs, message):
    args = {"image": np.ones((4, 5)), "kernel": np.ones((3, 3)), "alpha": 1.0} | kwargs
    with pytest.raises(ValueError, match=message):
        conv_as_attention(**args)


def test_error_curve_bad_alphas():
    with pytest.raises(ValueError, match="alpha"):
        conv_attention_error(np.ones((3, 3)), np.ones((3, 3)), [1.0, 0.0])


# --- a kernel placed at one pixel -------------------------------------------------------------


@given(
    kernels(square=True),
    st.integers(1, 9),
    st.integers(1, 9),
    st.data(),
)
def test_kernel_at_places_each_weight_at_its_offset_and_drops_the_padding(kernel, h, w, data):
    row, col = data.draw(st.integers(0, h - 1)), data.draw(st.integers(0, w - 1))
    m = kernel_at(kernel, (h, w, 3), (row, col))
    r = kernel.shape[0] // 2
    expected = np.zeros((h, w))
    for a in range(-r, r + 1):  # written out cell by cell
        for c in range(-r, r + 1):
            if 0 <= row + a < h and 0 <= col + c < w:
                expected[row + a, col + c] = kernel[a + r, c + r]
    np.testing.assert_array_equal(m, expected)


def test_kernel_at_is_what_conv2d_weighs_one_output_by():
    rng = np.random.default_rng(5)
    image, kernel = rng.random((7, 6)), rng.normal(size=(3, 3))
    for pixel in [(0, 0), (3, 2), (6, 5)]:
        assert np.sum(kernel_at(kernel, image.shape, pixel) * image) == pytest.approx(
            conv2d(image, kernel)[pixel]
        )


@pytest.mark.parametrize(
    ("kernel", "shape", "pixel", "message"),
    [
        (np.ones((2, 2)), (4, 4), (0, 0), "odd size"),
        (np.ones((3, 3)), (4, 4), (4, 0), "outside"),
        (np.ones((3, 3)), (0, 4), (0, 0), "at least 1"),
        (np.ones((3, 3)), ("a", 4), (0, 0), "two whole numbers"),
    ],
)
def test_kernel_at_bad_input(kernel, shape, pixel, message):
    with pytest.raises(ValueError, match=message):
        kernel_at(kernel, shape, pixel)
