"""Join by QR code: the link of a view (or of a class) as a QR code big enough for a room.

The app's public address comes from the browser's request (``st.context.url``, the address the
teacher's browser used). Behind a proxy, or when the teacher opens the app on ``localhost``
while students need the school's name for it, set ``PUBLIC_URL`` (e.g.
``https://attention.school.example`` or ``https://school.example/attention``): links and QR
codes then start with it, followed by the page's URL path and the view's parameters.

QR codes are drawn by ``segno`` (pure Python) as SVG: sharp at any size on a projector.
"""

from __future__ import annotations

import os
from typing import Final
from urllib.parse import urlencode, urlsplit

import segno
import streamlit as st

from ui import state

PUBLIC_URL_ENV: Final = "PUBLIC_URL"
QR_PX: Final = 360  # drawn size: the code itself ≥ 310 px at 1280 × 720, read across a room


def public_base() -> str | None:
    """``PUBLIC_URL`` when it is set and well formed (``http(s)://host[/prefix]``), else None."""
    raw = os.environ.get(PUBLIC_URL_ENV, "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return None
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def page_link(params: dict[str, str], page_path: str | None = None) -> str:
    """The full link to a view: ``params`` on the page ``page_path`` (a URL path, ``""`` for
    the default page; the current page when None). The same as the sidebar's share link."""
    base = public_base()
    if base is None:
        return state.share_url(params)
    path = st.session_state.get(state._PAGE, "") if page_path is None else page_path
    query = urlencode(params, safe=",;")
    return f"{base}/{path}?{query}" if query else f"{base}/{path}"


def root_link(params: dict[str, str]) -> str:
    """A link to the app's default page with ``params`` (a class's student link)."""
    base = public_base()
    query = urlencode(params, safe=",;")
    if base is not None:
        return f"{base}/?{query}"
    url = st.context.url
    if not url:
        return "?" + query
    parts = urlsplit(url)
    page = st.session_state.get(state._PAGE, "")
    path = parts.path or "/"
    if page and path.rstrip("/").endswith("/" + page):  # the app's root: the page's name cut off
        path = path.rstrip("/")[: -len(page)]
    return f"{parts.scheme}://{parts.netloc}{path if path.endswith('/') else path + '/'}?{query}"


def svg(text: str, size_px: int = QR_PX) -> str:
    """The QR code of ``text`` as an SVG about ``size_px`` wide, with a 2-module white margin
    (shown on a white dialog, whose own margin completes the quiet zone)."""
    code = segno.make(text, error="m", micro=False)
    modules = code.symbol_size(scale=1, border=2)[0]
    scale = max(1, size_px // modules)
    return code.svg_inline(scale=scale, border=2, dark="#000000", light="#ffffff")


def show(link: str) -> None:
    """The QR code of ``link``, large (the code ≥ 300 px), with the link in text under it."""
    st.image(svg(link), width=QR_PX)
    st.code(link, language=None, wrap_lines=True)
