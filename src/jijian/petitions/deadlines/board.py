"""Selectors of the deadline board (办理时限看板) and of the quarterly results page.

The board lists the open time limits (PetitionDeadline with met_at empty) held by bodies in the
user's jurisdiction (access.deadlines_visible_to: by `holder`, so a restricted report shows only at
the body that holds it), ordered by due date:

    red     the due date has passed
    yellow  due by deadlines.warn_until(today) (settings.PETITION_DEADLINE_WARN_WORKING_DAYS)
    green   later

A page costs a fixed number of queries, whatever the number of rows: the calendar around today (the
warning date and every row's working days left come from it), the user's declared relations (items
about a relative are left out, as everywhere in petitions), the counts per colour (ONE query with
open rows in scope counted per due date, summed per colour in Python) and the page (ONE query, with the item and the
holder joined). Both big queries read the partial indexes of the open rows (deadline_open_due,
deadline_open_holder_due): bench/bench_petitions.py times them over 1,000,000
reports against their raw SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.db.models.query import EmptyQuerySet
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from jijian.core.access import unit_scope_q
from jijian.core.models import OrgUnit
from jijian.core.ops.replicas import on_reporting_db, reporting_db
from jijian.core.orgs import workdays
from jijian.petitions.access import deadlines_visible_to, petitions_visible_to, recused_names
from jijian.petitions.deadlines import limits as deadlines
from jijian.petitions.models import DeadlineKind, PetitionDeadline, PetitionReport, PetitionState

PAGE_SIZE = 50
COLOURS = ("red", "yellow", "green")
COLOUR_LABELS = {
    "red": gettext_lazy("已逾期"),
    "yellow": gettext_lazy("临近到期"),
    "green": gettext_lazy("正常"),
}
OPEN_STATES = (PetitionState.RECEIVED, PetitionState.ACCEPTED, PetitionState.FORWARDED)


# --- dates ----------------------------------------------------------------------------------------
CALENDAR_SPAN = timedelta(days=400)  # calendar exceptions read once per page, around today


@dataclass(frozen=True)
class BoardDates:
    today: date
    warn_until: date
    # The calendar's exceptions (holidays on weekdays, make-up working days) in [lo, hi]: read once
    # with the warning date, then used for every row's working days left.
    exceptions: dict | None = None
    lo: date | None = None
    hi: date | None = None


def calendar_window(today: date) -> tuple[date, date]:
    return today - CALENDAR_SPAN, today + CALENDAR_SPAN


def board_dates(today: date | None = None) -> BoardDates:
    """Today, the warning date (deadlines.warn_until: PETITION_DEADLINE_WARN_WORKING_DAYS working days
    ahead) and the calendar around today, in one query."""
    today = today or timezone.localdate()
    lo, hi = calendar_window(today)
    return dates_from(today, workdays.exceptions(lo, hi))


def dates_from(today: date, exceptions: dict[date, bool]) -> BoardDates:
    """BoardDates from the calendar exceptions of calendar_window(today), already read."""
    lo, hi = calendar_window(today)
    n, day = settings.PETITION_DEADLINE_WARN_WORKING_DAYS, today
    while n > 0 and day < hi:  # as core.orgs.workdays.add_working_days(today, n), on the window read
        day += timedelta(days=1)
        if exceptions.get(day, day.weekday() < 5):
            n -= 1
    warn = day if n == 0 else deadlines.warn_until(today)
    return BoardDates(today=today, warn_until=warn, exceptions=exceptions, lo=lo, hi=hi)


def colour_q(colour: str, dates: BoardDates, *, field: str = "due_date") -> Q:
    """The rows of one colour, as a range of due dates (so the (holder, due_date) index serves it)."""
    if colour == "red":
        return Q(**{f"{field}__lt": dates.today})
    if colour == "yellow":
        return Q(**{f"{field}__gte": dates.today, f"{field}__lte": dates.warn_until})
    if colour == "green":
        return Q(**{f"{field}__gt": dates.warn_until})
    return Q()


def colour_of(due: date, dates: BoardDates) -> str:
    return deadlines.urgency(due, today=dates.today, warn_until=dates.warn_until)


# --- the board ------------------------------------------------------------------------------------
def board_scopes(
    user, *, kind: str = "", db: str | None = None
) -> tuple[QuerySet[PetitionDeadline], QuerySet[PetitionDeadline]]:
    """(for the counts, for the page): the open deadlines in the user's jurisdiction
    (access.deadlines_visible_to), of one kind or all, without the items the user is recused from.

    Both are the same rows, written two ways for PostgreSQL. The page is deadlines_visible_to itself
    (a join on the holder; in due-date order with a LIMIT it walks deadline_open_due, or the
    (holder, due_date) index for a county). The counts use the same jurisdiction rule
    (core.access.unit_scope_q) as a semi-join, `holder_id IN (SELECT id FROM core_orgunit WHERE
    <rule>)`: as a join, Django moves the rule's `id = <unit>` onto the deadline's holder_id, and to
    count a city's open deadlines PostgreSQL then hashes the whole org-unit table, several times
    slower at nation scale than the semi-join (bench/README.md, "Petitions"). test_board.py checks
    they are equal.

    Both read the reporting database (a replica when one is usable: core/ops/replicas.py); the
    user's roles, unit and declared relations that shape them are read from the primary and enter the
    statements as values. `db`: the reporting database unless given (the pages pass the one
    core.ops.replicas.on_reporting_db hands them)."""
    db = db or reporting_db()
    visible = deadlines_visible_to(user).using(db)  # the module check and the jurisdiction rule
    if isinstance(visible, EmptyQuerySet):
        return visible, visible
    counted = PetitionDeadline.objects.using(db).filter(
        met_at__isnull=True, holder__in=OrgUnit.objects.filter(unit_scope_q(user)).values("pk")
    )
    rows = visible
    if kind:
        counted, rows = counted.filter(kind=kind), rows.filter(kind=kind)
    names = recused_names(user)
    if names:
        counted, rows = (
            qs.exclude(report__accused_name_index__in=names).exclude(clue__accused_name_index__in=names)
            for qs in (counted, rows)
        )
    return counted, rows


def board_scope(user, *, kind: str = "") -> QuerySet[PetitionDeadline]:
    """The board's rows (see board_scopes)."""
    return board_scopes(user, kind=kind)[1]


def board_counts(qs: QuerySet[PetitionDeadline], dates: BoardDates) -> dict[str, int]:
    """{"red": n, "yellow": n, "green": n, "total": n} in one query over `qs` (board_scopes' first:
    any queryset of open deadlines gives the right numbers): the open rows counted per due date
    (`GROUP BY due_date`, read from the partial indexes: an index-only scan), then summed per colour
    here. Open limits fall on a few hundred distinct dates at most, so the rows returned stay few;
    the query is simpler for Django to build than three filtered counts (bench/bench_petitions.py)."""
    counts = {"red": 0, "yellow": 0, "green": 0}
    if not isinstance(qs, EmptyQuerySet):
        for due, n in qs.order_by().values_list("due_date").annotate(n=Count("due_date")):
            counts[colour_of(due, dates)] += n
    counts["total"] = counts["red"] + counts["yellow"] + counts["green"]
    return counts


ROW_FIELDS = (
    "pk",
    "kind",
    "starts_on",
    "due_date",
    "holder__name",
    "report_id",
    "report__serial_number",
    "clue_id",
    "clue__number",
    "extended_from",
    "escalation",
    "awaiting_leader",
)


def board_rows_query(qs: QuerySet[PetitionDeadline], dates: BoardDates, colour: str = ""):
    """The rows of the board in order (due date, then id), with the item and the holder joined: only
    the columns shown, as tuples (ROW_FIELDS)."""
    if colour:
        qs = qs.filter(colour_q(colour, dates))
    return qs.order_by("due_date", "pk").values_list(*ROW_FIELDS)


KIND_LABELS = dict(DeadlineKind.choices)
ESCALATION_LABELS = {"urge": gettext_lazy("已催办"), "supervise": gettext_lazy("已督办")}


@dataclass
class BoardRow:
    pk: int
    kind: str
    starts_on: date
    due_date: date
    holder_name: str
    colour: str
    days_left: int  # working days until due; negative: working days overdue
    item_label: str
    item_kind: str  # "举报件" / "问题线索"
    item_url: str
    extended_from: date | None = None  # the limit before an approved extension
    escalation: str = ""  # "urge" (催办) or "supervise" (督办) once sent about this limit
    # The holder has done its part and the limit waits on a leader's approval
    # (PetitionDeadline.awaiting_leader: a 办结 report, an answer upholding the result).
    awaiting_leader: bool = False

    @property
    def escalation_label(self) -> str:
        return str(ESCALATION_LABELS.get(self.escalation, ""))

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def colour_label(self) -> str:
        return str(COLOUR_LABELS[self.colour])

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def board_page(
    qs: QuerySet[PetitionDeadline],
    dates: BoardDates,
    *,
    colour: str = "",
    number: int | str | None = 1,
    total: int,
    per_page: int | None = None,
) -> Page:
    """One page of the board: one query (a second one only for a row due more than CALENDAR_SPAN
    away from today). `total` is the row count the caller already has from board_counts (so the
    paginator does not count again). The page's object_list is a list of BoardRow."""
    paginator = Paginator(board_rows_query(qs, dates, colour), per_page or PAGE_SIZE)
    paginator.count = total  # cached_property: set, not computed with another COUNT
    page = paginator.get_page(number)
    rows = list(page.object_list)
    left = days_left(dates, [r[3] for r in rows])
    report_url, clue_url = item_urls()
    clue_word, report_word = gettext("问题线索"), gettext("举报件")
    page.object_list = [
        BoardRow(
            pk=pk,
            kind=kind,
            starts_on=starts_on,
            due_date=due,
            holder_name=holder_name,
            colour=colour_of(due, dates),
            days_left=left[due],
            item_label=clue_number if clue_id else (serial or f"#{report_id}" if report_id else "—"),
            item_kind=clue_word if clue_id else report_word,
            item_url=clue_url(clue_id) if clue_id else report_url(report_id) if report_id else "",
            extended_from=extended_from,
            escalation=escalation,
            awaiting_leader=awaiting,
        )
        for (
            pk,
            kind,
            starts_on,
            due,
            holder_name,
            report_id,
            serial,
            clue_id,
            clue_number,
            extended_from,
            escalation,
            awaiting,
        ) in rows
    ]
    return page


def _url_maker(name: str, fallback: str):
    """pk -> URL of the named detail page when it exists (the staff and clue pages), else of its
    path; reversed once, not per row."""
    sentinel = 987654321
    try:
        pattern = reverse(name, args=[sentinel])
    except NoReverseMatch:
        pattern = fallback.format(sentinel)
    head, tail = pattern.split(str(sentinel), 1)
    return lambda pk: f"{head}{pk}{tail}"


def item_urls():
    return _item_urls(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@lru_cache(maxsize=8)
def _item_urls(urlconf, prefix):
    """Reversed once per URLconf and script prefix, not on every page."""
    return (
        _url_maker("petitions_staff:detail", "/petitions/{}/"),
        _url_maker("petitions_clues:detail", "/petitions/clues/{}/"),
    )


def item_url(deadline: PetitionDeadline) -> str:
    report_url, clue_url = item_urls()
    if deadline.clue_id:
        return clue_url(deadline.clue_id)
    if deadline.report_id:
        return report_url(deadline.report_id)
    return ""


def item_label(deadline: PetitionDeadline) -> str:
    if deadline.clue is not None:
        return deadline.clue.number
    if deadline.report is not None:
        return deadline.report.serial_number or f"#{deadline.report_id}"
    return "—"


def days_left(dates: BoardDates, dues: list[date]) -> dict[date, int]:
    """working_days_left on the calendar read by board_dates (no query while the dates lie in it)."""
    if not dues:
        return {}
    if (
        dates.exceptions is not None
        and dates.lo is not None
        and dates.hi is not None
        and dates.lo <= min(dues)
        and max(dues) <= dates.hi
    ):
        return days_left_from(dates.exceptions, dates.today, dues)
    return working_days_left(dates.today, dues)


def working_days_left(today: date, dues: list[date]) -> dict[date, int]:
    """For each due date: working days in (today, due] (0 when due today), or minus the working days
    in (due, today] once passed. One query for the calendar exceptions of the whole span."""
    if not dues:
        return {}
    lo, hi = min([*dues, today]), max([*dues, today])
    return days_left_from(workdays.exceptions(lo, hi), today, dues)


def days_left_from(exceptions: dict[date, bool], today: date, dues: list[date]) -> dict[date, int]:
    """working_days_left on calendar exceptions already read (covering min..max of today and dues)."""
    if not dues:
        return {}
    lo, hi = min([*dues, today]), max([*dues, today])
    # cumulative[i]: working days in (lo, lo + i]
    cumulative, n, day = [0], 0, lo
    for _ in range((hi - lo).days):
        day += timedelta(days=1)
        if exceptions.get(day, day.weekday() < 5):
            n += 1
        cumulative.append(n)

    def upto(d: date) -> int:
        return cumulative[(d - lo).days]

    return {due: upto(due) - upto(today) for due in set(dues)}


KIND_CHOICES = [("", gettext_lazy("全部类型")), *DeadlineKind.choices]
COLOUR_CHOICES = [("", gettext_lazy("全部")), *((c, COLOUR_LABELS[c]) for c in COLOURS)]


# --- quarterly results back to the petition office -----------------------------------------------
def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def previous_quarter(day: date) -> tuple[int, int]:
    year, quarter = quarter_of(day)
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def quarter_dates(year: int, quarter: int) -> tuple[date, date]:
    """First day of the quarter and first day of the next one."""
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end


def quarter_bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    """The quarter as [start, end) in local time (aware datetimes, for received_at / closed_at)."""
    start, end = quarter_dates(year, quarter)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end, time.min), tz),
    )


def quarter_filters(year: int, quarter: int, *, prefix: str = "") -> dict[str, Q]:
    """The quarterly measures as filters on reports: received in the quarter, closed in it (with its
    result), and still open (received by the quarter's end, not closed nor refused now)."""
    start, end = quarter_bounds(year, quarter)
    p = prefix
    return {
        "received": Q(**{f"{p}received_at__gte": start, f"{p}received_at__lt": end}),
        "closed": Q(
            **{f"{p}state": PetitionState.CLOSED, f"{p}closed_at__gte": start, f"{p}closed_at__lt": end}
        ),
        "open": Q(**{f"{p}state__in": OPEN_STATES, f"{p}received_at__lt": end}),
    }


def quarterly_counts(user, year: int, quarter: int, *, db: str | None = None) -> dict[str, int]:
    """Received, closed with results and still open, over the reports in the user's scope (one query),
    on `db`, by default the reporting database (the primary once more if a replica fails)."""
    if db is None:
        return on_reporting_db(lambda alias: quarterly_counts(user, year, quarter, db=alias))
    qs = petitions_visible_to(user).using(db)
    if isinstance(qs, EmptyQuerySet):
        return {"received": 0, "closed": 0, "open": 0}
    filters = quarter_filters(year, quarter)
    counts = qs.order_by().aggregate(**{k: Count("pk", filter=f) for k, f in filters.items()})
    return {k: int(v or 0) for k, v in counts.items()}


def quarterly_reports(
    user, year: int, quarter: int, *, show: str = "closed", db: str | None = None
) -> QuerySet[PetitionReport]:
    """The reports of the quarterly page: closed in the quarter (newest first), or still open (oldest
    first). Only what the page shows is loaded: never the reporter's identity."""
    filters = quarter_filters(year, quarter)
    qs = (
        petitions_visible_to(user)
        .using(db or reporting_db())
        .filter(filters["open" if show == "open" else "closed"])
    )
    qs = qs.only(
        "serial_number",
        "accused_name",
        "accused_unit",
        "accused_post",
        "is_anonymous",
        "state",
        "result",
        "received_at",
        "closed_at",
        "acceptance_notified_on",
        "result_notified_on",
        "region__name",
        "holder__name",
    )
    return qs.order_by("received_at", "pk") if show == "open" else qs.order_by("-closed_at", "-pk")
