"""Widgets the pages share."""

from __future__ import annotations

import numpy as np
import streamlit as st

NICE_MANTISSAS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)  # ~evenly spaced in log


def log_grid(lo: float, hi: float) -> tuple[float, ...]:
    """Round numbers from ``lo`` to ``hi``, roughly evenly spaced on a log scale.

    About ten steps per factor of ten (…, 0.5, 0.6, 0.8, 1, 1.2, 1.5, 2, …), so values a
    teacher would type (0.1, 0.5, 1, 2, 10) are all on the slider.
    """
    out = {float(f"{lo:.3g}"), float(f"{hi:.3g}")}
    for decade in range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1):
        for m in NICE_MANTISSAS:
            v = float(f"{m * 10.0**decade:.3g}")
            if lo <= v <= hi:
                out.add(v)
    return tuple(sorted(out))


def log_slider(label: str, key: str, grid: tuple[float, ...], help: str | None = None) -> float:
    """A slider whose steps are evenly spaced on a log scale (the value is in session state)."""
    return float(
        st.select_slider(label, options=grid, key=key, format_func=lambda v: f"{v:g}", help=help)
    )
