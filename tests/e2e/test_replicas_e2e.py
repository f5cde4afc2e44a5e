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
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, free_port, open_app, press_slider, start_server
from ui.i18n import catalog

NGINX_CONF: Final = ROOT / "deploy" / "nginx.conf"
COOKIE_SECRET: Final = "replica-test-secret-0123456789abcdef"  # the same on both replicas


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("nginx is missing and the replica test is required (apt-get install nginx)")
        pytest.skip("nginx is missing (install the Debian package 'nginx')")
    return found


def test_config(listen: int, upstreams: list[int], prefix: Path) -> str:
    """deploy/nginx.conf with loopback addresses and every file inside ``prefix``."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    servers = re.findall(r"^\s*server \S+:\d+ ([^;]*);$", text, flags=re.M)
    assert len(servers) >= 2, "deploy/nginx.conf lists its replicas as `server host:port …;`"
    options = servers[0]
    lines = "\n".join(f"        server 127.0.0.1:{p} {options};" for p in upstreams)
    text = re.sub(r"^\s*server \S+:\d+ [^;]*;$\n?", "", text, flags=re.M)
    text = text.replace("upstream streamlit {", "upstream streamlit {\n" + lines, 1)
    assert re.search(r"^\s*listen 80;$", text, flags=re.M)
    text = re.sub(r"^(\s*)listen 80;$", rf"\1listen 127.0.0.1:{listen};", text, flags=re.M)
    text = re.sub(r"^pid .*;$", f"pid {prefix}/nginx.pid;", text, flags=re.M)
    text = re.sub(r"^error_log \S+", f"error_log {prefix}/error.log", text, flags=re.M)
    text = re.sub(r"access_log \S+;", f"access_log {prefix}/access.log;", text)
    temp = "\n".join(
        f"    {kind}_temp_path {prefix}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    text = text.replace("http {", "http {\n" + temp, 1)
    return "daemon off;\n" + text


test_config.__test__ = False  # a helper, not a test


@dataclass
class Deployment:
    url: str
    replicas: dict[int, subprocess.Popen[bytes]]
    nginx: subprocess.Popen[bytes]
    prefix: Path


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


_DIRECT: Final = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only


def _get(url: str, timeout: float = 3.0) -> tuple[int, str]:
    """Status and body of a GET (status 0 when nothing answers)."""
    try:
        with _DIRECT.open(url, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, ""
    except OSError:
        return 0, ""


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    nginx = nginx_binary()
    ports = [free_port(), free_port()]
    # as in production: the secret from the environment (Streamlit refuses it as a flag)
    monkeypatch.setenv("STREAMLIT_SERVER_COOKIE_SECRET", COOKIE_SECRET)
    with ThreadPoolExecutor(2) as pool:  # start both replicas at once
        futures = [pool.submit(start_server, p) for p in ports]
        replicas = {}
        try:
            for p, f in zip(ports, futures, strict=True):
                replicas[p] = f.result()
        except Exception:
            for proc in replicas.values():
                _stop(proc)
            raise
    prefix = Path(tempfile.mkdtemp(prefix="nginx-replicas-"))
    prefix.chmod(0o755)  # nginx workers (user nobody when started as root) write temp files here
    listen = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(test_config(listen, ports, prefix), encoding="utf-8")
    proc = subprocess.Popen(
        [nginx, "-e", str(prefix / "error.log"), "-p", str(prefix), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{listen}"
    try:
        deadline = time.monotonic() + 15
        while _get(url + "/_stcore/health")[1].strip() != "ok":
            if proc.poll() is not None or time.monotonic() > deadline:
                log = (prefix / "error.log").read_text() if (prefix / "error.log").exists() else ""
                raise RuntimeError(f"nginx did not start: {proc.stderr.read().decode()} {log}")
            time.sleep(0.1)
        yield Deployment(url, replicas, proc, prefix)
    finally:
        _stop(proc)
        for r in replicas.values():
            _stop(r)
        shutil.rmtree(prefix, ignore_errors=True)


def active_sessions(port: int) -> int:
    """Sessions a replica holds, from its own /_stcore/metrics (reached directly, not proxied)."""
    status, text = _get(f"http://127.0.0.1:{port}/_stcore/metrics")
    assert status == 200
    m = re.search(r"^active_sessions (\d+)", text, flags=re.M)
    return int(m.group(1)) if m else 0


def share_link(page: Page) -> str:
    return page.locator('[data-testid="stSidebar"] [data-testid="stCode"]').inner_text().strip()


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
        status, body = _get(deployment.url + path)
        assert status == 404, (path, status)
        assert "active_sessions" not in body
    assert _get(deployment.url + "/_stcore/health") == (200, "ok")


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
    _stop(deployment.replicas[serving])

    open_app(page, link)
    assert slider_value(page, sweet) == 2.0
    expect(page.locator("h1")).to_contain_text(catalog("en")["overview.title"])
    assert share_link(page) == link
    assert active_sessions(other) >= 1
