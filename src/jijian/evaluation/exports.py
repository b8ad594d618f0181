"""The year's evaluations as Excel, with the basis of each (the held period, the parts, weights, the
township's assessment, total, grade and coefficient, and 计分说明: why a part was computed by a
fallback of scoring.py). The export is an audit event written before the file leaves."""

from __future__ import annotations

import io

from django.http import HttpResponse

from jijian.attachments.views import content_disposition
from jijian.audit.services import audit_record
from jijian.core.exports import spreadsheet_cell
from jijian.core.language import written_in_platform_language

from .scoring import PART_LABELS, PARTS, held_text, note_texts

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@written_in_platform_language
def evaluations_xlsx(*, actor, rows, year: int, ip_address: str = "") -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年"
    ws.append([f"{actor.org_unit.name} {year}年度村（社区）纪检委员考评"])
    ws["A1"].font = Font(bold=True, size=14)
    header = ["姓名", "村（社区）", "考评细则", "状态", "任职期间"]
    header += [f"{label}得分" for _, label in PARTS] + [f"{label}权重" for _, label in PARTS]
    header += [
        "应报月数",
        "已报月数",
        "月报平均分(%)",
        "必修课程",
        "已学必修",
        "考试最好成绩(%)",
        "派单数",
        "按时办结",
        "乡镇评价意见",
        "总分",
        "等次",
        "补贴系数",
        "计分说明",
    ]
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    count = 0
    for e in rows:
        count += 1
        b = e.basis or {}
        parts, weights = b.get("parts") or {}, b.get("weights") or {}
        r, t, g = b.get("reports") or {}, b.get("training") or {}, b.get("guidance") or {}
        connected = b.get("guidance_connected")
        notes = note_texts(b)
        explained = "；".join(f"{PART_LABELS[k]}：{notes[k]}" for k, _ in PARTS if k in notes)
        ws.append(
            [
                spreadsheet_cell(e.member.full_name),
                spreadsheet_cell(e.org_unit.name),
                spreadsheet_cell(str(e.rubric)),
                e.get_state_display(),
                # The months held, for a member with a post-holding history; else the whole year.
                spreadsheet_cell(held_text(b)) or "全年",
            ]
            + [parts.get(k) if parts.get(k) is not None else "未接入" for k, _ in PARTS]
            + [weights.get(k, "") for k, _ in PARTS]
            + [
                r.get("expected", 0),
                r.get("submitted", 0),
                r.get("average_score_pct") or "",
                t.get("required", 0),
                t.get("required_done", 0),
                t.get("best_percent") or "",
                g.get("issued", 0) if connected else "未接入",
                g.get("on_time", 0) if connected else "未接入",
                spreadsheet_cell(e.township_comment),
                str(e.total or ""),
                e.grade_label,
                str(e.coefficient or ""),
                explained,
            ]
        )
    audit_record(
        actor=actor,
        action="evaluation.export",
        object_type="evaluation.Evaluation",
        org_unit_id=actor.org_unit_id,
        summary=f"导出 {year} 年度考评 {count} 人",
        ip_address=ip_address,
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition(f"{year}年度考评.xlsx")
    return response
