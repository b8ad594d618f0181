"""Import of supervised persons from Excel: all or nothing, every bad row named; a workbook with merged
cells, a wrong header or extra sheets is refused with a message; units outside the jurisdiction are
bad rows; the page is the keepers' only."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from jijian.archives.imports import ImportRefused, import_archives
from jijian.archives.models import IntegrityArchive
from jijian.audit.models import AuditEvent
from tests.archives.helpers import idn, make_archive, upload, xlsx
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper(tree):
    return make_user("gj_sx", tree.county, "cadre_supervision")


GOOD = [
    ["刘某", idn(1), "421321100", "副镇长", "乡科级干部", "公务员及参照公务员法管理的人员", "中共党员"],
    ["王某", "", "神农村", "村主任", "村（社区）干部", "基层群众性自治组织中从事管理的人员", ""],
]


def test_a_good_file_creates_every_archive_audited(keeper, tree):
    assert import_archives(xlsx(GOOD), actor=keeper) == 2
    liu = IntegrityArchive.objects.get(name="刘某")
    wang = IntegrityArchive.objects.get(name="王某")
    assert liu.org_unit == tree.township_a and liu.level == "section" and liu.party_status == "member"
    assert liu.id_number == idn(1)
    assert wang.org_unit == tree.village_a and wang.category == "grassroots" and wang.party_status == "none"
    assert AuditEvent.objects.filter(action="archive.create").count() == 2


def test_every_bad_row_is_named_and_nothing_is_imported(keeper, tree):
    make_archive(keeper, tree.township_a, name="张某", id_number=idn(9))
    rows = [
        *GOOD,
        ["", idn(2), "厉山镇", "", "", "", ""],
        ["陈某", "421321198001010019", "桃源村", "", "", "", ""],
        ["赵某", idn(1), "厉山镇", "", "处级", "", ""],
        ["钱某", idn(9), "不存在的单位", "", "", "", ""],
    ]
    with pytest.raises(ImportRefused) as caught:
        import_archives(xlsx(rows), actor=keeper)
    messages = caught.value.messages
    assert "第4行，姓名：不能为空" in messages
    assert any(m.startswith("第5行，身份证号：") for m in messages)
    assert "第5行，所在单位：“桃源村”不是本机关管辖范围内的单位" in messages  # the other county's village
    assert "第6行，身份证号：与第2行重复" in messages
    assert "第6行，级别：“处级”不是可选的值" in messages
    assert "第7行，身份证号：该身份证号已有廉情档案" in messages
    assert "第7行，所在单位：“不存在的单位”不是本机关管辖范围内的单位" in messages
    assert IntegrityArchive.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"merge": "A2:B2"}, "合并单元格（A2:B2）"),
        ({"sheets": 2}, "文件含有2个工作表"),
        ({"header": ["名字", "身份证号", "所在单位"]}, "缺少必需的列：姓名"),
        ({"header": ["姓名", "所在单位", "电话"]}, "无法识别的列：电话"),
    ],
)
def test_a_badly_shaped_workbook_is_refused(keeper, kwargs, message):
    with pytest.raises(ImportRefused) as caught:
        import_archives(xlsx([["刘某", idn(1), "厉山镇"]], **kwargs), actor=keeper)
    assert any(message in m for m in caught.value.messages)
    assert not IntegrityArchive.objects.exists()


def test_a_file_that_is_not_excel_is_refused(keeper):
    with pytest.raises(ImportRefused, match="无法读取"):
        import_archives(io.BytesIO(b"name,unit\n"), actor=keeper)


def test_the_import_page(keeper, tree, login):
    client = login(keeper)
    assert "从 Excel 导入廉情档案" in client.get(reverse("archives:import")).content.decode()
    bad = client.post(
        reverse("archives:import"), {"file": upload(xlsx([["", "", "厉山镇"]]))}
    ).content.decode()
    assert "第2行，姓名：不能为空" in bad and "数据均未导入" in bad
    response = client.post(reverse("archives:import"), {"file": upload(xlsx(GOOD))})
    assert response.status_code == 302 and IntegrityArchive.objects.count() == 2


def test_other_roles_and_the_other_county_get_404_or_their_own_jurisdiction(keeper, tree, login):
    reader = make_user("sl_sx", tree.county, "case_review")
    assert login(reader).get(reverse("archives:import")).status_code == 404
    other = make_user("gj_gs", tree.other_county, "cadre_supervision")
    body = login(other).post(reverse("archives:import"), {"file": upload(xlsx(GOOD))}).content.decode()
    assert "第2行，所在单位：“421321100”不是本机关管辖范围内的单位" in body
    assert not IntegrityArchive.objects.exists()


# --- export --------------------------------------------------------------------------------------
def test_the_list_exports_scoped_masked_watermarked_and_audited(keeper, tree, login):
    from openpyxl import load_workbook

    keeper.full_name = "周干监"
    keeper.save()
    make_archive(keeper, tree.township_a, name="刘某", id_number=idn(1))
    make_archive(keeper, tree.village_a, name="王某")
    other = make_user("gj_gs", tree.other_county, "cadre_supervision")
    make_archive(other, tree.village_c, name="陈某")
    response = login(keeper).get(reverse("archives:export"), {"q": "刘某"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert "周干监" in rows[0][0] and rows[1][0] == "姓名"
    assert [r[0] for r in rows[2:]] == ["刘某"]
    assert rows[2][1] != idn(1) and rows[2][1].endswith(idn(1)[-4:])
    # The unit's name and the labels of level, category and party status, not their codes.
    assert rows[2][2:] == [tree.township_a.name, "村主任", "村（社区）干部", "其他依法履行公职的人员", "群众"]
    everyone = load_workbook(io.BytesIO(login(keeper).get(reverse("archives:export")).content)).active
    names = {r[0] for r in everyone.iter_rows(min_row=3, values_only=True)}
    assert names == {"刘某", "王某"}  # never the other county's 陈某
    assert AuditEvent.objects.filter(action="archive.export", actor=keeper).count() == 2


def test_export_needs_the_module(tree, login):
    outsider = make_user("df_sx", tree.county, "conduct_supervision")
    assert login(outsider).get(reverse("archives:export")).status_code == 404


def test_a_reader_of_traditional_chinese_imports_the_same_file(keeper, tree):
    """The file's words (乡科级干部, 中共党员, the headers) are the source language's: a keeper who reads the
    pages in Traditional Chinese imports the same workbook, and its refusals still name the row."""
    from django.utils import translation

    with translation.override("zh-hant"):
        assert import_archives(xlsx(GOOD), actor=keeper) == 2
        with pytest.raises(ImportRefused) as refused:
            import_archives(xlsx([["张某", "", "神农村", "", "不存在的级别", "", ""]]), actor=keeper)
    assert IntegrityArchive.objects.get(name="刘某").level == "section"
    assert "第2行" in " ".join(refused.value.messages)
