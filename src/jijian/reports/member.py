"""The village member's side of the monthly report: the reads behind the member pages and API
(always through reports/access.py) and the two writes that span several services — save the form
and submit it, create a record and attach its files — each in one transaction, so a refusal
changes nothing."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext

from jijian.attachments.access import attachments_visible_to
from jijian.attachments.services import STAFF_KINDS, attachments_store_all
from jijian.core.roles import Module

from . import selectors, services
from .access import duty_records_visible_to, get_duty_record_for, get_report_to_write, reports_visible_to
from .models import DutyRecord, DutyType, MemberKind, MonthlyReport, ReportState

ATTACHMENT_PURPOSE = "duty_record"
MAX_FILES_PER_RECORD = 9


def require_member(user) -> None:
    """The member pages exist only for discipline members (a village's, or a city-level
    department's): anyone else gets the same 404."""
    if selectors.member_kind_of(user) is None or not user.has_module(Module.REPORTS):
        raise Http404


def is_report_member(user, report: MonthlyReport) -> bool:
    return selectors.is_member_of_village(user, report.village_id)


def member_reports(user):
    """The member's village's monthly reports, newest first."""
    require_member(user)
    return reports_visible_to(user).filter(village_id=selectors.member_village_id(user)).order_by("-month")


def get_member_report(user, pk) -> MonthlyReport:
    """A report the user may write to: their own village's; anything else is a 404."""
    report = get_report_to_write(user, pk)
    if not is_report_member(user, report):
        raise Http404
    return report


def get_member_record(user, pk) -> DutyRecord:
    require_member(user)
    record = get_duty_record_for(user, pk)
    if record.member_id != user.pk:
        raise Http404
    return record


def pending_reports(reports: list[MonthlyReport]) -> list[MonthlyReport]:
    """Reports waiting for the member: returned ones, and past months not yet submitted."""
    this_month = services.month_start(services.today())
    return sorted(
        (r for r in reports if r.state == ReportState.RETURNED or (r.is_editable and r.month < this_month)),
        key=lambda r: r.deadline,
    )


def member_records(user, month: date):
    require_member(user)
    return (
        duty_records_visible_to(user)
        .filter(village_id=selectors.member_village_id(user), month=month)
        .order_by("-occurred_on", "-pk")
    )


def attachments_by_record(user, records) -> dict[int, list]:
    """The files of each record, in one query."""
    ids = [str(r.pk) for r in records]
    found: dict[int, list] = defaultdict(list)
    if not ids:
        return found
    rows = attachments_visible_to(user).filter(
        module=Module.REPORTS, purpose=ATTACHMENT_PURPOSE, object_id__in=ids
    )
    for a in rows.order_by("pk"):
        found[int(a.object_id)].append(a)
    return found


def duty_types_by_code(year: int, user=None) -> dict[str, DutyType]:
    """The year's duty types of `user`'s member kind (a village member's without a user)."""
    kind = (selectors.member_kind_of(user) if user is not None else None) or MemberKind.VILLAGE
    return {t.code: t for t in services.duty_types_for(year, kind)}


def keeps_photo_originals(village) -> bool:
    """The city's evidence rule: keep the photos as taken (the phone then does not compress)."""
    return services.settings_for_city(village.city_id).keep_photo_originals


def _store_files(actor, record: DutyRecord, files, ip_address: str) -> None:
    if len(files) > MAX_FILES_PER_RECORD:
        from django.core.exceptions import ValidationError

        raise ValidationError(
            gettext("每条纪实最多上传 %(MAX_FILES_PER_RECORD)s 个文件")
            % {"MAX_FILES_PER_RECORD": MAX_FILES_PER_RECORD}
        )
    keep_original = bool(files) and keeps_photo_originals(record.village)
    # A refused file refuses the record: none of its files is kept (the caller's transaction rolls
    # back the record).
    attachments_store_all(
        actor=actor,
        files=files,
        org_unit=record.village,
        module=Module.REPORTS,
        purpose=ATTACHMENT_PURPOSE,
        object_id=record.pk,
        keep_original=keep_original,
        ip_address=ip_address,
        kinds=STAFF_KINDS,  # photos and documents of the duty done
    )


@transaction.atomic
def duty_record_create_with_files(*, actor, files=(), ip_address: str = "", **fields) -> DutyRecord:
    """Create a record and store its photos/documents; a refused file refuses the whole record.
    Early in January a record of last December takes last year's type of the same code."""
    duty_type, occurred_on = fields["duty_type"], fields["occurred_on"]
    if duty_type.year != occurred_on.year and abs(duty_type.year - occurred_on.year) == 1:
        fields["duty_type"] = duty_types_by_code(occurred_on.year, actor).get(duty_type.code, duty_type)
    record = services.duty_record_create(actor=actor, **fields)
    _store_files(actor, record, list(files), ip_address)
    return record


@transaction.atomic
def duty_record_update_with_files(*, actor, record: DutyRecord, files=(), ip_address: str = "", **fields):
    record = services.duty_record_update(actor=actor, record=record, **fields)
    _store_files(actor, record, list(files), ip_address)
    return record


@transaction.atomic
def monthly_report_save_and_submit(
    *,
    actor,
    report: MonthlyReport,
    version: int,
    summary: str,
    problems: str,
    counts: dict,
    is_zero_report: bool,
    counts_note: str = "",
    early_confirmed: bool = False,
    device: str = "",
) -> MonthlyReport:
    """Save what the member typed and submit it with the endorsement; a refused submission (zero
    report with records, stale version…) leaves the report as it was."""
    if not is_report_member(actor, report):
        raise PermissionDenied
    if report.is_editable:
        report = services.monthly_report_save_draft(
            actor=actor,
            report=report,
            version=version,
            summary=summary,
            problems=problems,
            counts=counts,
            is_zero_report=is_zero_report,
            counts_note=counts_note,
            device=device,
        )
        version = report.version
    return services.monthly_report_submit(
        actor=actor, report=report, version=version, endorse=True, early_confirmed=early_confirmed
    )


def _display(spec: dict, value) -> str:
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def labelled_values(record: DutyRecord) -> list[tuple[str, str]]:
    """A record's values as its type's fields name and show them (是/否, lists joined), in the
    fields' order: what the member's month and the reviewer's page both show. A value whose field the
    city has since removed from the type is still shown, under its stored name, after the others."""
    data = record.data or {}
    specs = {spec["name"]: spec for spec in record.duty_type.fields}
    known = [
        (spec.get("label", name), _display(spec, data[name])) for name, spec in specs.items() if name in data
    ]
    return known + [(name, _display({}, value)) for name, value in data.items() if name not in specs]


def record_rows(user, records: list[DutyRecord]) -> list[dict]:
    """Each record with its values labelled by its type's fields and its files (one query for all
    files; the types come with the records)."""
    files = attachments_by_record(user, records)
    rows = []
    for r in records:
        rows.append({"record": r, "values": labelled_values(r), "files": files.get(r.pk, [])})
    return rows
