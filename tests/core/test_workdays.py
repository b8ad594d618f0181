from datetime import date

from jijian.core.models import CalendarDay
from jijian.core.workdays import add_working_days, calendar_seed, is_working_day, working_days_between


def test_plain_week_skips_the_weekend(db):
    # Friday 2026-11-27 + 1 working day = Monday 2026-11-30
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)
    assert add_working_days(date(2026, 11, 30), 5) == date(2026, 12, 7)


def test_national_day_holiday_and_make_up_days(db):
    calendar_seed([2025])
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are make-up working days.
    assert not is_working_day(date(2025, 10, 3))
    assert is_working_day(date(2025, 9, 28))
    assert is_working_day(date(2025, 10, 11))
    # 15 working days from 26 September 2025 (Friday)
    assert add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)
    assert add_working_days(date(2025, 9, 26), 2) == date(2025, 9, 29)
    assert add_working_days(date(2025, 9, 26), 3) == date(2025, 9, 30)
    assert add_working_days(date(2025, 9, 26), 4) == date(2025, 10, 9)
    # 9 Oct, 10 Oct, Sat 11 Oct (make-up), 13–17, 20–24, 27, 28: the 15th is 28 October.
    assert add_working_days(date(2025, 9, 30), 15) == date(2025, 10, 28)


def test_zero_days_moves_to_next_working_day(db):
    calendar_seed([2026])
    assert add_working_days(date(2026, 10, 1), 0) == date(2026, 10, 8)
    assert add_working_days(date(2026, 11, 30), 0) == date(2026, 11, 30)


def test_negative_counts_backwards(db):
    assert add_working_days(date(2026, 11, 30), -1) == date(2026, 11, 27)


def test_administrator_edit_wins_over_seed(db):
    calendar_seed([2026])
    CalendarDay.objects.update_or_create(
        date=date(2026, 12, 7), defaults={"is_working_day": False, "source": "manual"}
    )
    calendar_seed([2026])  # re-seeding keeps the manual day
    assert not is_working_day(date(2026, 12, 7))
    assert add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 8)


def test_seed_is_idempotent(db):
    first = calendar_seed([2026])
    count = CalendarDay.objects.count()
    assert calendar_seed([2026]) == first
    assert CalendarDay.objects.count() == count


def test_working_days_between(db):
    assert working_days_between(date(2026, 11, 27), date(2026, 12, 4)) == 5
    assert working_days_between(date(2026, 12, 4), date(2026, 11, 27)) == -5
