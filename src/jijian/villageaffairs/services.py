"""Writes of village affairs: the village's rules (filed with the township), a decision registered,
a step of 四议两公开 recorded with its files and the member's presence and opinion, a flag answered
(a decision's, or a split-expense flag of the vouchers) or a clue opened from it.

Each is one transaction with its audit entry; a refusal is a ValidationError in Chinese and changes
nothing. A step the member attended goes into the member's duty log through core.links.duty_log_record
(the reports platform's own service, same transaction: a savepoint, so a log that refuses — the
month's report already submitted — leaves the step recorded and says so)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from jijian.attachments.services import STAFF_KINDS, attachments_store_all
from jijian.audit.services import audit_record
from jijian.core import links
from jijian.core.language import platform_language
from jijian.core.orgs.workdays import provisional_mark
from jijian.core.roles import Module
from jijian.core.services import ConcurrentEditError
from jijian.core.validators import text_length_error, typed_text

from . import flags as flag_rules
from .access import can_answer, can_record, member_village
from .models import (
    DUTY_LOG_STEP_NAMES,
    MEETING_FORM_ROLLS,
    MEETING_STEPS,
    DecisionCategory,
    DecisionStep,
    FlagAnswer,
    MajorDecision,
    MeetingForm,
    SplitFlagAnswer,
    Step,
    StepCorrection,
    VillageRules,
    Voucher,
)
from .text import abridged

log = logging.getLogger(__name__)

STEP_PURPOSE = "villageaffairs.step"
MAX_FILES_PER_STEP = 9
MAX_TEXT = 5000
MAX_MINUTES = 20000  # a meeting's minutes typed in full
MAX_REASON = 255  # DecisionStep.out_of_sequence_reason, StepCorrection.reason
# The duty log's fields a step is copied into (reports: its topic, a text field of a duty type).
DUTY_LOG_TOPIC = 100
DUTY_LOG_TEXT = 2000
# The least a village may set for the 环节停滞 rule (the platform's own bounds, config/settings.py); the
# most is the platform's setting itself: a village may be stricter than the platform, never laxer.
MIN_STEP_STALL_DAYS = 7
MIN_RESULT_PUBLIC_DAYS = 30


# --- the village's rules -------------------------------------------------------------------------
def village_rules_for(village) -> VillageRules | None:
    return VillageRules.objects.filter(village=village).first()


@transaction.atomic
def village_rules_file(
    *,
    actor,
    version: int | None,
    large_amount: Decimal,
    item_types: str,
    party_members: int,
    representatives: int,
    minutes_late_days: int,
    adult_villagers: int = 0,
    households: int = 0,
    step_stall_days: int | None = None,
    result_public_days: int | None = None,
) -> VillageRules:
    """The member files the village's rules with the township (a new version each time). Decisions
    already registered keep the rules they started under. The 环节停滞 limits (`step_stall_days`,
    `result_public_days`) are the village's own when set — no longer than the platform's
    (flags.stall_limits()), a village may only be stricter — and the platform's when left empty.
    The three rolls of the villagers' decision (`adult_villagers`, `households`, `representatives`:
    the 村民代表会议's members) are each optional, 0 when not filed: a villagers' decision cannot be
    recorded in a form whose roll the village has not filed."""
    village = member_village(actor)
    if village is None:
        raise PermissionDenied
    if large_amount is None or large_amount <= 0:
        raise ValidationError(gettext("大额资金标准须大于0元"))
    if party_members < 3:
        raise ValidationError(gettext("请填写本村党员人数（至少3人）：党员大会的法定人数按此计算"))
    if minutes_late_days < 1 or minutes_late_days > 60:
        raise ValidationError(gettext("会议记录迟录天数应在1至60天之间"))
    if adult_villagers and representatives > adult_villagers:
        raise ValidationError(
            gettext("村民代表会议组成人员人数（%(members)s）不能多于18周岁以上村民人数（%(adults)s），请核对")
            % {"members": representatives, "adults": adult_villagers}
        )
    platform_step_days, platform_result_days = flag_rules.stall_limits()
    if step_stall_days is not None and not MIN_STEP_STALL_DAYS <= step_stall_days <= platform_step_days:
        raise ValidationError(
            gettext("环节停滞提示天数应在%(low)s至%(high)s天之间（不得长于平台规定的%(high)s天）")
            % {"low": MIN_STEP_STALL_DAYS, "high": platform_step_days}
        )
    if result_public_days is not None and not (
        MIN_RESULT_PUBLIC_DAYS <= result_public_days <= platform_result_days
    ):
        raise ValidationError(
            gettext("实施结果公开提示天数应在%(low)s至%(high)s天之间（不得长于平台规定的%(high)s天）")
            % {"low": MIN_RESULT_PUBLIC_DAYS, "high": platform_result_days}
        )
    fields = {
        "large_amount": large_amount,
        "item_types": typed_text(item_types, limit=MAX_TEXT, label=gettext("“三重一大”事项范围")),
        "party_members": party_members,
        "representatives": representatives,
        "adult_villagers": adult_villagers,
        "households": households,
        "minutes_late_days": minutes_late_days,
        "step_stall_days": step_stall_days,
        "result_public_days": result_public_days,
        "filed_at": timezone.now(),
        "filed_by": actor,
    }
    current = VillageRules.objects.select_for_update().filter(village=village).first()
    if current is None:
        if version not in (None, 0):
            raise ConcurrentEditError()
        rules = VillageRules.objects.create(village=village, **fields)
        before = None
    else:
        if version != current.version:
            raise ConcurrentEditError()
        before = current.snapshot()
        VillageRules.objects.filter(pk=current.pk).update(version=F("version") + 1, **fields)
        rules = VillageRules.objects.get(pk=current.pk)
    audit_record(
        actor=actor,
        action="village_rules.file",
        obj=rules,
        org_unit_id=village.pk,
        summary=f"{village.name} “三重一大”规则报乡镇备案（第{rules.version}版）",
        before=before,
        after=rules.snapshot(),
    )
    return rules


# --- decisions -----------------------------------------------------------------------------------
@transaction.atomic
def major_decision_register(
    *, actor, category: str, title: str, description: str = "", amount: Decimal | None = None
) -> MajorDecision:
    village = member_village(actor)
    if village is None:
        raise PermissionDenied
    rules = village_rules_for(village)
    if rules is None:
        raise ValidationError(gettext("请先填报本村“三重一大”规则（党员人数、大额资金标准等）并报乡镇备案"))
    title = (title or "").strip()
    if not title or len(title) > 120:
        raise ValidationError(gettext("请填写事项名称（不超过120字）"))
    if category not in DecisionCategory.values:
        raise ValidationError(gettext("请选择事项类别"))
    if category == DecisionCategory.LARGE_FUND and amount is None:
        raise ValidationError(gettext("大额资金使用事项须填写涉及金额"))
    if amount is not None and amount < 0:
        raise ValidationError(gettext("涉及金额不能为负数"))
    description = typed_text(description, limit=MAX_TEXT, label=gettext("事项说明"))
    decision = MajorDecision.objects.create(
        village=village,
        category=category,
        title=title,
        description=description,
        amount=amount,
        rules=rules.snapshot(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="major_decision.register",
        obj=decision,
        org_unit_id=village.pk,
        summary=f"登记“三重一大”事项 {title}",
        after={"category": category, "amount": str(amount) if amount is not None else None},
    )
    return decision


@dataclass(frozen=True)
class StepOutcome:
    step: DecisionStep
    duty_log_note: str  # empty when the duty log took it (or there was nothing to take)


def _int(value, label: str) -> int | None:
    if value in (None, ""):
        return None
    if not isinstance(value, int) or value < 0:
        raise ValidationError(gettext("%(label)s须为不小于0的整数") % {"label": label})
    return value


# What each roll of the villagers' decision is called in a refusal (models.MEETING_FORM_ROLLS).
ROLL_NAMES = {
    "adult_villagers": gettext_lazy("本村18周岁以上村民人数"),
    "households": gettext_lazy("本村户数"),
    "representatives": gettext_lazy("本村村民代表会议组成人员人数"),
}


@dataclass(frozen=True)
class MeetingRoll:
    """The roll a villagers' decision held in `form` is counted against, for one decision."""

    form: str  # MeetingForm
    key: str  # its VillageRules field, the key of the decision's rules snapshot
    roll: int  # 0: the village filed none
    added_from: int | None  # the version of the village's rules it comes from, when the snapshot lacked it

    @property
    def unit(self) -> str:
        return gettext("户") if self.form == MeetingForm.HOUSEHOLDS else gettext("人")


def meeting_rolls(decision: MajorDecision) -> dict[str, MeetingRoll]:
    """Each form's roll for the villagers' decision of `decision`: the one its rules snapshot holds
    (the rules it was registered under). Where the snapshot holds none — the decision was registered
    before the village filed that roll, or before the platform asked for it — the one the village's
    rules filed since hold, which recording the meeting adds to the snapshot (_add_roll), so that it is
    then fixed like the others; a roll the snapshot holds is never replaced. 0: filed nowhere."""
    rules = decision.rules or {}
    held = {key: int(rules.get(key) or 0) for key in MEETING_FORM_ROLLS.values()}
    current = None
    if not all(held.values()):  # one query, only when the snapshot lacks a roll
        current = VillageRules.objects.filter(village_id=decision.village_id).first()
    rolls = {}
    for form, key in MEETING_FORM_ROLLS.items():
        roll, added_from = held[key], None
        if not roll and current is not None and getattr(current, key):
            roll, added_from = getattr(current, key), current.version
        rolls[str(form)] = MeetingRoll(str(form), key, roll, added_from)
    return rolls


def _villagers_meeting_roll(
    decision: MajorDecision, meeting_form, roll
) -> tuple[MeetingRoll | None, list[str]]:
    """The roll of the villagers' decision held in `meeting_form`, or the refusal: no form (or one we
    do not know), a form whose roll the village has not filed, or a roll typed (the API) that is not
    the filed one — a quorum computed against the wrong roll."""
    if meeting_form not in MeetingForm.values:
        return None, [
            gettext("请选择会议形式：村民会议（18周岁以上村民参加）、村民会议（户代表参加）或村民代表会议")
        ]
    chosen = meeting_rolls(decision)[meeting_form]
    values = {"form": MeetingForm(meeting_form).label, "roll_name": ROLL_NAMES[chosen.key]}
    if not chosen.roll:
        return None, [
            gettext(
                "本村备案规则没有%(roll_name)s，不能按“%(form)s”计算到会比例，本环节未登记："
                "请先在“本村规则”中填报%(roll_name)s并报乡镇备案"
            )
            % values
        ]
    if roll is not None and roll != chosen.roll:
        return None, [
            gettext(
                "“%(form)s”的应到人数应为%(roll_name)s %(expected)s %(unit)s（本事项适用的备案规则），"
                "不能按 %(roll)s 计算到会比例"
            )
            % {**values, "expected": chosen.roll, "unit": chosen.unit, "roll": roll}
        ]
    return chosen, []


def _add_roll(decision: MajorDecision, chosen: MeetingRoll | None) -> dict:
    """The decision's rules with the roll `chosen` added where the snapshot lacked it (meeting_rolls),
    and the version it came from noted under "rolls_added"; unchanged otherwise."""
    rules = dict(decision.rules or {})
    if chosen is not None and chosen.added_from is not None:
        rules[chosen.key] = chosen.roll
        rules["rolls_added"] = {**rules.get("rolls_added", {}), chosen.key: chosen.added_from}
    return rules


def _check_meeting(
    *, decision: MajorDecision, step: int, roll, attended, attendees: str, votes: tuple
) -> list[str]:
    """Attendance, roll and votes of a meeting against each other and against the decision's rules.
    The villagers' decision's roll was checked already, with its form (_villagers_meeting_roll): None
    here when that was refused."""
    villagers = step == Step.VILLAGERS_MEETING
    errors: list[str] = []
    if attended is None or (roll is None and not villagers):
        return [gettext("请填写实到人数")] if villagers else [gettext("请填写应到人数和实到人数")]
    if roll is not None:
        if roll == 0:
            errors.append(gettext("应到人数须大于0"))
        if attended > roll:
            errors.append(
                gettext("实到人数（%(attended)s）不能大于应到人数（%(roll)s）")
                % {"attended": attended, "roll": roll}
            )
    party_members = (decision.rules or {}).get("party_members") or 0
    if step == Step.PARTY_MEETING and party_members and roll != party_members:
        errors.append(
            gettext(
                "应到人数应为%(whom)s %(expected)s 人（本事项登记时的备案规则），不能按 %(roll)s 人计算到会比例"
            )
            % {"whom": gettext("本村党员人数"), "expected": party_members, "roll": roll}
        )
    named = flag_rules.attendee_count(attendees)
    if named and named != attended:
        errors.append(
            gettext("参会人员名单共 %(named)s 人，与实到人数 %(attended)s 不符")
            % {"named": named, "attended": attended}
        )
    cast = sum(v for v in votes if v is not None)
    if cast > attended:
        errors.append(
            gettext("表决票数合计（%(cast)s）不能大于实到人数（%(attended)s）")
            % {"cast": cast, "attended": attended}
        )
    if step in (Step.PARTY_MEETING, Step.VILLAGERS_MEETING) and votes[0] is None:
        errors.append(gettext("请填写表决结果（赞成票数）"))
    return errors


@transaction.atomic
def decision_step_record(
    *,
    actor,
    decision: MajorDecision,
    step: int,
    held_on: date,
    meeting_form: str = "",
    roll: int | None = None,
    attended: int | None = None,
    attendees: str = "",
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    minutes: str = "",
    member_present: bool = False,
    member_opinion: str = "",
    out_of_sequence_reason: str = "",
    files=(),
    ip_address: str = "",
) -> StepOutcome:
    """Record one step of 四议两公开 as it happened. A step whose predecessor is not recorded is
    refused unless the member says why (it then stands, and is flagged, so that what really happened
    is on record rather than hidden). Attendance, votes and the roll are checked against each other
    and against the village's rolls as filed when the decision was registered. The villagers' decision
    (step 4) names its `meeting_form` (MeetingForm) and takes its roll from the decision's rules for
    that form (meeting_rolls): `roll` may be left out, and one that differs is refused; so is a form
    whose roll the village never filed. `meeting_form` is ignored on the other steps."""
    if not can_record(actor, decision):
        raise PermissionDenied
    if step not in Step.values:
        raise ValidationError(gettext("没有这个环节"))
    locked = MajorDecision.objects.select_for_update().get(pk=decision.pk)
    done = set(DecisionStep.objects.filter(decision=locked).values_list("step", flat=True))
    label = Step(step).label
    if step in done:
        raise ValidationError(gettext("“%(label)s”已经登记过了") % {"label": label})
    errors: list[str] = []
    if held_on is None:
        errors.append(gettext("请填写日期"))
    elif held_on > timezone.localdate():
        errors.append(gettext("日期不能晚于今天"))
    roll, attended = _int(roll, "应到人数"), _int(attended, "实到人数")
    votes = (_int(votes_for, "赞成票数"), _int(votes_against, "反对票数"), _int(votes_abstain, "弃权票数"))
    attendees, minutes = (attendees or "").strip(), (minutes or "").strip()
    opinion = (member_opinion or "").strip()
    errors += _text_errors(step=step, attendees=attendees, minutes=minutes, opinion=opinion)
    form, chosen = "", None
    if step == Step.VILLAGERS_MEETING:
        chosen, form_errors = _villagers_meeting_roll(locked, meeting_form, roll)
        errors += form_errors
        form, roll = (chosen.form, chosen.roll) if chosen else ("", None)
    if step in MEETING_STEPS:
        errors += _check_meeting(
            decision=locked, step=step, roll=roll, attended=attended, attendees=attendees, votes=votes
        )
        if not minutes and not files:
            errors.append(gettext("请录入会议记录或上传会议记录文件"))
    else:
        if not minutes:
            errors.append(gettext("请填写公开内容（公开方式、地点、期限）"))
        if not files:
            errors.append(gettext("请上传公开栏照片"))
        roll = attended = None
        votes = (None, None, None)
        attendees = ""
    missing = [str(Step(s).label) for s in Step.values if s < step and s not in done]
    reason = (out_of_sequence_reason or "").strip()
    if missing and reason:
        too_long = text_length_error(reason, limit=MAX_REASON, label=gettext("未按顺序登记的说明"))
        if too_long:
            errors.append(too_long)
    if missing and not reason:
        errors.append(
            "“" + "”“".join(missing) + "”尚未登记。请先登记前置环节；如确实未进行，"
            "请填写“未按顺序登记的说明”，本环节将作为风险提示报乡镇纪委"
        )
    if not missing:
        reason = ""
    files = list(files)
    if len(files) > MAX_FILES_PER_STEP:
        errors.append(
            gettext("每个环节最多上传 %(MAX_FILES_PER_STEP)s 个文件")
            % {"MAX_FILES_PER_STEP": MAX_FILES_PER_STEP}
        )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            record = DecisionStep.objects.create(
                decision=locked,
                step=step,
                held_on=held_on,
                meeting_form=form,
                roll=roll,
                attended=attended,
                attendees=attendees,
                votes_for=votes[0],
                votes_against=votes[1],
                votes_abstain=votes[2],
                minutes=minutes,
                attendees_digest=flag_rules.attendees_digest(attendees) if step in MEETING_STEPS else "",
                minutes_digest=flag_rules.minutes_digest(minutes) if step in MEETING_STEPS else "",
                out_of_sequence_reason=reason,
                member_present=member_present,
                member_opinion=opinion,
                recorded_by=actor,
            )
    except IntegrityError:
        raise ValidationError(gettext("“%(label)s”已经登记过了") % {"label": label}) from None
    # A file refused (type, size, content) refuses the step: none of its files is kept.
    attachments_store_all(
        actor=actor,
        files=files,
        org_unit=locked.village,
        module=Module.VILLAGE_AFFAIRS,
        purpose=STEP_PURPOSE,
        object_id=record.pk,
        ip_address=ip_address,
        kinds=STAFF_KINDS,  # minutes, photos of the meeting, scanned notices
    )
    locked.rules = _add_roll(locked, chosen)
    MajorDecision.objects.filter(pk=locked.pk).update(rules=locked.rules, version=F("version") + 1)
    with platform_language():
        audit_record(
            actor=actor,
            action="decision_step.record",
            obj=record,
            org_unit_id=locked.village_id,
            summary=f"“{locked.title}” {label} {held_on}",
            after={
                "step": step,
                "held_on": str(held_on),
                "meeting_form": form,
                "roll_added_from": chosen.added_from if chosen else None,
                "roll": roll,
                "attended": attended,
                "votes": list(votes),
                "member_present": member_present,
                "files": len(files),
                "out_of_sequence_reason": reason,
            },
            ip_address=ip_address,
        )
    _tell_township(locked, record)
    note = _into_duty_log(actor, locked, record) if _counts_as_duty(record) else ""
    return StepOutcome(record, note)


def _text_errors(*, step: int, attendees: str, minutes: str, opinion: str) -> list[str]:
    """The typed texts of a step (stripped) longer than they may be: refused, never cut."""
    minutes_label = gettext("会议记录") if step in MEETING_STEPS else gettext("公开内容")
    checks = [(minutes, MAX_MINUTES, minutes_label), (opinion, MAX_TEXT, gettext("监督意见"))]
    if step in MEETING_STEPS:
        checks.append((attendees, MAX_TEXT, gettext("参会人员名单")))
    found = (text_length_error(text, limit=limit, label=label) for text, limit, label in checks)
    return [error for error in found if error]


def _counts_as_duty(record: DecisionStep) -> bool:
    """A step the member attended, or gave a supervision opinion on without attending (reviewing the
    minutes afterwards), is the member's supervision of it: one duty record per step either way."""
    return record.member_present or bool(record.member_opinion)


def _tell_township(decision: MajorDecision, record: DecisionStep) -> None:
    """Each flag the step raised reaches the township committee (once per flag), in the platform's
    language whatever the recorder reads (a notification is a stored record)."""
    from .reimbursements import notify_township
    from .selectors import flag_rows

    with platform_language():
        for row in flag_rows([decision])[decision.pk]:
            flag, due = row.flag, f"{row.due:%Y-%m-%d}{provisional_mark(row.due)}"
            notify_township(
                decision.village,
                title=f"“三重一大”风险提示：{decision.village.name} {flag.title}",
                body=f"“{decision.title}”：{flag.finding.rstrip('。')}。请于 {due} 前处理。",
                link=reverse("villageaffairs:decision_detail", args=[decision.pk]) + f"#step-{flag.step}",
                dedup_key=f"villageaffairs.flag:{decision.pk}:{flag.key}",
            )


def _into_duty_log(actor, decision: MajorDecision, record: DecisionStep) -> str:
    """The step the member attended, or gave an opinion on, becomes a "decision_meeting" duty record:
    of the month the step was held when attended, of the month the opinion was given (recorded) when
    not. One record per step (the source is the step: attended and commented is still one)."""
    try:
        with transaction.atomic():
            with platform_language():  # the duty log is read by the township as well
                step_name = record.get_step_display()
                if record.member_present:
                    notes = f"“三重一大”事项：{decision.title}（{step_name}）"
                else:
                    notes = f"“三重一大”事项：{decision.title}（{step_name}，未到场，提出监督意见）"
            record_id = links.duty_log_record(
                actor=actor,
                duty_type_code="decision_meeting",
                occurred_on=record.held_on if record.member_present else timezone.localdate(),
                notes=notes,
                data={
                    "topic": abridged(decision.title, DUTY_LOG_TOPIC),
                    "deliberations": [DUTY_LOG_STEP_NAMES[Step(record.step)]],
                    "opinion": abridged(record.member_opinion, DUTY_LOG_TEXT),
                },
                source=f"{STEP_PURPOSE}:{record.pk}",
            )
    except ValidationError as error:
        return gettext("本环节已登记，但未能计入履职纪实：%(why)s") % {"why": "；".join(error.messages)}
    DecisionStep.objects.filter(pk=record.pk).update(duty_record_id=record_id)
    record.duty_record_id = record_id
    return ""


# --- flags ---------------------------------------------------------------------------------------
@transaction.atomic
def flag_answer(*, actor, decision: MajorDecision, flag_key: str, answer: str) -> FlagAnswer:
    """The township committee answers one current flag of a decision in its jurisdiction, once."""
    from .selectors import decision_flags_for

    if not can_answer(actor):
        raise PermissionDenied
    answer = _answer_text(answer)
    with platform_language():  # the flag's words go into the audit trail
        current = {f.key: f for f in decision_flags_for(decision)}
    if flag_key not in current:
        raise ValidationError(gettext("该风险提示已不存在（环节可能已更正），请刷新页面"))
    try:
        with transaction.atomic():
            row = FlagAnswer.objects.create(
                decision=decision, flag_key=flag_key, answer=answer, answered_by=actor
            )
    except IntegrityError:
        raise ValidationError(gettext("该风险提示已经处理过了")) from None
    audit_record(
        actor=actor,
        action="decision_flag.answer",
        obj=row,
        org_unit_id=decision.village_id,
        summary=f"“{decision.title}” {current[flag_key].title}：已处理",
        after={"flag": flag_key, "answer": answer},
    )
    return row


@transaction.atomic
def flag_open_clue(*, actor, decision: MajorDecision, flag_key: str, facts: str = "") -> FlagAnswer:
    """The township committee opens a problem clue from one current flag: one call to the petitions
    register (core.links.petition_register, provided by petitions: its own rules, numbering and audit),
    the flag then handled with the clue's register number. A flag is handled once: opening it twice,
    or answering it after, is refused. The petitions register refuses an actor it does not admit."""
    from .selectors import decision_flags_for

    if not can_answer(actor):
        raise PermissionDenied
    with platform_language():  # the flag's words go into the clue's facts and the audit trail
        current = {f.key: f for f in decision_flags_for(decision)}
    if flag_key not in current:
        raise ValidationError(gettext("该风险提示已不存在（环节可能已更正），请刷新页面"))
    flag = current[flag_key]
    locked = MajorDecision.objects.select_for_update().get(pk=decision.pk)
    if FlagAnswer.objects.filter(decision=locked, flag_key=flag_key).exists():
        raise ValidationError(gettext("该风险提示已经处理过了，不能重复转为问题线索"))
    extra = typed_text(facts, limit=MAX_TEXT, label=gettext("乡镇纪委意见"))
    with platform_language():
        body = (
            f"【村务监督风险提示】{locked.village.name}“三重一大”事项“{locked.title}”"
            f"（{locked.get_category_display()}）：{flag.title}。\n{flag.finding}\n规则：{flag.rule}"
        )
    report = _register_clue(actor=actor, village=locked.village, facts=body, extra=extra)
    row = FlagAnswer.objects.create(
        decision=locked,
        flag_key=flag_key,
        answer=f"已转为问题线索（{report.serial_number}）" + (f"：{extra}" if extra else ""),
        clue_serial=report.serial_number,
        answered_by=actor,
    )
    audit_record(
        actor=actor,
        action="decision_flag.clue",
        obj=row,
        org_unit_id=locked.village_id,
        summary=f"“{locked.title}” {flag.title}：转为问题线索 {report.serial_number}",
        after={"flag": flag_key, "clue_serial": report.serial_number},
    )
    return row


def _answer_text(answer: str) -> str:
    return typed_text(answer, label=gettext("处理意见"), limit=MAX_TEXT, required=True)


def _register_clue(*, actor, village, facts: str, extra: str):
    """A problem clue from a village flag, registered in petitions (core.links.petition_register: its
    own rules, numbering, time limits and audit) at the actor's commission: channel 日常监督发现 (found
    in supervision, not received), category 检举, matter 工作纪律, the village as region and as the
    accused's unit. The register refuses an actor it does not admit."""
    if extra:
        facts += f"\n乡镇纪委意见：{extra}"
    try:
        return links.petition_register(
            actor=actor,
            channel="supervision",
            category="accusation",
            region=village,
            facts=facts,
            is_anonymous=True,
            matter="work",
            accused_unit=village.name,
        )
    except PermissionDenied:
        raise ValidationError(gettext("您没有登记信访举报的权限，不能转为问题线索")) from None


# --- split-expense flags (疑似拆分报账) ----------------------------------------------------------------
SPLIT_GONE = gettext_lazy("该拆分报账提示已不存在（涉及的凭证可能已变化），请刷新页面")
SPLIT_DONE = gettext_lazy("该拆分报账提示已经处理过了")


def _split_flag_locked(actor, village, flag_key: str):
    """The current split-expense flag `flag_key` of the village, its vouchers locked (so that two
    answers to it are decided one after the other), or a refusal if it is gone or already answered."""
    from .reimbursements import split_flag_of

    if not can_answer(actor):
        raise PermissionDenied
    flag = split_flag_of(actor, village.pk, flag_key)
    if flag is None:
        raise ValidationError(SPLIT_GONE)
    list(Voucher.objects.select_for_update().filter(pk__in=flag.voucher_ids).order_by("pk"))
    if SplitFlagAnswer.objects.filter(village=village, flag_key=flag_key).exists():
        raise ValidationError(SPLIT_DONE)
    return flag


def _split_answer_create(*, actor, village, flag, answer: str, clue_serial: str = "") -> SplitFlagAnswer:
    try:
        with transaction.atomic():
            return SplitFlagAnswer.objects.create(
                village=village,
                flag_key=flag.key,
                vouchers=flag.voucher_ids,
                answer=answer,
                clue_serial=clue_serial,
                answered_by=actor,
            )
    except IntegrityError:
        raise ValidationError(SPLIT_DONE) from None


def _split_summary(flag) -> str:
    return f"{flag.village_name} 疑似拆分报账“{flag.purpose}”（{len(flag.vouchers)} 张凭证，合计 {flag.total} 元）"


@transaction.atomic
def split_flag_answer(*, actor, village, flag_key: str, answer: str) -> SplitFlagAnswer:
    """The township committee answers one current split-expense flag of a village in its
    jurisdiction (the caller resolved the village through access), once."""
    flag = _split_flag_locked(actor, village, flag_key)
    answer = _answer_text(answer)
    row = _split_answer_create(actor=actor, village=village, flag=flag, answer=answer)
    audit_record(
        actor=actor,
        action="split_flag.answer",
        obj=row,
        org_unit_id=village.pk,
        summary=f"{_split_summary(flag)}：已处理",
        after={"flag": flag_key, "vouchers": flag.voucher_ids, "answer": answer},
    )
    return row


@transaction.atomic
def split_flag_open_clue(*, actor, village, flag_key: str, facts: str = "") -> SplitFlagAnswer:
    """The township committee opens a problem clue from one current split-expense flag, as from a
    decision's flag (_register_clue); the flag is then handled with the clue's register number. A flag
    is handled once: a clue opened twice, or an answer after it, is refused."""
    flag = _split_flag_locked(actor, village, flag_key)
    extra = typed_text(facts, limit=MAX_TEXT, label=gettext("乡镇纪委意见"))
    spent = "、".join(f"{v.spent_on:%Y-%m-%d} {v.amount} 元（{v.purpose}）" for v in flag.vouchers)
    with platform_language():
        body = (
            f"【村务监督风险提示】{_split_summary(flag)}，每张低于本村大额资金标准 {flag.threshold} 元："
            f"{spent}。\n规则：{flag.rule}"
        )
    report = _register_clue(actor=actor, village=village, facts=body, extra=extra)
    row = _split_answer_create(
        actor=actor,
        village=village,
        flag=flag,
        answer=f"已转为问题线索（{report.serial_number}）" + (f"：{extra}" if extra else ""),
        clue_serial=report.serial_number,
    )
    audit_record(
        actor=actor,
        action="split_flag.clue",
        obj=row,
        org_unit_id=village.pk,
        summary=f"{_split_summary(flag)}：转为问题线索 {report.serial_number}",
        after={"flag": flag_key, "vouchers": flag.voucher_ids, "clue_serial": report.serial_number},
    )
    return row


# --- correcting a recorded step --------------------------------------------------------------------
CORRECTABLE = (
    "held_on",
    "meeting_form",
    "roll",
    "attended",
    "attendees",
    "votes_for",
    "votes_against",
    "votes_abstain",
    "minutes",
    "member_present",
    "member_opinion",
)


def step_values(record: DecisionStep) -> dict:
    """A step's correctable values, as kept in its correction history (JSON)."""
    values = {name: getattr(record, name) for name in CORRECTABLE}
    values["held_on"] = str(record.held_on)
    return values


@transaction.atomic
def decision_step_correct(
    *,
    actor,
    record: DecisionStep,
    version: int,
    reason: str,
    held_on: date,
    meeting_form: str | None = None,
    roll: int | None = None,
    attended: int | None = None,
    attendees: str = "",
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    minutes: str = "",
    member_present: bool = False,
    member_opinion: str = "",
) -> StepOutcome:
    """The member who recorded a step corrects it, saying why. The step is checked as when it was
    recorded — against the rules the decision was registered under, not the village's rules of today —
    the values before are kept (StepCorrection, shown as the step's history) and audited, and the flags,
    computed from the steps, move at once. A correction from a stale page (version) is refused. The
    step's place in the sequence and its files stay as recorded; the recording time too, so minutes
    recorded late stay late. The villagers' decision keeps its form unless `meeting_form` names
    another, and its roll is that form's, as when it was recorded; one recorded before the form was
    asked must now name it."""
    decision = record.decision
    if not can_record(actor, decision) or record.recorded_by_id != actor.pk:
        raise PermissionDenied
    locked_decision = MajorDecision.objects.select_for_update().get(pk=decision.pk)
    locked = DecisionStep.objects.select_for_update().get(pk=record.pk)
    if version != locked.version:
        raise ConcurrentEditError()
    reason = (reason or "").strip()
    errors: list[str] = []
    if not reason:
        errors.append(gettext("请填写更正原因"))
    elif len(reason) > 255:
        errors.append(gettext("更正原因不超过255字"))
    if held_on is None:
        errors.append(gettext("请填写日期"))
    elif held_on > timezone.localdate():
        errors.append(gettext("日期不能晚于今天"))
    roll, attended = _int(roll, "应到人数"), _int(attended, "实到人数")
    votes = (_int(votes_for, "赞成票数"), _int(votes_against, "反对票数"), _int(votes_abstain, "弃权票数"))
    attendees, minutes = (attendees or "").strip(), (minutes or "").strip()
    opinion = (member_opinion or "").strip()
    errors += _text_errors(step=locked.step, attendees=attendees, minutes=minutes, opinion=opinion)
    from jijian.attachments.models import Attachment

    has_files = Attachment.objects.filter(
        module=Module.VILLAGE_AFFAIRS, purpose=STEP_PURPOSE, object_id=str(locked.pk)
    ).exists()
    form, chosen = "", None
    if locked.step == Step.VILLAGERS_MEETING:
        chosen, form_errors = _villagers_meeting_roll(
            locked_decision, meeting_form or locked.meeting_form, roll
        )
        errors += form_errors
        form, roll = (chosen.form, chosen.roll) if chosen else ("", None)
    if locked.step in MEETING_STEPS:
        errors += _check_meeting(
            decision=locked_decision,
            step=locked.step,
            roll=roll,
            attended=attended,
            attendees=attendees,
            votes=votes,
        )
        if not minutes and not has_files:
            errors.append(gettext("请录入会议记录或上传会议记录文件"))
    else:
        if not minutes:
            errors.append(gettext("请填写公开内容（公开方式、地点、期限）"))
        roll = attended = None
        votes = (None, None, None)
        attendees = ""
    if errors:
        raise ValidationError(errors)
    before = step_values(locked)
    locked.held_on = held_on
    locked.meeting_form = form
    locked.roll, locked.attended, locked.attendees = roll, attended, attendees
    locked.votes_for, locked.votes_against, locked.votes_abstain = votes
    locked.minutes = minutes
    locked.member_present = member_present
    locked.member_opinion = opinion
    after = step_values(locked)
    if after == before:
        raise ValidationError(gettext("更正内容与原登记内容相同，未作更改"))
    if locked.step in MEETING_STEPS:
        locked.attendees_digest = flag_rules.attendees_digest(attendees)
        locked.minutes_digest = flag_rules.minutes_digest(minutes)
    locked.version += 1
    locked.save(
        update_fields=[
            *CORRECTABLE,
            "attendees_digest",
            "minutes_digest",
            "version",
        ]
    )
    StepCorrection.objects.create(step=locked, before=before, after=after, reason=reason, corrected_by=actor)
    locked_decision.rules = _add_roll(locked_decision, chosen)
    MajorDecision.objects.filter(pk=locked_decision.pk).update(
        rules=locked_decision.rules, version=F("version") + 1
    )
    label = Step(locked.step).label
    with platform_language():
        audit_record(
            actor=actor,
            action="decision_step.correct",
            obj=locked,
            org_unit_id=locked_decision.village_id,
            summary=f"更正“{locked_decision.title}” {label}：{reason}",
            before=before,
            after={**after, "reason": reason, "roll_added_from": chosen.added_from if chosen else None},
        )
    _tell_township(locked_decision, locked)
    note = ""
    if _counts_as_duty(locked) and not locked.duty_record_id:
        note = _into_duty_log(actor, locked_decision, locked)
    return StepOutcome(locked, note)
