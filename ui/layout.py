"""Layout helpers every page uses: header, folded explanations, figures, downloads, notices.

Presentation mode (for a projector) is one switch in the sidebar: larger type, explanations
folded into expanders, controls in a compact panel, figures taller with bigger fonts.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from ui import figures, state
from ui.i18n import current_language, t
from ui.navigation import PAGES

if TYPE_CHECKING:  # pandas loads on the first table: the first page opens ~0.5 s sooner
    import pandas as pd

PRESENTATION_KEY: Final = "app.pres"
FIGURE_CONFIG: Final = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}
EXPORT_WIDTH: Final = 1280  # the camera button saves a figure as wide as a projector shows it
PRESENTATION_GROWTH: Final = figures.PRES_HEIGHT  # figures are this much taller when presenting

# Presentation mode on a projector (1280 × 720, read from the back of a room). One root size,
# 25 px, scales everything Streamlit sizes in rem (widgets, table and grid cells, metrics,
# spacing);
# body text, widget labels, tables and grids then share one size, 0.875 rem = 22 px, metric
# values are 2.5 times that, headings are trimmed to leave room on a 720-px screen, page names
# in the sidebar, button, metric and checkbox labels wrap instead of being cut off.
_PRESENTATION_CSS: Final = """
<style>
html { font-size: 25px; }
[data-testid="stHeader"] { height: 2.25rem; min-height: 0; }
[data-testid="stMainBlockContainer"] { padding: 2.5rem 1.5rem 3rem; }
[data-testid="stMain"] [data-testid="stMarkdown"] p,
[data-testid="stMain"] [data-testid="stMarkdown"] li,
[data-testid="stTable"] th, [data-testid="stTable"] td,
[data-testid="stTable"] [data-testid="stMarkdownContainer"] p { font-size: 0.875rem; }
h1 { font-size: 1.9rem !important; }
h2 { font-size: 1.45rem !important; }
h3 { font-size: 1.15rem !important; }
.katex { font-size: 1.3em !important; }
[data-testid="stSidebarHeader"] { height: 2.25rem; margin-bottom: 0.25rem; }
[data-testid="stSidebarNavLink"] { height: auto; min-height: 2rem; }
[data-testid="stSidebarNavLink"] [data-testid="stMarkdownContainer"],
[data-testid="stSidebarNavLink"] p,
.stMarkdownEllipsis, .stMarkdownEllipsis p,
button [data-testid="stMarkdownContainer"], button p {
  white-space: normal; overflow: visible; text-overflow: clip; line-height: 1.25;
  overflow-wrap: break-word;
}
</style>
"""


# A phone (390 px wide, a QR code's students): smaller headings, tighter padding, and nothing
# wider than the screen (a wide table or formula scrolls inside itself, not the page).
_BASE_CSS: Final = """
<style>
.katex-display { overflow-x: auto; overflow-y: hidden; padding: 2px 0 6px; }
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding: 3.5rem 0.75rem 3rem; }
  [data-testid="stMain"] h1 { font-size: 1.6rem; }
  [data-testid="stMain"] h2 { font-size: 1.3rem; }
  [data-testid="stMain"] h3 { font-size: 1.12rem; }
  [data-testid="stMain"] img, [data-testid="stMain"] svg, [data-testid="stMain"] table,
  [data-testid="stMain"] [data-testid="stElementContainer"] { max-width: 100%; }
  [data-testid="stMain"] [data-testid="stMarkdownContainer"] { overflow-wrap: anywhere; }
  [data-testid="stMain"] [data-testid="stTable"] { overflow-x: auto; }
}
</style>
"""


# Presentation mode on a phone (a student following a teacher who presents): the phone keeps
# its own sizes; projector type would leave a few words per line on a 390-px screen.
_PHONE_PRESENTATION_CSS: Final = """
<style>
@media (max-width: 640px) {
  html { font-size: 16px; }
  [data-testid="stMainBlockContainer"] { padding: 3.5rem 0.75rem 3rem; }
}
</style>
"""


def on_phone() -> bool:
    """Whether this session's browser is a phone (its user agent says "Mobi", as phones'
    browsers do): figures then stack their panels in one column to fit the width."""
    key = "_layout.phone"
    if key not in st.session_state:
        try:
            agent = st.context.headers.get("User-Agent") or ""
        except Exception:  # no request (a test run without a browser)
            agent = ""
        st.session_state[key] = "Mobi" in agent
    return bool(st.session_state[key])


def presenting() -> bool:
    """Whether presentation mode is on for this session."""
    return bool(st.session_state.get(PRESENTATION_KEY, False))


def apply_style() -> None:
    """Inject the app's CSS, and the presentation CSS when on (fixed strings only)."""
    st.html(_BASE_CSS + (_PRESENTATION_CSS + _PHONE_PRESENTATION_CSS if presenting() else ""))


def header(ns: str) -> None:
    """Title, the URL notices of this visit, and the page's short introduction."""
    st.title(t(f"{ns}.title"))
    for text in state.notices():
        st.warning(text, icon="⚠️")
    explain(t(f"{ns}.intro"))


def explain(markdown: str, *, title: str | None = None) -> None:
    """Explanatory text: shown in full, or folded into an expander in presentation mode."""
    if presenting():
        with st.expander(title or t("app.explanation")):
            st.markdown(markdown)
    elif title:
        st.markdown(f"**{title}**\n\n{markdown}")
    else:
        st.markdown(markdown)


def controls(label: str | None = None):
    """A container for a group of controls: an open expander in presentation mode."""
    if presenting():
        return st.expander(label or t("app.controls"), expanded=True)
    return st.container()


def style_figure(fig: go.Figure, height: int | None = None, *, min_top: int = 0) -> go.Figure:
    """Apply the app's sizes (larger in presentation mode) to a figure built in ``ui/``.

    Works on the figure's plain dicts and returns a new, unvalidated figure: the same
    ``update_layout`` on a validated figure cost 2–25 ms per figure, half of some pages' reruns
    (every figure the app sends is validated by the tests instead).
    """
    big = presenting() and not on_phone()  # a phone keeps its sizes when presenting
    data, spec = figures.figure_parts(fig)
    base = height or spec.get("height") or 360
    if on_phone():  # side-by-side panels would be a few px wide: one column instead
        data, spec, n = figures.stack_panels(data, spec)
        if n > 1:
            base = max(base, n * figures.PHONE_PANEL_PX)
        spec = figures.phone_titles(spec, figures.FONT)
        spec = figures.phone_layout(data, spec, figures.FONT)
        spec["dragmode"] = False  # a finger dragging over a figure scrolls the page, not zooms
    # three panels or more in a row share the width: a little smaller type on a projector
    crowded = big and figures.panels_in_a_row(spec) >= 3
    size = (figures.PRES_CROWDED_FONT if crowded else figures.PRES_FONT) if big else figures.FONT
    notes = []  # subplot titles and labels: explicit sizes grow in presentation mode
    for note in spec.get("annotations") or ():
        font = note.get("font") or {}
        grown = font.get("size") or (size if big else 14)
        if big and font.get("size"):
            grown = max(grown * 1.15, size) if crowded else grown * 1.4
        notes.append({**note, "font": {**font, "size": grown}})
    layout = {
        **spec,
        "height": int(base * figures.PRES_HEIGHT) if big else base,
        "font": {**(spec.get("font") or {}), "size": size},
    }
    if notes:
        layout["annotations"] = notes
    if big:  # no text under figures.PRES_MIN_FONT px on a projector
        data, layout = figures.floor_fonts(data, layout)
    margin = figures.start_margins(data, {**layout, "height": base}, size)
    if on_phone():  # labels that fit the width; the title and the panel titles both above
        layout = figures.phone_notes(layout, margin, size)
        layout, margin = figures.phone_margins(layout, margin, size)
        layout = figures.phone_ticks(data, layout, margin, size)
        data = figures.phone_cell_numbers(data, layout, margin)
        again = figures.start_margins(data, {**layout, "height": base}, size)
        margin = {**again, "t": max(again["t"], margin["t"])}
    margin["t"] = max(margin["t"], min_top)
    layout["margin"] = margin
    return figures.figure(data, layout)


def export_name(key: str, *view: object) -> str:
    """A file name (no extension) for what ``key`` shows: ``page-figure-view``.

    The page is the URL name of the page whose namespace starts ``key`` (``"qkv.fig.results"``
    → ``qkv-results``; the default page, which has no URL name, is ``overview``); ``view`` adds
    what the export depends on (a head, a mode). Only ASCII letters, digits and ``-`` remain.
    """
    ns, _, rest = key.partition(".")
    page = next((p.url_path or p.ns for p in PAGES if p.ns == ns), ns)
    rest = re.sub(r"^fig[._]", "", rest)
    parts = [page, rest, *(str(v) for v in view)]
    slug = "-".join(re.sub(r"[^A-Za-z0-9]+", "-", p).strip("-") for p in parts)
    return re.sub(r"-+", "-", slug).strip("-")


def figure_config(fig: go.Figure, key: str, name: str | None = None) -> dict:
    """The toolbar's settings for one figure: its PNG gets a name that says what it shows
    (``page-figure[-view]``, ``-zh`` for the Chinese labels) and the presentation-mode size."""
    _, spec = figures.figure_parts(fig)
    height = spec.get("height") or 450
    if not presenting():
        height *= PRESENTATION_GROWTH
    stem = export_name(key if name is None else f"{key.partition('.')[0]}.{name}")
    lang = current_language()
    return {
        **FIGURE_CONFIG,
        "toImageButtonOptions": {
            "filename": stem if lang == "en" else f"{stem}-{lang}",
            "format": "png",
            "width": EXPORT_WIDTH,
            "height": round(height),
            "scale": 2,
        },
    }


def show_figure(
    fig: go.Figure,
    key: str,
    height: int | None = None,
    *,
    name: str | None = None,
    min_top: int = 0,
) -> None:
    """Draw a figure with the PNG download button in its toolbar: the one place figures are shown.

    ``key`` starts with the page's namespace (``"qkv.fig.results"``); the PNG's file name comes
    from it unless ``name`` (the figure and view part, e.g. ``"head-2-weights"``) is given.
    """
    fig = style_figure(fig, height, min_top=min_top)
    st.plotly_chart(fig, key=key, theme=None, config=figure_config(fig, key, name), width="stretch")


def matrix_frame(
    m: np.ndarray, row_labels: Sequence[str] | None = None, col_labels: Sequence[str] | None = None
) -> pd.DataFrame:
    """A labelled DataFrame view of a matrix."""
    import pandas as pd

    m = np.atleast_2d(np.asarray(m, dtype=np.float64))
    rows = list(row_labels) if row_labels is not None else [str(i) for i in range(m.shape[0])]
    cols = list(col_labels) if col_labels is not None else [str(j) for j in range(m.shape[1])]
    return pd.DataFrame(m, index=rows, columns=cols)


def table_frame(
    columns: Mapping[str, object],
    index: Sequence[str] | None = None,
    index_name: str | None = None,
) -> pd.DataFrame:
    """A DataFrame of named columns (arrays or scalars), optionally with row labels."""
    import pandas as pd

    frame = pd.DataFrame(dict(columns), index=None if index is None else list(index))
    if index_name is not None:
        frame.index.name = index_name
    return frame


def csv_bytes(frame: pd.DataFrame, index: bool = True) -> bytes:
    """CSV text of a frame (UTF-8 with BOM so spreadsheet programs read 中文 headers)."""
    buf = io.StringIO()
    frame.to_csv(buf, index=index, float_format="%.10g")
    return buf.getvalue().encode("utf-8-sig")


def download_csv(
    label: str,
    frame: pd.DataFrame | Callable[[], pd.DataFrame],
    file_name: str,
    key: str,
    *,
    index: bool = True,
) -> None:
    """A download button for a table as CSV, built only when clicked (no rerun on click).

    ``frame`` (or a function that makes it, so that not even the table is built before the
    click) holds arrays the page already computed; the CSV text is made on the click.
    """
    st.download_button(
        label,
        lambda: csv_bytes(frame() if callable(frame) else frame, index=index),
        file_name=file_name,
        mime="text/csv",
        key=key,
        icon="⬇️",
        on_click="ignore",
    )
