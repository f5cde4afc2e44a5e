"""Benchmark: attn_core.attention against PyTorch's scaled_dot_product_attention on the CPU.

    python bench/core.py                 # BLAS and PyTorch use their default thread counts
    python bench/core.py --threads 1     # both single-threaded: the like-for-like comparison

For n in {64, 256, 1024, 4096} and d = 64 it prints the median time and the peak memory
(tracemalloc) of one ``attention(Q, K, V)`` call and, when PyTorch is importable, the same
call in PyTorch: its default CPU kernel (fused, never stores the n x n weights) in float64
and float32, and its "math" kernel in float64 (forms the weights, as attn_core must since the
app draws them). tracemalloc cannot see PyTorch's allocator, so for PyTorch the column shows
the bytes its profiler saw allocated during the call, an upper bound on its peak.
It prints numbers; it is not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

SIZES: Final = (64, 256, 1024, 4096)
D: Final = 64
BUDGET_S: Final = 6.0  # seconds per size at most (fewer repeats for large n)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--threads", type=int, help="threads for BLAS and PyTorch (default: theirs)"
    )
    parser.add_argument("--repeats", type=int, default=21, help="timed runs per size (at most)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="values of n")
    return parser.parse_args()


def median_ms(fns: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """Median wall time in milliseconds of each ``fn()``, after one warm-up call each.

    The candidates take turns run by run, so a busy machine slows them alike and the ratios
    stay meaningful even when the absolute times do not.
    """
    slowest = 0.0
    for fn in fns.values():
        start = time.perf_counter()
        fn()
        slowest = max(slowest, time.perf_counter() - start)
    runs = max(3, min(repeats, int(BUDGET_S / max(slowest * len(fns), 1e-9))))
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: 1e3 * statistics.median(t) for name, t in times.items()}


def peak_mib(fn: Callable[[], Any]) -> float:
    """Peak memory traced by tracemalloc (NumPy reports its buffers to it) during ``fn()``."""
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def torch_allocated_mib(torch: Any, fn: Callable[[], Any]) -> float:
    """Bytes PyTorch's profiler saw allocated by the operators of ``fn()`` (>= its peak)."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    events = prof.key_averages()
    return sum(max(e.self_cpu_memory_usage, 0) for e in events) / 2**20


def main() -> None:
    args = parse_args()
    if args.threads:  # must be set before NumPy loads its BLAS
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    import numpy as np

    from attn_core import attention

    try:
        import torch
        from torch.nn.attention import SDPBackend, sdpa_kernel
        from torch.nn.functional import scaled_dot_product_attention as sdpa
    except ImportError:
        torch = None
    if torch is not None and args.threads:
        torch.set_num_threads(args.threads)

    blas = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"attention, d = {D}, NumPy {np.__version__} (BLAS threads: {blas})", end="")
    print(f", PyTorch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else "")
    header = f"{'n':>5} | {'attn_core ms':>12} {'peak MiB':>9}"
    if torch:
        header += (
            f" | {'torch f64 ms':>12} {'alloc MiB':>9} {'ratio':>6}"
            f" | {'math f64 ms':>11} {'ratio':>6} | {'torch f32 ms':>12} | {'max |diff|':>10}"
        )
    print(header)
    print("-" * len(header))

    for n in args.sizes:
        rng = np.random.default_rng(0)
        Q, K, V = (rng.standard_normal((n, D)) for _ in range(3))
        ours = {"attn_core": lambda Q=Q, K=K, V=V: attention(Q, K, V)}
        ours_mib = peak_mib(ours["attn_core"])
        if not torch:
            print(f"{n:>5} | {median_ms(ours, args.repeats)['attn_core']:>12.3f} {ours_mib:>9.1f}")
            continue
        q, k, v = (torch.from_numpy(a)[None, None] for a in (Q, K, V))  # (1, 1, n, d)
        q32, k32, v32 = (t.float() for t in (q, k, v))

        def math_kernel(q=q, k=k, v=v):
            with sdpa_kernel(SDPBackend.MATH):
                return sdpa(q, k, v)

        with torch.inference_mode():
            ms = median_ms(
                {
                    **ours,
                    "fused": lambda q=q, k=k, v=v: sdpa(q, k, v),
                    "math": math_kernel,
                    "f32": lambda a=q32, b=k32, c=v32: sdpa(a, b, c),
                },
                args.repeats,
            )
            fused_mib = torch_allocated_mib(torch, lambda q=q, k=k, v=v: sdpa(q, k, v))
            diff = float(np.abs(attention(Q, K, V).output - sdpa(q, k, v)[0, 0].numpy()).max())
        print(
            f"{n:>5} | {ms['attn_core']:>12.3f} {ours_mib:>9.1f}"
            f" | {ms['fused']:>12.3f} {fused_mib:>9.1f} {ms['attn_core'] / ms['fused']:>6.2f}"
            f" | {ms['math']:>11.3f} {ms['attn_core'] / ms['math']:>6.2f}"
            f" | {ms['f32']:>12.3f} | {diff:>10.1e}",
            flush=True,
        )
    if torch:
        print("ratio = attn_core time / PyTorch time (float64); below 1 means attn_core is faster.")


if __name__ == "__main__":
    main()
