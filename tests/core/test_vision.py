"""Pixel features and the global / local self-attention maps of one query pixel."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from attn_core.vision import (
    attention_spread,
    global_attention_map,
    local_attention_map,
    pixel_features,
)
from tests.core.reference_vision import attention_map_loop

unit = st.floats(0, 1, allow_nan=False)
shapes = st.one_of(
    st.tuples(st.integers(1, 9), st.integers(1, 9)),
    st.tuples(st.integers(1, 9), st.integers(1, 9), st.integers(1, 4)),
)
taus = st.floats(0.01, 10)
position_weights = st.sampled_from([0.0, 0.5, 3.0])


@st.composite
def image_and_pixel(draw):
    image = draw(arrays(np.float64, shapes, elements=unit))
    pixel = (draw(st.integers(0, image.shape[0] - 1)), draw(st.integers(0, image.shape[1] - 1)))
    return image, pixel


def two_squares():
    """Dark background, two red squares far apart and a blue square next to the first."""
    image = np.zeros((12, 12, 3))
    image[1:4, 1:4, 0] = 1.0  # red, top left
    image[8:11, 8:11, 0] = 1.0  # red, bottom right
    image[1:4, 4:7, 2] = 1.0  # blue, touching the first red square
    return image


# --- features ---------------------------------------------------------------------------------


def test_features_are_colour_then_scaled_position():
    image = np.random.default_rng(0).uniform(size=(3, 5, 3))
    f = pixel_features(image, position_weight=2.0)
    assert f.shape == (3, 5, 5)
    np.testing.assert_array_equal(f[..., :3], image)
    np.testing.assert_allclose(f[2, 4, 3:], [2.0 * 2 / 4, 2.0 * 4 / 4])
    assert np.all(pixel_features(image)[..., 3:] == 0)


def test_grey_image_has_one_colour_channel():
    assert pixel_features(np.zeros((4, 6))).shape == (4, 6, 3)


# --- global map -------------------------------------------------------------------------------


@given(image_and_pixel(), taus, position_weights)
def test_global_map_is_a_distribution_and_matches_the_loop(data, tau, weight):
    image, pixel = data
    m = global_attention_map(image, pixel, tau, weight)
    assert m.shape == image.shape[:2]
    assert np.all(m >= 0)
    assert m.sum() == pytest.approx(1.0, abs=1e-12)
    assert m[pixel] == pytest.approx(m.max())  # nothing is more like the pixel than itself
    np.testing.assert_allclose(m, attention_map_loop(image, pixel, tau, weight), atol=1e-12)


def test_global_map_follows_the_content():
    image = two_squares()
    m = global_attention_map(image, (2, 2), tau=0.1)
    assert m[9, 9] == pytest.approx(m[2, 2])  # the far red square counts as much as the query
    assert m[9, 9] > 1e6 * m[2, 5]  # the blue neighbour hardly counts
    assert m[9, 9] > 1e3 * m[0, 0]  # nor does the dark background


def test_position_weight_pulls_the_map_towards_the_pixel():
    image = two_squares()
    without = global_attention_map(image, (2, 2), tau=0.1)
    with_position = global_attention_map(image, (2, 2), tau=0.1, position_weight=1.0)
    assert with_position[1, 1] / with_position[9, 9] > 100 * without[1, 1] / without[9, 9]


def test_temperature_spreads_the_weights():
    image = two_squares()
    sharp = global_attention_map(image, (2, 2), tau=0.01)
    soft = global_attention_map(image, (2, 2), tau=100.0)
    assert sharp[0, 0] < 1e-20
    np.testing.assert_allclose(soft, 1 / 144, rtol=0.05)


def test_the_map_changes_with_the_image():
    # a convolution kernel stays fixed; an attention map depends on what the image shows
    image = two_squares()
    other = image.copy()
    other[8:11, 8:11] = [0.0, 0.0, 1.0]  # repaint the far square blue
    a = global_attention_map(image, (2, 2), tau=0.1)
    b = global_attention_map(other, (2, 2), tau=0.1)
    assert a[9, 9] > 1e6 * b[9, 9]


# --- local map --------------------------------------------------------------------------------


@given(image_and_pixel(), st.sampled_from([1, 3, 5, 7]), taus, position_weights)
def test_local_map_is_zero_outside_the_window(data, window, tau, weight):
    image, pixel = data
    m = local_attention_map(image, pixel, window, tau, weight)
    assert m.shape == image.shape[:2]
    assert m.sum() == pytest.approx(1.0, abs=1e-12)
    rows, cols = np.indices(m.shape)
    outside = (np.abs(rows - pixel[0]) > window // 2) | (np.abs(cols - pixel[1]) > window // 2)
    assert np.all(m[outside] == 0)
    expected = attention_map_loop(image, pixel, tau, weight, window=window)
    np.testing.assert_allclose(m, expected, atol=1e-12)


@given(image_and_pixel(), taus)
def test_a_window_covering_the_image_is_global(data, tau):
    image, pixel = data
    window = 2 * max(image.shape[:2]) + 1
    np.testing.assert_allclose(
        local_attention_map(image, pixel, window, tau), global_attention_map(image, pixel, tau)
    )


def test_window_one_looks_only_at_the_pixel():
    m = local_attention_map(two_squares(), (5, 7), window=1)
    assert m[5, 7] == 1.0 and m.sum() == 1.0


def test_local_map_misses_the_far_square():
    m = local_attention_map(two_squares(), (2, 2), window=5, tau=0.1)
    assert m[9, 9] == 0
    assert m[1, 1] == pytest.approx(m[2, 2])


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pixel": (12, 0)}, "pixel"),
        ({"pixel": (0, -1)}, "pixel"),
        ({"pixel": (0.5, 1)}, "pixel"),
        ({"pixel": "centre"}, "pixel"),
        ({"tau": 0.0}, "tau"),
        ({"tau": -1.0}, "tau"),
        ({"window": 4}, "window"),
        ({"window": 0}, "window"),
        ({"window": 3.0}, "window"),
        ({"position_weight": -1.0}, "position_weight"),
        ({"position_weight": float("nan")}, "position_weight"),
        ({"image": np.full((4, 4), 255.0)}, r"\[0, 1\]"),
        ({"image": np.zeros((2, 2, 2, 2))}, "image"),
        ({"image": np.zeros(5)}, "image"),
        ({"image": np.zeros((0, 4))}, "image"),
    ],
)
def test_bad_input_names_the_argument(kwargs, message):
    args = {"image": two_squares(), "pixel": (2, 2), "window": 3, "tau": 0.1} | kwargs
    with pytest.raises(ValueError, match=message):
        local_attention_map(**args)
    if "window" not in kwargs:
        args.pop("window")
        with pytest.raises(ValueError, match=message):
            global_attention_map(**args)


# --- how spread out a map is ------------------------------------------------------------------


def test_spread_of_a_one_hot_and_a_uniform_map():
    one = np.zeros((5, 5))
    one[2, 3] = 1.0
    s = attention_spread(one, (2, 3))
    assert (s.n90, s.mean_distance, s.self_weight) == (1, 0.0, 1.0)
    flat = np.full((4, 4), 1 / 16)
    assert attention_spread(flat, (0, 0)).n90 == 15  # 15/16 ≥ 0.9 > 14/16


@given(image_and_pixel(), taus)
def test_spread_matches_its_definition(data, tau):
    image, pixel = data
    w = global_attention_map(image, pixel, tau=tau)
    s = attention_spread(w, pixel)
    ordered = sorted(w.ravel(), reverse=True)
    n, total = 0, 0.0
    while total < 0.9 * w.sum() - 1e-12 and n < w.size:  # the fewest pixels for 90 %
        total += ordered[n]
        n += 1
    assert abs(s.n90 - max(n, 1)) <= 1  # a tie at exactly 90 % may round either way
    dist = sum(
        w[i, j] * np.hypot(i - pixel[0], j - pixel[1])
        for i in range(w.shape[0])
        for j in range(w.shape[1])
    )
    assert s.mean_distance == pytest.approx(dist, abs=1e-9)
    assert s.self_weight == w[pixel]


@pytest.mark.parametrize(
    ("weights", "pixel", "message"),
    [
        (np.ones(4), (0, 0), "map"),
        (-np.ones((2, 2)), (0, 0), ">= 0"),
        (np.ones((2, 2)), (2, 0), "outside"),
    ],
)
def test_spread_bad_input(weights, pixel, message):
    with pytest.raises(ValueError, match=message):
        attention_spread(weights, pixel)
