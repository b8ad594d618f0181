"""The platform as the ASGI servers run it (jijian.config.asgi: uvicorn in production, bench/): a
request goes through the whole middleware chain and the view in one thread, entered once."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import AsyncToSync, SyncToAsync
from asgiref.testing import ApplicationCommunicator
from django.core.signals import request_finished, request_started
from django.db import connection
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.urls import path, reverse

from jijian.api.auth import api_token_create
from jijian.core.handlers import RequestThreads
from jijian.reports import submit_loop
from jijian.reports.models import MonthlyReport, ReportState
from tests.reports.test_member_views import at, open_month
from tests.reports.test_stats import october  # noqa: F401 - the shared fixture
from tests.reports.test_submit_fast import DAY

pytestmark = pytest.mark.django_db(transaction=True)


def http_scope(method: str, path: str, *, query: str = "", headers: dict | None = None) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver")]
        + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }


def run_loop(make_coroutine):
    """asyncio.run(make_coroutine()) in a thread of its own: an earlier browser test's Playwright
    keeps an event loop running in the test thread, where asyncio.run() refuses to start. The app
    runs its sync code in other threads anyway."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def asgi_request(method: str, path: str, body: bytes = b"", headers: dict | None = None, query: str = ""):
    """(status, headers, body) of one HTTP request through jijian.config.asgi.application."""
    from jijian.config.asgi import application

    scope = http_scope(method, path, query=query, headers=headers)

    async def run():
        app = ApplicationCommunicator(application, scope)
        await app.send_input({"type": "http.request", "body": body, "more_body": False})
        start = await app.receive_output(10)
        parts = []
        while True:
            message = await app.receive_output(10)
            parts.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        await app.wait(10)
        return start["status"], {k.lower(): v for k, v in start["headers"]}, b"".join(parts)

    try:
        return run_loop(run)
    finally:
        # Each request here runs an event loop of its own (a server keeps one, and the connections of
        # the submit answered on it: reports/submit_loop.py); that loop is gone now.
        submit_loop.CONNECTIONS.close_idle()


def test_a_member_submits_through_the_asgi_application(tree, people):
    report = open_month(tree)
    MonthlyReport.objects.filter(pk=report.pk).update(summary="本月走访三户。")
    _, raw = api_token_create(actor=people.member_a, name="手机")
    with at(DAY):
        status, headers, body = asgi_request(
            "POST",
            f"/api/reports/{report.pk}/submit",
            json.dumps({"version": report.version, "endorse": True}).encode(),
            {"Authorization": f"Bearer {raw}", "Content-Type": "application/json"},
        )
    assert status == 200, body[:500]
    assert json.loads(body)["state"] == "submitted"
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED
    # The security headers of the outermost middleware are on the answer.
    assert b"content-security-policy" in headers
    # On PostgreSQL it was answered on the event loop (tests/reports/test_submit_loop.py), elsewhere
    # by Django in a request thread.
    on_loop = (
        submit_loop.SUBMIT_ON_LOOP.match(http_scope("POST", f"/api/reports/{report.pk}/submit")) is not None
    )
    assert on_loop == (connection.vendor == "postgresql")


def test_a_page_behind_sign_in_answers_through_the_asgi_application(tree, people):
    status, headers, _ = asgi_request("GET", "/")
    assert status == 302, status
    assert headers[b"location"].decode().startswith(reverse("core:login")), headers


def test_a_request_crosses_between_event_loop_and_thread_a_fixed_few_times(tree, people, monkeypatch):
    """The middleware chain and the view are entered once (core/handlers.py): the request-started
    signal, the chain, closing the response. Django's stock handler crossed 9 times here."""
    crossings = []
    lock = threading.Lock()
    for cls in (SyncToAsync, AsyncToSync):
        original = cls.__call__

        def counted(self, *args, _original=original, _name=cls.__name__, **kwargs):
            with lock:
                crossings.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__call__", counted)
    _, raw = api_token_create(actor=people.member_a, name="手机")
    status, _, _ = asgi_request("GET", "/api/reports/mine", headers={"Authorization": f"Bearer {raw}"})
    assert status == 200
    assert len(crossings) <= 3, crossings


def test_the_month_export_streams_through_the_asgi_application(tree, people, october, login):  # noqa: F811
    """A real streamed export (reports/exports.py, rows read from the database in the request's
    thread while the answer is sent), signed in with a browser session."""
    client = login(people.county_officer)
    url = reverse("reports:stats_export_reports", args=[tree.county.pk])
    status, headers, body = asgi_request(
        "GET",
        url,
        query="month=2025-10",
        headers={"Cookie": f"sessionid={client.cookies['sessionid'].value}"},
    )
    assert status == 200, body[:300]
    assert headers[b"content-type"].startswith(b"text/csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["县（市、区）", "乡镇（街道）", "村（社区）"]
    assert {r[2] for r in rows[1:]} == {"神农村", "凤凰村", "高城村"}


# A streamed answer that notes when each part is produced; the test's `send` notes when each body
# message leaves (tests/core/test_asgi.py serves as the URLconf of the streaming test).
EVENTS: list[tuple[str, int]] = []
PART = 100 * 1024


def _streamed(request):
    def parts():
        for i in range(4):
            EVENTS.append(("part", i))
            yield bytes([65 + i]) * PART

    return StreamingHttpResponse(parts(), content_type="text/plain")


FILE_BYTES = bytes(range(256)) * 1000  # 256,000 bytes: four blocks


class _File(io.BytesIO):
    closed_by_response = False

    def close(self):
        _File.closed_by_response = True
        super().close()


def _file(request):
    return FileResponse(_File(FILE_BYTES), as_attachment=True, filename="录像.bin")


THREADS: list[threading.Thread] = []  # the objects (kept alive): a new thread may reuse an ident
BOTH_IN_VIEW = threading.Barrier(2, timeout=10)


def _thread(request):
    THREADS.append(threading.current_thread())
    return HttpResponse(b"")


def _wait_for_the_other(request):
    THREADS.append(threading.current_thread())
    BOTH_IN_VIEW.wait()  # both requests in their views at once, or BrokenBarrierError after 10 s
    return HttpResponse(b"")


urlpatterns = [
    path("streamed", _streamed),
    path("file", _file),
    path("thread", _thread),
    path("together", _wait_for_the_other),
]


def test_a_file_download_keeps_its_headers_and_closes_the_file(settings):
    settings.ROOT_URLCONF = "tests.core.test_asgi"
    _File.closed_by_response = False
    status, headers, body = asgi_request("GET", "/file")
    assert status == 200 and body == FILE_BYTES
    assert headers[b"content-length"] == str(len(FILE_BYTES)).encode()
    assert b"attachment" in headers[b"content-disposition"]
    assert _File.closed_by_response


def test_a_streamed_answer_is_sent_while_it_is_produced(settings):
    """Django's stock handler read the whole iterator into memory before sending anything."""
    settings.ROOT_URLCONF = "tests.core.test_asgi"
    from jijian.config.asgi import application

    EVENTS.clear()
    body = []
    incoming = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if incoming:
            return incoming.pop()
        await asyncio.sleep(30)  # no disconnect while the answer is sent
        return {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.body" and message.get("body"):
            EVENTS.append(("sent", len(message["body"])))
            body.append(message["body"])

    scope = http_scope("GET", "/streamed")
    run_loop(lambda: application(scope, receive, send))
    assert b"".join(body) == b"".join(bytes([65 + i]) * PART for i in range(4))
    first_sent = EVENTS.index(next(e for e in EVENTS if e[0] == "sent"))
    assert first_sent < EVENTS.index(("part", 1)), EVENTS
    assert EVENTS.index(("part", 3)) < len(EVENTS) - 1  # the last part is sent after it is produced


def test_one_request_runs_in_one_thread_which_the_next_request_reuses(settings):
    """The request-started signal, the view and the request-finished signal of a request run in the
    same thread, and the next request gets that thread again instead of a new one."""
    settings.ROOT_URLCONF = "tests.core.test_asgi"
    THREADS.clear()

    def note(**kwargs):
        THREADS.append(threading.current_thread())

    request_started.connect(note)
    request_finished.connect(note)
    try:
        for _ in range(3):
            assert asgi_request("GET", "/thread")[0] == 200
    finally:
        request_started.disconnect(note)
        request_finished.disconnect(note)
    assert len(THREADS) == 9, THREADS
    assert len(set(THREADS)) == 1, THREADS  # started, view, finished; three requests one after another
    assert THREADS[0] is not threading.current_thread()


def test_requests_at_the_same_time_get_threads_of_their_own(settings):
    settings.ROOT_URLCONF = "tests.core.test_asgi"
    from jijian.config.asgi import application

    THREADS.clear()
    BOTH_IN_VIEW.reset()

    async def one():
        app = ApplicationCommunicator(application, http_scope("GET", "/together"))
        await app.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await app.receive_output(20)
        await app.receive_output(20)
        await app.wait(20)
        return start["status"]

    async def both():
        return await asyncio.gather(one(), one())

    assert run_loop(both) == [200, 200]
    assert len(set(THREADS)) == 2, THREADS


def test_a_thread_still_running_a_finished_requests_code_is_lent_only_when_it_is_done():
    threads = RequestThreads(idle=4)
    thread = threads.borrow()
    go = threading.Event()
    running = thread.submit(go.wait, 10)
    thread.release()  # the request has ended; its call has not
    assert threads.idle == 0
    other = threads.borrow()
    assert other is not thread  # another request gets another thread
    go.set()
    running.result(10)
    for _ in range(100):  # the give-back runs in the thread right after the call
        if threads.idle == 1:
            break
        time.sleep(0.01)
    assert threads.idle == 1
    assert threads.borrow() is thread
    for lent in (thread, other):
        lent.shutdown()


def test_idle_threads_beyond_the_limit_end():
    threads = RequestThreads(idle=1)
    first, second = threads.borrow(), threads.borrow()
    kept = first.submit(threading.current_thread).result(10)
    ended = second.submit(threading.current_thread).result(10)
    assert kept is not ended
    first.release()
    second.release()
    assert threads.idle == 1
    ended.join(10)  # the thread given back beyond the limit finishes; the idle one stays for the next request
    assert not ended.is_alive() and kept.is_alive()
    assert threads.borrow() is first
    first.shutdown()


def test_a_loop_answers_body_is_read_in_parts_and_given_again_whole():
    from jijian.core.handlers import _small_body

    def receiver(messages):
        pending = list(messages)

        async def receive():
            return pending.pop(0)

        return receive

    parts = [
        {"type": "http.request", "body": b'{"version": ', "more_body": True},
        {"type": "http.request", "body": b"1}", "more_body": False},
    ]

    async def small():
        body, again = await _small_body(receiver(parts), 100)
        return body, [await again(), await again()]

    body, given = run_loop(small)
    assert body == b'{"version": 1}' and given == parts

    # Beyond the limit: not read further here, and Django gets every part, the unread ones too.
    big = [{"type": "http.request", "body": b"x" * 60, "more_body": True} for _ in range(3)]
    big[-1]["more_body"] = False

    async def large():
        body, again = await _small_body(receiver(big), 100)
        return body, [await again() for _ in big]

    body, given = run_loop(large)
    assert body is None and given == big

    async def gone():
        return await _small_body(receiver([{"type": "http.disconnect"}]), 100)

    assert run_loop(gone) == (None, None)
