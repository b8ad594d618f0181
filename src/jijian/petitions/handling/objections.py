"""The real-name reporter's objection to the result (异议; 检举控告工作规则: 实名检举控告人对处理结果不服的，
可以提出异议，纪检监察机关应当答复).

- Raised once the report is 已办结 and the reporter was told the result (结果告知): recorded by staff
  (`objection_record`: received by letter, phone or visit, with the day it came in) or by the
  reporter on the follow page (`objection_raise_online`: text only). Not for anonymous reports.
- It opens a time limit to answer (DeadlineKind.OBJECTION_ANSWER:
  settings.PETITION_OBJECTION_ANSWER_WORKING_DAYS working days from the day received) on the deadline
  board and in the reminders, held by the report's holder.
- The holder answers (`objection_answer`): the original result upheld (维持原结论; the answer is a
  notice to the reporter, shown on the follow page, and the body's last word on the matter, so a
  commission leader approves it first, as a 办结 report: a PetitionApproval of kind
  OBJECTION_UPHELD; the objection stays open and its limit runs until the leader approves, and a
  returned answer is answered again), or the report reopened for re-handling: it goes
  back to 已受理 with a new conclusion limit; its result and result notice move to the objection record
  (`objected_result`, `objected_notice`) and are cleared, so the new result goes through the 办结
  report and the leader's approval again, and a new result notice is owed.
- At most one open objection per report (and a database constraint); once answered, a new objection
  needs new facts or reasons (`new_facts`), so that the same objection is not answered twice.

Each step locks the report row against the version the page showed, is a PetitionTransition and an
audit event. The audit trail never carries the objection's text (it may name the reporter)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from jijian.audit.services import audit_record
from jijian.core.language import platform_language
from jijian.core.models import User
from jijian.petitions import services
from jijian.petitions.deadlines.limits import deadline_meet, deadline_open
from jijian.petitions.models import (
    ApprovalKind,
    ApprovalState,
    DeadlineKind,
    ObjectionChannel,
    ObjectionOutcome,
    PetitionApproval,
    PetitionObjection,
    PetitionReport,
    PetitionState,
)

STAFF_CHANNELS = (ObjectionChannel.LETTER, ObjectionChannel.PHONE, ObjectionChannel.VISIT)
TEXT_MAX = 10000


def open_objection(report: PetitionReport) -> PetitionObjection | None:
    return report.objections.filter(outcome=ObjectionOutcome.PENDING).first()


def needs_new_facts(report: PetitionReport) -> bool:
    """Whether a new objection must state new facts: one was answered already."""
    return report.objections.exclude(outcome=ObjectionOutcome.PENDING).exists()


def may_object(report: PetitionReport) -> bool:
    """Whether the reporter may object now (the page offers the form; the services check again)."""
    return (
        report.state == PetitionState.CLOSED
        and not report.is_anonymous
        and report.result_notified_on is not None
        and open_objection(report) is None
    )


def _check_raise(report: PetitionReport, new_facts: str) -> None:
    """On the locked row: the refusals common to both ways of raising an objection."""
    if report.is_anonymous:
        raise ValidationError(gettext("匿名举报不适用异议程序"))
    if report.state != PetitionState.CLOSED:
        raise ValidationError(
            gettext("该件当前状态为“%(state)s”，办结并告知结果后方可提出异议")
            % {"state": report.get_state_display()}
        )
    if report.result_notified_on is None:
        raise ValidationError(gettext("尚未告知办理结果，告知后方可提出异议"))
    if open_objection(report) is not None:
        raise ValidationError(gettext("该件已有异议正在答复中，答复前不能再次提出"))
    if needs_new_facts(report) and not new_facts:
        raise ValidationError(gettext("该件的异议已答复；再次提出异议须说明新的事实或理由"))


def _create(
    *, actor, report: PetitionReport, channel: str, received_on: date, text: str, new_facts: str
) -> PetitionObjection:
    objection = PetitionObjection.objects.create(
        report=report,
        channel=channel,
        received_on=received_on,
        text=text,
        new_facts=new_facts,
        recorded_by=actor,
        objected_result=report.result,
        objected_notice=report.result_notice,
    )
    services.report_save(report, [])
    with platform_language():  # the report's history, read by every holder
        received = f"{objection.get_channel_display()}，{received_on:%Y-%m-%d} 收到"
    services.report_transition(
        report,
        report.state,
        report.state,
        actor=actor,
        action="objection",
        reason=received,
    )
    limit = deadline_open(
        kind=DeadlineKind.OBJECTION_ANSWER, holder=report.holder, start=received_on, report=report
    )
    with platform_language():
        audit_record(
            actor=actor,
            action="petition.objection",
            obj=report,
            # The online reporter is audited like every public action: no actor, no address.
            org_unit_id=report.holder_id,
            summary=f"举报人异议 {report.serial_number}（{objection.get_channel_display()}）",
            after={"objection": objection.pk, "channel": channel, "due_date": limit.due_date.isoformat()},
        )
    return objection


def objection_record(
    *,
    actor: User,
    report: PetitionReport,
    channel: str,
    received_on: date,
    text: str,
    new_facts: str = "",
    version: int,
) -> PetitionObjection:
    """Staff record an objection received by letter, phone or visit."""
    services.require_handler(actor)
    text, new_facts = (text or "").strip(), (new_facts or "").strip()
    if channel not in STAFF_CHANNELS:
        raise ValidationError(gettext("请选择异议的提出方式（来信、来电或来访）"))
    if not text:
        raise ValidationError(gettext("请填写异议内容"))
    if received_on > timezone.localdate():
        raise ValidationError(gettext("收到日期不能晚于今天"))
    with transaction.atomic():
        report = services.report_locked(report, version=version, states=tuple(PetitionState.values))
        _check_raise(report, new_facts)
        if report.result_notified_on and received_on < report.result_notified_on:
            raise ValidationError(gettext("收到日期不能早于结果告知日期"))
        return _create(
            actor=actor,
            report=report,
            channel=channel,
            received_on=received_on,
            text=text,
            new_facts=new_facts,
        )


def objection_raise_online(
    *, report: PetitionReport, text: str, new_facts: str = "", version: int
) -> PetitionObjection:
    """The reporter objects on the follow page (after a receipt lookup): no actor, nothing about
    the request kept."""
    text, new_facts = (text or "").strip(), (new_facts or "").strip()
    if not text:
        raise ValidationError(gettext("请填写异议内容"))
    with transaction.atomic():
        report = services.report_locked(report, version=version, states=tuple(PetitionState.values))
        _check_raise(report, new_facts)
        objection = _create(
            actor=None,
            report=report,
            channel=ObjectionChannel.ONLINE,
            received_on=timezone.localdate(),
            text=text,
            new_facts=new_facts,
        )
        services.tell(
            services.holder_people(report),
            title=f"信访举报件 {report.serial_number} 的举报人对办理结果提出异议",
            body="请在时限内答复（维持原结论或重新办理）。",
            link=f"/petitions/{report.pk}/#objections",
            dedup_key=f"petition-objection-{objection.pk}",
        )
    return objection


def _open_locked(report: PetitionReport) -> PetitionObjection:
    """The report's open objection, locked (on the locked report), or the refusal that there is none."""
    objection = (
        PetitionObjection.objects.select_for_update()
        .filter(report=report, outcome=ObjectionOutcome.PENDING)
        .first()
    )
    if objection is None:
        raise ValidationError(gettext("该件没有待答复的异议（可能已被他人答复，请刷新后查看）"))
    return objection


def pending_uphold(report: PetitionReport) -> PetitionApproval | None:
    """The answer upholding the result that waits on a leader, if any."""
    return report.approvals.filter(kind=ApprovalKind.OBJECTION_UPHELD, state=ApprovalState.PENDING).first()


def objection_answer(
    *, actor: User, report: PetitionReport, outcome: str, answer: str, version: int
) -> PetitionObjection:
    """The holder answers the open objection: reopen the report (at once), or uphold the result, which
    goes to a commission leader first (the answer is the body's last word to the reporter; it is sent
    when a leader approves it, `objection_uphold_decided`)."""
    services.require_handler(actor)
    answer = (answer or "").strip()
    if outcome not in (ObjectionOutcome.UPHELD, ObjectionOutcome.REOPENED):
        raise ValidationError(gettext("请选择答复结论（维持原结论或重新办理）"))
    if not answer:
        raise ValidationError(gettext("请填写答复内容"))
    with transaction.atomic():
        report = services.report_locked(report, version=version, states=tuple(PetitionState.values))
        objection = _open_locked(report)
        if pending_uphold(report) is not None:
            raise ValidationError(
                gettext("维持原结论的答复已报领导审批，审批前不能再答复；领导退回后可修改或改为重新办理")
            )
        if outcome == ObjectionOutcome.UPHELD:
            _uphold_request(actor, report, objection, answer)
            return objection
        objection.outcome = outcome
        objection.answer = answer
        objection.answered_by = actor
        objection.answered_on = timezone.localdate()
        objection.save(update_fields=["outcome", "answer", "answered_by", "answered_on"])
        deadline_meet(kind=DeadlineKind.OBJECTION_ANSWER, report=report)
        old = report.state
        report.state = PetitionState.ACCEPTED
        report.result = ""
        report.closed_at = None
        report.result_notice = ""
        report.result_notified_on = None
        services.report_save(report, ["state", "result", "closed_at", "result_notice", "result_notified_on"])
        deadline_meet(kind=DeadlineKind.RESULT_NOTICE, report=report, waived=True)
        deadline_open(
            kind=DeadlineKind.CONCLUSION, holder=report.holder, start=timezone.localdate(), report=report
        )
        _answered(actor, report, objection, old=old, action="objection_reopen")
    return objection


def _uphold_request(actor: User, report: PetitionReport, objection: PetitionObjection, answer: str) -> None:
    """On the locked report: the answer upholding the result goes to the leaders; the objection stays
    open (its limit runs on) until a leader approves."""
    services.approval_request(
        actor,
        report,
        kind=ApprovalKind.OBJECTION_UPHELD,
        text=answer,
        action="objection_upheld_request",
        reason=answer[:200],
        summary=f"报批维持原结论的异议答复 {report.serial_number}",
        after={"objection": objection.pk},
        title=f"信访举报件 {report.serial_number} 拟维持原结论答复举报人异议，待您审批",
        body=f"拟答复：{answer}"[:500],
    )


def objection_uphold_decided(actor: User, report: PetitionReport, approval: PetitionApproval) -> None:
    """On the locked report and approval a leader just decided (handling/conclusion.py): approved, the
    answer is given — the objection is answered in the name of who drafted it, its limit met;
    returned, the objection stays open for the holder to answer again."""
    link = f"/petitions/{report.pk}/#objections"
    objection = _open_locked(report)
    if approval.state == ApprovalState.APPROVED:
        objection.outcome = ObjectionOutcome.UPHELD
        objection.answer = approval.text
        objection.answered_by = approval.requested_by
        objection.answered_on = timezone.localdate()
        objection.save(update_fields=["outcome", "answer", "answered_by", "answered_on"])
        deadline_meet(kind=DeadlineKind.OBJECTION_ANSWER, report=report)
        services.report_save(report, [])
        _answered(actor, report, objection, old=report.state, action="objection_upheld")
        services.tell(
            [approval.requested_by, *services.holder_people(report)],
            title=f"信访举报件 {report.serial_number} 维持原结论的异议答复已批准",
            body="答复已告知举报人（举报人凭查询码可查看）；实名举报人请按结果告知的方式联系。",
            link=link,
            dedup_key=f"petition-approval-decided-{approval.pk}",
        )
        return
    services.approval_returned(
        actor, report, approval, action="objection_upheld_reject", what="维持原结论的异议答复", link=link
    )


def _answered(
    actor: User, report: PetitionReport, objection: PetitionObjection, *, old: str, action: str
) -> None:
    """The answer given: the report's transition and the audit event."""
    services.report_transition(
        report, old, report.state, actor=actor, action=action, reason=objection.answer[:200]
    )
    with platform_language():
        audit_record(
            actor=actor,
            action=f"petition.{action}",
            obj=report,
            org_unit_id=report.holder_id,
            summary=f"答复举报人异议 {report.serial_number}：{objection.get_outcome_display()}",
            before={"state": old},
            after={"objection": objection.pk, "outcome": objection.outcome, "state": report.state},
        )
