"""Township review of monthly reports: the queue (a selector over access.reports_visible_to), the
detail of one report as the reviewer sees it, and the next report to review.

Who reviews: the township committee (role township_committee) over its villages; approve and return
are services.monthly_report_approve / monthly_report_return (they check the role and the
jurisdiction again). County and city officers with the REPORTS module (党风政风监督室) get the same
pages read-only: they supervise the townships' review, they do not do it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404

from jijian.attachments.access import attachments_visible_to
from jijian.core.models import User
from jijian.core.roles import Role

from . import services
from .access import duty_records_visible_to, reports_visible_to
from .member import ATTACHMENT_PURPOSE, labelled_values  # the member pages store duty-record files under it
from .models import MonthlyReport, ReportState

PENDING_STATES = (ReportState.SUBMITTED, ReportState.RESUBMITTED)

# The queue's state filter: "" (default) is what waits for review.
STATE_FILTERS = {
    "": PENDING_STATES,
    "submitted": (ReportState.SUBMITTED,),
    "resubmitted": (ReportState.RESUBMITTED,),
    "approved": (ReportState.APPROVED,),
    "returned": (ReportState.RETURNED,),
    "missing": (ReportState.NOT_STARTED, ReportState.DRAFT),
    "all": tuple(ReportState.values),
}


REVIEWER_ROLES = frozenset({Role.TOWNSHIP_COMMITTEE, Role.RESIDENT_GROUP})


def can_review(user: User) -> bool:
    """Approve / return / score / grade: the township committee (village members' reports) and the
    resident groups (派驻纪检监察组, the department members' reports of the departments they oversee).
    Which report a reviewer may act on is services.may_review (the reviewer rule per member kind)."""
    return user.is_authenticated and user.is_active and bool(user.role_set & REVIEWER_ROLES)


def can_review_report(user: User, report: MonthlyReport) -> bool:
    """Whether the approve / return buttons of this report are the user's (services.may_review):
    also the 党风政风监督室 for a department that no resident group oversees."""
    return user.is_authenticated and user.is_active and services.may_review(user, report)


def can_see_review(user: User) -> bool:
    """The review pages: the reviewers, and read-only the county / city supervision office."""
    return (
        user.is_authenticated
        and user.is_active
        and bool(user.role_set & (REVIEWER_ROLES | {Role.CONDUCT_SUPERVISION}))
    )


def require_reviewer(user: User) -> None:
    if not can_review(user):
        raise Http404


def require_reviewer_of(user: User, report: MonthlyReport) -> None:
    """Approve / return one report: whoever the reviewer rule names for it (can_review_report); anyone
    else — a supervision office on a village's report, say — gets the 404 of a missing page."""
    if not can_review_report(user, report):
        raise Http404


def require_review_viewer(user: User) -> None:
    if not can_see_review(user):
        raise Http404


@dataclass(frozen=True)
class QueueFilter:
    month: date | None = None
    state: str = ""
    late: bool | None = None
    zero: bool | None = None
    q: str = ""
    # ATTENTION or CLEAN: what the month holds (queue_rows), not a column; review_queue leaves it alone.
    content: str = ""


def review_queue(user: User, filters: QueueFilter | None = None) -> QuerySet[MonthlyReport]:
    """The reports the user may review (or watch), filtered, oldest submission first so that the
    month-end pile is worked through in the order it arrived. Every related object a row shows is
    joined: the query count does not grow with the rows."""
    f = filters or QueueFilter()
    if not can_see_review(user):
        return MonthlyReport.objects.none()
    qs = (
        reports_visible_to(user)
        .select_related("village__parent")
        .filter(state__in=STATE_FILTERS.get(f.state, PENDING_STATES))
    )
    if f.month:
        qs = qs.filter(month=services.month_start(f.month))
    if f.late is not None:
        qs = qs.filter(is_late=f.late)
    if f.zero is not None:
        qs = qs.filter(is_zero_report=f.zero)
    if f.q:
        q = f.q.strip()
        qs = qs.filter(
            Q(village__name__contains=q)
            | Q(village__pinyin_initials__startswith=q.lower())
            | Q(member__full_name__contains=q)
        )
    return qs.order_by("submitted_at", "month", "village__path", "pk")


# What a report's month holds, as a queue filter: a clue found or a checklist item not met asks for a
# close reading (a zero report meets no checklist item); the rest can be approved from the list.
ATTENTION = "attention"
CLEAN = "clean"


def needs_attention(month: services.MonthChecklist) -> bool:
    return bool(month.clues or month.short)


def queue_rows(reports, *, content: str = "") -> list[tuple[MonthlyReport, services.MonthChecklist]]:
    """Reports of the queue with what each report's month holds — its records, the clues among them and
    the checklist items not met — so that a reviewer with hundreds to go sees which ones to read
    closely before approving the rest; with `content`, only those that need it (ATTENTION) or only the
    others (CLEAN). Two queries, whatever the number of reports."""
    reports = list(reports)
    months = services.month_checklists([(r.village, r.month) for r in reports])
    rows = [(r, months[r.village_id, r.month]) for r in reports]
    if content in (ATTENTION, CLEAN):
        rows = [(r, month) for r, month in rows if needs_attention(month) == (content == ATTENTION)]
    return rows


def review_next(
    user: User, *, after: MonthlyReport, filters: QueueFilter | None = None
) -> MonthlyReport | None:
    """The next report waiting for review in the reviewer's filtered queue (only waiting states,
    whatever the state filter), so that after approving or returning the reviewer goes straight on."""
    f = filters or QueueFilter()
    if f.state not in ("", "submitted", "resubmitted"):
        f = QueueFilter(month=f.month, late=f.late, zero=f.zero, q=f.q, content=f.content)
    following = review_queue(user, f).exclude(pk=after.pk)
    if f.content:
        rows = queue_rows(following, content=f.content)
        return rows[0][0] if rows else None
    return following.first()


def review_pending_count(user: User) -> int:
    if not can_review(user):
        return 0
    return reports_visible_to(user).filter(state__in=PENDING_STATES).count()


def review_detail_context(user: User, report: MonthlyReport) -> dict:
    """Everything the review page shows about one report, in a fixed number of queries."""
    records = list(
        duty_records_visible_to(user)
        .filter(village_id=report.village_id, month=report.month)
        .order_by("occurred_on", "pk")
    )
    files: dict[str, list] = {}
    if records:
        for att in attachments_visible_to(user).filter(
            purpose=ATTACHMENT_PURPOSE, object_id__in=[str(r.pk) for r in records]
        ):
            files.setdefault(att.object_id, []).append(att)
    shown = []
    for record in records:
        shown.append(
            {"record": record, "files": files.get(str(record.pk), []), "data": labelled_values(record)}
        )
    rubric = services.settings_for_city(report.city_id_at).rubric
    scores = report.score_detail or {}
    return {
        "report": report,
        "records": shown,
        "checklist": services.checklist_status(village=report.village, month=report.month),
        "transitions": list(report.transitions.select_related("actor")),
        "rubric": [dict(item, value=scores.get(item["key"], "")) for item in rubric],
        "rubric_max": sum(item["max"] for item in rubric),
        "count_labels": _count_labels(report),
        "can_act": can_review_report(user, report) and report.state in PENDING_STATES,
    }


def _count_labels(report: MonthlyReport) -> list[tuple[str, int]]:
    names = {t.code: t.name for t in services.duty_types_for(report.month.year, report.member_kind)}
    return [(names.get(code, code), n) for code, n in (report.counts or {}).items()]
