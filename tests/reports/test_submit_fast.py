"""The API's submit in hand-written SQL (reports/submit_path.py) against the service it stands in for:
for the usual case it must store exactly what services.monthly_report_submit stores (fields, digest,
transition, audit entry whose hash verifies), and for anything else it must write nothing and leave
the answer to the service."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jijian.api.auth import api_token_create
from jijian.audit.models import AuditEvent
from jijian.audit.services import audit_seal, audit_verify, content_hash_of
from jijian.core.roles import Role
from jijian.reports import submit_path
from jijian.reports.models import MonthlyReport, ReportState, ReportTransition
from jijian.reports.services import (
    duty_record_create,
    duty_types_for,
    monthly_report_return,
    monthly_report_save_draft,
    monthly_report_submit,
)
from tests.concurrency import together
from tests.conftest import make_user
from tests.reports.test_member_views import at, open_month

DAY = date(2025, 10, 31)


@pytest.fixture(autouse=True, params=[False, True], ids=["django-cursor", "prepared"])
def prepared(request, settings):
    """Every test with and without prepared statements (core/rawsql.py: on PostgreSQL with the pool
    the statements are bound on the server and prepared; elsewhere Django's cursor)."""
    settings.JIJIAN_DB_PREPARE = request.param
    return request.param


STORED = [
    "state",
    "version",
    "is_zero_report",
    "summary",
    "problems",
    "counts",
    "submitted_at",
    "first_submitted_at",
    "is_late",
    "late_days",
    "endorsement_statement",
    "endorsed_by_id",
    "endorsed_at",
    "endorsement_digest",
]


def _month_with_records(tree, member, month=date(2025, 10, 1)) -> MonthlyReport:
    """A draft with duty records of several types and value kinds (text, numbers, a decimal amount,
    a choice, Chinese notes, an empty place)."""
    report = open_month(tree, month)
    types = {t.code: t for t in duty_types_for(month.year)}
    with at(DAY):
        duty_record_create(
            actor=member,
            duty_type=types["household_visit"],
            occurred_on=month.replace(day=3),
            place="三组",
            notes="走访“五保户”，了解低保发放",
            data={"households": 4},
        )
        duty_record_create(
            actor=member,
            duty_type=types["reimbursement_check"],
            occurred_on=month.replace(day=9),
            data={"count": 12, "amount": Decimal("3456.78"), "objections": 1},
        )
        duty_record_create(
            actor=member,
            duty_type=types["welfare_check"],
            occurred_on=month.replace(day=20),
            notes="",
            data={"item": "耕地地力保护补贴", "stage": "公示3天", "households": 37},
        )
        return monthly_report_save_draft(
            actor=member,
            report=report,
            version=report.version,
            summary="本月走访4户，复审单据12张（异议1张）",
            problems="公示栏未更新",
            counts={"meetings": 2},
        )


def _post_submit(client, report_id: int, version: int, **headers):
    """POST the API's submit, endorsed, at `version` (on DAY)."""
    with at(DAY):
        return client.post(
            f"/api/reports/{report_id}/submit",
            data=json.dumps({"version": version, "endorse": True}),
            content_type="application/json",
            **headers,
        )


def _stored(report) -> dict:
    row = MonthlyReport.objects.get(pk=report.pk)
    return {name: getattr(row, name) for name in STORED}


def _trail(report) -> list[list[tuple]]:
    """The report's submissions: its transitions into a submitted state and their audit entries."""
    transitions = [
        (t.from_state, t.to_state, t.actor_id, t.reason)
        for t in ReportTransition.objects.filter(
            report_id=report.pk, to_state__in=[ReportState.SUBMITTED, ReportState.RESUBMITTED]
        ).order_by("pk")
    ]
    audits = [
        (a.action, a.actor_id, a.actor_name, a.summary, a.after, a.org_unit_id, a.object_type)
        for a in AuditEvent.objects.filter(object_id=str(report.pk), action="monthly_report.submit").order_by(
            "pk"
        )
    ]
    return [transitions, audits]


def _both_ways(tree, people, *, day=DAY, prepare=None):
    """Submit the same content once through the service and once through the fast path (the same
    village, one month apart, so nothing but the month differs). Returns (service's, fast path's)."""
    member = people.member_a
    slow = _month_with_records(tree, member, date(2025, 9, 1))
    fast = _month_with_records(tree, member, date(2025, 10, 1))
    if prepare:
        slow, fast = prepare(slow), prepare(fast)
    with at(day):
        done_slow = monthly_report_submit(actor=member, report=slow, version=slow.version, endorse=True)
        done_fast = submit_path.submit(member, fast.pk, fast.version, True)
    assert done_fast is not None, "the usual case must take the fast path"
    return done_slow, done_fast


def _without_month(values: dict) -> dict:
    return {k: v for k, v in values.items() if k not in ("endorsement_digest",)}


def test_the_fast_path_stores_what_the_service_stores(tree, people):
    slow, fast = _both_ways(tree, people, day=date(2025, 11, 12))  # late for both months
    a, b = _stored(slow), _stored(fast)
    for name in ("submitted_at", "first_submitted_at", "endorsed_at"):
        assert a.pop(name) is not None and b.pop(name) is not None
    a.pop("late_days"), b.pop("late_days")  # different deadlines: September's and October's
    assert _without_month(a) == _without_month(b)
    assert b["state"] == ReportState.SUBMITTED and b["is_late"] and b["endorsed_by_id"] == people.member_a.pk
    # The digest is the service's function of the stored content: recomputed from the ORM's reading
    # of the row and its records, it matches what the fast path stored.
    from jijian.reports.models import DutyRecord
    from jijian.reports.services import DIGEST_RECORD_FIELDS, report_digest

    row = MonthlyReport.objects.get(pk=fast.pk)
    records = list(
        DutyRecord.objects.filter(village_id=row.village_id, month=row.month, is_deleted=False)
        .order_by("pk")
        .values(*DIGEST_RECORD_FIELDS)
    )
    assert len(records) == 3 and report_digest(row, records) == row.endorsement_digest
    # The answer the API serialises is the stored row.
    assert fast.version == row.version and fast.endorsement_digest == row.endorsement_digest
    assert fast.submitted_at == row.submitted_at and fast.village.name == tree.village_a.name
    # Same transition and audit entry (but for the month in the summary).
    slow_trail, fast_trail = _trail(slow), _trail(fast)
    assert [t[:3] for t in fast_trail[0]] == [(ReportState.DRAFT, ReportState.SUBMITTED, people.member_a.pk)]
    assert [t[:3] for t in slow_trail[0]] == [t[:3] for t in fast_trail[0]]
    (audit,) = fast_trail[1]
    assert audit[3] == "提交月报 2025-10" and audit[4] == {
        "digest": row.endorsement_digest,
        "late_days": row.late_days,
    }
    assert [a[:3] for a in slow_trail[1]] == [a[:3] for a in fast_trail[1]]


def test_the_fast_paths_audit_entry_verifies_in_the_chain(tree, people):
    _, fast = _both_ways(tree, people)
    event = AuditEvent.objects.get(object_id=str(fast.pk), action="monthly_report.submit")
    assert event.content_hash == content_hash_of(event)  # re-read from the database
    audit_seal()
    result = audit_verify()
    assert result.ok, result


def test_a_resubmission_after_a_return_takes_the_fast_path_too(tree, people):
    def returned(report):
        with at(DAY):
            submitted = monthly_report_submit(
                actor=people.member_a, report=report, version=report.version, endorse=True
            )
            back = monthly_report_return(
                actor=people.township_a, report=submitted, reason="走访户数与记录不符"
            )
        return MonthlyReport.objects.get(pk=back.pk)

    slow, fast = _both_ways(tree, people, day=date(2025, 11, 20), prepare=returned)
    a, b = _stored(slow), _stored(fast)
    assert b["state"] == a["state"] == ReportState.RESUBMITTED and b["version"] == a["version"]
    # Lateness stays what the first submission decided (on October 31: September's late, October's
    # on time), not the resubmission's date.
    assert (b["is_late"], b["late_days"]) == (False, 0) and a["is_late"] and a["late_days"] == 25
    assert _trail(fast)[1][-1][3] == "重新提交月报 2025-10"


@pytest.mark.parametrize(
    "case",
    ["not_endorsed", "stale_version", "already_submitted", "other_village", "no_such_report", "future_month",
     "zero_with_records", "empty", "not_a_member"],
)  # fmt: skip
def test_anything_but_the_usual_case_writes_nothing_and_is_left_to_the_service(tree, people, case):
    member = people.member_a
    report = _month_with_records(tree, member)
    version, report_id, endorse, actor, day = report.version, report.pk, True, member, DAY
    if case == "not_endorsed":
        endorse = False
    elif case == "stale_version":
        version -= 1
    elif case == "already_submitted":
        with at(DAY):
            monthly_report_submit(actor=member, report=report, version=version, endorse=True)
    elif case == "other_village":
        actor = make_user("member_b", tree.village_b, Role.VILLAGE_MEMBER)
    elif case == "no_such_report":
        report_id = 10**9
    elif case == "future_month":
        day = date(2025, 9, 30)
    elif case == "zero_with_records":
        MonthlyReport.objects.filter(pk=report.pk).update(is_zero_report=True)
    elif case == "empty":
        MonthlyReport.objects.filter(pk=report.pk).update(summary="  ", counts={})
        from jijian.reports.models import DutyRecord

        DutyRecord.objects.filter(village_id=report.village_id).update(is_deleted=True)
    elif case == "not_a_member":
        actor = people.township_a
    before = (_stored(report), _trail(report), AuditEvent.objects.count())
    with at(day):
        assert submit_path.submit(actor, report_id, version, endorse) is None
    assert (_stored(report), _trail(report), AuditEvent.objects.count()) == before


def test_the_api_submit_is_two_statements_on_postgresql_and_the_answer_is_the_stored_row(
    tree, people, client
):
    report = _month_with_records(tree, people.member_a)
    _, raw = api_token_create(actor=people.member_a, name="手机")
    # A token in use: its first request notes last_used_at (one UPDATE), later ones within 5 minutes not.
    assert client.get("/api/reports/mine", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = _post_submit(client, report.pk, report.version, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    body, row = response.json(), MonthlyReport.objects.get(pk=report.pk)
    assert body["state"] == "submitted" and body["version"] == row.version == report.version + 1
    assert (
        body["endorsement_digest"] == row.endorsement_digest and body["village_name"] == tree.village_a.name
    )
    statements = [
        q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    kinds = [s.split(" ")[0] for s in statements]
    # The token with its user, unit and roles, and the report with its records: one read.
    read = statements[0]
    assert 'FROM "api_apitoken"' in read and 'LEFT JOIN "reports_monthlyreport"' in read
    assert 'LEFT JOIN "reports_dutyrecord"' in read
    if connection.vendor == "postgresql":
        assert kinds == ["SELECT", "WITH"], statements  # the write: one statement
        assert "UPDATE" in statements[1] and statements[1].count("INSERT INTO") == 2
    else:
        assert kinds == ["SELECT", "UPDATE", "INSERT", "INSERT"], statements
    assert not any("FOR UPDATE" in s for s in statements)
    assert [t[:2] for t in _trail(report)[0]] == [(ReportState.DRAFT, ReportState.SUBMITTED)]


def test_a_token_submit_of_a_report_outside_the_members_village_is_a_404_and_writes_nothing(
    tree, people, client
):
    other = make_user("member_b", tree.village_b, Role.VILLAGE_MEMBER)
    theirs = open_month(tree)  # village_a's report
    _, raw = api_token_create(actor=other, name="手机")
    before = (_stored(theirs), AuditEvent.objects.count())
    for report_id in (theirs.pk, 10**9):
        response = _post_submit(client, report_id, theirs.version, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 404, response.content
    assert (_stored(theirs), AuditEvent.objects.count()) == before


def test_a_browser_session_submits_through_the_same_path(tree, people, login):
    report = _month_with_records(tree, people.member_a)
    client = login(people.member_a)
    with CaptureQueriesContext(connection) as queries:
        response = _post_submit(client, report.pk, report.version)
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    # No token to read the report with: the fast path reads it on its own (not the service's FOR UPDATE).
    assert any(q["sql"].startswith('SELECT r."id"') for q in queries.captured_queries)
    assert not any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)
    assert _stored(report)["endorsement_digest"] == response.json()["endorsement_digest"]
    assert [t[:2] for t in _trail(report)[0]] == [(ReportState.DRAFT, ReportState.SUBMITTED)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent connections")
def test_four_devices_submitting_one_report_at_once_submit_it_once(tree, people):
    """The same draft submitted by four requests at the same moment (real connections): every answer
    is the submitted report, and there is one transition and one audit entry."""
    from django.test import Client

    report = _month_with_records(tree, people.member_a)
    _, raw = api_token_create(actor=people.member_a, name="手机")

    def device(i: int) -> tuple[int, dict]:
        response = _post_submit(Client(), report.pk, report.version, HTTP_AUTHORIZATION=f"Bearer {raw}")
        return response.status_code, response.json()

    answers, errors = together(4, device)
    assert errors == []
    row = MonthlyReport.objects.get(pk=report.pk)
    assert [status for status, _ in answers] == [200] * 4
    assert {body["state"] for _, body in answers} == {"submitted"}
    assert {body["version"] for _, body in answers} == {row.version} == {report.version + 1}
    assert {body["endorsement_digest"] for _, body in answers} == {row.endorsement_digest}
    assert [t[:2] for t in _trail(report)[0]] == [(ReportState.DRAFT, ReportState.SUBMITTED)]
    assert len(_trail(report)[1]) == 1
