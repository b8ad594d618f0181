"""Writes of primary responsibility. Each is one transaction with its audit entry; a refusal is a
ValidationError in Chinese and changes nothing.

Who: the organisation's own liaison keeps its leadership, list and records (access.can_write); the
supervising office publishes templates, comments and records interviews (access.is_supervisor), and
only for organisations it sees. Callers resolve objects through access.py first."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from jijian.attachments.services import STAFF_KINDS, attachments_store_all
from jijian.audit.services import audit_record
from jijian.core import links
from jijian.core.language import platform_language
from jijian.core.models import OrgKind, OrgUnit
from jijian.core.roles import Module
from jijian.core.services import ConcurrentEditError
from jijian.core.validators import typed_text

from . import monitoring, thresholds
from .access import (
    RECORD_FILES,
    can_check_risk,
    can_write,
    is_department_member,
    is_supervisor,
    party_orgs_visible_to,
)
from .models import (
    AccountabilityInterview,
    Frequency,
    FulfilmentRecord,
    Holder,
    LeadershipMember,
    ListTemplate,
    MemberRole,
    Polarity,
    RecordComment,
    RecordType,
    ResponsibilityItem,
    RiskCheck,
    RiskPoint,
    SupervisionKind,
    SupervisionRecord,
)

MAX_FILES_PER_RECORD = 9
ITEM_FIELDS = (
    "holder",
    "polarity",
    "title",
    "requirement",
    "frequency",
    "due_date",
    "supervising_office",
    "evidence",
    "record_type",
)


def today() -> date:
    return timezone.localdate()


def _require_writer(actor, org: OrgUnit) -> None:
    if not can_write(actor, org):
        raise PermissionDenied


def _require_supervisor_of(actor, org: OrgUnit) -> None:
    if not is_supervisor(actor) or not party_orgs_visible_to(actor).filter(pk=org.pk).exists():
        raise PermissionDenied


# --- leadership ------------------------------------------------------------------------------------
def member_save(
    *,
    actor,
    org: OrgUnit,
    member: LeadershipMember | None = None,
    version: int | None = None,
    name: str,
    post: str = "",
    role: str,
    portfolio: str = "",
    is_active: bool = True,
) -> LeadershipMember:
    """Add a leadership member, or edit one with the version the page was read at."""
    _require_writer(actor, org)
    if org.kind != OrgKind.PARTY_ORG:
        raise ValidationError(gettext("只有基层党组织登记班子成员"))
    data = {
        "name": typed_text(name, label=gettext("姓名"), limit=50, required=True),
        "post": typed_text(post, label=gettext("职务"), limit=100),
        "role": role,
        "portfolio": typed_text(portfolio, label=gettext("分管领域"), limit=200),
        "is_active": bool(is_active),
    }
    if role not in MemberRole.values:
        raise ValidationError(gettext("请选择责任身份"))
    try:
        with transaction.atomic():
            if member is None:
                member = LeadershipMember.objects.create(org_unit=org, **data)
            else:
                if member.org_unit_id != org.pk:
                    raise PermissionDenied
                if not LeadershipMember.objects.filter(pk=member.pk, version=version or 0).update(
                    version=F("version") + 1, updated_at=timezone.now(), **data
                ):
                    raise ConcurrentEditError()
                member.refresh_from_db()
            with platform_language():
                audit_record(
                    actor=actor,
                    action="responsibility.member_save",
                    obj=member,
                    org_unit_id=org.pk,
                    summary=f"{org.name}：{member.get_role_display()} {member.name}",
                )
    except IntegrityError:
        raise ValidationError(gettext("本党组织已有在任书记：请先将原书记设为离任")) from None
    return member


# --- templates and lists ---------------------------------------------------------------------------
def _clean_item(fields: dict, year: int) -> dict:
    data = {f: fields.get(f) for f in ITEM_FIELDS}
    data["title"] = typed_text(data["title"], label=gettext("事项"), limit=200, required=True)
    data["requirement"] = typed_text(data["requirement"], label=gettext("工作要求"), limit=2000)
    data["supervising_office"] = typed_text(data["supervising_office"], label=gettext("监督主体"), limit=100)
    data["evidence"] = typed_text(data["evidence"], label=gettext("佐证材料"), limit=200)
    if data["holder"] not in Holder.values:
        raise ValidationError(gettext("请选择责任主体"))
    if data["polarity"] not in Polarity.values:
        raise ValidationError(gettext("请选择清单类别"))
    if data["frequency"] not in Frequency.values:
        raise ValidationError(gettext("请选择频次"))
    if data["record_type"] not in RecordType.values:
        raise ValidationError(gettext("请选择纪实类型"))
    due = data["due_date"]
    if due is not None and (data["frequency"] != Frequency.YEARLY or due.year != year):
        raise ValidationError(gettext("完成时限只用于每年一次的事项，且须在%(year)s年内") % {"year": year})
    return data


def template_save(
    *, actor, template: ListTemplate | None = None, version: int | None = None, year: int, **fields
) -> ListTemplate:
    """Publish a template item for the actor's commission, or edit one. An item that lists have
    copied is not edited (their records were made against its words): the office publishes a new
    item and withdraws the old one (is_active), which leaves the copied items as they are."""
    if not is_supervisor(actor):
        raise PermissionDenied
    if not 2000 <= year <= 2100:
        raise ValidationError(gettext("请填写正确的年度"))
    data = _clean_item(fields, year)
    with transaction.atomic():
        if template is None:
            template = ListTemplate.objects.create(
                publisher=actor.org_unit, year=year, sort_order=fields.get("sort_order") or 0, **data
            )
        else:
            if template.publisher_id != actor.org_unit_id:
                raise PermissionDenied
            copied = template.items.exists()
            changed = any(data[f] != getattr(template, f) for f in ITEM_FIELDS) or year != template.year
            if copied and changed:
                raise ValidationError(
                    gettext(
                        "该模板事项已生成到党组织的责任清单（可能已有纪实），不能修改；请停用本条并新增一条"
                    )
                )
            active = fields.get("is_active", template.is_active)
            if not ListTemplate.objects.filter(pk=template.pk, version=version or 0).update(
                version=F("version") + 1,
                year=year,
                is_active=bool(active),
                sort_order=fields.get("sort_order") or 0,
                **data,
            ):
                raise ConcurrentEditError()
            template.refresh_from_db()
        audit_record(
            actor=actor,
            action="responsibility.template_save",
            obj=template,
            org_unit_id=actor.org_unit_id,
            summary=f"{template.year}年责任清单模板：{template.title}",
        )
    return template


def templates_for(org: OrgUnit, year: int):
    """The active template items that apply to an organisation: those of its city's and its
    county's commissions."""
    publishers = [u for u in (org.city_id, org.county_id) if u]
    return ListTemplate.objects.filter(publisher_id__in=publishers, year=year, is_active=True).order_by(
        "sort_order", "pk"
    )


def list_generate(*, actor, org: OrgUnit, year: int) -> int:
    """Copy the year's templates into the organisation's list: an organisation item and a secretary
    item once, a member item once per leadership member in office (一岗双责). Run again (after a
    new template, a new member) it adds only what is missing. Returns how many items were added."""
    _require_writer(actor, org)
    with transaction.atomic():
        OrgUnit.objects.select_for_update().filter(pk=org.pk).first()  # one generation at a time
        members = list(
            LeadershipMember.objects.filter(org_unit=org, is_active=True, role=MemberRole.MEMBER).order_by(
                "pk"
            )
        )
        have = set(
            ResponsibilityItem.objects.filter(org_unit=org, year=year, template__isnull=False).values_list(
                "template_id", "member_id"
            )
        )
        new = []
        for t in templates_for(org, year):
            holders = members if t.holder == Holder.MEMBER else [None]
            for m in holders:
                if (t.pk, m.pk if m else None) in have:
                    continue
                fields = {f: getattr(t, f) for f in ITEM_FIELDS}
                new.append(
                    ResponsibilityItem(
                        org_unit=org, year=year, member=m, template=t, sort_order=t.sort_order, **fields
                    )
                )
        ResponsibilityItem.objects.bulk_create(new)
        audit_record(
            actor=actor,
            action="responsibility.list_generate",
            object_type="core.orgunit",
            object_id=org.pk,
            org_unit_id=org.pk,
            summary=f"{org.name} {year}年责任清单：按模板新增 {len(new)} 项",
        )
    return len(new)


def item_add(*, actor, org: OrgUnit, year: int, member: LeadershipMember | None = None, **fields):
    """An item the organisation adds to its own list."""
    _require_writer(actor, org)
    data = _clean_item(fields, year)
    if data["holder"] == Holder.MEMBER:
        if member is None or member.org_unit_id != org.pk or not member.is_active:
            raise ValidationError(gettext("班子成员的事项须选择本党组织在任的班子成员"))
    else:
        member = None
    with transaction.atomic():
        item = ResponsibilityItem.objects.create(org_unit=org, year=year, member=member, **data)
        audit_record(
            actor=actor,
            action="responsibility.item_save",
            obj=item,
            org_unit_id=org.pk,
            summary=f"{org.name} {year}年自定责任事项：{item.title}",
        )
    return item


# --- fulfilment records ----------------------------------------------------------------------------
def record_create(
    *,
    actor,
    org: OrgUnit,
    item: ResponsibilityItem,
    record_type: str,
    occurred_on: date,
    title: str,
    content: str,
    participants: str = "",
    integrity_ten_minutes: bool = False,
    integrity_topic: str = "",
    major_decision: bool = False,
    major_decision_procedure: bool = False,
    late_reason: str = "",
    files=(),
    ip_address: str = "",
    entered_on: date | None = None,
) -> FulfilmentRecord:
    """Record one thing done, for the item's period its date falls in. Entered after that period's
    deadline, the record is late and needs a reason (the overdue period is locked without one).
    A refused file refuses the whole record."""
    _require_writer(actor, org)
    entered_on = entered_on or today()
    if item.org_unit_id != org.pk:
        raise ValidationError(gettext("所选清单事项不属于本党组织"))
    if item.polarity == Polarity.NEGATIVE:
        raise ValidationError(gettext("负面清单事项无需纪实"))
    if occurred_on > entered_on:
        raise ValidationError(gettext("纪实日期不能晚于今天"))
    if occurred_on.year != item.year:
        raise ValidationError(
            gettext("该事项属于%(year)s年清单，纪实日期须在%(year)s年内") % {"year": item.year}
        )
    if record_type not in RecordType.values:
        raise ValidationError(gettext("请选择纪实类型"))
    integrity_topic = typed_text(integrity_topic, label=gettext("廉政十分钟内容"), limit=200)
    if record_type == RecordType.MEETING and integrity_ten_minutes and not integrity_topic:
        raise ValidationError(gettext("开展了会前廉政十分钟，请填写其内容"))
    if record_type != RecordType.MEETING:
        integrity_ten_minutes = major_decision = major_decision_procedure = False
        integrity_topic = ""
    if not major_decision:
        major_decision_procedure = False
    files = list(files)
    if len(files) > MAX_FILES_PER_RECORD:
        raise ValidationError(
            gettext("每条纪实最多上传 %(MAX_FILES_PER_RECORD)s 个文件")
            % {"MAX_FILES_PER_RECORD": MAX_FILES_PER_RECORD}
        )
    period = monitoring.period_of(item.frequency, occurred_on)
    calendar = monitoring.Calendar.for_year(item.year, entered_on)
    is_late = monitoring.is_late_entry(item, period, entered_on=entered_on, calendar=calendar)
    late_reason = typed_text(late_reason, label=gettext("补录事由"), limit=500)
    min_reason = thresholds.late_reason_min_chars()
    if is_late and len(late_reason) < min_reason:
        label = monitoring.period_label(item.frequency, period)
        raise ValidationError(
            gettext(
                "“%(title)s”%(label)s已过完成时限，已锁定：逾期补录须填写补录事由（至少%(min_reason)s字）"
            )
            % {"title": item.title, "label": label, "min_reason": min_reason}
        )
    if not is_late:
        late_reason = ""
    with transaction.atomic():
        record = FulfilmentRecord.objects.create(
            org_unit=org,
            item=item,
            period=period,
            record_type=record_type,
            occurred_on=occurred_on,
            title=typed_text(title, label=gettext("标题"), limit=200, required=True),
            content=typed_text(content, label=gettext("内容"), limit=20000, required=True),
            participants=typed_text(participants, label=gettext("参加人员"), limit=500),
            integrity_ten_minutes=integrity_ten_minutes,
            integrity_topic=integrity_topic,
            major_decision=major_decision,
            major_decision_procedure=major_decision_procedure,
            is_late=is_late,
            late_reason=late_reason,
            created_by=actor,
        )
        attachments_store_all(
            actor=actor,
            files=files,
            org_unit=org,
            module=Module.RESPONSIBILITY,
            purpose=RECORD_FILES,
            object_id=record.pk,
            ip_address=ip_address,
            kinds=STAFF_KINDS,  # minutes, photos, scanned documents
        )
        audit_record(
            actor=actor,
            action="responsibility.record_create",
            obj=record,
            org_unit_id=org.pk,
            summary=f"{org.name} 履责纪实：{record.title}" + ("（逾期补录）" if is_late else ""),
        )
    return record


def record_comment(*, actor, record: FulfilmentRecord, text: str) -> RecordComment:
    """The supervising office comments on a record; the record itself stays as it was entered."""
    _require_supervisor_of(actor, record.org_unit)
    text = typed_text(text, label=gettext("批注"), limit=2000, required=True)
    with transaction.atomic():
        comment = RecordComment.objects.create(record=record, author=actor, text=text)
        audit_record(
            actor=actor,
            action="responsibility.record_comment",
            obj=record,
            org_unit_id=record.org_unit_id,
            summary=f"批注履责纪实：{record.title}",
        )
    return comment


def interview_record(
    *,
    actor,
    org: OrgUnit,
    item: ResponsibilityItem | None,
    held_on: date,
    interviewee: str,
    reason: str,
    outcome: str,
    follow_up: str = "",
    follow_up_due: date | None = None,
) -> AccountabilityInterview:
    """Record an accountability interview (约谈) the supervising office held, with its outcome."""
    from .models import InterviewOutcome

    _require_supervisor_of(actor, org)
    if item is not None and item.org_unit_id != org.pk:
        raise ValidationError(gettext("所选清单事项不属于该党组织"))
    if held_on > today():
        raise ValidationError(gettext("约谈日期不能晚于今天"))
    if outcome not in InterviewOutcome.values:
        raise ValidationError(gettext("请选择处理结果"))
    if follow_up_due is not None and follow_up_due < held_on:
        raise ValidationError(gettext("整改期限不能早于约谈日期"))
    with transaction.atomic():
        interview = AccountabilityInterview.objects.create(
            org_unit=org,
            item=item,
            held_on=held_on,
            interviewee=typed_text(interviewee, label=gettext("约谈对象"), limit=100, required=True),
            reason=typed_text(reason, label=gettext("约谈事由"), limit=2000, required=True),
            outcome=outcome,
            follow_up=typed_text(follow_up, label=gettext("整改要求"), limit=2000),
            follow_up_due=follow_up_due,
            created_by=actor,
        )
        with platform_language():
            audit_record(
                actor=actor,
                action="responsibility.interview_record",
                obj=interview,
                org_unit_id=org.pk,
                summary=f"约谈 {org.name} {interview.interviewee}：{interview.get_outcome_display()}",
            )
    return interview


# --- risk points -----------------------------------------------------------------------------------
def _clean_risk(*, process: str, description: str, level: str, measures: str, owner: str) -> dict:
    from .models import RiskLevel

    if level not in RiskLevel.values:
        raise ValidationError(gettext("请选择风险等级"))
    return {
        "process": typed_text(process, label=gettext("业务流程"), limit=100, required=True),
        "description": typed_text(description, label=gettext("风险表现"), limit=2000, required=True),
        "level": level,
        "measures": typed_text(measures, label=gettext("防控措施"), limit=2000, required=True),
        "owner": typed_text(owner, label=gettext("责任人"), limit=100, required=True),
    }


def risk_point_save(
    *,
    actor,
    org: OrgUnit,
    risk_point: RiskPoint | None = None,
    version: int | None = None,
    is_active=True,
    **fields,
) -> RiskPoint:
    """Add a risk point, or edit one with the version the page was read at."""
    _require_writer(actor, org)
    data = {**_clean_risk(**fields), "is_active": bool(is_active)}
    with transaction.atomic():
        if risk_point is None:
            risk_point = RiskPoint.objects.create(org_unit=org, **data)
        else:
            if risk_point.org_unit_id != org.pk:
                raise PermissionDenied
            if not RiskPoint.objects.filter(pk=risk_point.pk, version=version or 0).update(
                version=F("version") + 1, updated_at=timezone.now(), **data
            ):
                raise ConcurrentEditError()
            risk_point.refresh_from_db()
        with platform_language():
            audit_record(
                actor=actor,
                action="responsibility.risk_point_save",
                obj=risk_point,
                org_unit_id=org.pk,
                summary=f"{org.name} 廉政风险点：{risk_point.process}（{risk_point.get_level_display()}）",
            )
    return risk_point


def risk_point_review(
    *, actor, risk_point: RiskPoint, year: int, version: int | None, note: str = ""
) -> RiskPoint:
    """The yearly review: the organisation confirms (or has just edited) the point for `year`, as
    read at `version` — a point edited or deactivated since is not confirmed unseen."""
    _require_writer(actor, risk_point.org_unit)
    if year != today().year:
        raise ValidationError(gettext("只能复核本年度（%(year)s年）") % {"year": today().year})
    note = typed_text(note, label=gettext("复核意见"), limit=500)
    with transaction.atomic():
        if not RiskPoint.objects.filter(pk=risk_point.pk, version=version or 0).update(
            reviewed_year=year, review_note=note
        ):
            raise ConcurrentEditError()
        risk_point.refresh_from_db()
        audit_record(
            actor=actor,
            action="responsibility.risk_point_review",
            obj=risk_point,
            org_unit_id=risk_point.org_unit_id,
            summary=f"{year}年度复核廉政风险点：{risk_point.process}",
        )
    return risk_point


def risk_check_record(
    *, actor, risk_point: RiskPoint, checked_on: date, finding: str, result: str, follow_up: str = ""
) -> RiskCheck:
    """A check against a risk point, by the organisation's liaison or the department's discipline
    member; a problem found needs what was done about it. The department member's check also goes
    into their duty log (a "risk_check" duty record): when the log refuses it (the month's report is
    already submitted) nothing is recorded and the refusal is the message."""
    from .models import RiskCheckResult

    if not can_check_risk(actor, risk_point.org_unit):
        raise PermissionDenied
    if not risk_point.is_active:
        raise ValidationError(gettext("该风险点已停用"))
    if checked_on > today():
        raise ValidationError(gettext("检查日期不能晚于今天"))
    if result not in RiskCheckResult.values:
        raise ValidationError(gettext("请选择检查结果"))
    follow_up = typed_text(follow_up, label=gettext("提醒、报告及整改"), limit=2000)
    if result == RiskCheckResult.PROBLEM and not follow_up:
        raise ValidationError(gettext("发现问题的，请填写提醒、报告及整改情况"))
    with transaction.atomic():
        check = RiskCheck.objects.create(
            risk_point=risk_point,
            org_unit=risk_point.org_unit,
            checked_on=checked_on,
            finding=typed_text(finding, label=gettext("检查情况"), limit=2000, required=True),
            result=result,
            follow_up=follow_up,
            created_by=actor,
        )
        with platform_language():
            audit_record(
                actor=actor,
                action="responsibility.risk_check",
                obj=check,
                org_unit_id=risk_point.org_unit_id,
                summary=f"风险点检查：{risk_point.process}（{check.get_result_display()}）",
            )
        if is_department_member(actor):
            with platform_language():
                links.duty_log_record(
                    actor=actor,
                    duty_type_code="risk_check",
                    occurred_on=checked_on,
                    notes=f"{risk_point.org_unit.name}：{check.finding}"
                    + (f"\n提醒、报告及整改：{follow_up}" if follow_up else ""),
                    data={"risk_point": risk_point.process[:100], "result": check.get_result_display()},
                    source=f"responsibility.risk_check:{check.pk}",
                )
    return check


# --- same-level supervision (同级监督) by the department's discipline member -------------------------
# What each kind of record becomes in the member's duty log (reports' department duty types).
SUPERVISION_DUTY_TYPES = {
    SupervisionKind.MEETING: ("leadership_meeting", "meeting", "opinion"),
    SupervisionKind.REMINDER: ("peer_reminder", "person", ""),
    SupervisionKind.REPORT_UP: ("report_upward", "matter", ""),
}


def supervision_record_create(
    *,
    actor,
    kind: str,
    occurred_on: date,
    subject: str,
    content: str,
    integrity_ten_minutes: bool = False,
    integrity_topic: str = "",
) -> SupervisionRecord:
    """The department's discipline member records one act of same-level supervision of their own
    department. It goes into their duty log once (the same record is never typed twice): a meeting
    as "leadership_meeting", and the 会前廉政十分钟 held before it as "integrity_ten_minutes"; a
    reminder and a report upward as their own types. When the log refuses it (the month's report is
    already submitted), nothing is recorded and the refusal is the message."""
    if not is_department_member(actor):
        raise PermissionDenied
    if kind not in SupervisionKind.values:
        raise ValidationError(gettext("请选择类别"))
    if occurred_on > today():
        raise ValidationError(gettext("日期不能晚于今天"))
    subject = typed_text(subject, label=gettext("会议、提醒对象或报告事项"), limit=200, required=True)
    content = typed_text(content, label=gettext("情况记录"), limit=2000, required=True)
    integrity_topic = typed_text(integrity_topic, label=gettext("廉政十分钟内容"), limit=200)
    if kind != SupervisionKind.MEETING:
        integrity_ten_minutes, integrity_topic = False, ""
    if integrity_ten_minutes and not integrity_topic:
        raise ValidationError(gettext("开展了会前廉政十分钟，请填写其内容"))
    if not integrity_ten_minutes:
        integrity_topic = ""
    department = actor.org_unit
    with transaction.atomic():
        record = SupervisionRecord.objects.create(
            org_unit=department,
            kind=kind,
            occurred_on=occurred_on,
            subject=subject,
            content=content,
            integrity_ten_minutes=integrity_ten_minutes,
            integrity_topic=integrity_topic,
            created_by=actor,
        )
        code, subject_field, content_field = SUPERVISION_DUTY_TYPES[SupervisionKind(kind)]
        data = {subject_field: subject[:100]}
        if content_field:
            data[content_field] = content
        record.duty_record_id = links.duty_log_record(
            actor=actor,
            duty_type_code=code,
            occurred_on=occurred_on,
            notes=content,
            data=data,
            source=f"responsibility.supervision:{record.pk}",
        )
        if integrity_ten_minutes:
            record.ten_minutes_duty_record_id = links.duty_log_record(
                actor=actor,
                duty_type_code="integrity_ten_minutes",
                occurred_on=occurred_on,
                notes=f"{subject}：{integrity_topic}",
                data={"meeting": subject[:100], "topic": integrity_topic},
                source=f"responsibility.supervision:{record.pk}:integrity_ten_minutes",
            )
        record.save(update_fields=["duty_record_id", "ten_minutes_duty_record_id"])
        with platform_language():
            audit_record(
                actor=actor,
                action="responsibility.supervision_record",
                obj=record,
                org_unit_id=department.pk,
                summary=f"同级监督纪实：{record.get_kind_display()} {subject}",
                after={
                    "kind": kind,
                    "occurred_on": str(occurred_on),
                    "integrity_ten_minutes": integrity_ten_minutes,
                },
            )
    return record


# --- annual assessment -----------------------------------------------------------------------------
def suggested_grade(on_time_share: int | None) -> str:
    """The grade the evidence suggests, from the share of periods done on time and the configured
    floors (thresholds.grade_floors); the office decides."""
    if on_time_share is None:
        return ""
    return next((g for g, floor in thresholds.grade_floors() if on_time_share >= floor), "poor")


def assessment_save(
    *, actor, org: OrgUnit, year: int, grade: str, score: int, basis: str, version: int | None = None
):
    """The office's assessment of an organisation for a year (one per year; an edit carries the
    version the page was read at)."""
    from .models import AnnualAssessment, Grade

    _require_supervisor_of(actor, org)
    if year > today().year:
        raise ValidationError(gettext("不能考核尚未开始的年度"))
    if grade not in Grade.values:
        raise ValidationError(gettext("请选择考核等次"))
    if not 0 <= int(score) <= 100:
        raise ValidationError(gettext("得分须在0到100之间"))
    basis = typed_text(basis, label=gettext("考核依据"), limit=2000, required=True)
    with transaction.atomic():
        existing = AnnualAssessment.objects.filter(org_unit=org, year=year).first()
        if existing is None:
            try:
                with transaction.atomic():
                    assessment = AnnualAssessment.objects.create(
                        org_unit=org, year=year, grade=grade, score=score, basis=basis, assessed_by=actor
                    )
            except IntegrityError:
                raise ConcurrentEditError() from None
        else:
            if not AnnualAssessment.objects.filter(pk=existing.pk, version=version or 0).update(
                version=F("version") + 1,
                grade=grade,
                score=score,
                basis=basis,
                assessed_by=actor,
                assessed_at=timezone.now(),
            ):
                raise ConcurrentEditError()
            assessment = AnnualAssessment.objects.get(pk=existing.pk)
        with platform_language():
            audit_record(
                actor=actor,
                action="responsibility.assessment_save",
                obj=assessment,
                org_unit_id=org.pk,
                summary=f"{org.name} {year}年度主体责任考核：{assessment.get_grade_display()}（{score}分）",
            )
    return assessment


def interview_follow_up(
    *, actor, interview: AccountabilityInterview, done_on: date, result: str
) -> AccountabilityInterview:
    """The office records that the follow-up required at an interview was done, and how."""
    _require_supervisor_of(actor, interview.org_unit)
    if interview.follow_up_done_on is not None:
        raise ValidationError(gettext("该约谈的整改已登记完成"))
    if done_on > today():
        raise ValidationError(gettext("整改完成日期不能晚于今天"))
    if done_on < interview.held_on:
        raise ValidationError(gettext("整改完成日期不能早于约谈日期"))
    result = typed_text(result, label=gettext("整改结果"), limit=2000, required=True)
    with transaction.atomic():
        if not AccountabilityInterview.objects.filter(pk=interview.pk, follow_up_done_on__isnull=True).update(
            follow_up_done_on=done_on, follow_up_result=result
        ):
            raise ConcurrentEditError()
        interview.refresh_from_db()
        audit_record(
            actor=actor,
            action="responsibility.interview_follow_up",
            obj=interview,
            org_unit_id=interview.org_unit_id,
            summary=f"约谈整改完成：{interview.org_unit.name} {interview.interviewee}",
        )
    return interview
