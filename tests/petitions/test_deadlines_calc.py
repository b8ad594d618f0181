"""Statutory time limits of reports on the working-day calendar, across the National Day holiday with
its make-up working days (triage_helpers.national_day_2026):

    Sep 2026: Fri 25 received · Sat 26 off · Sun 27 WORKS (调休) · Mon 28 – Wed 30 work
    Oct 2026: Thu 1, Fri 2 off · weekend · Mon 5 – Wed 7 off · Thu 8, Fri 9 work · Sat 10 WORKS (调休)
"""

from __future__ import annotations

from datetime import date

import pytest

from jijian.petitions import services
from jijian.petitions.deadlines.limits import due_date_for
from jijian.petitions.models import DeadlineKind, PetitionDeadline
from tests.petitions.triage_helpers import (
    close_approved,
    fresh,
    national_day_2026,
    officer,
    register,
    set_today,
)

pytestmark = pytest.mark.django_db

RECEIVED = date(2026, 9, 25)


@pytest.fixture
def county_office(tree):
    national_day_2026()
    return officer("county_petition", tree.county)


def _deadline(report, kind):
    return PetitionDeadline.objects.get(report=report, kind=kind)


def test_due_dates_skip_holidays_and_count_make_up_days(tree):
    national_day_2026()
    # Without the calendar it would be Fri Oct 2; Sep 27 counts, Oct 1–7 do not.
    assert due_date_for(DeadlineKind.ROUTE, RECEIVED) == date(2026, 10, 8)
    # 9/27, 28, 29, 30, 10/8, 9, 10 (Sat, 调休), 12 … 16, 19, 20, 21
    assert due_date_for(DeadlineKind.ACCEPTANCE_NOTICE, RECEIVED) == date(2026, 10, 21)
    assert due_date_for(DeadlineKind.FORWARD_ANSWER, date(2026, 9, 30)) == date(2026, 10, 13)
    assert due_date_for(DeadlineKind.RESULT_NOTICE, date(2026, 9, 29)) == date(2026, 10, 26)


def test_a_registered_letter_gets_its_route_and_acceptance_notice_limits(tree, county_office, monkeypatch):
    set_today(monkeypatch, date(2026, 9, 28))
    report = register(county_office, tree.township_a, received_on=RECEIVED)
    route = _deadline(report, DeadlineKind.ROUTE)
    notice = _deadline(report, DeadlineKind.ACCEPTANCE_NOTICE)
    assert (route.starts_on, route.due_date, route.holder) == (RECEIVED, date(2026, 10, 8), tree.county)
    assert (notice.starts_on, notice.due_date) == (RECEIVED, date(2026, 10, 21))


def test_an_anonymous_letter_owes_no_acceptance_notice(tree, county_office, monkeypatch):
    set_today(monkeypatch, date(2026, 9, 28))
    report = register(county_office, tree.township_a, anonymous=True, received_on=RECEIVED)
    assert list(report.deadlines.values_list("kind", flat=True)) == [DeadlineKind.ROUTE]


def test_a_forward_down_gives_the_lower_body_five_working_days(tree, county_office, monkeypatch):
    set_today(monkeypatch, date(2026, 9, 28))
    report = register(county_office, tree.township_a, received_on=RECEIVED)
    set_today(monkeypatch, date(2026, 9, 30))
    services.petition_route(
        actor=county_office, report=report, managing=tree.township_a, about_own_head=False, version=1
    )
    answer = _deadline(report, DeadlineKind.FORWARD_ANSWER)
    assert (answer.starts_on, answer.due_date, answer.holder) == (
        date(2026, 9, 30),
        date(2026, 10, 13),
        tree.township_a,
    )
    assert report.forwards.get().due_date == date(2026, 10, 13)
    route = _deadline(report, DeadlineKind.ROUTE)
    assert route.met_at is not None and not route.waived
    # The acceptance notice is now the township's to give, with its limit unchanged.
    notice = _deadline(report, DeadlineKind.ACCEPTANCE_NOTICE)
    assert (notice.holder, notice.due_date, notice.met_at) == (tree.township_a, date(2026, 10, 21), None)


def test_acceptance_and_result_notices_meet_their_limits(tree, county_office, monkeypatch):
    set_today(monkeypatch, date(2026, 9, 28))
    report = register(county_office, tree.township_a, received_on=RECEIVED)
    report = services.petition_route(
        actor=county_office, report=report, managing=tree.county, about_own_head=False, version=1
    )
    set_today(monkeypatch, date(2026, 9, 29))  # closed before the holiday
    report = close_approved(county_office, report)
    set_today(monkeypatch, date(2026, 10, 9))
    report = services.petition_acceptance_notify(
        actor=county_office, report=report, text="您的举报已受理。", version=report.version
    )
    notice = _deadline(report, DeadlineKind.ACCEPTANCE_NOTICE)
    assert notice.met_at is not None and not notice.waived
    assert fresh(report).acceptance_notified_on == date(2026, 10, 9) <= notice.due_date

    result = _deadline(report, DeadlineKind.RESULT_NOTICE)
    assert (result.starts_on, result.due_date, result.met_at) == (date(2026, 9, 29), date(2026, 10, 26), None)
    set_today(monkeypatch, date(2026, 10, 26))  # the last day still meets it
    report = services.petition_result_notify(
        actor=county_office, report=report, text="办理结果：给予诫勉。", version=report.version
    )
    result.refresh_from_db()
    assert result.met_at is not None and not result.waived
    assert fresh(report).result_notified_on == result.due_date
    assert not PetitionDeadline.objects.filter(report=report, met_at__isnull=True).exists()


def test_an_anonymous_report_owes_no_result_notice(tree, county_office, monkeypatch):
    set_today(monkeypatch, date(2026, 9, 28))
    report = register(county_office, tree.township_a, anonymous=True, received_on=RECEIVED)
    report = services.petition_route(
        actor=county_office, report=report, managing=tree.county, about_own_head=False, version=1
    )
    close_approved(county_office, report, "已核实。")
    assert not PetitionDeadline.objects.filter(report=report, kind=DeadlineKind.RESULT_NOTICE).exists()
