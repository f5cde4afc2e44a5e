"""A Streamlit session without a browser: the app's own WebSocket protocol, spoken directly.

bench/sessions.py uses it to put a classroom's load on the server without a classroom's
browsers on the same two cores (each real Chromium page spends 0.3–0.5 s of CPU drawing an
interaction; 40 of them saturate this machine long before the server does). A protocol session
costs the server exactly what a browser's does: it opens the page with the same URL, the server
runs the same script and sends the same messages, and every move of a slider is the same rerun
request a browser sends. What it cannot time is the browser's drawing, so the benchmark keeps
some real browsers in the room and reports both.

    python bench/ws_session.py http://127.0.0.1:8501 /softmax?lang=en   # one move, timed
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState

RUN_TIMEOUT_S = 20.0  # a run slower than this counts as an error


@dataclass
class RunStats:
    """What one script run sent: messages, bytes, deltas, the sliders it drew, errors shown."""

    messages: int = 0
    bytes: int = 0
    deltas: int = 0
    exceptions: int = 0
    sliders: list[Slider] = field(default_factory=list)
    figures: set[int] = field(default_factory=set)  # hashes of the Plotly specs sent
    status: str = ""


class ProtocolSession:
    """One session on ``base`` (``http://host:port``) showing ``path`` (``/page?query``)."""

    def __init__(self, base: str, path: str) -> None:
        url = urlsplit(base)
        page = urlsplit(path)
        self.ws_url = f"ws://{url.netloc}/_stcore/stream"
        self.origin = f"{url.scheme}://{url.netloc}"
        self.page_name = page.path.strip("/")
        self.query = page.query
        self.ws: websockets.ClientConnection | None = None
        self.values: dict[str, WidgetState] = {}  # what this session's widgets hold
        self.sliders: list[Slider] = []

    async def open(self) -> RunStats:
        """Connect and run the page once, as a browser opening the link does."""
        self.ws = await websockets.connect(
            self.ws_url,
            subprotocols=["streamlit"],
            origin=self.origin,
            max_size=None,
            compression=None,
        )
        stats = await self.rerun()
        self.sliders = stats.sliders
        return stats

    async def rerun(self, changed: WidgetState | None = None) -> RunStats:
        """Send a rerun request (with ``changed`` set) and read until the run is over."""
        assert self.ws is not None, "open() first"
        if changed is not None:
            self.values[changed.id] = changed
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_name = self.page_name
        state.widget_states.widgets.extend(self.values.values())
        await self.ws.send(msg.SerializeToString())
        return await asyncio.wait_for(self._read_run(), RUN_TIMEOUT_S)

    async def _read_run(self) -> RunStats:
        assert self.ws is not None
        stats = RunStats()
        while True:
            frame = await self.ws.recv()
            fwd = ForwardMsg()
            fwd.ParseFromString(frame)
            stats.messages += 1
            stats.bytes += len(frame)
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                stats.deltas += 1
                element = fwd.delta.new_element
                which = element.WhichOneof("type") if fwd.delta.HasField("new_element") else None
                if which == "slider":
                    stats.sliders.append(element.slider)
                elif which == "plotly_chart":
                    stats.figures.add(hash(element.plotly_chart.spec))
                elif which == "exception":
                    stats.exceptions += 1
            elif kind == "script_finished":
                stats.status = ForwardMsg.ScriptFinishedStatus.Name(fwd.script_finished)
                # a rerun requested while running ends this run early; the next one follows
                if stats.status != "FINISHED_EARLY_FOR_RERUN":
                    return stats

    def step(self, index: int, direction: int) -> WidgetState:
        """The widget state of slider ``index`` moved one step (``direction`` ±1, or 0: where it
        is), kept in range."""
        slider = self.sliders[index]
        state = WidgetState(id=slider.id)
        if slider.type == Slider.Type.SELECT_SLIDER:
            options = list(slider.options)
            held = self.values.get(slider.id)
            now = held.string_array_value.data[0] if held else slider.raw_value[0]
            i = min(max(options.index(now) + direction, 0), len(options) - 1)
            state.string_array_value.data.append(options[i])
        else:
            held = self.values.get(slider.id)
            now = held.double_array_value.data[0] if held else slider.value[0]
            new = min(max(now + direction * slider.step, slider.min), slider.max)
            state.double_array_value.data.append(new)
        return state

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def _demo(base: str, path: str) -> None:
    session = ProtocolSession(base, path)
    t0 = time.perf_counter()
    first = await session.open()
    print(
        f"opened in {(time.perf_counter() - t0) * 1000:.0f} ms: {first.messages} messages, "
        f"{first.bytes / 1024:.0f} kB, {len(first.sliders)} sliders, status {first.status}"
    )
    before = first.figures
    for i, direction in enumerate((1, -1, 1, -1)):
        t0 = time.perf_counter()
        stats = await session.rerun(session.step(0, direction))
        print(
            f"move {i}: {(time.perf_counter() - t0) * 1000:.0f} ms, {stats.deltas} deltas, "
            f"{stats.bytes / 1024:.0f} kB, {len(stats.figures - before)} figures changed, "
            f"exceptions {stats.exceptions}, {stats.status}"
        )
        before = stats.figures
    await session.close()


if __name__ == "__main__":
    asyncio.run(_demo(sys.argv[1], sys.argv[2]))
