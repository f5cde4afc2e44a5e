"""The floor, and the same work: what Streamlit itself costs for a redraw, served by the same
Streamlit and config as the app.

Without parameters: one slider and one 8 × 8 heatmap (the one-figure trivial app; every
interaction latency of the app is also reported as a ratio to this page's).

With parameters: one slider and k figures, all inside ONE ``st.fragment``, all redrawn when the
slider moves — the same work as an app control that redraws k figures (bench/latency.py reads
the kinds and sizes of the figures a control really changes and asks for the same here)::

    /?k=4&kind=heatmap&size=8          four 8 × 8 heatmaps (kind: heatmap, image, scatter, bar)
    /?figs=P2-W600-H420-h8x8t*2,P1-s200*3-b20
    streamlit run bench/reference_app.py -- --k 4 --size 64 --kind image   (URL wins)

``figs``: figures separated by commas; each a dash-separated list of ``P<panels>``,
``W<px width>``, ``H<px height>``, ``A<annotations>`` and traces: ``h<r>x<c>[t]`` a heatmap
(``t``: values written on the cells), ``i<r>x<c>`` an image (PNG data URI, as the app sends
large heatmaps), ``s<points>`` a line with markers, ``b<bars>`` bars; ``*<count>`` repeats a
trace. Traces go round-robin over the panels (one row of panels). Figures are built from plain dicts
without Plotly's validation, as the app builds its own.
"""

from __future__ import annotations

import argparse
import base64
import re
import struct
import sys
import zlib

import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="reference", layout="wide")

TRACE = re.compile(r"^([hisb])(\d+)(?:x(\d+))?(t?)(?:\*(\d+))?$")
GAP = 0.06  # between panels, as a fraction of the width
LIMIT = 64  # figures at most, traces per figure at most (a typo must not hang the server)


def cli_defaults() -> dict[str, str]:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--k", default="")
    parser.add_argument("--kind", default="heatmap")
    parser.add_argument("--size", default="8")
    parser.add_argument("--figs", default="")
    known, _ = parser.parse_known_args(sys.argv[1:])
    return {k: v for k, v in vars(known).items() if v}


def spec_from(params: dict[str, str]) -> list[str]:
    """The figure specs asked for (``figs``, or ``k`` figures of one ``kind`` and ``size``)."""
    if params.get("figs"):
        return [f for f in params["figs"].split(",") if f][:LIMIT]
    k = min(LIMIT, max(1, int(params.get("k", "1"))))
    n = max(1, int(params.get("size", "8")))
    code = {"heatmap": f"h{n}x{n}t", "image": f"i{n}x{n}", "scatter": f"s{n}", "bar": f"b{n}"}
    return [code[params.get("kind", "heatmap")]] * k


def png_uri(rgb: np.ndarray) -> str:
    """An (r, c, 3) uint8 array as a PNG data URI (zlib, no filter): what an image trace carries."""
    rows, cols, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[i].tobytes() for i in range(rows))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", cols, rows, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def trace(code: str, v: int, j: int) -> dict:
    """One trace of the spec ``code`` whose data depend on the slider's value ``v``."""
    m = TRACE.match(code)
    if m is None:
        raise ValueError(f"unknown trace {code!r}")
    kind, a, b, text = m.group(1), int(m.group(2)), int(m.group(3) or m.group(2)), m.group(4)
    scale = (v + 1 + j) / 100.0
    if kind in "hi":
        z = np.add.outer(np.arange(a), np.arange(b)) * scale  # (a, b)
        if kind == "i":
            lo, hi = z.min(), z.max()
            grey = ((z - lo) / (hi - lo if hi > lo else 1) * 255).astype(np.uint8)
            return {"type": "image", "source": png_uri(np.stack([grey, 255 - grey, grey], -1))}
        out = {"type": "heatmap", "z": z, "colorscale": "Viridis", "showscale": j == 0}
        return out | ({"texttemplate": "%{z:.2f}"} if text else {})
    x = np.arange(a)
    if kind == "s":
        return {"type": "scatter", "x": x, "y": np.sin(x * scale), "mode": "lines+markers"}
    return {"type": "bar", "x": x, "y": np.cos(x * scale) + 1.5}


def figure(spec: str, v: int) -> tuple[go.Figure, int | str]:
    fields = {"P": 1, "W": 0, "H": 360, "A": 0}
    traces: list[str] = []
    for part in spec.split("-"):
        if part[:1] in fields and part[1:].isdigit():
            fields[part[0]] = int(part[1:])
        else:
            m = TRACE.match(part)
            count = int(m.group(5)) if m and m.group(5) else 1
            traces += [part.split("*")[0]] * min(count, LIMIT)
    panels = max(1, min(fields["P"], 8))
    data = []
    for j, code in enumerate(traces[: LIMIT * 4]):
        axis = "" if j % panels == 0 else str(j % panels + 1)
        data.append(trace(code, v, j) | {"xaxis": f"x{axis}", "yaxis": f"y{axis}"})
    layout: dict = {
        "template": {},  # Plotly's default template costs ~10 ms per figure to set up
        "height": max(fields["H"], 120),
        "title": {"text": f"value = {v}"},
        "annotations": [
            {"text": f"{v / (i + 1):.2f}", "x": i, "y": 0, "showarrow": False}
            for i in range(min(fields["A"], 200))
        ],
    }
    width = (1 - GAP * (panels - 1)) / panels
    for i in range(panels):  # one row of panels, as make_subplots lays them out
        axis, x0 = ("" if i == 0 else str(i + 1)), i * (width + GAP)
        layout[f"xaxis{axis}"] = {"domain": [x0, x0 + width], "anchor": f"y{axis}"}
        layout[f"yaxis{axis}"] = {"anchor": f"x{axis}"}
    # plain dicts, not validated: as the app builds its figures (ui/figures.figure), so the
    # reference costs what Streamlit and Plotly cost, not Plotly's validation
    fig = go.Figure({"data": data, "layout": layout}, _validate=False)
    return fig, (fields["W"] if fields["W"] > 0 else "stretch")


params = cli_defaults() | {k: st.query_params[k] for k in ("k", "kind", "size", "figs")
                           if k in st.query_params}  # fmt: skip

if not params.get("k") and not params.get("figs"):
    # the one-figure trivial app, exactly as it has always been measured
    k = st.slider("Reference value", 0, 100, 10)
    z = np.add.outer(np.arange(8), np.arange(8)) * (k + 1) / 100.0  # (8, 8)
    fig = go.Figure(go.Heatmap(z=z, texttemplate="%{z:.2f}", colorscale="Viridis"))
    fig.update_layout(height=360, title={"text": f"k = {k}"})
    st.plotly_chart(fig, key="reference.heatmap", theme=None)
else:
    specs = spec_from(params)

    @st.fragment
    def redraw() -> None:
        v = st.slider("Reference value", 0, 100, 10)
        for i, spec in enumerate(specs):
            fig, width = figure(spec, v)
            st.plotly_chart(fig, key=f"reference.fig{i}", theme=None, width=width)

    st.caption(f"{len(specs)} figures in one fragment: {', '.join(specs)}")
    redraw()
