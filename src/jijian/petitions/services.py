"""Writes of the petitions app: a report from the public or registered by staff, the reporter's
follow-up, messages, triage (accept here, not accept, forward by the routing table), answers to
forwards, notices to the reporter and closing. Each in one transaction with its audit entry and,
for a state change, a PetitionTransition. Public actions are audited with no actor and no address
(audit_record keeps an address only for a signed-in actor): an anonymous reporter leaves nothing
behind that could identify them.

Concurrent triage is detected: every action locks the report row and checks its state (and the
version the form was shown with), so a second officer acting on a stale page gets a message, not a
second forward."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from jijian.attachments.models import Attachment
from jijian.attachments.services import ALL_KINDS, STAFF_KINDS, attachments_store_all
from jijian.audit.services import audit_record
from jijian.core.language import platform_language
from jijian.core.models import OrgKind, OrgUnit, User
from jijian.core.notify import notify
from jijian.core.roles import Module, Role
from jijian.core.services import ConcurrentEditError
from jijian.petitions.deadlines.limits import (
    deadline_await_leader,
    deadline_meet,
    deadline_move,
    deadline_open,
)
from jijian.petitions.handling import routing
from jijian.petitions.intake import receipt

from .models import (
    Category,
    Channel,
    ClueState,
    DeadlineKind,
    Direction,
    ForwardAnswer,
    NotAcceptedReason,
    PetitionForward,
    PetitionMessage,
    PetitionReport,
    PetitionState,
    PetitionTransition,
    RouteKind,
    UnitCounter,
)

EVIDENCE_PURPOSE = "petition_evidence"


@dataclass(frozen=True)
class Submitted:
    report: PetitionReport
    code: str  # shown once on the confirmation page; never stored


def register_kinds(channel: str) -> frozenset[str]:
    """The kinds of file staff register with a report: letters, scans and photos; a report from a
    video reception also carries the session's recordings (video, audio)."""
    return ALL_KINDS if channel == Channel.VIDEO else STAFF_KINDS


def _store_evidence(*, report: PetitionReport, files, actor=None) -> list[Attachment]:
    """Evidence keeps the bytes as received (encrypted); staff open the metadata-stripped copy by
    default (images are re-encoded by the attachment store). Without an actor the files come from the
    public portal and follow its kinds and sizes (JIJIAN_PUBLIC_UPLOAD_*); staff register the kinds
    of register_kinds(report.channel)."""
    return attachments_store_all(
        actor=actor,
        files=files,
        org_unit=report.region,
        module=Module.PETITIONS,
        purpose=EVIDENCE_PURPOSE,
        object_id=report.pk,
        keep_original=True,
        public=actor is None,
        kinds=None if actor is None else register_kinds(report.channel),
    )


def petition_submit(
    *,
    category: str,
    region: OrgUnit,
    facts: str,
    is_anonymous: bool,
    accused_name: str = "",
    accused_unit: str = "",
    accused_post: str = "",
    accused_level: str = "",
    matter: str = "",
    reporter_name: str = "",
    reporter_id_number: str = "",
    reporter_phone: str = "",
    files=(),
) -> Submitted:
    """Register a report from the public portal with its evidence, all or nothing. Returns the
    report and its receipt code. Raises ValidationError (Chinese) for a refused file: then no report,
    no attachment row (files already written are removed by the attachment orphan sweep)."""
    if not facts.strip():
        raise ValidationError(gettext("请填写反映的主要问题和事实"))
    if is_anonymous:
        reporter_name = reporter_id_number = reporter_phone = ""
    elif not (reporter_name and reporter_id_number and reporter_phone):
        raise ValidationError(gettext("实名举报请填写姓名、身份证号和手机号码"))
    # Online reports arrive at the county-level commission of the region (12388 platform).
    intake = routing.managing_commission(region, "other")
    for _attempt in range(3):  # a receipt collision (66 bits) is practically impossible; retry anyway
        code = receipt.new_code()
        try:
            with transaction.atomic():
                report = PetitionReport.objects.create(
                    received_unit=intake,
                    holder=intake,
                    serial_number=serial_next(unit=intake, prefix="XF"),
                    category=category,
                    channel=Channel.ONLINE,
                    accused_name=accused_name,
                    accused_unit=accused_unit,
                    accused_post=accused_post,
                    accused_level=accused_level or PetitionReport._meta.get_field("accused_level").default,
                    region=region,
                    matter=matter or PetitionReport._meta.get_field("matter").default,
                    facts=facts.strip(),
                    is_anonymous=is_anonymous,
                    reporter_name=reporter_name,
                    reporter_id_number=reporter_id_number,
                    reporter_phone=reporter_phone,
                    receipt_hash=receipt.receipt_hash(code),
                    receipt_scheme=receipt.scheme_id(),
                    state=PetitionState.RECEIVED,
                )
                attachments = _store_evidence(report=report, files=files)
                report_transition(report, "", PetitionState.RECEIVED, actor=None, action="submit")
                _open_intake_deadlines(report)
                audit_record(
                    actor=None,
                    action="petition.submit",
                    obj=report,
                    org_unit_id=region.pk,
                    summary="网上信访举报",
                    after={
                        "category": category,
                        "channel": Channel.ONLINE,
                        "is_anonymous": is_anonymous,
                        "attachments": len(attachments),
                    },
                )
            return Submitted(report=report, code=code)
        except IntegrityError:
            if PetitionReport.objects.filter(receipt_hash=receipt.receipt_hash(code)).exists():
                continue
            raise
    raise RuntimeError("could not draw a unique receipt code")


def petition_find_by_receipt(*, code: str) -> PetitionReport | None:
    """The report a receipt code belongs to, or None. One Argon2id under the current cost, and one
    more per earlier cost still accepted (receipt.previous_costs) when that misses; the caller
    throttles. A code found under an earlier cost is re-hashed under the current one."""
    digits = receipt.normalize(code)
    if digits is None:
        return None
    reports = PetitionReport.objects.select_related("region")
    found = reports.filter(receipt_hash=receipt.receipt_hash(digits)).first()
    if found is not None:
        return found
    for earlier in receipt.previous_costs():
        old_hash = receipt.receipt_hash(digits, earlier)
        found = reports.filter(receipt_scheme=receipt.scheme_id(earlier), receipt_hash=old_hash).first()
        if found is not None:
            # Conditional on the old hash: a concurrent lookup that upgraded it first changes nothing.
            new_hash = receipt.receipt_hash(digits)
            PetitionReport.objects.filter(pk=found.pk, receipt_hash=old_hash).update(
                receipt_hash=new_hash, receipt_scheme=receipt.scheme_id()
            )
            found.receipt_hash, found.receipt_scheme = new_hash, receipt.scheme_id()
            return found
    return None


def petition_followed(*, report: PetitionReport) -> None:
    with transaction.atomic():
        audit_record(
            actor=None,
            action="petition.follow",
            obj=report,
            org_unit_id=report.region_id,
            summary="举报人凭查询码查询",
        )


def petition_follow_failed() -> None:
    """A wrong receipt code: audited with neither the code nor the address."""
    with transaction.atomic():
        audit_record(
            actor=None,
            action="petition.follow_failed",
            object_type="petitions.petitionreport",
            summary="查询码查询失败",
        )


def petition_reporter_reply(*, report: PetitionReport, body: str, files=()) -> PetitionMessage | None:
    """The reporter adds facts or files to their report (after a receipt lookup)."""
    body = (body or "").strip()
    files = list(files)
    if not body and not files:
        raise ValidationError(gettext("请填写补充说明或选择要补充的材料"))
    if report.state == PetitionState.CLOSED:
        raise ValidationError(gettext("该举报已办结，不能再补充材料；如有新的问题请重新举报"))
    with transaction.atomic():
        message = PetitionMessage.objects.create(
            report=report,
            direction=Direction.FROM_REPORTER,
            body=body or f"补充材料 {len(files)} 件",
        )
        attachments = _store_evidence(report=report, files=files)
        audit_record(
            actor=None,
            action="petition.reporter_reply",
            obj=message,
            org_unit_id=report.region_id,
            summary="举报人补充材料",
            after={"report": report.pk, "attachments": len(attachments)},
        )
    return message


def petition_message_send(*, actor, report: PetitionReport, body: str) -> PetitionMessage:
    """The office writes to the reporter (read through the receipt code). The caller resolved
    `report` through access.get_petition_for."""
    require_handler(actor)
    body = (body or "").strip()
    if not body:
        raise ValidationError(gettext("请填写要告知举报人的内容"))
    with transaction.atomic():
        message = PetitionMessage.objects.create(
            report=report, direction=Direction.TO_REPORTER, body=body, author=actor
        )
        audit_record(
            actor=actor,
            action="petition.message_send",
            obj=message,
            org_unit_id=report.region_id,
            summary="向举报人发送消息",
        )
    return message


def petition_evidence(report: PetitionReport):
    return Attachment.objects.filter(purpose=EVIDENCE_PURPOSE, object_id=str(report.pk)).order_by(
        "created_at", "pk"
    )


# --- numbering, transitions, deadlines ------------------------------------------------------------
def serial_next(*, unit: OrgUnit, prefix: str, year: int | None = None) -> str:
    """The next number of a series per unit and year ("XF-421321-2026-0007"), under a row lock.
    Called inside the caller's transaction: a rolled-back registration gives its number back."""
    year = year or timezone.localdate().year
    key = f"{prefix}:{unit.pk}:{year}"
    counter, _ = UnitCounter.objects.get_or_create(key=key)
    counter = UnitCounter.objects.select_for_update().get(pk=counter.pk)
    counter.value += 1
    counter.save(update_fields=["value"])
    return f"{prefix}-{unit.code or unit.pk}-{year}-{counter.value:04d}"


def report_transition(
    report: PetitionReport,
    from_state: str,
    to_state: str,
    *,
    actor,
    action: str,
    reason: str = "",
    unit: OrgUnit | None = None,
):
    """`unit`: the body that acted (by default the holder; a forward is recorded at the sender)."""
    PetitionTransition.objects.create(
        report=report,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        unit=unit or report.holder,
        reason=reason,
    )


def _open_intake_deadlines(report: PetitionReport) -> None:
    start = timezone.localtime(report.received_at).date()
    deadline_open(kind=DeadlineKind.ROUTE, holder=report.holder, start=start, report=report)
    if not report.is_anonymous and report.repeat_of_id is None:
        deadline_open(kind=DeadlineKind.ACCEPTANCE_NOTICE, holder=report.holder, start=start, report=report)


def report_locked(report: PetitionReport, *, version: int | None, states: tuple[str, ...]) -> PetitionReport:
    """The report row under lock, checked against the version the form showed and the states the
    action may start from."""
    # Locked without joins: under READ COMMITTED, PostgreSQL re-checks a row that another transaction
    # changed while we waited against the joined rows it read *before* the wait, so a join on holder
    # would drop a report whose holder the other officer just changed (tests/petitions/
    # test_concurrency.py). The holder and region are loaded after the lock.
    locked = PetitionReport.objects.select_for_update().get(pk=report.pk)
    if version is not None and locked.version != version:
        raise ConcurrentEditError()
    if locked.state not in states:
        raise ValidationError(
            gettext("该件当前状态为“%(state)s”，不能进行此操作（可能已被他人处理，请刷新后查看）")
            % {"state": locked.get_state_display()}
        )
    return locked


# Who registers and triages reports: the petition office (信访室), a township committee (which
# receives letters and visits and answers what is forwarded to it) and the commission's leaders. The
# case management office and the case review office read the register but do not triage.
INTAKE_ROLES = frozenset({Role.PETITION_OFFICE, Role.TOWNSHIP_COMMITTEE, Role.COMMISSION_LEADER})


def can_handle(actor) -> bool:
    """Whether `actor` may register and triage reports (in their jurisdiction)."""
    return (
        getattr(actor, "is_authenticated", False)
        and actor.has_module(Module.PETITIONS)
        and bool(actor.role_set & INTAKE_ROLES)
    )


def require_handler(actor) -> None:
    if not can_handle(actor):
        raise PermissionDenied


def report_save(report: PetitionReport, fields: list[str]) -> None:
    report.version += 1
    report.save(update_fields=[*fields, "version"])


# --- staff registration ---------------------------------------------------------------------------
STAFF_CHANNELS = (Channel.LETTER, Channel.VISIT, Channel.PHONE, Channel.VIDEO)
# What the register takes: the channels staff register by hand (the form and the API offer these),
# and a clue the platform's own supervision found (a village risk flag, core.links.petition_register),
# which no one receives and so no one registers by hand.
REGISTER_CHANNELS = (*STAFF_CHANNELS, Channel.SUPERVISION)


def petition_register(
    *,
    actor: User,
    channel: str,
    category: str,
    region: OrgUnit,
    facts: str,
    is_anonymous: bool,
    received_on: date | None = None,
    phone_area_code: str = "",
    accused_name: str = "",
    accused_unit: str = "",
    accused_post: str = "",
    accused_level: str = "",
    accused_id_number: str = "",
    matter: str = "",
    reporter_name: str = "",
    reporter_id_number: str = "",
    reporter_phone: str = "",
    files=(),
) -> PetitionReport:
    """Register a letter, visit, 12388 call or video reception (or a clue found in supervision, from
    a village risk flag) at the actor's commission, with the
    scanned letter or other files, all or nothing. The region must lie in the actor's jurisdiction
    (the form offers only those; checked again here). Raises ValidationError (Chinese) for bad input:
    then nothing is saved."""
    from jijian.core.access import unit_in_scope
    from jijian.core.validators import validate_contact_phone, validate_id_number

    require_handler(actor)
    if channel not in REGISTER_CHANNELS:
        raise ValidationError(gettext("请选择来信、来访、来电或视频接访"))
    if category not in Category.values:
        raise ValidationError(gettext("请选择举报类别"))
    if not (facts or "").strip():
        raise ValidationError(gettext("请填写反映的主要问题和事实"))
    phone_area_code = (phone_area_code or "").strip()
    if channel == Channel.PHONE and not (
        phone_area_code.isdigit() and phone_area_code.startswith("0") and 3 <= len(phone_area_code) <= 4
    ):
        raise ValidationError(gettext("电话举报请填写来电区号（以0开头的3至4位数字，如 0722）"))
    if region is None or not unit_in_scope(actor, region):
        raise ValidationError(gettext("所属地区不在本机关管辖范围内"))
    accused_id_number = (accused_id_number or "").strip().upper()
    if accused_id_number:
        try:
            accused_id_number = validate_id_number(accused_id_number)
        except ValidationError as error:
            raise ValidationError("被反映人身份证号：" + " ".join(error.messages)) from None
    if is_anonymous:
        reporter_name = reporter_id_number = reporter_phone = ""
    else:
        reporter_name = (reporter_name or "").strip()
        reporter_id_number = (reporter_id_number or "").strip()
        reporter_phone = (reporter_phone or "").strip()
        if not (reporter_name and (reporter_id_number or reporter_phone)):
            raise ValidationError(gettext("实名举报请填写举报人姓名，以及身份证号或联系电话"))
        if reporter_id_number:
            reporter_id_number = validate_id_number(reporter_id_number)
        if reporter_phone:
            reporter_phone = validate_contact_phone(reporter_phone)
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        raise ValidationError(gettext("收到日期不能晚于今天"))
    unit = routing.commission_of(actor.org_unit)
    received_at = (
        timezone.now()
        if received_on == today
        else timezone.make_aware(datetime.combine(received_on, time.min))
    )
    with transaction.atomic():
        report = PetitionReport.objects.create(
            category=category,
            channel=channel,
            phone_area_code=phone_area_code if channel == Channel.PHONE else "",
            accused_name=accused_name.strip(),
            accused_unit=accused_unit.strip(),
            accused_post=accused_post.strip(),
            accused_level=accused_level or PetitionReport._meta.get_field("accused_level").default,
            accused_id_number=accused_id_number,
            region=region,
            matter=matter or PetitionReport._meta.get_field("matter").default,
            facts=facts.strip(),
            is_anonymous=is_anonymous,
            reporter_name=reporter_name.strip(),
            reporter_id_number=reporter_id_number.strip(),
            reporter_phone=reporter_phone.strip(),
            received_unit=unit,
            holder=unit,
            received_by=actor,
            received_at=received_at,
            serial_number=serial_next(unit=unit, prefix="XF", year=received_on.year),
        )
        attachments = _store_evidence(report=report, files=files, actor=actor)
        report_transition(report, "", PetitionState.RECEIVED, actor=actor, action="register")
        _open_intake_deadlines(report)
        with platform_language():
            audit_record(
                actor=actor,
                action="petition.register",
                obj=report,
                org_unit_id=unit.pk,
                summary=f"登记{report.get_channel_display()} {report.serial_number}",
                after={"channel": channel, "category": category, "attachments": len(attachments)},
            )
    return report


# --- triage ---------------------------------------------------------------------------------------
def petition_mark_repeat(*, actor: User, report: PetitionReport, original: PetitionReport, version: int):
    """Link a repeat report to the report it repeats (registered and kept, not merged). No
    acceptance notice is owed for a repeat. The caller resolved both through access."""
    require_handler(actor)
    if original.pk == report.pk:
        raise ValidationError(gettext("不能把举报件标记为自身的重复件"))
    with transaction.atomic():
        report = report_locked(report, version=version, states=(PetitionState.RECEIVED,))
        root = original
        while root.repeat_of_id is not None:  # always link to the first report of the chain
            root = PetitionReport.objects.get(pk=root.repeat_of_id)
        if root.pk == report.pk:
            raise ValidationError(gettext("不能形成循环的重复件关系"))
        report.repeat_of = root
        report_save(report, ["repeat_of"])
        deadline_meet(kind=DeadlineKind.ACCEPTANCE_NOTICE, report=report, waived=True)
        audit_record(
            actor=actor,
            action="petition.mark_repeat",
            obj=report,
            org_unit_id=report.holder_id,
            summary=f"{report.serial_number} 标记为 {root.serial_number} 的重复件",
            after={"repeat_of": root.pk},
        )
    return report


def petition_not_accept(
    *, actor: User, report: PetitionReport, reason: str, reply: str, version: int
) -> PetitionReport:
    """不予受理, with the reason and, for a real-name reporter, the reply telling them where to go."""
    require_handler(actor)
    if reason not in NotAcceptedReason.values:
        raise ValidationError(gettext("请选择不予受理的理由"))
    reply = (reply or "").strip()
    if not report.is_anonymous and not reply:
        raise ValidationError(gettext("实名举报不予受理的，须填写给举报人的答复（告知其向何处反映）"))
    with transaction.atomic():
        report = report_locked(report, version=version, states=(PetitionState.RECEIVED,))
        old = report.state
        report.state = PetitionState.NOT_ACCEPTED
        report.not_accepted_reason = reason
        report.route = ""
        fields = ["state", "not_accepted_reason", "route"]
        if reply:
            report.acceptance_notice = reply
            report.acceptance_notified_on = timezone.localdate()
            fields += ["acceptance_notice", "acceptance_notified_on"]
        report_save(report, fields)
        report_transition(report, old, report.state, actor=actor, action="not_accept", reason=reason)
        deadline_meet(kind=DeadlineKind.ROUTE, report=report)
        deadline_meet(kind=DeadlineKind.ACCEPTANCE_NOTICE, report=report, waived=not reply)
        if reply and report.receipt_hash:
            PetitionMessage.objects.create(
                report=report, direction=Direction.TO_REPORTER, body=reply, author=actor
            )
        audit_record(
            actor=actor,
            action="petition.not_accept",
            obj=report,
            org_unit_id=report.holder_id,
            summary=f"不予受理 {report.serial_number}",
            after={"reason": reason},
        )
    return report


def petition_route(
    *,
    actor: User,
    report: PetitionReport,
    managing: OrgUnit,
    about_own_head: bool,
    note: str = "",
    version: int,
) -> PetitionReport:
    """Triage by the routing table (routing.route): accept here, or forward up/down. The caller
    resolved `report` through access and checked `managing` is in the tree."""
    require_handler(actor)
    with transaction.atomic():
        report = report_locked(report, version=version, states=(PetitionState.RECEIVED,))
        decided = routing.route(receiving=report.holder, managing=managing, about_own_head=about_own_head)
        report.managing_unit = managing
        report.about_own_head = about_own_head
        report.route = decided.kind
        if decided.kind == RouteKind.THIS_LEVEL:
            _accept_here(actor=actor, report=report, note=note, action="accept")
        else:
            _forward(
                actor=actor,
                report=report,
                to_unit=decided.target,
                kind=decided.kind,
                note=note,
                restricted=decided.restricted,
            )
        deadline_meet(kind=DeadlineKind.ROUTE, report=report)
    return report


def _accept_here(*, actor: User, report: PetitionReport, note: str, action: str) -> None:
    old = report.state
    report.state = PetitionState.ACCEPTED
    report_save(report, ["state", "managing_unit", "about_own_head", "route"])
    report_transition(report, old, report.state, actor=actor, action=action, reason=note)
    # 受理后三个月内办结: the conclusion limit runs from today, met when the report is closed.
    deadline_open(
        kind=DeadlineKind.CONCLUSION, holder=report.holder, start=timezone.localdate(), report=report
    )
    audit_record(
        actor=actor,
        action=f"petition.{action}",
        obj=report,
        org_unit_id=report.holder_id,
        summary=f"受理 {report.serial_number}（本级办理）",
        after={"holder": report.holder_id},
    )
    # 案管室 informed: the case management office of the handling commission.
    holder = report.holder
    link = f"/petitions/{report.pk}/"
    for user in User.objects.filter(
        roles__role=Role.CASE_MANAGEMENT, is_active=True, org_unit=holder
    ).distinct():
        transaction.on_commit(
            partial(
                notify,
                recipient=user,
                title=f"信访举报件 {report.serial_number} 已由本级受理办理",
                body="请按规定对问题线索进行登记和集中管理。",
                link=link,
                dedup_key=f"petition-accepted-{report.pk}-{holder.pk}",
            )
        )


def _forward(
    *, actor: User, report: PetitionReport, to_unit: OrgUnit, kind: str, note: str, restricted: bool
):
    from_unit = report.holder
    if to_unit.pk == from_unit.pk:
        raise ValidationError(gettext("转办机关不能是本机关"))
    forward = PetitionForward.objects.create(
        report=report,
        kind=kind,
        from_unit=from_unit,
        to_unit=to_unit,
        note=note,
        forwarded_by=actor,
        due_date=timezone.localdate(),  # replaced below by the working-day limit
    )
    old = report.state
    report.state = PetitionState.FORWARDED
    report.holder = to_unit
    report.restricted = report.restricted or restricted
    report_save(report, ["state", "holder", "restricted", "managing_unit", "about_own_head", "route"])
    report_transition(
        report, old, report.state, actor=actor, action=f"forward_{kind}", reason=note, unit=from_unit
    )
    deadline = deadline_open(
        kind=DeadlineKind.FORWARD_ANSWER, holder=to_unit, start=timezone.localdate(), report=report
    )
    forward.due_date = deadline.due_date
    forward.save(update_fields=["due_date"])
    deadline_move(kind=DeadlineKind.ACCEPTANCE_NOTICE, report=report, holder=to_unit)
    with platform_language():
        audit_record(
            actor=actor,
            action="petition.forward",
            obj=report,
            org_unit_id=from_unit.pk,
            summary=f"{report.serial_number} {RouteKind(kind).label}：{to_unit.name}",
            after={"to_unit": to_unit.pk, "kind": kind, "restricted": report.restricted},
        )
    # The receiving body's petition office, or its committee where it is a township.
    for user in User.objects.filter(
        roles__role__in=(Role.PETITION_OFFICE, Role.TOWNSHIP_COMMITTEE), is_active=True, org_unit=to_unit
    ).distinct():
        transaction.on_commit(
            partial(
                notify,
                recipient=user,
                title=f"收到转办的信访举报件 {report.serial_number}",
                body=f"请于 {forward.due_date:%Y-%m-%d} 前接收办理或转送。",
                link=f"/petitions/{report.pk}/",
                dedup_key=f"petition-forward-{forward.pk}",
            )
        )
    return forward


def petition_forward_answer(
    *,
    actor: User,
    forward: PetitionForward,
    answer: str,
    note: str = "",
    managing: OrgUnit | None = None,
    about_own_head: bool = False,
) -> PetitionForward:
    """The receiving body answers a forward: accepts it (handles it at its level) or transfers it on
    by the routing table from its own level. The caller resolved `forward` through access (its
    to_unit in the actor's jurisdiction)."""
    require_handler(actor)
    with transaction.atomic():
        forward = PetitionForward.objects.select_for_update().get(pk=forward.pk)
        if forward.answer != ForwardAnswer.PENDING:
            raise ValidationError(gettext("该转办件已答复，请刷新后查看"))
        report = report_locked(forward.report, version=None, states=(PetitionState.FORWARDED,))
        if report.holder_id != forward.to_unit_id:
            raise ValidationError(gettext("该件已不在本机关，请刷新后查看"))
        if answer == ForwardAnswer.ACCEPTED:
            report.managing_unit = report.managing_unit or forward.to_unit
            report.route = RouteKind.THIS_LEVEL
            _accept_here(actor=actor, report=report, note=note, action="forward_accept")
        elif answer == ForwardAnswer.TRANSFERRED:
            if managing is None:
                raise ValidationError(gettext("转送须选择被反映人的管理机关"))
            decided = routing.route(
                receiving=forward.to_unit, managing=managing, about_own_head=about_own_head
            )
            if decided.kind == RouteKind.THIS_LEVEL:
                raise ValidationError(gettext("按管理权限应由本机关办理，请选择“接收办理”"))
            report.managing_unit = managing
            report.about_own_head = about_own_head
            report.route = decided.kind
            _forward(
                actor=actor,
                report=report,
                to_unit=decided.target,
                kind=decided.kind,
                note=note,
                restricted=decided.restricted,
            )
        else:
            raise ValidationError(gettext("请选择接收办理或转送"))
        forward.answer = answer
        forward.answered_by = actor
        forward.answered_at = timezone.now()
        forward.answer_note = note
        forward.save(update_fields=["answer", "answered_by", "answered_at", "answer_note"])
        deadline_meet_forward(report=report, forward=forward)
        with platform_language():
            audit_record(
                actor=actor,
                action="petition.forward_answer",
                obj=forward,
                org_unit_id=forward.to_unit_id,
                summary=f"{report.serial_number} 转办答复：{forward.get_answer_display()}",
                after={"answer": answer},
            )
    return forward


def deadline_meet_forward(*, report: PetitionReport, forward: PetitionForward) -> None:
    """The answer limit of this forward (the one held by its receiving body) is met."""
    from .models import PetitionDeadline

    PetitionDeadline.objects.filter(
        kind=DeadlineKind.FORWARD_ANSWER, report=report, holder_id=forward.to_unit_id, met_at__isnull=True
    ).update(met_at=timezone.now())


# --- notices and closing --------------------------------------------------------------------------
def petition_acceptance_notify(*, actor: User, report: PetitionReport, text: str, version: int):
    """受理告知 to a real-name reporter (recorded with its date; shown to them on the follow page when
    they reported online)."""
    require_handler(actor)
    text = (text or "").strip()
    if not text:
        raise ValidationError(gettext("请填写受理告知内容"))
    with transaction.atomic():
        report = report_locked(report, version=version, states=(PetitionState.ACCEPTED, PetitionState.CLOSED))
        if report.is_anonymous:
            raise ValidationError(gettext("匿名举报无需受理告知"))
        if report.acceptance_notified_on:
            raise ValidationError(gettext("已告知过受理情况"))
        report.acceptance_notice = text
        report.acceptance_notified_on = timezone.localdate()
        report_save(report, ["acceptance_notice", "acceptance_notified_on"])
        deadline_meet(kind=DeadlineKind.ACCEPTANCE_NOTICE, report=report)
        audit_record(
            actor=actor,
            action="petition.acceptance_notify",
            obj=report,
            org_unit_id=report.holder_id,
            summary=f"受理告知 {report.serial_number}",
        )
    return report


def petition_close(*, actor: User, report: PetitionReport, result: str, version: int) -> PetitionReport:
    """The 办结 report: the result, sent to a commission leader for approval. The report stays
    accepted until a leader approves it (handling/conclusion.py petition_close_decide: then it is
    closed, the conclusion limit met and a real-name reporter owed the result); a rejection returns
    it with the leader's reason. Refused while a 办结 report is already pending or a clue of the
    report is not settled."""
    from .models import ApprovalKind

    require_handler(actor)
    result = (result or "").strip()
    if not result:
        raise ValidationError(gettext("请填写办理结果"))
    with transaction.atomic():
        report = report_locked(report, version=version, states=(PetitionState.ACCEPTED,))
        settled = (ClueState.CLOSED, ClueState.TRANSFERRED, ClueState.HELD)
        if report.clues.exclude(state__in=settled).exists():
            raise ValidationError(gettext("该件的问题线索尚未处置完毕，不能办结"))
        if report.approvals.filter(kind=ApprovalKind.CONCLUSION, state="pending").exists():
            raise ValidationError(gettext("办结报告已报领导审批，请等待审批结果"))
        approval_request(
            actor,
            report,
            kind=ApprovalKind.CONCLUSION,
            text=result,
            action="close_request",
            reason=result[:200],
            summary=f"办结报告报批 {report.serial_number}",
            title=f"信访举报件 {report.serial_number} 的办结报告待您审批",
            body="承办人已提交办结报告，批准后方可办结。",
        )
    return report


def close_approved(*, actor: User, report: PetitionReport, result: str) -> None:
    """Close a report whose 办结 report a leader approved (called by handling/conclusion.py inside
    its transaction, on the locked row)."""
    old = report.state
    report.state = PetitionState.CLOSED
    report.result = result
    report.closed_at = timezone.now()
    report_save(report, ["state", "result", "closed_at"])
    report_transition(report, old, report.state, actor=actor, action="close", reason=result[:200])
    deadline_meet(kind=DeadlineKind.CONCLUSION, report=report)
    if not report.is_anonymous:
        deadline_open(
            kind=DeadlineKind.RESULT_NOTICE,
            holder=report.holder,
            start=timezone.localdate(),
            report=report,
        )
    audit_record(
        actor=actor,
        action="petition.close",
        obj=report,
        org_unit_id=report.holder_id,
        summary=f"办结 {report.serial_number}",
    )


def leaders_of(unit: OrgUnit) -> list[User]:
    """The commission leaders who decide for `unit`: those of the unit itself, or of the nearest
    body above it that has any (a township has no leader role of its own)."""
    return leaders_by_unit([unit])[unit.pk]


def leaders_by_unit(units: list[OrgUnit]) -> dict[int, list[User]]:
    """leaders_of for several units in one query: {unit id: its leaders}."""
    chains = {
        unit.pk: [int(x) for x in (unit.path or "").strip("/").split("/") if x] or [unit.pk] for unit in units
    }
    found = list(
        User.objects.filter(
            roles__role=Role.COMMISSION_LEADER,
            is_active=True,
            org_unit_id__in={unit_id for chain in chains.values() for unit_id in chain},
        ).distinct()
    )
    leaders: dict[int, list[User]] = {}
    for unit_pk, chain in chains.items():
        leaders[unit_pk] = []
        for unit_id in reversed(chain):
            nearest = [u for u in found if u.org_unit_id == unit_id]
            if nearest:
                leaders[unit_pk] = nearest
                break
    return leaders


# A report held by a township is handled by its petition office and its discipline committee.
HOLDER_TOWNSHIP_KINDS = frozenset({OrgKind.TOWN, OrgKind.TOWNSHIP, OrgKind.SUBDISTRICT})


def holder_people(report: PetitionReport) -> list[User]:
    """Who handles the report at its holder: the petition office, and the committee of a township."""
    roles = [Role.PETITION_OFFICE]
    if report.holder.kind in HOLDER_TOWNSHIP_KINDS:
        roles.append(Role.TOWNSHIP_COMMITTEE)
    return list(
        User.objects.filter(roles__role__in=roles, is_active=True, org_unit_id=report.holder_id).distinct()
    )


def tell(users, *, title: str, body: str, link: str, dedup_key: str) -> None:
    seen: set[int] = set()
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        transaction.on_commit(
            partial(notify, recipient=user, title=title, body=body, link=link, dedup_key=dedup_key)
        )


def approval_request(
    actor: User,
    report: PetitionReport,
    *,
    kind: str,
    text: str,
    action: str,
    reason: str,
    summary: str,
    title: str,
    body: str,
    before: dict | None = None,
    after: dict | None = None,
    **fields,
):
    """On the locked report: ask the leaders who decide for its holder to approve `text` (a 办结 report,
    an extension's reason, an answer upholding the result…): the `PetitionApproval` of `kind` (with any
    further `fields`), its limit marked as waiting on the leaders (deadlines.LEADER_APPROVALS), the
    report's history (`reason`) without a change of state, the audit event
    `petition.<action>` and a notice to the leaders. A leader's decision goes through
    handling/conclusion.py petition_approval_decide; a return through `approval_returned`."""
    from .models import PetitionApproval

    approval = PetitionApproval.objects.create(
        report=report, kind=kind, text=text, requested_by=actor, **fields
    )
    deadline_await_leader(report=report, approval_kind=kind, waiting=True)
    report_save(report, [])
    report_transition(report, report.state, report.state, actor=actor, action=action, reason=reason)
    audit_record(
        actor=actor,
        action=f"petition.{action}",
        obj=report,
        org_unit_id=report.holder_id,
        summary=summary,
        before=before,
        after={**(after or {}), "approval": approval.pk},
    )
    notify_leaders(report, title=title, body=body, dedup_key=f"petition-approval-{approval.pk}")
    return approval


def approval_returned(
    actor: User, report: PetitionReport, approval, *, action: str, what: str, link: str
) -> None:
    """On the locked report, after a leader returned `approval` (its decision note is the reason): the
    report's history, the audit event `petition.<action>` and a notice to who asked. `what` names the
    request (办结报告, 延长办结期限的申请…)."""
    report_save(report, [])
    report_transition(
        report, report.state, report.state, actor=actor, action=action, reason=approval.decision_note
    )
    audit_record(
        actor=actor,
        action=f"petition.{action}",
        obj=report,
        org_unit_id=report.holder_id,
        summary=f"退回{what} {report.serial_number}",
        after={"approval": approval.pk, "reason": approval.decision_note},
    )
    tell(
        [approval.requested_by],
        title=f"信访举报件 {report.serial_number} 的{what}被退回",
        body=f"退回理由：{approval.decision_note}",
        link=link,
        dedup_key=f"petition-approval-decided-{approval.pk}",
    )


def notify_leaders(report: PetitionReport, *, title: str, body: str, dedup_key: str) -> None:
    """Tell the leaders who decide for the report's holder, with a link to the report."""
    for user in leaders_of(report.holder):
        transaction.on_commit(
            partial(
                notify,
                recipient=user,
                title=title,
                body=body,
                link=f"/petitions/{report.pk}/#approvals",
                dedup_key=dedup_key,
            )
        )


def petition_result_notify(*, actor: User, report: PetitionReport, text: str, version: int):
    """办理结果告知: recorded with its date, shown to an online reporter."""
    require_handler(actor)
    text = (text or "").strip()
    if not text:
        raise ValidationError(gettext("请填写结果告知内容"))
    with transaction.atomic():
        report = report_locked(report, version=version, states=(PetitionState.CLOSED,))
        if report.result_notified_on:
            raise ValidationError(gettext("已告知过办理结果"))
        report.result_notice = text
        report.result_notified_on = timezone.localdate()
        report_save(report, ["result_notice", "result_notified_on"])
        deadline_meet(kind=DeadlineKind.RESULT_NOTICE, report=report)
        audit_record(
            actor=actor,
            action="petition.result_notify",
            obj=report,
            org_unit_id=report.holder_id,
            summary=f"结果告知 {report.serial_number}",
        )
    return report
