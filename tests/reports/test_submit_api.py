"""The member's submit through the API (POST /api/reports/<id>/submit, services.monthly_report_submit):
what it stores (fields, digest, transition, an audit entry whose hash verifies), what it answers, what
it refuses without writing anything, and that a report is submitted once however many devices send it."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jijian.audit.models import AuditEvent
from jijian.audit.services import audit_seal, audit_verify, content_hash_of
from jijian.core.api.auth import api_token_create
from jijian.core.orgs.workdays import working_days_between
from jijian.core.roles import Role
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
from tests.reports.helpers import at, open_month

DAY = date(2025, 10, 31)


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
            counts_note="两次会议未单独记纪实",  # a count above the log needs a note
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


def _token(member) -> dict:
    _, raw = api_token_create(actor=member, name="手机")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _digest_of_stored(report) -> tuple[str, int]:
    """(the digest recomputed from the ORM's reading of the stored row and its records, how many records)."""
    from jijian.reports.models import DutyRecord
    from jijian.reports.services import report_digest

    row = MonthlyReport.objects.get(pk=report.pk)
    records = list(
        DutyRecord.objects.filter(village_id=row.village_id, month=row.month, is_deleted=False)
        .order_by("pk")
        .values("pk", "duty_type__code", "occurred_on", "place", "notes", "data")
    )
    return report_digest(row, records), len(records)


def test_a_submit_stores_the_endorsed_content_and_answers_the_stored_row(tree, people, client):
    member = people.member_a
    report = _month_with_records(tree, member)
    with at(date(2025, 11, 12)):  # late
        response = client.post(
            f"/api/reports/{report.pk}/submit",
            data=json.dumps({"version": report.version, "endorse": True}),
            content_type="application/json",
            **_token(member),
        )
    assert response.status_code == 200, response.content
    body, stored = response.json(), _stored(report)
    assert stored["state"] == ReportState.SUBMITTED and stored["version"] == report.version + 1
    assert stored["is_late"] and stored["late_days"] == working_days_between(
        report.deadline, date(2025, 11, 12)
    )  # working days
    assert stored["endorsed_by_id"] == member.pk and stored["endorsement_statement"]
    assert stored["first_submitted_at"] == stored["submitted_at"] == stored["endorsed_at"] is not None
    # The digest covers the stored content: recomputed from the row and its records, it matches.
    digest, records = _digest_of_stored(report)
    assert records == 3 and digest == stored["endorsement_digest"]
    # The answer is the stored row.
    assert body["state"] == "submitted" and body["version"] == stored["version"]
    assert body["is_late"] and "endorsement_digest" not in body  # the member is not shown the digest
    assert body["village_name"] == tree.village_a.name and body["state_label"]
    transitions, audits = _trail(report)
    assert [t[:3] for t in transitions] == [(ReportState.DRAFT, ReportState.SUBMITTED, member.pk)]
    (audit,) = audits
    assert audit[0] == "monthly_report.submit" and audit[3] == "提交月报 2025-10"
    assert audit[4] == {"digest": stored["endorsement_digest"], "late_days": stored["late_days"]}


def test_the_submits_audit_entry_verifies_in_the_chain(tree, people, client):
    report = _month_with_records(tree, people.member_a)
    assert _post_submit(client, report.pk, report.version, **_token(people.member_a)).status_code == 200
    event = AuditEvent.objects.get(object_id=str(report.pk), action="monthly_report.submit")
    assert event.content_hash == content_hash_of(event)  # re-read from the database
    audit_seal()
    result = audit_verify()
    assert result.ok, result


def test_a_resubmission_after_a_return_keeps_the_first_submissions_lateness(tree, people, client):
    member = people.member_a
    report = _month_with_records(tree, member)
    with at(DAY):
        submitted = monthly_report_submit(actor=member, report=report, version=report.version, endorse=True)
        back = monthly_report_return(actor=people.township_a, report=submitted, reason="走访户数与记录不符")
    with at(date(2025, 11, 20)):
        response = client.post(
            f"/api/reports/{report.pk}/submit",
            data=json.dumps({"version": back.version, "endorse": True}),
            content_type="application/json",
            **_token(member),
        )
    assert response.status_code == 200 and response.json()["state"] == "resubmitted"
    stored = _stored(report)
    assert stored["state"] == ReportState.RESUBMITTED and stored["version"] == back.version + 1
    # On time when first submitted (October 31), so not late now either.
    assert (stored["is_late"], stored["late_days"]) == (False, 0)
    assert _trail(report)[1][-1][3] == "重新提交月报 2025-10"


@pytest.mark.parametrize(
    ("case", "status"),
    [("not_endorsed", 400), ("stale_version", 409), ("other_village", 404), ("no_such_report", 404),
     ("future_month", 400), ("zero_with_records", 400), ("empty", 400), ("not_a_member", 404)],
)  # fmt: skip
def test_a_submit_that_may_not_be_made_is_refused_and_writes_nothing(tree, people, client, case, status):
    member = people.member_a
    report = _month_with_records(tree, member)
    version, report_id, endorse, actor, day = report.version, report.pk, True, member, DAY
    if case == "not_endorsed":
        endorse = False
    elif case == "stale_version":
        version -= 1
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
        response = client.post(
            f"/api/reports/{report_id}/submit",
            data=json.dumps({"version": version, "endorse": endorse}),
            content_type="application/json",
            **_token(actor),
        )
    assert response.status_code == status, response.content
    assert response.json()["error"]["message"]
    after = (_stored(report), _trail(report), AuditEvent.objects.count())
    assert after[:2] == before[:2] and after[2] == before[2] + 1  # only the token's creation


def test_a_second_submit_answers_the_submitted_report_and_writes_nothing(tree, people, client):
    member = people.member_a
    report = _month_with_records(tree, member)
    token = _token(member)
    first = _post_submit(client, report.pk, report.version, **token)
    before = (_stored(report), _trail(report))
    again = _post_submit(client, report.pk, report.version, **token)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert (_stored(report), _trail(report)) == before


def test_the_submits_statements_do_not_grow_with_the_months_records(tree, people, client):
    member = people.member_a
    token = _token(member)
    # A token in use: its first request notes last_used_at (one UPDATE), later ones within 5 minutes not.
    assert client.get("/api/reports/mine", **token).status_code == 200

    def statements(report) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert _post_submit(client, report.pk, report.version, **token).status_code == 200
        return len(queries.captured_queries)

    without = open_month(tree, date(2025, 9, 1))
    # On time like the other (lateness is counted on the working-day calendar, which reads its rows).
    MonthlyReport.objects.filter(pk=without.pk).update(
        summary="本月无事项，已走访", deadline=date(2025, 11, 10)
    )
    without.refresh_from_db()
    few = statements(without)
    assert statements(_month_with_records(tree, member)) == few


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


def test_a_browser_session_submits_too(tree, people, login):
    report = _month_with_records(tree, people.member_a)
    client = login(people.member_a)
    with CaptureQueriesContext(connection) as queries:
        response = _post_submit(client, report.pk, report.version)
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    # The usual case: the conditional UPDATE is the concurrency check, no row lock taken.
    assert not any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)
    assert _stored(report)["endorsement_digest"] and "endorsement_digest" not in response.json()
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
    assert {body["submitted_at"] for _, body in answers} == {answers[0][1]["submitted_at"]}  # one submit
    assert row.endorsement_digest and all("endorsement_digest" not in body for _, body in answers)
    assert [t[:2] for t in _trail(report)[0]] == [(ReportState.DRAFT, ReportState.SUBMITTED)]
    assert len(_trail(report)[1]) == 1


def _post_body(client, report_id: int, body: str, token: str | None, **headers):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    with at(DAY):
        return client.post(
            f"/api/reports/{report_id}/submit", data=body, content_type="application/json", **headers
        )


def test_a_token_unused_for_a_while_is_noted_as_used(client, tree, people):
    report = _month_with_records(tree, people.member_a)
    token_row, token = api_token_create(actor=people.member_a, name="手机")
    assert token_row.last_used_at is None
    body = json.dumps({"version": report.version, "endorse": True})
    assert _post_body(client, report.pk, body, token).status_code == 200
    token_row.refresh_from_db()
    assert token_row.last_used_at is not None


BODIES = {
    # body, the answer's status
    "version as a string (pydantic converts it)": ('{"version": "%d", "endorse": true}', 200),
    "not endorsed": ('{"version": %d, "endorse": false}', 400),
    "endorse left out": ('{"version": %d}', 400),
    "an extra field": ('{"version": %d, "endorse": true, "note": "x"}', 200),
    "version missing": ('{"endorse": true, "v": %d}', 422),
    "version zero": ('{"version": 0, "endorse": true, "v": %d}', 422),
    "a list, not an object": ("[%d, true]", 422),
    "not JSON": ("version=%d&endorse=true", 400),
    "stale version": ('{"version": %d9, "endorse": true}', 409),
}


@pytest.mark.parametrize("case", BODIES)
def test_the_body_is_checked_as_the_api_document_says(client, tree, people, case):
    report = _month_with_records(tree, people.member_a)
    _, token = api_token_create(actor=people.member_a, name="手机")
    body, status = BODIES[case]
    response = _post_body(client, report.pk, body % report.version, token)
    assert response.status_code == status, response.content.decode()
    stored = MonthlyReport.objects.get(pk=report.pk)
    if status == 200:
        assert stored.state == ReportState.SUBMITTED
    else:
        assert "error" in response.json() and stored.state == ReportState.DRAFT
        assert stored.version == report.version


def test_without_a_valid_token_the_answer_is_401(client, tree, people):
    report = _month_with_records(tree, people.member_a)
    body = json.dumps({"version": report.version, "endorse": True})
    for token in (None, "jj_not-a-token", "x" * 101):
        response = _post_body(client, report.pk, body, token)
        assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"
    _, token = api_token_create(actor=people.member_a, name="手机")
    basic = _post_body(client, report.pk, body, None, HTTP_AUTHORIZATION=f"Basic {token}")
    assert basic.status_code == 401
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DRAFT


def test_other_methods_get_405(client, tree, people):
    report = _month_with_records(tree, people.member_a)
    _, token = api_token_create(actor=people.member_a, name="手机")
    response = client.get(f"/api/reports/{report.pk}/submit", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 405


def test_a_browser_session_without_the_csrf_token_is_refused(tree, people):
    from django.test import Client

    from tests.conftest import sign_in

    report = _month_with_records(tree, people.member_a)
    client = Client(enforce_csrf_checks=True)
    sign_in(client, people.member_a)
    response = _post_body(client, report.pk, json.dumps({"version": report.version, "endorse": True}), None)
    assert response.status_code == 403
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DRAFT
