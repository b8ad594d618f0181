from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from jijian.core.models import OrgUnit, User
from jijian.core.orgs.importer import import_org_units, import_people
from jijian.core.validators import id_number_check_digit

ORG_HEADER = "代码,名称,类型,上级代码,代管管理区\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_builds_a_tree_in_any_row_order(tree, tmp_path):
    # The village comes before its township: order in the file does not matter.
    path = write(
        tmp_path, "orgs.csv", ORG_HEADER + "421321102201,新村,村,421321102,\n" + "421321102,新镇,镇,421321,\n"
    )
    result = import_org_units(path)
    assert result.ok and result.created == 2
    village = OrgUnit.objects.get(code="421321102201")
    assert village.township.code == "421321102"
    assert village.county_id == tree.county.pk
    assert village.path == f"{tree.city.path}{tree.county.pk}/{village.parent_id}/{village.pk}/"


def test_import_names_every_bad_row_and_imports_nothing(tree, tmp_path):
    before = OrgUnit.objects.count()
    path = write(
        tmp_path,
        "orgs.csv",
        ORG_HEADER
        + "421321103,好镇,镇,421321,\n"  # row 2: fine
        + "421321104,孤镇,镇,999999,\n"  # row 3: unknown parent
        + "421321103,重复镇,镇,421321,\n"  # row 4: duplicate code in file
        + "421321100,厉山镇,镇,421321,\n"  # row 5: code already in the system
        + "421321105,怪单位,星球,421321,\n"  # row 6: unknown kind
        + "421321106,错位村,村,421321,\n"  # row 7: a village directly under a county
        + "421321107,,镇,421321,\n",
    )  # row 8: no name
    result = import_org_units(path)
    messages = [str(e) for e in result.errors]
    assert any(m.startswith("第 3 行，上级代码") and "999999 不存在" in m for m in messages)
    assert any(m.startswith("第 4 行，代码") and "第 2 行重复" in m for m in messages)
    assert any(m.startswith("第 5 行，代码") and "已存在" in m for m in messages)
    assert any(m.startswith("第 6 行，类型") for m in messages)
    assert any(m.startswith("第 7 行，上级代码") and "不能设在县之下" in m for m in messages)
    assert any(m.startswith("第 8 行，名称") for m in messages)
    assert OrgUnit.objects.count() == before


def test_import_command_exits_non_zero_and_lists_rows(tree, tmp_path, capsys):
    path = write(tmp_path, "orgs.csv", ORG_HEADER + "421321108,坏镇,镇,nope,\n")
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_orgs", str(path))
    assert "第 2 行" in capsys.readouterr().err


def test_import_reads_excel(tree, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["代码", "名称", "类型", "上级代码"])
    ws.append(["421321109", "表镇", "镇", "421321"])
    path = tmp_path / "orgs.xlsx"
    wb.save(path)
    assert import_org_units(path).created == 1


def _valid_id(first17="42132119900101123"):
    return first17 + id_number_check_digit(first17)


def test_people_import_rejects_bad_id_numbers_and_phones(tree, tmp_path):
    good = _valid_id()
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    path = write(
        tmp_path,
        "people.csv",
        "用户名,姓名,单位代码,角色,手机号码,身份证号\n"
        + f"p1,张三,421321100201,村（社区）纪检委员,13800001111,{good}\n"
        + f"p2,李四,421321100201,village_member,1380000111,{good}\n"  # row 3: 10-digit phone
        + f"p3,王五,421321100201,village_member,13800001112,{bad_check}\n"  # row 4: check digit
        + "p4,赵六,421321100201,village_member;system_admin,,\n"  # row 5: admin role combined
        + "p5,钱七,000,village_member,,\n",
    )  # row 6: unknown unit
    before = User.objects.count()
    result = import_people(path)
    messages = [str(e) for e in result.errors]
    assert any(m.startswith("第 3 行，手机号码") for m in messages)
    assert any(m.startswith("第 4 行，身份证号") and "校验位" in m for m in messages)
    assert any(m.startswith("第 5 行，角色") and "三员分立" in m for m in messages)
    assert any(m.startswith("第 6 行，单位代码") for m in messages)
    assert User.objects.count() == before


def test_people_import_creates_accounts_without_usable_password(tree, tmp_path):
    path = write(
        tmp_path,
        "people.csv",
        "username,full_name,org_code,roles,phone,id_number\n"
        + f"p1,郑军,421321100201,village_member,13800001111,{_valid_id()}\n",
    )
    assert import_people(path).created == 1
    user = User.objects.get(username="p1")
    assert not user.has_usable_password() and user.name_initials == "zj"
    assert user.phone == "13800001111" and user.has_role("village_member")


def test_import_refuses_unknown_file_types(tree, tmp_path):
    from jijian.core.orgs.importer import ImportFileError

    with pytest.raises(ImportFileError, match="只支持"):
        import_org_units(write(tmp_path, "x.txt", "hello"))


def test_people_import_refuses_a_role_that_does_not_fit_the_unit(tree, tmp_path):
    path = write(
        tmp_path,
        "people.csv",
        "用户名,姓名,单位代码,角色,手机号码,身份证号\n"
        + "p1,张三,421321100,村（社区）纪检委员,,\n"  # a village member's role on a township account
        + "p2,李四,421321100,乡镇（街道）纪委,,\n",
    )
    before = User.objects.count()
    result = import_people(path)
    messages = [str(e) for e in result.errors]
    assert any(m.startswith("第 2 行，角色") and "只能授予村（社区）的账号" in m for m in messages)
    assert not any(m.startswith("第 3 行") for m in messages)
    assert User.objects.count() == before


def test_import_sets_the_resident_group_overseeing_a_department(tree, tmp_path):
    header = "代码,名称,类型,上级代码,代管管理区,派驻纪检监察组\n"
    bad = write(
        tmp_path,
        "bad.csv",
        header
        + "PZ1,第一派驻纪检监察组,派驻纪检监察组,421300,,\n"
        + "D1,市审计局,市直单位,421300,,421321\n"  # row 3: 随县 is not a resident group
        + "421321108,新镇,镇,421321,,PZ1\n",  # row 4: only a department has one
    )
    result = import_org_units(bad)
    messages = [str(e) for e in result.errors]
    assert any(m.startswith("第 3 行，派驻纪检监察组") and "不是派驻纪检监察组" in m for m in messages)
    assert any(m.startswith("第 4 行，派驻纪检监察组") for m in messages)
    assert not OrgUnit.objects.filter(code__in=["PZ1", "D1"]).exists()
    good = write(
        tmp_path,
        "good.csv",
        header + "D1,市审计局,市直单位,421300,,PZ1\n" + "PZ1,第一派驻纪检监察组,派驻纪检监察组,421300,,\n",
    )
    result = import_org_units(good)
    assert result.ok and result.created == 2
    group = OrgUnit.objects.get(code="PZ1")
    assert OrgUnit.objects.get(code="D1").resident_group_id == group.pk
    assert group.overseen_paths == (OrgUnit.objects.get(code="D1").path,)


def test_import_applies_the_manage_pages_rules_to_codes_and_zones(tree, tmp_path):
    """The code rule of 新建下级单位 and 修改代码 (letters, digits, dashes) and the zone rule of 代管管理区 (only
    a township, and not one directly under a zone): each bad row named, nothing imported."""
    before = OrgUnit.objects.count()
    path = write(
        tmp_path,
        "orgs.csv",
        ORG_HEADER
        + "421390,测试管理区,管理区,421300,\n"  # row 2: fine
        + "421321100299,新村,村,421321100,421390\n"  # row 3: a village given a zone
        + "镇甲,新镇,镇,421321,\n"  # row 4: a code in Chinese characters
        + "421390100,区内镇,镇,421390,421390\n"  # row 5: under a zone and given one
        + "421321109,好镇,镇,421321,421390\n",  # row 6: fine
    )
    result = import_org_units(path)
    messages = [str(e) for e in result.errors]
    assert any(m.startswith("第 3 行，代管管理区") and "村不能由管理区代管" in m for m in messages)
    assert any(m.startswith("第 4 行，代码") and "镇甲" in m for m in messages)
    assert any(m.startswith("第 5 行，代管管理区") and "不能再由其他管理区代管" in m for m in messages)
    assert not any(m.startswith(("第 2 行", "第 6 行")) for m in messages)
    assert OrgUnit.objects.count() == before
    good = write(
        tmp_path,
        "good.csv",
        ORG_HEADER + "421390,测试管理区,管理区,421300,\n421321109,好镇,镇,421321,421390\n",
    )
    assert import_org_units(good).ok
    township = OrgUnit.objects.get(code="421321109")
    assert township.management_zone.code == "421390" and township.zone_id == township.management_zone_id
