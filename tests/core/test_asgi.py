"""The platform as the ASGI servers run it (jijian.config.asgi: uvicorn in production, bench/): a
request goes through the whole middleware chain and the view in one thread, entered once."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from asgiref.sync import AsyncToSync, SyncToAsync
from asgiref.testing import ApplicationCommunicator
from django.urls import reverse

from jijian.api.auth import api_token_create
from jijian.reports.models import MonthlyReport, ReportState
from tests.reports.test_member_views import at, open_month
from tests.reports.test_submit_fast import DAY

pytestmark = pytest.mark.django_db(transaction=True)


def asgi_request(method: str, path: str, body: bytes = b"", headers: dict | None = None):
    """(status, headers, body) of one HTTP request through jijian.config.asgi.application."""
    from jijian.config.asgi import application

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")]
        + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }

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

    return asyncio.run(run())


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
