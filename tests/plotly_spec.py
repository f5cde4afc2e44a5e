"""Read Plotly figure specs in tests: Plotly 7 writes NumPy arrays as base64 ``bdata`` blocks."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np


def decode(obj: Any) -> Any:
    """``obj`` with every ``{"dtype", "bdata"[, "shape"]}`` block turned back into an array."""
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            a = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
            shape = obj.get("shape")
            if shape:
                dims = [int(n) for n in str(shape).split(",")] if isinstance(shape, str) else shape
                a = a.reshape(dims)
            return a
        return {k: decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [decode(v) for v in obj]
    return obj


def chart(at: Any, key: str) -> dict:
    """The decoded spec of the AppTest chart whose key contains ``key``."""
    for c in at.get("plotly_chart"):
        if c.proto.id and key in c.proto.id:
            return decode(json.loads(c.proto.spec))
    raise AssertionError(f"no chart {key}")
