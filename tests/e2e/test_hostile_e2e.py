"""A hostile link in a real browser: what it carries is shown as text, never as markup.

The link puts an ``<img onerror>``, a ``<script>``, a ``javascript:`` Markdown link, a
Markdown image and bare addresses (which Markdown would make links) into parameters of the
first and the last page. They must show as text in the notices, and the DOM must hold no
element they made: no such image, script or link, no dialog, no request to the image.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_app
from tests.hostile import AUTOLINKS, INJECTIONS, MARKER
from ui.i18n import catalog
from ui.navigation import available

PAGES = available()
# parameter names every page has (the shell's) and some that pages may have
NAMES = ("lang", "pres", "v", "tau", "mode", "n", "seed", "Q", "title", "row")


VALUES = (*INJECTIONS, *AUTOLINKS)


def hostile_query() -> str:
    return urlencode({n: VALUES[i % len(VALUES)] for i, n in enumerate(NAMES)})


@pytest.mark.parametrize("info", [PAGES[0], PAGES[-1]], ids=[PAGES[0].ns, PAGES[-1].ns])
def test_injected_markup_stays_text(page: Page, app_url: str, info):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    requested: list[str] = []
    page.on(
        "request",
        lambda r: requested.append(r.url) if MARKER in urlsplit(r.url).path else None,
    )

    open_app(page, f"{app_url}/{info.url_path}?{hostile_query()}")
    expect(page.locator("h1")).to_contain_text(catalog("en")[f"{info.ns}.title"])
    notices = page.locator('[data-testid="stAlertContentWarning"]')
    expect(notices.first).to_be_visible()
    # the language notice shows the value as the characters it was
    expect(notices.filter(has_text=f"<img src={MARKER} onerror=alert(1)>").first).to_be_visible()

    found = page.evaluate(
        """(marker) => ({
            img: [...document.querySelectorAll('img')].filter(e => e.src.includes(marker)).length,
            script: [...document.querySelectorAll('script')]
                .filter(e => e.textContent.includes(marker)).length,
            link: [...document.querySelectorAll('a')]
                .filter(e => e.href.startsWith('javascript:') || e.href.includes(marker)).length,
            onerror: document.querySelectorAll('[onerror]').length,
        })""",
        MARKER,
    )
    assert found == {"img": 0, "script": 0, "link": 0, "onerror": 0}
    assert dialogs == []
    assert requested == []
