"""Monitoring (督责): the status of each item in each period of its year.

An item's year is cut into periods by its frequency (12 months, 4 quarters, 2 half-years, or the
whole year up to its due date). A period's deadline is its last day — the item's due date for a
yearly item — moved to the next working day when it falls on a weekend or holiday (the working-day
calendar of core, with its 调休 days). Before the deadline, a period without a record is:

- `not_started` (grey) while the period has not begun;
- `open` while more than blue_days working days remain;
- `blue` with blue_days or fewer working days left, `yellow` with yellow_days or fewer (configured:
  thresholds.colour_days, defaults 10 and 3);

after the deadline it is `overdue` (red), and a record entered for it then is late: it needs a
reason (services.record_create) and the period shows `done_late`. A period with a record entered by
its deadline is `done`. Negative-list items (不可为) have no periods: nothing is due.

All of it is computed from one calendar window (one query), so a board of any number of
organisations costs the same few queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from jijian.core.orgs.workdays import exceptions

from . import thresholds
from .models import Frequency, Polarity

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PERIODS = {Frequency.MONTHLY: 12, Frequency.QUARTERLY: 4, Frequency.HALF_YEARLY: 2, Frequency.YEARLY: 1}
PERIOD_WORDS: dict[str, StrOrPromise | tuple[StrOrPromise, StrOrPromise]] = {
    Frequency.MONTHLY: gettext_lazy("{}月"),
    Frequency.QUARTERLY: gettext_lazy("第{}季度"),
    Frequency.HALF_YEARLY: ("上半年", gettext_lazy("下半年")),
    Frequency.YEARLY: gettext_lazy("全年"),
}

NOT_STARTED, OPEN, BLUE, YELLOW, OVERDUE, DONE, DONE_LATE = (
    "not_started",
    "open",
    "blue",
    "yellow",
    "overdue",
    "done",
    "done_late",
)
STATUS_WORDS = {
    NOT_STARTED: gettext_lazy("未开始"),
    OPEN: gettext_lazy("进行中"),
    BLUE: gettext_lazy("临近时限"),
    YELLOW: gettext_lazy("即将逾期"),
    OVERDUE: gettext_lazy("已逾期"),
    DONE: gettext_lazy("已完成"),
    DONE_LATE: gettext_lazy("逾期补录"),
}


def period_count(frequency: str) -> int:
    return PERIODS[Frequency(frequency)]


def period_label(frequency: str, period: int) -> str:
    words = PERIOD_WORDS[Frequency(frequency)]
    return str(words[period - 1]) if isinstance(words, tuple) else str(words).format(period)


def period_of(frequency: str, day: date) -> int:
    months = 12 // period_count(frequency)
    return (day.month - 1) // months + 1


def period_bounds(frequency: str, year: int, period: int, due_date: date | None = None) -> tuple[date, date]:
    """First and last day of a period (the last is the item's due date for a yearly item that has one)."""
    months = 12 // period_count(frequency)
    first = date(year, (period - 1) * months + 1, 1)
    end_month = period * months
    last = date(year + (end_month == 12), end_month % 12 + 1, 1) - timedelta(days=1)
    if Frequency(frequency) == Frequency.YEARLY and due_date is not None:
        last = due_date
    return first, last


class Calendar:
    """Working days of one window, loaded once."""

    def __init__(self, start: date, end: date):
        self.start, self.end = start, end
        self._exceptions = exceptions(start, end)

    @classmethod
    def for_year(cls, year: int, today: date) -> Calendar:
        return cls(
            min(date(year, 1, 1), today) - timedelta(days=31),
            max(date(year, 12, 31), today) + timedelta(days=31),
        )

    def is_working_day(self, day: date) -> bool:
        return self._exceptions.get(day, day.weekday() < 5)

    def deadline(self, last_day: date) -> date:
        day = last_day
        while not self.is_working_day(day) and day < self.end:
            day += timedelta(days=1)
        return day

    def working_days_left(self, today: date, deadline: date) -> int:
        """Working days in (today, deadline]; 0 on the deadline itself."""
        count, day = 0, today
        while day < deadline:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


@dataclass(frozen=True)
class PeriodStatus:
    period: int
    label: str
    deadline: date
    status: str

    @property
    def words(self) -> str:
        return str(STATUS_WORDS[self.status])

    @property
    def is_red(self) -> bool:
        return self.status == OVERDUE


def deadline_of(item, period: int, calendar: Calendar) -> date:
    _, last = period_bounds(item.frequency, item.year, period, item.due_date)
    return calendar.deadline(last)


def status_of(item, period: int, *, today: date, calendar: Calendar, done: bool | None) -> PeriodStatus:
    """`done`: None without a record, True with one entered on time, False with only late ones."""
    first, _ = period_bounds(item.frequency, item.year, period, item.due_date)
    deadline = deadline_of(item, period, calendar)
    if done is not None:
        status = DONE if done else DONE_LATE
    elif today > deadline:
        status = OVERDUE
    elif today < first:
        status = NOT_STARTED
    else:
        left = calendar.working_days_left(today, deadline)
        blue_days, yellow_days = thresholds.colour_days()
        status = YELLOW if left <= yellow_days else BLUE if left <= blue_days else OPEN
    return PeriodStatus(period, period_label(item.frequency, period), deadline, status)


def item_statuses(item, *, today: date, calendar: Calendar, done: dict[int, bool]) -> list[PeriodStatus]:
    """Every period of an item; `done` maps a period to whether a record was on time (see status_of)."""
    if item.polarity == Polarity.NEGATIVE:
        return []
    return [
        status_of(item, p, today=today, calendar=calendar, done=done.get(p))
        for p in range(1, period_count(item.frequency) + 1)
    ]


def is_late_entry(item, period: int, *, entered_on: date, calendar: Calendar) -> bool:
    return entered_on > deadline_of(item, period, calendar)
