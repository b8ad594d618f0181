"""Import of the archive's sections from Excel (family members, personal-matters reports, sanctions,
talks, commitments, gifts, audits, assessments): each row names its archive by ID number or archive
number, goes through the section's own service; all or nothing with every bad row named; the same
reader as the persons import refuses merged cells, wrong headers and extra sheets; scoped."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from jijian.archives.imports import SECTIONS, ImportRefused, import_section
from jijian.archives.models import ArchiveRecord, FamilyMember, PersonalMattersReport, Sanction
from jijian.audit.models import AuditEvent
from tests.archives.helpers import idn, make_archive, upload, xlsx
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper(tree):
    return make_user("gj_sx", tree.county, "cadre_supervision")


@pytest.fixture
def people(keeper, tree):
    other = make_user("gj_gs", tree.other_county, "cadre_supervision")
    return {
        "liu": make_archive(keeper, tree.township_a, name="刘某", id_number=idn(1)),
        "wang": make_archive(keeper, tree.village_a, name="王某"),  # no ID number: by archive number
        "chen": make_archive(other, tree.village_c, name="陈某", id_number=idn(2, "421381")),
    }


def test_family_members_of_several_archives(keeper, people):
    rows = [
        [idn(1), "", "配偶", "李某", "县人民医院", "护士", "本人填报", "2025-03-01"],
        ["", str(people["wang"].pk), "子女", "王小某", "", "学生", "本人填报", datetime.date(2025, 3, 2)],
    ]
    header = [
        "身份证号",
        "档案编号",
        "关系",
        "家庭成员姓名",
        "工作单位",
        "职务或从业情况",
        "材料来源",
        "材料日期",
    ]
    assert import_section(xlsx(rows, header), section="family", actor=keeper) == 2
    liu = FamilyMember.objects.get(archive=people["liu"])
    assert (liu.relation, liu.name, liu.employer, liu.recorded_on) == (
        "spouse",
        "李某",
        "县人民医院",
        datetime.date(2025, 3, 1),
    )
    assert FamilyMember.objects.get(archive=people["wang"]).recorded_on == datetime.date(2025, 3, 2)
    assert AuditEvent.objects.filter(action="archive.section_add").count() == 2


def test_every_bad_row_is_named_and_nothing_is_imported(keeper, people):
    header = [
        "身份证号",
        "档案编号",
        "处分或处理",
        "决定日期",
        "察看期（月）",
        "决定机关",
        "事由",
        "材料来源",
    ]
    rows = [
        [idn(1), "", "政务警告", "2025-05-01", "", "县监委", "违规发放补贴", "审理室"],  # good
        [idn(2, "421381"), "", "记过", "2025-05-01", "", "", "", "审理室"],  # the other county's
        ["", "999999", "记过", "2025-05-01", "", "", "", "审理室"],
        [idn(1), "", "警告", "2025-05-01", "", "", "", "审理室"],  # which 警告?
        [idn(1), "", "留党察看", "2025-05-01", "", "", "", "审理室"],  # no probation
        [idn(1), "", "记过", "2025/13/01", "", "", "", "审理室"],
        [idn(1), str(people["wang"].pk), "记过", "2025-05-01", "", "", "", "审理室"],
        ["", "", "记过", "2025-05-01", "", "", "", "审理室"],
        [idn(1), "", "记过", "2025-05-01", "", "", "", ""],
    ]
    with pytest.raises(ImportRefused) as refused:
        import_section(xlsx(rows, header), section="sanction", actor=keeper)
    messages = refused.value.messages
    assert messages == [
        "第3行，身份证号：未找到该身份证号的廉情档案",
        "第4行，档案编号：未找到编号为“999999”的廉情档案",
        "第5行（刘某）：处分或处理“警告”不是可选的值（警告请写明党内警告或政务警告）",
        "第6行（刘某）：留党察看须选择察看期（一年或二年）",
        "第7行（刘某）：决定日期“2025/13/01”不是日期（应为 年-月-日，如 2026-01-05）",
        "第8行，身份证号：与档案编号不是同一人",
        "第9行：请填写身份证号或档案编号",
        "第10行（刘某）：请填写材料来源",
    ]
    assert not Sanction.objects.exists()  # the good first row is not kept either
    assert not AuditEvent.objects.filter(action="archive.section_add").exists()


def test_a_report_twice_on_the_same_year_is_named_with_the_services_rule(keeper, people):
    header = ["身份证号", "报告年度", "报告事项", "内容摘要", "材料来源", "材料日期"]
    rows = [
        [idn(1), "2024", "房产、投资（股票、基金、保险、企业）", "新购住房一套", "本人填报", "2025-01-20"],
        [idn(1), "2024年度", "", "", "本人填报", "2025-01-21"],
        [idn(1), "2023", "彩票", "", "本人填报", "2024-01-21"],
    ]
    with pytest.raises(ImportRefused) as refused:
        import_section(xlsx(rows, header), section="matters", actor=keeper)
    assert refused.value.messages == [
        "第3行（刘某）：2024年度的个人有关事项报告已录入",
        "第4行（刘某）：报告事项“彩票”不是可选的值",
    ]
    assert not PersonalMattersReport.objects.exists()
    assert import_section(xlsx(rows[:1], header), section="matters", actor=keeper) == 1
    assert PersonalMattersReport.objects.get().items == ["investment", "property"]


@pytest.mark.parametrize("section", ["talk", "commitment", "gift", "audit", "assessment"])
def test_each_record_section(keeper, people, section):
    header = ["身份证号", "内容", "材料来源", "材料日期"] + (["价值（元）"] if section == "gift" else [])
    row = [idn(1), "年度内容", "组织部", "2025-06-01"] + (["1,200.50"] if section == "gift" else [])
    assert import_section(xlsx([row], header), section=section, actor=keeper) == 1
    record = ArchiveRecord.objects.get()
    assert record.kind == section and record.summary == "年度内容"
    if section == "gift":
        assert str(record.amount) == "1200.50"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"merge": "A2:B2"}, "合并单元格"),
        ({"sheets": 2}, "2个工作表"),
        ({"header": ["身份证号", "内容", "材料来源", "材料日期", "金额"]}, "无法识别的列：金额"),
        ({"header": ["身份证号", "内容", "材料来源"]}, "缺少必需的列：材料日期"),
        ({"header": ["姓名", "内容", "材料来源", "材料日期"]}, "无法识别的列：姓名"),
        ({"header": ["内容", "材料来源", "材料日期"]}, "身份证号或档案编号"),
    ],
)
def test_a_badly_shaped_workbook_is_refused(keeper, people, kwargs, message):
    rows = [[idn(1), "谈话", "组织部", "2025-06-01"]]
    with pytest.raises(ImportRefused, match=message):
        import_section(xlsx(rows, **kwargs), section="talk", actor=keeper)
    assert not ArchiveRecord.objects.exists()


def test_the_other_county_cannot_import_into_this_countys_archives(tree, people):
    other = make_user("gj_gs2", tree.other_county, "cadre_supervision")
    header = ["身份证号", "内容", "材料来源", "材料日期"]
    with pytest.raises(ImportRefused) as refused:
        import_section(xlsx([[idn(1), "谈话", "组织部", "2025-06-01"]], header), section="talk", actor=other)
    assert refused.value.messages == ["第2行，身份证号：未找到该身份证号的廉情档案"]
    reader = make_user("sl_sx", tree.county, "case_review")
    with pytest.raises(ImportRefused, match="无权导入"):
        import_section(xlsx([[idn(1), "谈话", "组织部", "2025-06-01"]], header), section="talk", actor=reader)
    assert not ArchiveRecord.objects.exists()


def test_the_import_page_imports_a_section(keeper, people, login, tree):
    client = login(keeper)
    page = client.get(reverse("archives:import")).content.decode()
    for section in SECTIONS.values():
        assert str(section.label) in page
    header = ["身份证号", "内容", "材料来源", "材料日期"]
    bad = client.post(
        reverse("archives:import"),
        {"what": "talk", "file": upload(xlsx([[idn(9), "谈话", "组织部", "2025-06-01"]], header))},
    ).content.decode()
    assert "第2行，身份证号：未找到该身份证号的廉情档案" in bad and "数据均未导入" in bad
    response = client.post(
        reverse("archives:import"),
        {"what": "talk", "file": upload(xlsx([[idn(1), "任前廉政谈话", "组织部", "2025-06-01"]], header))},
    )
    assert response.status_code == 302
    assert ArchiveRecord.objects.get().archive == people["liu"]
    reader = make_user("sl_sx", tree.county, "case_review")
    assert login(reader).post(reverse("archives:import"), {"what": "talk"}).status_code == 404


def test_a_traditional_reader_imports_the_sanctions_named_in_the_source_language(keeper, people):
    """The names are shown in the reader's language; a file's words stay the source's (政务处分记过)."""
    from django.utils import translation

    header = ["身份证号", "处分或处理", "决定日期", "材料来源"]
    rows = [[idn(1), "政务处分记过", "2025-05-01", "审理室"], [idn(1), "党内警告", "2025-06-01", "审理室"]]
    with translation.override("zh-hant"):
        import_section(xlsx(rows, header), section="sanction", actor=keeper)
    kinds = sorted(Sanction.objects.filter(archive=people["liu"]).values_list("kind", flat=True))
    assert kinds == ["party_warning", "public_demerit"]
