"""The register of reports as CSV (UTF-8 with BOM, for Excel), streamed: rows go out as they are read
by a server-side cursor, so a large register starts at once and never sits whole in memory.

Reporter identity is LEFT OUT of the export: the row says only 实名 / 匿名. With include_identity the
name, ID number and phone are written for the rows where the reporter reveal rule (petitions.access)
allows the actor (the petition office of the receiving body or above; never a body the report was
forwarded to, never a recused user) — every other row keeps the masked value; decided without a query
per row. Such an export needs a reason. Each
export is one audit event ("export": reason, filters, row count), written before the first byte
leaves; the identity values themselves never enter the audit trail."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from jijian.audit.services import audit_record
from jijian.core.exports import Echo, spreadsheet_cell
from jijian.core.language import lines_in_platform_language
from jijian.core.ops.replicas import on_reporting_db, reporting_db
from jijian.core.sensitive.crypto import mask_id_number, mask_phone, mask_text
from jijian.core.sensitive.reveal import reveal_rule
from jijian.petitions.access import reporter_receiver_in_scope
from jijian.petitions.models import PetitionReport
from jijian.petitions.selectors import RegisterFilter, register

IDENTITY_FIELDS = ("reporter_name", "reporter_id_number", "reporter_phone")
MASKS = {"reporter_name": mask_text, "reporter_id_number": mask_id_number, "reporter_phone": mask_phone}

COLUMNS = (
    "登记编号",
    "收到时间",
    "来源渠道",
    "类别",
    "所属地区",
    "被反映人",
    "被反映人单位",
    "被反映人职务",
    "被反映人级别",
    "反映问题类别",
    "主要问题和事实",
    "实名/匿名",
    "状态",
    "办理方式",
    "承办机关",
    "重复件",
    "不予受理理由",
    "受理告知日期",
    "办结时间",
    "办理结果",
    "结果告知日期",
)
IDENTITY_COLUMNS = ("举报人姓名", "举报人身份证号", "举报人联系电话")


def describe(f: RegisterFilter) -> dict:
    """The filters in force, for the audit entry."""
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(f).items() if v}


def register_for_export(user, f: RegisterFilter, *, db: str | None = None) -> QuerySet[PetitionReport]:
    """Exactly the register page's rows (selectors.register: scope, recusal, filters), oldest first,
    read from `db`, by default the reporting database (core/ops/replicas.py)."""
    return (
        register(user, f)
        .using(db or reporting_db())
        .select_related("received_unit", "repeat_of", "region", "holder")
        .order_by("received_at", "pk")
    )


def may_export_identity(user) -> bool:
    """Whether the user holds a role that may reveal reporters at all (the rows are then checked one
    by one)."""
    rule = reveal_rule("petitions.petitionreport", "reporter_name")
    return bool(rule and getattr(user, "is_authenticated", False) and user.role_set & rule.roles)


def register_export_start(
    *, actor, f: RegisterFilter, include_identity: bool = False, reason: str = "", ip_address: str = ""
) -> tuple[QuerySet[PetitionReport], int]:
    """Audit the export (one event: reason, filters, row count) and return the rows to stream."""

    def counted(db: str) -> tuple[QuerySet[PetitionReport], int]:
        qs = register_for_export(actor, f, db=db)
        return qs, qs.count()

    # The count picks the database the rows then stream from: a replica that fails here is left for
    # the primary (one that stops in the middle of the stream cuts the download short).
    qs, rows = on_reporting_db(counted)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="export",
            object_type="petitions.register",
            object_id=actor.org_unit_id,
            org_unit_id=actor.org_unit_id,
            summary=f"导出信访举报登记簿 {rows} 件"
            + ("（含有权查看的举报人身份信息）" if include_identity else ""),
            after={
                "rows": rows,
                "include_identity": include_identity,
                "reason": (reason or "").strip()[:200],
                "filters": describe(f),
            },
            ip_address=ip_address,
        )
    return qs, rows


def _identity(actor, report: PetitionReport, may_reveal: bool) -> list[str]:
    """The reporter's identity for one row: in full where the reveal rule allows it, masked elsewhere.
    The rows come from the register (petitions_visible_to), so the rule's visibility half holds for
    every row and `may_reveal` (the role, checked once) plus the receiving body decide, without a
    query per row (access._reporter_reveal_allowed; the tests compare the two)."""
    if report.is_anonymous:
        return ["", "", ""]
    full = may_reveal and reporter_receiver_in_scope(actor, report)
    return [getattr(report, name) if full else MASKS[name](getattr(report, name)) for name in IDENTITY_FIELDS]


def register_csv(actor, qs: QuerySet[PetitionReport], *, include_identity: bool = False) -> Iterator[str]:
    """The register's lines, in the platform's language (core.language)."""
    return lines_in_platform_language(_register_lines(actor, qs, include_identity=include_identity))


def _register_lines(actor, qs: QuerySet[PetitionReport], *, include_identity: bool) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow([*COLUMNS, *(IDENTITY_COLUMNS if include_identity else ())])
    tz = timezone.get_current_timezone()
    may_reveal = include_identity and actor.is_active and may_export_identity(actor)
    for r in qs.iterator(chunk_size=1000):
        row = [
            r.serial_number,
            f"{r.received_at.astimezone(tz):%Y-%m-%d %H:%M}",
            r.get_channel_display(),
            r.get_category_display(),
            r.region.name,
            spreadsheet_cell(r.accused_name),
            spreadsheet_cell(r.accused_unit),
            spreadsheet_cell(r.accused_post),
            r.get_accused_level_display(),
            r.get_matter_display(),
            spreadsheet_cell(r.facts),
            "匿名" if r.is_anonymous else "实名",
            r.get_state_display(),
            r.get_route_display() if r.route else "",
            r.holder.name if r.holder_id else "",
            r.repeat_of.serial_number if r.repeat_of is not None else "",
            r.get_not_accepted_reason_display() if r.not_accepted_reason else "",
            f"{r.acceptance_notified_on:%Y-%m-%d}" if r.acceptance_notified_on else "",
            f"{r.closed_at.astimezone(tz):%Y-%m-%d}" if r.closed_at else "",
            spreadsheet_cell(r.result),
            f"{r.result_notified_on:%Y-%m-%d}" if r.result_notified_on else "",
        ]
        if include_identity:
            row += [spreadsheet_cell(v) for v in _identity(actor, r, may_reveal)]
        yield writer.writerow(row)


def register_filename(actor) -> str:
    return f"信访举报登记簿_{actor.org_unit.name}_{timezone.localdate():%Y%m%d}.csv"
