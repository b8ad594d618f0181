"""The review API: queue, approve with a score, return with a reason, batch approve, grades; the
same 404 outside the caller's jurisdiction, one error format for bad input."""

import json

import pytest

from jijian.reports.models import AnnualGrade, MonthlyReport, ReportState
from tests.conftest import make_user
from tests.reports.authz_entries_review import OCT, submitted_report

BASE = "/api/reports/review/"


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def report_a(tree, people):
    return submitted_report(tree.village_a, people.member_a)


def test_queue_is_scoped(login, people, report_a):
    rows = login(people.township_a).get(BASE).json()["items"]
    assert [r["id"] for r in rows] == [report_a.pk] and rows[0]["township_name"] == "厉山镇"
    assert login(people.township_b).get(BASE).json()["items"] == []
    assert login(people.member_a).get(BASE).status_code == 404


def test_queue_filters(login, people, report_a):
    client = login(people.township_a)
    assert client.get(BASE, {"q": "snc"}).json()["count"] == 1
    assert client.get(BASE, {"late": "true"}).json()["count"] == 0
    assert client.get(BASE, {"month": "2025-09-01"}).json()["count"] == 0


def test_approve_with_score(login, people, report_a):
    response = post(
        login(people.township_a),
        f"{BASE}{report_a.pk}/approve",
        {"score_detail": {"complete": 30, "quality": 25}, "comment": "好"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "approved" and float(response.json()["score"]) == 55


def test_bad_score_is_refused_in_the_one_error_format(login, people, report_a):
    response = post(
        login(people.township_a), f"{BASE}{report_a.pk}/approve", {"score_detail": {"complete": 99}}
    )
    assert response.status_code == 400 and "40" in response.json()["error"]["message"]
    report_a.refresh_from_db()
    assert report_a.state == ReportState.SUBMITTED


def test_a_review_sent_with_the_version_read_is_refused_once_the_report_changed(
    login, tree, people, report_a
):
    colleague = make_user("township_a2", tree.township_a, "township_committee")
    assert (
        post(login(colleague), f"{BASE}{report_a.pk}/approve", {"version": report_a.version}).status_code
        == 200
    )
    client = login(people.township_a)
    for action, body in (("return", {"reason": "请补充"}), ("approve", {"comment": "很好"})):
        response = post(client, f"{BASE}{report_a.pk}/{action}", {**body, "version": report_a.version})
        assert response.status_code == 400 and "您的审核未保存" in response.json()["error"]["message"]
    report_a.refresh_from_db()
    assert report_a.state == ReportState.APPROVED and report_a.review_comment == ""


def test_return_requires_a_reason(login, people, report_a):
    client = login(people.township_a)
    response = post(client, f"{BASE}{report_a.pk}/return", {"reason": " "})
    assert response.status_code == 400 and response.json()["error"]["message"] == "退回必须填写原因"
    response = post(client, f"{BASE}{report_a.pk}/return", {"reason": "请补充"})
    assert response.json()["state"] == "returned" and response.json()["return_reason"] == "请补充"


def test_other_township_gets_404(login, people, report_a):
    client = login(people.township_b)
    assert client.get(f"{BASE}{report_a.pk}").status_code == 404
    assert post(client, f"{BASE}{report_a.pk}/approve", {}).status_code == 404
    assert post(client, f"{BASE}{report_a.pk}/return", {"reason": "x"}).status_code == 404
    assert post(client, f"{BASE}batch-approve", {"ids": [report_a.pk]}).json() == {
        "approved": 0,
        "skipped": 1,
    }
    report_a.refresh_from_db()
    assert report_a.state == ReportState.SUBMITTED


def test_county_reads_but_cannot_approve(login, people, report_a):
    client = login(people.county_officer)
    assert client.get(f"{BASE}{report_a.pk}").json()["endorsement_digest"] == report_a.endorsement_digest
    assert post(client, f"{BASE}{report_a.pk}/approve", {}).status_code == 404


def test_batch_approve(login, tree, people, report_a):
    other = submitted_report(tree.village_a2, make_user("member_a2", tree.village_a2, "village_member"))
    result = post(login(people.township_a), f"{BASE}batch-approve", {"ids": [report_a.pk, other.pk]}).json()
    assert result == {"approved": 2, "skipped": 0}
    assert set(MonthlyReport.objects.filter(month=OCT).values_list("state", flat=True)) == {"approved"}


def test_batch_approve_with_versions_approves_what_was_read(login, tree, people, report_a):
    other = submitted_report(tree.village_a2, make_user("member_a2", tree.village_a2, "village_member"))
    items = [{"id": report_a.pk, "version": report_a.version}, {"id": other.pk}]
    result = post(login(people.township_a), f"{BASE}batch-approve", {"reports": items})
    assert result.status_code == 200 and result.json() == {"approved": 2, "skipped": 0}
    assert set(MonthlyReport.objects.filter(month=OCT).values_list("state", flat=True)) == {"approved"}


def test_batch_approve_with_a_stale_version_approves_nothing_and_names_the_report(
    login, tree, people, report_a
):
    other = submitted_report(tree.village_a2, make_user("member_a2", tree.village_a2, "village_member"))
    read = other.version
    MonthlyReport.objects.filter(pk=other.pk).update(version=read + 1)  # resubmitted meanwhile
    items = [{"id": report_a.pk, "version": report_a.version}, {"id": other.pk, "version": read}]
    answer = post(login(people.township_a), f"{BASE}batch-approve", {"reports": items})
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "conflict"
    assert f"月报 {other.pk}" in error["message"] and tree.village_a2.name in error["message"]
    assert "均未审核通过" in error["message"]
    assert set(MonthlyReport.objects.filter(month=OCT).values_list("state", flat=True)) == {"submitted"}


def test_batch_approve_of_a_report_returned_since_it_was_read_is_a_409(login, tree, people, report_a):
    read = report_a.version
    client = login(people.township_a)
    assert post(client, f"{BASE}{report_a.pk}/return", {"reason": "材料不全"}).status_code == 200
    answer = post(client, f"{BASE}batch-approve", {"reports": [{"id": report_a.pk, "version": read}]})
    assert answer.status_code == 409 and f"月报 {report_a.pk}" in answer.json()["error"]["message"]
    report_a.refresh_from_db()
    assert report_a.state == ReportState.RETURNED


def test_batch_approve_takes_ids_or_reports(login, people, report_a):
    client = login(people.township_a)
    for body in ({}, {"ids": [report_a.pk], "reports": [{"id": report_a.pk}]}):
        answer = post(client, f"{BASE}batch-approve", body)
        assert answer.status_code == 422
        assert "二选一" in answer.json()["error"]["details"][0]["message"]
    report_a.refresh_from_db()
    assert report_a.state == ReportState.SUBMITTED


def test_grades_list_and_set(login, tree, people, report_a):
    client = login(people.township_a)
    [row] = client.get(f"{BASE}grades", {"year": 2025}).json()
    assert row["member_id"] == people.member_a.pk and row["version"] == 0
    url = f"{BASE}grades/{people.member_a.pk}"
    bad = post(client, url, {"year": 2025, "grade": "competent", "reason": "", "version": 0})
    assert bad.status_code == 400 and "理由" in bad.json()["error"]["message"]
    ok = post(client, url, {"year": 2025, "grade": "competent", "reason": "按时报送", "version": 0})
    assert ok.status_code == 200 and ok.json()["version"] == 1
    stale = post(client, url, {"year": 2025, "grade": "basic", "reason": "旧页面", "version": 0})
    assert stale.status_code == 400 and AnnualGrade.objects.get().grade == "competent"
    assert (
        post(login(people.township_b), url, {"year": 2025, "grade": "basic", "reason": "x"}).status_code
        == 404
    )
