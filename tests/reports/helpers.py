"""Builders and fixtures that several test modules of the monthly reports share (and tests/core's
ASGI tests): a fixed "today", October 2025 opened for village A, a visit recorded, and a month of
hand-made reports for the statistics and exports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from jijian.reports import services
from jijian.reports.models import MonthlyReport, ReportState
from jijian.reports.services import duty_record_create, duty_types_for, monthly_reports_open

SEP, OCT, NOV = date(2025, 9, 1), date(2025, 10, 1), date(2025, 11, 1)
DAY = date(2025, 10, 31)  # the last day of October 2025, the month most tests report on


def at(day: date):
    return mock.patch.object(services, "today", return_value=day)


def open_month(tree, month=OCT) -> MonthlyReport:
    monthly_reports_open(month=month, under=tree.village_a)
    return MonthlyReport.objects.get(village=tree.village_a, month=month)


def visit(member, day, households=3):
    duty_type = duty_types_for(day.year).get(code="household_visit")
    with at(day):
        return duty_record_create(
            actor=member, duty_type=duty_type, occurred_on=day, data={"households": households}
        )


def report(village, month, *, member=None, state=ReportState.NOT_STARTED, **extra):
    return MonthlyReport.objects.create(
        village=village,
        month=month,
        member=member,
        city_id_at=village.city_id,
        county_id_at=village.county_id,
        township_id_at=village.township_id,
        deadline=date(month.year, month.month, 28),
        state=state,
        **extra,
    )


@pytest.fixture
def october(tree, people):
    """October 2025 in four villages, one of each kind of outcome; plus one September report."""
    S = ReportState
    return {
        # A: returned once, resubmitted on time and approved.
        "a": report(tree.village_a, OCT, member=people.member_a, state=S.APPROVED, return_count=1),
        # A2: a zero report, submitted three days late.
        "a2": report(tree.village_a2, OCT, state=S.SUBMITTED, is_late=True, late_days=3, is_zero_report=True),
        # B: a draft marked zero (not a report yet): missing.
        "b": report(tree.village_b, OCT, state=S.DRAFT, is_zero_report=True),
        # C (other county): returned and not resubmitted: missing, and returned.
        "c": report(tree.village_c, OCT, state=S.RETURNED, return_count=1),
        "a_sep": report(tree.village_a, SEP, member=people.member_a, state=S.RESUBMITTED),
    }


def grade_basis(expected=12, submitted=12, on_time=12, returns=0, zero=0, score=95.0):
    return {
        "expected": expected,
        "submitted": submitted,
        "missing": expected - submitted,
        "on_time": on_time,
        "returns": returns,
        "zero_reports": zero,
        "scored": 12 if score is not None else 0,
        "average_score_pct": score,
    }


def year_of_reports(member, village, *, late_months=(), missing_months=(), score=Decimal("92")):
    """Reports of 2025 for `village`: submitted and scored, except the given months."""
    for m in range(1, 13):
        monthly_reports_open(month=date(2025, m, 1), under=village)
    for report in MonthlyReport.objects.filter(village=village, month__year=2025):
        if report.month.month in missing_months:
            continue
        late = report.month.month in late_months
        MonthlyReport.objects.filter(pk=report.pk).update(
            state="approved",
            first_submitted_at=timezone.make_aware(datetime(2025, report.month.month, 28)),
            is_late=late,
            late_days=2 if late else 0,
            score=score,
        )
