"""The platform as the ASGI servers run it (jijian.config.asgi: uvicorn in production, bench/):
Django's own ASGI handler inside Channels' router; streamed answers (exports, downloads) are sent
while they are produced (core/ops/streaming.py)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import threading

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.handlers.asgi import ASGIHandler
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.urls import path, reverse

from jijian.core.api.auth import api_token_create
from jijian.core.ops.bodylimit import BodyLimitMiddleware
from jijian.reports.models import MonthlyReport, ReportState
from tests.event_loop import run_loop
from tests.reports.helpers import (
    DAY,
    at,
    october,  # noqa: F401 - the shared fixture
    open_month,
)

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

    return run_loop(run)


def test_http_is_served_by_djangos_own_asgi_handler():
    from jijian.config.asgi import application

    # Django's own handler, behind only the plain-ASGI body limit (core/ops/bodylimit.py), which
    # refuses an oversized body before Django reads it and otherwise hands the request on unchanged.
    front = application.application_mapping["http"]
    assert type(front) is BodyLimitMiddleware
    assert type(front.app) is ASGIHandler


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


def test_a_page_behind_sign_in_answers_through_the_asgi_application(tree, people):
    status, headers, _ = asgi_request("GET", "/")
    assert status == 302, status
    assert headers[b"location"].decode().startswith(reverse("core:login")), headers


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
    THREADS.append(threading.current_thread())

    def parts():
        for i in range(4):
            THREADS.append(threading.current_thread())
            EVENTS.append(("part", i))
            yield bytes([65 + i]) * PART

    return StreamingHttpResponse(parts(), content_type="text/plain")


FILE_BYTES = bytes(range(256)) * 1000  # 256,000 bytes: four blocks


class _File(io.BytesIO):
    closed_by_response = False

    def read(self, size=-1):
        EVENTS.append(("read", size))
        return super().read(size)

    def close(self):
        _File.closed_by_response = True
        super().close()


def _file(request):
    return FileResponse(_File(FILE_BYTES), as_attachment=True, filename="录像.bin")


THREADS: list[threading.Thread] = []  # the objects (kept alive): a new thread may reuse an ident
BOTH_IN_VIEW = threading.Barrier(2, timeout=10)


def _wait_for_the_other(request):
    THREADS.append(threading.current_thread())
    BOTH_IN_VIEW.wait()  # both requests in their views at once, or BrokenBarrierError after 10 s
    return HttpResponse(b"")


urlpatterns = [
    path("streamed", _streamed),
    path("file", _file),
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


def _send_noting_events(body: list[bytes]):
    async def send(message):
        if message["type"] == "http.response.body" and message.get("body"):
            EVENTS.append(("sent", len(message["body"])))
            body.append(message["body"])

    return send


def _receive_once():
    incoming = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if incoming:
            return incoming.pop()
        await asyncio.sleep(30)  # no disconnect while the answer is sent
        return {"type": "http.disconnect"}

    return receive


def test_a_file_download_is_sent_while_the_file_is_read(settings):
    """Django 5.2's ASGI handler reads a FileResponse's file whole before sending it; here the first
    block leaves before the file has been read to its end."""
    settings.ROOT_URLCONF = "tests.core.test_asgi"
    from jijian.config.asgi import application

    EVENTS.clear()
    body: list[bytes] = []
    run_loop(lambda: application(http_scope("GET", "/file"), _receive_once(), _send_noting_events(body)))
    assert b"".join(body) == FILE_BYTES
    reads = [i for i, e in enumerate(EVENTS) if e[0] == "read"]
    first_sent = next(i for i, e in enumerate(EVENTS) if e[0] == "sent")
    assert first_sent < reads[-1], EVENTS
    assert sum(1 for e in EVENTS if e[0] == "sent") >= 4, EVENTS


def test_a_streamed_answer_is_sent_while_it_is_produced(settings):
    """Django's ASGI handler reads a synchronous iterator whole before sending anything; the
    middleware of core/ops/streaming.py gives it an asynchronous one, which Django sends as it goes."""
    settings.ROOT_URLCONF = "tests.core.test_asgi"
    from jijian.config.asgi import application

    EVENTS.clear()
    THREADS.clear()
    body: list[bytes] = []
    scope = http_scope("GET", "/streamed")
    run_loop(lambda: application(scope, _receive_once(), _send_noting_events(body)))
    assert b"".join(body) == b"".join(bytes([65 + i]) * PART for i in range(4))
    first_sent = EVENTS.index(next(e for e in EVENTS if e[0] == "sent"))
    assert first_sent < EVENTS.index(("part", 1)), EVENTS
    assert EVENTS.index(("part", 3)) < len(EVENTS) - 1  # the last part is sent after it is produced
    # The parts are produced in the view's thread (where a database cursor of the view lives).
    assert len(THREADS) == 5 and len(set(THREADS)) == 1, THREADS
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
