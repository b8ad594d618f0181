"""Problem clues (问题线索): registered, numbered and centrally managed by the case management office
(案管室) of the holding commission; disposed of by talk or letter (谈话函询), preliminary check (初步
核实), hold (暂存待查), close (予以了结) or transfer to investigation (转立案审查调查).

State machine (ClueState; the pending_* fields of Clue hold a proposal awaiting approval):

    clue_register       -> REGISTERED (number "XS-<unit>-<year>-<serial>")
    clue_propose        REGISTERED / TALK_OR_LETTER (after the letter reply) / PRELIMINARY_CHECK
                        -> PENDING_APPROVAL (the state it came from is remembered)
    clue_approve        PENDING_APPROVAL -> TALK_OR_LETTER (+ letter reply limit) /
                        PRELIMINARY_CHECK (+ check limit) / HELD / CLOSED / TRANSFERRED
    clue_reject         PENDING_APPROVAL -> the state it came from
    clue_letter_reply   TALK_OR_LETTER: the reply, endorsed by the accused's superior (limit met)
    clue_reopen         HELD -> REGISTERED, on new evidence

Only clue_approve ever sets CLOSED or TRANSFERRED: nothing is closed without an approved disposal.
Every step is a ClueStep signed by its actor (签字背书): the statement they confirmed, who, when and
the SM3 digest of the clue's content together with the step (clue_digest). Every service runs in one
transaction, locks the clue row, checks the version the form was shown with and writes its audit
entry in the same transaction. Refusals are ValidationError with a Chinese message; nothing changes.

The caller resolved the clue (or the source report) through access.get_clue_for /
get_petition_for, so an item outside the actor's jurisdiction never reaches these functions."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from jijian.attachments.models import Attachment
from jijian.attachments.services import STAFF_KINDS, attachments_store_all
from jijian.audit.services import audit_record
from jijian.core import links
from jijian.core.access import unit_in_scope
from jijian.core.language import platform_language
from jijian.core.models import CadreLevel, OrgUnit, User
from jijian.core.notify import notify
from jijian.core.roles import Module, Role
from jijian.core.sensitive.crypto import sm3_hex
from jijian.core.services import ConcurrentEditError
from jijian.core.validators import typed_text
from jijian.petitions.access import clues_visible_to, petitions_visible_to
from jijian.petitions.deadlines.limits import deadline_meet, deadline_open
from jijian.petitions.handling import routing
from jijian.petitions.handling.archive_links import chosen_archive_id
from jijian.petitions.models import (
    ARCHIVE_HANDLING,
    ARCHIVE_SANCTION,
    SANCTION_FORM,
    Channel,
    Clue,
    ClueSource,
    ClueState,
    ClueStep,
    DeadlineKind,
    Disposal,
    Form,
    Matter,
    PetitionDeadline,
    PetitionReport,
    PetitionState,
    Sanction,
)
from jijian.petitions.services import serial_next

# The duty-record type of "found or passed on a clue" (reports.defaults); any type counted as a clue
# (DutyType.counts_as_clue) qualifies, so a county's own clue type works too.
CLUE_DUTY_TYPE = "clue_found"
LETTER_REPLY_PURPOSE = "petitions.clue_letter_reply"
TERMINAL_STATES = (ClueState.CLOSED, ClueState.TRANSFERRED)
OPEN_STATES = tuple(s for s in ClueState.values if s not in TERMINAL_STATES)
ENDING_DISPOSALS = (Disposal.CLOSE, Disposal.TRANSFER)

# What each step's signer confirms (签字背书).
STATEMENTS: dict[str, str] = {
    "register": "本人确认：所登记的线索来源、被反映人和主要问题如实记载，线索已纳入集中统一管理。",
    "propose": "本人承诺：所拟处置意见依据事实和有关规定提出，如有不实，愿承担相应责任。",
    "approve": "本人已审阅线索材料和处置意见，同意按所拟意见处置，并承担审批责任。",
    "reject": "本人已审阅线索材料和处置意见，不同意按所拟意见处置，理由如下。",
    "letter_reply": "本人确认：函询回复如实登记，回复材料已由被反映人所在单位主要负责人签字背书。",
    "reopen": "本人确认：发现新的证据或情况，依规启用暂存待查的线索。",
}

# Which disposals may be proposed from which state.
ALLOWED_DISPOSALS: dict[str, tuple[str, ...]] = {
    ClueState.REGISTERED: tuple(Disposal.values),
    ClueState.TALK_OR_LETTER: (
        Disposal.CLOSE,
        Disposal.PRELIMINARY_CHECK,
        Disposal.TRANSFER,
        Disposal.HOLD,
    ),
    ClueState.PRELIMINARY_CHECK: (Disposal.CLOSE, Disposal.TRANSFER, Disposal.HOLD),
}

# The state an approved disposal puts the clue in.
DISPOSAL_STATE: dict[str, str] = {
    Disposal.TALK_OR_LETTER: ClueState.TALK_OR_LETTER,
    Disposal.PRELIMINARY_CHECK: ClueState.PRELIMINARY_CHECK,
    Disposal.HOLD: ClueState.HELD,
    Disposal.CLOSE: ClueState.CLOSED,
    Disposal.TRANSFER: ClueState.TRANSFERRED,
}


# --- reads that the pages and the API use (jurisdiction as in access.py) ---------------------------
def duty_records_for_clues(user) -> QuerySet:
    """Duty records of village members that found or passed on a clue, in the villages of the user's
    jurisdiction for module PETITIONS, newest first: the reports platform answers (core/links.py)."""
    return links.clue_source_records(user)


def clue_steps(clue: Clue) -> QuerySet[ClueStep]:
    return clue.steps.select_related("actor", "actor__org_unit").order_by("at", "pk")


def clue_deadlines(clue: Clue) -> QuerySet[PetitionDeadline]:
    return clue.deadlines.order_by("starts_on", "pk")


def clue_files(clue: Clue) -> QuerySet[Attachment]:
    return Attachment.objects.filter(purpose=LETTER_REPLY_PURPOSE, object_id=str(clue.pk)).order_by(
        "created_at", "pk"
    )


def letter_reply_recorded(clue: Clue) -> bool:
    """Whether the reply to the letter of the current talk-or-letter stage is in (a letter reply
    step after the step that entered the stage)."""
    entered = clue.steps.filter(to_state=ClueState.TALK_OR_LETTER, action="approve").order_by("-pk").first()
    if entered is None:
        return False
    return clue.steps.filter(action="letter_reply", pk__gt=entered.pk).exists()


# --- who may do what -------------------------------------------------------------------------------
def _staff(actor) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.has_module(Module.PETITIONS):
        raise PermissionDenied


def is_case_manager(actor) -> bool:
    return getattr(actor, "is_authenticated", False) and actor.has_role(Role.CASE_MANAGEMENT)


def can_register(actor) -> bool:
    return is_case_manager(actor) and actor.has_module(Module.PETITIONS)


def can_handle(actor, clue: Clue) -> bool:
    """The case management office, or another holder of module PETITIONS, of the holding commission."""
    if not getattr(actor, "is_authenticated", False) or not actor.has_module(Module.PETITIONS):
        return False
    try:
        return routing.commission_of(actor.org_unit).pk == clue.holder_id
    except ValidationError:
        return False


def can_approve(actor, clue: Clue) -> bool:
    """A commission leader (纪委监委领导) of the holding commission or of one above it."""
    return (
        getattr(actor, "is_authenticated", False)
        and actor.has_role(Role.COMMISSION_LEADER)
        and actor.has_module(Module.PETITIONS)
        and unit_in_scope(actor, clue.holder)
    )


def _require_handler(actor, clue: Clue) -> None:
    _staff(actor)
    if not can_handle(actor, clue):
        raise ValidationError(gettext("只有承办机关的案件监督管理室或线索承办人员可以办理该线索"))


def _require_approver(actor, clue: Clue) -> None:
    _staff(actor)
    if not actor.has_role(Role.COMMISSION_LEADER):
        raise ValidationError(gettext("处置意见须由纪委监委领导审批，您没有审批权限"))
    if not unit_in_scope(actor, clue.holder):
        raise ValidationError(gettext("处置意见须由承办机关或上级纪委监委领导审批"))


def _require_endorse(endorse: bool) -> None:
    if not endorse:
        raise ValidationError(gettext("请确认签字背书承诺后再提交"))


# --- signing ---------------------------------------------------------------------------------------
def clue_content(clue: Clue) -> dict:
    """What a signature covers about the clue itself."""
    return {
        "number": clue.number,
        "holder": clue.holder_id,
        "source": clue.source,
        "source_note": clue.source_note,
        "report": clue.report_id,
        "duty_record": clue.duty_record_id,
        "accused_name": clue.accused_name,
        "accused_unit": clue.accused_unit,
        "accused_post": clue.accused_post,
        "accused_level": clue.accused_level,
        "matter": clue.matter,
        "summary": clue.summary,
    }


def clue_digest(clue: Clue, step: dict) -> str:
    """SM3 of the clue's content and the step signed (action, states, disposal, outcome, note,
    endorser, actor, time): change any of them and the digest changes."""
    payload = {"clue": clue_content(clue), "step": step}
    return sm3_hex(json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode())


def _step(
    clue: Clue,
    *,
    action: str,
    actor: User,
    from_state: str,
    to_state: str,
    disposal: str = "",
    sanction: str = "",
    sanction_decided_on: date | None = None,
    note: str = "",
    endorser: str = "",
) -> ClueStep:
    at = timezone.now()
    statement = STATEMENTS[action]
    signed = {
        "action": action,
        "from_state": from_state,
        "to_state": to_state,
        "disposal": disposal,
        "sanction": sanction,
        "note": note,
        "endorser": endorser,
        "actor": actor.pk,
        "actor_name": actor.full_name,
        "statement": statement,
        "at": at.isoformat(),
    }
    if sanction_decided_on is not None:  # only where there is one: steps signed before keep their digest
        signed["sanction_decided_on"] = sanction_decided_on.isoformat()
    return ClueStep.objects.create(
        clue=clue,
        action=action,
        from_state=from_state,
        to_state=to_state,
        disposal=disposal,
        sanction=sanction,
        sanction_decided_on=sanction_decided_on,
        note=note,
        actor=actor,
        endorser=endorser,
        endorsement_statement=statement,
        endorsement_digest=clue_digest(clue, signed),
        at=at,
    )


def step_signed_payload(step: ClueStep, clue: Clue) -> dict:
    """The signed payload of a stored step, to verify its digest (clue_digest(clue, payload))."""
    payload = {
        "action": step.action,
        "from_state": step.from_state,
        "to_state": step.to_state,
        "disposal": step.disposal,
        "sanction": step.sanction,
        "note": step.note,
        "endorser": step.endorser,
        "actor": step.actor_id,
        "actor_name": step.actor.full_name,
        "statement": step.endorsement_statement,
        "at": step.at.isoformat(),
    }
    if step.sanction_decided_on is not None:
        payload["sanction_decided_on"] = step.sanction_decided_on.isoformat()
    return payload


# --- helpers ---------------------------------------------------------------------------------------
def _locked(clue: Clue, *, version: int) -> Clue:
    # No join in the locking read (see petitions.services.report_locked).
    locked = Clue.objects.select_for_update().get(pk=clue.pk)
    if locked.version != version:
        raise ConcurrentEditError()
    return locked


def _save(clue: Clue, fields: list[str]) -> None:
    clue.version += 1
    clue.save(update_fields=[*fields, "version"])


def _link(clue: Clue) -> str:
    return reverse("petitions_clues:detail", args=[clue.pk])


def _leaders_for(holder: OrgUnit) -> list[User]:
    """The commission leaders who approve a clue of `holder`: those of the holder, or, where it has
    none, of the nearest commission above that has."""
    unit: OrgUnit | None = holder
    while unit is not None:
        leaders = list(
            User.objects.filter(roles__role=Role.COMMISSION_LEADER, is_active=True, org_unit=unit).distinct()
        )
        if leaders:
            return leaders
        unit = routing.commission_of(unit.parent) if unit.parent is not None else None
    return []


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


# --- services --------------------------------------------------------------------------------------
def clue_register(
    *,
    actor: User,
    source: str,
    accused_name: str = "",
    summary: str = "",
    accused_unit: str = "",
    accused_post: str = "",
    accused_level: str = "",
    matter: str = "",
    source_note: str = "",
    report: PetitionReport | None = None,
    duty_record=None,
    endorse: bool,
) -> Clue:
    """Register and number a clue at the actor's commission (the case management office only). A clue
    from a report needs the report accepted and in the actor's jurisdiction; one from a village
    member's duty record needs a record of a clue found, in a village of the jurisdiction. The
    accused and the matter default to the report's, and so does the source: a report found in
    supervision (a village risk flag) gives a clue of 日常监督发现, any other report one of 信访举报."""
    _staff(actor)
    if not actor.has_role(Role.CASE_MANAGEMENT):
        raise ValidationError(gettext("问题线索由案件监督管理室统一登记，您没有登记权限"))
    if source not in ClueSource.values:
        raise ValidationError(gettext("请选择线索来源"))
    holder = routing.commission_of(actor.org_unit)
    if report is not None and source in (ClueSource.PETITION, ClueSource.SUPERVISION):
        # The source follows the report: a village risk flag registered as found in supervision
        # (channel 日常监督发现) gives a clue of that source, never one counted as 信访举报.
        source = ClueSource.SUPERVISION if report.channel == Channel.SUPERVISION else ClueSource.PETITION
    if source == ClueSource.PETITION or report is not None and source == ClueSource.SUPERVISION:
        if report is None:
            raise ValidationError(gettext("来源为信访举报的线索须选择来源举报件"))
        if not petitions_visible_to(actor).filter(pk=report.pk).exists():
            raise ValidationError(gettext("来源举报件不在本机关管辖范围内"))
        if report.state != PetitionState.ACCEPTED:
            raise ValidationError(
                gettext("来源举报件当前状态为“%(state)s”，只有已受理的举报件可以登记为问题线索")
                % {"state": report.get_state_display()}
            )
        accused_name = accused_name or report.accused_name
        accused_unit = accused_unit or report.accused_unit
        accused_post = accused_post or report.accused_post
        accused_level = accused_level or report.accused_level
        matter = matter or report.matter
        summary = summary or report.facts
        duty_record = None
    elif source == ClueSource.DUTY_RECORD:
        if duty_record is None:
            raise ValidationError(gettext("来源为村级纪检委员履职发现的线索须选择履职纪实"))
        if not duty_records_for_clues(actor).filter(pk=duty_record.pk).exists():
            raise ValidationError(gettext("所选履职纪实不在本机关管辖范围内，或不是发现和移交问题线索的记录"))
        report = None
    else:
        report = duty_record = None
        if source in (ClueSource.OTHER_BODY, ClueSource.OTHER) and not (source_note or "").strip():
            raise ValidationError(gettext("请填写来源说明（移送机关或其他来源）"))
    accused_name = typed_text(accused_name, label=gettext("被反映人姓名"), limit=100, required=True)
    accused_unit = typed_text(accused_unit, label=gettext("被反映人单位"), limit=200)
    accused_post = typed_text(accused_post, label=gettext("被反映人职务"), limit=100)
    source_note = typed_text(source_note, label=gettext("来源说明"), limit=200)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError(gettext("请填写线索反映的主要问题"))
    if accused_level and accused_level not in CadreLevel.values:
        raise ValidationError(gettext("被反映人级别不正确"))
    if matter and matter not in Matter.values:
        raise ValidationError(gettext("问题类别不正确"))
    _require_endorse(endorse)
    with transaction.atomic():
        if report is not None:
            report = PetitionReport.objects.select_for_update().get(pk=report.pk)
            if report.state != PetitionState.ACCEPTED:  # closed by someone else meanwhile
                raise ValidationError(gettext("来源举报件状态已变化，请刷新后查看"))
        clue = Clue.objects.create(
            number=serial_next(unit=holder, prefix="XS"),
            holder=holder,
            source=source,
            source_note=source_note,
            report=report,
            duty_record_id=duty_record.pk if duty_record is not None else None,
            accused_name=accused_name,
            accused_unit=accused_unit,
            accused_post=accused_post,
            accused_level=accused_level or CadreLevel.OTHER,
            matter=matter or Matter.OTHER,
            summary=summary,
            state=ClueState.REGISTERED,
            registered_by=actor,
        )
        step = _step(clue, action="register", actor=actor, from_state="", to_state=ClueState.REGISTERED)
        with platform_language():
            audit_record(
                actor=actor,
                action="clue.register",
                obj=clue,
                org_unit_id=holder.pk,
                summary=f"登记问题线索 {clue.number}（{clue.get_source_display()}）",
                after={
                    "source": source,
                    "report": clue.report_id,
                    "duty_record": clue.duty_record_id,
                    "digest": step.endorsement_digest,
                },
            )
    return clue


def clue_propose(
    *,
    actor: User,
    clue: Clue,
    disposal: str,
    note: str,
    version: int,
    endorse: bool,
    sanction: str = "",
    sanction_decided_on: date | None = None,
) -> Clue:
    """Propose a disposal (拟处置意见) for a leader's approval. An ending disposal (close, transfer)
    may carry the outcome (Sanction) it is classed by (四种形态); an outcome that enters the integrity
    archive (ARCHIVE_SANCTION) carries the day it was decided (处分决定日期), from which the archive
    counts its effect period: not in the future, not before the clue was registered."""
    _require_handler(actor, clue)
    note = (note or "").strip()
    if disposal not in Disposal.values:
        raise ValidationError(gettext("请选择拟处置方式"))
    if sanction and sanction not in Sanction.values:
        raise ValidationError(gettext("处理结果不正确"))
    if sanction and disposal not in ENDING_DISPOSALS:
        raise ValidationError(gettext("只有予以了结或转立案审查调查时才填写处理结果"))
    _check_decided_on(clue, sanction, sanction_decided_on)
    if not note:
        raise ValidationError(gettext("请填写拟处置的理由和依据"))
    _require_endorse(endorse)
    with transaction.atomic():
        clue = _locked(clue, version=version)
        state = clue.state
        if state in TERMINAL_STATES:
            raise ValidationError(
                gettext("该线索已%(state)s，不能再提出处置意见") % {"state": clue.get_state_display()}
            )
        if state == ClueState.PENDING_APPROVAL:
            raise ValidationError(gettext("该线索已有处置意见待审批，请等待审批结果"))
        if state == ClueState.HELD:
            raise ValidationError(gettext("暂存待查的线索须先以新的证据重新启用，才能提出处置意见"))
        if state == ClueState.TALK_OR_LETTER and not letter_reply_recorded(clue):
            raise ValidationError(gettext("函询回复尚未登记，登记回复后才能提出下一步处置意见"))
        if disposal not in ALLOWED_DISPOSALS[state]:
            raise ValidationError(
                gettext("线索处于“%(state)s”，不能拟“%(label)s”")
                % {"state": clue.get_state_display(), "label": Disposal(disposal).label}
            )
        clue.state = ClueState.PENDING_APPROVAL
        clue.pending_disposal = disposal
        clue.pending_sanction = sanction
        clue.pending_sanction_decided_on = sanction_decided_on
        clue.pending_note = note
        clue.pending_by = actor
        clue.pending_from_state = state
        _save(
            clue,
            [
                "state",
                "pending_disposal",
                "pending_sanction",
                "pending_sanction_decided_on",
                "pending_note",
                "pending_by",
                "pending_from_state",
            ],
        )
        step = _step(
            clue,
            action="propose",
            actor=actor,
            from_state=state,
            to_state=clue.state,
            disposal=disposal,
            sanction=sanction,
            sanction_decided_on=sanction_decided_on,
            note=note,
        )
        with platform_language():
            audit_record(
                actor=actor,
                action="clue.propose",
                obj=clue,
                org_unit_id=clue.holder_id,
                summary=f"{clue.number} 拟{Disposal(disposal).label}，待审批",
                after={
                    "disposal": disposal,
                    "sanction": sanction,
                    "sanction_decided_on": _iso(sanction_decided_on),
                    "digest": step.endorsement_digest,
                },
            )
            proposed = f"问题线索 {clue.number} 拟{Disposal(disposal).label}，请审批"
        for leader in _leaders_for(clue.holder):
            if leader.pk == actor.pk:
                continue
            transaction.on_commit(
                partial(
                    notify,
                    recipient=leader,
                    title=proposed,
                    body="处置意见已签字背书，待您审批。",
                    link=_link(clue),
                    dedup_key=f"clue-proposal-{step.pk}",
                )
            )
    return clue


PENDING_FIELDS = [
    "pending_disposal",
    "pending_sanction",
    "pending_sanction_decided_on",
    "pending_note",
    "pending_by",
    "pending_from_state",
]


def _check_decided_on(clue: Clue, sanction: str, decided_on: date | None) -> None:
    """The decision date goes with an outcome that enters the archive, and only with one."""
    if sanction not in ARCHIVE_SANCTION:
        if decided_on is not None:
            raise ValidationError(gettext("只有处理结果为党纪处分、政务处分或诫勉时才填写处分决定日期"))
        return
    if decided_on is None:
        raise ValidationError(
            gettext("处理结果为“%(label)s”，请填写处分决定日期（影响期自该日起计算）")
            % {"label": Sanction(sanction).label}
        )
    if decided_on > timezone.localdate():
        raise ValidationError(gettext("处分决定日期不能晚于今天"))
    registered_on = timezone.localdate(clue.registered_at)
    if decided_on < registered_on:
        raise ValidationError(
            gettext("处分决定日期不能早于线索登记日期（%(registered_on)s）")
            % {"registered_on": format(registered_on, "%Y-%m-%d")}
        )


def _locked_pending(clue: Clue, *, actor: User, version: int) -> Clue:
    """The clue under lock with a proposal awaiting the actor's decision: never the proposer's own."""
    clue = _locked(clue, version=version)
    if clue.state != ClueState.PENDING_APPROVAL:
        raise ValidationError(gettext("该线索没有待审批的处置意见（可能已被他人审批，请刷新后查看）"))
    if clue.pending_by_id == actor.pk:
        raise ValidationError(gettext("不能审批本人提出的处置意见，须由其他领导审批"))
    return clue


def _clear_pending(clue: Clue) -> list[str]:
    clue.pending_disposal = clue.pending_sanction = clue.pending_note = clue.pending_from_state = ""
    clue.pending_sanction_decided_on = None
    clue.pending_by = None
    return list(PENDING_FIELDS)


def clue_approve(*, actor: User, clue: Clue, version: int, endorse: bool, note: str = "") -> Clue:
    """Approve the pending disposal and apply it (the only way a clue is closed or transferred)."""
    _require_approver(actor, clue)
    _require_endorse(endorse)
    note = (note or "").strip()
    with transaction.atomic():
        clue = _locked_pending(clue, actor=actor, version=version)
        disposal = clue.pending_disposal
        sanction = clue.pending_sanction
        proposer_id = clue.pending_by_id
        from_state = clue.pending_from_state
        if sanction in ARCHIVE_SANCTION and clue.pending_sanction_decided_on is None:
            # A proposal made before the date was asked: it goes back for the date, not in undated.
            raise ValidationError(gettext("该处置意见未载明处分决定日期，请退回，由承办人员填写后重新报批"))
        # The stage the clue leaves is over: its limits are met.
        deadline_meet(kind=DeadlineKind.LETTER_REPLY, clue=clue)
        deadline_meet(kind=DeadlineKind.PRELIMINARY_CHECK, clue=clue)
        today = timezone.localdate()
        clue.state = DISPOSAL_STATE[disposal]
        clue.disposal = disposal
        fields = ["state", "disposal"]
        if disposal == Disposal.TALK_OR_LETTER:
            deadline_open(kind=DeadlineKind.LETTER_REPLY, holder=clue.holder, start=today, clue=clue)
        elif disposal == Disposal.PRELIMINARY_CHECK:
            deadline_open(kind=DeadlineKind.PRELIMINARY_CHECK, holder=clue.holder, start=today, clue=clue)
        if disposal in ENDING_DISPOSALS:
            clue.outcome_sanction = sanction
            clue.outcome_form = SANCTION_FORM.get(sanction, "")
            clue.outcome_note = clue.pending_note
            clue.sanction_decided_on = clue.pending_sanction_decided_on
            clue.closed_at = timezone.now()
            fields += ["outcome_sanction", "outcome_form", "outcome_note", "sanction_decided_on", "closed_at"]
        fields += _clear_pending(clue)
        _save(clue, fields)
        entered = _to_archive(clue, actor=actor) if disposal in ENDING_DISPOSALS else NOTHING_ENTERED
        step = _step(
            clue,
            action="approve",
            actor=actor,
            from_state=ClueState.PENDING_APPROVAL,
            to_state=clue.state,
            disposal=disposal,
            sanction=sanction,
            sanction_decided_on=clue.sanction_decided_on if disposal in ENDING_DISPOSALS else None,
            note=note,
        )
        with platform_language():
            audit_record(
                actor=actor,
                action="clue.approve",
                obj=clue,
                org_unit_id=clue.holder_id,
                summary=f"{clue.number} 批准{Disposal(disposal).label}",
                after={
                    "disposal": disposal,
                    "state": clue.state,
                    "from_state": from_state,
                    "outcome_form": clue.outcome_form,
                    "sanction_decided_on": _iso(clue.sanction_decided_on),
                    "digest": step.endorsement_digest,
                    **entered,
                },
            )
        _notify_proposer(clue, proposer_id, step, f"已批准：{Disposal(disposal).label}")
    return clue


def clue_archive_id(clue: Clue) -> int | None:
    """The integrity archive the clue is about: its own link (made on the clue's page), else the one
    its source report is linked to."""
    if clue.archive_id is not None:
        return clue.archive_id
    if clue.report_id is None:
        return None
    return PetitionReport.objects.filter(pk=clue.report_id).values_list("archive_id", flat=True).first()


# --- the accused's integrity archive ----------------------------------------------------------------
MAX_ARCHIVE_CANDIDATES = 10


def clue_archive_candidates(clue: Clue) -> list:
    """Active archives of people named like the accused, in the holding commission's city, those of its
    county-level unit first (the archives platform's rule, core.links.archive_candidates): what the
    clue's handlers choose from. A name alone identifies nobody, so nothing is linked automatically."""
    if not clue.accused_name_index:
        return []
    return list(
        links.archive_candidates(name_index=clue.accused_name_index, region=clue.holder, id_index="")[
            :MAX_ARCHIVE_CANDIDATES
        ]
    )


def clue_link_archive(*, actor: User, clue: Clue, archive_id, version: int) -> Clue:
    """Link the clue to one of its candidate archives (a second link replaces the first). A clue
    already concluded with an archive sanction or first-form handling enters that archive now, once
    (as at approval): linked anew to another person's archive, it enters that one too."""

    def choose(locked: Clue) -> int:
        return chosen_archive_id(archive_id, clue_archive_candidates(locked))

    return _relink_archive(actor=actor, clue=clue, version=version, choose=choose)


def clue_unlink_archive(*, actor: User, clue: Clue, version: int) -> Clue:
    """Undo a wrong link of the clue's own (a sanction or handling already entered in the archive
    stays there: the archive's keepers withdraw it, with a reason)."""

    def choose(locked: Clue) -> None:
        if locked.archive_id is None:
            raise ValidationError(gettext("该线索未单独关联廉情档案"))

    return _relink_archive(actor=actor, clue=clue, version=version, choose=choose)


def _relink_archive(*, actor: User, clue: Clue, version: int, choose) -> Clue:
    _require_handler(actor, clue)
    with transaction.atomic():
        locked = _locked(clue, version=version)
        new_id = choose(locked)
        if locked.archive_id == new_id:
            return locked
        old_id = locked.archive_id
        locked.archive_id = new_id
        _save(locked, ["archive_id"])
        entered = NOTHING_ENTERED
        if new_id is not None and locked.state == ClueState.CLOSED:
            entered = _to_archive(locked, actor=actor)
        audit_record(
            actor=actor,
            action="clue.link_archive" if new_id is not None else "clue.unlink_archive",
            obj=locked,
            org_unit_id=locked.holder_id,
            summary=f"线索 {locked.number} {'关联' if new_id is not None else '取消关联'}廉情档案",
            before={"archive": old_id},
            after={"archive": new_id, **entered},
        )
    return locked


# What _to_archive answers when nothing entered the archive (the audit's keys).
NOTHING_ENTERED: dict[str, int | None] = {"archive_sanction": None}


def _to_archive(clue: Clue, *, actor: User) -> dict[str, int | None]:
    """A concluded clue's outcome enters the accused's archive, once, with the clue as its source: a
    sanction (party, public-office or 诫勉: ARCHIVE_SANCTION) decided on the day the proposal gave
    (处分决定日期), through core.links.archive_record_sanction; a first-form handling short of 诫勉
    (谈话提醒, 批评教育, 责令检查: ARCHIVE_HANDLING) as a record dated the day the conclusion was
    approved, through core.links.archive_record_handling. The audit's keys: {"archive_sanction": the
    sanction's id or None}, and "archive_record": the record's id when a handling entered. Nothing
    enters for another outcome or when no archive is linked."""
    outcome = clue.outcome_sanction
    if outcome not in ARCHIVE_SANCTION and outcome not in ARCHIVE_HANDLING:
        return NOTHING_ENTERED
    archive_id = clue_archive_id(clue)
    if archive_id is None:
        return NOTHING_ENTERED
    source, source_ref = f"问题线索 {clue.number}", f"petitions.clue:{clue.pk}"
    if outcome in ARCHIVE_SANCTION:
        sanction = links.archive_record_sanction(
            actor=actor,
            archive_id=archive_id,
            kind=ARCHIVE_SANCTION[outcome],
            decided_on=clue.sanction_decided_on,
            authority=clue.holder.name,
            reason=clue.outcome_note[:2000],
            source=source,
            source_ref=source_ref,
        )
        return {"archive_sanction": sanction}
    record = links.archive_record_handling(
        actor=actor,
        archive_id=archive_id,
        kind=ARCHIVE_HANDLING[outcome],
        recorded_on=timezone.localdate(clue.closed_at) if clue.closed_at else timezone.localdate(),
        summary=f"决定机关：{clue.holder.name}；{clue.outcome_note}"[:2000],
        source=source,
        source_ref=source_ref,
    )
    return {"archive_sanction": None, "archive_record": record}


def clue_reject(*, actor: User, clue: Clue, reason: str, version: int, endorse: bool) -> Clue:
    """Send the proposal back (不同意), with the reason; the clue returns to the state it was in."""
    _require_approver(actor, clue)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("退回处置意见须填写理由"))
    _require_endorse(endorse)
    with transaction.atomic():
        clue = _locked_pending(clue, actor=actor, version=version)
        disposal = clue.pending_disposal
        proposer_id = clue.pending_by_id
        clue.state = clue.pending_from_state or ClueState.REGISTERED
        _save(clue, ["state", *_clear_pending(clue)])
        step = _step(
            clue,
            action="reject",
            actor=actor,
            from_state=ClueState.PENDING_APPROVAL,
            to_state=clue.state,
            disposal=disposal,
            note=reason,
        )
        with platform_language():
            audit_record(
                actor=actor,
                action="clue.reject",
                obj=clue,
                org_unit_id=clue.holder_id,
                summary=f"{clue.number} 退回拟{Disposal(disposal).label}的处置意见",
                after={"disposal": disposal, "state": clue.state, "digest": step.endorsement_digest},
            )
        _notify_proposer(clue, proposer_id, step, f"处置意见被退回：{reason[:60]}")
    return clue


def _notify_proposer(clue: Clue, proposer_id: int | None, step: ClueStep, what: str) -> None:
    if proposer_id is None:
        return
    proposer = User.objects.filter(pk=proposer_id, is_active=True).first()
    if proposer is None:
        return
    transaction.on_commit(
        lambda: notify(
            recipient=proposer,
            title=f"问题线索 {clue.number} {what}"[:200],
            link=_link(clue),
            dedup_key=f"clue-decision-{step.pk}",
        )
    )


def clue_letter_reply(
    *,
    actor: User,
    clue: Clue,
    reply: str,
    endorser: str,
    version: int,
    endorse: bool,
    files=(),
) -> Clue:
    """Record the reply to the letter of inquiry (函询回复), endorsed by the accused's superior (name
    and post as signed on it), with the scanned reply if any. Meets the 15-working-day limit."""
    _require_handler(actor, clue)
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError(gettext("请填写函询回复的主要内容"))
    if not (endorser or "").strip():
        raise ValidationError(gettext("请填写为回复签字背书的被反映人所在单位主要负责人（姓名和职务）"))
    endorser = typed_text(endorser, label=gettext("签字背书人"), limit=100)
    _require_endorse(endorse)
    files = list(files)
    with transaction.atomic():
        clue = _locked(clue, version=version)
        if clue.state != ClueState.TALK_OR_LETTER:
            raise ValidationError(
                gettext("线索处于“%(state)s”，不能登记函询回复") % {"state": clue.get_state_display()}
            )
        if letter_reply_recorded(clue):
            raise ValidationError(gettext("本次函询的回复已登记"))
        _save(clue, [])
        step = _step(
            clue,
            action="letter_reply",
            actor=actor,
            from_state=clue.state,
            to_state=clue.state,
            disposal=Disposal.TALK_OR_LETTER,
            note=reply,
            endorser=endorser,
        )
        stored = attachments_store_all(
            actor=actor,
            files=files,
            org_unit=clue.holder,
            module=Module.PETITIONS,
            purpose=LETTER_REPLY_PURPOSE,
            object_id=clue.pk,
            keep_original=True,
            kinds=STAFF_KINDS,  # the reply letter, scanned
        )
        deadline_meet(kind=DeadlineKind.LETTER_REPLY, clue=clue)
        audit_record(
            actor=actor,
            action="clue.letter_reply",
            obj=clue,
            org_unit_id=clue.holder_id,
            summary=f"{clue.number} 登记函询回复",
            after={"endorser": endorser, "files": len(stored), "digest": step.endorsement_digest},
        )
    return clue


def clue_reopen(*, actor: User, clue: Clue, note: str, version: int, endorse: bool) -> Clue:
    """Take a held clue up again on new evidence (暂存待查 -> 已登记, ready for a new proposal)."""
    _require_handler(actor, clue)
    note = (note or "").strip()
    if not note:
        raise ValidationError(gettext("重新启用须写明新的证据或情况"))
    _require_endorse(endorse)
    with transaction.atomic():
        clue = _locked(clue, version=version)
        if clue.state != ClueState.HELD:
            raise ValidationError(gettext("只有暂存待查的线索可以重新启用"))
        clue.state = ClueState.REGISTERED
        clue.disposal = ""
        _save(clue, ["state", "disposal"])
        step = _step(
            clue,
            action="reopen",
            actor=actor,
            from_state=ClueState.HELD,
            to_state=clue.state,
            note=note,
        )
        audit_record(
            actor=actor,
            action="clue.reopen",
            obj=clue,
            org_unit_id=clue.holder_id,
            summary=f"{clue.number} 重新启用",
            after={"digest": step.endorsement_digest},
        )
    return clue


# --- the list --------------------------------------------------------------------------------------
class ClueFilter:
    """Filters of the clue list (page and API): state, source, disposal in force, outcome form and the
    registration period (dates inclusive)."""

    def __init__(self, *, state="", source="", disposal="", form="", start=None, end=None, q=""):
        self.state, self.source, self.disposal, self.form = state, source, disposal, form
        self.start, self.end, self.q = start, end, (q or "").strip()

    def apply(self, qs: QuerySet[Clue]) -> QuerySet[Clue]:
        if self.state == "open":
            qs = qs.filter(state__in=OPEN_STATES)
        elif self.state in ClueState.values:
            qs = qs.filter(state=self.state)
        if self.source in ClueSource.values:
            qs = qs.filter(source=self.source)
        if self.disposal in Disposal.values and self.disposal:
            qs = qs.filter(disposal=self.disposal)
        if self.form == "none":
            qs = qs.filter(state__in=TERMINAL_STATES, outcome_form="")
        elif self.form in Form.values and self.form:
            qs = qs.filter(outcome_form=self.form)
        if self.start:
            qs = qs.filter(registered_at__gte=_day_start(self.start))
        if self.end:
            qs = qs.filter(registered_at__lt=_day_start(self.end + timedelta(days=1)))
        if self.q:
            qs = qs.filter(number__icontains=self.q[:40])
        return qs


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def clues_listed(user, filters: ClueFilter | None = None) -> QuerySet[Clue]:
    qs = clues_visible_to(user).select_related("holder", "report", "pending_by")
    return (filters or ClueFilter()).apply(qs).order_by("-registered_at", "-pk")
