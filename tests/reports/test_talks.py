"""Talks about missing monthly reports (reports.talks): what is due (a reminder talk, then an
accountability interview), recording one with every refusal, the page and the to-do."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.core.todos import todos_for
from jijian.reports import services, talks
from jijian.reports.models import MissingReportTalk, MonthlyReport
from tests.reports.authz_entries_review import submitted_report

SEP, OCT, NOV = date(2025, 9, 1), date(2025, 10, 1), date(2025, 11, 1)
PAGE = reverse("reports:review_talks")
Kind = talks.Kind


def at(day):
    return mock.patch.object(services, "today", return_value=day)


@pytest.fixture
def months(tree):
    """September to November 2025 opened for village A (deadlines in the following month)."""
    for month in (SEP, OCT, NOV):
        services.monthly_reports_open(month=month, under=tree.village_a)
    return {r.month: r for r in MonthlyReport.objects.filter(village=tree.village_a)}


def record(people, kind, day, notes="说明原因，表示今后按时报送", actor=None):
    with at(date(2025, 12, 20)):
        return talks.missing_report_talk_record(
            actor=actor or people.township_a, member=people.member_a, kind=kind, held_on=day, notes=notes
        )


def due(people):
    with at(date(2025, 12, 20)):
        rows = talks.talk_rows(people.township_a, year=2025)
    return {row["member"].pk: row for row in rows}[people.member_a.pk]


def test_a_reminder_talk_first_then_an_interview_when_a_month_goes_missing_after_it(tree, people, months):
    row = due(people)
    assert row["months"] == [SEP, OCT, NOV] and row["due"] == Kind.REMINDER_TALK and row["talks"] == []
    # Held after September's deadline and before October's: it covers September only.
    between = months[SEP].deadline + timedelta(days=1)
    assert between < months[OCT].deadline
    talk = record(people, Kind.REMINDER_TALK, between)
    assert talk.months == [SEP.isoformat()] and talk.village == tree.village_a
    row = due(people)
    assert row["due"] == Kind.ACCOUNTABILITY_INTERVIEW and row["talks"] == [talk]
    # An interview after November's deadline covers every month missing that day: nothing is due.
    interview = record(people, Kind.ACCOUNTABILITY_INTERVIEW, months[NOV].deadline + timedelta(days=1))
    assert interview.months == [SEP.isoformat(), OCT.isoformat(), NOV.isoformat()]
    assert due(people)["due"] == ""


def test_a_talk_on_a_deadline_day_does_not_cover_that_month(tree, people, months):
    """On its deadline day a month is not missing yet: a talk that day covers only the earlier ones."""
    talk = record(people, Kind.REMINDER_TALK, months[OCT].deadline)
    assert talk.months == [SEP.isoformat()]
    assert due(people)["due"] == Kind.ACCOUNTABILITY_INTERVIEW


def test_a_submitted_month_is_not_missing_and_a_member_with_none_missing_has_no_row(tree, people):
    submitted_report(tree.village_a, people.member_a)  # October 2025, submitted
    with at(date(2025, 12, 20)):
        assert talks.talk_rows(people.township_a, year=2025) == []
        assert talks.talks_due_count(people.township_a) == 0


@pytest.mark.parametrize(
    ("kind", "day", "notes", "message"),
    [
        ("warning", date(2025, 12, 1), "谈话", "请选择谈话方式"),
        (Kind.REMINDER_TALK, date(2025, 12, 21), "谈话", "谈话日期不能晚于今天"),
        (Kind.REMINDER_TALK, date(2025, 12, 1), "   ", "请填写谈话内容"),
        (Kind.REMINDER_TALK, date(2025, 12, 1), "话" * 2001, "不能超过2000字"),
        (Kind.REMINDER_TALK, date(2025, 9, 15), "谈话", "没有未报的月报"),  # before any deadline passed
    ],
)
def test_bad_input_is_refused_and_records_nothing(tree, people, months, kind, day, notes, message):
    with pytest.raises(ValidationError) as exc:
        record(people, kind, day, notes)
    assert message in exc.value.messages[0]
    assert (
        not MissingReportTalk.objects.exists()
        and not AuditEvent.objects.filter(action="missing_report_talk.record").exists()
    )


def test_the_same_talk_twice_is_refused(tree, people, months):
    record(people, Kind.REMINDER_TALK, date(2025, 12, 1))
    with pytest.raises(ValidationError, match="已有一条同样方式"):
        record(people, Kind.REMINDER_TALK, date(2025, 12, 1))
    assert MissingReportTalk.objects.count() == 1


def test_only_the_member_s_reviewer_records(tree, people, months):
    for outsider in (people.township_b, people.county_officer):
        with pytest.raises(PermissionDenied):
            record(people, Kind.REMINDER_TALK, date(2025, 12, 1), actor=outsider)
    assert not MissingReportTalk.objects.exists()


def test_the_page_records_a_talk_audited_and_the_to_do_counts_what_is_due(login, tree, people, months):
    client = login(people.township_a)
    with at(date(2025, 12, 20)):
        assert {t["title"]: t["count"] for t in todos_for(people.township_a)}["未报月报待谈话的委员"] == 1
        body = client.get(PAGE, {"year": 2025}).content.decode()
        assert f'id="talk-member-{people.member_a.pk}"' in body and "应提醒谈话" in body
        assert "9月、10月、11月" in body
        response = client.post(
            reverse("reports:review_talk_record", args=[people.member_a.pk]),
            {"kind": Kind.REMINDER_TALK, "held_on": "2025-12-19", "notes": "说明家中有事，表示今后按时报送"},
            follow=True,
        )
        body = response.content.decode()
        assert "已记录对" in body and "说明家中有事" in body and "已谈话" in body
        assert "未报月报待谈话的委员" not in {t["title"] for t in todos_for(people.township_a)}  # none due
        # A bad date is named, with the member, and nothing is recorded.
        response = client.post(
            reverse("reports:review_talk_record", args=[people.member_a.pk]),
            {"kind": Kind.ACCOUNTABILITY_INTERVIEW, "held_on": "十二月", "notes": "约谈"},
            follow=True,
        )
        assert "谈话日期格式应为" in response.content.decode()
    assert MissingReportTalk.objects.count() == 1
    event = AuditEvent.objects.get(action="missing_report_talk.record")
    assert event.actor_id == people.township_a.pk and "提醒谈话" in event.summary


def test_the_county_reads_the_page_but_cannot_record(login, tree, people, months):
    client = login(people.county_officer)
    with at(date(2025, 12, 20)):
        body = client.get(PAGE, {"year": 2025}).content.decode()
        assert f'id="talk-member-{people.member_a.pk}"' in body and "保存谈话记录" not in body
        assert "未报委员 1 人，其中应谈话 1 人" in body
        # Hundreds of rows for a county: found by village, township or member.
        for q, found in (("神农", True), ("厉山", True), (people.member_a.full_name, True), ("高城", False)):
            body = client.get(PAGE, {"year": 2025, "q": q}).content.decode()
            assert (f'id="talk-member-{people.member_a.pk}"' in body) is found, q
        response = client.post(
            reverse("reports:review_talk_record", args=[people.member_a.pk]),
            {"kind": Kind.REMINDER_TALK, "held_on": "2025-12-19", "notes": "谈话"},
        )
    assert response.status_code == 404 and not MissingReportTalk.objects.exists()


API = "/api/reports/review/talks"


def test_the_api_lists_what_is_due_and_records_a_talk_refusing_what_the_page_refuses(
    login, tree, people, months
):
    client = login(people.township_a)
    with at(date(2025, 12, 20)):
        rows = client.get(API, {"year": 2025}).json()
        assert [(r["member_id"], r["due"], r["months"]) for r in rows] == [
            (people.member_a.pk, "reminder_talk", ["2025-09-01", "2025-10-01", "2025-11-01"])
        ]
        url = f"{API}/{people.member_a.pk}"
        body = {"kind": "reminder_talk", "held_on": "2025-12-19", "notes": "说明原因"}
        refused = client.post(url, {**body, "held_on": "2025-12-21"}, content_type="application/json")
        assert refused.status_code == 400 and "谈话日期不能晚于今天" in refused.json()["error"]["message"]
        made = client.post(url, body, content_type="application/json")
        assert made.status_code == 200, made.content
        assert made.json()["months"] == ["2025-09-01", "2025-10-01", "2025-11-01"]
        again = client.post(url, body, content_type="application/json")
        assert again.status_code == 400 and "已有一条同样方式" in again.json()["error"]["message"]
        rows = client.get(API, {"year": 2025}).json()
        assert rows[0]["due"] == "" and rows[0]["talks"][0]["held_by_name"] == people.township_a.full_name
        other = login(people.township_b)  # the same client, signed in as the other township
        assert other.get(API, {"year": 2025}).json() == []
        assert (
            other.post(url, {**body, "held_on": "2025-12-18"}, content_type="application/json").status_code
            == 404
        )
    assert MissingReportTalk.objects.count() == 1


def test_the_page_s_queries_do_not_grow_with_members_and_talks(login, tree, people, months):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jijian.core.models import OrgKind
    from jijian.core.services import org_unit_create
    from tests.conftest import make_user

    client = login(people.township_a)
    with at(date(2025, 12, 20)):
        client.get(PAGE, {"year": 2025})
        with CaptureQueriesContext(connection) as few:
            client.get(PAGE, {"year": 2025})
        for i in range(5):
            village = org_unit_create(
                actor=None, name=f"谈话村{i}", kind=OrgKind.VILLAGE, parent=tree.township_a, audit=False
            )
            member = make_user(f"talk_m{i}", village, "village_member")
            services.monthly_reports_open(month=SEP, under=village)
            talks.missing_report_talk_record(
                actor=people.township_a,
                member=member,
                kind=Kind.REMINDER_TALK,
                held_on=date(2025, 12, 1),
                notes="谈",
            )
        with CaptureQueriesContext(connection) as many:
            body = client.get(PAGE, {"year": 2025}).content.decode()
    assert "谈话村4" in body
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_annual_grade_shows_the_year_s_talks_on_the_page_and_in_the_api(login, tree, people, months):
    """Whoever grades the member sees the talks held that year (the months still count as missing)."""
    record(people, Kind.REMINDER_TALK, months[SEP].deadline + timedelta(days=1))
    record(people, Kind.ACCOUNTABILITY_INTERVIEW, months[NOV].deadline + timedelta(days=1))
    client = login(people.township_a)
    with at(date(2025, 12, 20)):
        body = client.get(reverse("reports:review_grades"), {"year": 2025}).content.decode()
        rows = client.get("/api/reports/review/grades", {"year": 2025}).json()
    line = body[body.index(f'id="talks-{people.member_a.pk}"') :]
    assert "提醒谈话 1 次 · 约谈 1 次" in line[: line.index("</div>")]
    [row] = [r for r in rows if r["member_id"] == people.member_a.pk]
    assert row["talks"] == {"reminder_talk": 1, "accountability_interview": 1}
