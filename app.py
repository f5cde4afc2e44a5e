"""Attention, hands-on: the entry point.

Page config, the sidebar shared by every page (language, presentation mode, share link) and
the navigation. Everything else lives in app_pages/, ui/ and attn_core/.
"""

import os

# One BLAS thread per computation, set before NumPy loads: many sessions share two cores,
# and multi-threaded OpenBLAS on the app's small matrices loses far more to contention than
# it gains (bench/core.py measured 87 ms against 0.9 ms for n = 256 on a busy machine).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import streamlit as st  # noqa: E402

from ui import classroom, layout, sections, state  # noqa: E402
from ui.i18n import LANG_KEY, LANGUAGES, language_from_locale, t  # noqa: E402
from ui.navigation import available  # noqa: E402

st.set_page_config(page_title="Attention, hands-on", page_icon="🎯", layout="wide")

state.begin_run()
state.bind(
    "app",
    state.Choice(
        "lang", language_from_locale(st.context.locale), options=tuple(LANGUAGES), always=True
    ),
    state.Flag("pres", False),
)
with st.sidebar:
    st.segmented_control(
        "Language · 语言",
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=LANG_KEY,
        required=True,
        help=t("app.language.help"),
    )
    st.toggle(t("app.presentation"), key=layout.PRESENTATION_KEY, help=t("app.presentation.help"))

pages = [
    st.Page(
        p.path,
        title=t(f"{p.ns}.title"),
        icon=p.icon,
        url_path=p.url_path or None,
        default=not p.url_path,
    )
    for p in available()
]
page = st.navigation(pages)
state.enter_page(page.url_path)
layout.apply_style()
sections.share_slot()  # the share link's place; each section's fragment redraws it
classroom.sidebar()  # start a class, or follow one (class=<code>); the join QR code
page.run()
sections.draw_share()
