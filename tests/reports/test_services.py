from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jijian.core.models import OrgKind
from jijian.core.orgs.workdays import calendar_seed
from jijian.core.services import ConcurrentEditError, org_unit_create, org_unit_move
from jijian.reports import services
from jijian.reports.models import MonthlyReport, ReportState, ReportTransition
from jijian.reports.services import (
    duty_record_create,
    duty_types_for,
    monthly_report_approve,
    monthly_report_return,
    monthly_report_save_draft,
    monthly_report_submit,
    monthly_reports_open,
    report_deadline,
    settings_for_city,
)
from tests.conftest import make_user

OCT = date(2025, 10, 1)


def at(day: date):
    """Freeze 'today' for the report rules."""
    return mock.patch.object(services, "today", return_value=day)


def test_deadline_is_the_fifth_moved_past_holidays(tree):
    calendar_seed([2025, 2026])
    config = settings_for_city(tree.city.pk)
    # September 2025: 5 October falls in the National Day holiday (1–8 October) → 9 October.
    assert report_deadline(date(2025, 9, 1), config) == date(2025, 10, 9)
    # October 2026: 5 November 2026 is a Thursday, a working day.
    assert report_deadline(date(2026, 10, 1), config) == date(2026, 11, 5)
    # A Saturday deadline moves to Monday: July 2025 → 5 August 2025 is a Tuesday; April 2026 → 5 May
    # 2026 is in the Labour Day holiday (1–5 May) → 6 May.
    assert report_deadline(date(2026, 4, 1), config) == date(2026, 5, 6)


def test_expected_villages_follow_the_tree_of_that_month(tree, people):
    make_user("member_c", tree.village_c, "village_member")
    assert monthly_reports_open(month=OCT) == 2  # village A and village C have members
    assert monthly_reports_open(month=OCT) == 0  # idempotent
    report = MonthlyReport.objects.get(village=tree.village_a, month=OCT)
    assert report.county_id_at == tree.county.pk and report.township_id_at == tree.township_a.pk
    # Mid-month the township moves to the other county: October's row keeps the old ancestors.
    org_unit_move(
        actor=people.system_admin,
        unit=tree.township_a,
        new_parent=tree.other_county,
        version=tree.township_a.version,
    )
    report.refresh_from_db()
    assert report.county_id_at == tree.county.pk
    monthly_reports_open(month=date(2025, 11, 1))
    assert (
        MonthlyReport.objects.get(village=tree.village_a, month=date(2025, 11, 1)).county_id_at
        == tree.other_county.pk
    )


def test_a_village_closed_mid_month_is_not_expected_that_month(tree, people):
    tree.village_a.active_until = date(2025, 10, 15)
    tree.village_a.save()
    assert monthly_reports_open(month=OCT) == 0
    assert monthly_reports_open(month=date(2025, 9, 1)) == 1


def test_a_new_member_is_expected_from_the_next_month(tree, people):
    newcomer = make_user("newcomer", tree.village_a2, "village_member")
    newcomer.appointed_on = date(2025, 10, 10)
    newcomer.save()
    monthly_reports_open(month=OCT)
    assert not MonthlyReport.objects.filter(village=tree.village_a2, month=OCT).exists()
    monthly_reports_open(month=date(2025, 11, 1))
    assert MonthlyReport.objects.filter(village=tree.village_a2, month=date(2025, 11, 1)).exists()


def _visit(member, day, households=3):
    types = {t.code: t for t in duty_types_for(day.year)}
    with at(day):
        return duty_record_create(
            actor=member, duty_type=types["household_visit"], occurred_on=day, data={"households": households}
        )


def test_full_cycle_submit_return_resubmit_approve(tree, people):
    monthly_reports_open(month=OCT)
    report = MonthlyReport.objects.get(village=tree.village_a, month=OCT)
    _visit(people.member_a, date(2025, 10, 12))
    with at(date(2025, 10, 31)):
        report = monthly_report_save_draft(
            actor=people.member_a,
            report=report,
            version=report.version,
            summary="走访3户",
            problems="",
            counts={"household_visit": 1},
        )
        report = monthly_report_submit(
            actor=people.member_a, report=report, version=report.version, endorse=True
        )
        again = monthly_report_submit(
            actor=people.member_a, report=report, version=report.version - 1, endorse=True
        )
    assert report.state == again.state == ReportState.SUBMITTED and not report.is_late
    assert len(report.endorsement_digest) == 64
    with pytest.raises(ValidationError, match="原因"):
        monthly_report_return(actor=people.township_a, report=report, reason=" ")
    with pytest.raises(PermissionDenied):
        monthly_report_return(actor=people.township_b, report=report, reason="x")
    report = monthly_report_return(actor=people.township_a, report=report, reason="请补充走访记录")
    assert report.state == ReportState.RETURNED
    with at(date(2025, 11, 20)):  # after the deadline, but the first submission was on time
        report = monthly_report_submit(
            actor=people.member_a, report=report, version=report.version, endorse=True
        )
    assert report.state == ReportState.RESUBMITTED and not report.is_late
    report = monthly_report_approve(actor=people.township_a, report=report, score_detail={"complete": 35})
    assert report.state == ReportState.APPROVED and report.score == 35
    with at(date(2025, 11, 20)), pytest.raises(ValidationError, match="不能再修改"):
        monthly_report_save_draft(
            actor=people.member_a, report=report, version=report.version, summary="改", problems="", counts={}
        )
    assert list(ReportTransition.objects.filter(report=report).values_list("to_state", flat=True)) == [
        "draft",
        "submitted",
        "returned",
        "resubmitted",
        "approved",
    ]


def test_late_submission_counts_the_days(tree, people):
    monthly_reports_open(month=OCT)
    report = MonthlyReport.objects.get(village=tree.village_a, month=OCT)
    with at(report.deadline + timedelta(days=3)):
        report = monthly_report_save_draft(
            actor=people.member_a,
            report=report,
            version=report.version,
            summary="",
            problems="",
            counts={},
            is_zero_report=True,
        )
    with at(report.deadline + timedelta(days=3)):
        report = monthly_report_submit(
            actor=people.member_a, report=report, version=report.version, endorse=True
        )
    assert report.is_late and report.late_days == 3 and report.is_zero_report


def test_bad_input_is_refused_and_changes_nothing(tree, people):
    monthly_reports_open(month=OCT)
    report = MonthlyReport.objects.get(village=tree.village_a, month=OCT)
    with at(date(2025, 10, 20)):
        with pytest.raises(ValidationError, match="负数"):
            monthly_report_save_draft(
                actor=people.member_a,
                report=report,
                version=report.version,
                summary="",
                problems="",
                counts={"household_visit": -1},
            )
        with pytest.raises(ValidationError, match="不合理"):
            monthly_report_save_draft(
                actor=people.member_a,
                report=report,
                version=report.version,
                summary="",
                problems="",
                counts={"household_visit": 999999},
            )
        with pytest.raises(ValidationError, match="零报告"):
            monthly_report_submit(actor=people.member_a, report=report, version=report.version, endorse=True)
        with pytest.raises(ValidationError, match="不能大于"):
            _visit(people.member_a, date(2025, 10, 12), households=100000)
    with at(date(2025, 9, 20)), pytest.raises(ValidationError, match="未来"):
        monthly_report_save_draft(
            actor=people.member_a, report=report, version=report.version, summary="x", problems="", counts={}
        )
    report.refresh_from_db()
    assert report.state == ReportState.NOT_STARTED and report.counts == {}


def test_two_devices_editing_one_draft(tree, people):
    monthly_reports_open(month=OCT)
    report = MonthlyReport.objects.get(village=tree.village_a, month=OCT)
    loaded = report.version
    with at(date(2025, 10, 20)):
        monthly_report_save_draft(
            actor=people.member_a, report=report, version=loaded, summary="手机上写的", problems="", counts={}
        )
        with pytest.raises(ConcurrentEditError):
            monthly_report_save_draft(
                actor=people.member_a,
                report=report,
                version=loaded,
                summary="电脑上写的",
                problems="",
                counts={},
            )
    report.refresh_from_db()
    assert report.summary == "手机上写的"


def test_only_the_village_member_records_duties(tree, people):
    with pytest.raises(PermissionDenied):
        _visit(people.township_a, date(2025, 10, 12))


def test_a_record_after_submission_is_refused(tree, people):
    monthly_reports_open(month=OCT)
    report = MonthlyReport.objects.get(village=tree.village_a, month=OCT)
    _visit(people.member_a, date(2025, 10, 12))
    with at(date(2025, 10, 31)):
        report = monthly_report_submit(
            actor=people.member_a, report=report, version=report.version, endorse=True
        )
    with pytest.raises(ValidationError, match="已提交"):
        _visit(people.member_a, date(2025, 10, 13))


def test_zero_report_with_records_is_refused(tree, people):
    monthly_reports_open(month=OCT)
    report = MonthlyReport.objects.get(village=tree.village_a, month=OCT)
    _visit(people.member_a, date(2025, 10, 12))
    with at(date(2025, 10, 31)):
        report = monthly_report_save_draft(
            actor=people.member_a,
            report=report,
            version=report.version,
            summary="",
            problems="",
            counts={},
            is_zero_report=True,
        )
        with pytest.raises(ValidationError, match="不能作零报告"):
            monthly_report_submit(actor=people.member_a, report=report, version=report.version, endorse=True)


def test_new_village_created_after_month_start(tree, people):
    new = org_unit_create(
        actor=None,
        name="新设村",
        kind=OrgKind.VILLAGE,
        parent=tree.township_a,
        active_from=date(2025, 10, 10),
    )
    make_user("member_new", new, "village_member")
    monthly_reports_open(month=OCT)
    assert not MonthlyReport.objects.filter(village=new, month=OCT).exists()


def test_late_submission_reads_the_calendar_once_and_counts_make_up_days(tree, people):
    """September 2025's deadline is 9 October (after the National Day holiday); submitted on Sunday
    12 October it counts as Monday 13th, and Saturday 11th was a make-up working day: 10, 11 and 13
    October, three working days late, from one read of the calendar."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    calendar_seed([2025])
    sep = date(2025, 9, 1)
    monthly_reports_open(month=sep)
    report = MonthlyReport.objects.get(village=tree.village_a, month=sep)
    assert report.deadline == date(2025, 10, 9)
    with at(date(2025, 10, 12)):
        report = monthly_report_save_draft(
            actor=people.member_a,
            report=report,
            version=report.version,
            summary="",
            problems="",
            counts={},
            is_zero_report=True,
        )
        with CaptureQueriesContext(connection) as queries:
            report = monthly_report_submit(
                actor=people.member_a, report=report, version=report.version, endorse=True
            )
    assert report.is_late and report.late_days == 3
    assert sum("core_calendarday" in q["sql"] for q in queries.captured_queries) == 1
