"""The benchmark's browserless session (bench/ws_session.py) does what a browser does.

bench/sessions.py counts on it to load the server like a student: it must open a page, see
the page's sliders, and make the server redraw a figure when it moves one.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from bench.ws_session import ProtocolSession


async def _open_and_move(base: str) -> tuple[list, list]:
    session = ProtocolSession(base, "/softmax?lang=en")
    try:
        first = await session.open()
        moves = [await session.rerun(session.step(0, d)) for d in (1, -1)]
    finally:
        await session.close()
    return [first], moves


def test_a_protocol_session_opens_a_page_and_its_slider_redraws_a_figure(app_url: str) -> None:
    # its own thread: Playwright's sync API may hold this thread's event loop
    with ThreadPoolExecutor(1) as pool:
        (first,), moves = pool.submit(asyncio.run, _open_and_move(app_url)).result()
    assert first.status == "FINISHED_SUCCESSFULLY" and not first.exceptions
    assert first.sliders and first.figures
    shown = first.figures
    for run in moves:
        # a move is a fragment rerun, as the browser sends it
        assert run.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY" and not run.exceptions
        assert run.figures - shown, "moving the slider sends a changed figure"
        shown = run.figures
