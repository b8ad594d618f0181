"""Statutory time limits of reports and clues, counted on the working-day calendar (core.orgs.workdays).

    route               5 working days from receipt to route a report (accept here, or forward)
    acceptance_notice   15 working days from receipt to tell a real-name reporter it was accepted
                        (not for repeat reports)
    forward_answer      5 working days for the body a report was forwarded to, to accept or transfer
    result_notice       15 working days after closing to tell a real-name reporter the result
    letter_reply        15 working days for the reply to a letter of inquiry (函询)
    objection_answer    settings.PETITION_OBJECTION_ANSWER_WORKING_DAYS (15) from the receipt of a
                        real-name reporter's objection to the result, to answer it
    preliminary_check   settings.PETITION_PRELIMINARY_CHECK_WORKING_DAYS (local rules: 15 days–2 months)
    conclusion          CONCLUSION_MONTHS calendar months from acceptance to 办结 (a report accepted
                        at this level; met when it is closed), moved to the next working day;
                        a commission leader may approve an extension of up to EXTENSION_MONTHS
                        more (handling/conclusion.py)

One row per limit (PetitionDeadline), open until met. The board reads the open rows in the user's
jurisdiction: red when the due date has passed, yellow within PETITION_DEADLINE_WARN_WORKING_DAYS."""

from __future__ import annotations

import calendar
from datetime import date

from django.conf import settings
from django.utils import timezone

from jijian.core.models import OrgUnit
from jijian.core.orgs.workdays import add_working_days, next_working_day_on_or_after
from jijian.petitions.models import ApprovalKind, DeadlineKind, PetitionDeadline

WORKING_DAYS: dict[str, int] = {
    DeadlineKind.ROUTE: 5,
    DeadlineKind.ACCEPTANCE_NOTICE: 15,
    DeadlineKind.FORWARD_ANSWER: 5,
    DeadlineKind.RESULT_NOTICE: 15,
    DeadlineKind.LETTER_REPLY: 15,
}


CONCLUSION_MONTHS = 3  # 受理后三个月内办结
EXTENSION_MONTHS = 3  # 情况复杂的，经批准可以适当延长，延长期限一般不超过三个月


def months_after(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it has no such day), or the next
    working day after it."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return next_working_day_on_or_after(date(year, month, min(day.day, last)))


def conclusion_due(accepted_on: date) -> date:
    """The day a report accepted on `accepted_on` is to be concluded: CONCLUSION_MONTHS later."""
    return months_after(accepted_on, CONCLUSION_MONTHS)


def extension_latest(original_due: date) -> date:
    """The latest day an approved extension may move the conclusion limit to: EXTENSION_MONTHS after
    the limit as first set (all extensions of one report together)."""
    return months_after(original_due, EXTENSION_MONTHS)


def working_days_for(kind: str) -> int:
    if kind == DeadlineKind.PRELIMINARY_CHECK:
        return settings.PETITION_PRELIMINARY_CHECK_WORKING_DAYS
    if kind == DeadlineKind.OBJECTION_ANSWER:
        return settings.PETITION_OBJECTION_ANSWER_WORKING_DAYS
    return WORKING_DAYS[kind]


def due_date_for(kind: str, start: date) -> date:
    if kind == DeadlineKind.CONCLUSION:
        return conclusion_due(start)
    return add_working_days(start, working_days_for(kind))


def deadline_open(
    *, kind: str, holder: OrgUnit, start: date, report=None, clue=None, due_date: date | None = None
) -> PetitionDeadline:
    """Start a time limit. The caller is inside its service's transaction."""
    return PetitionDeadline.objects.create(
        kind=kind,
        report=report,
        clue=clue,
        holder=holder,
        starts_on=start,
        due_date=due_date or due_date_for(kind, start),
    )


def deadline_meet(*, kind: str, report=None, clue=None, waived: bool = False) -> int:
    """Close the open limits of `kind` on the item (met now, or waived). Returns how many closed."""
    qs = PetitionDeadline.objects.filter(kind=kind, met_at__isnull=True)
    qs = qs.filter(report=report) if report is not None else qs.filter(clue=clue)
    return qs.update(met_at=timezone.now(), waived=waived)


def deadline_move(*, kind: str, report, holder: OrgUnit) -> int:
    """Hand the open limits of `kind` on a report to its new holder (after a forward)."""
    return PetitionDeadline.objects.filter(kind=kind, report=report, met_at__isnull=True).update(
        holder=holder
    )


def urgency(due: date, *, today: date, warn_until: date) -> str:
    """ "red" (passed), "yellow" (due by warn_until), "green"."""
    if due < today:
        return "red"
    if due <= warn_until:
        return "yellow"
    return "green"


def warn_until(today: date) -> date:
    return add_working_days(today, settings.PETITION_DEADLINE_WARN_WORKING_DAYS)


# A limit of these kinds waits on the commission leaders, not on its holder, while an approval of the
# matching kind is pending: the holder has sent its 办结 report, or its answer upholding the result
# against an objection, and the limit is met only when a leader approves (handling/conclusion.py).
# Kept on the limit (PetitionDeadline.awaiting_leader): the deadline board marks such rows and the
# reminders go to the leaders instead (reminders.py).
LEADER_APPROVALS: dict[str, ApprovalKind] = {
    DeadlineKind.CONCLUSION: ApprovalKind.CONCLUSION,
    DeadlineKind.OBJECTION_ANSWER: ApprovalKind.OBJECTION_UPHELD,
}


def deadline_await_leader(*, report, approval_kind: str, waiting: bool) -> int:
    """Mark (or clear) the report's limit that an approval of `approval_kind` holds up (LEADER_APPROVALS;
    other kinds hold up none): set when the approval is asked (services.approval_request), cleared
    when a leader decides (handling/conclusion.py)."""
    limit_of: dict[str, str] = {approval: limit for limit, approval in LEADER_APPROVALS.items()}
    limit = limit_of.get(approval_kind)
    if limit is None:
        return 0
    limits = PetitionDeadline.objects.filter(report=report, kind=limit, awaiting_leader=not waiting)
    if waiting:
        limits = limits.filter(met_at__isnull=True)
    return limits.update(awaiting_leader=waiting)
