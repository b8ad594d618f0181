"""The monthly duty report of a city-level department's discipline member (issue #19 item 6): the
village members' mechanism — expected rows, duty log, submit, review, reminders — with the member
kind's own duty types and its own reviewer (the resident group overseeing the department, or the
commission's 党风政风监督室 where none does)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jijian.core import links
from jijian.core.models import Notification
from jijian.reports import services
from jijian.reports.models import DutyRecord, MemberKind, MonthlyReport, ReportState
from jijian.reports.reminders import reminders_send
from jijian.reports.statistics import reports_of_node


def last_month():
    return services.month_start(services.month_start(services.today()) - timedelta(days=1))


@pytest.fixture
def month(tree, people, depts):
    m = last_month()
    services.monthly_reports_open(month=m)
    return m


def dept_report(depts, month, member=None):
    member = member or depts.member
    return MonthlyReport.objects.get(village=member.org_unit, month=month)


def log_meeting(member, month, source="test:1"):
    return links.duty_log_record(
        actor=member,
        duty_type_code="leadership_meeting",
        occurred_on=month + timedelta(days=3),
        notes="列席党组会",
        data={"meeting": "党组会"},
        source=source,
    )


def submitted(depts, month, member=None):
    member = member or depts.member
    report = dept_report(depts, month, member)
    log_meeting(member, month, source=f"test:{member.pk}")
    report = services.monthly_report_save_draft(
        actor=member, report=report, version=report.version, summary="列席党组会一次", problems="", counts={}
    )
    return services.monthly_report_submit(actor=member, report=report, version=report.version, endorse=True)


def test_expected_rows_open_for_departments_with_a_member_only(tree, depts, month):
    rows = MonthlyReport.objects.filter(month=month, member_kind=MemberKind.DEPARTMENT)
    assert {r.village_id for r in rows} == {tree.department.pk, depts.finance.pk, depts.audit_dept.pk}
    assert rows.get(village=tree.department).member_id == depts.member.pk
    # Village rows are still the villages' (member_a in village A) and of the village kind.
    assert MonthlyReport.objects.get(village=tree.village_a, month=month).member_kind == MemberKind.VILLAGE
    assert services.monthly_reports_open(month=month) == 0  # safe to run twice


def test_village_statistics_do_not_count_department_rows(tree, depts, month):
    city_rows = reports_of_node(tree.city, month, month, db="default")
    assert not city_rows.filter(member_kind=MemberKind.DEPARTMENT).exists()
    assert city_rows.filter(village=tree.village_a).exists()


def test_department_member_records_with_the_department_duty_types(depts, month):
    codes = {t.code for t in services.duty_types_for(month.year, MemberKind.DEPARTMENT)}
    assert {"leadership_meeting", "integrity_ten_minutes", "risk_check"} <= codes
    assert "household_visit" not in codes
    record = DutyRecord.objects.get(pk=log_meeting(depts.member, month))
    assert record.duty_type.member_kind == MemberKind.DEPARTMENT
    assert record.village_id == depts.member.org_unit_id
    # A village duty type is refused for a department member.
    village_type = services.duty_types_for(month.year).get(code="household_visit")
    with pytest.raises(ValidationError):
        services.duty_record_create(
            actor=depts.member, duty_type=village_type, occurred_on=month, data={"households": 3}
        )


def test_the_same_source_twice_gives_the_same_record(depts, month):
    first = log_meeting(depts.member, month, source="responsibility.supervision:99")
    again = log_meeting(depts.member, month, source="responsibility.supervision:99")
    assert first == again
    assert DutyRecord.objects.filter(member=depts.member).count() == 1


def test_month_report_through_review_by_the_resident_group(tree, people, depts, month):
    report = submitted(depts, month)
    assert report.state == ReportState.SUBMITTED
    assert report.counts == {} and report.member_kind == MemberKind.DEPARTMENT
    # Not the township, not the group of another department, not the city office where a group oversees.
    for outsider in (people.township_a, depts.other_group_staff, depts.city_office):
        with pytest.raises(PermissionDenied):
            services.monthly_report_return(actor=outsider, report=report, reason="不完整")
    report = services.monthly_report_return(actor=depts.group_staff, report=report, reason="请补充会议意见")
    assert report.state == ReportState.RETURNED
    report = services.monthly_report_submit(
        actor=depts.member, report=report, version=report.version, endorse=True
    )
    assert report.state == ReportState.RESUBMITTED
    report = services.monthly_report_approve(actor=depts.group_staff, report=report, comment="同意")
    assert report.state == ReportState.APPROVED
    assert report.approved_by_id == depts.group_staff.pk


def test_a_department_without_a_group_is_reviewed_by_the_city_office(depts, month):
    report = submitted(depts, month, depts.audit_member)
    with pytest.raises(PermissionDenied):
        services.monthly_report_approve(actor=depts.group_staff, report=report)
    report = services.monthly_report_approve(actor=depts.city_office, report=report)
    assert report.state == ReportState.APPROVED


def test_review_pages_the_group_acts_outsiders_get_404(client, login, tree, people, depts, month):
    report = submitted(depts, month)
    detail = reverse("reports:review_detail", args=[report.pk])
    approve = reverse("reports:review_approve", args=[report.pk])
    for outsider in (depts.other_group_staff, people.township_a, depts.finance_member, people.outsider):
        login(outsider)
        assert client.get(detail).status_code == 404
        assert client.post(approve).status_code == 404
    # The city office sees it (read-only: a group oversees the department) but may not approve it.
    login(depts.city_office)
    assert client.get(detail).status_code == 200
    assert client.post(approve).status_code == 404
    login(people.township_a)  # a township's queue holds villages
    assert "村名、拼音首字母或委员姓名" in client.get(reverse("reports:review_queue")).content.decode()
    login(depts.group_staff)
    page = client.get(reverse("reports:review_queue"))
    assert page.status_code == 200 and tree.department.name in page.content.decode()
    # The group's queue holds departments: its search names units, not villages.
    assert "单位名称、拼音首字母或委员姓名" in page.content.decode() and "村名" not in page.content.decode()
    found = client.get(reverse("reports:review_queue"), {"q": tree.department.name}).content.decode()
    assert tree.department.name in found and "共 1 份" in found
    assert client.get(detail).status_code == 200
    assert client.post(approve, {"comment": "同意"}).status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED


def test_member_pages_for_the_department_member(client, login, tree, depts, month):
    login(depts.member)
    page = client.get(reverse("reports:my_reports"))
    assert page.status_code == 200
    report = dept_report(depts, month)
    assert client.get(reverse("reports:report_detail", args=[report.pk])).status_code == 200
    form = client.get(reverse("reports:duty_record_create") + "?type=leadership_meeting")
    assert form.status_code == 200 and "会议" in form.content.decode()
    # Another department's report is not theirs.
    login(depts.finance_member)
    assert client.get(reverse("reports:report_detail", args=[report.pk])).status_code == 404


def test_overdue_department_reports_reach_their_reviewer_once(tree, depts, month):
    report = dept_report(depts, month)
    after = report.deadline + timedelta(days=1)
    sent = reminders_send(today=after)
    assert sent["reviewer"] >= 2  # the first group for 市教育局, the city office for 市审计局
    group_notes = Notification.objects.filter(recipient=depts.group_staff)
    assert group_notes.count() == 1 and tree.department.name in group_notes.get().body
    assert depts.finance.name not in group_notes.get().body
    assert Notification.objects.filter(recipient=depts.city_office, body__contains="市审计局").exists()
    assert reminders_send(today=after)["reviewer"] == 0


def test_the_reviewer_of_the_reports_sets_the_annual_grade(client, login, people, depts, month):
    from jijian.reports import grades

    submitted(depts, month)
    with pytest.raises(PermissionDenied):
        grades.annual_grade_set(
            actor=people.township_a,
            member=depts.member,
            year=month.year,
            grade="competent",
            reason="x",
            version=0,
        )
    grade = grades.annual_grade_set(
        actor=depts.group_staff,
        member=depts.member,
        year=month.year,
        grade="competent",
        reason="按时报送，列席会议有记录",
        version=0,
    )
    assert grade.grade == "competent" and grade.set_by_id == depts.group_staff.pk
    login(depts.group_staff)
    page = client.get(reverse("reports:review_grades") + f"?year={month.year}")
    assert page.status_code == 200 and depts.member.full_name in page.content.decode()
    login(depts.other_group_staff)
    page = client.get(reverse("reports:review_grades") + f"?year={month.year}")
    assert depts.member.full_name not in page.content.decode()


def test_department_statistics_per_reviewer_and_404_for_others(client, login, tree, people, depts, month):
    submitted(depts, month)
    url = reverse("reports:stats_departments") + f"?month={month:%Y-%m}"
    login(depts.group_staff)
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert tree.department.name in body and depts.finance.name not in body
    assert page.context["stats"].total.expected == 1 and page.context["stats"].total.submitted == 1
    login(depts.city_office)
    stats = client.get(url).context["stats"]
    assert stats.total.expected == 3 and stats.total.submitted == 1
    for outsider in (people.township_a, people.member_a, depts.member, people.party_liaison):
        login(outsider)
        assert client.get(url).status_code == 404


def test_department_statistics_over_a_range_rank_the_departments_and_show_a_year_of_trend(
    client, login, tree, people, depts, month
):
    earlier = services.month_start(month - timedelta(days=1))
    services.monthly_reports_open(month=earlier)
    submitted(depts, month)  # 市纪委 department: last month on time, the month before not at all
    submitted(depts, month, depts.finance_member)
    login(depts.city_office)
    page = client.get(reverse("reports:stats_departments") + f"?from={earlier:%Y-%m}&to={month:%Y-%m}")
    stats = page.context["stats"]
    assert (stats.start, stats.end) == (earlier, month)
    assert stats.total.expected == 6 and stats.total.submitted == 2  # 3 departments x 2 months
    by_name = {row.name: row.measures for row in stats.rows}
    assert by_name[tree.department.name].expected == 2 and by_name[tree.department.name].submitted == 1
    assert by_name[depts.audit_dept.name].submitted == 0
    # Ranked by on-time rate: the audit bureau, which submitted nothing, is last, and it is listed.
    assert [r["name"] for r in stats.ranking][-1] == depts.audit_dept.name
    assert [r["rank"] for r in stats.ranking] == [1, 2, 3]
    # The trend covers the last twelve months up to the end month, whatever the range.
    assert len(stats.trend) == 12 and stats.trend[-1]["month"] == f"{month:%Y-%m}"
    assert stats.trend[-1]["submitted"] == 2 and stats.trend[-2]["expected"] == 3
    # The end month's reports, one per department, link to their review page.
    assert len(stats.reports) == 3
    body = page.content.decode()
    assert "单位排名" in body and 'id="trend-data"' in body
    assert reverse("reports:review_detail", args=[dept_report(depts, month).pk]) in body


def test_department_statistics_a_bad_range_says_why_and_shows_last_month(client, login, depts, month):
    login(depts.city_office)
    page = client.get(reverse("reports:stats_departments") + "?from=2025-13&to=2025-01")
    assert page.status_code == 200
    assert "月份格式不正确" in page.content.decode()
    assert page.context["stats"].start == page.context["stats"].end == month
    page = client.get(reverse("reports:stats_departments") + f"?from={month:%Y-%m}&to=2001-01")
    assert "起始月份不能晚于结束月份" in page.content.decode()


def test_department_statistics_export_to_excel_audited_and_404_for_others(
    client, login, tree, people, depts, month
):
    from io import BytesIO

    from openpyxl import load_workbook

    from jijian.audit.models import AuditEvent

    submitted(depts, month)
    url = reverse("reports:stats_departments_xlsx") + f"?from={month:%Y-%m}&to={month:%Y-%m}"
    login(depts.group_staff)
    response = client.get(url)
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["统计", "排名", "趋势"]
    rows = [r for r in book["统计"].iter_rows(min_row=4, values_only=True)]
    assert rows[0][:4] == (tree.department.name, depts.group.name, 1, 1)
    assert rows[-1][:4] == ("合计", None, 1, 1)  # the group sees its one department only
    assert len(rows) == 2
    assert AuditEvent.objects.filter(action="export", actor=depts.group_staff).count() == 1
    # A bad range exports nothing and goes back to the page with why.
    before = AuditEvent.objects.filter(action="export").count()
    response = client.get(reverse("reports:stats_departments_xlsx") + "?from=1999-01")
    assert response.status_code == 302 and response["Location"] == reverse("reports:stats_departments")
    assert AuditEvent.objects.filter(action="export").count() == before
    for outsider in (people.township_a, people.member_a, depts.member, people.party_liaison):
        login(outsider)
        assert client.get(url).status_code == 404


def test_the_department_members_submitted_report_names_their_reviewer(client, login, depts, month):
    report = submitted(depts, month)
    login(depts.member)
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "等待派驻纪检监察组审核" in page and "等待乡镇纪委审核" not in page
