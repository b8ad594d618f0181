"""Request-body limits on the real app server (config/bodylimits.py, core/ops/bodylimit.py): uvicorn
as the Procfile starts it (jijian.config.asgi), with a data directory and a temporary directory of its
own. Django's ASGI handler spools a whole body to a temporary file before any view runs, which the
test client never shows: here a body announced as 600 MB is refused before it is read, a chunked body
is cut at the limit, and what the server process wrote (/proc/<pid>/io `wchar`, which also counts a
temporary directory on tmpfs) stays a few MB. A normal upload still goes through.

The server runs on SQLite in its own data directory whatever the suite runs on, so the module runs in
the SQLite pass only (it tests the app server, not the database)."""

from __future__ import annotations

import contextlib
import http.client
import io
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.core import signing
from django.db import connection
from PIL import Image

from jijian.reception.services import UPLOAD_SALT

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
SECRET = "body-limit-test-" + "b" * 40
PUBLIC_MB, PUBLIC_FILES = 2, 2
PUBLIC_LIMIT = PUBLIC_FILES * PUBLIC_MB * MB + MB  # the files and the form's fields (public_body_limit)
REQUEST_MB = 8

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the app server runs on SQLite of its own; once, in the SQLite pass"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, process: subprocess.Popen, port: int, data: Path, log: Path):
        self.process, self.port, self.data, self.log = process, port, data, log

    def written(self) -> int:
        """Bytes the server process has written so far (files, temporary files, sockets)."""
        io_stats = Path(f"/proc/{self.process.pid}/io").read_text()
        return int(re.search(r"^wchar: (\d+)$", io_stats, re.M).group(1))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("bodylimit")
    data, tmp = root / "var", root / "tmp"
    data.mkdir()
    tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIJIAN_", "DJANGO_", "PYTEST"))}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env |= {
        "JIJIAN_ENV": "test",
        "JIJIAN_SECRET_KEY": SECRET,
        "JIJIAN_DATA_KEYS": "k1:" + "44" * 16,
        "JIJIAN_INDEX_KEY": "55" * 16,
        "JIJIAN_BEHIND_TLS": "false",
        "JIJIAN_ALLOWED_HOSTS": "127.0.0.1",
        "JIJIAN_DATA_DIR": str(data),
        "JIJIAN_PUBLIC_UPLOAD_MAX_MB": str(PUBLIC_MB),
        "JIJIAN_PUBLIC_UPLOAD_MAX_FILES": str(PUBLIC_FILES),
        "JIJIAN_REQUEST_MAX_MB": str(REQUEST_MB),
        "TMPDIR": str(tmp),
    }
    migrated = subprocess.run(
        [sys.executable, "-m", "jijian", "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    port = free_port()
    log = root / "web.log"
    args = [sys.executable, "-m", "uvicorn", "jijian.config.asgi:application"]
    args += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--lifespan", "off"]
    with open(log, "wb") as handle:
        process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                if get(port, "/readyz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise AssertionError(log.read_text(errors="replace")[-3000:])
        yield Server(process, port, data, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Connection": "close", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def stream(port: int, path: str, *, announce: int | None, send_mb: int, headers: dict | None = None):
    """POST `send_mb` MB to `path`, with `Content-Length: announce` (or chunked when None), sending
    from a thread while the answer is read: the server may answer (and close) before the body ends.
    Returns (status, content type, body)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: multipart/form-data; boundary=b",
    ]
    lines.append(f"Content-Length: {announce}" if announce is not None else "Transfer-Encoding: chunked")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    chunk = b"x" * MB

    def send_body():
        try:
            for _ in range(send_mb):
                sock.sendall(chunk if announce is not None else b"%x\r\n%s\r\n" % (len(chunk), chunk))
            if announce is None:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed: the rest is not wanted

    sender = threading.Thread(target=send_body, daemon=True)
    sender.start()
    try:
        response = http.client.HTTPResponse(sock)
        response.begin()
        answer = response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        with contextlib.suppress(OSError):  # already closed by the server
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
        sender.join(timeout=30)
    return answer


def test_a_body_announced_as_600_mb_is_refused_before_it_is_read(server):
    before = server.written()
    status, kind, body = stream(server.port, "/report/new/", announce=600 * MB, send_mb=40)
    assert status == 413
    assert kind.startswith("text/html")
    assert f"最多 {PUBLIC_FILES} 个文件，每个不超过 {PUBLIC_MB} MB，本次提交未被接收" in body.decode()
    assert server.written() - before < 2 * MB  # nothing spooled: only the answer went out


def test_a_chunked_body_is_cut_at_the_limit(server):
    before = server.written()
    status, kind, body = stream(server.port, "/report/follow/reply/", announce=None, send_mb=40)
    assert status == 413 and "上传内容过大" in body.decode()
    # Django spooled at most the limit before the middleware stopped handing it the body.
    assert server.written() - before < PUBLIC_LIMIT + 2 * MB


def test_other_urls_have_the_general_limit_in_the_api_error_format_for_the_api(server):
    status, kind, body = stream(server.port, "/api/me", announce=600 * MB, send_mb=20)
    assert status == 413 and kind.startswith("application/json")
    assert f"超过 {REQUEST_MB} MB 的上限" in body.decode() and '"code": "too_large"' in body.decode()
    before = server.written()
    status, kind, body = stream(server.port, "/accounts/login/", announce=None, send_mb=30)
    assert status == 413 and kind.startswith("text/html") and "请求内容过大" in body.decode()
    assert server.written() - before < REQUEST_MB * MB + 2 * MB


def test_the_reception_upload_needs_a_signed_token_before_its_body(server):
    path = "/reception/7/upload/"
    for headers in ({}, {"X-Upload-Token": "forged"}):
        status, kind, body = stream(server.port, path, announce=600 * MB, send_mb=20, headers=headers)
        assert (status, body.decode()) == (400, '{"error": "上传凭证无效"}')
    other = signing.TimestampSigner(key=SECRET, salt=UPLOAD_SALT).sign_object({"r": 8, "p": "petitioner"})
    status, kind, body = stream(server.port, path, announce=MB, send_mb=1, headers={"X-Upload-Token": other})
    assert status == 400  # signed, but for another reception
    token = signing.TimestampSigner(key=SECRET, salt=UPLOAD_SALT).sign_object({"r": 7, "p": "petitioner"})
    before = server.written()
    status, kind, body = stream(
        server.port, path, announce=600 * MB, send_mb=20, headers={"X-Upload-Token": token}
    )
    assert status == 413 and kind.startswith("application/json")
    assert f"文件不能超过 {PUBLIC_MB} MB" in body.decode()
    assert server.written() - before < 2 * MB


def png(size: int) -> bytes:
    """A PNG of about `size` bytes (noise does not compress)."""
    side = int((size / 3) ** 0.5)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def test_a_normal_upload_still_goes_through(server):
    status, headers, page = get(server.port, "/report/new/")
    assert status == 200
    cookies = {}
    for value in headers.get_all("Set-Cookie") or []:
        cookies |= {name: morsel.value for name, morsel in SimpleCookie(value).items()}
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    boundary = uuid.uuid4().hex
    picture = png(MB)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="facts"\r\n\r\n'.encode()
        + "村里的账目一直没有公开，请核查。".encode()
        + b"\r\n",
        f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="photo.png"\r\n'.encode()
        + b"Content-Type: image/png\r\n\r\n"
        + picture
        + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.request(
            "POST",
            "/report/new/",
            body=b"".join(parts),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                "Connection": "close",
            },
        )
        response = conn.getresponse()
        status, page = response.status, response.read().decode()
    finally:
        conn.close()
    # The form comes back (no proof of work was sent) with the file held: it arrived whole.
    assert status == 400, page[-2000:]
    assert "photo.png" in page
    held = list((server.data / "files").rglob("*.sm4"))
    assert len(held) == 1 and held[0].stat().st_size > len(picture)
