"""A class following its teacher: 1 teacher + N followers, the teacher moves every 2 s.

Every session speaks Streamlit's own WebSocket protocol (bench/ws_session.py), so the server
does exactly the work of N students' browsers while no browser draws on the same two cores:

- the teacher opens the overview, clicks "Start a class" (the button's widget state), reads
  the student link, then moves the "sweet" slider one end to the other every ``--interval`` s;
- each follower opens the student link and, as a browser does, answers the server's
  ``auto_rerun`` (the class's polling fragment, ``run_every``) by sending that fragment's
  rerun at its interval, with the page and query the server last gave it (a followed
  ``st.switch_page`` or URL change included). Its "screen is updated" when the server sends
  it the slider drawn at the teacher's new value.

Printed: follow delay p50 / p95 / max — from the teacher's move being sent, and from the
teacher's run being over (its view published) — errors (a follower not updated within
``--timeout`` s, exceptions sent, lost connections), the server's CPU (seconds, and share
of one core) over the run, and what the server spends, whatever the machine's load: per
version check (measured first with idle followers) and per session rerun with the teacher's
view (the run's CPU less its checks, over the reruns). Then the same with 2 replicas behind
nginx sharing the class through Redis (a real redis-server on a free port): the followers
spread over both replicas.

    python bench/follow.py                      # 40 followers, one server, then 2 replicas
    python bench/follow.py --followers 10 --duration 20 --setups one
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from bench.probe import cpu_s, pct, write_section  # noqa: E402
from bench.ws_session import ProtocolSession  # noqa: E402
from tests.e2e import proxy  # noqa: E402
from tests.e2e.conftest import free_port, start_server  # noqa: E402
from tests.redis_server import redis_server  # noqa: E402

SLIDER_KEY = "overview.sweet"
START_KEY = "class._start"


@dataclass
class Seen:
    """What one session was last sent."""

    slider: float | None = None  # the sweet slider's value as last drawn
    slider_at: float = 0.0
    student_link: str = ""
    start_button: str = ""  # widget id
    slider_id: str = ""
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    exceptions: int = 0


class LiveSession(ProtocolSession):
    """A protocol session that keeps reading (the server also sends on its own: a followed
    teacher's view) and answers ``auto_rerun`` as a browser does."""

    def __init__(self, base: str, path: str) -> None:
        super().__init__(base, path)
        self.seen = Seen()
        self.page_hash = ""
        self.fragment = ""
        self.poll_s = 0.0
        self.tasks: list[asyncio.Task[None]] = []
        self.changed = asyncio.Event()  # the slider was drawn at a new value
        self.closed = False
        self.polls = 0  # fragment reruns sent (the version checks)

    async def connect(self) -> None:
        self.ws = await websockets.connect(
            self.ws_url, subprotocols=["streamlit"], origin=self.origin, max_size=None,
            compression=None,
        )  # fmt: skip
        self.tasks.append(asyncio.create_task(self._reader()))
        await self.send()
        await asyncio.wait_for(self.seen.finished.wait(), 60)

    async def send(self, changed: WidgetState | None = None, fragment: str = "") -> None:
        assert self.ws is not None
        if changed is not None:
            self.values[changed.id] = changed
        msg = BackMsg()
        r = msg.rerun_script
        r.query_string = self.query
        r.page_name = self.page_name if not self.page_hash else ""
        if self.page_hash:
            r.page_script_hash = self.page_hash
        r.widget_states.widgets.extend(
            w for w in self.values.values() if not w.HasField("trigger_value")
        )
        if changed is not None and changed.HasField("trigger_value"):
            r.widget_states.widgets.append(changed)
        if fragment:
            r.fragment_id = fragment
            r.is_auto_rerun = True
        self.seen.finished.clear()
        await self.ws.send(msg.SerializeToString())

    async def _reader(self) -> None:
        assert self.ws is not None
        try:
            async for frame in self.ws:
                fwd = ForwardMsg()
                fwd.ParseFromString(frame)
                self._handle(fwd)
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed = True

    def _handle(self, fwd: ForwardMsg) -> None:
        kind = fwd.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = fwd.new_session.page_script_hash or self.page_hash
        elif kind == "page_info_changed":
            self.query = fwd.page_info_changed.query_string
        elif kind == "auto_rerun":
            self.fragment = fwd.auto_rerun.fragment_id
            if self.poll_s == 0.0:
                self.tasks.append(asyncio.create_task(self._poller()))
            self.poll_s = fwd.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            if self.fragment in fwd.stop_auto_rerun.fragment_ids:
                self.fragment = ""
        elif kind == "delta" and fwd.delta.HasField("new_element"):
            el = fwd.delta.new_element
            which = el.WhichOneof("type")
            if which == "slider" and el.slider.id.endswith("-" + SLIDER_KEY):
                self.seen.slider_id = el.slider.id
                value = float(el.slider.value[0]) if el.slider.value else None
                if value is not None and value != self.seen.slider:
                    self.seen.slider, self.seen.slider_at = value, time.monotonic()
                    self.changed.set()
            elif which == "button" and el.button.id.endswith("-" + START_KEY):
                self.seen.start_button = el.button.id
            elif which == "code" and "class=" in el.code.code_text:
                self.seen.student_link = el.code.code_text.strip()
            elif which == "exception":
                self.seen.exceptions += 1
        elif kind == "script_finished":
            status = ForwardMsg.ScriptFinishedStatus.Name(fwd.script_finished)
            if status != "FINISHED_EARLY_FOR_RERUN":
                self.seen.finished.set()

    async def _poller(self) -> None:
        """The browser's side of ``run_every``: the fragment's rerun at its interval."""
        while not self.closed:
            await asyncio.sleep(self.poll_s or 0.5)
            if self.fragment and not self.closed:
                self.polls += 1
                try:
                    await self.send(fragment=self.fragment)
                except websockets.ConnectionClosed:
                    return

    async def close(self) -> None:
        self.closed = True
        for task in self.tasks:
            task.cancel()
        await super().close()


@dataclass
class Result:
    setup: str
    followers: int
    moves: int = 0
    from_move_s: list[float] = field(default_factory=list)
    from_publish_s: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    cpu_s: float = 0.0
    wall_s: float = 0.0
    poll_ms: float = float("nan")  # server CPU per version check (idle followers)
    update_ms: float = float("nan")  # server CPU per session rerun with the teacher's view

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def line(self) -> str:
        def ms(v: list[float]) -> str:
            return " / ".join(f"{pct(v, q):.2f}" for q in (0.5, 0.95)) + f" / {max(v):.2f}"

        errors = sum(self.errors.values())
        kinds = ", ".join(f"{k}: {v}" for k, v in sorted(self.errors.items())) or "-"
        return (
            f"| {self.setup} | {self.followers} | {self.moves} | "
            f"{ms(self.from_move_s) if self.from_move_s else '-'} | "
            f"{ms(self.from_publish_s) if self.from_publish_s else '-'} | "
            f"{errors} ({kinds}) | {self.cpu_s:.1f} s = {self.cpu_s / self.wall_s:.0%} of a core | "
            f"{self.poll_ms:.1f} / {self.update_ms:.0f} |"
        )


async def follow(
    f: LiveSession, want: float, sent: float, published: float, res: Result, timeout: float
) -> None:
    """Wait until follower ``f`` was sent the slider at ``want``; record the delays."""
    end = sent + timeout
    while f.seen.slider != want:
        left = end - time.monotonic()
        if left <= 0 or f.closed:
            res.error("disconnected" if f.closed else "not followed in time")
            return
        f.changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(f.changed.wait(), min(left, 0.05))
    res.from_move_s.append(f.seen.slider_at - sent)
    res.from_publish_s.append(max(0.0, f.seen.slider_at - published))


async def run(base: str, pids: list[int], setup: str, args: argparse.Namespace) -> Result:
    res = Result(setup, args.followers)
    teacher = LiveSession(base, "/?lang=en")
    await teacher.connect()
    if not teacher.seen.start_button:
        raise SystemExit("no Start a class button on the overview")
    start = WidgetState(id=teacher.seen.start_button, trigger_value=True)
    await teacher.send(start)
    await asyncio.wait_for(teacher.seen.finished.wait(), 60)
    link = teacher.seen.student_link
    if not link:
        raise SystemExit("the teacher's session shows no student link")
    path = "/?" + urlsplit(link).query
    followers = [LiveSession(base, path) for _ in range(args.followers)]
    for i in range(0, len(followers), 8):  # a class arriving over a few seconds
        await asyncio.gather(*(f.connect() for f in followers[i : i + 8]))
    await asyncio.sleep(2.0)

    def cpu() -> float:
        return sum(cpu_s(p) for p in pids)

    def polls() -> int:
        return sum(f.polls for f in followers)

    c_idle, p_idle = cpu(), polls()  # idle followers: what one version check costs
    await asyncio.sleep(args.idle)
    res.poll_ms = 1000 * (cpu() - c_idle) / max(1, polls() - p_idle)
    cpu0, polls0, wall0 = cpu(), polls(), time.monotonic()
    value = teacher.seen.slider
    slider = teacher.seen.slider_id
    deadline = time.monotonic() + args.duration
    while time.monotonic() < deadline:
        value = 2.0 if value != 2.0 else -2.0
        for f in followers:
            f.changed.clear()
        sent = time.monotonic()
        state = WidgetState(id=slider)
        state.double_array_value.data.append(value)
        await teacher.send(state)
        try:
            await asyncio.wait_for(teacher.seen.finished.wait(), args.timeout)
        except TimeoutError:
            res.error("teacher run timeout")
            continue
        published = time.monotonic()
        res.moves += 1

        await asyncio.gather(
            *(follow(f, value, sent, published, res, args.timeout) for f in followers)
        )
        await asyncio.sleep(max(0.0, sent + args.interval - time.monotonic()))
    res.wall_s = time.monotonic() - wall0
    res.cpu_s = cpu() - cpu0
    runs = res.moves * (len(followers) + 1)  # each follower's rerun, and the teacher's
    if runs:
        polling = (polls() - polls0) * res.poll_ms / 1000
        res.update_ms = 1000 * (res.cpu_s - polling) / runs
    for f in followers:
        if f.seen.exceptions:
            res.error("exception sent")
        if not f.fragment:
            res.error("polling stopped")
    for s in [teacher, *followers]:
        await s.close()
    return res


def one_server(args: argparse.Namespace) -> Result:
    port = free_port()
    proc = start_server(port)
    try:
        return asyncio.run(run(f"http://127.0.0.1:{port}", [proc.pid], "one server", args))
    finally:
        proxy.stop(proc)


def replicas_with_redis(args: argparse.Namespace) -> Result:
    nginx = proxy.find_nginx()
    if nginx is None:
        raise SystemExit("2 replicas need nginx (apt-get install nginx)")
    with redis_server() as url:
        os.environ["REDIS_URL"] = url
        try:
            with proxy.deployment(nginx, 2) as d:
                pids = [p.pid for p in d.replicas.values()]
                return asyncio.run(run(d.url, pids, "2 replicas + Redis", args))
        finally:
            os.environ.pop("REDIS_URL", None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--followers", type=int, default=40)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of moves")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between moves")
    parser.add_argument("--timeout", type=float, default=10.0, help="a follow slower: an error")
    parser.add_argument("--setups", default="one,replicas", help="one, replicas or both")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of idle following")
    parser.add_argument("--write", default="", help="also put the table into this Markdown file")
    args = parser.parse_args()
    lines = [
        "| setup | followers | moves | follow delay from the move p50 / p95 / max (s) | "
        "from the teacher's run over (s) | errors | server CPU | CPU per check / per update (ms) |"
        "\n|---|---|---|---|---|---|---|---|"
    ]
    print(lines[0], flush=True)
    for setup in args.setups.split(","):
        res = one_server(args) if setup == "one" else replicas_with_redis(args)
        lines.append(res.line())
        print(lines[-1], flush=True)
    if args.write:
        load = os.getloadavg()[0]
        note = (
            f"`python bench/follow.py --followers {args.followers} --duration {args.duration:g}` "
            f"on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
            f"load average {load:.1f} at the end (other work on the machine counts in it)."
        )
        write_section(Path(args.write), "follow", "\n".join([*lines, "", note]))


if __name__ == "__main__":
    main()
