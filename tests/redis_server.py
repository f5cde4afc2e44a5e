"""A real ``redis-server`` (Debian's package) on a free loopback port, for the class store's
tests and the follow benchmark: started with no persistence and stopped after. Never a mock.

Skipped where redis-server is missing, and a failure where ``REQUIRE_BROWSER=1`` (CI), as the
nginx replica test does; ``make test`` installs it (``.ci/ensure-redis``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers import stop


def find_redis() -> str | None:
    debian = Path("/usr/bin/redis-server")
    return shutil.which("redis-server") or (str(debian) if debian.exists() else None)


def require_redis() -> str:
    import pytest

    found = find_redis()
    if not found:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("redis-server is missing and the class store tests are required")
        pytest.skip("redis-server is missing (install the Debian package 'redis-server')")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis_server(binary: str | None = None) -> Iterator[str]:
    """A fresh redis-server; yields its URL (``redis://127.0.0.1:<port>/0``)."""
    binary = binary or find_redis()
    if binary is None:
        raise RuntimeError("redis-server is missing (apt-get install redis-server)")
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="redis-test-")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", workdir, "--daemonize", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while not _ping(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {proc.stderr.read().decode()}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(proc, timeout=5)
        shutil.rmtree(workdir, ignore_errors=True)
