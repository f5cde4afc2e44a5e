"""A Streamlit session without a browser: the app's own WebSocket protocol, spoken directly.

bench/sessions.py uses it to put a classroom's load on the server without a classroom's
browsers on the same two cores (each real Chromium page spends 0.3–0.5 s of CPU drawing an
interaction; 40 of them saturate this machine long before the server does). A protocol session
costs the server exactly what a browser's does: it opens the page with the same URL, the server
runs the same script and sends the same messages, and every move of a slider is the same rerun
request a browser sends. What it cannot time is the browser's drawing, so the benchmark keeps
some real browsers in the room and reports both.

A widget drawn inside an ``st.fragment`` arrives in a delta that carries the fragment's id; a
change of that widget is sent as the browser sends it: a rerun of that fragment only (the
fragment id, the page's script hash, every widget's state and the URL's query as the app last
wrote it), not a full rerun of the page. ``rerun(change, full=True)`` forces a full run.

    python bench/ws_session.py http://127.0.0.1:8501 /softmax?lang=en   # one move, timed
"""

from __future__ import annotations

import asyncio
import re
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
    exception_texts: list[str] = field(default_factory=list)  # type: message, of each shown
    sliders: list[Slider] = field(default_factory=list)
    figures: set[int] = field(default_factory=set)  # hashes of the Plotly specs sent
    status: str = ""
    fragments: dict[str, str] = field(default_factory=dict)  # widget id → its fragment's id
    page_script_hash: str = ""
    query_string: str | None = None  # the URL's query as the run last wrote it


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
        self.fragment_of: dict[str, str] = {}  # widget id → the fragment that draws it
        self.page_script_hash = ""

    async def open(self) -> RunStats:
        """Connect and run the page once, as a browser opening the link does."""
        self.ws = await websockets.connect(
            self.ws_url,
            subprotocols=["streamlit"],
            origin=self.origin,
            max_size=None,
            compression=None,
        )
        stats = await self.rerun(full=True)
        self.sliders = stats.sliders
        return stats

    def fragment_id_of(self, widget_id: str) -> str:
        """The id of the fragment that drew this widget ("" if none: a full rerun)."""
        return self.fragment_of.get(widget_id, "")

    async def rerun(self, changed: WidgetState | None = None, full: bool = False) -> RunStats:
        """Send a rerun request (with ``changed`` set) and read until the run is over.

        As the browser does: a changed widget drawn inside a fragment reruns that fragment only
        (``full=True``: the whole page, as a page load or a page-wide change does)."""
        assert self.ws is not None, "open() first"
        if changed is not None:
            self.values[changed.id] = changed
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        if self.page_script_hash:
            state.page_script_hash = self.page_script_hash
        else:
            state.page_name = self.page_name
        if changed is not None and not full:
            state.fragment_id = self.fragment_id_of(changed.id)
        state.widget_states.widgets.extend(self.values.values())
        await self.ws.send(msg.SerializeToString())
        stats = await asyncio.wait_for(self._read_run(), RUN_TIMEOUT_S)
        if stats.page_script_hash:
            self.page_script_hash = stats.page_script_hash
        if stats.query_string is not None:
            self.query = stats.query_string
        if stats.status == "FINISHED_SUCCESSFULLY":
            # a full run (also one that a fragment's st.rerun() asked for) drew every widget:
            # a widget whose parameters changed has a new id, and the browser keeps the state
            # of the widgets on the page only
            self.sliders = stats.sliders
            self.fragment_of = dict(stats.fragments)
            self.values = {k: v for k, v in self.values.items() if k in stats.fragments}
        else:  # a fragment's run re-sends its own widgets
            self.fragment_of |= stats.fragments
            fresh = {s.id: s for s in stats.sliders}
            self.sliders = [fresh.get(s.id, s) for s in self.sliders]
        return stats

    def slider_index(self, label: str) -> int:
        """The position of the first slider whose label starts with ``label`` (as the browser
        shows it: Markdown marks and LaTeX dollars aside)."""

        def plain(text: str) -> str:
            return " ".join(re.sub(r"[*_`$\\{}]", "", text).split())

        for match in (str.startswith, lambda a, b: plain(a).startswith(plain(b))):
            for i, slider in enumerate(self.sliders):
                if match(slider.label, label):
                    return i
        raise KeyError(f"no slider labelled {label!r} (have {[s.label for s in self.sliders]})")

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
            if kind == "new_session":
                stats.page_script_hash = fwd.new_session.page_script_hash
            elif kind == "navigation" and fwd.navigation.page_script_hash:
                # with st.navigation the page that ran is named here (new_session names the
                # main script's): the browser sends this hash with its next rerun
                stats.page_script_hash = fwd.navigation.page_script_hash
            elif kind == "page_info_changed":
                stats.query_string = fwd.page_info_changed.query_string
            elif kind == "delta":
                stats.deltas += 1
                element = fwd.delta.new_element
                which = element.WhichOneof("type") if fwd.delta.HasField("new_element") else None
                if which and element.HasField(which) and hasattr(getattr(element, which), "id"):
                    stats.fragments[getattr(element, which).id] = fwd.delta.fragment_id
                if which == "slider":
                    stats.sliders.append(element.slider)
                elif which == "plotly_chart":
                    stats.figures.add(hash(element.plotly_chart.spec))
                elif which == "exception":
                    stats.exceptions += 1
                    ex = element.exception
                    stats.exception_texts.append(f"{ex.type}: {ex.message}"[:300])
            elif kind == "script_finished":
                stats.status = ForwardMsg.ScriptFinishedStatus.Name(fwd.script_finished)
                # a rerun requested while running ends this run early; the next one follows
                if stats.status != "FINISHED_EARLY_FOR_RERUN":
                    return stats
                stats.sliders.clear()  # the next run draws the widgets again
                stats.fragments.clear()

    def step(self, index: int, direction: int) -> WidgetState:
        """The widget state of slider ``index`` moved one step (``direction`` ±1, or 0: where it
        is), kept in range."""
        slider = self.sliders[index]
        state = WidgetState(id=slider.id)
        if slider.type == Slider.Type.SELECT_SLIDER:
            options = list(slider.options)
            held = self.values.get(slider.id)
            shown = slider.raw_value or [options[int(i)] for i in slider.value or slider.default]
            now = held.string_array_value.data[0] if held else shown[0]
            i = min(max(options.index(now) + direction, 0), len(options) - 1)
            state.string_array_value.data.append(options[i])
        else:
            held = self.values.get(slider.id)
            # ``value`` is set when the app gave the slider a value, else its ``default`` holds
            now = held.double_array_value.data[0] if held else (slider.value or slider.default)[0]
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
            f"move {i}: {(time.perf_counter() - t0) * 1000:.0f} ms, "
            f"fragment {session.fragment_id_of(session.sliders[0].id) or '-'}, "
            f"{stats.deltas} deltas, "
            f"{stats.bytes / 1024:.0f} kB, {len(stats.figures - before)} figures changed, "
            f"exceptions {stats.exceptions}, {stats.status}"
        )
        before = stats.figures
    await session.close()


if __name__ == "__main__":
    asyncio.run(_demo(sys.argv[1], sys.argv[2]))
