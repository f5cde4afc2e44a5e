"""AppTest helpers: open a page of the app the way a browser would, URL parameters included."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

import pytest
from streamlit.testing.v1 import AppTest

ROOT: Final = Path(__file__).resolve().parents[2]
APP: Final = str(ROOT / "app.py")
TIMEOUT: Final = 60


def open_page(
    page: str | None = None, query: Mapping[str, str] | None = None, lang: str = "en"
) -> AppTest:
    """Run the app on ``page`` (e.g. ``"app_pages/qkv.py"``) with these URL parameters."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page is not None:
        at.switch_page(page)
        for k, v in (query or {}).items():
            at.query_params[k] = v
        at.run()
    return at


def assert_ok(at: AppTest) -> None:
    """No exception on the page and no raw catalog key shown anywhere."""
    assert not at.exception, [e.value for e in at.exception]
    texts = (
        [m.value for m in at.markdown]
        + [h.value for h in at.title]
        + [h.value for h in at.header]
        + [h.value for h in at.subheader]
        + [c.value for c in at.caption]
    )
    for text in texts:
        for ns in (
            "app.",
            "overview.",
            "qkv.",
            "kernel.",
            "softmax.",
            "alignment.",
            "selfattn.",
            "vision.",
            "complexity.",
        ):
            assert not str(text).startswith(ns), f"raw catalog key shown: {text!r}"


@pytest.fixture
def page_opener() -> Callable[..., AppTest]:
    return open_page
