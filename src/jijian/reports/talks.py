"""Follow-up of missing monthly reports (未报月报的提醒谈话和约谈).

The duty manual's rule: a member whose report is missing gets a reminder talk (提醒谈话); a member who
misses again after that talk is called to an accountability interview (约谈). The reminders
(reports.reminders) tell the member and escalate to the township and the county; the talks are held
by people, and recorded here by the reviewer of the member's reports (the township committee for a
village member, the resident group for a department's member: services.may_review_unit).

A month is *missing* for a member once its deadline has passed and the township does not have the
report (never submitted, or returned and not resubmitted), as for the reminders, the statistics and
the annual grade. For one member and one year, what is due:

- nothing, when no month is missing, or every missing month's deadline fell before the day of the
  latest talk (that talk covered them);
- otherwise a reminder talk, when the member had none that year; an accountability interview when a
  reminder talk was held and a month went missing after it (its deadline on or after the talk's day).

A talk is recorded with its day, what was said and the member's answer, and the months missing that
day; it is audited and never edited. The annual grade reads the months, not the talks: a talk does
not make a missing month count as reported."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from jijian.audit.services import audit_record
from jijian.core.models import OrgUnit, User

from . import selectors, services
from .access import reports_visible_to
from .models import SUBMITTED_STATES, MissingReportTalk, MonthlyReport

Kind = MissingReportTalk.Kind
KIND_LABELS = dict(Kind.choices)
NOTES_MAX = 2000


def _missing(qs, *, year: int, on: date):
    """Reports of `year` missing on day `on`: deadline passed, not with the reviewer."""
    return (
        qs.filter(month__year=year, member__isnull=False, deadline__lt=on)
        .exclude(state__in=SUBMITTED_STATES)
        .order_by("month")
    )


def due_kind(missing: list[MonthlyReport], talks: list[MissingReportTalk]) -> str:
    """What is due for one member's year (module docstring): '' or a Kind value. `missing` holds the
    year's missing reports, `talks` the year's talks in the order they were held."""
    last = talks[-1].held_on if talks else None
    # A talk on day X covered the months missing that day, those whose deadline was before X.
    if not any(last is None or report.deadline >= last for report in missing):
        return ""
    if any(talk.kind == Kind.REMINDER_TALK for talk in talks):
        return Kind.ACCOUNTABILITY_INTERVIEW
    return Kind.REMINDER_TALK


def talk_rows(user: User, *, year: int, today: date | None = None) -> list[dict]:
    """One row per member with a missing month that year in the user's jurisdiction: the months, the
    talks held, and what is due. Four queries however many members."""
    today = today or services.today()
    missing: dict[int, list[MonthlyReport]] = {}
    for report in _missing(reports_visible_to(user).select_related(None), year=year, on=today):
        missing.setdefault(report.member_id, []).append(report)
    if not missing:
        return []
    members = {u.pk: u for u in User.objects.filter(pk__in=missing)}
    talks: dict[int, list[MissingReportTalk]] = {}
    for talk in (
        MissingReportTalk.objects.filter(member_id__in=missing, held_on__year=year)
        .select_related("held_by")
        .order_by("held_on", "pk")
    ):
        talks.setdefault(talk.member_id, []).append(talk)
    villages = {
        v.pk: v
        for v in OrgUnit.objects.filter(pk__in={r[-1].village_id for r in missing.values()}).select_related(
            "parent"
        )
    }
    rows: list[dict[str, Any]] = []
    for member_id, reports in missing.items():
        held = talks.get(member_id, [])
        due = due_kind(reports, held)
        rows.append(
            {
                "member": members[member_id],
                "village": villages[reports[-1].village_id],
                "months": [r.month for r in reports],
                "talks": held,
                "due": due,
                "due_label": KIND_LABELS.get(due, ""),
            }
        )
    # What is due first (interviews, then reminder talks), then by place in the tree.
    order = {Kind.ACCOUNTABILITY_INTERVIEW: 0, Kind.REMINDER_TALK: 1, "": 2}
    rows.sort(key=lambda row: (order[row["due"]], row["village"].path, row["member"].pk))
    return rows


def talks_due_count(user: User, *, today: date | None = None) -> int:
    """Members of the user's jurisdiction with a talk due this year (the home page's to-do)."""
    today = today or services.today()
    return sum(1 for row in talk_rows(user, year=today.year, today=today) if row["due"])


@transaction.atomic
def missing_report_talk_record(
    *, actor: User, member: User, kind: str, held_on: date, notes: str, today: date | None = None
) -> MissingReportTalk:
    """Record a talk held with `member` about their missing reports. Refused: a kind other than the
    two, a day in the future or of an earlier year than the months, no month missing on that day, no
    notes, the same talk twice (member, kind and day), an actor who does not review this member."""
    today = today or services.today()
    member_kind = selectors.member_kind_of(member)
    if member_kind is None:
        raise ValidationError(gettext("只能为村（社区）或市直单位纪检委员记录未报谈话"))
    if not services.may_review_unit(actor, member.org_unit, member_kind):
        raise PermissionDenied
    if kind not in KIND_LABELS:
        raise ValidationError(gettext("请选择谈话方式：提醒谈话或约谈"))
    if not isinstance(held_on, date) or held_on > today:
        raise ValidationError(gettext("谈话日期不能晚于今天"))
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError(gettext("请填写谈话内容及本人表态"))
    if len(notes) > NOTES_MAX:
        raise ValidationError(gettext("谈话内容不能超过2000字"))
    months = [
        r.month for r in _missing(MonthlyReport.objects.filter(member=member), year=held_on.year, on=held_on)
    ]
    if not months:
        raise ValidationError(gettext("该委员在谈话日期之前本年度没有未报的月报，无须记录未报谈话"))
    try:
        with transaction.atomic():
            talk = MissingReportTalk.objects.create(
                member=member,
                village=member.org_unit,
                kind=kind,
                held_on=held_on,
                months=[m.isoformat() for m in months],
                notes=notes,
                held_by=actor,
            )
    except IntegrityError:
        raise ValidationError(gettext("该委员当天已有一条同样方式的谈话记录")) from None
    audit_record(
        actor=actor,
        action="missing_report_talk.record",
        obj=talk,
        org_unit_id=member.org_unit_id,
        summary=f"记录{KIND_LABELS[kind]}：{member.full_name} {held_on}（未报 {len(months)} 个月）",
        after={"kind": kind, "held_on": held_on.isoformat(), "months": talk.months, "notes": notes},
    )
    return talk
