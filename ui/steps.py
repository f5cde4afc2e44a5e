"""Step through a computation: one numbered step at a time, Previous / Next and the ← → keys.

    i = steps.stepper("qkv", [t("qkv.step.scores"), t("qkv.step.scale"), ...])

returns the current step (0-based); the page then draws that step (the cells it uses
highlighted, its numbers written out). The step is the page's URL parameter ``step``. The
arrow keys move the steps when the page is not presented, and in presentation mode when the
stepper's section is on screen (``sections.show(..., stepped=[...])``); there, Next on the last
step goes on to the next section and Previous on the first goes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import streamlit as st

from ui import layout, sections, state
from ui.i18n import t

STEP_PARAM: Final = "step"


def stepper(ns: str, labels: Sequence[str]) -> int:
    """Draw the step bar for ``labels`` (one per step, translated); return the step, 0-based."""
    n = len(labels)
    if n < 1:
        raise ValueError("a stepper needs at least one step")
    b = state.bind(ns, state.Int(STEP_PARAM, 1, lo=1, hi=n))
    current = int(b[STEP_PARAM])
    presenting = layout.presenting()
    keys = sections.keys_to_steps() if presenting else True
    first, last = current <= 1, current >= n
    to_section = presenting and keys  # past either end: the neighbouring section
    c1, c2, c3 = st.columns([1, 3, 1], vertical_alignment="center")
    c1.button(
        t("app.step.previous"),
        key=f"{ns}._step_prev",
        on_click=_move,
        args=(b, n, -1),
        disabled=first and not (to_section and sections.has_neighbour(ns, -1)),
        shortcut="Left" if keys else None,
        width="stretch",
    )
    c2.markdown(
        f"**{t('app.step.of', i=current, n=n)}** · {labels[current - 1]}",
        text_alignment="center",
    )
    c3.button(
        t("app.step.next"),
        key=f"{ns}._step_next",
        on_click=_move,
        args=(b, n, 1),
        disabled=last and not (to_section and sections.has_neighbour(ns, 1)),
        shortcut="Right" if keys else None,
        width="stretch",
    )
    return current - 1


def _move(b: state.Binding, n: int, step: int) -> None:
    """Callback: the next or previous step; past either end in presentation mode, the section."""
    target = int(b[STEP_PARAM]) + step
    if 1 <= target <= n:
        b.set(STEP_PARAM, target)
    elif layout.presenting() and sections.keys_to_steps():
        sections.go(b.page, step)
        st.rerun()  # another section: the whole page changes
