"""The integrity archive pages with their own users: the cadre supervision office of 随县 keeps the
county's archives, the county's organisation department reads them, the office of 广水市 sees none of
them; own and relatives' archives are closed; opening needs a reason and is audited."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jijian.archives import services
from jijian.archives.models import IntegrityArchive
from jijian.audit.models import AuditEvent
from jijian.core.models import StaffRelation
from jijian.core.roles import Role
from jijian.petitions.models import PetitionState
from tests.archives.helpers import idn, linked_report, make_archive
from tests.conftest import make_user


@pytest.fixture
def keeper(tree):
    return make_user("gj_sx", tree.county, Role.CADRE_SUPERVISION)


@pytest.fixture
def reader(tree):
    """Reads archives without keeping them (审理室)."""
    return make_user("sl_sx", tree.county, Role.CASE_REVIEW)


@pytest.fixture
def other_keeper(tree):
    return make_user("gj_gs", tree.other_county, Role.CADRE_SUPERVISION)


@pytest.fixture
def archive(keeper, tree):
    return make_archive(keeper, tree.village_a, id_number=idn(1))


@pytest.fixture
def elsewhere(other_keeper, tree):
    return make_archive(other_keeper, tree.village_c, name="陈某", id_number=idn(2, "421381"))


def opened_events():
    return AuditEvent.objects.filter(action="archive.open")


# --- jurisdiction ---------------------------------------------------------------------------------
def test_county_keeper_lists_the_countys_archives_and_not_the_other_countys(
    login, keeper, archive, elsewhere
):
    response = login(keeper).get(reverse("archives:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="archive-{archive.pk}"' in body and "神农村" in body
    assert f'id="archive-{elsewhere.pk}"' not in body and "陈某" not in body
    assert "新建档案" in body


def test_the_list_never_shows_the_id_number(login, keeper, archive):
    body = login(keeper).get(reverse("archives:list")).content.decode()
    assert idn(1) not in body and idn(1)[-4:] not in body


def test_archive_of_another_county_is_404_on_detail_and_edit(login, keeper, elsewhere):
    client = login(keeper)
    assert client.get(reverse("archives:detail", args=[elsewhere.pk])).status_code == 404
    assert client.post(reverse("archives:detail", args=[elsewhere.pk]), {"reason": "核查"}).status_code == 404
    assert client.get(reverse("archives:edit", args=[elsewhere.pk])).status_code == 404
    assert client.post(reverse("archives:edit", args=[elsewhere.pk]), {"name": "x"}).status_code == 404
    assert not opened_events().exists()


def test_other_county_keeper_sees_only_its_own(login, other_keeper, archive, elsewhere):
    body = login(other_keeper).get(reverse("archives:list")).content.decode()
    assert f'id="archive-{elsewhere.pk}"' in body and f'id="archive-{archive.pk}"' not in body


def test_the_organisation_department_opens_no_archive(login, tree, archive):
    """It asks for integrity opinions; what it learns of a person is the signed verdict."""
    client = login(make_user("zzb_sx", tree.county, Role.ORG_DEPARTMENT))
    assert client.get(reverse("archives:list")).status_code == 404
    assert (
        client.post(reverse("archives:detail", args=[archive.pk]), {"reason": "干部考察"}).status_code == 404
    )
    assert client.get(reverse("api:archive_list")).status_code == 404
    home = client.get("/").content.decode()
    assert (
        f'href="{reverse("archives:opinions")}"' in home and f'href="{reverse("archives:list")}"' not in home
    )


def test_a_reader_reads_but_cannot_create_or_edit(login, reader, archive):
    client = login(reader)
    body = client.get(reverse("archives:list")).content.decode()
    assert f'id="archive-{archive.pk}"' in body and "新建档案" not in body
    assert client.get(reverse("archives:create")).status_code == 404
    assert client.post(reverse("archives:create"), {"name": "李某"}).status_code == 404
    assert client.get(reverse("archives:edit", args=[archive.pk])).status_code == 404
    response = client.post(
        reverse("archives:edit", args=[archive.pk]),
        {"name": "改名", "org_unit": archive.org_unit_id, "level": "village", "version": archive.version},
    )
    assert response.status_code == 404
    archive.refresh_from_db()
    assert archive.name == "王某" and archive.version == 1
    opened = client.post(reverse("archives:detail", args=[archive.pk]), {"reason": "干部考察"})
    assert opened.status_code == 200 and "修改档案" not in opened.content.decode()


def test_list_search_by_whole_name_and_filter_by_unit(login, keeper, archive, tree):
    other = make_archive(keeper, tree.village_b, name="李某", id_number=idn(3))
    client = login(keeper)
    body = client.get(reverse("archives:list"), {"q": "李某"}).content.decode()
    assert f'id="archive-{other.pk}"' in body and f'id="archive-{archive.pk}"' not in body
    # The row: the link to the archive, its unit's name and the level's label.
    assert reverse("archives:detail", args=[other.pk]) in body
    assert f"<td>{tree.village_b.name}</td>" in body and "<td>村（社区）干部</td>" in body
    body = client.get(reverse("archives:list"), {"q": "李"}).content.decode()  # no partial names
    assert "没有符合条件的档案" in body
    body = client.get(reverse("archives:list"), {"unit": tree.township_a.pk}).content.decode()
    assert f'id="archive-{archive.pk}"' in body and f'id="archive-{other.pk}"' not in body
    # A unit outside the jurisdiction is refused with a message, not used.
    response = client.get(reverse("archives:list"), {"unit": tree.township_c.pk})
    assert response.status_code == 200 and "所选单位不在本机关管辖范围内" in response.content.decode()


def test_list_search_by_post_and_unit_together_stays_in_the_jurisdiction(
    login, keeper, archive, elsewhere, tree
):
    deputy = make_archive(keeper, tree.township_a, name="周某", post="厉山镇副镇长")
    head = make_archive(keeper, tree.township_b, name="吴某", post="高城镇镇长")
    client = login(keeper)

    def listed(**query):
        body = client.get(reverse("archives:list"), query).content.decode()
        return {a.pk for a in (archive, elsewhere, deputy, head) if f'id="archive-{a.pk}"' in body}

    assert listed(post="镇长") == {deputy.pk, head.pk}
    assert listed(post="村主任") == {archive.pk}  # 陈某 of the other county is a 村主任 too: not listed
    assert listed(post="镇长", unit=tree.township_b.pk) == {head.pk}
    assert listed(post="镇长", q="周某") == {deputy.pk}
    assert listed(post="书记") == set()
    # The export follows the same filters.
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(client.get(reverse("archives:export"), {"post": "镇长"}).content)).active
    names = {row[0] for row in sheet.iter_rows(values_only=True)}
    assert {"周某", "吴某"} <= names and "王某" not in names and "陈某" not in names


def test_list_query_count_does_not_grow_with_rows(login, keeper, tree):
    client = login(keeper)
    for i in range(5):
        make_archive(keeper, tree.village_a, name=f"甲{i}", id_number=idn(100 + i))
    client.get(reverse("archives:list"))  # warm the session and the unit filter's choices
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("archives:list")).status_code == 200
    for i in range(25):
        make_archive(keeper, tree.village_b, name=f"乙{i}", id_number=idn(200 + i))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("archives:list"))
    assert response.content.decode().count('<tr id="archive-') == 30
    assert len(many) == len(few)


def test_a_search_that_finds_a_few_reads_them_in_one_statement_and_counts_them(login, keeper, tree):
    client = login(keeper)
    for i in range(3):
        make_archive(keeper, tree.village_a, name="重名", id_number=idn(300 + i))
    make_archive(keeper, tree.village_a, name="别人", id_number=idn(310))
    client.get(reverse("archives:list"))  # warm the session and the unit filter's choices
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("archives:list"), {"q": "重名"})
    body = response.content.decode()
    assert body.count('<tr id="archive-') == 3 and "共 3 份" in body
    archive_reads = [q["sql"] for q in queries if 'FROM "archives_integrityarchive"' in q["sql"]]
    assert len(archive_reads) == 1 and "COUNT(" not in archive_reads[0].upper()


# --- opening with a reason ------------------------------------------------------------------------
def test_get_shows_who_but_not_the_content(login, keeper, archive):
    response = login(keeper).get(reverse("archives:detail", args=[archive.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "王某" in body and "查阅事由" in body
    assert "2021年换届当选" not in body and idn(1)[-4:] not in body
    assert not opened_events().exists()


def test_opening_without_a_reason_is_refused_and_not_audited(login, keeper, archive):
    response = login(keeper).post(reverse("archives:detail", args=[archive.pk]), {"reason": ""})
    body = response.content.decode()
    assert response.status_code == 200 and "请填写查阅事由" in body
    assert "2021年换届当选" not in body
    assert not opened_events().exists()


def test_opening_with_a_reason_is_audited_and_shows_the_masked_id_number(login, keeper, archive):
    response = login(keeper).post(
        reverse("archives:detail", args=[archive.pk]), {"reason": "党风廉政意见回复"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "2021年换届当选" in body
    assert "4213**********" + idn(1)[-4:] in body and idn(1) not in body
    assert reverse("archives:edit", args=[archive.pk]) in body
    event = opened_events().get()
    assert event.actor_id == keeper.pk and event.object_id == str(archive.pk)
    assert event.after == {"reason": "党风廉政意见回复"}


def test_opening_again_asks_for_a_reason_again(login, keeper, archive):
    client = login(keeper)
    client.post(reverse("archives:detail", args=[archive.pk]), {"reason": "第一次查阅"})
    body = client.get(reverse("archives:detail", args=[archive.pk])).content.decode()
    assert "2021年换届当选" not in body and "查阅事由" in body
    assert opened_events().count() == 1


# --- recusal --------------------------------------------------------------------------------------
def test_own_archive_is_404_and_not_listed(login, keeper, tree):
    keeper.id_number = idn(7)
    keeper.save()
    mine = make_archive(keeper, tree.county, name="另一个名字", id_number=idn(7), level="section")
    client = login(keeper)
    assert f'id="archive-{mine.pk}"' not in client.get(reverse("archives:list")).content.decode()
    assert client.get(reverse("archives:detail", args=[mine.pk])).status_code == 404
    assert client.post(reverse("archives:detail", args=[mine.pk]), {"reason": "看看"}).status_code == 404
    assert client.get(reverse("archives:edit", args=[mine.pk])).status_code == 404
    assert not opened_events().exists()


def test_creating_ones_own_archive_keeps_it_closed_to_oneself(login, keeper, tree):
    keeper.id_number = idn(8)
    keeper.save()
    data = {"name": "测试", "id_number": idn(8), "org_unit": tree.county.pk, "post": "", "level": "section"}
    response = login(keeper).post(reverse("archives:create"), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("archives:list")
    assert "按回避规定，您不能查阅该档案" in response.content.decode()
    assert IntegrityArchive.objects.count() == 1


def test_archive_of_a_declared_relative_is_404(login, reader, archive):
    # Declared directly: staff_relation_declare needs the PETITIONS module, which 组织部 lacks.
    StaffRelation.objects.create(user=reader, relative_name="王某", kind="spouse")
    client = login(reader)
    assert f'id="archive-{archive.pk}"' not in client.get(reverse("archives:list")).content.decode()
    assert client.get(reverse("archives:detail", args=[archive.pk])).status_code == 404
    assert client.post(reverse("archives:detail", args=[archive.pk]), {"reason": "核查"}).status_code == 404


# --- create ---------------------------------------------------------------------------------------
def form(tree, **overrides):
    data = {"name": "刘某", "id_number": idn(20), "org_unit": tree.township_a.pk, "post": "副镇长"}
    data.update({"level": "section", "notes": "分管城建"})
    data.update(overrides)
    return data


def test_keeper_creates_an_archive_in_a_village(login, keeper, tree):
    response = login(keeper).post(reverse("archives:create"), form(tree, org_unit=tree.village_a2.pk))
    archive = IntegrityArchive.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "archives:detail", args=[archive.pk]
    )
    assert (
        archive.org_unit == tree.village_a2 and archive.id_number == idn(20) and archive.created_by == keeper
    )
    assert AuditEvent.objects.filter(action="archive.create").count() == 1


def test_create_offers_only_units_of_the_jurisdiction(login, keeper, tree):
    client = login(keeper)
    body = client.get(reverse("archives:create")).content.decode()
    assert "神农村" in body and "桃源村" not in body
    response = client.post(reverse("archives:create"), form(tree, org_unit=tree.village_c.pk))
    assert "所选单位不在本机关管辖范围内" in response.content.decode()
    assert not IntegrityArchive.objects.exists()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("42132119800101001", "身份证号应为18位"),
        ("421321198013010016", "出生日期无效"),
        (idn(20)[:17] + ("0" if idn(20)[17] != "0" else "1"), "校验位错误"),
    ],
)
def test_create_with_a_bad_id_number_says_why_and_saves_nothing(login, keeper, tree, bad, message):
    response = login(keeper).post(reverse("archives:create"), form(tree, id_number=bad))
    assert response.status_code == 200 and message in response.content.decode()
    assert not IntegrityArchive.objects.exists()


def test_create_with_a_duplicate_id_number_says_so(login, keeper, archive, tree):
    response = login(keeper).post(reverse("archives:create"), form(tree, id_number=idn(1).lower()))
    assert response.status_code == 200 and "该身份证号已有廉情档案" in response.content.decode()
    assert IntegrityArchive.objects.count() == 1


def test_create_without_a_name_says_so(login, keeper, tree):
    response = login(keeper).post(reverse("archives:create"), form(tree, name="  "))
    assert "请填写姓名" in response.content.decode()
    assert not IntegrityArchive.objects.exists()


# --- edit -----------------------------------------------------------------------------------------
def edit_data(archive, **overrides):
    data = {
        "name": archive.name,
        "id_number": "",
        "org_unit": archive.org_unit_id,
        "post": archive.post,
        "level": archive.level,
        "notes": archive.notes,
        "version": archive.version,
    }
    data.update(overrides)
    return data


def test_edit_page_never_shows_the_full_id_number_and_is_audited(login, keeper, archive):
    response = login(keeper).get(reverse("archives:edit", args=[archive.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and idn(1) not in body and "4213**********" in body
    assert "no-store" in response["Cache-Control"]
    assert opened_events().get().after == {"reason": "修改档案"}


def test_edit_keeps_the_id_number_when_left_empty(login, keeper, archive):
    response = login(keeper).post(
        reverse("archives:edit", args=[archive.pk]), edit_data(archive, post="村支书")
    )
    assert response.status_code == 302
    archive.refresh_from_db()
    assert archive.post == "村支书" and archive.id_number == idn(1) and archive.version == 2


def test_edit_replaces_or_clears_the_id_number(login, keeper, archive):
    client = login(keeper)
    client.post(reverse("archives:edit", args=[archive.pk]), edit_data(archive, id_number=idn(30)))
    archive.refresh_from_db()
    assert archive.id_number == idn(30)
    client.post(reverse("archives:edit", args=[archive.pk]), edit_data(archive, clear_id_number="on"))
    archive.refresh_from_db()
    assert archive.id_number == "" and archive.id_number_index == ""


def test_edit_with_a_stale_version_says_so_and_changes_nothing(login, keeper, archive):
    services.archive_update(actor=keeper, archive=archive, version=1, post="村支书")  # someone else, first
    stale = edit_data(archive, name="改名", version=1)
    response = login(keeper).post(reverse("archives:edit", args=[archive.pk]), stale)
    assert response.status_code == 200
    assert "该记录已被他人修改，请刷新后重试" in response.content.decode()
    archive.refresh_from_db()
    assert archive.name == "王某" and archive.version == 2
    assert AuditEvent.objects.filter(action="archive.update").count() == 1


def test_edit_with_a_bad_id_number_changes_nothing(login, keeper, archive):
    response = login(keeper).post(
        reverse("archives:edit", args=[archive.pk]), edit_data(archive, id_number="123")
    )
    assert "身份证号应为18位" in response.content.decode()
    archive.refresh_from_db()
    assert archive.id_number == idn(1) and archive.version == 1


# --- linked reports -------------------------------------------------------------------------------


def test_linked_reports_follow_the_holder_rule(login, keeper, archive, tree):
    linked_report(
        archive,
        tree.county,
        "421321-2026-0001",
        state=PetitionState.CLOSED,
        result="经核实，问题部分属实，给予诫勉",
        closed_at=timezone.now(),
    )
    linked_report(archive, tree.city, "421300-2026-0009", restricted=True, route="higher")
    body = (
        login(keeper).post(reverse("archives:detail", args=[archive.pk]), {"reason": "核查"}).content.decode()
    )
    assert "421321-2026-0001" in body and "给予诫勉" in body
    assert "421300-2026-0009" not in body
    assert "李举报" not in body and "优亲厚友的具体事实" not in body
    assert "关联的信访举报（1）" in body


def test_an_htmx_search_gets_only_the_rows(login, keeper, archive):
    response = login(keeper).get(reverse("archives:list"), {"q": "王某"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert f'<tr id="archive-{archive.pk}"' in body and "<html" not in body


# --- the unit select: units above village level listed, any unit of the jurisdiction found -----------
def _option_values(html: str) -> set[str]:
    import re

    return set(re.findall(r'<option value="(\d+)"', html))


def test_the_unit_select_lists_units_above_villages_and_a_search_finds_a_village(client, tree, keeper):
    from tests.conftest import sign_in

    sign_in(client, keeper)
    page = client.get(reverse("archives:create")).content.decode()
    listed = _option_values(page)
    assert str(tree.township_a.pk) in listed and str(tree.county.pk) in listed
    assert str(tree.village_a.pk) not in listed  # villages are found, not listed
    assert str(tree.township_c.pk) not in listed  # another county

    found = client.get(reverse("archives:create"), {"unit_q": tree.village_a.name[:2]}).content.decode()
    assert str(tree.village_a.pk) in _option_values(found)

    options = client.get(reverse("archives:unit_options"), {"unit_q": tree.village_a.name}).content.decode()
    assert _option_values(options) == {str(tree.village_a.pk)}
    nothing = client.get(reverse("archives:unit_options"), {"unit_q": tree.village_c.name}).content.decode()
    assert _option_values(nothing) == set() and "未找到" in nothing  # another county's village

    # A village that the page did not list is accepted when posted (found by the search).
    response = client.post(
        reverse("archives:create"),
        {"name": "赵某", "org_unit": tree.village_a.pk, "post": "村委会委员", "level": "village"},
    )
    assert response.status_code == 302
    assert IntegrityArchive.objects.get(name="赵某").org_unit_id == tree.village_a.pk
    refused = client.post(
        reverse("archives:create"),
        {"name": "钱某", "org_unit": tree.village_c.pk, "post": "村委会委员", "level": "village"},
    )
    assert "所选单位不在本机关管辖范围内" in refused.content.decode()
    assert not IntegrityArchive.objects.filter(name="钱某").exists()


def test_the_edit_page_keeps_the_archives_village_in_the_select(client, tree, keeper, archive):
    from tests.conftest import sign_in

    sign_in(client, keeper)
    page = client.get(reverse("archives:edit", args=[archive.pk])).content.decode()
    assert str(tree.village_a.pk) in _option_values(page)  # the current unit, though a village


def test_only_keepers_search_units(client, tree, reader):
    from tests.conftest import sign_in

    sign_in(client, reader)
    assert client.get(reverse("archives:unit_options"), {"unit_q": "shn"}).status_code == 404


def test_the_list_filter_finds_a_unit_it_does_not_list_when_there_are_many(
    login, keeper, archive, tree, monkeypatch
):
    """A province's keeper has thousands of townships above its villages: the filter's select lists
    the units above them and the unit search finds a township (here: more units than the select's
    limit, set low)."""
    from jijian.core.forms import OfferedUnitChoiceField

    client = login(keeper)
    page = client.get(reverse("archives:list")).content.decode()
    assert {str(tree.county.pk), str(tree.township_a.pk)} <= _option_values(page)  # few: all listed
    monkeypatch.setattr(OfferedUnitChoiceField, "max_offered", 2)
    listed = _option_values(client.get(reverse("archives:list")).content.decode())
    assert str(tree.county.pk) in listed and str(tree.township_a.pk) not in listed
    found = client.get(reverse("archives:list"), {"unit_q": tree.township_a.name}).content.decode()
    assert _option_values(found) == {str(tree.township_a.pk)}
    # Chosen from the search results: the list is filtered by it, and the select keeps it.
    other = make_archive(keeper, tree.village_b, name="李某", id_number=idn(3))
    body = client.get(reverse("archives:list"), {"unit": tree.township_a.pk}).content.decode()
    assert f'id="archive-{archive.pk}"' in body and f'id="archive-{other.pk}"' not in body
    assert str(tree.township_a.pk) in _option_values(body)
    nothing = client.get(reverse("archives:list"), {"unit_q": tree.township_c.name}).content.decode()
    assert "未找到" in nothing  # another county's township


def test_the_archive_forms_unit_select_stays_short_when_there_are_many(client, tree, keeper, monkeypatch):
    from jijian.core.forms import OfferedUnitChoiceField
    from tests.conftest import sign_in

    sign_in(client, keeper)
    monkeypatch.setattr(OfferedUnitChoiceField, "max_offered", 2)
    listed = _option_values(client.get(reverse("archives:create")).content.decode())
    assert str(tree.county.pk) in listed and str(tree.township_a.pk) not in listed
    found = client.get(reverse("archives:create"), {"unit_q": tree.township_a.name}).content.decode()
    assert str(tree.township_a.pk) in _option_values(found)
