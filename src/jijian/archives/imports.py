"""Import of supervised persons (new archives) from Excel: all or nothing. The workbook must have one
sheet, no merged cells, and the header row below (Chinese labels; 姓名 and 所在单位 required, no
unknown column). Every bad row is named with its column and problem; if any row is bad, or the file
is, nothing is written. Each archive is created through services.archive_create (audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy

from jijian.core.access import unit_scope_q
from jijian.core.language import platform_language
from jijian.core.models import CadreLevel, OrgUnit
from jijian.core.sensitive.crypto import blind_index
from jijian.core.validators import validate_id_number

from . import services
from .access import can_keep
from .models import IntegrityArchive, PartyStatus, RecordKind, SupervisedCategory

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_ROWS = 5000
COLUMNS = {
    "姓名": "name",
    "身份证号": "id_number",
    "所在单位": "org_unit",
    "职务": "post",
    "级别": "level",
    "监察对象类别": "category",
    "政治面貌": "party_status",
    "备注": "notes",
}
REQUIRED = ("姓名", "所在单位")


def _labels(choices) -> dict[str, str]:
    """A choice as a file may name it: its label in the source language (a file's words are, whatever
    language the importer reads the pages in), or its key."""
    with platform_language():
        return {str(label): value for value, label in choices} | {value: value for value, _ in choices}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return gettext("第%(row)s行，%(column)s：%(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class ImportRefused(ValidationError):
    """The file or some rows are bad: `messages` names each problem; nothing was written."""


def read_sheet(
    fh: IO[bytes], *, columns: dict[str, str], required: tuple[str, ...], max_rows: int = MAX_ROWS
) -> list[tuple[int, dict[str, str]]]:
    """The rows of a one-sheet workbook whose first row is a header of `columns` (Chinese label →
    field; the `required` labels must be there, no other label may): [(row number, {field: text})],
    blank rows skipped. Refuses, naming why, a file that is not a workbook, more than one sheet,
    merged cells, a missing, unknown or repeated column, no data row, more than `max_rows` rows.
    The one reader of every archive import (persons and each section)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(fh, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is one message
        raise ImportRefused(gettext("无法读取该文件，请上传 Excel（.xlsx）文件")) from None
    if len(wb.worksheets) != 1:
        raise ImportRefused(
            gettext("文件含有%(count)s个工作表，请只保留一个工作表") % {"count": len(wb.worksheets)}
        )
    ws = wb.worksheets[0]
    if ws.merged_cells.ranges:
        cells = "、".join(str(r) for r in list(ws.merged_cells.ranges)[:5])
        raise ImportRefused(
            gettext("工作表含有合并单元格（%(cells)s），请取消合并后再导入") % {"cells": cells}
        )
    table = [[_text(c) for c in row] for row in ws.iter_rows(values_only=True)]
    if not table or not any(table[0]):
        raise ImportRefused(gettext("文件为空或缺少表头"))
    if len(table) > max_rows + 1:
        raise ImportRefused(gettext("一次最多导入%(max_rows)s行，请拆分后导入") % {"max_rows": max_rows})
    header = table[0]
    unknown = [h for h in header if h and h not in columns]
    missing = [h for h in required if h not in header]
    problems = []
    if missing:
        problems.append("缺少必需的列：" + "、".join(missing))
    if unknown:
        problems.append("无法识别的列：" + "、".join(unknown) + "（可用的列：" + "、".join(columns) + "）")
    if len({h for h in header if h}) != len([h for h in header if h]):
        problems.append(gettext("表头有重复的列"))
    if problems:
        raise ImportRefused(problems)
    rows = []
    for n, raw in enumerate(table[1:], start=2):
        if any(raw):
            rows.append((n, {columns[h]: raw[i] if i < len(raw) else "" for i, h in enumerate(header) if h}))
    if not rows:
        raise ImportRefused(gettext("文件中没有数据行"))
    return rows


def _text(cell) -> str:
    """A cell as text: a date cell as 2026-01-05, a whole number without ".0"."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time.min else cell.isoformat(sep=" ")
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _read(fh: IO[bytes]) -> list[tuple[int, dict[str, str]]]:
    return read_sheet(fh, columns=COLUMNS, required=REQUIRED)


def import_archives(fh: IO[bytes], *, actor) -> int:
    """Create one archive per row; returns how many. Raises ImportRefused naming every problem."""
    if not can_keep(actor):
        raise ImportRefused(gettext("无权导入"))
    rows = _read(fh)
    labels = {
        "level": _labels(CadreLevel.choices),
        "category": _labels(SupervisedCategory.choices),
        "party_status": _labels(PartyStatus.choices),
    }
    defaults = {
        "level": CadreLevel.OTHER,
        "category": SupervisedCategory.OTHER,
        "party_status": PartyStatus.NONE,
    }
    words = {"level": "级别", "category": "监察对象类别", "party_status": "政治面貌"}
    units_wanted = {r["org_unit"] for _, r in rows if r.get("org_unit")}
    in_scope = OrgUnit.objects.filter(unit_scope_q(actor), is_active=True).filter(
        Q(code__in=units_wanted) | Q(name__in=units_wanted)
    )
    by_code = {u.code: u for u in in_scope if u.code}
    by_name: dict[str, list[OrgUnit]] = {}
    for u in in_scope:
        by_name.setdefault(u.name, []).append(u)
    ids: dict[str, list[int]] = {}
    for n, r in rows:
        if r.get("id_number"):
            ids.setdefault(blind_index(r["id_number"].upper()), []).append(n)
    on_file = set(
        IntegrityArchive.objects.filter(is_active=True, id_number_index__in=list(ids)).values_list(
            "id_number_index", flat=True
        )
    )
    errors: list[RowError] = []
    planned: list[dict[str, Any]] = []
    for n, r in rows:
        bad = len(errors)
        data: dict[str, Any] = {
            "name": r.get("name", ""),
            "post": r.get("post", ""),
            "notes": r.get("notes", ""),
        }
        if not data["name"]:
            errors.append(RowError(n, "姓名", gettext("不能为空")))
        elif len(data["name"]) > 100:
            errors.append(RowError(n, "姓名", gettext("不超过100字")))
        if len(data["post"]) > 100:
            errors.append(RowError(n, "职务", gettext("不超过100字")))
        unit_text = r.get("org_unit", "")
        unit = by_code.get(unit_text)
        if unit is None:
            named = by_name.get(unit_text, [])
            if len(named) == 1:
                unit = named[0]
            elif not unit_text:
                errors.append(RowError(n, "所在单位", gettext("不能为空")))
            elif named:
                errors.append(
                    RowError(
                        n,
                        "所在单位",
                        gettext("“%(unit_text)s”有多个同名单位，请填写单位代码") % {"unit_text": unit_text},
                    )
                )
            else:
                errors.append(
                    RowError(
                        n,
                        "所在单位",
                        gettext("“%(unit_text)s”不是本机关管辖范围内的单位") % {"unit_text": unit_text},
                    )
                )
        data["org_unit"] = unit
        id_number = (r.get("id_number") or "").upper()
        if id_number:
            try:
                validate_id_number(id_number)
            except ValidationError as error:
                errors.append(RowError(n, "身份证号", " ".join(error.messages)))
            else:
                key = blind_index(id_number)
                if key in on_file:
                    errors.append(RowError(n, "身份证号", gettext("该身份证号已有廉情档案")))
                elif ids[key][0] != n:
                    errors.append(
                        RowError(n, "身份证号", gettext("与第%(first)s行重复") % {"first": ids[key][0]})
                    )
        data["id_number"] = id_number
        for field, table in labels.items():
            text = r.get(field, "")
            if text and text not in table:
                errors.append(RowError(n, words[field], gettext("“%(text)s”不是可选的值") % {"text": text}))
            data[field] = table.get(text, defaults[field]) if text else defaults[field]
        if len(errors) == bad:
            planned.append(data)
    if errors:
        raise ImportRefused([str(e) for e in errors])
    with transaction.atomic():
        for data in planned:
            services.archive_create(actor=actor, **data)
    return len(planned)


# --- the archive's sections ----------------------------------------------------------------------
# Each row names the person by the archive's ID number (身份证号, through its blind index) or by the
# archive's number (档案编号, shown on the archive page) — an archive without an ID number has only
# the latter. The entry itself goes through the section's own service (services.family_add, …), the
# same rules as the page, inside one transaction: any bad row and nothing stays.
PERSON_COLUMNS = {"身份证号": "id_number", "档案编号": "archive"}
COMMON_COLUMNS = {"材料来源": "source", "材料日期": "recorded_on"}


@dataclass(frozen=True)
class Section:
    key: str
    label: StrOrPromise
    columns: dict[str, str]
    required: tuple[str, ...]


SECTIONS: dict[str, Section] = {
    s.key: s
    for s in (
        Section(
            "family",
            gettext_lazy("家庭成员及从业情况"),
            {
                "关系": "relation",
                "家庭成员姓名": "name",
                "工作单位": "employer",
                "职务或从业情况": "occupation",
            },
            ("关系", "家庭成员姓名", "材料来源", "材料日期"),
        ),
        Section(
            "matters",
            gettext_lazy("个人有关事项报告"),
            {"报告年度": "year", "报告事项": "items", "内容摘要": "summary"},
            ("报告年度", "材料来源", "材料日期"),
        ),
        Section(
            "sanction",
            gettext_lazy("处分及组织处理"),
            {
                "处分或处理": "kind",
                "决定日期": "decided_on",
                "察看期（月）": "probation_months",
                "决定机关": "authority",
                "事由": "reason",
            },
            ("处分或处理", "决定日期", "材料来源"),
        ),
        *(
            Section(
                kind.value,
                kind.label,  # lazy: shown in the reader's language
                {"内容": "summary", **({"价值（元）": "amount"} if kind == RecordKind.GIFT else {})},
                ("内容", "材料来源", "材料日期"),
            )
            for kind in RecordKind
        ),
    )
}
SECTION_MAX_ROWS = 2000


def section_columns(key: str) -> list[str]:
    section = SECTIONS[key]
    return [*PERSON_COLUMNS, *section.columns, *COMMON_COLUMNS]


def _date(text: str, column: str) -> date | None:
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(
        gettext("%(column)s“%(text)s”不是日期（应为 年-月-日，如 2026-01-05）")
        % {"column": column, "text": text}
    )


def _sanction_kinds() -> dict[str, str]:
    """What a sanction cell may say: the name on the archive (党内警告, 政务警告, 记过, …), or the track
    and the label (党纪处分警告, 政务处分警告), or the key."""
    from .sanctions import SANCTIONS, TRACKS

    out: dict[str, str] = {}
    with platform_language():  # a file's words are the source language's
        for kind in SANCTIONS.values():
            label = str(kind.label)
            out[kind.key] = kind.key
            out[str(kind.name)] = kind.key
            out[str(TRACKS[kind.track]) + label] = kind.key
            out.setdefault(label, kind.key)  # 警告 alone is ambiguous: the party's (first) is not guessed
    out.pop("警告", None)
    return out


def _entry_fields(section: Section, r: dict[str, str]) -> dict[str, Any]:
    """The service's keyword arguments from a row's text; raises ValidationError (Chinese)."""
    from decimal import Decimal, InvalidOperation

    from .models import FamilyRelation, MattersItem

    data: dict[str, Any] = {
        "source": r.get("source", ""),
        "recorded_on": _date(r.get("recorded_on", ""), "材料日期"),
    }
    if section.key == "family":
        relations = _labels(FamilyRelation.choices)
        text = r.get("relation", "")
        if text not in relations:
            raise ValidationError(
                gettext("关系“%(text)s”不是可选的值（%(items)s）")
                % {"text": text, "items": "、".join(str(c.label) for c in FamilyRelation)}
            )
        data |= {
            "relation": relations[text],
            "name": r.get("name", ""),
            "employer": r.get("employer", ""),
            "occupation": r.get("occupation", ""),
        }
    elif section.key == "matters":
        text = r.get("year", "").removesuffix("年度").removesuffix("年")
        if not text.isdigit():
            raise ValidationError(
                gettext("报告年度“%(year)s”应为年份，如 2025") % {"year": r.get("year", "")}
            )
        items = _labels(MattersItem.choices)
        chosen = _split_items(r.get("items", ""))
        bad = [i for i in chosen if i not in items]
        if bad:
            raise ValidationError(gettext("报告事项“%(items)s”不是可选的值") % {"items": "、".join(bad)})
        data |= {"year": int(text), "items": [items[i] for i in chosen], "summary": r.get("summary", "")}
    elif section.key == "sanction":
        kinds = _sanction_kinds()
        text = r.get("kind", "")
        if text not in kinds:
            hint = "（警告请写明党内警告或政务警告）" if text == "警告" else ""
            raise ValidationError(
                gettext("处分或处理“%(text)s”不是可选的值%(hint)s") % {"text": text, "hint": hint}
            )
        months = r.get("probation_months", "") or "0"
        if not months.isdigit():
            raise ValidationError(gettext("察看期（月）“%(months)s”应为12或24") % {"months": months})
        decided = _date(r.get("decided_on", ""), "决定日期")
        data |= {
            "kind": kinds[text],
            "decided_on": decided,
            "probation_months": int(months),
            "authority": r.get("authority", ""),
            "reason": r.get("reason", ""),
            "recorded_on": data["recorded_on"] or decided,
        }
    else:
        amount = None
        if r.get("amount"):
            try:
                amount = Decimal(r["amount"].replace(",", ""))
            except InvalidOperation:
                raise ValidationError(
                    gettext("价值（元）“%(amount)s”不是金额") % {"amount": r["amount"]}
                ) from None
        data |= {"kind": section.key, "summary": r.get("summary", "")}
        if section.key == RecordKind.GIFT:
            data["amount"] = amount
    return data


def _split_items(text: str) -> list[str]:
    """ "房产、投资（股票、基金、保险、企业）" → ["房产", "投资（股票、基金、保险、企业）"]: split on 、，;
    and new lines, never inside brackets."""
    items, current, depth = [], "", 0
    for ch in text:
        depth += ch in "（(" and 1 or 0
        depth -= ch in "）)" and 1 or 0
        if depth <= 0 and ch in "、,，;；\n":
            items.append(current)
            current, depth = "", 0
        else:
            current += ch
    items.append(current)
    return [i.strip() for i in items if i.strip()]


_ADD = {"family": "family_add", "matters": "matters_add", "sanction": "sanction_add"}


def import_section(fh: IO[bytes], *, section: str, actor) -> int:
    """Add one entry of `section` per row to the archive the row names; returns how many. All or
    nothing: raises ImportRefused naming every bad row (its person, its fields, what the section's
    service refuses — e.g. a second report on the same year)."""
    from .access import archives_visible_to

    if not can_keep(actor):
        raise ImportRefused(gettext("无权导入"))
    if section not in SECTIONS:
        raise ImportRefused(gettext("请选择要导入的档案内容"))
    spec = SECTIONS[section]
    columns = {**PERSON_COLUMNS, **spec.columns, **COMMON_COLUMNS}
    rows = read_sheet(fh, columns=columns, required=spec.required, max_rows=SECTION_MAX_ROWS)
    header = set(rows[0][1])
    if not header & set(PERSON_COLUMNS.values()):
        raise ImportRefused(gettext("缺少必需的列：身份证号或档案编号（至少一列，用以确定档案）"))
    # The archives the rows name, in one query each way, among those the keeper may open (scope and
    # recusal): any other is "not found", as on the pages.
    visible = archives_visible_to(actor).select_related("org_unit")
    keys = {blind_index(r["id_number"].upper()) for _, r in rows if r.get("id_number")}
    pks = {int(r["archive"]) for _, r in rows if (r.get("archive") or "").isdigit()}
    by_key = {a.id_number_index: a for a in visible.filter(id_number_index__in=keys)} if keys else {}
    by_pk = {a.pk: a for a in visible.filter(pk__in=pks)} if pks else {}
    add = getattr(services, _ADD.get(section, "record_add"))
    errors: list[str] = []
    made = 0
    with transaction.atomic():
        for n, r in rows:
            id_number, number = (r.get("id_number") or "").upper(), (r.get("archive") or "")
            archive = None
            if number:
                archive = by_pk.get(int(number)) if number.isdigit() else None
                if archive is None:
                    errors.append(
                        str(
                            RowError(
                                n,
                                "档案编号",
                                gettext("未找到编号为“%(number)s”的廉情档案") % {"number": number},
                            )
                        )
                    )
                    continue
            if id_number:
                found = by_key.get(blind_index(id_number))
                if found is None or (archive is not None and found.pk != archive.pk):
                    errors.append(
                        str(
                            RowError(
                                n,
                                "身份证号",
                                "未找到该身份证号的廉情档案" if found is None else "与档案编号不是同一人",
                            )
                        )
                    )
                    continue
                archive = found
            if archive is None:
                errors.append(gettext("第%(row)s行：请填写身份证号或档案编号") % {"row": n})
                continue
            try:
                fields = _entry_fields(spec, r)
                with transaction.atomic():
                    add(actor=actor, archive=archive, **fields)
            except ValidationError as error:
                errors.append(f"第{n}行（{archive.name}）：" + "；".join(error.messages))
            else:
                made += 1
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ImportRefused(errors)
    return made
