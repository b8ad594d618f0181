"""The member's submit answered on the event loop (reports/submit_loop.py): the usual case is answered
there, through Django's middleware chain, with exactly the answer Django gives; anything else, and
anything that fails half-way, is answered by Django as if the loop had not looked at it."""

from __future__ import annotations

import json
from datetime import date

import psycopg
import pytest
from django.db import connection
from django.urls import resolve

from jijian.api.auth import api_token_create
from jijian.api.models import ApiToken
from jijian.audit.models import AuditEvent
from jijian.audit.services import audit_seal, audit_verify, content_hash_of
from jijian.core.handlers import SyncChainASGIHandler
from jijian.core.roles import Role
from jijian.reports import api_member, submit_loop, submit_path
from jijian.reports.models import MonthlyReport, ReportState, ReportTransition
from tests.conftest import make_user
from tests.core.test_asgi import asgi_request, http_scope
from tests.reports.test_member_views import at
from tests.reports.test_submit_fast import DAY, _month_with_records

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the loop's answer is PostgreSQL's only"),
]


@pytest.fixture
def threads(monkeypatch):
    """How many requests were handed to a request thread (Django's chain) rather than answered on the loop."""
    lent = []
    pool = SyncChainASGIHandler.threads
    borrow = pool.borrow

    def counted():
        lent.append(1)
        return borrow()

    monkeypatch.setattr(pool, "borrow", counted)
    return lent


@pytest.fixture
def connects(monkeypatch):
    """How many connections the loop opened."""
    opened = []
    connect = submit_loop._connect

    async def counted():
        opened.append(1)
        return await connect()

    monkeypatch.setattr(submit_loop, "_connect", counted)
    return opened


def submit(report_id: int, body, token: str | None, **headers):
    if token:
        headers.setdefault("Authorization", f"Bearer {token}")
    headers.setdefault("Content-Type", "application/json")
    with at(DAY):
        return asgi_request(
            "POST",
            f"/api/reports/{report_id}/submit",
            body if isinstance(body, bytes) else json.dumps(body).encode(),
            headers,
        )


def test_the_loop_takes_the_submit_path_and_nothing_else():
    loop = submit_loop.SUBMIT_ON_LOOP
    assert resolve("/api/reports/7/submit").func is api_member.member_report_submit_front
    assert loop.match(http_scope("POST", "/api/reports/7/submit")) == {"report_id": 7}
    assert loop.match(http_scope("GET", "/api/reports/7/submit")) is None
    assert loop.match(http_scope("POST", "/api/reports/7/draft")) is None
    assert loop.match(http_scope("POST", "/api/reports/x/submit")) is None
    assert loop.match(http_scope("POST", "/api/reports/7/submit/")) is None


def test_the_usual_submit_is_answered_on_the_loop_exactly_as_django_answers(tree, people, threads, connects):
    report = _month_with_records(tree, people.member_a)
    token_row, token = api_token_create(actor=people.member_a, name="手机")
    first = submit(report.pk, {"version": report.version, "endorse": True}, token)
    assert first[0] == 200, first
    assert threads == [] and connects == [1], "answered on the loop, on a connection of its own"
    stored = MonthlyReport.objects.get(pk=report.pk)
    assert stored.state == ReportState.SUBMITTED and stored.version == report.version + 1
    assert json.loads(first[2])["endorsement_digest"] == stored.endorsement_digest

    # The same submit again is the idempotent case, which Django answers from the stored row: the
    # same status, headers and bytes.
    again = submit(report.pk, {"version": report.version, "endorse": True}, token)
    assert threads == [1]
    assert again == first
    assert ReportTransition.objects.filter(report_id=report.pk, to_state=ReportState.SUBMITTED).count() == 1

    # The audit entry is in the chain, the token noted as used.
    event = AuditEvent.objects.get(object_id=str(report.pk), action="monthly_report.submit")
    assert event.content_hash == content_hash_of(event) and event.actor_id == people.member_a.pk
    audit_seal()
    assert audit_verify().ok
    assert ApiToken.objects.get(pk=token_row.pk).last_used_at is not None


def test_the_answer_is_in_the_callers_language_as_django_gives_it(tree, people, threads):
    report = _month_with_records(tree, people.member_a)
    _, token = api_token_create(actor=people.member_a, name="手机")
    body = {"version": report.version, "endorse": True}
    first = submit(report.pk, body, token, **{"Accept-Language": "en"})
    again = submit(report.pk, body, token, **{"Accept-Language": "en"})
    assert threads == [1] and first == again
    assert first[1][b"content-language"] == b"en"


def _concurrently(requests: list[tuple[int, str, bytes]]) -> list[int]:
    """The statuses of submits (report id, token, body) sent at once to the ASGI application, on one
    event loop (as a server has it)."""
    import asyncio

    from jijian.config.asgi import application
    from tests.core.test_asgi import run_loop

    async def one(report_id: int, token: str, body: bytes) -> int:
        scope = http_scope(
            "POST",
            f"/api/reports/{report_id}/submit",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        sent = []

        async def receive():
            if messages:
                return messages.pop(0)
            await asyncio.Event().wait()  # no disconnect: the client waits for its answer

        async def send(message):
            sent.append(message)

        await application(scope, receive, send)
        return sent[0]["status"]

    async def all_at_once():
        return await asyncio.gather(*(one(*r) for r in requests))

    try:
        with at(DAY):
            return run_loop(all_at_once)
    finally:
        submit_loop.CONNECTIONS.close_idle()


def test_submits_at_once_wait_for_the_loops_connection(tree, people, threads, connects, settings):
    settings.JIJIAN_SUBMIT_LOOP_CONNECTIONS = 1
    months = [date(2025, month, 1) for month in (7, 8, 9, 10)]
    reports = [_month_with_records(tree, people.member_a, month) for month in months]
    _, token = api_token_create(actor=people.member_a, name="手机")
    body = json.dumps({"version": reports[0].version, "endorse": True}).encode()
    assert _concurrently([(r.pk, token, body) for r in reports]) == [200] * 4
    assert connects == [1] and threads == [], "one connection, taken in turn, all on the loop"
    assert MonthlyReport.objects.filter(state=ReportState.SUBMITTED).count() == 4


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("cookie", 200),  # a browser's cookie beside the token: Django reads the session
        ("extra field", 200),  # the operation takes it, the loop does not
        ("large body", 200),  # the usual body padded beyond what the loop reads
        ("stale version", 409),
        ("not endorsed", 400),
        ("no token", 403),  # then it is the browser session's submit, without its CSRF token
        ("bad token", 403),
        ("other village's member", 404),
        ("disallowed host", 400),
    ],
)
def test_anything_else_is_answered_by_django_and_the_loop_writes_nothing(tree, people, threads, case, status):
    report = _month_with_records(tree, people.member_a)
    _, token = api_token_create(actor=people.member_a, name="手机")
    body: object = {"version": report.version, "endorse": True}
    headers = {}
    if case == "cookie":
        headers["Cookie"] = "sessionid=nothing"
    elif case == "extra field":
        body = {"version": report.version, "endorse": True, "note": "x"}
    elif case == "large body":
        body = json.dumps(body).encode() + b" " * 2000
    elif case == "stale version":
        body = {"version": report.version - 1, "endorse": True}
    elif case == "not endorsed":
        body = {"version": report.version, "endorse": False}
    elif case == "no token":
        token = None
    elif case == "bad token":
        token = "jj_not-a-token"
    elif case == "other village's member":
        other = make_user("member-b2", tree.village_b, Role.VILLAGE_MEMBER)
        _, token = api_token_create(actor=other, name="手机")
    elif case == "disallowed host":
        headers["Host"] = "evil.example"
    answer = submit(report.pk, body, token, **headers)
    assert answer[0] == status, answer
    assert threads == [1], "Django answered"
    submitted = MonthlyReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED
    assert submitted == (status == 200)


def test_a_save_from_another_device_between_read_and_write_leaves_it_to_django(
    tree, people, threads, monkeypatch
):
    report = _month_with_records(tree, people.member_a)
    _, token = api_token_create(actor=people.member_a, name="手机")
    decide = submit_path.decide
    table = MonthlyReport._meta.db_table
    dsn = connection.get_connection_params()
    dsn.pop("cursor_factory"), dsn.pop("context")

    saved = []

    def and_another_save(*args, **kwargs):
        decided = decide(*args, **kwargs)
        if saved:  # Django's own attempt afterwards
            return decided
        saved.append(1)
        with psycopg.connect(**dsn, autocommit=True) as other:  # the other device's save, committed
            other.execute(f'UPDATE "{table}" SET version = version + 1 WHERE id = %s', [report.pk])
        return decided

    monkeypatch.setattr(submit_path, "decide", and_another_save)
    answer = submit(report.pk, {"version": report.version, "endorse": True}, token)
    assert answer[0] == 409, answer  # Django's answer to the stale version
    assert threads == [1]
    stored = MonthlyReport.objects.get(pk=report.pk)
    assert stored.state == ReportState.DRAFT and stored.version == report.version + 1
    assert not ReportTransition.objects.filter(report_id=report.pk, to_state=ReportState.SUBMITTED).exists()
    assert not AuditEvent.objects.filter(object_id=str(report.pk), action="monthly_report.submit").exists()


def test_a_connection_lost_after_the_write_is_answered_by_django_from_the_stored_row(
    tree, people, threads, monkeypatch
):
    report = _month_with_records(tree, people.member_a)
    _, token = api_token_create(actor=people.member_a, name="手机")
    real = submit_loop._submit

    async def written_then_lost(*args):
        await real(*args)
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(submit_loop, "_submit", written_then_lost)
    answer = submit(report.pk, {"version": report.version, "endorse": True}, token)
    assert answer[0] == 200 and threads == [1]
    assert json.loads(answer[2])["state"] == ReportState.SUBMITTED
    assert ReportTransition.objects.filter(report_id=report.pk, to_state=ReportState.SUBMITTED).count() == 1
    assert submit_loop.CONNECTIONS.open == 0, "the connection that failed is closed, not reused"


def test_with_no_connection_free_in_time_django_answers(tree, people, threads, settings, monkeypatch):
    settings.JIJIAN_SUBMIT_LOOP_CONNECTIONS = 1
    monkeypatch.setattr(submit_loop.CONNECTIONS, "_open", 1)  # the one there is, held by another request
    monkeypatch.setattr(submit_loop.LoopConnections, "WAIT", 0.05)
    report = _month_with_records(tree, people.member_a)
    _, token = api_token_create(actor=people.member_a, name="手机")
    answer = submit(report.pk, {"version": report.version, "endorse": True}, token)
    assert answer[0] == 200 and threads == [1]


def test_turned_off_django_answers(tree, people, threads, settings):
    settings.JIJIAN_SUBMIT_LOOP_CONNECTIONS = 0
    assert submit_loop.SUBMIT_ON_LOOP.match(http_scope("POST", "/api/reports/7/submit")) is None
    report = _month_with_records(tree, people.member_a)
    _, token = api_token_create(actor=people.member_a, name="手机")
    assert submit(report.pk, {"version": report.version, "endorse": True}, token)[0] == 200
    assert threads == [1]


def test_an_answer_that_fails_after_the_write_is_given_by_django_from_the_stored_row(
    tree, people, threads, monkeypatch
):
    report = _month_with_records(tree, people.member_a)
    _, token = api_token_create(actor=people.member_a, name="手机")

    def broken(report):
        raise RuntimeError("a bug in the answer")

    monkeypatch.setattr(api_member, "report_out", broken)  # the loop's answer only; Django's is ninja's
    answer = submit(report.pk, {"version": report.version, "endorse": True}, token)
    assert answer[0] == 200 and threads == [1]
    assert json.loads(answer[2])["state"] == ReportState.SUBMITTED
    assert ReportTransition.objects.filter(report_id=report.pk, to_state=ReportState.SUBMITTED).count() == 1


def test_when_the_loop_cannot_connect_django_answers(tree, people, threads, monkeypatch):
    report = _month_with_records(tree, people.member_a)
    _, token = api_token_create(actor=people.member_a, name="手机")

    async def refused():
        raise psycopg.OperationalError("connection refused")

    monkeypatch.setattr(submit_loop, "_connect", refused)
    answer = submit(report.pk, {"version": report.version, "endorse": True}, token)
    assert answer[0] == 200 and threads == [1]
    assert submit_loop.CONNECTIONS.open == 0
