"""Replicas of the app behind nginx, run from deploy/nginx.conf on loopback ports.

Used by the replica test (tests/e2e/test_replicas_e2e.py) and by the classroom benchmark
(bench/sessions.py --replicas). nginx is Debian's package; it is started with a config written
to a temp dir (``nginx -p <prefix> -c <conf>``, daemon off, pid and logs in that dir), never as
a system service.
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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from tests.e2e.conftest import ROOT, free_port, start_server

NGINX_CONF: Final = ROOT / "deploy" / "nginx.conf"
COOKIE_SECRET: Final = "replica-test-secret-0123456789abcdef"  # the same on every replica
_DIRECT: Final = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only


def find_nginx() -> str | None:
    """The nginx binary, or None when the package is not installed."""
    debian = Path("/usr/sbin/nginx")
    return shutil.which("nginx") or (str(debian) if debian.exists() else None)


def loopback_config(listen: int, upstreams: list[int], prefix: Path) -> str:
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


@dataclass
class Deployment:
    url: str
    replicas: dict[int, subprocess.Popen[bytes]]  # port → process
    nginx: subprocess.Popen[bytes]
    prefix: Path


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def get(url: str, timeout: float = 3.0) -> tuple[int, str]:
    """Status and body of a GET (status 0 when nothing answers)."""
    try:
        with _DIRECT.open(url, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, ""
    except OSError:
        return 0, ""


@contextmanager
def deployment(
    nginx: str, replicas: int = 2, extra: list[str] | None = None
) -> Iterator[Deployment]:
    """``replicas`` app servers and nginx in front of them, all stopped on exit."""
    ports = [free_port() for _ in range(replicas)]
    # as in production: the secret from the environment (Streamlit refuses it as a flag)
    saved = os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET")
    os.environ["STREAMLIT_SERVER_COOKIE_SECRET"] = COOKIE_SECRET
    started: dict[int, subprocess.Popen[bytes]] = {}
    try:
        with ThreadPoolExecutor(replicas) as pool:  # start them all at once
            futures = [pool.submit(start_server, p, extra) for p in ports]
            for p, f in zip(ports, futures, strict=True):
                started[p] = f.result()
    except Exception:
        for proc in started.values():
            stop(proc)
        raise
    finally:
        if saved is None:
            os.environ.pop("STREAMLIT_SERVER_COOKIE_SECRET", None)
        else:
            os.environ["STREAMLIT_SERVER_COOKIE_SECRET"] = saved
    prefix = Path(tempfile.mkdtemp(prefix="nginx-replicas-"))
    prefix.chmod(0o755)  # nginx workers (user nobody when started as root) write temp files here
    listen = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(loopback_config(listen, ports, prefix), encoding="utf-8")
    proc = subprocess.Popen(
        [nginx, "-e", str(prefix / "error.log"), "-p", str(prefix), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{listen}"
    try:
        deadline = time.monotonic() + 15
        while get(url + "/_stcore/health")[1].strip() != "ok":
            if proc.poll() is not None or time.monotonic() > deadline:
                log = (prefix / "error.log").read_text() if (prefix / "error.log").exists() else ""
                raise RuntimeError(f"nginx did not start: {proc.stderr.read().decode()} {log}")
            time.sleep(0.1)
        yield Deployment(url, started, proc, prefix)
    finally:
        stop(proc)
        for r in started.values():
            stop(r)
        shutil.rmtree(prefix, ignore_errors=True)
