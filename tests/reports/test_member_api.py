"""The member API at /api/reports/: scoped like the pages, one error format, 409 on stale versions,
idempotent offline retries."""

import json
import uuid
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jijian.reports.models import DutyRecord, MonthlyReport, ReportState
from tests.reports.helpers import at, open_month, visit


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_member_lists_and_reads_their_reports(tree, people, login):
    report = open_month(tree)
    client = login(people.member_a)
    listing = client.get("/api/reports/mine").json()
    assert [r["id"] for r in listing] == [report.pk] and listing[0]["state"] == "not_started"
    detail = client.get(f"/api/reports/{report.pk}").json()
    assert detail["village_name"] == tree.village_a.name and detail["transitions"] == []
    assert detail["version"] == 1


def test_full_member_cycle_through_the_api(tree, people, login):
    report = open_month(tree)
    client = login(people.member_a)
    with at(date(2025, 10, 20)):
        types = client.get("/api/reports/duty-types?year=2025").json()
        visit_type = next(t for t in types if t["code"] == "household_visit")
        assert visit_type["fields"][0]["name"] == "households" and visit_type["fields"][0]["min"] == 1
        created = post(
            client,
            "/api/reports/records",
            {
                "duty_type": "household_visit",
                "occurred_on": "2025-10-19",
                "place": "三组",
                "data": {"households": 4},
            },
        )
        assert created.status_code == 201 and created.json()["month"] == "2025-10-01"
        records = client.get("/api/reports/records?month=2025-10").json()
        assert [r["data"] for r in records] == [{"households": 4}]
    with at(date(2025, 10, 31)):
        saved = post(
            client,
            f"/api/reports/{report.pk}/draft",
            {"version": 1, "summary": "走访4户", "counts": {"household_visit": 1}},
        )
        assert saved.status_code == 200 and saved.json()["state"] == "draft"
        missing = post(client, f"/api/reports/{report.pk}/submit", {"version": 2})
        assert missing.status_code == 400
        assert missing.json()["error"]["message"] == "请确认签字背书承诺后再提交"
        done = post(client, f"/api/reports/{report.pk}/submit", {"version": 2, "endorse": True})
        assert done.status_code == 200 and done.json()["state"] == "submitted"
        again = post(client, f"/api/reports/{report.pk}/submit", {"version": 2, "endorse": True})
        assert again.status_code == 200 and again.json()["version"] == done.json()["version"]
    assert MonthlyReport.objects.get(pk=report.pk).transitions.count() == 2  # draft, submitted; once


def test_the_member_api_does_not_hand_the_member_the_endorsement_digest(tree, people, login):
    """The pages hide the SM3 digest from the member (it is for reviewers); so does the member API.
    The reviewers' API still returns it (test_review_api.py)."""
    report = open_month(tree)
    client = login(people.member_a)
    with at(date(2025, 10, 31)):
        saved = post(client, f"/api/reports/{report.pk}/draft", {"version": 1, "summary": "本月无事项"})
        done = post(client, f"/api/reports/{report.pk}/submit", {"version": 2, "endorse": True})
    assert done.status_code == 200 and saved.status_code == 200
    assert MonthlyReport.objects.get(pk=report.pk).endorsement_digest  # it was computed and stored
    answers = [
        done.json(),
        client.get(f"/api/reports/{report.pk}").json(),
        *client.get("/api/reports/mine").json(),
    ]
    assert all("endorsement_digest" not in answer for answer in answers)


def test_a_stale_draft_from_a_second_device_is_a_409_and_overwrites_nothing(tree, people, login):
    report = open_month(tree)
    client = login(people.member_a)
    with at(date(2025, 10, 20)):
        assert (
            post(client, f"/api/reports/{report.pk}/draft", {"version": 1, "summary": "手机"}).status_code
            == 200
        )
        stale = post(client, f"/api/reports/{report.pk}/draft", {"version": 1, "summary": "电脑"})
        stale_submit = post(client, f"/api/reports/{report.pk}/submit", {"version": 1, "endorse": True})
    assert stale.status_code == 409 and stale_submit.status_code == 409
    assert stale.json() == {
        "error": {"code": "conflict", "message": "已在其他设备修改，请刷新", "details": []}
    }
    report.refresh_from_db()
    assert report.summary == "手机" and report.state == ReportState.DRAFT


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"counts": {"household_visit": -1}}, "数量不能为负数"),
        ({"counts": {"household_visit": 10_001}}, "明显不合理"),
    ],
)
def test_absurd_counts_are_refused(tree, people, login, payload, message):
    report = open_month(tree)
    client = login(people.member_a)
    with at(date(2025, 10, 20)):
        response = post(client, f"/api/reports/{report.pk}/draft", {"version": 1, **payload})
    assert response.status_code == 400 and message in response.json()["error"]["message"]
    report.refresh_from_db()
    assert report.version == 1 and report.counts == {}


def test_a_zero_report_with_records_and_a_future_month_are_refused(tree, people, login):
    report = open_month(tree)
    future = open_month(tree, date(2025, 12, 1))
    visit(people.member_a, date(2025, 10, 5))
    client = login(people.member_a)
    with at(date(2025, 10, 20)):
        post(client, f"/api/reports/{report.pk}/draft", {"version": 1, "is_zero_report": True})
        zero = post(client, f"/api/reports/{report.pk}/submit", {"version": 2, "endorse": True})
        ahead = post(client, f"/api/reports/{future.pk}/draft", {"version": 1, "summary": "x"})
    assert zero.status_code == 400 and "不能作零报告" in zero.json()["error"]["message"]
    assert ahead.status_code == 400 and "未来月份" in ahead.json()["error"]["message"]
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DRAFT
    assert MonthlyReport.objects.get(pk=future.pk).version == 1


def test_an_offline_record_sent_twice_is_recorded_once(tree, people, login):
    client = login(people.member_a)
    payload = {
        "duty_type": "reminder_talk",
        "occurred_on": "2025-10-18",
        "data": {"persons": 2},
        "client_uuid": str(uuid.uuid4()),
    }
    with at(date(2025, 10, 20)):
        first = post(client, "/api/reports/records", payload)
        second = post(client, "/api/reports/records", payload)
    assert first.json()["id"] == second.json()["id"]
    assert DutyRecord.objects.count() == 1


def test_record_update_and_delete_check_the_version(tree, people, login):
    record = visit(people.member_a, date(2025, 10, 10))
    client = login(people.member_a)
    url = f"/api/reports/records/{record.pk}"
    with at(date(2025, 10, 20)):
        body = {"version": 1, "occurred_on": "2025-10-10", "data": {"households": 6}}
        assert post(client, url, body).status_code == 200
        assert post(client, url, body).status_code == 409
        bad = post(client, url, {"version": 2, "occurred_on": "2025-10-10", "data": {"households": -6}})
        assert bad.status_code == 400 and "走访户数：不能小于 1" in bad.json()["error"]["message"]
        assert client.delete(url).status_code == 400
        assert client.delete(url + "?version=1").status_code == 409
        assert client.delete(url + "?version=2").status_code == 204
    assert DutyRecord.objects.get(pk=record.pk).is_deleted


def test_a_future_date_and_an_unknown_type_are_refused(tree, people, login):
    client = login(people.member_a)
    with at(date(2025, 10, 20)):
        future = post(
            client,
            "/api/reports/records",
            {"duty_type": "household_visit", "occurred_on": "2025-10-21", "data": {"households": 1}},
        )
        unknown = post(client, "/api/reports/records", {"duty_type": "nonsense", "occurred_on": "2025-10-19"})
        far = client.get("/api/reports/duty-types?year=2030")
    assert future.status_code == 400 and future.json()["error"]["message"] == "履职日期不能晚于今天"
    assert unknown.status_code == 400 and "事项类型" in unknown.json()["error"]["message"]
    assert far.status_code == 400
    assert not DutyRecord.objects.exists()


@pytest.mark.parametrize("persona", ["township_b", "outsider", "zone_officer"])
def test_outside_the_village_everything_is_404(tree, people, login, persona):
    report = open_month(tree)
    record = visit(people.member_a, date(2025, 10, 10))
    client = login(getattr(people, persona))
    assert client.get(f"/api/reports/{report.pk}").status_code == 404
    assert client.get(f"/api/reports/records/{record.pk}").status_code == 404
    assert post(client, f"/api/reports/{report.pk}/draft", {"version": 1}).status_code == 404
    assert client.get("/api/reports/mine").status_code == 404


def test_the_township_reads_but_cannot_write_the_members_report(tree, people, login):
    report = open_month(tree)
    client = login(people.township_a)
    assert client.get(f"/api/reports/{report.pk}").status_code == 200
    response = post(client, f"/api/reports/{report.pk}/submit", {"version": 1, "endorse": True})
    assert response.status_code == 404
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.NOT_STARTED


def test_the_record_list_costs_the_same_for_more_records(tree, people, login):
    client = login(people.member_a)
    url = "/api/reports/records?month=2025-10"

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for day in (1, 2):
        visit(people.member_a, date(2025, 10, day))
    few = count()
    for day in range(3, 13):
        visit(people.member_a, date(2025, 10, day))
    assert count() == few
