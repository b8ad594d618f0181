"""Exports of the report statistics: the statistics table as Excel, every report of a month under a
node as a streamed CSV (rows go out as they are read, so a province-sized export starts at once and
never holds the whole table in memory) or as Excel written by a task with progress, and the printable monthly circular (通报) as PDF. Each export
is an audit event ("export"), written before the first byte leaves. The caller has resolved the node
through statistics.stats_node_for (jurisdiction)."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import secrets
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta

from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from jijian.audit.services import audit_record
from jijian.core.exports import Echo, spreadsheet_cell
from jijian.core.language import lines_in_platform_language, platform_language, written_in_platform_language
from jijian.core.models import OrgUnit, User
from jijian.core.ops.replicas import on_reporting_db

from .models import SUBMITTED_STATES, MemberKind, MonthlyReport, ReportState
from .statistics import (
    MEASURE_COLUMNS,
    DepartmentStats,
    NodeStats,
    measures_of_report,
    month_reports_for_export,
    stats_node_for,
    unsubmitted_of_month,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_audit(*, actor: User, node: OrgUnit, what: str, period: str, ip_address: str = "") -> None:
    audit_record(
        actor=actor,
        action="export",
        object_type="reports.statistics",
        object_id=node.pk,
        org_unit_id=node.pk,
        summary=f"导出{what}：{node.name} {period}",
        ip_address=ip_address,
    )


def _period(start: date, end: date) -> str:
    return f"{start:%Y-%m}" if start == end else f"{start:%Y-%m}至{end:%Y-%m}"


def stats_filename(stats: NodeStats, suffix: str) -> str:
    return f"{stats.node.name}_{_period(stats.start, stats.end)}_{suffix}"


# --- the statistics table as Excel --------------------------------------------------------------
@written_in_platform_language
def stats_table_xlsx(stats: NodeStats) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "统计"
    ws.append([f"{stats.node.name} 村级纪检委员履职月报统计（{_period(stats.start, stats.end)}）"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append([str(stats.child_label), *(str(label) for label, _ in MEASURE_COLUMNS)])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    if stats.children:
        for row in stats.children:
            ws.append([row.name, *(getattr(row.measures, attr) for _, attr in MEASURE_COLUMNS)])
    else:  # a village: one line per report
        for r in stats.reports:
            m = measures_of_report(r)
            ws.append(
                [f"{r.month:%Y-%m} {r.get_state_display()}", *(getattr(m, a) for _, a in MEASURE_COLUMNS)]
            )
    ws.append(["合计", *(getattr(stats.totals, attr) for _, attr in MEASURE_COLUMNS)])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 24

    trend = wb.create_sheet("趋势")
    trend.append(["月份", *(str(label) for label, _ in MEASURE_COLUMNS)])
    for item in stats.trend:
        trend.append([item["month"], *(item[attr] for _, attr in MEASURE_COLUMNS)])

    duties = wb.create_sheet("履职事项")
    duties.append(["事项", "件数", "计为问题线索"])
    for d in stats.duty_counts:
        duties.append([d["name"], d["count"], "是" if d["counts_as_clue"] else ""])
    duties.append(["发现问题线索合计", stats.clues, ""])

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@written_in_platform_language
def department_stats_xlsx(stats: DepartmentStats) -> bytes:
    """The department members' statistics as Excel: per department over the range with the total,
    the ranking, and the trend per month."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "统计"
    ws.append([f"市直单位纪检委员履职月报统计（{_period(stats.start, stats.end)}）"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(["单位", "派驻纪检监察组", *(str(label) for label, _ in MEASURE_COLUMNS)])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in stats.rows:
        group = (
            row.unit.resident_group.name if row.unit and row.unit.resident_group else "（党风政风监督室审核）"
        )
        ws.append(
            [_xlsx_text(row.name), _xlsx_text(group), *(getattr(row.measures, a) for _, a in MEASURE_COLUMNS)]
        )
    ws.append(["合计", "", *(getattr(stats.total, attr) for _, attr in MEASURE_COLUMNS)])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 24

    ranking = wb.create_sheet("排名")
    ranking.append(["名次", "单位", "按时率%", "上报率%", "应报", "未报"])
    for r in stats.ranking:
        ranking.append(
            [
                r["rank"],
                _xlsx_text(r["name"]),
                r["on_time_rate"],
                r["submission_rate"],
                r["expected"],
                r["missing"],
            ]
        )

    trend = wb.create_sheet("趋势")
    trend.append(["月份", *(str(label) for label, _ in MEASURE_COLUMNS)])
    for item in stats.trend:
        trend.append([item["month"], *(item[attr] for _, attr in MEASURE_COLUMNS)])

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- all reports of a month, streamed ----------------------------------------------------------
REPORT_COLUMNS = (
    "县（市、区）",
    "乡镇（街道）",
    "村（社区）",
    "月份",
    "纪检委员",
    "状态",
    "零报告",
    "截止日期",
    "首次提交时间",
    "是否逾期",
    "逾期天数",
    "退回次数",
    "评分",
    "本月履职情况",
    "发现的问题及处理",
)


def _ancestor_names(qs) -> dict[int | None, str]:
    """Names of the counties and townships the reports belonged to that month (one query)."""
    ancestors: set[int | None] = set()
    for county_id, township_id in qs.order_by().values_list("county_id_at", "township_id_at").distinct():
        ancestors.update((county_id, township_id))
    return dict(
        OrgUnit.objects.using(qs.db)
        .filter(pk__in=[a for a in ancestors if a is not None])
        .values_list("pk", "name")
    )


def month_reports_csv(node: OrgUnit, month: date) -> Iterator[str]:
    """CSV lines (UTF-8 with BOM, for Excel) of every report of `month` under `node`, read in chunks
    by a server-side cursor: memory stays flat whatever the size of the node. In the platform's
    language, as the same export written as Excel by the worker."""
    return lines_in_platform_language(_month_report_lines(node, month))


def _month_report_lines(node: OrgUnit, month: date) -> Iterator[str]:

    def first_read(db: str) -> tuple[QuerySet[MonthlyReport], dict]:
        qs = month_reports_for_export(node, month, db=db)
        return qs, _ancestor_names(qs)

    qs, names = on_reporting_db(first_read)  # the rows then stream from the database that answered
    states = dict(ReportState.choices)
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(REPORT_COLUMNS)
    tz = timezone.get_current_timezone()
    for r in qs.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                names.get(r.county_id_at, ""),
                names.get(r.township_id_at, ""),
                r.village.name,
                f"{r.month:%Y-%m}",
                r.member.full_name if r.member else "",
                states.get(r.state, r.state),
                "是" if r.is_zero_report else "",
                f"{r.deadline:%Y-%m-%d}",
                f"{r.first_submitted_at.astimezone(tz):%Y-%m-%d %H:%M}" if r.first_submitted_at else "",
                "是" if r.is_late else "",
                r.late_days or "",
                r.return_count or "",
                r.score if r.score is not None else "",
                spreadsheet_cell(r.summary),
                spreadsheet_cell(r.problems),
            ]
        )


# --- all reports of a month as Excel, built by a task with progress ----------------------------
# An export is a small record in the cache (who asked, for which node and month, rows done of how
# many, the file once written) under a random id; the file goes to the default storage under
# exports/, which is never served directly: only month_export_file hands it out, to its owner, while
# the node is still in their jurisdiction. Both expire after EXPORT_TTL.
EXPORT_TTL = 24 * 3600
EXPORT_DIR = "exports"
PROGRESS_EVERY = 500  # rows between two progress writes to the cache
_EXPORT_ID = re.compile(r"^[0-9a-f]{32}$")


def _export_key(export_id: str) -> str:
    return f"reports:month-export:{export_id}"


def _xlsx_text(value: object) -> str:
    """User text for a cell: formulas neutralised as in the CSV, and the control characters that an
    .xlsx cannot hold removed (openpyxl refuses them, which would fail the whole export)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", spreadsheet_cell(value))


def _count(value: object) -> int | str:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return _xlsx_text(value)


def month_export_start(*, user: User, node: OrgUnit, month: date, ip_address: str = "") -> str:
    """Start the Excel export of every report of `month` under `node` (already resolved through
    stats_node_for) for `user`; audited now. Returns the export id. The task runs in the worker (at
    once when Celery is eager): it reads only committed reports, so it need not wait for a commit."""
    from .tasks_exports import month_reports_xlsx

    _exports_sweep()
    export_id = secrets.token_hex(16)
    total = on_reporting_db(lambda db: month_reports_for_export(node, month, db=db).count())
    cache.set(
        _export_key(export_id),
        {
            "owner_id": user.pk,
            "node_id": node.pk,
            "node_name": node.name,
            "month": month.isoformat(),
            "state": "queued",
            "done": 0,
            "total": total,
            "file": "",
            "error": "",
        },
        EXPORT_TTL,
    )
    export_audit(
        actor=user, node=node, what="全部月报（Excel）", period=f"{month:%Y-%m}", ip_address=ip_address
    )
    month_reports_xlsx.delay(export_id)
    return export_id


@written_in_platform_language  # a worker has no reader: run at once (eager), the same words
def month_export_run(*, export_id: str) -> str:
    """Write the workbook (openpyxl write-only: memory stays flat) and record progress. Safe to run
    twice: a finished export is left as it is; an interrupted one starts over."""
    from openpyxl import Workbook

    from .models import DutyType

    record = cache.get(_export_key(export_id))
    if record is None or record["state"] == "done":
        return record["state"] if record else "expired"
    node = OrgUnit.objects.get(pk=record["node_id"])
    month = date.fromisoformat(record["month"])
    qs = month_reports_for_export(node, month)
    record.update(state="running", done=0, total=qs.count())
    cache.set(_export_key(export_id), record, EXPORT_TTL)
    try:
        duty_types = list(
            DutyType.objects.filter(year=month.year, member_kind=MemberKind.VILLAGE).order_by(
                "sort_order", "pk"
            )
        )
        names = _ancestor_names(qs)
        states = dict(ReportState.choices)
        tz = timezone.get_current_timezone()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("全部月报")
        ws.append([*REPORT_COLUMNS[:13], *(_xlsx_text(d.name) for d in duty_types), *REPORT_COLUMNS[13:]])
        done = 0
        for r in qs.iterator(chunk_size=2000):
            ws.append(
                [
                    _xlsx_text(names.get(r.county_id_at, "")),
                    _xlsx_text(names.get(r.township_id_at, "")),
                    _xlsx_text(r.village.name),
                    f"{r.month:%Y-%m}",
                    _xlsx_text(r.member.full_name if r.member else ""),
                    str(states.get(r.state, r.state)),  # a lazy label: openpyxl needs a str
                    "是" if r.is_zero_report else "",
                    f"{r.deadline:%Y-%m-%d}",
                    f"{r.first_submitted_at.astimezone(tz):%Y-%m-%d %H:%M}" if r.first_submitted_at else "",
                    "是" if r.is_late else "",
                    r.late_days or None,
                    r.return_count or None,
                    float(r.score) if r.score is not None else None,
                    *(_count((r.counts or {}).get(d.code, 0)) for d in duty_types),
                    _xlsx_text(r.summary),
                    _xlsx_text(r.problems),
                ]
            )
            done += 1
            if done % PROGRESS_EVERY == 0:
                record["done"] = done
                cache.set(_export_key(export_id), record, EXPORT_TTL)
        with tempfile.TemporaryFile(suffix=".xlsx") as tmp:
            wb.save(tmp)
            tmp.seek(0)
            name = default_storage.save(f"{EXPORT_DIR}/{export_id}.xlsx", File(tmp))
    except Exception:
        record.update(state="failed", error="导出失败，请重新导出")
        cache.set(_export_key(export_id), record, EXPORT_TTL)
        raise
    record.update(state="done", done=done, total=done, file=name)
    cache.set(_export_key(export_id), record, EXPORT_TTL)
    return "done"


def month_export_for(*, user: User, export_id: str) -> dict:
    """The export `export_id` if `user` started it and may still see its node; else 404 (the same
    answer for an unknown, expired or someone else's export)."""
    record = cache.get(_export_key(export_id)) if _EXPORT_ID.match(export_id or "") else None
    if record is None or record["owner_id"] != user.pk:
        raise Http404
    stats_node_for(user, record["node_id"])  # jurisdiction again: it may have changed since
    total = record["total"]
    return {
        **record,
        "id": export_id,
        "month": date.fromisoformat(record["month"]),
        "percent": 100 if record["state"] == "done" else (record["done"] * 100 // total if total else 0),
        "filename": f"{record['node_name']}_{record['month'][:7]}_全部月报.xlsx",
    }


def month_export_file(*, user: User, export_id: str):
    """The finished workbook of `user`'s export as an open file, and its download name; 404 when
    it is not finished (or not theirs)."""
    export = month_export_for(user=user, export_id=export_id)
    if export["state"] != "done" or not default_storage.exists(export["file"]):
        raise Http404
    return default_storage.open(export["file"], "rb"), export["filename"]


def _exports_sweep() -> None:
    """Remove export files older than EXPORT_TTL (their cache records are gone too)."""
    cutoff = timezone.now() - timedelta(seconds=EXPORT_TTL)
    with contextlib.suppress(FileNotFoundError, NotImplementedError, OSError):
        for filename in default_storage.listdir(EXPORT_DIR)[1]:
            path = f"{EXPORT_DIR}/{filename}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)


# --- the monthly circular (通报) as PDF ---------------------------------------------------------
def circular_context(stats: NodeStats) -> dict:
    month = stats.start
    pending = unsubmitted_of_month(stats.node, month, db=stats.db)
    return {
        "stats": stats,
        "month": month,
        "columns": MEASURE_COLUMNS,
        "missing": [r for r in pending if r.state not in SUBMITTED_STATES],
        "late": [r for r in pending if r.is_late and r.state in SUBMITTED_STATES],
        "issued_on": timezone.localdate(),
    }


def circular_pdf(stats: NodeStats) -> bytes:
    """The printable circular of one month for a node, in Chinese (font: Noto Sans CJK SC, embedded)."""
    from weasyprint import HTML

    with platform_language():  # an official document: in its prescribed wording
        html = render_to_string("reports/circular.html", circular_context(stats))
    return HTML(string=html).write_pdf()
