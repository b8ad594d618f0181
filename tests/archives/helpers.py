"""Builders the archive tests share: ID numbers that pass the check digit, archives, linked reports,
workbooks to import."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jijian.archives import services
from jijian.core.validators import id_number_check_digit
from jijian.petitions.models import PetitionReport


def idn(n: int, area: str = "421321") -> str:
    first17 = f"{area}19800101{n:03d}"
    return first17 + id_number_check_digit(first17)


def make_archive(actor, unit, name="王某", id_number="", **extra):
    return services.archive_create(
        actor=actor,
        name=name,
        org_unit=unit,
        id_number=id_number,
        post=extra.pop("post", "村主任"),
        level=extra.pop("level", "village"),
        notes=extra.pop("notes", "2021年换届当选"),
    )


def linked_report(archive, holder, serial, **extra):
    return PetitionReport.objects.create(
        category="accusation",
        region=archive.org_unit,
        facts="村主任王某优亲厚友的具体事实",
        is_anonymous=False,
        reporter_name="李举报",
        accused_name="王某",
        received_unit=holder,
        holder=holder,
        serial_number=serial,
        archive_id=archive.pk,
        **extra,
    )


HEADER = ["姓名", "身份证号", "所在单位", "职务", "级别", "监察对象类别", "政治面貌"]


def xlsx(rows, header=HEADER, *, merge=None, sheets=1) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    for n in range(1, sheets):
        wb.create_sheet(f"Sheet{n + 1}")
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def upload(data: io.BytesIO, name="persons.xlsx"):
    return SimpleUploadedFile(name, data.getvalue())
