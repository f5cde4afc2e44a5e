"""AppTest helpers: open a page of the app the way a browser would, URL parameters included."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

import pytest
from streamlit.runtime.state import SafeSessionState, SessionState
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.app_test import TESTING_KEY, _AppTestSessionState
from streamlit.testing.v1.element_tree import ElementTree

from tests.helpers import link

ROOT: Final = Path(__file__).resolve().parents[2]
APP: Final = str(ROOT / "app.py")
TIMEOUT: Final = 60


def open_page(
    page: str | None = None, query: Mapping[str, str] | None = None, lang: str = "en"
) -> AppTest:
    """Run the app on ``page`` (e.g. ``"app_pages/qkv/page.py"``) with these URL parameters.

    Another page than the default one opens as a browser opens its link: a first run lets
    ``st.navigation`` register the pages, then the page runs in a new session with the URL
    parameters (nothing of the first run is carried over: its widgets, its notices).
    """
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if page is not None:
        at.query_params["lang"] = "en"
        at.run()
        at.switch_page(page)
        new_session(at)
    at.query_params = {"lang": lang, **(query or {})}
    at.run()
    return at


def new_session(at: AppTest) -> AppTest:
    """Forget the session of ``at`` (state and widgets) but keep its page: the next ``run()``
    is the first run of a new browser session on that page's URL."""
    fresh = SessionState()
    fresh[TESTING_KEY] = {}
    at._session_state = SafeSessionState(fresh, lambda: None)
    at.session_state = _AppTestSessionState(at._session_state)
    tree = ElementTree()
    tree._runner = at
    at._tree = tree
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
            "waist_weight.",
            "softmax.",
            "alignment.",
            "self_attention.",
            "cnn_vs_attention.",
            "complexity.",
        ):
            assert not str(text).startswith(ns), f"raw catalog key shown: {text!r}"


def assert_refused(at: AppTest, param: str) -> None:
    """A hostile value of the link parameter ``param``: the page runs, a notice names
    ``param``, and no script tag reaches the share link."""
    assert_ok(at)
    assert any(f"`{param}`" in w.value for w in at.warning), [w.value for w in at.warning]
    assert "<script>" not in link(at)


@pytest.fixture
def page_opener() -> Callable[..., AppTest]:
    return open_page
