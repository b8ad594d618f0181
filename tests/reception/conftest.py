"""A real Janus for the reception tests: started from the configuration jijian writes
(media.janus_config_write) on a free loopback port, stopped by its pid. Skipped, with the reason,
only where Janus is not installed (`make sysdeps-test` installs it as root)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest

JANUS = shutil.which("janus")
ADMIN_KEY = "test-admin-key"
# The RTP ports of the two test Janus hosts: 400 from here. CI runs the SQLite and the PostgreSQL suites
# side by side and gives the second another range (.ci/run), so their Janus hosts never share a port.
RTP_BASE = int(os.environ.get("JIJIAN_TEST_RTP_BASE", "21000"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_janus(root, rtp_ports: str):
    """Start a Janus from jijian's configuration on a free loopback port: (process, url, log)."""
    from jijian.reception.media import janus_config_write

    port = _free_port()
    janus_config_write(root / "conf", http_port=port, admin_key=ADMIN_KEY, rtp_ports=rtp_ports)
    log = (root / "janus.log").open("w")
    proc = subprocess.Popen([JANUS, "-F", str(root / "conf"), "-o"], stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    url = f"http://127.0.0.1:{port}/janus"
    deadline = time.monotonic() + 20
    while True:
        try:
            body = json.dumps({"janus": "info", "transaction": "t"}).encode()
            urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST"), timeout=1)  # noqa: S310
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"Janus did not start: {(root / 'janus.log').read_text()[-2000:]}")
            time.sleep(0.2)
    return proc, url, log


def stop_janus(proc, log) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def janus_process(tmp_path_factory):
    if JANUS is None:
        pytest.skip("janus is not installed (Debian packages janus, janus-tools: make sysdeps-test as root)")
    proc, url, log = start_janus(tmp_path_factory.mktemp("janus"), f"{RTP_BASE}-{RTP_BASE + 199}")
    yield url
    stop_janus(proc, log)


@pytest.fixture(scope="session")
def janus_process_b(tmp_path_factory):
    """A second Janus host (the same binary, another process and port): placement over two hosts."""
    if JANUS is None:
        pytest.skip("janus is not installed (Debian packages janus, janus-tools: make sysdeps-test as root)")
    proc, url, log = start_janus(tmp_path_factory.mktemp("janus-b"), f"{RTP_BASE + 200}-{RTP_BASE + 399}")
    yield url
    stop_janus(proc, log)


@pytest.fixture
def janus(janus_process, settings, tmp_path):
    settings.RECEPTION_JANUS_URL = janus_process
    settings.RECEPTION_JANUS_PUBLIC_URL = janus_process
    settings.RECEPTION_JANUS_ADMIN_KEY = ADMIN_KEY
    settings.RECEPTION_RECORDINGS_DIR = tmp_path / "reception"
    return janus_process
