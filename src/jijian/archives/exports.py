"""The archive list as Excel (who is on file, never the content), watermarked with who exported it."""

from __future__ import annotations

import io

from django.utils import timezone

from jijian.core.language import written_in_platform_language
from jijian.core.models import CadreLevel
from jijian.core.sensitive.crypto import mask_id_number

from .models import PartyStatus, SupervisedCategory

HEADER = ["姓名", "身份证号", "所在单位", "职务", "级别", "监察对象类别", "政治面貌"]
MAX_ROWS = 20000


def _label(choices, code: str) -> str:
    return str(dict(choices).get(code, code))


@written_in_platform_language
def archive_list_xlsx(archives, *, viewer) -> bytes:
    """`archives`: rows of selectors.archive_list(with_id_number=True)."""
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
                a["name"],
                mask_id_number(a["id_number"]),
                a["org_unit__name"],
                a["post"],
                _label(CadreLevel.choices, a["level"]),
                _label(SupervisedCategory.choices, a["category"]),
                _label(PartyStatus.choices, a["party_status"]),
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
