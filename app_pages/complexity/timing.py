r"""Timing the three layers of :mod:`attn_core.complexity` live, within a time budget.

Pure (no Streamlit): the page passes a cached ``measure`` and a progress callback. Each point
is timed as the best of a few rounds, each round repeating the call until it lasts about
``TARGET_S`` (short calls are too noisy to time once). Points go from small ``n`` to large; a
layer stops as soon as its next, larger point would not fit in what is left of the budget,
so the whole run stays within a few seconds whatever the sizes.

Measurements run one at a time in the process and with the BLAS library on one thread: on a
shared server, BLAS threads that compete with other sessions for the same cores make a matrix
product 10–100 times slower at random, and the times would show the contention instead of
the layer (checked here: slopes of 0.2 to 1.9 for the same layer on a busy machine, 0.7 to
2.1 with one thread).

The growth is read off a log–log plot: if :math:`t \approx c\,n^s`, then
:math:`\log t = \log c + s \log n`, and the slope :math:`s` of a straight-line fit is the
exponent (2 for self-attention's :math:`n^2 d`, 1 for the other two):
:func:`attn_core.complexity.loglog_slope`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from threadpoolctl import threadpool_limits

from attn_core import (
    LAYERS,
    conv1d_layer,
    random_layer_params,
    recurrent_layer,
    self_attention_layer,
)

BUDGET_S: Final = 3.0  # the whole run, all layers together
TARGET_S: Final = 0.01  # one timing round lasts about this long
ROUNDS: Final = 5  # best of this many rounds (one round for calls slower than SLOW_S)
SLOW_S: Final = 0.1
MAX_REPEAT: Final = 200
N_MIN: Final = 16
PREDICTED_SLOPE: Final = {"self_attention": 2.0, "recurrent": 1.0, "convolutional": 1.0}
# One measurement at a time in this process: two sessions timing at once would slow each
# other down and both would measure the contention, not the layer.
_MEASURING: Final = threading.Lock()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with BLAS on one thread, then restore the previous count.

    ``threadpoolctl`` finds the BLAS that NumPy loaded (the OpenBLAS of its wheel, or another)
    and sets its thread count; entering and leaving costs about half a millisecond.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def n_values(n_max: int, n_min: int = N_MIN) -> tuple[int, ...]:
    """Sequence lengths to time: doubling from ``n_min`` up to ``n_max``.

    >>> n_values(256)
    (16, 32, 64, 128, 256)
    """
    out = [n_min]
    while out[-1] * 2 <= n_max:
        out.append(out[-1] * 2)
    return tuple(out)


def layer_call(layer: str, n: int, d: int, k: int, seed: int = 0) -> Callable[[], np.ndarray]:
    """A no-argument call of one layer on a random ``(n, d)`` sequence (inputs made once)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))  # (n, d)
    params = random_layer_params(d, k=k, seed=seed)
    if layer == "self_attention":
        return lambda: self_attention_layer(X)
    if layer == "recurrent":
        return lambda: recurrent_layer(X, params["W_h"], params["W_x"])
    if layer == "convolutional":
        return lambda: conv1d_layer(X, params["kernel"])
    raise ValueError(f"layer must be one of {', '.join(LAYERS)}; got {layer!r}.")


def time_call(fn: Callable[[], object]) -> tuple[float, float]:
    """``(seconds per call, seconds spent measuring)``: best of ``ROUNDS`` rounds."""
    start = time.perf_counter()
    fn()  # the first call also warms caches; it is timed as a fallback
    first = time.perf_counter() - start
    number = max(1, min(MAX_REPEAT, int(TARGET_S / max(first, 1e-7))))
    best = first
    for _ in range(ROUNDS if first < SLOW_S else 1):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best, time.perf_counter() - start


def measure_layer(layer: str, n: int, d: int, k: int) -> tuple[float, float, float]:
    """Time one layer at one size: ``(seconds per call, seconds spent, when)``.

    ``when`` is the wall-clock time (Unix seconds) the measurement finished: a cached point
    is shown with it, so that nobody takes an old measurement for a fresh one. Waits while
    another session of this process is measuring (the wait is not counted), and measures with
    BLAS on one thread.
    """
    fn = layer_call(layer, n, d, k)
    with _MEASURING, one_blas_thread():
        seconds, spent = time_call(fn)
    return seconds, spent, time.time()


def predicted_cost(seconds: float, n: int, n_next: int, slope: float) -> float:
    """What measuring the next, larger point will probably cost (a safe over-estimate)."""
    call = seconds * (n_next / n) ** slope
    return call + (call if call >= SLOW_S else ROUNDS * max(TARGET_S, call))


@dataclass
class TimingRun:
    """Measured seconds per call, per layer, for the sizes that fitted in the budget."""

    d: int
    k: int
    n_max: int
    n: dict[str, list[int]] = field(default_factory=dict)
    seconds: dict[str, list[float]] = field(default_factory=dict)
    cut: dict[str, int | None] = field(default_factory=dict)  # first n skipped for the budget
    spent: float = 0.0
    started: float = field(default_factory=time.time)  # wall clock when this run began
    measured_at: dict[str, list[float]] = field(default_factory=dict)  # when each point was timed

    def times(self) -> list[float]:
        """When the points of this run were measured (Unix seconds), earliest first."""
        return sorted(x for layer in self.measured_at.values() for x in layer if math.isfinite(x))

    def fresh(self) -> int:
        """How many points were measured during this run (the others came from a cache)."""
        return sum(1 for x in self.times() if x >= self.started)

    def total(self) -> int:
        return sum(len(v) for v in self.n.values())


def run_timings(
    measure: Callable[[str, int, int, int], tuple[float, float]],
    *,
    d: int,
    k: int,
    n_max: int,
    layers: Sequence[str] = LAYERS,
    budget_s: float = BUDGET_S,
    progress: Callable[[float], None] | None = None,
) -> TimingRun:
    """Time ``layers`` at ``n_values(n_max)`` until the budget is spent.

    ``measure(layer, n, d, k)`` returns ``(seconds per call, seconds spent)``, or with a third
    item, the wall-clock time of the measurement (kept in ``run.measured_at``); a cached
    ``measure`` returns the spending and the time of its first run, so a replay picks the same
    points and says when they were measured.
    """
    ns = n_values(n_max)
    run = TimingRun(d=d, k=k, n_max=n_max)
    for layer in layers:
        run.n[layer], run.seconds[layer], run.cut[layer] = [], [], None
        run.measured_at[layer] = []
    active = list(layers)
    next_cost = dict.fromkeys(layers, 0.0)  # what the layer's next point will probably cost
    total, done = len(ns) * len(layers), 0
    for idx, n in enumerate(ns):
        for layer in list(active):
            if run.spent + next_cost[layer] > budget_s:  # would not fit: stop this layer
                active.remove(layer)
                run.cut[layer] = n
                done += len(ns) - idx
                continue
            seconds, spent, *when = measure(layer, n, d, k)
            run.spent += spent
            run.n[layer].append(n)
            run.seconds[layer].append(seconds)
            run.measured_at[layer].append(float(when[0]) if when else math.nan)
            done += 1
            if idx + 1 < len(ns):
                slope = PREDICTED_SLOPE.get(layer, 2.0)
                next_cost[layer] = max(spent, predicted_cost(seconds, n, ns[idx + 1], slope))
        if progress is not None:
            progress(min(1.0, done / total))
        if not active:
            break
    return run
