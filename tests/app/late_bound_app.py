"""A two-section page for tests/app/test_sections.py: the second section binds its own URL
parameter, after the first section's group has run."""

import streamlit as st

from ui import layout, sections, state

state.begin_run()
state.bind("app", state.Flag("pres", False))
layout.apply_style()
sections.share_slot()


def first() -> None:
    st.markdown("first section")


def second() -> None:
    late = state.bind("demo", state.Int("late", 1, lo=1, hi=9))
    st.markdown(f"late = {late['late']}")


sections.show("demo", [[first], [second]])
sections.draw_share()
