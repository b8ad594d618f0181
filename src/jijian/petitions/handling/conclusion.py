"""After acceptance (受理后): the three-month conclusion limit, its approved extension, the leader's
approval of the 办结 report, and 催办/督办 of overdue limits.

- Extension (延长办结期限): whoever handles the report (services.can_handle) asks, with a reason and
  the new date, while the report is accepted and its conclusion limit open. The new date lies after
  the limit in force and no later than limits.extension_latest of the limit as first set (all
  extensions together: at most EXTENSION_MONTHS). A commission leader decides (not the one who
  asked); approved, the limit moves (PetitionDeadline.due_date; the first date kept in
  `extended_from`), its 催督办 mark is cleared, and the asker and the holder's petition office are
  told the new date.
- 办结 report (办结报告): services.petition_close files it; the report stays accepted until a leader
  approves it (then services.close_approved closes it, and an extension still pending is closed as
  having nothing left to extend) or rejects it with a reason (it goes back to the handler, who may
  file a new one).
- The answer upholding the result against a reporter's objection (handling/objections.py) is decided
  here too, on the closed report; what follows is objections.objection_uphold_decided.
- 催办/督办: the petition office (信访室) or a commission leader over the holder sends a notice about
  an overdue limit of the report to the holding body: 催办 first, 督办 (the escalation) only after a
  催办 of the same limit. Recorded on the report (PetitionUrging), shown there with a link in each
  notification, and marked on the limit (`escalation`) for the deadline board.

Each decision locks the report row (services.report_locked, the version the page showed) and then the
approval row, and is recorded as a PetitionTransition and an audit event."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, DateField, F, OuterRef, QuerySet, Subquery, When
from django.utils import timezone
from django.utils.translation import gettext

from jijian.audit.services import audit_record
from jijian.core.language import platform_language
from jijian.core.models import User
from jijian.core.roles import Module, Role
from jijian.petitions import services
from jijian.petitions.deadlines.limits import deadline_await_leader, extension_latest
from jijian.petitions.handling import objections
from jijian.petitions.models import (
    ApprovalKind,
    ApprovalState,
    DeadlineKind,
    PetitionApproval,
    PetitionDeadline,
    PetitionReport,
    PetitionState,
    PetitionUrging,
    UrgeKind,
)

# The state a report is in while an approval of each kind can be decided.
APPROVAL_REPORT_STATE: dict[str, str] = {
    ApprovalKind.EXTENSION: PetitionState.ACCEPTED,
    ApprovalKind.CONCLUSION: PetitionState.ACCEPTED,
    ApprovalKind.OBJECTION_UPHELD: PetitionState.CLOSED,
}
ESCALATION_ORDER = {"": 0, UrgeKind.URGE: 1, UrgeKind.SUPERVISE: 2}


def can_decide(actor) -> bool:
    """Whether `actor` approves extensions and 办结 reports (for the reports they see)."""
    return (
        getattr(actor, "is_authenticated", False)
        and actor.has_module(Module.PETITIONS)
        and Role.COMMISSION_LEADER in actor.role_set
    )


def can_urge(actor) -> bool:
    """Whether `actor` sends 催办/督办 (for the reports they see): the petition office or a leader."""
    return (
        getattr(actor, "is_authenticated", False)
        and actor.has_module(Module.PETITIONS)
        and bool(actor.role_set & {Role.PETITION_OFFICE, Role.COMMISSION_LEADER})
    )


def conclusion_deadline(report: PetitionReport) -> PetitionDeadline | None:
    """The report's open conclusion limit, if any."""
    return (
        PetitionDeadline.objects.filter(report=report, kind=DeadlineKind.CONCLUSION, met_at__isnull=True)
        .order_by("-pk")
        .first()
    )


def overdue_deadlines(report: PetitionReport, today: date | None = None):
    """The report's open limits whose date has passed (what 催办/督办 may be about)."""
    today = today or timezone.localdate()
    return PetitionDeadline.objects.filter(report=report, met_at__isnull=True, due_date__lt=today).order_by(
        "due_date", "pk"
    )


def pending_approval(report: PetitionReport, kind: str) -> PetitionApproval | None:
    return report.approvals.filter(kind=kind, state=ApprovalState.PENDING).first()


# --- extension ------------------------------------------------------------------------------------
def petition_extension_request(
    *, actor: User, report: PetitionReport, new_due_date: date, reason: str, version: int
) -> PetitionApproval:
    """Ask a leader to extend the conclusion limit to `new_due_date`, with the reason."""
    if not services.can_handle(actor):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("请填写延长办结期限的理由"))
    with transaction.atomic():
        report = services.report_locked(report, version=version, states=(PetitionState.ACCEPTED,))
        deadline = conclusion_deadline(report)
        if deadline is None:
            raise ValidationError(gettext("该件没有未完成的办结期限，无需延长"))
        if pending_approval(report, ApprovalKind.EXTENSION):
            raise ValidationError(gettext("已有延长办结期限的申请待领导审批"))
        latest = extension_latest(deadline.extended_from or deadline.due_date)
        if new_due_date <= deadline.due_date:
            raise ValidationError(
                gettext("延长后的期限须晚于现期限 %(due_date)s")
                % {"due_date": format(deadline.due_date, "%Y-%m-%d")}
            )
        if new_due_date > latest:
            raise ValidationError(
                gettext("延长期限累计不得超过三个月，最迟至 %(latest)s")
                % {"latest": format(latest, "%Y-%m-%d")}
            )
        approval = services.approval_request(
            actor,
            report,
            kind=ApprovalKind.EXTENSION,
            text=reason,
            old_due_date=deadline.due_date,
            new_due_date=new_due_date,
            action="extension_request",
            reason=f"申请延长办结期限至 {new_due_date:%Y-%m-%d}：{reason}"[:500],
            summary=f"申请延长办结期限 {report.serial_number}",
            before={"due_date": f"{deadline.due_date:%Y-%m-%d}"},
            after={"due_date": f"{new_due_date:%Y-%m-%d}"},
            title=f"信访举报件 {report.serial_number} 申请延长办结期限，待您审批",
            body=f"申请由 {deadline.due_date:%Y-%m-%d} 延长至 {new_due_date:%Y-%m-%d}。理由：{reason}",
        )
    return approval


def with_limit_due(approvals: QuerySet[PetitionApproval]) -> QuerySet[PetitionApproval]:
    """The approvals with `limit_due`, the due date of the limit each holds up, read in the same
    statement: an extension, the conclusion limit it would move (its old date); a 办结 report or an
    answer upholding the result, the report's limit marked as waiting on the leaders
    (PetitionDeadline.awaiting_leader). The leaders' list, on the page and in the API."""
    waiting = PetitionDeadline.objects.filter(
        report_id=OuterRef("report_id"), awaiting_leader=True, met_at__isnull=True
    ).order_by("due_date")
    return approvals.annotate(
        limit_due=Case(
            When(kind=ApprovalKind.EXTENSION, then=F("old_due_date")),
            default=Subquery(waiting.values("due_date")[:1]),
            output_field=DateField(),
        )
    )


# --- the leader's decision ------------------------------------------------------------------------
def petition_approval_decide(
    *, actor: User, approval: PetitionApproval, approve: bool, note: str, version: int
) -> PetitionApproval:
    """A leader approves or rejects an extension, a 办结 report or an answer upholding the result
    against an objection (a rejection needs its reason). The caller resolved the report through access
    (in the leader's jurisdiction)."""
    if not can_decide(actor):
        raise PermissionDenied
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError(gettext("退回须写明理由"))
    with transaction.atomic():
        report = services.report_locked(
            approval.report, version=version, states=(APPROVAL_REPORT_STATE[approval.kind],)
        )
        approval = PetitionApproval.objects.select_for_update().get(pk=approval.pk)
        if approval.state != ApprovalState.PENDING:
            raise ValidationError(gettext("该申请已审批，请刷新后查看"))
        if approval.requested_by_id == actor.pk:
            raise ValidationError(gettext("不能审批本人提交的申请"))
        approval.state = ApprovalState.APPROVED if approve else ApprovalState.REJECTED
        approval.decided_by = actor
        approval.decided_at = timezone.now()
        approval.decision_note = note
        approval.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        deadline_await_leader(report=report, approval_kind=approval.kind, waiting=False)
        if approval.kind == ApprovalKind.EXTENSION:
            _decide_extension(actor, report, approval)
        elif approval.kind == ApprovalKind.OBJECTION_UPHELD:
            objections.objection_uphold_decided(actor, report, approval)
        else:
            _decide_conclusion(actor, report, approval)
    return approval


def _decide_extension(actor: User, report: PetitionReport, approval: PetitionApproval) -> None:
    link = f"/petitions/{report.pk}/#approvals"
    if approval.state == ApprovalState.APPROVED:
        deadline = conclusion_deadline(report)
        if deadline is None or approval.new_due_date is None:
            raise ValidationError(gettext("该件的办结期限已完成，无需延长"))
        old = deadline.due_date
        deadline.extended_from = deadline.extended_from or old
        deadline.due_date = approval.new_due_date
        deadline.escalation = ""
        deadline.save(update_fields=["extended_from", "due_date", "escalation"])
        services.report_save(report, [])
        services.report_transition(
            report,
            report.state,
            report.state,
            actor=actor,
            action="extension_approve",
            reason=f"批准延长办结期限至 {deadline.due_date:%Y-%m-%d}"
            + (f"：{approval.decision_note}" if approval.decision_note else ""),
        )
        audit_record(
            actor=actor,
            action="petition.extension_approve",
            obj=report,
            org_unit_id=report.holder_id,
            summary=f"批准延长办结期限 {report.serial_number}",
            before={"due_date": f"{old:%Y-%m-%d}"},
            after={"due_date": f"{deadline.due_date:%Y-%m-%d}", "approval": approval.pk},
        )
        services.tell(
            [approval.requested_by, *services.holder_people(report)],
            title=f"信访举报件 {report.serial_number} 办结期限已延长至 {deadline.due_date:%Y-%m-%d}",
            body=f"领导已批准延长办结期限（原期限 {old:%Y-%m-%d}）。",
            link=link,
            dedup_key=f"petition-approval-decided-{approval.pk}",
        )
        return
    services.approval_returned(
        actor, report, approval, action="extension_reject", what="延长办结期限的申请", link=link
    )


def _decide_conclusion(actor: User, report: PetitionReport, approval: PetitionApproval) -> None:
    link = f"/petitions/{report.pk}/#approvals"
    if approval.state == ApprovalState.APPROVED:
        services.close_approved(actor=actor, report=report, result=approval.text)
        # An extension still pending has nothing left to extend: closed with the report.
        report.approvals.filter(kind=ApprovalKind.EXTENSION, state=ApprovalState.PENDING).update(
            state=ApprovalState.REJECTED,
            decided_by=actor,
            decided_at=timezone.now(),
            decision_note="该件已办结，无需延长",
        )
        services.tell(
            [approval.requested_by],
            title=f"信访举报件 {report.serial_number} 的办结报告已批准，已办结",
            body="实名举报的，请在15个工作日内告知举报人办理结果。" if not report.is_anonymous else "",
            link=link,
            dedup_key=f"petition-approval-decided-{approval.pk}",
        )
        return
    services.approval_returned(actor, report, approval, action="close_reject", what="办结报告", link=link)


# --- 催办/督办 --------------------------------------------------------------------------------------
def petition_urge(
    *, actor: User, report: PetitionReport, deadline: PetitionDeadline, kind: str, note: str
) -> PetitionUrging:
    """Send 催办 or 督办 about an overdue limit of the report to the body that holds it. The caller
    resolved the report through access (its holder in the actor's jurisdiction)."""
    if not can_urge(actor):
        raise PermissionDenied
    if kind not in UrgeKind.values:
        raise ValidationError(gettext("请选择催办或督办"))
    note = (note or "").strip()
    if kind == UrgeKind.SUPERVISE and not note:
        raise ValidationError(gettext("督办须写明督办要求（如办结时限、报告方式）"))
    with transaction.atomic():
        deadline = PetitionDeadline.objects.select_for_update().get(pk=deadline.pk)
        if deadline.report_id != report.pk or deadline.met_at is not None:
            raise ValidationError(gettext("该时限已完成或不属于本件，请刷新后查看"))
        if deadline.due_date >= timezone.localdate():
            raise ValidationError(gettext("该时限尚未逾期，无需催办督办"))
        if kind == UrgeKind.SUPERVISE and not deadline.urgings.filter(kind=UrgeKind.URGE).exists():
            raise ValidationError(gettext("请先催办；催办后仍未办理的再督办"))
        urging = PetitionUrging.objects.create(
            report=report,
            deadline=deadline,
            kind=kind,
            from_unit=actor.org_unit,
            to_unit=deadline.holder,
            note=note,
            sent_by=actor,
        )
        if ESCALATION_ORDER[kind] > ESCALATION_ORDER.get(deadline.escalation, 0):
            deadline.escalation = kind
            deadline.save(update_fields=["escalation"])
        with platform_language():  # the history, the trail and the notices are kept records
            label = UrgeKind(kind).label
            services.report_transition(
                report,
                report.state,
                report.state,
                actor=actor,
                action=kind,
                reason=f"{label}（{deadline.get_kind_display()}，期限 {deadline.due_date:%Y-%m-%d}）"
                + (f"：{note}" if note else ""),
                unit=actor.org_unit,
            )
            audit_record(
                actor=actor,
                action=f"petition.{kind}",
                obj=report,
                org_unit_id=deadline.holder_id,
                summary=f"{label} {report.serial_number}",
                after={"deadline": deadline.pk, "to_unit": deadline.holder_id, "urging": urging.pk},
            )
            people = services.holder_people(report)
            if kind == UrgeKind.SUPERVISE:
                people += services.leaders_of(deadline.holder)
            services.tell(
                people,
                title=f"【{label}】信访举报件 {report.serial_number} {deadline.get_kind_display()}已逾期",
                body=f"{actor.org_unit.name}{label}：期限 {deadline.due_date:%Y-%m-%d} 已过，请抓紧办理并报告。"
                + (f"要求：{note}" if note else ""),
                link=f"/petitions/{report.pk}/#urgings",
                dedup_key=f"petition-urging-{urging.pk}",
            )
    return urging
