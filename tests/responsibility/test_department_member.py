"""Issue #19 item 6 on the responsibility side: a city-level department's discipline member records
same-level supervision and risk point checks, which go into their duty log once; a resident group
reads the departments it oversees; everyone else gets 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jijian.core.access import unit_in_scope, unit_scope_q
from jijian.core.models import OrgUnit
from jijian.reports import services as reports
from jijian.reports.models import DutyRecord, MonthlyReport
from jijian.responsibility import access, services
from jijian.responsibility.models import RiskCheck, RiskPoint, SupervisionRecord


def today():
    return services.today()


def risk_point(org, liaison=None):
    return RiskPoint.objects.create(
        org_unit=org,
        process="三重一大决策",
        description="会议记录不规范",
        level="high",
        measures="集体研究，纪检委员列席",
        owner="书记",
    )


def meeting(member, **extra):
    fields = {
        "kind": "meeting",
        "occurred_on": today(),
        "subject": "党组会 第12次",
        "content": "对采购事项提出按程序集体研究的意见",
        "integrity_ten_minutes": True,
        "integrity_topic": "学习违反中央八项规定精神典型案例",
    }
    fields.update(extra)
    return services.supervision_record_create(actor=member, **fields)


def test_a_resident_group_sees_the_departments_it_oversees_only(tree, people, depts):
    staff = depts.group_staff
    orgs = set(access.party_orgs_visible_to(staff).values_list("pk", flat=True))
    assert tree.party_org.pk in orgs and depts.finance_org.pk not in orgs
    assert set(access.departments_visible_to(staff)) == {tree.department}
    # The Python rule agrees with the query rule (core.access keeps them in step).
    units = list(OrgUnit.objects.all())
    by_query = set(OrgUnit.objects.filter(unit_scope_q(staff)).values_list("pk", flat=True))
    assert {u.pk for u in units if unit_in_scope(staff, u)} == by_query
    assert {tree.department.pk, tree.party_org.pk, depts.group.pk} <= by_query
    assert tree.village_a.pk not in by_query and depts.finance.pk not in by_query


def test_a_department_member_sees_their_own_department_only(tree, depts):
    orgs = set(access.party_orgs_visible_to(depts.member).values_list("pk", flat=True))
    assert orgs == {tree.party_org.pk}


def test_a_meeting_goes_into_the_duty_log_once_with_its_integrity_ten_minutes(tree, depts):
    record = meeting(depts.member)
    logged = DutyRecord.objects.filter(member=depts.member).order_by("pk")
    assert [r.duty_type.code for r in logged] == ["leadership_meeting", "integrity_ten_minutes"]
    assert record.duty_record_id == logged[0].pk and record.ten_minutes_duty_record_id == logged[1].pk
    assert logged[1].data == {"meeting": "党组会 第12次", "topic": "学习违反中央八项规定精神典型案例"}
    assert logged[0].village_id == tree.department.pk
    # A reminder: one record of its own type.
    services.supervision_record_create(
        actor=depts.member,
        kind="reminder",
        occurred_on=today(),
        subject="分管财务的副局长",
        content="提醒严格执行公务接待标准",
        integrity_ten_minutes=True,  # ignored outside a meeting
        integrity_topic="x",
    )
    assert DutyRecord.objects.filter(member=depts.member, duty_type__code="peer_reminder").count() == 1
    assert DutyRecord.objects.filter(member=depts.member).count() == 3


def test_a_closed_month_refuses_and_nothing_is_recorded(depts):
    month = reports.month_start(today())
    reports.monthly_reports_open(month=month)
    report = MonthlyReport.objects.get(village=depts.member.org_unit, month=month)
    meeting(depts.member)
    report.refresh_from_db()
    reports.monthly_report_submit(
        actor=depts.member, report=report, version=report.version, endorse=True, early_confirmed=True
    )
    with pytest.raises(ValidationError):
        meeting(depts.member, subject="党组会 第13次")
    assert SupervisionRecord.objects.count() == 1
    assert DutyRecord.objects.filter(member=depts.member).count() == 2


def test_ten_minutes_held_needs_its_content(depts):
    with pytest.raises(ValidationError):
        meeting(depts.member, integrity_topic="")
    assert not SupervisionRecord.objects.exists() and not DutyRecord.objects.exists()


def test_only_a_department_member_records_supervision(people, depts):
    for actor in (depts.group_staff, people.party_liaison, depts.city_office):
        with pytest.raises(PermissionDenied):
            meeting(actor)


def test_the_department_members_risk_check_feeds_the_log_the_liaisons_does_not(tree, people, depts):
    point = risk_point(tree.party_org)
    check = services.risk_check_record(
        actor=depts.member, risk_point=point, checked_on=today(), finding="查阅党组会记录", result="normal"
    )
    logged = DutyRecord.objects.get(member=depts.member)
    assert logged.duty_type.code == "risk_check" and logged.data["risk_point"] == "三重一大决策"
    assert check.created_by_id == depts.member.pk
    services.risk_check_record(
        actor=people.party_liaison, risk_point=point, checked_on=today(), finding="自查", result="normal"
    )
    assert DutyRecord.objects.count() == 1 and RiskCheck.objects.count() == 2
    # Another department's member may not check 市教育局's risk points.
    with pytest.raises(PermissionDenied):
        services.risk_check_record(
            actor=depts.finance_member, risk_point=point, checked_on=today(), finding="x", result="normal"
        )


def test_pages_department_member(client, login, tree, depts):
    point = risk_point(tree.party_org)
    login(depts.member)
    assert client.get(reverse("responsibility:risk_list", args=[tree.party_org.pk])).status_code == 200
    assert client.get(reverse("responsibility:org", args=[tree.party_org.pk])).status_code == 200
    response = client.post(
        reverse("responsibility:risk_check", args=[point.pk]),
        {"checked_on": today().isoformat(), "finding": "查阅会议记录", "result": "normal"},
    )
    assert response.status_code == 302 and DutyRecord.objects.filter(duty_type__code="risk_check").exists()
    response = client.post(
        reverse("responsibility:supervision_create"),
        {
            "kind": "meeting",
            "occurred_on": today().isoformat(),
            "subject": "局党组会",
            "content": "提出意见",
            "integrity_ten_minutes": "on",
            "integrity_topic": "警示教育",
        },
    )
    record = SupervisionRecord.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/supervision/{record.pk}/")
    listing = client.get(reverse("responsibility:supervision_list")).content.decode()
    assert "局党组会" in listing
    # Bad input: a clear message, nothing recorded.
    response = client.post(
        reverse("responsibility:supervision_create"),
        {
            "kind": "meeting",
            "occurred_on": today().isoformat(),
            "subject": "x",
            "content": "y",
            "integrity_ten_minutes": "on",
        },
    )
    assert response.status_code == 200 and "请填写其内容" in response.content.decode()
    assert SupervisionRecord.objects.count() == 1
    # Another department's organisation and risk point: 404.
    other_point = risk_point(depts.finance_org)
    assert client.get(reverse("responsibility:org", args=[depts.finance_org.pk])).status_code == 404
    assert client.get(reverse("responsibility:risk_check", args=[other_point.pk])).status_code == 404


def test_pages_resident_group_reads_and_outsiders_get_404(client, login, tree, people, depts):
    record = meeting(depts.member)
    other = meeting(depts.finance_member, subject="财政局党组会")
    detail = reverse("responsibility:supervision", args=[record.pk])
    login(depts.group_staff)
    assert client.get(detail).status_code == 200
    listing = client.get(reverse("responsibility:supervision_list")).content.decode()
    assert "党组会 第12次" in listing and "财政局党组会" not in listing
    assert client.get(reverse("responsibility:supervision", args=[other.pk])).status_code == 404
    assert client.get(reverse("responsibility:supervision_create")).status_code == 404
    board = client.get(reverse("responsibility:board"))
    assert board.status_code == 200
    assert (
        tree.party_org.name in board.content.decode() and depts.finance_org.name not in board.content.decode()
    )
    point = risk_point(tree.party_org)
    assert client.get(reverse("responsibility:risk_list", args=[tree.party_org.pk])).status_code == 200
    assert client.get(reverse("responsibility:risk_check", args=[point.pk])).status_code == 404
    assert client.get(reverse("responsibility:risk_list", args=[depts.finance_org.pk])).status_code == 404
    for outsider in (
        depts.other_group_staff,
        depts.finance_member,
        people.party_liaison,
        people.township_a,
        people.outsider,
        people.member_a,
    ):
        login(outsider)
        assert client.get(detail).status_code == 404, outsider.username
        if outsider != depts.finance_member:  # who records their own department's
            assert client.get(reverse("responsibility:supervision_create")).status_code == 404
    # The city's office reads every department's.
    login(depts.city_office)
    assert client.get(detail).status_code == 200


def test_the_api_records_and_reads_supervision_like_the_pages(tree, people, depts):
    from django.test import Client

    from tests.conftest import sign_in

    def client_of(user):
        c = Client()
        sign_in(c, user)
        return c

    member = client_of(depts.member)
    body = {
        "kind": "meeting",
        "occurred_on": today().isoformat(),
        "subject": "党组会 第13次",
        "content": "提醒按程序集体研究",
        "integrity_ten_minutes": True,
        "integrity_topic": "警示教育片",
    }
    created = member.post("/api/responsibility/supervision", body, content_type="application/json")
    assert created.status_code == 201, created.content
    record = created.json()
    assert record["department_id"] == tree.department.pk and record["in_duty_log"] is True
    # Fed once into the member's duty log: the meeting and the ten minutes before it.
    assert DutyRecord.objects.filter(member=depts.member).count() == 2
    # Bad input: a clear message, nothing recorded.
    refused = member.post(
        "/api/responsibility/supervision",
        {**body, "integrity_topic": ""},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "廉政十分钟" in refused.json()["error"]["message"]
    assert SupervisionRecord.objects.count() == 1
    group = client_of(depts.group_staff)
    assert [r["id"] for r in group.get("/api/responsibility/supervision").json()] == [record["id"]]
    assert group.get(f"/api/responsibility/supervision/{record['id']}").json()["subject"] == "党组会 第13次"
    assert (
        group.post("/api/responsibility/supervision", body, content_type="application/json").status_code
        == 404
    )
    for outsider in (depts.other_group_staff, depts.finance_member, people.township_a, people.member_a):
        c = client_of(outsider)
        assert c.get(f"/api/responsibility/supervision/{record['id']}").status_code == 404, outsider.username
        listing = c.get("/api/responsibility/supervision")
        assert listing.status_code == 404 or record["id"] not in [r["id"] for r in listing.json()]


def test_a_supervision_record_of_last_month_says_it_went_into_last_months_log(client, login, depts):
    """Entered early in a month for a meeting at the end of the last one, the record goes into last
    month's duty log, and the message says so rather than "this month"."""
    if today().month == 1:
        pytest.skip("last month belongs to last year, whose duty types the tests do not set up")
    held_on = today().replace(day=1) - timedelta(days=1)
    login(depts.member)
    response = client.post(
        reverse("responsibility:supervision_create"),
        {"kind": "reminder", "occurred_on": held_on.isoformat(), "subject": "局长", "content": "提醒"},
        follow=True,
    )
    page = response.content.decode()
    assert f"并已计入{held_on.year}年{held_on.month}月履职纪实" in page and "本月" not in page
    assert DutyRecord.objects.get().occurred_on == held_on
