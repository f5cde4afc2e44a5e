"""Sinusoidal positional encoding, and what it does to self-attention's symmetry."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attn_core import attention, multi_head_attention, random_mha_weights
from attn_core import sinusoidal_positional_encoding as pe
from tests.core import reference


@given(st.integers(1, 20), st.integers(1, 9))
def test_matches_the_loop_reference_for_even_and_odd_widths(n, d):
    P = pe(n, d)
    assert P.shape == (n, d)
    np.testing.assert_allclose(P, reference.positional_encoding(n, d), atol=1e-12)
    assert (np.abs(P) <= 1.0).all()


def test_position_zero_alternates_zero_and_one():
    np.testing.assert_array_equal(pe(1, 5)[0], [0.0, 1.0, 0.0, 1.0, 0.0])


@given(st.integers(0, 50), st.integers(0, 50), st.sampled_from([2, 4, 8]))
def test_a_shift_is_the_same_rotation_of_every_sin_cos_pair(p, k, d):
    P = pe(p + k + 1, d)
    for i in range(d // 2):
        omega = 1 / 10000 ** (2 * i / d)
        c, s = np.cos(k * omega), np.sin(k * omega)
        sin_p, cos_p = P[p, 2 * i], P[p, 2 * i + 1]
        rotated = [s * cos_p + c * sin_p, c * cos_p - s * sin_p]  # sin(a+b), cos(a+b)
        np.testing.assert_allclose(P[p + k, 2 * i : 2 * i + 2], rotated, atol=1e-9)


def test_adding_it_breaks_permutation_equivariance():
    rng = np.random.default_rng(0)
    X, perm = rng.normal(size=(5, 4)), np.array([3, 0, 4, 1, 2])
    w = random_mha_weights(4, 4, seed=1)

    def out(tokens):
        return multi_head_attention(tokens, tokens, **w, n_heads=2).output

    np.testing.assert_allclose(out(X[perm]), out(X)[perm], atol=1e-12)  # order is invisible
    P = pe(5, 4)
    assert not np.allclose(out(X[perm] + P), out(X + P)[perm])  # now order matters
    plain = attention(X[perm] + P, X[perm] + P, X[perm] + P).output
    assert not np.allclose(plain, attention(X + P, X + P, X + P).output[perm])


@pytest.mark.parametrize(("n", "d"), [(0, 4), (4, 0), (-1, 2), (2.5, 2), ("3", 2)])
def test_bad_sizes_are_refused(n, d):
    with pytest.raises(ValueError):
        pe(n, d)


@pytest.mark.parametrize("base", [0.0, -1.0, np.inf, np.nan])
def test_bad_base_is_refused(base):
    with pytest.raises(ValueError, match="base"):
        pe(3, 4, base=base)
