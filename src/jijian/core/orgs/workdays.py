"""China's working-day calendar: Monday–Friday, except the statutory holidays and the CalendarDay
rows (holidays on weekdays, and make-up working days on weekends, 调休). Seeded from
`chinese-calendar`; the system administrator can edit any day (a manual edit always wins). Statutory
time limits count working days with add_working_days().

A year for which the State Council's arrangement is not known yet (chinese-calendar has no data for
it, and no administrator confirmed it: CalendarYear) is *provisional*: its fixed statutory holidays
(全国年节及纪念日放假办法, 2025 revision: 元旦 1 Jan; 春节 除夕 to 初三; 清明; 劳动节 1–2 May; 端午;
中秋; 国庆节 1–3 Oct) are applied by rule, without the make-up days, and every deadline falling in
that year is shown as 暂定 (provisional) until the arrangement is loaded."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from jijian.core.models import CalendarDay, CalendarYear

RULES_FROM_YEAR = 2025  # the holiday rules applied by rule are those in force from 2025 on
CONFIRMED_CACHE_SECONDS = 300  # whether a year was confirmed, cached: boards ask once per row

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


@lru_cache(maxsize=1)
def published_years() -> frozenset[int]:
    """Years whose arrangement chinese-calendar carries (no query)."""
    import chinese_calendar

    return frozenset(
        {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    )


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[date, str]:
    """The fixed statutory holidays of a year by rule (no make-up days): {date: name}."""
    from chinese_calendar import get_solar_terms
    from lunardate import LunarDate

    days = {date(year, 1, 1): "元旦", date(year, 5, 1): "劳动节", date(year, 5, 2): "劳动节"}
    days.update({date(year, 10, d): "国庆节" for d in (1, 2, 3)})
    new_year = LunarDate(year, 1, 1).to_solar_date()
    for offset in (-1, 0, 1, 2):  # 除夕, 正月初一 to 初三
        days[new_year + timedelta(days=offset)] = "春节"
    for day, term in get_solar_terms(date(year, 4, 1), date(year, 4, 8)):
        if term == "清明":
            days[day] = "清明节"
    days[LunarDate(year, 5, 5).to_solar_date()] = "端午节"
    days[LunarDate(year, 8, 15).to_solar_date()] = "中秋节"
    return days


def provisional_years(years) -> set[int]:
    """Of `years`, those without the State Council's arrangement: not in chinese-calendar's data and
    not confirmed by an administrator (at most one query, only for such a year, then cached)."""
    unknown = {y for y in years if y not in published_years()}
    if not unknown:
        return set()
    keys = {year: confirmed_key(year) for year in unknown}
    known = cache.get_many(list(keys.values()))
    ask = [year for year in unknown if keys[year] not in known]
    if ask:
        confirmed = set(CalendarYear.objects.filter(year__in=ask).values_list("year", flat=True))
        fresh = {keys[year]: year in confirmed for year in ask}
        cache.set_many(fresh, CONFIRMED_CACHE_SECONDS)
        known.update(fresh)
    return {year for year in unknown if not known[keys[year]]}


def confirmed_key(year: int) -> str:
    return f"workdays:confirmed:{year}"


def is_provisional(day: date | None) -> bool:
    """Whether a date (a deadline) lies in a provisional year, so is shown as 暂定."""
    return day is not None and bool(provisional_years({day.year}))


PROVISIONAL_NOTE = gettext_lazy("该年国务院放假安排尚未公布，按法定节日推算，公布后可能变动")


def provisional_mark(day: date | None) -> str:
    """The plain-text mark after a deadline (notifications, messages): "（暂定）" in a provisional
    year, else nothing. Pages use the `provisional` template filter, which asks the same rule."""
    return gettext("（暂定）") if is_provisional(day) else ""


def rule_days(start: date, end: date, provisional: set[int]) -> dict[date, bool]:
    """The statutory holidays on weekdays in [start, end] of the provisional years, as exceptions."""
    found: dict[date, bool] = {}
    for year in sorted(provisional):
        if year < RULES_FROM_YEAR:
            continue
        for day in statutory_holidays(year):
            if start <= day <= end and day.weekday() < 5:
                found[day] = False
    return found


def exceptions(start: date, end: date) -> dict[date, bool]:
    """Every exception to Monday–Friday in [start, end]: the statutory holidays of provisional years
    by rule, overridden by the CalendarDay rows (seeded or edited by the administrator)."""
    found = rule_days(start, end, provisional_years(range(start.year, end.year + 1)))
    found.update(
        CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_working_day")
    )
    return found


def is_working_day(day: date) -> bool:
    return exceptions(day, day).get(day, day.weekday() < 5)


class WorkingDays:
    """The working-day calendar over [lo, hi], read once (`exceptions`): for a page that counts many
    limits, one query instead of one per limit. A count that leaves the window reads the window
    around the day it reached. `add_working_days` is this with a window around its one start."""

    def __init__(self, lo: date, hi: date) -> None:
        self.lo, self.hi = lo, hi
        self.window = exceptions(lo, hi)

    @classmethod
    def around(cls, start: date, n: int) -> WorkingDays:
        # No Chinese holiday run exceeds ~10 days, so 3 calendar days per working day plus a margin
        # certainly holds the answer.
        span = timedelta(days=abs(n) * 3 + 60)
        return cls(start - span, start + span)

    def is_working_day(self, day: date) -> bool:
        if not self.lo <= day <= self.hi:
            span = self.hi - self.lo
            self.lo, self.hi = day - span / 2, day + span / 2
            self.window = exceptions(self.lo, self.hi)
        return self.window.get(day, day.weekday() < 5)

    def add(self, start: date, n: int) -> date:
        """The date n working days after `start` (n > 0), or before it (n < 0); n == 0 gives `start`
        itself if it is a working day, else the next working day. `start` itself is not counted, as
        for statutory limits: a report received on a Friday with a 5-working-day limit is due next
        Friday."""
        day = start
        if n == 0:
            while not self.is_working_day(day):
                day += timedelta(days=1)
            return day
        step, remaining = timedelta(days=1 if n > 0 else -1), abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative if end is before start."""
        if end < start:
            return -self.between(end, start)
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def add_working_days(start: date, n: int) -> date:
    """See `WorkingDays.add`: one calendar read around `start`."""
    return WorkingDays.around(start, n).add(start, n)


def next_working_day_on_or_after(day: date) -> date:
    return add_working_days(day, 0)


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]; negative if end is before start."""
    return WorkingDays(min(start, end), max(start, end)).between(start, end)


@transaction.atomic
def calendar_seed(years: list[int] | None = None) -> dict[int, int]:
    """Insert the holidays and make-up days that `chinese-calendar` knows for the given years (all it
    knows from 2019 on by default): {year: days loaded}, 0 for a year it has no arrangement for (that
    year stays provisional). Never overwrites a day an administrator edited (source "manual"). Safe
    to run twice."""
    import chinese_calendar

    years = sorted(set(years or [y for y in published_years() if y >= 2019]))
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
    loaded = dict.fromkeys(years, 0)
    for day in rows:
        loaded[day.year] += 1
    return loaded
