"""Statistics of problem clues for the user's jurisdiction over a period: by source, disposal, form
(四种形态), accused level, and per month and quarter. One GROUP BY query each, whatever the number of
clues (the page's query count is constant; tests/petitions/test_clue_stats.py guards it).

    source, level, month    clues registered in the period
    disposal                disposals approved in the period (a clue first questioned by letter and
                            then closed counts once under each: it was disposed of twice)
    form                    clues closed or transferred in the period, by the form of their outcome

Scope is access.clues_visible_to (holder in the jurisdiction, recused items left out); the figures are
read from the reporting database (a replica when one is usable: core/ops/replicas.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from jijian.core.models import CadreLevel
from jijian.core.ops.replicas import on_reporting_db
from jijian.petitions.access import clues_visible_to
from jijian.petitions.models import ClueSource, ClueStep, Disposal, Form


@dataclass(frozen=True)
class Period:
    start: date  # first day
    end: date  # last day (inclusive)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        return (
            timezone.make_aware(datetime.combine(self.start, time.min), tz),
            timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min), tz),
        )


def default_period(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(date(today.year, 1, 1), today)


def month_period(start_month: date, end_month: date) -> Period:
    """From the first day of `start_month` to the last day of `end_month`."""
    first = start_month.replace(day=1)
    nxt = (end_month.replace(day=1) + timedelta(days=32)).replace(day=1)
    return Period(first, nxt - timedelta(days=1))


@dataclass
class ClueStats:
    period: Period
    total: int = 0
    by_source: list[tuple[str, str, int]] = field(default_factory=list)  # (value, label, count)
    by_disposal: list[tuple[str, str, int]] = field(default_factory=list)
    by_form: list[tuple[str, str, int]] = field(default_factory=list)
    by_level: list[tuple[str, str, int]] = field(default_factory=list)
    by_month: list[tuple[date, int]] = field(default_factory=list)
    by_quarter: list[tuple[str, int]] = field(default_factory=list)
    disposed: int = 0
    ended: int = 0

    def as_dict(self) -> dict:
        def rows(items):
            return [{"key": k, "label": label, "count": n} for k, label, n in items]

        return {
            "start": self.period.start,
            "end": self.period.end,
            "total": self.total,
            "by_source": rows(self.by_source),
            "by_disposal": rows(self.by_disposal),
            "by_form": rows(self.by_form),
            "by_level": rows(self.by_level),
            "by_month": [{"month": m.strftime("%Y-%m"), "count": n} for m, n in self.by_month],
            "by_quarter": [{"quarter": q, "count": n} for q, n in self.by_quarter],
        }


def _labelled(counts: dict, choices) -> list[tuple[str, str, int]]:
    """Every choice in its order, with 0 where nothing was counted."""
    return [(value, str(label), counts.get(value, 0)) for value, label in choices]


def _months(period: Period) -> list[date]:
    months, m = [], period.start.replace(day=1)
    while m <= period.end:
        months.append(m)
        m = (m + timedelta(days=32)).replace(day=1)
    return months


def clue_stats(user, period: Period | None = None, *, db: str | None = None) -> ClueStats:
    """The statistics over `period` (default: this year so far), read on `db`, by default the
    reporting database (core.ops.replicas.on_reporting_db: the primary once more if a replica fails)."""
    period = period or default_period()
    if db is None:
        return on_reporting_db(lambda alias: clue_stats(user, period, db=alias))
    lo, hi = period.bounds
    clues = clues_visible_to(user).using(db).select_related(None).order_by()
    registered = clues.filter(registered_at__gte=lo, registered_at__lt=hi)
    stats = ClueStats(period=period)

    by_source = dict(registered.values_list("source").annotate(n=Count("pk")))
    stats.by_source = _labelled(by_source, ClueSource.choices)
    stats.total = sum(by_source.values())

    by_level = dict(registered.values_list("accused_level").annotate(n=Count("pk")))
    stats.by_level = _labelled(by_level, CadreLevel.choices)

    approved = (
        ClueStep.objects.using(db)
        .filter(action="approve", at__gte=lo, at__lt=hi, clue__in=clues.values("pk"))
        .order_by()
        .values_list("disposal")
        .annotate(n=Count("pk"))
    )
    by_disposal = dict(approved)
    stats.by_disposal = _labelled(by_disposal, Disposal.choices)
    stats.disposed = sum(by_disposal.values())

    ended = clues.filter(closed_at__gte=lo, closed_at__lt=hi)
    by_form = dict(ended.values_list("outcome_form").annotate(n=Count("pk")))
    stats.by_form = _labelled(by_form, Form.choices)
    stats.ended = sum(by_form.values())

    per_month: dict[date, int] = {}
    for month, n in (
        registered.annotate(m=TruncMonth("registered_at")).values_list("m").annotate(n=Count("pk"))
    ):
        key = (month.date() if isinstance(month, datetime) else month).replace(day=1)
        per_month[key] = per_month.get(key, 0) + n
    stats.by_month = [(m, per_month.get(m, 0)) for m in _months(period)]
    quarters: dict[str, int] = {}
    for m, n in stats.by_month:
        key = f"{m.year}年第{(m.month - 1) // 3 + 1}季度"
        quarters[key] = quarters.get(key, 0) + n
    stats.by_quarter = list(quarters.items())
    return stats
