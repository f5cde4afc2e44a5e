"""Helpers the tests share: Plotly arrays and figure specs, and what an AppTest page shows
(its charts, its share link, its matrix editors).

Plotly 7 writes NumPy arrays as base64 ``{"dtype", "bdata"[, "shape"]}`` blocks; ``decode`` and
``array`` turn them back into numbers.
"""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import plotly.graph_objects as go
from streamlit.testing.v1 import AppTest

# --- Plotly arrays and figures ----------------------------------------------------------------


def _typed_array(block: Mapping[str, Any]) -> np.ndarray:
    """The array of one ``{"dtype", "bdata"[, "shape"]}`` block, in its own dtype and shape."""
    a = np.frombuffer(base64.b64decode(block["bdata"]), dtype=np.dtype(block["dtype"]))
    shape = block.get("shape")
    if shape:
        dims = [int(n) for n in str(shape).split(",")] if isinstance(shape, str) else shape
        a = a.reshape(dims)
    return a


def decode(obj: Any, *, lists: bool = False) -> Any:
    """``obj`` with every base64 block turned back into an array (into nested lists with
    ``lists=True``, so that specs compare with ``==``); everything else as it was."""
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            a = _typed_array(obj)
            return a.tolist() if lists else a
        return {k: decode(v, lists=lists) for k, v in obj.items()}
    if isinstance(obj, list):
        return [decode(v, lists=lists) for v in obj]
    return obj


def array(v: Any) -> np.ndarray:
    """One Plotly array as float64: a base64 block, nested lists or an array (None → NaN)."""
    if isinstance(v, dict) and "bdata" in v:
        return _typed_array(v).astype(np.float64)
    return np.array(v, dtype=np.float64)


def validated(fig: go.Figure) -> go.Figure:
    """Rebuild ``fig`` with Plotly's validation on (the app builds without it): a misspelt
    property raises here."""
    return go.Figure(fig.to_dict())


def validated_spec(fig: go.Figure) -> dict:
    """The decoded spec of ``fig``, checked by Plotly's validators."""
    spec = fig.to_dict()
    go.Figure(spec)  # raises on any property Plotly does not know
    return decode(spec)


# --- what an AppTest page shows ---------------------------------------------------------------


def chart_key(element: Any) -> str:
    """The ``key=`` a chart was drawn with: its element id is ``$$ID-<hash>-<key>``."""
    return element.proto.id.split("-", 2)[-1]


def chart_keys(at: AppTest) -> list[str]:
    """The keys of the page's Plotly charts, top to bottom."""
    return [chart_key(c) for c in at.get("plotly_chart")]


def chart(at: AppTest, key: str, *, raw: bool = False) -> dict:
    """The spec of the page's chart whose key contains ``key``: decoded (``decode``), or as
    the browser receives it with ``raw=True``."""
    for c in at.get("plotly_chart"):
        if c.proto.id and key in c.proto.id:
            spec = json.loads(c.proto.spec)
            return spec if raw else decode(spec)
    raise AssertionError(f"no chart {key}")


def charts(at: AppTest, *, raw: bool = False) -> dict[str, dict]:
    """Every chart's spec on the page by its key (see ``chart``)."""
    specs = {chart_key(c): json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    return specs if raw else {key: decode(spec) for key, spec in specs.items()}


def link(at: AppTest) -> str:
    """The share link the sidebar shows."""
    return at.sidebar.code[0].value


def link_params(at: AppTest) -> dict[str, str]:
    """The URL parameters of the share link."""
    return dict(parse_qsl(urlsplit(link(at)).query))


WIDGET_KINDS = (
    "slider",
    "select_slider",
    "number_input",
    "radio",
    "selectbox",
    "text_input",
    "toggle",
    "checkbox",
)


def move(at: AppTest, page: str, **values: Any) -> AppTest:
    """Set the page's widgets ``<page>.<name>`` to these values, in this order, one run each
    (as a user moves one control after another)."""
    for name, value in values.items():
        key = f"{page}.{name}"
        found = [w for kind in WIDGET_KINDS for w in getattr(at, kind) if w.key == key]
        assert len(found) == 1, f"{key}: {len(found)} widgets"
        found[0].set_value(value).run()
    return at


def editor_key(at: AppTest, matrix_key: str) -> str:
    """The data_editor key of ``st.session_state[matrix_key]``'s editor in this run (as
    ``ui.editor.editor_key`` builds it: it changes with every preset)."""
    version = f"_editor.version.{matrix_key}"
    n = at.session_state[version] if version in at.session_state else 0  # noqa: SIM401
    return f"{matrix_key}.editor.{n}"


def edit(
    at: AppTest,
    matrix_key: str,
    edited: Mapping[int, Mapping[str, Any]] | None = None,
    added: Sequence[Mapping[str, Any]] | None = None,
    deleted: Sequence[int] | None = None,
) -> AppTest:
    """Change the editor of ``st.session_state[matrix_key]`` as a user does, and run."""
    at.session_state[editor_key(at, matrix_key)] = {
        "edited_rows": edited or {},
        "added_rows": added or [],
        "deleted_rows": deleted or [],
    }
    return at.run()


def edit_cell(at: AppTest, matrix_key: str, row: int, col: str, value: Any) -> AppTest:
    """Type ``value`` into one cell of the editor of ``st.session_state[matrix_key]``."""
    return edit(at, matrix_key, {row: {col: value}})


# --- processes ---------------------------------------------------------------------------------


def stop(proc: subprocess.Popen, timeout: float) -> None:
    """End a server a test started: ask it to stop, and kill it if it is still running after
    ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
