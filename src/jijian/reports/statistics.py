"""Statistics of the monthly duty reports (selectors: reads only).

Every measure is one GROUP BY over MonthlyReport, grouped and filtered by the village's ancestors *as
of the month* (city_id_at / county_id_at / township_id_at, written when the month's expected rows were
opened): a township moved to another county after its reports exist stays counted under the old
county for the old months, and the tree is never walked per village. The cost of a page is a fixed
number of queries whatever the number of villages.

Definitions (docs/domain.md §1):
- expected: the month's MonthlyReport rows (one per expected village);
- submitted: state in SUBMITTED_STATES (submitted, resubmitted, approved);
- on time / late: submitted and not is_late / is_late (decided by the first submission);
- missing: expected − submitted (not started, draft, or returned and not yet resubmitted);
- zero: submitted zero reports (a draft marked zero is not a report yet);
- returned: reports ever returned (return_count > 0), whatever their state now;
- approved: state approved.

Duty-type counts come from DutyRecord, which carries the same *_at columns (the month's expected row's,
written when the record is made): a township moved to another county leaves its past duty records,
like its past reports, with the old county.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy

from jijian.core.access import unit_in_scope, unit_scope_q
from jijian.core.models import COUNTY_KINDS, TOWNSHIP_KINDS, VILLAGE_KINDS, OrgKind, OrgUnit, User
from jijian.core.ops.replicas import on_reporting_db, reporting_db
from jijian.core.roles import Module, Role

from .access import reports_visible_to
from .models import SUBMITTED_STATES, DutyRecord, MemberKind, MonthlyReport, ReportState

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

STATS_ROLES = frozenset({Role.TOWNSHIP_COMMITTEE, Role.CONDUCT_SUPERVISION})
MAX_MONTHS = 36
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


# --- who and where -------------------------------------------------------------------------------
def can_see_stats(user) -> bool:
    """The statistics are for supervisors: township committees and conduct supervision offices. A
    village member has module REPORTS (their own reports) but not these pages."""
    return (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_module(Module.REPORTS)
        and bool(user.role_set & STATS_ROLES)
    )


STATS_KINDS = frozenset(
    {OrgKind.CITY, OrgKind.MANAGEMENT_ZONE, *COUNTY_KINDS, *TOWNSHIP_KINDS, *VILLAGE_KINDS}
)


def stats_node_for(user: User, node_id: object = None) -> OrgUnit:
    """The org node whose statistics `user` asks for: their own unit by default, or a node of their
    subtree. Anything else (no stats role, outside the jurisdiction, a department) is a 404."""
    if not can_see_stats(user):
        raise Http404
    if node_id in (None, ""):
        unit = user.org_unit
        if unit.kind not in STATS_KINDS:
            raise Http404
        return unit
    try:
        pk = int(str(node_id))
    except (TypeError, ValueError):
        raise Http404 from None
    found = OrgUnit.objects.filter(unit_scope_q(user), pk=pk, kind__in=STATS_KINDS).first()
    if found is None:
        raise Http404
    return found


def in_scope(user: User, unit: OrgUnit) -> bool:
    """Whether a drill-down link to `unit` may be shown (the jurisdiction rule, without a query)."""
    return unit_in_scope(user, unit)


def breadcrumbs(user: User, node: OrgUnit) -> list[OrgUnit]:
    """The node's ancestors the user may open, top down, then the node: one query."""
    ids = node.ancestor_ids()[:-1]
    units = OrgUnit.objects.filter(pk__in=ids) if ids else OrgUnit.objects.none()
    by_id = {u.pk: u for u in units}
    return [by_id[i] for i in ids if i in by_id and in_scope(user, by_id[i])] + [node]


# --- months --------------------------------------------------------------------------------------
def parse_month(text: str) -> date:
    m = _MONTH_RE.match((text or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 2000:
        raise ValueError(f"月份格式不正确：{text}（应为 YYYY-MM，如 2025-10）")
    return date(int(m.group(1)), int(m.group(2)), 1)


def add_months(month: date, n: int) -> date:
    i = month.year * 12 + month.month - 1 + n
    return date(i // 12, i % 12 + 1, 1)


def months_between(start: date, end: date) -> list[date]:
    n = (end.year - start.year) * 12 + end.month - start.month
    return [add_months(start, i) for i in range(n + 1)]


def month_range(from_text: str | None, to_text: str | None, *, today: date) -> tuple[date, date, list[str]]:
    """The month range asked for, and the problems with it (in Chinese). Default: last month. A bad
    range falls back to the default and says why."""
    default = add_months(today.replace(day=1), -1)
    errors: list[str] = []
    try:
        start = parse_month(from_text) if from_text else None
        end = parse_month(to_text) if to_text else None
    except ValueError as exc:
        return default, default, [str(exc)]
    if start is None and end is None:
        start = end = default
    elif start is None:
        start = end
    elif end is None:
        end = start
    assert start is not None and end is not None
    this_month = today.replace(day=1)
    if end > this_month or start > this_month:
        errors.append(gettext("月份不能晚于本月"))
    elif start > end:
        errors.append(gettext("起始月份不能晚于结束月份"))
    elif len(months_between(start, end)) > MAX_MONTHS:
        errors.append(gettext("时间范围不能超过%(MAX_MONTHS)s个月") % {"MAX_MONTHS": MAX_MONTHS})
    if errors:
        return default, default, errors
    return start, end, []


# --- measures ------------------------------------------------------------------------------------
@dataclass
class Measures:
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    late: int = 0
    zero: int = 0
    returned: int = 0
    approved: int = 0

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    @property
    def submission_rate(self) -> float:
        return round(100.0 * self.submitted / self.expected, 1) if self.expected else 0.0

    @property
    def on_time_rate(self) -> float:
        return round(100.0 * self.on_time / self.expected, 1) if self.expected else 0.0

    def add(self, other: Measures) -> None:
        for name in MEASURE_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        # The fields by name, not dataclasses.asdict(), which deep-copies recursively: a cost per row that
        # a province's township ranking felt (bench/README.md, "Monthly-report statistics").
        return {
            **{name: getattr(self, name) for name in MEASURE_FIELDS},
            "missing": self.missing,
            "submission_rate": self.submission_rate,
            "on_time_rate": self.on_time_rate,
        }


MEASURE_FIELDS = ("expected", "submitted", "on_time", "late", "zero", "returned", "approved")
# (label, attribute) in the order of every table, page, Excel and circular; the label is lazy (str() for a
# workbook's cell).
MEASURE_COLUMNS = (
    (gettext_lazy("应报"), "expected"),
    (gettext_lazy("已报"), "submitted"),
    (gettext_lazy("按时"), "on_time"),
    (gettext_lazy("逾期"), "late"),
    (gettext_lazy("未报"), "missing"),
    (gettext_lazy("零报告"), "zero"),
    (gettext_lazy("曾退回"), "returned"),
    (gettext_lazy("已审核"), "approved"),
    (gettext_lazy("上报率%"), "submission_rate"),
    (gettext_lazy("按时率%"), "on_time_rate"),
)

_SUBMITTED = Q(state__in=SUBMITTED_STATES)
# Count the NOT NULL `state` (not `id`): every column read is in the covering index
# report_month_city_cover, so PostgreSQL answers a whole month with an index-only scan.
AGGREGATES = {
    "expected": Count("state"),
    "submitted": Count("state", filter=_SUBMITTED),
    "on_time": Count("state", filter=_SUBMITTED & Q(is_late=False)),
    "late": Count("state", filter=_SUBMITTED & Q(is_late=True)),
    "zero": Count("state", filter=_SUBMITTED & Q(is_zero_report=True)),
    "returned": Count("state", filter=Q(return_count__gt=0)),
    "approved": Count("state", filter=Q(state=ReportState.APPROVED)),
}


@dataclass(frozen=True)
class Level:
    """How a node's reports are found and split: the *_at column that holds the node, the one that
    holds its children, and whether the children are villages."""

    filter_field: str  # e.g. "county_id_at" ("" for a management zone: see _node_filter)
    group_field: str  # e.g. "township_id_at"
    child_label: StrOrPromise


def level_of(node: OrgUnit) -> Level | None:
    if node.kind == OrgKind.CITY:
        return Level("city_id_at", "county_id_at", gettext_lazy("县（市、区）"))
    if node.is_county:
        return Level("county_id_at", "township_id_at", gettext_lazy("乡镇（街道）"))
    if node.kind == OrgKind.MANAGEMENT_ZONE:
        return Level("", "township_id_at", gettext_lazy("乡镇（街道）"))  # filtered by the zone's townships
    if node.is_township:
        return Level("township_id_at", "village_id", gettext_lazy("村（社区）"))
    return None  # a village: its reports are listed instead


def _node_filter(node: OrgUnit) -> Q:
    if node.is_village:
        return Q(village_id=node.pk)
    level = level_of(node)
    assert level is not None
    if node.kind == OrgKind.MANAGEMENT_ZONE:
        # A zone oversees the townships it manages now (it has no *_at column of its own).
        return Q(
            township_id_at__in=OrgUnit.objects.filter(zone_id=node.pk, kind__in=TOWNSHIP_KINDS).values("pk")
        )
    return Q(**{level.filter_field: node.pk})


def reports_of_node(
    node: OrgUnit, start: date, end: date, *, db: str | None = None
) -> QuerySet[MonthlyReport]:
    """The expected-report rows of the months [start, end] that belonged to `node` in their month,
    read from `db` (by default a replica when one is usable: core/ops/replicas.py). The caller has
    resolved `node` through stats_node_for (jurisdiction), on the primary."""
    return MonthlyReport.objects.using(db or reporting_db()).filter(
        _node_filter(node), month__gte=start, month__lte=end, member_kind=MemberKind.VILLAGE
    )


@dataclass
class Row:
    unit: OrgUnit | None
    unit_id: int | None
    name: str
    measures: Measures
    drill: bool = False  # the user may open this child's own statistics

    def as_dict(self) -> dict:
        return {"id": self.unit_id, "name": self.name, "can_drill": self.drill, **self.measures.as_dict()}


@dataclass
class NodeStats:
    node: OrgUnit
    start: date
    end: date
    totals: Measures
    children: list[Row] = field(default_factory=list)
    child_label: StrOrPromise = ""
    trend: list[dict] = field(default_factory=list)
    duty_counts: list[dict] = field(default_factory=list)
    clues: int = 0
    rankings: dict[str, list[dict]] = field(default_factory=dict)
    reports: list[MonthlyReport] = field(default_factory=list)  # village level only
    db: str = "default"  # the database the figures were read from (core/ops/replicas.py)

    def as_dict(self) -> dict:
        return {
            "node": {"id": self.node.pk, "name": self.node.name, "kind": self.node.kind},
            "from": f"{self.start:%Y-%m}",
            "to": f"{self.end:%Y-%m}",
            "totals": self.totals.as_dict(),
            "child_label": str(self.child_label),
            "children": [r.as_dict() for r in self.children],
            "trend": self.trend,
            "duty_counts": self.duty_counts,
            "clues": self.clues,
            "rankings": self.rankings,
            "reports": [
                {
                    "id": r.pk,
                    "month": f"{r.month:%Y-%m}",
                    "state": r.state,
                    "state_label": r.get_state_display(),
                    "member": r.member.full_name if r.member else "",
                    "is_zero_report": r.is_zero_report,
                    "is_late": r.is_late,
                    "late_days": r.late_days,
                    "return_count": r.return_count,
                    "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
                }
                for r in self.reports
            ],
        }


def grouped_measures(qs: QuerySet[MonthlyReport], group_field: str) -> dict[Any, Measures]:
    """One GROUP BY: the measures per value of `group_field`, each row read as a tuple (the grouped
    value, then the counts in MEASURE_FIELDS' order)."""
    rows = qs.order_by().values(group_field).annotate(**AGGREGATES).values_list(group_field, *MEASURE_FIELDS)
    return {key: Measures(*counts) for key, *counts in rows}


def child_rows(user: User, node: OrgUnit, qs: QuerySet[MonthlyReport], level: Level) -> list[Row]:
    """Children of `node` with their measures: those that had reports in the range (by the *_at
    column, even if they sit elsewhere now) and its current children (with zeros when none were
    expected). Two queries."""
    by_child = grouped_measures(qs, level.group_field)
    if node.kind == OrgKind.MANAGEMENT_ZONE:
        current = Q(zone_id=node.pk, kind__in=TOWNSHIP_KINDS)
    elif node.kind == OrgKind.CITY:
        current = Q(parent_id=node.pk, kind__in=COUNTY_KINDS)
    elif node.is_county:
        current = Q(parent_id=node.pk, kind__in=TOWNSHIP_KINDS)
    else:
        current = Q(parent_id=node.pk, kind__in=VILLAGE_KINDS)
    ids = [k for k in by_child if k is not None]
    units = {
        u.pk: u
        for u in OrgUnit.objects.using(qs.db).filter(current | Q(pk__in=ids)).order_by("sort_order", "path")
    }
    rows = [
        Row(
            unit=u,
            unit_id=u.pk,
            name=u.name,
            measures=by_child.get(u.pk, Measures()),
            drill=in_scope(user, u),
        )
        for u in units.values()
    ]
    if None in by_child:  # rows with no ancestor at that level (should not happen; never dropped)
        rows.append(Row(unit=None, unit_id=None, name="（未归属）", measures=by_child[None]))
    return rows


def _ranking(rows: list[Row]) -> list[dict]:
    ranked = sorted(
        (r for r in rows if r.measures.expected),
        key=lambda r: (-r.measures.on_time_rate, -r.measures.submission_rate, r.name),
    )
    return [{"rank": i + 1, **r.as_dict()} for i, r in enumerate(ranked)]


def duty_counts(node: OrgUnit, start: date, end: date, *, db: str | None = None) -> list[dict]:
    """Duty records per duty type in the range, for the villages under `node` in the record's month
    (the same *_at rule as the reports). One GROUP BY, on `db` (by default the reporting database)."""
    where = _node_filter(node)
    rows = (
        DutyRecord.objects.using(db or reporting_db())
        .filter(
            where,
            is_deleted=False,
            month__gte=start,
            month__lte=end,
            duty_type__member_kind=MemberKind.VILLAGE,
        )
        .order_by()
        .values("duty_type__code", "duty_type__name", "duty_type__counts_as_clue")
        .annotate(n=Count("id"))
    )
    merged: dict[str, dict] = {}
    for row in rows:  # one code may have a name per year: keep one line per code
        item = merged.setdefault(
            row["duty_type__code"],
            {
                "code": row["duty_type__code"],
                "name": row["duty_type__name"],
                "counts_as_clue": row["duty_type__counts_as_clue"],
                "count": 0,
            },
        )
        item["count"] += row["n"]
        item["counts_as_clue"] = item["counts_as_clue"] or row["duty_type__counts_as_clue"]
    return sorted(merged.values(), key=lambda d: (-d["count"], d["code"]))


def trend(qs: QuerySet[MonthlyReport], start: date, end: date) -> list[dict]:
    """Per month of the range (every month present, zeros included): one GROUP BY."""
    by_month = grouped_measures(qs, "month")
    return [
        {"month": f"{m:%Y-%m}", **by_month.get(m, Measures()).as_dict()} for m in months_between(start, end)
    ]


TREND_MONTHS = 12  # the trend chart's span when no months were chosen


def node_statistics(
    *,
    user: User,
    node: OrgUnit,
    start: date,
    end: date,
    trend_start: date | None = None,
    db: str | None = None,
) -> NodeStats:
    """Everything the statistics page shows for `node` (already resolved for `user`, on the primary)
    and the months [start, end]: totals, children, rankings, trend, duty counts, clues; at a village,
    its reports. The trend covers [trend_start, end] when given (the page's default: the last
    TREND_MONTHS), else the range. A fixed number of queries (5 at a city, 4 below), whatever the
    number of villages, all on one database: `db`, by default the reporting database (a replica when
    one is usable; the primary once more if that replica fails: core.ops.replicas.on_reporting_db)."""
    if db is None:
        return on_reporting_db(
            lambda alias: node_statistics(
                user=user, node=node, start=start, end=end, trend_start=trend_start, db=alias
            )
        )
    qs = reports_of_node(node, start, end, db=db)
    stats = NodeStats(node=node, start=start, end=end, totals=Measures(), db=db)
    level = level_of(node)
    if level is None:
        stats.reports = list(qs.select_related("member").order_by("month"))
        for r in stats.reports:
            stats.totals.add(measures_of_report(r))
        stats.child_label = gettext_lazy("月报")
    else:
        stats.child_label = level.child_label
        stats.children = child_rows(user, node, qs, level)
        for row in stats.children:
            stats.totals.add(row.measures)
        if node.kind == OrgKind.CITY:
            stats.rankings["counties"] = _ranking(stats.children)
            townships = grouped_measures(qs, "township_id_at")
            names = _township_names(node, [k for k in townships if k], db=db)
            stats.rankings["townships"] = _ranking(
                [
                    Row(unit=None, unit_id=k, name=names.get(k, "？"), measures=m)
                    for k, m in townships.items()
                    if k
                ]
            )
        elif node.is_county or node.kind == OrgKind.MANAGEMENT_ZONE:
            stats.rankings["townships"] = _ranking(stats.children)
        else:
            stats.rankings["villages"] = _ranking(stats.children)
    if trend_start is not None and trend_start != start:
        stats.trend = trend(reports_of_node(node, trend_start, end, db=db), trend_start, end)
    else:
        stats.trend = trend(qs, start, end)
    stats.duty_counts = duty_counts(node, start, end, db=db)
    stats.clues = sum(d["count"] for d in stats.duty_counts if d["counts_as_clue"])
    return stats


def _township_names(city: OrgUnit, ids: list[int], *, db: str) -> dict[int, str]:
    """The names of the townships `ids` (those with reports under `city` in the range): the city's
    townships now, in one indexed query, and by id only those that have since moved to another city
    (rarely any). Asking for all of them by id sent one parameter per township, a visible part of a
    province's page (bench/README.md, "Monthly-report statistics")."""
    units = OrgUnit.objects.using(db)
    names = dict(units.filter(city_id=city.pk, kind__in=TOWNSHIP_KINDS).values_list("pk", "name"))
    moved = [pk for pk in ids if pk not in names]
    if moved:
        names.update(units.filter(pk__in=moved).values_list("pk", "name"))
    return names


def measures_of_report(r: MonthlyReport) -> Measures:
    submitted = r.state in SUBMITTED_STATES
    return Measures(
        expected=1,
        submitted=int(submitted),
        on_time=int(submitted and not r.is_late),
        late=int(submitted and r.is_late),
        zero=int(submitted and r.is_zero_report),
        returned=int(r.return_count > 0),
        approved=int(r.state == ReportState.APPROVED),
    )


def month_reports_for_export(node: OrgUnit, month: date, *, db: str | None = None) -> QuerySet[MonthlyReport]:
    """All reports of one month under `node` (as of that month), for the streamed export: from the
    reporting database."""
    return (
        reports_of_node(node, month, month, db=db)
        .select_related("village", "member")
        .order_by("county_id_at", "township_id_at", "village__path")
    )


def unsubmitted_of_month(
    node: OrgUnit, month: date, *, limit: int = 500, db: str | None = None
) -> list[MonthlyReport]:
    """Reports of `month` under `node` not submitted, and the late ones, for the circular: from the
    reporting database."""
    return list(
        reports_of_node(node, month, month, db=db)
        .filter(~_SUBMITTED | Q(is_late=True))
        .select_related("village__parent", "member")
        .order_by("village__path")[:limit]
    )


# --- department discipline members' reports (MemberKind.DEPARTMENT) --------------------------------
DEPARTMENT_STATS_ROLES = frozenset({Role.RESIDENT_GROUP, Role.CONDUCT_SUPERVISION})


@dataclass
class DepartmentStats:
    start: date
    end: date
    total: Measures
    rows: list[Row]  # per department over [start, end], in the tree's order
    reports: list[tuple[MonthlyReport, Measures]]  # the end month's reports, one per department
    ranking: list[dict] = field(default_factory=list)
    trend: list[dict] = field(default_factory=list)


def department_statistics(
    user: User, start: date, end: date, *, trend_start: date | None = None
) -> DepartmentStats:
    """The department members' reports the user reads (a resident group: its departments'; a
    supervision office: its jurisdiction's) over the months [start, end]: the same measures as the
    village statistics, over the same expected rows, per department and in total, the departments
    ranked, the trend per month over [trend_start or start, end], and the end month's reports one by
    one. Five queries, whatever the number of departments. Who has no stats role for them gets a 404
    (the page does not exist for them)."""
    if not (user.role_set & DEPARTMENT_STATS_ROLES) or not user.has_module(Module.REPORTS):
        raise Http404
    return on_reporting_db(
        lambda db: _department_statistics(user, start, end, trend_start=trend_start, db=db)
    )


def _department_statistics(
    user: User, start: date, end: date, *, trend_start: date | None, db: str
) -> DepartmentStats:
    """department_statistics on `db` (who may read it was decided on the primary)."""
    visible = reports_visible_to(user).using(db).filter(member_kind=MemberKind.DEPARTMENT)
    by_unit = grouped_measures(visible.filter(month__gte=start, month__lte=end), "village_id")
    units = OrgUnit.objects.using(db).filter(pk__in=list(by_unit)).select_related("resident_group")
    rows = [
        Row(unit=u, unit_id=u.pk, name=u.name, measures=by_unit[u.pk])
        for u in units.order_by("sort_order", "path")
    ]
    total = Measures()
    for row in rows:
        total.add(row.measures)
    reports = [
        (r, measures_of_report(r))
        for r in visible.filter(month=end)
        .select_related("village__resident_group", "member")
        .order_by("village__sort_order", "village__path")
    ]
    first = trend_start if trend_start is not None and trend_start < start else start
    return DepartmentStats(
        start=start,
        end=end,
        total=total,
        rows=rows,
        reports=reports,
        ranking=_ranking(rows),
        trend=trend(visible.filter(month__gte=first, month__lte=end), first, end),
    )
