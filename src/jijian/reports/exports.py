"""Exports of the report statistics: the statistics table as Excel, every report of a month under a
node as a streamed CSV (rows go out as they are read, so a province-sized export starts at once and
never holds the whole table in memory), and the printable monthly circular (通报) as PDF. Each export
is an audit event ("export"), written before the first byte leaves. The caller has resolved the node
through statistics.stats_node_for (jurisdiction)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone

from jijian.audit.services import audit_record
from jijian.core.models import OrgUnit, User

from .models import SUBMITTED_STATES, ReportState
from .statistics import (
    MEASURE_COLUMNS,
    NodeStats,
    measures_of_report,
    month_reports_for_export,
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
def stats_table_xlsx(stats: NodeStats) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "统计"
    ws.append([f"{stats.node.name} 村级纪检委员履职月报统计（{_period(stats.start, stats.end)}）"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append([stats.child_label, *(label for label, _ in MEASURE_COLUMNS)])
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
    trend.append(["月份", *(label for label, _ in MEASURE_COLUMNS)])
    for item in stats.trend:
        trend.append([item["month"], *(item[attr] for _, attr in MEASURE_COLUMNS)])

    duties = wb.create_sheet("履职事项")
    duties.append(["事项", "代码", "件数", "计为问题线索"])
    for d in stats.duty_counts:
        duties.append([d["name"], d["code"], d["count"], "是" if d["counts_as_clue"] else ""])
    duties.append(["发现问题线索合计", "", stats.clues, ""])

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


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> str:
    """Neutralise spreadsheet formulas in user text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def month_reports_csv(node: OrgUnit, month: date) -> Iterator[str]:
    """CSV lines (UTF-8 with BOM, for Excel) of every report of `month` under `node`, read in chunks
    by a server-side cursor: memory stays flat whatever the size of the node."""
    qs = month_reports_for_export(node, month)
    ancestors: set[int | None] = set()
    for county_id, township_id in qs.order_by().values_list("county_id_at", "township_id_at").distinct():
        ancestors.update((county_id, township_id))
    names: dict[int | None, str] = dict(
        OrgUnit.objects.filter(pk__in=[a for a in ancestors if a is not None]).values_list("pk", "name")
    )
    states = dict(ReportState.choices)
    writer = csv.writer(_Echo())
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
                _cell(r.summary),
                _cell(r.problems),
            ]
        )


# --- the monthly circular (通报) as PDF ---------------------------------------------------------
def circular_context(stats: NodeStats) -> dict:
    month = stats.start
    pending = unsubmitted_of_month(stats.node, month)
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

    html = render_to_string("reports/circular.html", circular_context(stats))
    return HTML(string=html).write_pdf()
