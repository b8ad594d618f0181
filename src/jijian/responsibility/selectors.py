"""Reads behind the pages, always on top of access.py: an organisation's year (items with the status
of each period) and the supervising office's board (per organisation: done, due soon, red)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, IntegerField, Q, Value, When

from jijian.attachments.access import attachments_visible_to
from jijian.core.models import OrgKind, OrgUnit
from jijian.core.roles import Module

from . import monitoring
from .access import (
    RECORD_FILES,
    assessments_visible_to,
    interviews_visible_to,
    items_visible_to,
    members_visible_to,
    party_orgs_visible_to,
    records_visible_to,
)
from .models import AnnualAssessment, Holder, MemberRole, Polarity, ResponsibilityItem


def done_by_item(records_qs) -> dict[int, dict[int, bool]]:
    """item id -> period -> True (a record on time) / False (only late ones); one grouped query."""
    done: dict[int, dict[int, bool]] = defaultdict(dict)
    rows = records_qs.values("item_id", "period").annotate(on_time=Count("pk", filter=Q(is_late=False)))
    for row in rows:
        done[row["item_id"]][row["period"]] = row["on_time"] > 0
    return done


@dataclass
class ItemRow:
    item: ResponsibilityItem
    periods: list
    record_count: int = 0

    @property
    def red(self) -> int:
        return sum(p.is_red for p in self.periods)


def org_year(user, org, year: int, *, today: date) -> dict:
    """The organisation's list for the year, grouped by holder, with each period's status."""
    items = list(
        items_visible_to(user)
        .filter(org_unit=org, year=year)
        .order_by("polarity", "holder", "member_id", "sort_order", "pk")
    )
    records = records_visible_to(user).filter(org_unit=org, item__year=year)
    done = done_by_item(records)
    counts = dict(records.values_list("item_id").annotate(n=Count("pk")).values_list("item_id", "n"))
    calendar = monitoring.Calendar.for_year(year, today)
    groups: dict[str, list[ItemRow]] = {h: [] for h in Holder.values}
    negative: list = []
    for item in items:
        if item.polarity == Polarity.NEGATIVE:
            negative.append(item)
            continue
        periods = monitoring.item_statuses(item, today=today, calendar=calendar, done=done.get(item.pk, {}))
        groups[item.holder].append(ItemRow(item, periods, counts.get(item.pk, 0)))
    rows = [r for g in groups.values() for r in g]
    return {
        "groups": [(Holder(h).label, g) for h, g in groups.items() if g],
        "negative": negative,
        "totals": totals([p for r in rows for p in r.periods]),
        "item_count": len(items),
    }


def totals(periods) -> dict[str, int]:
    t: defaultdict[str, int] = defaultdict(int)
    for p in periods:
        t[p.status] += 1
    return dict(t)


@dataclass
class BoardRow:
    org: OrgUnit
    totals: dict = field(default_factory=dict)
    interviews: int = 0
    assessment: AnnualAssessment | None = None

    @property
    def due(self) -> int:
        """Periods whose deadline has come (done, late or red): the base of the on-time share."""
        return sum(self.totals.get(s, 0) for s in (monitoring.DONE, monitoring.DONE_LATE, monitoring.OVERDUE))

    @property
    def on_time_share(self) -> int | None:
        return None if not self.due else round(100 * self.totals.get(monitoring.DONE, 0) / self.due)


def board(user, year: int, *, today: date) -> list[BoardRow]:
    """One row per party organisation the user sees. A fixed number of queries whatever the number
    of organisations: the organisations, their items counted by organisation, frequency and due date,
    their records counted by organisation, frequency, due date and period (the items with a record on
    time, the items with any), the interviews grouped by organisation, the assessments, and the
    calendar. A period's status is computed once per frequency, due date and period, not per item."""
    orgs = list(party_orgs_visible_to(user).select_related("parent").order_by("path"))
    rows = {o.pk: BoardRow(o) for o in orgs}
    items = items_visible_to(user).select_related(None).filter(year=year, polarity=Polarity.POSITIVE)
    # (org, frequency, due date) -> period -> (items with a record on time, items with any record)
    done: defaultdict[tuple, dict[int, tuple[int, int]]] = defaultdict(dict)
    for org_id, frequency, due_date, period, on_time, any_record in (
        records_visible_to(user)
        .select_related(None)
        .filter(item__year=year, item__polarity=Polarity.POSITIVE)
        .values_list("item__org_unit_id", "item__frequency", "item__due_date", "period")
        .annotate(
            on_time=Count("item_id", distinct=True, filter=Q(is_late=False)),
            any_record=Count("item_id", distinct=True),
        )
        .order_by()
    ):
        done[(org_id, frequency, due_date)][period] = (on_time, any_record)
    calendar = monitoring.Calendar.for_year(year, today)
    undone: dict[tuple, list[monitoring.PeriodStatus]] = {}
    for org_id, frequency, due_date, n in (
        items.values_list("org_unit_id", "frequency", "due_date").annotate(n=Count("pk")).order_by()
    ):
        row = rows.get(org_id)
        if row is None:
            continue
        kind = (frequency, due_date)
        if kind not in undone:
            sample = ResponsibilityItem(frequency=frequency, due_date=due_date, year=year)
            undone[kind] = monitoring.item_statuses(sample, today=today, calendar=calendar, done={})
        by_period = done.get((org_id, frequency, due_date), {})
        for p in undone[kind]:
            on_time, any_record = by_period.get(p.period, (0, 0))
            for status, count in (
                (monitoring.DONE, on_time),
                (monitoring.DONE_LATE, any_record - on_time),
                (p.status, n - any_record),
            ):
                if count:
                    row.totals[status] = row.totals.get(status, 0) + count
    for org_id, n in (
        interviews_visible_to(user)
        .filter(held_on__year=year)
        .values_list("org_unit_id")
        .annotate(n=Count("pk"))
    ):
        if org_id in rows:
            rows[org_id].interviews = n
    for assessment in assessments_visible_to(user).filter(year=year):
        if assessment.org_unit_id in rows:
            rows[assessment.org_unit_id].assessment = assessment
    return list(rows.values())


def ranked(rows: list[BoardRow]) -> list[BoardRow]:
    """Best first: the share done on time, then fewer red periods; organisations with nothing yet due last."""
    return sorted(
        rows, key=lambda r: (r.on_time_share is None, -(r.on_time_share or 0), r.totals.get("overdue", 0))
    )


def red_items(user, year: int, *, today: date, org=None) -> list[tuple]:
    """(item, period status) for every overdue period the user sees, for the board's red list."""
    qs = items_visible_to(user).filter(year=year, polarity=Polarity.POSITIVE)
    if org is not None:
        qs = qs.filter(org_unit=org)
    done = done_by_item(records_visible_to(user).filter(item__year=year))
    calendar = monitoring.Calendar.for_year(year, today)
    out = []
    for item in qs.order_by("org_unit__path", "pk"):
        for p in monitoring.item_statuses(item, today=today, calendar=calendar, done=done.get(item.pk, {})):
            if p.is_red:
                out.append((item, p))
    return out


def leadership(user, org):
    """The organisation's leadership: the secretary first, then the members, the discipline member,
    and those who left office last."""
    rank = Case(
        When(role=MemberRole.SECRETARY, then=Value(0)),
        When(role=MemberRole.MEMBER, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return members_visible_to(user).filter(org_unit=org).order_by("-is_active", rank, "pk")


def record_files(user, record) -> list:
    return list(
        attachments_visible_to(user)
        .filter(module=Module.RESPONSIBILITY, purpose=RECORD_FILES, object_id=str(record.pk))
        .order_by("pk")
    )


@dataclass
class DepartmentRow:
    """The overview's line for a department: its party organisations' rows added up."""

    department: OrgUnit
    rows: list = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        t: defaultdict[str, int] = defaultdict(int)
        for r in self.rows:
            for status, n in r.totals.items():
                t[status] += n
        return dict(t)

    @property
    def on_time_share(self) -> int | None:
        return BoardRow(self.department, self.totals).on_time_share

    @property
    def interviews(self) -> int:
        return sum(r.interviews for r in self.rows)

    @property
    def grades(self) -> list[tuple[str, int]]:
        counts: defaultdict[str, int] = defaultdict(int)
        for r in self.rows:
            if r.assessment is not None:
                counts[r.assessment.get_grade_display()] += 1
        return sorted(counts.items())


def overview(rows: list[BoardRow]) -> list[DepartmentRow]:
    """The board's rows grouped by the department their organisation belongs to (its ancestor of kind
    "department", found in the loaded paths: one query for all departments)."""
    ancestor_ids = {int(i) for r in rows for i in r.org.path.strip("/").split("/") if i}
    departments = {
        d.pk: d
        for d in OrgUnit.objects.filter(pk__in=ancestor_ids, kind=OrgKind.DEPARTMENT).select_related("parent")
    }
    groups: dict[int, DepartmentRow] = {}
    for r in rows:
        dept_id = next(
            (int(i) for i in r.org.path.strip("/").split("/") if i and int(i) in departments), None
        )
        if dept_id is None:
            continue
        groups.setdefault(dept_id, DepartmentRow(departments[dept_id])).rows.append(r)
    return sorted(groups.values(), key=lambda g: g.department.path)
