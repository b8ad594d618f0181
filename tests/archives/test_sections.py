"""The archive's sections, the effect-period arithmetic, yearly versions, merge of a duplicate, and the
printed archive: each entry with source, date and who entered it, bad input refused with nothing
saved, every write and opening audited, and the other county's office 404 on every new page."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jijian.archives import services
from jijian.archives.access import archives_visible_to
from jijian.archives.models import (
    ArchiveYearVersion,
    FamilyMember,
    IntegrityArchive,
    PersonalMattersReport,
    Sanction,
    SupervisedCategory,
)
from jijian.archives.sanctions import SANCTIONS, add_months, effect_ends_on, matters_due_on, matters_year_due
from jijian.audit.models import AuditEvent
from tests.archives.helpers import idn, make_archive
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
D = datetime.date


# --- reference data ------------------------------------------------------------------------------
def test_the_six_categories_of_the_supervision_law():
    assert len(SupervisedCategory.choices) == 6
    assert "基层群众性自治组织中从事管理的人员" in SupervisedCategory.GRASSROOTS.label


def test_both_sanction_lists_are_there():
    party = [k.label for k in SANCTIONS.values() if k.track == "party"]
    public = [k.label for k in SANCTIONS.values() if k.track == "public"]
    assert party == ["警告", "严重警告", "撤销党内职务", "留党察看", "开除党籍"]
    assert public == ["警告", "记过", "记大过", "降级", "撤职", "开除"]


@pytest.mark.parametrize(
    ("kind", "decided", "probation", "ends"),
    [
        ("public_warning", D(2026, 3, 10), 0, D(2026, 9, 9)),  # 6 months
        ("public_demerit", D(2026, 3, 10), 0, D(2027, 3, 9)),  # 12
        ("public_major_demerit", D(2026, 3, 10), 0, D(2027, 9, 9)),  # 18
        ("public_demotion", D(2026, 3, 10), 0, D(2028, 3, 9)),  # 24
        ("party_serious_warning", D(2025, 8, 31), 0, D(2027, 2, 27)),  # 18, clamped to February's end
        ("party_probation", D(2026, 1, 1), 12, D(2028, 12, 31)),  # 1 year probation + 2 years
        ("party_probation", D(2026, 1, 1), 24, D(2029, 12, 31)),
        ("public_expulsion", D(2026, 1, 1), 0, None),
        ("party_expulsion", D(2026, 1, 1), 0, None),
        ("org_admonition", D(2024, 2, 29), 0, D(2024, 8, 28)),
    ],
)
def test_effect_period_arithmetic(kind, decided, probation, ends):
    assert effect_ends_on(kind, decided, probation) == ends


def test_probation_must_be_one_or_two_years():
    with pytest.raises(ValueError, match="察看期"):
        effect_ends_on("party_probation", D(2026, 1, 1), 6)


def test_add_months_and_matters_due_dates():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 11, 15), 3) == D(2027, 2, 15)
    assert matters_due_on(2025) == D(2026, 1, 31)
    assert matters_year_due(D(2026, 1, 31)) == 2024  # the 2025 report is not late yet
    assert matters_year_due(D(2026, 2, 1)) == 2025


# --- sections ------------------------------------------------------------------------------------
@pytest.fixture
def keeper(tree):
    return make_user("gj_sx", tree.county, "cadre_supervision")


@pytest.fixture
def other_keeper(tree):
    return make_user("gj_gs", tree.other_county, "cadre_supervision")


@pytest.fixture
def archive(keeper, tree):
    return make_archive(
        keeper, tree.township_a, name="刘某", id_number=idn(1), level="division", post="副镇长"
    )


def test_sanction_enters_with_its_computed_effect_period_and_who_entered_it(keeper, archive):
    s = services.sanction_add(
        actor=keeper,
        archive=archive,
        kind="public_demerit",
        decided_on=D(2026, 3, 10),
        authority="随县监委",
        source="审理室",
    )
    assert s.effect_ends_on == D(2027, 3, 9) and s.entered_by == keeper and s.recorded_on == D(2026, 3, 10)
    assert s.in_effect_on(D(2027, 3, 9)) and not s.in_effect_on(D(2027, 3, 10))
    assert AuditEvent.objects.filter(action="archive.section_add", object_id=str(archive.pk)).exists()


def test_a_sanction_from_a_source_enters_once(keeper, archive):
    kwargs = {
        "kind": "party_warning",
        "decided_on": D(2026, 1, 5),
        "source": "问题线索处置",
        "source_ref": "clue:7",
    }
    services.sanction_add(actor=keeper, archive=archive, **kwargs)
    with pytest.raises(ValidationError, match="已记入档案"):
        services.sanction_add(actor=keeper, archive=archive, **kwargs)
    assert Sanction.objects.count() == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda k, a: services.family_add(
                actor=k, archive=a, relation="", name="李某", source="本人", recorded_on=D(2026, 1, 1)
            ),
            "关系",
        ),
        (
            lambda k, a: services.family_add(
                actor=k, archive=a, relation="spouse", name="李某", source="", recorded_on=D(2026, 1, 1)
            ),
            "材料来源",
        ),
        (
            lambda k, a: services.sanction_add(
                actor=k, archive=a, kind="party_probation", decided_on=D(2026, 1, 1), source="审理室"
            ),
            "察看期",
        ),
        (
            lambda k, a: services.sanction_add(
                actor=k, archive=a, kind="nonsense", decided_on=D(2026, 1, 1), source="审理室"
            ),
            "种类",
        ),
        (
            lambda k, a: services.sanction_add(
                actor=k,
                archive=a,
                kind="public_warning",
                decided_on=timezone.localdate() + datetime.timedelta(days=3),
                source="审理室",
            ),
            "不能晚于今天",
        ),
        (
            lambda k, a: services.matters_add(
                actor=k, archive=a, year=2025, items=["yacht"], source="本人", recorded_on=D(2026, 1, 10)
            ),
            "事项",
        ),
        (
            lambda k, a: services.matters_add(
                actor=k, archive=a, year=2025, items=[], source="本人", recorded_on=D(2024, 12, 1)
            ),
            "不能早于",
        ),
        (
            lambda k, a: services.record_add(
                actor=k, archive=a, kind="gift", summary="", source="本人", recorded_on=D(2026, 1, 1)
            ),
            "内容",
        ),
    ],
)
def test_bad_section_input_is_refused_and_nothing_saved(keeper, archive, call, message):
    with pytest.raises(ValidationError, match=message):
        call(keeper, archive)
    assert not FamilyMember.objects.exists() and not Sanction.objects.exists()
    assert not PersonalMattersReport.objects.exists()


def test_one_personal_matters_report_a_year(keeper, archive):
    services.matters_add(
        actor=keeper,
        archive=archive,
        year=2025,
        items=["property"],
        source="本人",
        recorded_on=D(2026, 1, 20),
    )
    with pytest.raises(ValidationError, match="已录入"):
        services.matters_add(
            actor=keeper, archive=archive, year=2025, items=[], source="本人", recorded_on=D(2026, 1, 21)
        )


def test_other_countys_keeper_cannot_write_sections(other_keeper, archive):
    with pytest.raises(ValidationError, match="管辖范围"):
        services.record_add(
            actor=other_keeper,
            archive=archive,
            kind="talk",
            summary="谈话",
            source="纪委",
            recorded_on=D(2026, 1, 1),
        )


def test_a_recorded_family_member_does_not_open_the_archive(keeper, archive, tree):
    relative = make_user("sl_li", tree.county, "case_review")
    relative.full_name = "李芳"
    relative.save()
    assert archives_visible_to(relative).filter(pk=archive.pk).exists()
    services.family_add(
        actor=keeper,
        archive=archive,
        relation="spouse",
        name="李芳",
        employer="随县一中",
        source="本人填报",
        recorded_on=D(2026, 1, 2),
    )
    assert not archives_visible_to(relative).filter(pk=archive.pk).exists()


# --- yearly versions -----------------------------------------------------------------------------
def test_each_year_has_its_version_and_the_page_shows_what_changed(keeper, archive, login):
    this_year = timezone.localdate().year
    # Last year's version, as it stood at the end of that year.
    ArchiveYearVersion.objects.filter(archive=archive).update(year=this_year - 1)
    services.archive_update(actor=keeper, archive=archive, version=archive.version, post="镇长")
    services.record_add(
        actor=keeper,
        archive=archive,
        kind="talk",
        summary="任前廉政谈话",
        source="随县纪委",
        recorded_on=D(2026, 1, 3),
    )
    changes = services.year_changes(archive)
    assert [c["year"] for c in changes] == [this_year, this_year - 1]
    assert "职务：副镇长 → 镇长" in changes[0]["changed"]
    assert any("任前廉政谈话" in a for a in changes[0]["added"])
    body = (
        login(keeper)
        .post(reverse("archives:detail", args=[archive.pk]), {"reason": "年度更新"})
        .content.decode()
    )
    assert f"{this_year}年版" in body and "变更 职务：副镇长 → 镇长" in body


# --- pages ---------------------------------------------------------------------------------------
def test_sanction_names_are_the_reader_s_and_the_stored_version_the_platform_s(keeper, archive, login):
    """A Traditional reader sees 記過 among 政務處分 and on the archive; the yearly version the reader's
    entry refreshed keeps 记过, so next year's comparison does not report a change of language."""
    from django.utils import translation

    client = login(keeper)
    url = reverse("archives:section_add", args=[archive.pk, "sanction"])
    form = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-TW").content.decode()
    assert '<optgroup label="政務處分">' in form and ">記過</option>" in form and "记过" not in form
    assert ">记过</option>" in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    with translation.override("zh-hant"):
        services.sanction_add(
            actor=keeper, archive=archive, kind="public_demerit", decided_on=D(2026, 3, 10), source="审理室"
        )
        assert str(Sanction.objects.get(archive=archive)) == "記過"
    entries = ArchiveYearVersion.objects.get(archive=archive).content["entries"]
    assert "记过（2026-03-10）" in entries.values()
    assert (
        ArchiveYearVersion.objects.get(archive=archive).content["basic"]["级别"] == "县处级干部"
    )  # 縣處級幹部 to the reader


def test_adding_an_entry_on_the_page_shows_the_opened_archive_and_audits_it(keeper, archive, login):
    client = login(keeper)
    url = reverse("archives:section_add", args=[archive.pk, "sanction"])
    assert "决定（生效）日期" in client.get(url).content.decode()
    data = {"kind": "public_warning", "decided_on": "2026-03-10", "source": "审理室", "authority": "随县监委"}
    body = client.post(url, data).content.decode()
    assert "已录入处分及组织处理" in body and "2026-09-09" in body
    assert AuditEvent.objects.filter(action="archive.open", after__reason="录入档案内容").exists()


def test_a_bad_entry_on_the_page_says_why_and_saves_nothing(keeper, archive, login):
    url = reverse("archives:section_add", args=[archive.pk, "family"])
    body = (
        login(keeper)
        .post(url, {"name": "李某", "source": "本人", "recorded_on": "2026-01-01"})
        .content.decode()
    )
    assert "请选择与本人的关系" in body and not FamilyMember.objects.exists()


def test_a_missing_yearly_report_is_flagged(keeper, archive, login):
    body = (
        login(keeper).post(reverse("archives:detail", args=[archive.pk]), {"reason": "核查"}).content.decode()
    )
    due_year = matters_year_due(timezone.localdate())
    assert f"{due_year}年度个人有关事项报告未报告" in body
    services.matters_add(
        actor=keeper,
        archive=archive,
        year=due_year,
        items=[],
        source="本人填报",
        recorded_on=timezone.localdate(),
    )
    body = (
        login(keeper).post(reverse("archives:detail", args=[archive.pk]), {"reason": "核查"}).content.decode()
    )
    assert "未报告" not in body


def test_the_other_countys_keeper_gets_404_on_every_new_archive_page(other_keeper, archive, login):
    client = login(other_keeper)
    for section in ("family", "matters", "sanction", "record"):
        assert client.get(reverse("archives:section_add", args=[archive.pk, section])).status_code == 404
    assert client.get(reverse("archives:merge", args=[archive.pk])).status_code == 404
    assert client.post(reverse("archives:print", args=[archive.pk]), {"reason": "打印"}).status_code == 404
    assert not AuditEvent.objects.filter(action="archive.open").exists()


# --- merge ---------------------------------------------------------------------------------------
def test_merge_moves_the_sections_and_is_audited(keeper, archive, tree, login):
    duplicate = make_archive(keeper, tree.township_a, name="刘某", level="division")
    services.family_add(
        actor=keeper,
        archive=duplicate,
        relation="child",
        name="刘小",
        source="本人",
        recorded_on=D(2026, 1, 1),
    )
    client = login(keeper)
    page = client.get(reverse("archives:merge", args=[archive.pk])).content.decode()
    assert f"#{duplicate.pk} 刘某" in page
    response = client.post(
        reverse("archives:merge", args=[archive.pk]), {"duplicate": duplicate.pk, "reason": "同一人重复建档"}
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert not duplicate.is_active and duplicate.merged_into == archive
    assert FamilyMember.objects.get().archive == archive
    event = AuditEvent.objects.get(action="archive.merge")
    assert event.after["reason"] == "同一人重复建档" and event.after["merged"] == duplicate.pk


def test_merge_of_two_different_id_numbers_is_refused(keeper, archive, tree):
    other = make_archive(keeper, tree.township_a, name="刘某", id_number=idn(2))
    with pytest.raises(ValidationError, match="不是同一人"):
        services.archive_merge(actor=keeper, keep=archive, drop=other, reason="重复")
    other.refresh_from_db()
    assert other.is_active and not AuditEvent.objects.filter(action="archive.merge").exists()


def test_a_duplicate_id_number_is_refused_on_create(keeper, archive, tree):
    with pytest.raises(ValidationError, match="已有廉情档案"):
        make_archive(keeper, tree.township_b, name="刘二", id_number=idn(1))
    assert IntegrityArchive.objects.count() == 1


# --- print ---------------------------------------------------------------------------------------
def test_the_printed_archive_is_a_watermarked_pdf_and_an_audited_opening(keeper, archive, login, tmp_path):
    keeper.full_name = "周干监"
    keeper.save()
    services.sanction_add(
        actor=keeper, archive=archive, kind="public_warning", decided_on=D(2026, 3, 10), source="审理室"
    )
    response = login(keeper).post(reverse("archives:print", args=[archive.pk]), {"reason": "提拔考察"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "刘某同志廉情档案" in text and "政务警告" in text and "2026-09-09" in text
    assert "周干监" in text  # the watermark
    assert idn(1) not in text
    assert AuditEvent.objects.filter(action="archive.open", after__reason="打印：提拔考察").exists()


def test_an_archive_opened_with_the_longest_reason_prints(keeper, archive, login):
    """The reason given on opening (up to 200 characters) is the one the print button sends: the
    print is recorded as 打印：<reason>, not refused for the prefix it adds."""
    reason = "拟提拔人选党风廉政意见回复" * 15 + "核查核实情"
    assert len(reason) == 200
    client = login(keeper)
    opened = client.post(reverse("archives:detail", args=[archive.pk]), {"reason": reason})
    assert f'name="reason" value="{reason}"' in opened.content.decode()
    response = client.post(reverse("archives:print", args=[archive.pk]), {"reason": reason})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="archive.open", after__reason=f"打印：{reason}").exists()


def test_print_without_a_reason_is_refused_and_not_audited(keeper, archive, login):
    response = login(keeper).post(reverse("archives:print", args=[archive.pk]), {"reason": ""})
    assert response.status_code == 400 and "请填写查阅事由" in response.content.decode()
    assert not AuditEvent.objects.filter(action="archive.open").exists()


# --- search --------------------------------------------------------------------------------------
def test_search_by_initials_full_pinyin_and_id_number_whole_and_scoped(keeper, other_keeper, tree, login):
    zheng = make_archive(keeper, tree.township_a, name="郑军", id_number=idn(5))
    elsewhere = make_archive(other_keeper, tree.village_c, name="郑军", id_number=idn(6, "421381"))
    make_archive(keeper, tree.township_a, name="张建")  # also "zj"
    client = login(keeper)

    def found(q):
        body = client.get(reverse("archives:list"), {"q": q}).content.decode()
        return {pk for pk in (zheng.pk, elsewhere.pk) if f'id="archive-{pk}"' in body}, body

    assert found("zj")[0] == {zheng.pk} and "张建" in found("zj")[1]
    assert found("ZhengJun")[0] == {zheng.pk} and "张建" not in found("zhengjun")[1]
    assert found("z")[0] == set() and found("zhe")[0] == set()  # whole keys only
    assert found(idn(5))[0] == {zheng.pk}
    assert found(idn(5)[:-1])[0] == set()
    assert found(idn(6, "421381"))[0] == set()  # the other county's, even by its ID number


def test_a_surname_is_read_as_a_surname(keeper, tree, login):
    """曾伟 is zeng wei, not ceng wei; 单雄 shan xiong; 尉迟敬 yu chi jing; the given name as usual."""
    zeng = make_archive(keeper, tree.township_a, name="曾伟")
    shan = make_archive(keeper, tree.township_a, name="单雄")
    yuchi = make_archive(keeper, tree.township_a, name="尉迟敬")
    client = login(keeper)

    def found(q):
        body = client.get(reverse("archives:list"), {"q": q}).content.decode()
        return {a.pk for a in (zeng, shan, yuchi) if f'id="archive-{a.pk}"' in body}

    assert found("zw") == {zeng.pk} and found("zengwei") == {zeng.pk}
    assert found("cw") == set() and found("cengwei") == set()
    assert found("sx") == {shan.pk} and found("shanxiong") == {shan.pk}
    assert found("ycj") == {yuchi.pk} and found("yuchijing") == {yuchi.pk}


def test_the_migration_rereads_the_surnames_it_knows(keeper, tree):
    """Archives saved before the surname readings get their keys again; the others are not written."""
    import importlib

    from django.apps import apps as global_apps

    migration = importlib.import_module("jijian.archives.migrations.0005_surname_pinyin_keys")
    zeng = make_archive(keeper, tree.township_a, name="曾伟")
    zheng = make_archive(keeper, tree.township_a, name="郑军")
    IntegrityArchive.objects.filter(pk=zeng.pk).update(name_initials="cw", name_pinyin="cengwei")
    IntegrityArchive.objects.filter(pk=zheng.pk).update(name_initials="old", name_pinyin="old")
    migration.refill_surname_keys(global_apps, None)
    assert IntegrityArchive.objects.filter(pk=zeng.pk).values_list("name_initials", "name_pinyin").get() == (
        "zw",
        "zengwei",
    )
    assert IntegrityArchive.objects.get(pk=zheng.pk).name_initials == "old"  # not a listed surname


# --- a merged-away archive still open elsewhere --------------------------------------------------
def test_a_keeper_on_a_merged_away_archive_is_led_to_the_survivor(keeper, archive, tree, login):
    duplicate = make_archive(keeper, tree.township_a, name="刘某", level="division")
    colleague = make_user("gj_sx2", tree.county, "cadre_supervision")
    client = login(colleague)
    assert client.get(reverse("archives:detail", args=[duplicate.pk])).status_code == 200  # open there
    services.archive_merge(actor=keeper, keep=archive, drop=duplicate, reason="同一人重复建档")

    page = client.get(reverse("archives:detail", args=[duplicate.pk]))
    assert page.status_code == 410
    body = page.content.decode()
    assert "该档案已合并至" in body and f'href="{reverse("archives:detail", args=[archive.pk])}"' in body
    opened = AuditEvent.objects.filter(action="archive.open").count()
    for url, data in (
        (reverse("archives:detail", args=[duplicate.pk]), {"reason": "核查"}),
        (reverse("archives:section_add", args=[duplicate.pk, "record"]), {}),
        (reverse("archives:edit", args=[duplicate.pk]), {}),
        (reverse("archives:print", args=[duplicate.pk]), {"reason": "打印"}),
    ):
        answer = client.post(url, data)
        assert answer.status_code == 410 and "该档案已合并至" in answer.content.decode(), url
    assert AuditEvent.objects.filter(action="archive.open").count() == opened  # nothing opened or done


def test_a_merged_away_archive_is_404_to_whoever_cannot_see_both(keeper, archive, tree, login, other_keeper):
    duplicate = make_archive(keeper, tree.township_b, name="刘某", level="division")
    township_b_keeper = make_user("gj_tb", tree.township_b, "cadre_supervision")  # not the survivor's unit
    township_a_keeper = make_user("gj_ta", tree.township_a, "cadre_supervision")  # not the duplicate's
    assert set(archives_visible_to(township_b_keeper)) == {duplicate}
    assert set(archives_visible_to(township_a_keeper)) == {archive}
    services.archive_merge(actor=keeper, keep=archive, drop=duplicate, reason="同一人重复建档")
    for user in (other_keeper, township_b_keeper, township_a_keeper):
        answer = login(user).get(reverse("archives:detail", args=[duplicate.pk]))
        assert answer.status_code == 404 and "已合并" not in answer.content.decode(), user
    assert login(keeper).get(reverse("archives:detail", args=[duplicate.pk])).status_code == 410
