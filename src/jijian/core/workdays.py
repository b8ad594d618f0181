"""China's working-day calendar: Monday–Friday, except the CalendarDay rows (statutory holidays on
weekdays, and make-up working days on weekends, 调休). Seeded from `chinese-calendar`; the system
administrator can edit any day. Statutory time limits count working days with add_working_days()."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from .models import CalendarDay

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _exceptions(start: date, end: date) -> dict[date, bool]:
    return dict(
        CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_working_day")
    )


def is_working_day(day: date) -> bool:
    override = CalendarDay.objects.filter(date=day).values_list("is_working_day", flat=True).first()
    if override is not None:
        return override
    return day.weekday() < 5


def add_working_days(start: date, n: int) -> date:
    """The date n working days after `start` (n > 0), or before it (n < 0); n == 0 gives `start`
    itself if it is a working day, else the next working day. `start` itself is not counted, as for
    statutory limits: a report received on a Friday with a 5-working-day limit is due next Friday."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    # One query for a window that certainly holds the answer (no Chinese holiday run exceeds ~10
    # days, so 3 calendar days per working day plus a margin is ample); reloaded if ever passed.
    span = timedelta(days=remaining * 3 + 60)
    lo, hi = start - span, start + span
    window = _exceptions(lo, hi)
    day = start
    while True:
        if remaining == 0 and window.get(day, day.weekday() < 5):
            return day
        day += timedelta(days=step) if (remaining or n == 0) else timedelta(0)
        if not lo <= day <= hi:
            lo, hi = day - span, day + span
            window = _exceptions(lo, hi)
        if remaining and window.get(day, day.weekday() < 5):
            remaining -= 1
            if remaining == 0:
                return day


def next_working_day_on_or_after(day: date) -> date:
    return add_working_days(day, 0)


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]; negative if end is before start."""
    if end < start:
        return -working_days_between(end, start)
    window = _exceptions(start, end)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if window.get(day, day.weekday() < 5):
            count += 1
    return count


@transaction.atomic
def calendar_seed(years: list[int] | None = None) -> int:
    """Insert the holidays and make-up days that `chinese-calendar` knows for the given years. Never
    overwrites a day an administrator edited (source "manual"). Safe to run twice."""
    import chinese_calendar

    known_years = sorted(
        {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    )
    years = years or [y for y in known_years if y >= 2019]
    manual = set(CalendarDay.objects.filter(source="manual").values_list("date", flat=True))
    rows: dict[date, CalendarDay] = {}
    for day, holiday in chinese_calendar.holidays.items():
        if day.year in years and day.weekday() < 5 and day not in manual:
            rows[day] = CalendarDay(
                date=day, is_working_day=False, name=HOLIDAY_NAMES.get(str(holiday), str(holiday))
            )
    for day, holiday in chinese_calendar.workdays.items():
        if day.year in years and day.weekday() >= 5 and day not in manual:
            rows[day] = CalendarDay(
                date=day, is_working_day=True, name=f"{HOLIDAY_NAMES.get(str(holiday), str(holiday))}调休"
            )
    CalendarDay.objects.filter(source="seed", date__in=list(rows)).delete()
    CalendarDay.objects.bulk_create(list(rows.values()))
    return len(rows)
