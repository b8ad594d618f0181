"""All-or-nothing imports of the org tree and of people from CSV or Excel. Every bad row is named with
its column and problem; if any row is bad, nothing is written."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from jijian.audit.services import audit_record
from jijian.core.language import platform_language
from jijian.core.models import ALLOWED_PARENT_KINDS, ZONE_ASSIGNABLE_KINDS, OrgKind, OrgUnit, User, UserRole
from jijian.core.orgs.pinyin import initials
from jijian.core.roles import Role, role_fits_unit, role_unit_words
from jijian.core.services import fill_ancestors, validate_role_combination
from jijian.core.validators import validate_id_number, validate_mobile, validate_unit_code

MAX_ROWS = 200_000

# A file's words are the source language's, whatever language the importer reads the pages in.
with platform_language():
    KIND_BY_LABEL = {str(label): value for value, label in OrgKind.choices} | {v: v for v in OrgKind.values}
    ROLE_BY_LABEL = {str(label): value for value, label in Role.choices} | {v: v for v in Role.values}

ORG_COLUMNS = {
    "code": "代码",
    "name": "名称",
    "kind": "类型",
    "parent_code": "上级代码",
    "management_zone": "代管管理区",
    # A department's overseeing resident group (派驻纪检监察组), by its code: optional.
    "resident_group": "派驻纪检监察组",
}
PEOPLE_COLUMNS = {
    "username": "用户名",
    "full_name": "姓名",
    "org_code": "单位代码",
    "roles": "角色",
    "phone": "手机号码",
    "id_number": "身份证号",
    "position": "职务",
}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return gettext("第 %(row)s 行，%(column)s：%(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(Exception):
    pass


def read_table(path: Path, columns: dict[str, str]) -> list[tuple[int, dict[str, str]]]:
    """Rows as (spreadsheet row number, {english column: text}). Headers may be English or Chinese."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFileError(gettext("无法识别文件编码（请使用 UTF-8 或 GB18030）"))
        table = list(csv.reader(io.StringIO(text)))
    elif suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any corrupt workbook is one message
            raise ImportFileError(
                gettext("无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式，请用 Excel 另存为 .xlsx 后重试")
            ) from None
        ws = wb.worksheets[0]
        table = [["" if c is None else str(c) for c in row] for row in ws.iter_rows(values_only=True)]
    else:
        raise ImportFileError(gettext("只支持 .csv 或 .xlsx 文件"))
    if not table:
        raise ImportFileError(gettext("文件为空"))
    if len(table) > MAX_ROWS + 1:
        raise ImportFileError(gettext("文件超过 %(MAX_ROWS)s 行，请拆分后导入") % {"MAX_ROWS": MAX_ROWS})
    header = [h.strip() for h in table[0]]
    by_label = {zh: en for en, zh in columns.items()} | {en: en for en in columns}
    mapping = {}
    for i, h in enumerate(header):
        if h in by_label:
            mapping[i] = by_label[h]
    missing = [
        f"{en}（{zh}）"
        for en, zh in columns.items()
        if en not in mapping.values() and en in ("name", "kind", "username", "full_name", "org_code", "code")
    ]
    if missing:
        raise ImportFileError("缺少必需的列：" + "、".join(missing))
    rows = []
    for n, raw_row in enumerate(table[1:], start=2):
        if not any((c or "").strip() for c in raw_row):
            continue
        rows.append((n, {mapping[i]: (raw_row[i] or "").strip() for i in mapping if i < len(raw_row)}))
    return rows


def import_org_units(path: Path, *, actor=None) -> ImportResult:
    rows = read_table(path, ORG_COLUMNS)
    result = ImportResult()
    err = result.errors
    codes_in_file: dict[str, int] = {}
    existing = dict(OrgUnit.objects.exclude(code__isnull=True).values_list("code", "kind"))
    parsed = []
    groups: dict[str, tuple[int, str, str | None]] = {}
    for n, row in rows:
        code, name = row.get("code", ""), row.get("name", "")
        kind = KIND_BY_LABEL.get(row.get("kind", ""))
        if not name:
            err.append(RowError(n, "名称", gettext("不能为空")))
        elif len(name) > 100:
            err.append(RowError(n, "名称", gettext("不能超过100个字")))
        if kind is None:
            err.append(RowError(n, "类型", gettext("未知类型“%(kind)s”") % {"kind": row.get("kind", "")}))
        try:  # the rule of the 新建下级单位 and 修改代码 forms
            validate_unit_code(code)
        except ValidationError as error:
            bad_code = gettext("代码“%(code)s”格式不正确：%(why)s") % {"code": code, "why": error.messages[0]}
        else:
            bad_code = ""
        if not code:
            err.append(RowError(n, "代码", gettext("不能为空（用于确定上下级关系）")))
        elif bad_code:
            err.append(RowError(n, "代码", bad_code))
        elif code in codes_in_file:
            err.append(
                RowError(
                    n,
                    "代码",
                    gettext("代码 %(code)s 与第 %(first)s 行重复")
                    % {"code": code, "first": codes_in_file[code]},
                )
            )
        elif code in existing:
            err.append(RowError(n, "代码", gettext("代码 %(code)s 已存在于系统中") % {"code": code}))
        else:
            codes_in_file[code] = n
        parsed.append((n, code, name, kind, row.get("parent_code", ""), row.get("management_zone", "")))
        group = row.get("resident_group", "")
        if group:
            groups[code] = (n, group, kind)
    kinds_in_file = {code: kind for _, code, _, kind, _, _ in parsed if code}
    for n, group, kind in groups.values():
        if kind != OrgKind.DEPARTMENT:
            err.append(RowError(n, "派驻纪检监察组", gettext("只有市直单位可以填写派驻纪检监察组")))
        elif (kinds_in_file.get(group) or existing.get(group)) != OrgKind.RESIDENT_GROUP:
            err.append(
                RowError(n, "派驻纪检监察组", gettext("%(group)s 不是派驻纪检监察组") % {"group": group})
            )
    for n, code, _name, kind, parent_code, zone in parsed:
        if kind is None:
            continue
        parent_kind = (kinds_in_file.get(parent_code) or existing.get(parent_code)) if parent_code else None
        if zone:
            zone_kind = kinds_in_file.get(zone) or existing.get(zone)
            if zone_kind != OrgKind.MANAGEMENT_ZONE:
                err.append(RowError(n, "代管管理区", gettext("%(zone)s 不是管理区") % {"zone": zone}))
            elif kind not in ZONE_ASSIGNABLE_KINDS:  # as on the manage page (org_unit_update)
                err.append(
                    RowError(
                        n,
                        "代管管理区",
                        gettext("%(label)s不能由管理区代管，只有乡镇（街道）可以")
                        % {"label": OrgKind(kind).label},
                    )
                )
            elif parent_kind == OrgKind.MANAGEMENT_ZONE:
                err.append(
                    RowError(
                        n,
                        "代管管理区",
                        gettext("直属于管理区 %(parent_code)s 的单位不能再由其他管理区代管")
                        % {"parent_code": parent_code},
                    )
                )
        allowed = ALLOWED_PARENT_KINDS[kind]
        if not parent_code:
            if allowed:
                err.append(
                    RowError(
                        n, "上级代码", gettext("%(label)s必须有上级单位") % {"label": OrgKind(kind).label}
                    )
                )
            continue
        if parent_kind is None:
            err.append(
                RowError(
                    n, "上级代码", gettext("上级单位 %(parent_code)s 不存在") % {"parent_code": parent_code}
                )
            )
        elif parent_kind not in allowed:
            err.append(
                RowError(
                    n,
                    "上级代码",
                    gettext("%(kind)s不能设在%(parent_kind)s之下")
                    % {"kind": OrgKind(kind).label, "parent_kind": OrgKind(parent_kind).label},
                )
            )
        if parent_code == code:
            err.append(RowError(n, "上级代码", gettext("上级不能是自己")))
    if err:
        return result
    # Cycles within the file (a parent chain that never reaches an existing unit or a root).
    parent_of = {code: p for _, code, _, _, p, _ in parsed}
    for n, code, *_ in parsed:
        seen, cur = set(), code
        while cur in parent_of and cur not in seen:
            seen.add(cur)
            cur = parent_of[cur]
        if cur in seen:
            err.append(RowError(n, "上级代码", gettext("上下级关系形成循环")))
    if err:
        return result
    with transaction.atomic():
        units = {
            u.code: u
            for u in OrgUnit.objects.filter(
                code__in=[p for *_, p, _ in parsed if p] + [z for *_, z in parsed if z]
            )
        }
        pending = list(parsed)
        while pending:
            progressed, rest = False, []
            for item in pending:
                n, code, name, kind, parent_code, zone = item
                assert kind is not None  # a row of unknown kind was an error above
                parent = units.get(parent_code) if parent_code else None
                if parent_code and parent is None:
                    rest.append(item)
                    continue
                unit = OrgUnit.objects.create(
                    code=code,
                    name=name,
                    kind=kind,
                    parent=parent,
                    management_zone=units.get(zone) if zone else None,
                )
                fill_ancestors(unit, parent)
                unit.save(
                    update_fields=["path", "depth", "city", "county", "township", "zone", "pinyin_initials"]
                )
                units[code] = unit
                result.created += 1
                progressed = True
            if not progressed:  # unreachable after the cycle check; refuse rather than loop
                raise ImportFileError(gettext("无法确定上下级顺序"))
            pending = rest
        if groups:
            group_units = {
                u.code: u for u in OrgUnit.objects.filter(code__in=[g for _, g, _ in groups.values()])
            }
            for code, (_, group, _) in groups.items():
                OrgUnit.objects.filter(pk=units[code].pk).update(resident_group=group_units[group])
        audit_record(
            actor=actor,
            action="org_unit.import",
            object_type="core.orgunit",
            summary=f"导入组织单位 {result.created} 个（{path.name}）",
        )
    return result


def import_people(path: Path, *, actor=None) -> ImportResult:
    rows = read_table(path, PEOPLE_COLUMNS)
    result = ImportResult()
    err = result.errors
    units = {}
    codes = {r.get("org_code", "") for _, r in rows}
    for u in OrgUnit.objects.filter(code__in=codes):
        units[u.code] = u
    taken = set(
        User.objects.filter(username__in=[r.get("username", "") for _, r in rows]).values_list(
            "username", flat=True
        )
    )
    seen: dict[str, int] = {}
    users = []
    for n, row in rows:
        username = row.get("username", "")
        if not username:
            err.append(RowError(n, "用户名", gettext("不能为空")))
        elif username in taken:
            err.append(RowError(n, "用户名", gettext("用户名 %(username)s 已存在") % {"username": username}))
        elif username in seen:
            err.append(RowError(n, "用户名", gettext("与第 %(first)s 行重复") % {"first": seen[username]}))
        else:
            seen[username] = n
        if not row.get("full_name"):
            err.append(RowError(n, "姓名", gettext("不能为空")))
        unit = units.get(row.get("org_code", ""))
        if unit is None:
            err.append(
                RowError(n, "单位代码", gettext("单位 %(code)s 不存在") % {"code": row.get("org_code", "")})
            )
        role_values = set()
        for label in filter(
            None,
            (
                x.strip()
                for x in row.get("roles", "")
                .replace("；", ";")
                .replace("，", ";")
                .replace(",", ";")
                .split(";")
            ),
        ):
            if label not in ROLE_BY_LABEL:
                err.append(RowError(n, "角色", gettext("未知角色“%(label)s”") % {"label": label}))
            else:
                role_values.add(ROLE_BY_LABEL[label])
        try:
            validate_role_combination(role_values)
        except ValidationError as exc:
            err.append(RowError(n, "角色", exc.messages[0]))
        for role in sorted(role_values):
            if unit is not None and not role_fits_unit(role, unit.kind):
                err.append(
                    RowError(
                        n,
                        "角色",
                        gettext("“%(role)s”角色只能授予%(units)s的账号")
                        % {"role": Role(role).label, "units": role_unit_words(role)},
                    )
                )
        phone = row.get("phone", "")
        if phone:
            try:
                phone = validate_mobile(phone)
            except ValidationError as exc:
                err.append(RowError(n, "手机号码", exc.messages[0]))
        id_number = row.get("id_number", "")
        if id_number:
            try:
                id_number = validate_id_number(id_number)
            except ValidationError as exc:
                err.append(RowError(n, "身份证号", exc.messages[0]))
        users.append((row, unit, role_values, phone, id_number))
    if err:
        return result
    with transaction.atomic():
        for row, unit, role_values, phone, id_number in users:
            user = User(
                username=row["username"],
                full_name=row["full_name"],
                name_initials=initials(row["full_name"]),
                org_unit=unit,
                phone=phone,
                id_number=id_number,
                position=row.get("position", ""),
            )
            user.set_unusable_password()
            user.save()
            UserRole.objects.bulk_create([UserRole(user=user, role=r, granted_by=actor) for r in role_values])
            result.created += 1
        audit_record(
            actor=actor,
            action="user.import",
            object_type="core.user",
            summary=f"导入人员 {result.created} 名（{path.name}）",
        )
    return result
