"""The office's board as Excel: one row per organisation, ranked (selectors.ranked), with the grade.
The export is an audit event written before the file leaves."""

from __future__ import annotations

import io

from django.http import HttpResponse

from jijian.attachments.views import content_disposition
from jijian.audit.services import audit_record
from jijian.core.exports import spreadsheet_cell
from jijian.core.language import written_in_platform_language

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = [
    "排名",
    "党组织",
    "所属",
    "已完成",
    "逾期补录",
    "临近时限",
    "即将逾期",
    "已逾期",
    "按时完成率(%)",
    "约谈",
    "考核等次",
    "得分",
]


@written_in_platform_language
def board_xlsx(*, actor, rows, year: int, ip_address: str = "") -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年"
    ws.append([f"{actor.org_unit.name} {year}年度落实主体责任情况"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(COLUMNS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for rank, r in enumerate(rows, start=1):
        t = r.totals
        ws.append(
            [
                rank,
                spreadsheet_cell(r.org.name),
                spreadsheet_cell(r.org.parent.name if r.org.parent else ""),
                t.get("done", 0),
                t.get("done_late", 0),
                t.get("blue", 0),
                t.get("yellow", 0),
                t.get("overdue", 0),
                r.on_time_share if r.on_time_share is not None else "",
                r.interviews,
                r.assessment.get_grade_display() if r.assessment else "",
                r.assessment.score if r.assessment else "",
            ]
        )
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 24
    out = io.BytesIO()
    wb.save(out)
    audit_record(
        actor=actor,
        action="export",
        object_type="responsibility.board",
        object_id=actor.org_unit_id,
        org_unit_id=actor.org_unit_id,
        summary=f"导出主体责任监督情况：{actor.org_unit.name} {year}年（{len(rows)} 个党组织）",
        ip_address=ip_address,
    )
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition(f"{year}年主体责任监督情况.xlsx")
    return response
