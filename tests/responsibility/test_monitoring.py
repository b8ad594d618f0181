"""Warning colours and locking across deadlines, weekends and holidays (the 2025 National Day week:
1–8 October off, Sunday 28 September and Saturday 11 October worked)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from jijian.core.orgs.workdays import calendar_seed
from jijian.responsibility import monitoring
from jijian.responsibility.models import Frequency, FulfilmentRecord, ResponsibilityItem

from .conftest import meeting


def item(org, **fields):
    defaults = {"year": 2025, "holder": "organisation", "title": "事项", "frequency": Frequency.YEARLY}
    return ResponsibilityItem.objects.create(org_unit=org, **{**defaults, **fields})


def status(it, period, today, done=None):
    cal = monitoring.Calendar.for_year(it.year, today)
    return monitoring.status_of(it, period, today=today, calendar=cal, done=done)


def test_periods_and_their_bounds():
    assert monitoring.period_of(Frequency.QUARTERLY, date(2025, 5, 31)) == 2
    assert monitoring.period_of(Frequency.HALF_YEARLY, date(2025, 7, 1)) == 2
    assert monitoring.period_bounds(Frequency.MONTHLY, 2024, 2) == (date(2024, 2, 1), date(2024, 2, 29))
    assert monitoring.period_bounds(Frequency.QUARTERLY, 2025, 4) == (date(2025, 10, 1), date(2025, 12, 31))
    assert monitoring.period_label(Frequency.HALF_YEARLY, 2) == "下半年"


def test_a_deadline_on_a_holiday_moves_to_the_next_working_day_and_the_colours_count_working_days(tree):
    calendar_seed([2025])
    it = item(tree.party_org, due_date=date(2025, 10, 1))
    assert status(it, 1, date(2025, 9, 1)).deadline == date(2025, 10, 9)
    # 1 Sept: far more than 10 working days left.
    assert status(it, 1, date(2025, 9, 1)).status == monitoring.OPEN
    # Fri 26 Sept: Sun 28 (worked), 29, 30, 9 Oct = 4 working days -> blue, not yet yellow.
    assert status(it, 1, date(2025, 9, 26)).status == monitoring.BLUE
    # Tue 30 Sept: only 9 Oct is left, although it is 9 calendar days away -> yellow.
    assert status(it, 1, date(2025, 9, 30)).status == monitoring.YELLOW
    # During the holiday, and on the deadline itself: still yellow, not red.
    assert status(it, 1, date(2025, 10, 5)).status == monitoring.YELLOW
    assert status(it, 1, date(2025, 10, 9)).status == monitoring.YELLOW
    # The day after: red.
    assert status(it, 1, date(2025, 10, 10)).status == monitoring.OVERDUE
    assert status(it, 1, date(2025, 10, 10), done=True).status == monitoring.DONE
    assert status(it, 1, date(2025, 10, 10), done=False).status == monitoring.DONE_LATE


def test_a_period_that_has_not_begun_is_grey_and_a_weekend_deadline_moves_past_the_holiday(tree):
    calendar_seed([2025])
    it = item(tree.party_org, frequency=Frequency.MONTHLY)
    assert status(it, 6, date(2025, 3, 3)).status == monitoring.NOT_STARTED
    # May 2025 ends on a Saturday, and the Dragon Boat Festival runs to Monday 2 June: due Tuesday.
    assert status(it, 5, date(2025, 5, 3)).deadline == date(2025, 6, 3)
    # November 2025 ends on a Sunday: due Monday 1 December.
    assert status(it, 11, date(2025, 11, 3)).deadline == date(2025, 12, 1)
    # A month that ends on a working day keeps it.
    assert status(it, 9, date(2025, 9, 1)).deadline == date(2025, 9, 30)


def test_an_overdue_period_is_locked_without_a_reason_and_nothing_is_saved(tree, people):
    calendar_seed([2025])
    it = item(tree.party_org, due_date=date(2025, 10, 1), record_type="meeting")
    liaison = people.party_liaison
    # Entered on the moved deadline (after the holiday): on time.
    on_time = meeting(liaison, it, date(2025, 9, 29), entered_on=date(2025, 10, 9))
    assert not on_time.is_late
    with pytest.raises(ValidationError, match="已锁定"):
        meeting(liaison, it, date(2025, 9, 29), entered_on=date(2025, 10, 10))
    assert FulfilmentRecord.objects.count() == 1
    late = meeting(
        liaison, it, date(2025, 9, 29), entered_on=date(2025, 10, 10), late_reason="会议记录未及时录入"
    )
    assert late.is_late and late.late_reason == "会议记录未及时录入"
