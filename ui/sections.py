"""A page's sections: each group of sections runs as an ``st.fragment``.

A page lists its sections once, in screen order, grouped by what feeds what::

    sections.show("softmax", [[scores, temperature], [seed_example], [scaling]])

Moving a control reruns only the group (fragment) that holds it: a section whose result a later
section uses sits in the same group. At the end of every group's run the state is written into
the URL and the sidebar's share link is redrawn, so a link copied after a change inside a
fragment reopens that view. In presentation mode one section is shown at a time, with Previous /
Next buttons (and the ← → keys); the section's number is in the URL (``sec``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Final

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from ui import classroom, layout, qr, state
from ui.i18n import t

Section = Callable[[], None]

SECTION_PARAM: Final = "sec"
RUNS_KEY: Final = "_sections.runs"  # {section name: runs this session}, read by tests
_SHARE_SLOT: Final = "_sections.share_slot"
_STEP_KEYS: Final = "_sections.keys_to_steps"  # the section on screen has a stepper
_COUNT: Final = "_sections.count"  # {ns: number of sections}
_GROUP_OF: dict[str, dict[str, int]] = {}  # {ns: {section name: its group}}, set by show()
# ATTN_SHOW_SECTION_RUNS=1 (a test build) shows each section's run count under it: the tests
# check with it that a move reruns one group.
SHOW_RUNS_ENV: Final = "ATTN_SHOW_SECTION_RUNS"


def fragment_rerun() -> bool:
    """Whether this script run is a fragment's own rerun (not a full run of the page)."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def share_slot():
    """The sidebar's place for the share link (``app.py`` makes it before the page runs)."""
    slot = st.sidebar.empty()
    st.session_state[_SHARE_SLOT] = slot
    return slot


def draw_share(*, final: bool = True) -> None:
    """Write the state into the URL and draw the share link in the sidebar's slot.

    ``final=False`` (a group inside a full run of the page) draws the link without touching
    the URL: later sections have not bound their parameters yet, and would no longer find
    them in the URL. The page's full run ends with the final call (``app.py``).
    """
    if final:
        params, left_out = state.publish()
        classroom.publish(params)  # a teacher's view goes to the class (nothing otherwise)
    else:
        params, left_out = state.url_params()
    slot = st.session_state.get(_SHARE_SLOT)
    if slot is None:
        return
    with slot.container():
        st.divider()
        st.markdown(f"**{t('app.share')}**")
        st.code(qr.page_link(params), language=None, wrap_lines=True)  # PUBLIC_URL if set
        if left_out:
            st.caption(t("app.share.left_out", names=", ".join(left_out)))
        st.caption(t("app.share.help"))


def _count(name: str) -> int:
    runs: dict[str, int] = st.session_state.setdefault(RUNS_KEY, {})
    runs[name] = runs.get(name, 0) + 1
    return runs[name]


def _group(ns: str, index: int, group: Sequence[Section]) -> None:
    if fragment_rerun():
        state.claim()  # as bind does in a full run: no bound value is lost to widget clean-up
    notices = st.container()
    seen = state.visit_notice_count()
    for draw in group:
        n = _count(f"{ns}.{draw.__name__}")
        draw()
        if os.environ.get(SHOW_RUNS_ENV) == "1":
            st.caption(f"runs · {draw.__name__} · {n}")
    # Notices raised while the group ran (a value snapped by a callback or a check) show at
    # the group's top, in a full run and in the group's own rerun alike.
    for text in state.notices_since(seen) + state.take_flash():
        notices.warning(text, icon="⚠️")
    draw_share(final=fragment_rerun())


def show(ns: str, groups: Sequence[Sequence[Section]], *, stepped: Sequence[str] = ()) -> None:
    """Draw the page's sections in order, each group as one fragment (see the module doc).

    ``stepped`` names the sections (by function name) that hold a ``ui.steps`` stepper: in
    presentation mode the arrow keys move its steps while it is on screen.
    """
    flat = [(gi, draw) for gi, group in enumerate(groups) for draw in group]
    st.session_state.setdefault(_COUNT, {})[ns] = len(flat)
    _GROUP_OF[ns] = {draw.__name__: gi for gi, draw in flat}
    seen = state.visit_notice_count()
    b = state.bind(ns, state.Int(SECTION_PARAM, 1, lo=1, hi=len(flat)))
    for text in state.notices_since(seen):  # after the header: shown here
        st.warning(text, icon="⚠️")
    st.session_state[_STEP_KEYS] = False
    if layout.presenting():
        current = int(b[SECTION_PARAM])
        gi, draw = flat[current - 1]
        st.session_state[_STEP_KEYS] = draw.__name__ in stepped
        _navigation(b, len(flat), keys=draw.__name__ not in stepped)
        _fragment(ns, gi, [draw])
        return
    for gi, group in enumerate(groups):
        _fragment(ns, gi, group)


def keys_to_steps() -> bool:
    """Whether the arrow keys belong to a stepper (presentation mode, its section on screen)."""
    return bool(st.session_state.get(_STEP_KEYS, False))


def has_neighbour(ns: str, step: int) -> bool:
    """Whether the page has a section ``step`` (±1) away from the one on screen."""
    n = st.session_state.get(_COUNT, {}).get(ns, 1)
    current = int(st.session_state.get(f"{ns}.{SECTION_PARAM}", 1))
    return 1 <= current + step <= n


def go(ns: str, step: int) -> None:
    """Move presentation mode ``step`` (±1) sections on (from a callback)."""
    n = st.session_state.get(_COUNT, {}).get(ns, 1)
    key = f"{ns}.{SECTION_PARAM}"
    st.session_state[key] = min(n, max(1, int(st.session_state.get(key, 1)) + step))


def rerun_with(ns: str, draws: Sequence[Section]) -> None:
    """From a control's callback: rerun the groups that hold the sections ``draws`` (list the
    control's own section too), instead of the control's group alone.

    For a control whose value later sections read, when putting them all in one group would
    make every other control of theirs rerun them all too (a picture and its pixel, read by
    every section after). Only a fragment's own rerun is widened: a full run draws every
    section anyway, and in presentation mode the one section on screen is its group.
    """
    where = _GROUP_OF.get(ns, {})
    if not fragment_rerun() or layout.presenting() or not where:
        return
    indices = sorted({where[d.__name__] for d in draws if d.__name__ in where})
    if indices:
        st.rerun([_group_key(ns, i) for i in indices])


def _group_key(ns: str, index: int) -> str:
    return f"{ns}.group{index}"


def _fragment(ns: str, index: int, group: Sequence[Section]) -> None:
    # One fragment function per group; the key keeps its identity across full runs.
    st.fragment(lambda: _group(ns, index, group), key=_group_key(ns, index))()


def _navigation(b: state.Binding, n: int, *, keys: bool = True) -> None:
    current = int(b[SECTION_PARAM])
    c1, c2, c3 = st.columns([1, 2, 1], vertical_alignment="center")
    c1.button(
        t("app.section.previous"),
        key=f"{b.page}._sec_prev",
        on_click=go,
        args=(b.page, -1),
        disabled=current <= 1,
        shortcut="Left" if keys else None,
        width="stretch",
    )
    c2.markdown(f"**{t('app.section.of', i=current, n=n)}**", text_alignment="center")
    c3.button(
        t("app.section.next"),
        key=f"{b.page}._sec_next",
        on_click=go,
        args=(b.page, 1),
        disabled=current >= n,
        shortcut="Right" if keys else None,
        width="stretch",
    )
