"""The clue statistics as an Excel workbook (the same figures as the page, one sheet per table), and
the audit entry of each export."""

from __future__ import annotations

import io

from jijian.audit.services import audit_record
from jijian.core.language import written_in_platform_language
from jijian.petitions.clues.stats import ClueStats

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@written_in_platform_language
def clue_stats_xlsx(stats: ClueStats, *, unit_name: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "合计"
    ws.append([f"{unit_name} 问题线索统计（{stats.period.start:%Y-%m-%d}至{stats.period.end:%Y-%m-%d}）"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(["登记线索", stats.total])
    ws.append(["批准处置", stats.disposed])
    ws.append(["了结或转立案", stats.ended])
    ws.column_dimensions["A"].width = 20
    for title, rows in (
        ("按线索来源", stats.by_source),
        ("按处置方式", stats.by_disposal),
        ("按四种形态", stats.by_form),
        ("按被反映人级别", stats.by_level),
    ):
        sheet = wb.create_sheet(title)
        sheet.append(["类别", "件数"])
        for _value, label, n in rows:
            sheet.append([str(label), n])
        sheet.column_dimensions["A"].width = 24
    quarters = wb.create_sheet("按季度")
    quarters.append(["季度", "件数"])
    for q, n in stats.by_quarter:
        quarters.append([q, n])
    months = wb.create_sheet("按月")
    months.append(["月份", "件数"])
    for m, n in stats.by_month:
        months.append([f"{m:%Y年%m月}", n])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def clue_stats_export_audit(*, actor, stats: ClueStats, ip_address: str = "") -> None:
    audit_record(
        actor=actor,
        action="clue.stats_export",
        object_type="petitions.clue",
        org_unit_id=actor.org_unit_id,
        ip_address=ip_address,
        summary=f"导出问题线索统计（{stats.period.start:%Y-%m-%d}至{stats.period.end:%Y-%m-%d}）",
        after={"start": str(stats.period.start), "end": str(stats.period.end)},
    )
