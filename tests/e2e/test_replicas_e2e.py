"""Two replicas behind nginx (deploy/nginx.conf, run as it is on loopback ports).

A browser opens the overview through the proxy and changes a control; the replica that holds
its session is stopped; the shared link, reloaded, shows the same state from the other
replica. Also: the proxy does not expose /_stcore/metrics, however the path is spelled.

nginx is Debian's package (``apt-get install nginx``, done by ``make test`` / ``.ci/ensure-nginx``
when root). It is started by the test with a config generated in a temp dir (``nginx -p
<prefix> -c <conf>``, daemon off, pid and logs in that dir), never as a system service. The
test is skipped when nginx is missing, and fails then where ``REQUIRE_BROWSER=1`` (CI).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import proxy
from tests.e2e.conftest import open_app, press_slider, share_link
from tests.e2e.proxy import Deployment, get, stop
from ui.i18n import catalog


def nginx_binary() -> str:
    found = proxy.find_nginx()
    if not found:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("nginx is missing and the replica test is required (apt-get install nginx)")
        pytest.skip("nginx is missing (install the Debian package 'nginx')")
    return found


@pytest.fixture
def deployment() -> Iterator[Deployment]:
    with proxy.deployment(nginx_binary(), replicas=2) as running:
        yield running


def active_sessions(port: int) -> int:
    """Sessions a replica holds, from its own /_stcore/metrics (reached directly, not proxied)."""
    status, text = get(f"http://127.0.0.1:{port}/_stcore/metrics")
    assert status == 200
    m = re.search(r"^active_sessions (\d+)", text, flags=re.M)
    return int(m.group(1)) if m else 0


def slider_value(page: Page, label: str) -> float:
    slider = page.locator('[data-testid="stSlider"]').filter(has_text=label).first
    thumb = slider.locator('input[type="range"], [role="slider"]').first
    value = thumb.get_attribute("aria-valuenow") or thumb.input_value()
    return float(value)


def test_proxy_hides_metrics_and_passes_health(deployment: Deployment):
    for path in (
        "/_stcore/metrics",
        "/_stcore/metrics/",
        "//_stcore/metrics",
        "/_stcore/%6detrics",
        "/_stcore/./metrics",
        "/x/../_stcore/metrics",
        "/_stcore/agent/openapi.json",
    ):
        status, body = get(deployment.url + path)
        assert status == 404, (path, status)
        assert "active_sessions" not in body
    assert get(deployment.url + "/_stcore/health") == (200, "ok")


def test_a_shared_link_survives_the_loss_of_its_replica(deployment: Deployment, page: Page):
    sweet = catalog("en")["overview.sweet"]
    open_app(page, deployment.url + "/?lang=en")
    # sticky: the cookie that pins this browser to a replica
    assert any(c["name"] == "st_replica" for c in page.context.cookies())
    press_slider(page, sweet, "End")
    link = share_link(page)
    assert link.startswith(deployment.url + "/") and "sweet=2" in link
    assert slider_value(page, sweet) == 2.0

    counts = {p: active_sessions(p) for p in deployment.replicas}
    assert sorted(counts.values()) == [0, 1], counts  # one session, on one replica
    serving = max(counts, key=counts.__getitem__)
    other = next(p for p in deployment.replicas if p != serving)
    stop(deployment.replicas[serving])

    open_app(page, link)
    assert slider_value(page, sweet) == 2.0
    expect(page.locator("h1")).to_contain_text(catalog("en")["overview.title"])
    assert share_link(page) == link
    assert active_sessions(other) >= 1
