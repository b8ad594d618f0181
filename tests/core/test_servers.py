"""Several app servers (docs/deploy.md, "Several app servers"): two uvicorn processes on different ports
share one PostgreSQL database (sessions included) and one Redis (cache and rate-limit counters, Channels
layer, Celery broker) with one Celery worker and one beat, started as the Procfile and the systemd units
start them. The test shows that

- a session signed in on one server (password and second factor) continues on the other;
- the anonymous rate limit is one count across both: with a limit of N, 2N requests alternating
  between the servers let exactly N through;
- an export queued on either server runs once, in the worker, and its file is served by the other;
- a video reception's chat message, sent by the petitioner on a WebSocket held by one server, reaches the
  receiving office's WebSocket held by the other, and the answer comes back: jijian's own route and
  consumer (ws/reception/<pk>/chat/), the join tokens that the room page (signed-in official) and the
  public status page (booking code) hand out, and the Channels layer on Redis between the processes;
- SIGTERM to one server in the middle of a stream of writes loses no accepted request: every write
  answered 2xx is in the database, and the writes the stopping server refused, retried on the other,
  are there too, each once;
- the beat's periodic sealing of the audit trail reaches the worker: every entry the servers wrote
  ends up chained and `jijian audit verify` passes.

Everything runs against a database the test creates on the PostgreSQL server of DATABASE_URL
(migrated with `jijian migrate`, a few rows loaded by tests/core/servers_script.py) and dropped after:
the servers are other processes and cannot see pytest-django's test database or its uncommitted
rows. It needs DATABASE_URL (PostgreSQL) and REDIS_URL, i.e. CI's PostgreSQL phase; elsewhere it is
skipped with the reason. The processes are the test's own and are stopped at the end."""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("servers_script.py")
ANON_LIMIT = 8
MONTH = "2025-10"

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")) or not REDIS_URL.startswith("redis"),
    reason="two app servers share PostgreSQL and Redis: needs DATABASE_URL=postgres://… and "
    "REDIS_URL=redis://… (CI's PostgreSQL phase)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- a small HTTP client with its own cookies (the standard library's http.client) ---------------
@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Browser:
    cookies: dict[str, str] = field(default_factory=dict)
    source: str = "127.0.0.1"  # the client's address: the rate limit counts per address

    def request(self, port, method, path, form=None, headers=None, *, json_body=None, timeout=30.0) -> Answer:
        sent = {"Host": f"127.0.0.1:{port}", "Connection": "close", **(headers or {})}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(self.source, 0))
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, data)
        finally:
            conn.close()

    def csrf_header(self) -> dict[str, str]:
        return {"X-CSRFToken": self.cookies["csrftoken"]}


# --- the processes ---------------------------------------------------------------------------------
@dataclass
class Deployment:
    env: dict[str, str]
    ports: list[int]
    servers: list[subprocess.Popen]
    worker: subprocess.Popen
    beat: subprocess.Popen
    logs: Path
    data: dict
    db_dsn: str

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def sql(self, query: str, params=()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.db_dsn, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()


def _dsn(url: str, dbname: str) -> str:
    from psycopg.conninfo import make_conninfo

    parts = dj_database_url.parse(url)
    given = {
        "host": parts["HOST"],
        "port": parts["PORT"],
        "user": parts["USER"],
        "password": parts["PASSWORD"],
    }
    return make_conninfo(dbname=dbname, **{k: v for k, v in given.items() if v})


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "wb") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(args, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)


def _stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM to all at once (each finishes what it is doing), then wait; kill what is still there."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_ready(port: int, process: subprocess.Popen, log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server on {port} exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if Browser().request(port, "GET", "/readyz", timeout=5).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"server on {port} not ready:\n{log.read_text(errors='replace')[-3000:]}")


def _wait_log(log: Path, text: str, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.3)
    raise AssertionError(f"{text!r} not in {log.name}:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    import psycopg

    root = tmp_path_factory.mktemp("servers")
    logs = root / "logs"
    logs.mkdir()
    base = dj_database_url.parse(DATABASE_URL)["NAME"] or "jijian"
    dbname = f"{base}_servers_{os.getpid()}"
    admin = _dsn(DATABASE_URL, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    url = urllib.parse.urlsplit(DATABASE_URL)._replace(path=f"/{dbname}").geturl()
    ports = [free_port(), free_port()]
    # As an operator's /etc/jijian/env (docs/deploy.md), on loopback without TLS. JIJIAN_ENV=test
    # only for its plain static-files storage: production's compressed manifest needs a collectstatic
    # first (some 40 seconds of CPU). Everything shared (database, cache, Channels layer, broker) is chosen by
    # DATABASE_URL and REDIS_URL as in production; tasks go to the broker, not run in the server
    # (JIJIAN_CELERY_EAGER=false), and the start-up heap is frozen as in production.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JIJIAN_", "CELERY_", "DJANGO_", "PYTEST")) and k not in ("DATABASE_URL",)
    }
    env.update(
        {
            "JIJIAN_ENV": "test",
            "JIJIAN_CELERY_EAGER": "false",
            "JIJIAN_GC_FREEZE": "true",
            "JIJIAN_SECRET_KEY": "servers-test-" + "s" * 40,
            "JIJIAN_DATA_KEYS": "k1:" + "22" * 16,
            "JIJIAN_INDEX_KEY": "33" * 16,
            "JIJIAN_BEHIND_TLS": "false",
            "JIJIAN_ALLOWED_HOSTS": "127.0.0.1",
            "JIJIAN_DATA_DIR": str(root / "var"),  # one directory: the file storage all hosts share
            "JIJIAN_RATE_LIMIT_ANON_PER_MINUTE": str(ANON_LIMIT),
            "DATABASE_URL": url,
            "REDIS_URL": REDIS_URL,
            "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
        }
    )
    started: list[subprocess.Popen] = []
    try:
        migrated = subprocess.run(
            [sys.executable, "-m", "jijian", "migrate", "--no-input", "-v", "0"],
            env=env, cwd=ROOT, timeout=300, capture_output=True, text=True,
        )  # fmt: skip
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        servers = []
        for port in ports:
            # The Procfile's web line: jijian's ASGI application, HTTP and WebSocket.
            args = [sys.executable, "-m", "uvicorn", "jijian.config.asgi:application"]
            args += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--lifespan", "off"]
            args += ["--proxy-headers", "--forwarded-allow-ips", ""]
            servers.append(_start(args, {**env, "JIJIAN_PORT": str(port)}, logs / f"web{port}.log"))
        started += servers
        celery = [sys.executable, "-m", "celery", "-A", "jijian.config"]
        worker = _start(
            [*celery, "worker", "--concurrency", "2", "--loglevel", "INFO"], env, logs / "worker.log"
        )
        started.append(worker)
        beat_args = ["beat", "--schedule", str(root / "celerybeat-schedule"), "--loglevel", "INFO"]
        beat = _start([*celery, *beat_args], env, logs / "beat.log")
        started.append(beat)
        # Loaded while the processes start (they need the migrated schema only).
        done = subprocess.run(
            [sys.executable, str(SCRIPT), "setup"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        data = json.loads(done.stdout.strip().splitlines()[-1])
        deadline = time.monotonic() + 180  # four processes start at once on a busy CI machine
        for port, server in zip(ports, servers, strict=True):
            _wait_ready(port, server, logs / f"web{port}.log", deadline)
        _wait_log(logs / "worker.log", "ready.", worker, deadline)
        yield Deployment(env, ports, servers, worker, beat, logs, data, _dsn(url, dbname))
    finally:
        _stop(started)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def _totp(key_hex: str) -> str:
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(key_hex), step=30, t0=0, digits=6, drift=0):06d}"


def _sign_in(deployment, port: int, username: str) -> Browser:
    """Sign in on the server of `port`: password, then the authenticator's code."""
    browser = Browser()
    assert browser.request(port, "GET", "/accounts/login/").status == 200
    form = {"username": username, "password": "Test-Passw0rd!"}
    answer = browser.request(port, "POST", "/accounts/login/", {**form, **browser_csrf(browser)})
    assert answer.status == 302 and answer.headers["location"] == "/accounts/otp/", answer.body[-500:]
    code = _totp(deployment.data["otp_key"])
    answer = browser.request(port, "POST", "/accounts/otp/", {"token": code, **browser_csrf(browser)})
    assert answer.status == 302 and answer.headers["location"] == "/", answer.body[-500:]
    return browser


@pytest.fixture(scope="module")
def officer(deployment) -> Browser:
    """The county officer, signed in on the first server."""
    return _sign_in(deployment, deployment.ports[0], deployment.data["username"])


def browser_csrf(browser: Browser) -> dict[str, str]:
    return {"csrfmiddlewaretoken": browser.cookies["csrftoken"]}


def test_a_session_signed_in_on_one_server_continues_on_the_other(deployment, officer):
    a, b = deployment.ports
    home = officer.request(b, "GET", "/")
    assert home.status == 200
    assert "测试county_officer" in home.body.decode()
    # The other server knows the second factor was done: a page behind it opens without /accounts/otp/.
    stats = officer.request(
        b, "GET", f"/reports/stats/node/{deployment.data['county_id']}/?start={MONTH}&end={MONTH}"
    )
    assert stats.status == 200, stats.headers
    # A stranger's cookie-less request to the same page is sent to sign in, on either server.
    assert Browser().request(b, "GET", "/").status == 302


def test_the_anonymous_rate_limit_is_one_count_across_both_servers(deployment):
    a, b = deployment.ports
    # A client address no other request of this run (or a recent one) used: its count starts at 0.
    client = Browser(source=f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}")
    # The window slides over two minutes' buckets; keep all 2N requests in one minute so the count
    # is exact rather than a weighted estimate.
    if time.time() % 60 > 45:
        time.sleep(60 - time.time() % 60 + 0.2)
    statuses = [
        client.request((a, b)[i % 2], "GET", "/accounts/login/").status for i in range(2 * ANON_LIMIT)
    ]
    assert statuses.count(200) == ANON_LIMIT, statuses
    assert statuses.count(429) == ANON_LIMIT, statuses
    # Each server let some through and refused some: neither counted alone.
    assert statuses[:ANON_LIMIT] == [200] * ANON_LIMIT
    assert set(statuses[ANON_LIMIT::2]) == {429} and set(statuses[ANON_LIMIT + 1 :: 2]) == {429}


def _export_start(browser: Browser, port: int, county_id: int) -> str:
    answer = browser.request(
        port,
        "POST",
        f"/reports/stats/node/{county_id}/reports-export/",
        {"month": MONTH, **browser_csrf(browser)},
    )
    assert answer.status == 302, answer.body[-500:]
    found = re.search(r"/exports/([0-9a-f]{32})/", answer.headers["location"])
    assert found, answer.headers["location"]
    return found.group(1)


def test_an_export_queued_on_either_server_runs_once_in_the_worker(deployment, officer):
    a, b = deployment.ports
    county = deployment.data["county_id"]
    started = {_export_start(officer, a, county): b, _export_start(officer, b, county): a}
    for export_id, other in started.items():
        deadline = time.monotonic() + 60
        while True:
            answer = officer.request(other, "GET", f"/reports/stats/exports/{export_id}/status.json")
            assert answer.status == 200, f"export {export_id} unknown on the other server: {answer.status}"
            status = answer.json()
            if status["state"] == "done" or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert status["state"] == "done", status
        assert status["total"] == 2
        download = officer.request(other, "GET", status["download_url"])
        assert download.status == 200 and download.body[:2] == b"PK"  # an xlsx (zip) workbook
    # The servers queued the task (not run in their own process); the one worker ran each once.
    worker = deployment.log("worker")
    received = re.findall(r"month_reports_xlsx\[([0-9a-f-]+)\] received", worker)
    succeeded = re.findall(r"month_reports_xlsx\[([0-9a-f-]+)\] succeeded", worker)
    assert len(received) == 2 and len(set(received)) == 2, worker[-3000:]
    assert sorted(succeeded) == sorted(received)


def _join_token(page: Answer) -> str:
    assert page.status == 200, page.body[-500:]
    found = re.search(r'id="room" data-chat="([^"]+)".*? data-token="([^"]+)"', page.body.decode())
    assert found, page.body[-2000:]
    return found.group(2)


def test_a_reception_chat_message_sent_on_one_server_reaches_the_office_on_the_other(deployment):
    from websockets.sync.client import connect

    a, b = deployment.ports
    pk = deployment.data["reception_id"]
    # The receiving office signs in on B and opens the session's room page: its join token.
    office = _sign_in(deployment, b, deployment.data["receiver"])
    office_token = _join_token(office.request(b, "GET", f"/reception/{pk}/room/"))
    # The petitioner, on their own device, types the booking code on A's public status page: theirs.
    # (An address of its own: the anonymous rate limit of this deployment is low.)
    petitioner = Browser(
        source=f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
    )
    assert petitioner.request(a, "GET", "/reception/public/status/").status == 200
    petitioner_token = _join_token(
        petitioner.request(
            a,
            "POST",
            "/reception/public/status/",
            {"code": deployment.data["booking_code"], **browser_csrf(petitioner)},
        )
    )

    def chat(port: int, token: str):
        # What the room page's script opens (room.js): the same path and token, from the page's origin.
        return connect(
            f"ws://127.0.0.1:{port}/ws/reception/{pk}/chat/?token={urllib.parse.quote(token)}",
            origin=f"http://127.0.0.1:{port}",
            open_timeout=10,
        )

    with chat(b, office_token) as office_socket, chat(a, petitioner_token) as petitioner_socket:
        petitioner_socket.send(json.dumps({"text": "我有一份材料要补充"}))
        got = json.loads(office_socket.recv(timeout=10))
        assert (got["from"], got["text"]) == ("信访人", "我有一份材料要补充")
        assert json.loads(petitioner_socket.recv(timeout=10))["text"] == "我有一份材料要补充"
        office_socket.send(json.dumps({"text": "请在会后通过上传提交"}))
        answer = json.loads(petitioner_socket.recv(timeout=10))
        assert answer["from"] == "测试city_receiver（随州市）" and answer["text"] == "请在会后通过上传提交"
        assert json.loads(office_socket.recv(timeout=10))["text"] == "请在会后通过上传提交"
    # Each message was stored once, with the session, by the server that received it.
    stored = deployment.sql(
        "SELECT participant FROM reception_receptionchatmessage WHERE reception_id = %s ORDER BY id", (pk,)
    )
    assert [row[0] for row in stored] == ["petitioner", f"official:{deployment.data['receiver_id']}"]


def test_a_chat_socket_without_a_valid_join_token_is_refused(deployment):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    a, _ = deployment.ports
    pk = deployment.data["reception_id"]
    with pytest.raises(InvalidStatus) as refused:  # the consumer closes before accepting: a 403
        connect(
            f"ws://127.0.0.1:{a}/ws/reception/{pk}/chat/?token=forged",
            origin=f"http://127.0.0.1:{a}",
            open_timeout=10,
        )
    assert refused.value.response.status_code == 403


def test_sigterm_to_one_server_during_writes_loses_no_accepted_request(deployment, officer):
    a, b = deployment.ports
    names = [f"servers-{i:03d}" for i in range(80)]
    accepted: list[str] = []
    retried: list[str] = []
    answered_by_a_after_sigterm: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    queue = list(reversed(names))
    enough = threading.Event()
    signalled = threading.Event()

    def write(index: int, name: str) -> None:
        # Each write creates an API token named `name` (session + CSRF, audited): even ones on A
        # first, odd ones on B first. A refused or cut connection is retried on the other server, as a
        # load balancer or a client does.
        order = (a, b) if index % 2 == 0 else (b, a)
        for attempt, port in enumerate(order):
            try:
                answer = officer.request(
                    port, "POST", "/api/tokens", headers=officer.csrf_header(), json_body={"name": name}
                )
            except (ConnectionError, http.client.HTTPException):
                continue
            with lock:
                if attempt:
                    retried.append(name)
                if port == a and signalled.is_set():
                    answered_by_a_after_sigterm.append(name)
                if 200 <= answer.status < 300:
                    accepted.append(name)
                else:
                    failures.append(f"{name} on {port}: {answer.status} {answer.body[:200]!r}")
            return
        with lock:
            failures.append(f"{name}: no server answered")

    def client() -> None:
        while True:
            with lock:
                if not queue:
                    return
                name = queue.pop()
                if len(accepted) >= 24:
                    enough.set()
            write(names.index(name), name)

    threads = [threading.Thread(target=client) for _ in range(6)]
    for t in threads:
        t.start()
    assert enough.wait(timeout=90), failures
    deployment.servers[0].send_signal(signal.SIGTERM)
    signalled.set()
    for t in threads:
        t.join(timeout=120)
    # uvicorn finished its shutdown (in-flight requests answered) and then re-raised the signal.
    assert deployment.servers[0].wait(timeout=30) in (0, -signal.SIGTERM)
    assert "Finished server process" in deployment.log(f"web{a}")
    assert not failures, failures
    # Every write was answered 2xx by one server or the other ...
    assert sorted(accepted) == sorted(names)
    # ... and is in the database exactly once.
    stored = Counter(row[0] for row in deployment.sql("SELECT name FROM api_apitoken"))
    assert {name: stored[name] for name in names} == dict.fromkeys(names, 1)
    # The stopping server refused some (retried on B) ...
    assert retried, "SIGTERM came after every write: nothing was refused"
    # ... and still answered what it had accepted: requests in flight when the signal came.
    assert answered_by_a_after_sigterm, "no request was in flight on A at SIGTERM"


def test_the_beat_seals_what_both_servers_wrote_into_the_audit_chain(deployment):
    # Sign-ins, exports and token creations on both servers wrote audit entries; the beat queues the
    # sealing every 10 seconds and the worker runs it.
    deadline = time.monotonic() + 40
    while deployment.sql("SELECT count(*) FROM audit_auditevent WHERE seq IS NULL")[0][0]:
        assert time.monotonic() < deadline, deployment.log("beat")[-2000:]
        time.sleep(1)
    assert deployment.sql("SELECT count(*) FROM audit_auditevent")[0][0] > 80
    assert "Sending due task seal-audit-trail" in deployment.log("beat")
    done = subprocess.run(
        [sys.executable, "-m", "jijian", "audit", "verify", "--no-seal"],
        env=deployment.env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
