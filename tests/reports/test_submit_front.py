"""The API's submit in front of its django-ninja operation (reports/api_member.py,
member_report_submit_front): the usual case is answered there, byte for byte as the operation
answers; anything else reaches the operation untouched and gets exactly its answer."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.urls import resolve

from jijian.api.auth import api_token_create
from jijian.core.roles import Role
from jijian.reports import api_member
from jijian.reports.models import MonthlyReport, ReportState, ReportTransition
from tests.conftest import make_user
from tests.reports.test_member_views import at
from tests.reports.test_submit_fast import DAY, _month_with_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def operation_calls():
    """The requests the front handed to the django-ninja operation."""
    calls = []
    view = api_member._operation_view()

    def counted(request, **kwargs):
        calls.append(request)
        return view(request, **kwargs)

    with mock.patch.object(api_member, "_operation_view", return_value=counted):
        yield calls


def post(client, report_id: int, body, token: str | None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    with at(DAY):
        return client.post(
            f"/api/reports/{report_id}/submit",
            data=body if isinstance(body, str | bytes) else json.dumps(body),
            content_type="application/json",
            **headers,
            **extra,
        )


def test_the_submit_url_is_the_front_and_the_openapi_document_still_has_the_operation(client):
    assert resolve("/api/reports/7/submit").func is api_member.member_report_submit_front
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "post" in paths["/api/reports/{report_id}/submit"]


def test_the_usual_case_is_answered_in_front_exactly_as_the_operation_answers(
    client, tree, people, operation_calls
):
    report = _month_with_records(tree, people.member_a)
    _, token = api_token_create(actor=people.member_a, name="手机")
    first = post(client, report.pk, {"version": report.version, "endorse": True}, token)
    assert first.status_code == 200 and operation_calls == []
    assert (
        first.json()["state"] == ReportState.SUBMITTED and first.json()["village_name"] == tree.village_a.name
    )

    # The same submit again is the idempotent case, which the operation answers from the stored row:
    # the same bytes, so the front's answer is the operation's, field for field and format for format.
    again = post(client, report.pk, {"version": report.version, "endorse": True}, token)
    assert again.status_code == 200 and len(operation_calls) == 1
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert ReportTransition.objects.filter(report_id=report.pk, to_state=ReportState.SUBMITTED).count() == 1


def test_a_token_unused_for_a_while_is_noted_as_used_by_the_front(client, tree, people, operation_calls):
    report = _month_with_records(tree, people.member_a)
    token_row, token = api_token_create(actor=people.member_a, name="手机")
    assert token_row.last_used_at is None
    assert post(client, report.pk, {"version": report.version, "endorse": True}, token).status_code == 200
    token_row.refresh_from_db()
    assert token_row.last_used_at is not None and operation_calls == []


CASES = {
    # body, what the operation answers
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


@pytest.mark.parametrize("case", CASES)
def test_anything_unusual_in_the_body_is_left_to_the_operation(client, tree, people, operation_calls, case):
    report = _month_with_records(tree, people.member_a)
    _, token = api_token_create(actor=people.member_a, name="手机")
    body, status = CASES[case]
    response = post(client, report.pk, body % report.version, token)
    assert len(operation_calls) == 1
    assert response.status_code == status, response.content.decode()
    stored = MonthlyReport.objects.get(pk=report.pk)
    if status == 200:
        assert stored.state == ReportState.SUBMITTED
    else:
        assert "error" in response.json() and stored.state == ReportState.DRAFT
        assert stored.version == report.version


def test_without_a_valid_token_the_operation_answers_401(client, tree, people, operation_calls):
    report = _month_with_records(tree, people.member_a)
    for token in (None, "jj_not-a-token", "x" * 101):
        response = post(client, report.pk, {"version": report.version, "endorse": True}, token)
        assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"
    assert len(operation_calls) == 3
    _, token = api_token_create(actor=people.member_a, name="手机")
    basic = post(
        client, report.pk, {"version": 1, "endorse": True}, None, HTTP_AUTHORIZATION=f"Basic {token}"
    )
    assert basic.status_code == 401 and len(operation_calls) == 4
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DRAFT


def test_an_outsiders_token_gets_the_operations_404(client, tree, people, operation_calls):
    report = _month_with_records(tree, people.member_a)
    other = make_user("member_b", tree.village_b, Role.VILLAGE_MEMBER)  # another village's member
    _, token = api_token_create(actor=other, name="手机")
    response = post(client, report.pk, {"version": report.version, "endorse": True}, token)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert len(operation_calls) == 1
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DRAFT


def test_other_methods_get_the_operations_405(client, tree, people, operation_calls):
    report = _month_with_records(tree, people.member_a)
    _, token = api_token_create(actor=people.member_a, name="手机")
    response = client.get(f"/api/reports/{report.pk}/submit", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 405 and len(operation_calls) == 1


def test_a_browser_session_without_the_csrf_token_is_refused_by_the_operation(tree, people, operation_calls):
    from django.test import Client

    from tests.conftest import sign_in

    report = _month_with_records(tree, people.member_a)
    client = Client(enforce_csrf_checks=True)
    sign_in(client, people.member_a)
    response = post(client, report.pk, {"version": report.version, "endorse": True}, None)
    assert response.status_code == 403 and len(operation_calls) == 1
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DRAFT
