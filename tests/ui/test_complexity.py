"""Pure parts of the complexity page: figures, formulas, the timing loop and its budget."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app_pages.complexity import timing
from app_pages.complexity.figures import ops_figure, path_figure, timing_figure
from app_pages.complexity.text import ops_latex
from attn_core import LAYERS, complexity, crossover_n
from attn_core.complexity import conv_layers_needed, loglog_slope
from attn_core.complexity import operations as ops_per_layer
from tests.helpers import array, validated

NAMES = {"self_attention": "SA", "recurrent": "RNN", "convolutional": "CNN"}
TEXT = {"names": NAMES, "title": "t", "x_title": "n"}  # the figures' words, the same in each


@given(st.integers(1, 10_000), st.integers(2, 64))
def test_conv_layers_needed_is_the_cores_max_path(n, k):
    assert conv_layers_needed(n, k) == complexity(n, 4, k)["convolutional"].max_path


def test_seed_example_two_layers_of_width_three_join_x1_and_x5():
    assert conv_layers_needed(5, 3) == 2
    assert conv_layers_needed(6, 3) == 3


@pytest.mark.parametrize(("n", "d", "k"), [(100, 512, 3), (1, 2, 2), (100_000, 4096, 16)])
def test_ops_curve_and_latex_agree_with_the_core(n, d, k):
    costs = complexity(n, d, k)
    for layer in LAYERS:
        assert ops_per_layer(layer, np.array(n), d, k) == costs[layer].per_layer
    lines = ops_latex(costs, n, d, k, NAMES)
    for line, layer in zip(lines, LAYERS, strict=True):
        assert f"{costs[layer].per_layer:,}".replace(",", "{,}") in line
        assert NAMES[layer] in line


def test_ops_figure_marks_the_crossovers():
    d, k = 64, 3
    fig = validated(
        ops_figure(
            d,
            k,
            100,
            crossover_n(d, k),
            **TEXT,
            y_title="ops",
            crossover_label="n = {n}: SA = {other}",
            now_label="now",
            cheaper_label="cheaper",
        )
    )
    marks = next(tr for tr in fig.data if tr.marker.symbol == "x")
    assert list(marks.x) == [64, 192]
    # at a crossover self-attention costs exactly what the other layer costs
    assert marks.y[0] == ops_per_layer("recurrent", np.array(64), d, k)
    assert marks.y[1] == ops_per_layer("convolutional", np.array(192), d, k)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert "n = 192: SA = CNN" in marks.text
    # each crossover named by a note whose arrow points at its marker, written inside the plot
    # (right-aligned at its right edge: never out across the y axis and its title)
    notes = [a for a in fig.layout.annotations if a.showarrow]
    assert [a.text for a in notes] == ["n = 64:<br>SA = RNN", "n = 192:<br>SA = CNN"]
    x_lo, x_hi = fig.layout.xaxis.range
    for note, x, y in zip(notes, marks.x, marks.y, strict=True):
        assert (note.x, note.y) == (np.log10(x), np.log10(y))
        assert note.axref == "x" and note.xanchor == "right" and x_lo < note.ax <= x_hi


@pytest.mark.parametrize(("n", "k"), [(2, 2), (9, 3), (24, 2), (5, 16), (13, 4)])
def test_path_figure_paths_join_x1_and_xn(n, k):
    fig = validated(path_figure(n, k, titles={x: x for x in LAYERS}, layer_title="layer"))
    L = conv_layers_needed(n, k)
    thick = [tr for tr in fig.data if tr.mode == "lines" and tr.line.width == 4]
    left, right, rnn, sa = thick
    assert (left.x[0], left.y[0]) == (1, 0) and right.y[0] == 0
    assert left.y[-1] == right.y[-1] == L and left.x[-1] == right.x[-1]  # one top unit
    assert right.x[0] == n
    assert len(rnn.x) == n + 1 and rnn.x[-1] == n  # x1 → h1 → … → hn
    assert list(sa.x) == [1, n]  # one step


def test_timing_figure_predicted_lines_pass_through_the_last_point():
    ns = {layer: [16, 32, 64] for layer in LAYERS}
    secs = {layer: [1e-4, 2e-4, 4e-4] for layer in LAYERS}
    fig = validated(
        timing_figure(
            ns,
            secs,
            timing.PREDICTED_SLOPE,
            **TEXT,
            y_title="ms",
            measured_label="{layer}",
            predicted_label="{layer} {s}",
        )
    )
    assert len(fig.data) == 6
    for measured, predicted in zip(fig.data[::2], fig.data[1::2], strict=True):
        assert math.isclose(array(predicted.y)[-1], array(measured.y)[-1])
    assert list(fig.layout.xaxis.tickvals) == [16, 32, 64]


def test_n_values_and_slope_fit():
    assert timing.n_values(128) == (16, 32, 64, 128)
    assert timing.n_values(16) == (16,)
    ns = [16, 32, 64, 128, 256]
    assert loglog_slope(ns, [n**2 * 1e-9 for n in ns]) == pytest.approx(2.0)
    # flat at small n (overhead), linear later: the fit reads the larger half
    assert loglog_slope(ns, [1e-4, 1e-4, 1e-4, 2e-4, 4e-4]) == pytest.approx(1.0, abs=0.2)
    assert loglog_slope([16], [1.0]) is None
    assert loglog_slope([16, 32], [0.0, 1.0]) is None


def fake_measure(costs: dict[str, float]):
    """A measure whose time per call grows like the table (n² for SA), spending ``cost``."""
    calls = []

    def measure(layer, n, d, k):
        calls.append((layer, n))
        seconds = 1e-6 * (n / 16) ** timing.PREDICTED_SLOPE[layer]
        return seconds, costs.get(layer, 0.01)

    return measure, calls


def test_run_timings_all_points_within_budget():
    measure, calls = fake_measure({})
    progress = []
    run = timing.run_timings(measure, d=16, k=3, n_max=256, progress=progress.append)
    assert all(run.n[layer] == [16, 32, 64, 128, 256] for layer in LAYERS)
    assert all(c is None for c in run.cut.values())
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert len(calls) == 15 and run.spent == pytest.approx(0.15)


def test_run_timings_stops_a_layer_before_the_budget():
    measure, _ = fake_measure({"self_attention": 0.9, "recurrent": 0.01, "convolutional": 0.01})
    progress = []
    run = timing.run_timings(measure, d=16, k=3, n_max=2048, budget_s=3.0, progress=progress.append)
    assert run.spent <= 3.0
    assert run.cut["self_attention"] == 128
    assert run.cut["recurrent"] is None and run.n["recurrent"][-1] == 2048
    assert len(run.n["self_attention"]) < len(run.n["recurrent"])
    assert progress[-1] == 1.0


def test_measure_layer_times_the_real_layers_and_says_when():
    for layer in LAYERS:
        before = time.time()
        seconds, spent, when = timing.measure_layer(layer, 16, 8, 3)
        assert 0 < seconds <= spent < 2.0
        assert before <= when <= time.time()
    with pytest.raises(ValueError, match="layer must be one of"):
        timing.layer_call("lstm", 4, 4, 3)


def test_run_timings_keeps_when_each_point_was_measured_and_how_many_are_fresh():
    now = time.time()
    old = {("recurrent", 16): now - 3600.0}  # one point from a cache, measured an hour ago

    def measure(layer, n, d, k):
        return 1e-6 * n, 0.001, old.get((layer, n), time.time())

    run = timing.run_timings(measure, d=16, k=3, n_max=64)
    assert run.total() == 9 and len(run.times()) == 9
    assert run.times()[0] == now - 3600.0
    assert run.fresh() == 8  # the cached point is not counted as measured for this run
    assert run.measured_at["recurrent"][0] == now - 3600.0
    # a measure without times (the old form) still works, and claims no time
    plain, _ = fake_measure({})
    run = timing.run_timings(plain, d=16, k=3, n_max=32)
    assert run.times() == [] and run.fresh() == 0 and run.total() == 6


def test_one_blas_thread_restores_the_thread_count():
    from threadpoolctl import threadpool_info

    def blas() -> list[int]:
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas()
    if not before:
        pytest.skip("no BLAS found by threadpoolctl")
    with timing.one_blas_thread():
        assert blas() == [1] * len(before)
    assert blas() == before
