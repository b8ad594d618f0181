"""The archive list as Excel (who is on file, never the content), watermarked with who exported it."""

from __future__ import annotations

import io

from django.utils import timezone

from jijian.core.sensitive.crypto import mask_id_number

HEADER = ["姓名", "身份证号", "所在单位", "职务", "级别", "监察对象类别", "政治面貌"]
MAX_ROWS = 20000


def archive_list_xlsx(archives, *, viewer) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "廉情档案名单"
    who = viewer.full_name or viewer.username
    ws.append([f"廉情档案名单 · 导出：{who} {timezone.localtime():%Y-%m-%d %H:%M} · 内部资料 注意保密"])
    ws["A1"].font = Font(bold=True, color="B91C1C")
    ws.append(HEADER)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for a in archives[:MAX_ROWS]:
        ws.append(
            [
                a.name,
                mask_id_number(a.id_number),
                a.org_unit.name,
                a.post,
                str(a.get_level_display()),
                str(a.get_category_display()),
                str(a.get_party_status_display()),
            ]
        )
    if len(archives) > MAX_ROWS:
        ws.append([f"仅导出前{MAX_ROWS}人，请缩小范围后再导出"])
    ws.oddHeader.center.text = f"{who} {timezone.localtime():%Y-%m-%d %H:%M}"
    for col, width in zip("ABCDEFG", (10, 22, 24, 20, 14, 30, 12), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
