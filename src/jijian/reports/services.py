"""The rules of the monthly duty report. Every write: keyword-only arguments, the acting user, one
transaction, an audit entry in it; a stale version is refused, never silently overwritten."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from jijian.audit.services import audit_record
from jijian.core import links
from jijian.core.access import user_in_jurisdiction
from jijian.core.models import VILLAGE_KINDS, OrgKind, OrgUnit, User
from jijian.core.orgs.workdays import WorkingDays, next_working_day_on_or_after
from jijian.core.roles import Role
from jijian.core.sensitive.crypto import sm3_hex
from jijian.core.services import ConcurrentEditError
from jijian.core.validators import typed_text

from . import defaults, selectors
from .models import (
    EDITABLE_STATES,
    SUBMITTED_STATES,
    ChecklistItem,
    DutyRecord,
    DutyType,
    MemberKind,
    MonthlyReport,
    ReportSettings,
    ReportState,
    ReportTransition,
)

MAX_COUNT = 10_000
# A late submission reads the working-day calendar once, from the deadline to this far past today: the
# next working day (no holiday run is near that long) lies inside it.
LATE_LOOKAHEAD = timedelta(days=60)
ENDORSEMENT_STATEMENT = "本人承诺：以上履职情况真实、准确、完整，如有不实，愿承担相应责任。"


# --- months and deadlines ------------------------------------------------------------------------
def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_end(month: date) -> date:
    return next_month(month) - timedelta(days=1)


def today() -> date:
    return timezone.localdate()


def settings_for_city(city_id: int | None) -> ReportSettings:
    if city_id is None:
        return ReportSettings(
            deadline_day=5,
            submittable_from_day=defaults.SUBMITTABLE_FROM_DAY,
            remind_days_before=3,
            escalate_county_after_days=3,
            rubric=defaults.RUBRIC,
            incompetent_missing_months=defaults.INCOMPETENT_MISSING_MONTHS,
            incompetent_min_submission_pct=defaults.INCOMPETENT_MIN_SUBMISSION_PCT,
            incompetent_rate_from_months=defaults.INCOMPETENT_RATE_FROM_MONTHS,
        )
    obj, _ = ReportSettings.objects.get_or_create(city_id=city_id, defaults={"rubric": defaults.RUBRIC})
    return obj


def report_deadline(month: date, config: ReportSettings) -> date:
    """The configured day of the next month, moved to the next working day (holidays, 调休)."""
    nm = next_month(month)
    return next_working_day_on_or_after(nm.replace(day=min(config.deadline_day, 28)))


def report_submittable_from(month: date, config: ReportSettings) -> date:
    """The day of `month` from which its report is submittable without confirming an early close."""
    return month.replace(day=min(config.submittable_from_day, 28))


def submittable_from(report: MonthlyReport) -> date:
    """The report's own day (fixed when opened), or the default day for rows opened before."""
    return report.submittable_from or report.month.replace(day=defaults.SUBMITTABLE_FROM_DAY)


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def is_early(report: MonthlyReport) -> bool:
    """Submitting now would close the month's duty log before its last days."""
    return today() < submittable_from(report)


def month_is_closed(report: MonthlyReport | None) -> bool:
    """The month's duty log takes no more records: its report is submitted or approved."""
    return report is not None and not report.is_editable


# --- configuration -------------------------------------------------------------------------------
def member_kind_of_unit(unit: OrgUnit) -> str:
    """The kind of discipline member who reports for this unit: a city-level department's, or a
    village's (MemberKind)."""
    return MemberKind.DEPARTMENT if unit.kind == OrgKind.DEPARTMENT else MemberKind.VILLAGE


@transaction.atomic
def reports_config_seed(*, year: int, member_kind: str = MemberKind.VILLAGE) -> int:
    """Give `year` the default duty types and checklist of one member kind, copied from the latest
    configured year of that kind if there is one (versioned by year). Safe to run twice."""
    kind_types = DutyType.objects.filter(member_kind=member_kind)
    if kind_types.filter(year=year).exists():
        return 0
    previous = kind_types.filter(year__lt=year).order_by("-year").values_list("year", flat=True).first()
    if previous:
        source = [
            {
                "code": t.code,
                "name": t.name,
                "fields": t.fields,
                "counts_as_clue": t.counts_as_clue,
                "description": t.description,
                "manual_slug": t.manual_slug,
                "is_active": t.is_active,
            }
            for t in kind_types.filter(year=previous)
        ]
        checklist: list[dict[str, Any]] = [
            {
                "code": c.duty_type.code,
                "min_per_month": c.min_per_month,
                "note": c.note,
                "measure_field": c.measure_field,
            }
            for c in ChecklistItem.objects.filter(
                year=previous, duty_type__member_kind=member_kind
            ).select_related("duty_type")
        ]
    elif member_kind == MemberKind.DEPARTMENT:
        source = defaults.DEPARTMENT_DUTY_TYPES
        checklist = [dict(c, measure_field="") for c in defaults.DEPARTMENT_CHECKLIST]
    else:
        source = defaults.DUTY_TYPES
        checklist = [
            dict(c, measure_field="households" if c["code"] == "household_visit" else "")
            for c in defaults.CHECKLIST
        ]
    types = {}
    for i, spec in enumerate(source):
        types[spec["code"]] = DutyType.objects.create(
            year=year,
            member_kind=member_kind,
            code=spec["code"],
            name=spec["name"],
            fields=spec.get("fields", []),
            counts_as_clue=spec.get("counts_as_clue", False),
            description=spec.get("description", ""),
            manual_slug=spec.get("manual_slug", ""),
            is_active=spec.get("is_active", True),
            sort_order=i,
        )
    for item in checklist:
        ChecklistItem.objects.create(
            year=year,
            duty_type=types[item["code"]],
            min_per_month=item["min_per_month"],
            note=item.get("note", ""),
            measure_field=item.get("measure_field", ""),
        )
    return len(types)


def duty_types_for(year: int, member_kind: str = MemberKind.VILLAGE):
    """The year's active duty types of one member kind (the village members' by default)."""
    reports_config_seed(year=year, member_kind=member_kind)
    return DutyType.objects.filter(year=year, member_kind=member_kind, is_active=True).order_by(
        "sort_order", "pk"
    )


# --- expected reports ----------------------------------------------------------------------------
def _village_expected_q(month: date) -> Q:
    """Villages that existed for the whole month: a village set up or closed during the month is not
    expected that month, so it neither inflates nor deflates the denominator."""
    return (
        Q(kind__in=VILLAGE_KINDS)
        & (Q(active_from__isnull=True) | Q(active_from__lte=month))
        & (Q(active_until__isnull=True) | Q(active_until__gt=month_end(month)))
        & (Q(is_active=True) | Q(active_until__isnull=False))
    )


def _department_expected_q(month: date) -> Q:
    """City-level departments (市直单位) that existed for the whole month (as _village_expected_q)."""
    return (
        Q(kind=OrgKind.DEPARTMENT)
        & (Q(active_from__isnull=True) | Q(active_from__lte=month))
        & (Q(active_until__isnull=True) | Q(active_until__gt=month_end(month)))
        & (Q(is_active=True) | Q(active_until__isnull=False))
    )


# Who reports for which kind of unit: the role and the unit kinds it sits at.
MEMBER_ROLES: dict[str, tuple[str, frozenset[str]]] = {
    MemberKind.VILLAGE: (Role.VILLAGE_MEMBER, VILLAGE_KINDS),
    MemberKind.DEPARTMENT: (Role.DEPARTMENT_MEMBER, frozenset({OrgKind.DEPARTMENT})),
}


def _members_by_village(month: date, member_kind: str = MemberKind.VILLAGE) -> dict[int, int]:
    """The member of each reporting unit (village, or department) for `month`: appointed before the
    month began (a member appointed during a month is expected from the next one); the
    longest-serving first — except a village whose post's holdings are on record, whose holder on the
    month's first day reports (core.links.post_holders_on)."""
    role, kinds = MEMBER_ROLES[member_kind]
    rows = (
        User.objects.filter(roles__role=role, is_active=True, org_unit__kind__in=kinds)
        .filter(Q(appointed_on__isnull=True) | Q(appointed_on__lt=month))
        .order_by("org_unit_id", F("appointed_on").asc(nulls_last=True), "pk")
        .values_list("org_unit_id", "pk")
    )
    members: dict[int, int] = {}
    eligible: set[int] = set()
    for village_id, user_id in rows:
        members.setdefault(village_id, user_id)
        eligible.add(user_id)
    if member_kind == MemberKind.VILLAGE and links.post_holders_on.provider is not None:
        # Where the post's holdings are on record (the cadres platform), the holder on the month's
        # first day reports, whoever else keeps the role; a vacant post, or a holder whose account
        # cannot report (inactive, without the role), expects no report.
        for village_id, holder_id in links.post_holders_on(day=month).items():
            if holder_id in eligible:
                members[village_id] = holder_id
            else:
                members.pop(village_id, None)
    return members


@transaction.atomic
def monthly_reports_open(*, month: date, under: OrgUnit | None = None) -> int:
    """Create the expected-report rows of `month` (state NOT_STARTED) for every village that is
    expected and has a member, and every city-level department that has a department discipline
    member, with its ancestors as of now. Safe to run twice, and after a restart: an existing row is
    never touched. Returns the number created."""
    month = month_start(month)
    existing = set(MonthlyReport.objects.filter(month=month).values_list("village_id", flat=True))
    configs: dict[int | None, ReportSettings] = {}
    rows = []
    for member_kind, expected_q in (
        (MemberKind.VILLAGE, _village_expected_q(month)),
        (MemberKind.DEPARTMENT, _department_expected_q(month)),
    ):
        units = OrgUnit.objects.filter(expected_q)
        if under is not None:
            units = units.filter(path__startswith=under.path)
        members = _members_by_village(month, member_kind)
        if not members:
            continue
        rows += _expected_rows(month, member_kind, units, members, existing, configs)
    MonthlyReport.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def _expected_rows(month, member_kind, units, members, existing, configs) -> list[MonthlyReport]:
    rows = []
    for vid, city_id, county_id, township_id in units.values_list(
        "pk", "city_id", "county_id", "township_id"
    ):
        if vid in existing or vid not in members:
            continue
        if city_id not in configs:
            configs[city_id] = settings_for_city(city_id)
        rows.append(
            MonthlyReport(
                village_id=vid,
                month=month,
                member_kind=member_kind,
                member_id=members[vid],
                city_id_at=city_id,
                county_id_at=county_id,
                township_id_at=township_id,
                deadline=report_deadline(month, configs[city_id]),
                submittable_from=report_submittable_from(month, configs[city_id]),
            )
        )
    return rows


# --- duty records --------------------------------------------------------------------------------
def _require_member_of(actor: User, village: OrgUnit) -> None:
    _require_member_of_village_id(actor, village.pk)


def _require_member_of_village_id(actor: User, village_id: int) -> None:
    if not selectors.is_member_of_village(actor, village_id):
        raise PermissionDenied


def validate_duty_data(duty_type: DutyType, data: dict) -> dict:
    """Check a record's values against its type's fields; every problem named, in Chinese."""
    if not isinstance(data, dict):
        raise ValidationError(gettext("事项数据格式不正确"))
    clean, errors = {}, []
    known = {f["name"] for f in duty_type.fields}
    for name in data:
        if name not in known:
            errors.append(gettext("未知字段：%(name)s") % {"name": name})
    for field in duty_type.fields:
        name, label, kind = field["name"], field.get("label", field["name"]), field.get("type", "text")
        value = data.get(name)
        if value in (None, "", []):
            if field.get("required"):
                errors.append(gettext("%(label)s：必填") % {"label": label})
            continue
        try:
            if kind == "integer":
                if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                    raise ValueError
                value = int(str(value).strip())
            elif kind == "decimal":
                value = Decimal(str(value).strip())
                if not value.is_finite():
                    raise ValueError
            elif kind == "boolean":
                if isinstance(value, str):
                    value = value.lower() in ("1", "true", "on", "yes", "是")
                value = bool(value)
            elif kind == "choice":
                if value not in field.get("choices", []):
                    raise ValueError
            elif kind == "multi":
                if isinstance(value, str):
                    value = [value]
                if not isinstance(value, list) or any(v not in field.get("choices", []) for v in value):
                    raise ValueError
            else:
                value = str(value).strip()
                if len(value) > 2000:
                    errors.append(gettext("%(label)s：不能超过2000字") % {"label": label})
                    continue
        except (ValueError, InvalidOperation, TypeError):
            errors.append(gettext("%(label)s：格式不正确") % {"label": label})
            continue
        if kind in ("integer", "decimal"):
            if "min" in field and value < field["min"]:
                errors.append(
                    gettext("%(label)s：不能小于 %(minimum)s") % {"label": label, "minimum": field["min"]}
                )
                continue
            if "max" in field and value > field["max"]:
                errors.append(
                    gettext("%(label)s：不能大于 %(maximum)s") % {"label": label, "maximum": field["max"]}
                )
                continue
            if isinstance(value, Decimal):  # a "decimal" field
                value = str(value.quantize(Decimal("0.01")))
        clean[name] = value
    if errors:
        raise ValidationError(errors)
    return clean


def _report_for_month(village: OrgUnit, month: date) -> MonthlyReport | None:
    return MonthlyReport.objects.filter(village=village, month=month).first()


def _check_record_date(occurred_on: date) -> date:
    if occurred_on > today():
        raise ValidationError(gettext("履职日期不能晚于今天"))
    if occurred_on < today() - timedelta(days=400):
        raise ValidationError(gettext("履职日期过早，请核对"))
    return month_start(occurred_on)


@transaction.atomic
def duty_record_create(
    *,
    actor: User,
    duty_type: DutyType,
    occurred_on: date,
    place: str = "",
    notes: str = "",
    data: dict | None = None,
    client_uuid=None,
) -> DutyRecord:
    """A member records one duty. The same client_uuid twice (an offline entry sent again) returns
    the first record instead of a duplicate."""
    village = actor.org_unit
    _require_member_of(actor, village)
    if client_uuid:
        existing = DutyRecord.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if existing.member_id != actor.pk:
                raise PermissionDenied
            return existing
    month = _check_record_date(occurred_on)
    if (
        duty_type.year != occurred_on.year
        or not duty_type.is_active
        or duty_type.member_kind != member_kind_of_unit(village)
    ):
        raise ValidationError(gettext("该事项类型不适用于所选日期的年度"))
    report = _report_for_month(village, month)
    if report is not None and not report.is_editable:
        raise ValidationError(gettext("该月月报已提交或已审核，不能再添加履职纪实（被退回后可以修改）"))
    clean = validate_duty_data(duty_type, data or {})
    # Where the village stood that month: the month's expected row says; without one, the tree now.
    if report is not None:
        at = (report.city_id_at, report.county_id_at, report.township_id_at)
    else:
        at = (village.city_id, village.county_id, village.township_id)
    record = DutyRecord.objects.create(
        member=actor,
        village=village,
        month=month,
        city_id_at=at[0],
        county_id_at=at[1],
        township_id_at=at[2],
        duty_type=duty_type,
        occurred_on=occurred_on,
        place=typed_text(place, label=gettext("地点"), limit=100),
        notes=notes.strip(),
        data=clean,
        client_uuid=client_uuid,
    )
    audit_record(
        actor=actor,
        action="duty_record.create",
        obj=record,
        org_unit_id=village.pk,
        summary=f"履职纪实 {duty_type.name} {occurred_on}",
        after={"duty_type": duty_type.code, "occurred_on": str(occurred_on), "data": clean},
    )
    return record


@transaction.atomic
def duty_record_update(
    *,
    actor: User,
    record: DutyRecord,
    version: int,
    occurred_on: date,
    place: str,
    notes: str,
    data: dict,
) -> DutyRecord:
    _require_member_of(actor, record.village)
    if record.member_id != actor.pk:
        raise PermissionDenied
    for month in {record.month, month_start(occurred_on)}:
        report = _report_for_month(record.village, month)
        if report is not None and not report.is_editable:
            raise ValidationError(gettext("该月月报已提交或已审核，不能再修改履职纪实"))
    new_month = _check_record_date(occurred_on)
    clean = validate_duty_data(record.duty_type, data)
    before = {
        "occurred_on": str(record.occurred_on),
        "place": record.place,
        "notes": record.notes,
        "data": record.data,
    }
    updated = DutyRecord.objects.filter(pk=record.pk, version=version, is_deleted=False).update(
        occurred_on=occurred_on,
        month=new_month,
        place=typed_text(place, label=gettext("地点"), limit=100),
        notes=notes.strip(),
        data=clean,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        # Only the record's member writes it (checked above): the newer version is their own.
        raise ConcurrentEditError(by_self=True)
    record.refresh_from_db()
    audit_record(
        actor=actor,
        action="duty_record.update",
        obj=record,
        org_unit_id=record.village_id,
        summary=f"修改履职纪实 {record.duty_type.name}",
        before=before,
        after={"occurred_on": str(occurred_on), "place": record.place, "notes": record.notes, "data": clean},
    )
    return record


@transaction.atomic
def duty_record_delete(*, actor: User, record: DutyRecord, version: int) -> None:
    _require_member_of(actor, record.village)
    if record.member_id != actor.pk:
        raise PermissionDenied
    report = _report_for_month(record.village, record.month)
    if report is not None and not report.is_editable:
        raise ValidationError(gettext("该月月报已提交或已审核，不能删除履职纪实"))
    if not DutyRecord.objects.filter(pk=record.pk, version=version, is_deleted=False).update(
        is_deleted=True, version=F("version") + 1
    ):
        raise ConcurrentEditError(by_self=True)  # only the record's member writes it
    audit_record(
        actor=actor,
        action="duty_record.delete",
        obj=record,
        org_unit_id=record.village_id,
        summary=f"删除履职纪实 {record.duty_type.name} {record.occurred_on}",
    )


def month_counts(*, village: OrgUnit, month: date) -> dict[str, int]:
    """Records per duty type code in the month (the pre-fill of the report)."""
    records = DutyRecord.objects.filter(village=village, month=month, is_deleted=False)
    return dict(Counter(records.values_list("duty_type__code", flat=True)))


def checklist_status(*, village: OrgUnit, month: date) -> list[dict]:
    """Each checklist item of the year with what was done this month and whether it is met."""
    return month_checklists([(village, month)])[village.pk, month].items


@dataclass
class MonthChecklist:
    """A village's month against its checklist: each item (`checklist_status`), the duty records kept
    and how many of them count as clues (DutyType.counts_as_clue)."""

    items: list[dict]
    records: int
    clues: int

    @property
    def short(self) -> list[dict]:
        return [row for row in self.items if not row["met"]]


def month_checklists(pairs: Sequence[tuple[OrgUnit, date]]) -> dict[tuple[int, date], MonthChecklist]:
    """The checklist of several villages' months, keyed by (village id, month), in two queries whatever
    their number: the review queue shows a page of reports with theirs."""
    if not pairs:
        return {}
    kinds = {(month.year, member_kind_of_unit(village)) for village, month in pairs}
    wanted = Q()
    for year, kind in kinds:
        wanted |= Q(year=year, duty_type__member_kind=kind)
    items: dict[tuple[int, str], list[ChecklistItem]] = {key: [] for key in kinds}
    for item in ChecklistItem.objects.filter(wanted).select_related("duty_type").order_by("pk"):
        items[item.year, item.duty_type.member_kind].append(item)
    records: dict[tuple[int, date], list[tuple[int, bool, dict]]] = {}
    for village_id, month, type_id, is_clue, data in DutyRecord.objects.filter(
        village_id__in={village.pk for village, _ in pairs},
        month__in={month for _, month in pairs},
        is_deleted=False,
    ).values_list("village_id", "month", "duty_type_id", "duty_type__counts_as_clue", "data"):
        records.setdefault((village_id, month), []).append((type_id, is_clue, data))
    out = {}
    for village, month in pairs:
        kept = records.get((village.pk, month), [])
        out[village.pk, month] = MonthChecklist(
            items=[
                _checklist_row(item, [data for type_id, _, data in kept if type_id == item.duty_type_id])
                for item in items[month.year, member_kind_of_unit(village)]
            ],
            records=len(kept),
            clues=sum(1 for _, is_clue, _ in kept if is_clue),
        )
    return out


def _checklist_row(item: ChecklistItem, mine: list[dict]) -> dict:
    measure = item.measure_field
    done = sum(int(d.get(measure) or 0) for d in mine) if measure else len(mine)
    # What `done` counts, for the pages: the measured field's label ("走访户数"), else records (次).
    unit = next((f.get("label", measure) for f in item.duty_type.fields if f["name"] == measure), measure)
    return {
        "item": item,
        "done": done,
        "required": item.min_per_month,
        "met": done >= item.min_per_month,
        "unit": unit if measure else "次",
    }


# --- the monthly report --------------------------------------------------------------------------
def _transition(report: MonthlyReport, to_state: str, actor: User | None, reason: str = "") -> None:
    ReportTransition.objects.create(
        report=report, from_state=report.state, to_state=to_state, actor=actor, reason=reason
    )
    report.state = to_state


def _clean_counts(counts: dict) -> dict[str, int]:
    if not isinstance(counts, dict):
        raise ValidationError(gettext("数量格式不正确"))
    clean, errors = {}, []
    for code, value in counts.items():
        try:
            if isinstance(value, bool):
                raise ValueError
            n = int(str(value).strip() or 0)
        except (ValueError, TypeError):
            errors.append(gettext("%(code)s：数量应为整数") % {"code": code})
            continue
        if n < 0:
            errors.append(gettext("%(code)s：数量不能为负数") % {"code": code})
        elif n > MAX_COUNT:
            errors.append(
                gettext("%(code)s：数量 %(n)s 明显不合理（超过 %(MAX_COUNT)s）")
                % {"code": code, "n": n, "MAX_COUNT": MAX_COUNT}
            )
        else:
            clean[str(code)[:40]] = n
    if errors:
        raise ValidationError(errors)
    return clean


def _require_report_member(actor: User, report: MonthlyReport) -> None:
    _require_member_of_village_id(actor, report.village_id)  # the id is enough: no read of the village


def _check_month_not_future(report: MonthlyReport) -> None:
    if report.month > month_start(today()):
        raise ValidationError(gettext("不能填报未来月份的月报"))


def draft_source(actor: User, device: str) -> str:
    """The draft's author and device as stored in MonthlyReport.draft_saved_from ("" without a device)."""
    device = (device or "").strip()[:60]
    return f"{actor.pk}:{device}" if device else ""


def own_base_version(*, actor: User, report: MonthlyReport, version: int, device: str) -> int:
    """The version a save of `actor` from `device`, made on top of `version`, applies to.

    The rule (issue 16): every save since `version` that came from this same person on this same
    device is part of what that device is sending now — the device sends one save at a time, and a
    save whose answer was lost, or a copy typed offline and sent after a reload, is older than what
    it sends next. So when the last save came from this person and device, the stale save applies on
    top of the current version: the newest of their own versions wins. Anything else is a true
    conflict and refused (ConcurrentEditError): another device or another person saved in between
    (their work would be lost), or there is no device id (a page without script: strict versions).
    `report` is the row as read now."""
    if report.version == version:
        return version
    source = draft_source(actor, device)
    if source and report.draft_saved_from == source and version < report.version:
        return report.version
    raise report_conflict(actor, report)


def draft_writer(actor: User, device: str) -> str:
    """What a member's save stores in draft_saved_from: their id, and the device's when there is one
    ("<user id>:" without). A stale save is their own device's only with the same device id
    (draft_source); a conflict with their own earlier save is named as such (report_conflict)."""
    return f"{actor.pk}:{(device or '').strip()[:60]}"


def report_conflict(actor: User, report: MonthlyReport) -> ConcurrentEditError:
    """The refusal of a save based on a replaced version of `report` (as read now): the member's own
    other device when the member wrote the current version, else someone else (a reviewer)."""
    writer = report.draft_saved_from.split(":", 1)[0]
    return ConcurrentEditError(by_self=writer == str(actor.pk))


@transaction.atomic
def monthly_report_save_draft(
    *,
    actor: User,
    report: MonthlyReport,
    version: int,
    summary: str,
    problems: str,
    counts: dict,
    is_zero_report: bool = False,
    counts_note: str = "",
    device: str = "",
) -> MonthlyReport:
    """Save the member's work in progress. A save based on an older version is refused with a
    message, not silently overwritten, unless that older version is the same device's own
    (own_base_version): `device` is the id the member's browser keeps for itself."""
    _require_report_member(actor, report)
    _check_month_not_future(report)
    if report.state not in EDITABLE_STATES:
        raise ValidationError(gettext("月报已提交或已审核通过，不能再修改"))
    clean = _clean_counts(counts)
    if len(summary) > 5000 or len(problems) > 5000 or len(counts_note) > 2000:
        raise ValidationError(gettext("内容过长（每项不超过5000字）"))
    new_state = ReportState.DRAFT if report.state == ReportState.NOT_STARTED else report.state
    if report.version != version and draft_source(actor, device):
        report = _report_locked(report)  # decide on the row as it is now
        version = own_base_version(actor=actor, report=report, version=version, device=device)
    updated = MonthlyReport.objects.filter(pk=report.pk, version=version, state=report.state).update(
        draft_saved_from=draft_writer(actor, device),
        summary=summary.strip(),
        problems=problems.strip(),
        counts=clean,
        counts_note=counts_note.strip(),
        is_zero_report=bool(is_zero_report),
        state=new_state,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        raise report_conflict(actor, _report_locked(report))
    if new_state != report.state:
        ReportTransition.objects.create(
            report=report, from_state=report.state, to_state=new_state, actor=actor
        )
    report.refresh_from_db()
    audit_record(
        actor=actor,
        action="monthly_report.save",
        obj=report,
        org_unit_id=report.village_id,
        summary=f"保存月报草稿 {report.month:%Y-%m}",
    )
    return report


def report_digest(report: MonthlyReport, records: Sequence[Mapping[str, Any]]) -> str:
    """SM3 of the endorsed content: the report's fields and the month's duty records."""
    payload = {
        "village": report.village_id,
        "month": str(report.month),
        "member": report.member_id,
        "is_zero_report": report.is_zero_report,
        "summary": report.summary,
        "problems": report.problems,
        "counts": report.counts,
        "records": records,
    }
    if report.counts_note:  # only when there is one: digests of reports without a note are unchanged
        payload["counts_note"] = report.counts_note
    return sm3_hex(json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode())


def _report_locked(report: MonthlyReport) -> MonthlyReport:
    """The report's row as it is now, locked until the end of the transaction (with its village, for
    the answer)."""
    return MonthlyReport.objects.select_related("village").select_for_update(of=("self",)).get(pk=report.pk)


@transaction.atomic
def monthly_report_submit(
    *, actor: User, report: MonthlyReport, version: int, endorse: bool, early_confirmed: bool = False
) -> MonthlyReport:
    """Submit (or resubmit after a return) with the member's endorsement (签字背书). Submitting a
    report that is already submitted changes nothing and answers with it (idempotent).

    The usual case — the caller has just read the report at the version the member submits — takes no
    second read: the UPDATE is conditional on that version and state, so it is the concurrency check
    (a save or submit from another device in between makes it match no row, and a second submit
    racing this one waits for the row lock and then matches nothing). Anything else is decided on
    the row as it is now, read FOR UPDATE: already submitted answers it, another version is a 409.
    Before the report's submittable day the member must confirm that the month's duty log closes
    (`early_confirmed`); the row is then flagged for the township."""
    _require_report_member(actor, report)
    if report.state in SUBMITTED_STATES or report.version != version:
        report = _report_locked(report)
        if report.state in SUBMITTED_STATES:
            return report
    _check_month_not_future(report)
    if report.version != version:
        raise report_conflict(actor, report)  # read as it is now, just above
    if not endorse:
        raise ValidationError(gettext("请确认签字背书承诺后再提交"))
    records = list(
        DutyRecord.objects.filter(village_id=report.village_id, month=report.month, is_deleted=False)
        .order_by("pk")
        .values(*DIGEST_RECORD_FIELDS)
    )
    if report.is_zero_report and records:
        raise ValidationError(gettext("本月已有履职纪实，不能作零报告"))
    if (
        not report.is_zero_report
        and not records
        and not report.summary.strip()
        and not any(report.counts.values())
    ):
        raise ValidationError(gettext("请填写本月履职情况，或明确选择“零报告”（本月无履职事项可报）"))
    unsupported = counts_above_log(report.counts or {}, records)
    if unsupported and not (report.counts_note or "").strip():
        names = dict(
            DutyType.objects.filter(year=report.month.year, member_kind=report.member_kind).values_list(
                "code", "name"
            )
        )
        raise ValidationError(
            [
                f"{names.get(code, code)}：填报 {typed}，纪实 {logged} 条"
                for code, (typed, logged) in sorted(unsupported.items())
            ]
            + ["填报数量多于履职纪实的，请在“数量说明”中写明原因（或补记纪实）"]
        )
    early = is_early(report)
    if early and not early_confirmed:
        raise ValidationError(
            gettext(
                "%(md)s起才是本月月报的提交时间。提前提交后本月履职纪实将关闭，不能再记一笔；如确需提前提交，请勾选“确认提前提交”。"
            )
            % {"md": _md(submittable_from(report))}
        )
    now = timezone.now()
    from_state = report.state
    resubmit = from_state == ReportState.RETURNED
    to_state = ReportState.RESUBMITTED if resubmit else ReportState.SUBMITTED
    changes = {
        "state": to_state,
        "submitted_at": now,
        "endorsement_statement": ENDORSEMENT_STATEMENT,
        "endorsed_by": actor,
        "endorsed_at": now,
        "endorsement_digest": report_digest(report, records),
        "version": version + 1,
        "updated_at": now,
        "draft_saved_from": draft_writer(actor, ""),
    }
    if early:
        changes["is_early"] = True
    if report.first_submitted_at is None:
        # On time or late is decided by the first submission: a return loop is not lateness. Late
        # by N working days: a submission on a day off counts as on the next working day.
        on = today()
        delay = 0
        if on > report.deadline:
            # One read of the calendar for both: the day it counts as, and the days since the deadline.
            days = WorkingDays(report.deadline, on + LATE_LOOKAHEAD)
            delay = days.between(report.deadline, days.add(on, 0))
        changes.update(first_submitted_at=now, is_late=on > report.deadline, late_days=delay)
    # The first write of the transaction: nothing to undo when it matches no row.
    if not MonthlyReport.objects.filter(pk=report.pk, version=version, state=from_state).update(**changes):
        current = _report_locked(report)
        if current.state in SUBMITTED_STATES:
            return current  # a second submit that raced this one: idempotent
        raise report_conflict(actor, current)
    for field, value in changes.items():
        setattr(report, field, value)
    ReportTransition.objects.create(report=report, from_state=from_state, to_state=to_state, actor=actor)
    audit_record(
        actor=actor,
        action="monthly_report.submit",
        obj=report,
        org_unit_id=report.village_id,
        summary=f"{'重新' if resubmit else ''}提交月报 {report.month:%Y-%m}"
        + ("（零报告）" if report.is_zero_report else ""),
        after={"digest": report.endorsement_digest, "late_days": report.late_days},
    )
    return report


# The duty records' values an endorsement digest covers (report_digest), as .values() names them.
DIGEST_RECORD_FIELDS = ("pk", "duty_type__code", "occurred_on", "place", "notes", "data")


def counts_above_log(counts: dict, records: Sequence[Mapping[str, Any]]) -> dict[str, tuple[int, int]]:
    """{code: (typed, logged)} for each count typed above the number of the month's duty records of
    that type (`records` as DIGEST_RECORD_FIELDS reads them)."""
    logged = Counter(r["duty_type__code"] for r in records)
    return {code: (n, logged[code]) for code, n in counts.items() if n > logged[code]}


def may_review(actor: User, report: MonthlyReport) -> bool:
    """The reviewer rule, per member kind: a village's report is reviewed by the committee of its
    township; a department's by the resident group (派驻纪检监察组) overseeing the department, or — where
    no group oversees it — by the 党风政风监督室 of the department's commission. Always within the
    reviewer's jurisdiction (core.access)."""
    return may_review_unit(actor, report.village, report.member_kind)


def reviewer_role(unit: OrgUnit, member_kind: str) -> str:
    """The role that reviews the reports (and sets the annual grade) of a member of this kind at
    this unit: the township committee for a village; for a department, its resident group, or the
    党风政风监督室 where no group oversees it."""
    if member_kind == MemberKind.DEPARTMENT:
        return Role.RESIDENT_GROUP if unit.resident_group_id else Role.CONDUCT_SUPERVISION
    return Role.TOWNSHIP_COMMITTEE


def may_review_unit(actor: User, unit: OrgUnit, member_kind: str) -> bool:
    return actor.has_role(reviewer_role(unit, member_kind)) and user_in_jurisdiction(actor, unit)


def _require_reviewer(actor: User, report: MonthlyReport) -> None:
    if not may_review(actor, report):
        raise PermissionDenied


# The return reason is shown on top of the member's report and sent to them: a paragraph, not a file.
RETURN_REASON_MAX = 2000


def _check_reviewed_version(report: MonthlyReport, version: int | None) -> None:
    """A review decided on the report as it was read (`version`, from the review page): if another
    reviewer has since approved or returned it, or the member has resubmitted it, the decision is
    refused rather than applied to a report the reviewer has not seen."""
    if version is not None and report.version != version:
        raise ValidationError(
            gettext("该月报在您打开后已有变化（现为“%(state)s”），您的审核未保存，请查看最新内容后再审核")
            % {"state": report.get_state_display()},
            code="stale",
        )


@transaction.atomic
def monthly_report_return(
    *, actor: User, report: MonthlyReport, reason: str, version: int | None = None
) -> MonthlyReport:
    """The township returns a submitted report to the member; the reason is required and shown on top.
    `version`: the version the reviewer read (_check_reviewed_version)."""
    _require_reviewer(actor, report)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("退回必须填写原因"))
    if len(reason) > RETURN_REASON_MAX:
        raise ValidationError(
            gettext("退回原因不能超过 %(RETURN_REASON_MAX)s 字（现为 %(count)s 字）")
            % {"RETURN_REASON_MAX": RETURN_REASON_MAX, "count": len(reason)}
        )
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    _check_reviewed_version(report, version)
    if report.state not in (ReportState.SUBMITTED, ReportState.RESUBMITTED):
        raise ValidationError(gettext("只有已提交、待审核的月报可以退回"))
    _transition(report, ReportState.RETURNED, actor, reason)
    report.return_reason = reason
    report.return_count += 1
    report.version += 1
    report.draft_saved_from = ""  # the current version is the reviewer's
    report.save()
    audit_record(
        actor=actor,
        action="monthly_report.return",
        obj=report,
        org_unit_id=report.village_id,
        summary=f"退回月报 {report.month:%Y-%m}",
        after={"reason": reason},
    )
    if report.member is not None:
        from jijian.core.notify import notify

        notify(
            recipient=report.member,
            title=f"{report.month:%Y年%m月}履职月报被退回",
            body=f"退回原因：{reason}",
            link=f"/reports/{report.pk}/",
            channels=("sms",),
            dedup_key=f"report-returned:{report.pk}:{report.return_count}",
        )
    return report


def _clean_score(detail: dict | None, rubric: list[dict]) -> tuple[Decimal | None, dict]:
    if not detail:
        return None, {}
    by_key = {item["key"]: item for item in rubric}
    clean, errors, total = {}, [], Decimal(0)
    for key, value in detail.items():
        if key not in by_key:
            errors.append(gettext("未知评分项：%(key)s") % {"key": key})
            continue
        try:
            score = Decimal(str(value))
        except (InvalidOperation, ValueError):
            errors.append(gettext("%(item)s：应为数字") % {"item": by_key[key]["label"]})
            continue
        if not score.is_finite() or score < 0 or score > Decimal(str(by_key[key]["max"])):
            errors.append(
                gettext("%(item)s：应在 0 至 %(maximum)s 之间")
                % {"item": by_key[key]["label"], "maximum": by_key[key]["max"]}
            )
            continue
        clean[key] = str(score)
        total += score
    if errors:
        raise ValidationError(errors)
    return total, clean


@transaction.atomic
def monthly_report_approve(
    *,
    actor: User,
    report: MonthlyReport,
    score_detail: dict | None = None,
    comment: str = "",
    version: int | None = None,
) -> MonthlyReport:
    """Approve a submitted report (then it is locked), optionally scored against the city's rubric.
    Approving again what the same reviewer approved (a double click) changes nothing; `version` is
    the version the reviewer read (_check_reviewed_version)."""
    _require_reviewer(actor, report)
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if report.state == ReportState.APPROVED and (version is None or report.approved_by_id == actor.pk):
        return report
    _check_reviewed_version(report, version)
    if report.state not in (ReportState.SUBMITTED, ReportState.RESUBMITTED):
        raise ValidationError(gettext("只有已提交、待审核的月报可以审核通过"))
    comment = typed_text(comment, label=gettext("审核意见"), limit=2000)
    score, detail = _clean_score(score_detail, settings_for_city(report.city_id_at).rubric)
    _transition(report, ReportState.APPROVED, actor, comment)
    report.approved_at, report.approved_by = timezone.now(), actor
    report.score, report.score_detail = score, detail
    report.review_comment = comment
    report.version += 1
    report.draft_saved_from = ""  # the current version is the reviewer's
    report.save()
    audit_record(
        actor=actor,
        action="monthly_report.approve",
        obj=report,
        org_unit_id=report.village_id,
        summary=f"审核通过月报 {report.month:%Y-%m}",
        after={"score": str(score) if score is not None else None},
    )
    return report


def monthly_reports_approve_batch(
    *,
    actor: User,
    reports: list[MonthlyReport],
    versions: dict[int, int] | None = None,
    refuse_stale: bool = False,
) -> dict[str, int]:
    """Approve the selected reports, each in its own transaction: one that changed meanwhile is
    skipped and counted, the others go through. `versions` (report pk → the version the list showed):
    a report resubmitted, returned or approved by someone else since the list was read is skipped, so
    nobody approves content they were not shown.

    refuse_stale=True (the API, whose caller names each report's version and expects an answer about
    it): a stale version refuses the whole batch instead — one transaction, nothing approved — with a
    ValidationError (code "stale") naming the report; reports refused for another reason (not awaiting
    review) are still skipped and counted."""
    versions = versions or {}
    result = {"approved": 0, "skipped": 0}
    with transaction.atomic() if refuse_stale else contextlib.nullcontext():
        for report in reports:
            try:
                monthly_report_approve(actor=actor, report=report, version=versions.get(report.pk))
                result["approved"] += 1
            except ValidationError as refused:
                if refuse_stale and getattr(refused, "code", None) == "stale":
                    raise ValidationError(
                        gettext(
                            "月报 %(pk)s（%(name)s %(month)s）在您读取后已有变化，本批均未审核通过，请重新读取后再审核"
                        )
                        % {
                            "pk": report.pk,
                            "name": report.village.name,
                            "month": format(report.month, "%Y年%m月"),
                        },
                        code="stale",
                    ) from None
                result["skipped"] += 1
            except PermissionDenied:
                result["skipped"] += 1
    return result
