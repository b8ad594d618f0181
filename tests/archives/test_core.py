"""Integrity archives, services and access: who keeps them, who sees them, recusal, a reason to open."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jijian.archives import services
from jijian.archives.access import archives_visible_to, get_archive_for
from jijian.archives.models import IntegrityArchive
from jijian.audit.models import AuditEvent
from jijian.core.models import StaffRelation
from jijian.core.roles import Role
from jijian.core.sensitive.crypto import blind_index
from jijian.core.services import ConcurrentEditError
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ID_A = "421381199001011233"
ID_B = "421321198506152348"


@pytest.fixture
def staff(tree):
    return {
        "keeper": make_user("gj_county", tree.county, Role.CADRE_SUPERVISION),
        "other_keeper": make_user("gj_other", tree.other_county, Role.CADRE_SUPERVISION),
        "reader": make_user("sl_city", tree.city, Role.CASE_REVIEW),
        "petition": make_user("po_city", tree.city, Role.PETITION_OFFICE),
    }


def _create(actor, unit, name="张某", **extra):
    return services.archive_create(actor=actor, name=name, org_unit=unit, level="section", **extra)


def test_the_keeper_creates_archives_in_the_jurisdiction_only(tree, staff):
    archive = _create(staff["keeper"], tree.township_a, id_number=f" {ID_A} ", post="镇长")
    row = IntegrityArchive.objects.get(pk=archive.pk)
    assert row.id_number == ID_A and row.id_number_index == blind_index(ID_A)
    assert row.name_index == blind_index("张某")
    event = AuditEvent.objects.get(action="archive.create")
    assert ID_A not in str(event.summary) + str(event.after)

    with pytest.raises(ValidationError, match="管辖范围"):
        _create(staff["keeper"], tree.township_c)
    with pytest.raises(PermissionDenied):
        _create(staff["reader"], tree.township_a)
    with pytest.raises(PermissionDenied):
        _create(staff["petition"], tree.township_a)
    assert IntegrityArchive.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": " "}, "姓名"),
        ({"id_number": "123456"}, "身份证"),
        ({"level": "general"}, "级别"),
        ({"name": "张" * 101}, "姓名最多100字（现有101字）"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(tree, staff, fields, message):
    data = {"name": "张某", "level": "section", **fields}
    with pytest.raises(ValidationError, match=message):
        services.archive_create(actor=staff["keeper"], org_unit=tree.township_a, **data)
    assert (
        not IntegrityArchive.objects.exists()
        and not AuditEvent.objects.filter(action="archive.create").exists()
    )


def test_one_active_archive_per_id_number(tree, staff):
    _create(staff["keeper"], tree.township_a, id_number=ID_A)
    with pytest.raises(ValidationError, match="已有廉情档案"):
        _create(staff["keeper"], tree.village_a, name="张某某", id_number=ID_A)
    assert IntegrityArchive.objects.count() == 1


def test_readers_see_their_jurisdiction(tree, staff):
    county = _create(staff["keeper"], tree.township_a)
    other = _create(staff["other_keeper"], tree.township_c, name="李某")
    assert list(archives_visible_to(staff["keeper"])) == [county]
    assert list(archives_visible_to(staff["other_keeper"])) == [other]
    assert set(archives_visible_to(staff["reader"])) == {county, other}
    assert not archives_visible_to(staff["petition"]).exists()  # no archives module
    # The organisation department asks for opinions and opens no archive.
    assert not archives_visible_to(make_user("zzb_city", tree.city, Role.ORG_DEPARTMENT)).exists()
    with pytest.raises(Http404):
        get_archive_for(staff["keeper"], other.pk)


def test_nobody_sees_their_own_archive_or_a_relatives(tree, staff):
    keeper = staff["keeper"]
    keeper.id_number = ID_B
    keeper.save()
    own = _create(keeper, tree.county, name=keeper.full_name, id_number=ID_B)
    relative = _create(keeper, tree.township_a, name="王亲属")
    stranger = _create(keeper, tree.township_a, name="赵某")
    StaffRelation.objects.create(user=keeper, relative_name="王亲属", kind="spouse")
    assert list(archives_visible_to(keeper)) == [stranger]
    assert set(archives_visible_to(staff["reader"])) == {own, relative, stranger}


def test_without_a_recorded_id_number_the_own_archive_is_matched_by_name_and_unit(tree, staff):
    keeper = staff["keeper"]
    own = _create(keeper, tree.county, name=keeper.full_name)
    namesake_elsewhere = _create(keeper, tree.township_a, name=keeper.full_name)
    assert list(archives_visible_to(keeper)) == [namesake_elsewhere]
    assert own in archives_visible_to(staff["reader"])


def test_an_archive_of_oneself_without_an_id_number_is_closed_to_one_who_has_one(tree, staff):
    """The account's ID number is recorded; its archive in its own unit was kept without one."""
    keeper = staff["keeper"]
    keeper.id_number = ID_B
    keeper.save()
    own = _create(keeper, tree.county, name=keeper.full_name)
    namesake_elsewhere = _create(keeper, tree.township_a, name=keeper.full_name)
    assert list(archives_visible_to(keeper)) == [namesake_elsewhere]
    assert own in archives_visible_to(staff["reader"])


def test_the_relatives_recorded_in_ones_own_archive_are_closed_to_one(tree, staff):
    """Nobody opens a relative's archive, declared or not: the family section of one's own archive,
    kept by a colleague, names the relative."""
    keeper = staff["keeper"]
    colleague = make_user("gj_county2", tree.county, Role.CADRE_SUPERVISION)
    own = _create(colleague, tree.county, name=keeper.full_name)
    brother = _create(keeper, tree.township_a, name="张兄弟")
    stranger = _create(keeper, tree.township_a, name="赵某")
    services.family_add(
        actor=colleague,
        archive=own,
        relation="sibling",
        name="张兄弟",
        source="本人填报",
        recorded_on=datetime.date(2026, 1, 5),
    )
    assert list(archives_visible_to(keeper)) == [stranger]
    assert set(archives_visible_to(staff["reader"])) >= {brother, stranger}
    with pytest.raises(Http404):
        get_archive_for(keeper, brother.pk)


def test_an_edit_on_a_stale_page_changes_nothing(tree, staff):
    archive = _create(staff["keeper"], tree.township_a)
    updated = services.archive_update(
        actor=staff["keeper"], archive=archive, version=1, post="党委书记", name="张某甲"
    )
    assert updated.version == 2 and updated.name_index == blind_index("张某甲")
    with pytest.raises(ConcurrentEditError):
        services.archive_update(actor=staff["keeper"], archive=archive, version=1, post="镇长")
    row = IntegrityArchive.objects.get(pk=archive.pk)
    assert (row.post, row.version) == ("党委书记", 2)
    event = AuditEvent.objects.get(action="archive.update")
    assert event.after == {"fields": ["name", "post"]}


def test_moving_an_archive_out_of_the_jurisdiction_is_refused(tree, staff):
    archive = _create(staff["keeper"], tree.township_a)
    with pytest.raises(ValidationError, match="管辖范围"):
        services.archive_update(actor=staff["keeper"], archive=archive, version=1, org_unit=tree.township_c)
    assert IntegrityArchive.objects.get(pk=archive.pk).org_unit_id == tree.township_a.pk


def test_opening_needs_a_reason_and_is_audited(tree, staff):
    archive = _create(staff["keeper"], tree.township_a)
    for reason in ("", " ", "x"):
        with pytest.raises(ValidationError, match="事由"):
            services.archive_open(actor=staff["reader"], archive=archive, reason=reason)
    assert not AuditEvent.objects.filter(action="archive.open").exists()
    services.archive_open(actor=staff["reader"], archive=archive, reason="干部提拔党风廉政意见回复")
    event = AuditEvent.objects.get(action="archive.open")
    assert event.actor_id == staff["reader"].pk and event.after == {"reason": "干部提拔党风廉政意见回复"}


def test_archive_staff_declare_relations_on_the_recusal_page_and_the_archive_disappears(client, tree, staff):
    from django.urls import reverse

    from tests.conftest import sign_in

    keeper = staff["keeper"]
    relative = _create(keeper, tree.township_a, name="钱亲属")
    assert relative in archives_visible_to(keeper)
    sign_in(client, keeper)
    nav = client.get(reverse("core:home")).context["nav_items"]
    assert [i["url"] for i in nav].count(reverse("petitions_work:relations")) == 1
    # The page's tabs offer only what this office may open: the petitions' desk (转办件, 导出登记簿)
    # answered 页面不存在 to archive staff until 2026-12-06.
    page = client.get(reverse("petitions_work:relations")).content.decode()
    tabs = re.findall(
        r'href="(/petitions/work/[^"]*)"', page.split('class="tabs work-tabs"')[1].split("</nav>")[0]
    )
    assert tabs == [reverse("petitions_work:relations")]
    assert all(client.get(url).status_code == 200 for url in tabs)
    response = client.post(
        reverse("petitions_work:relations"),
        {"relative_name": "钱亲属", "relative_unit": "", "kind": "spouse"},
    )
    assert response.status_code == 302
    assert relative not in archives_visible_to(keeper)
    assert get_archive_for(staff["reader"], relative.pk) == relative


def test_who_has_neither_module_cannot_declare(client, tree, staff):
    from django.urls import reverse

    from tests.conftest import sign_in

    conduct = make_user("conduct", tree.county, Role.CONDUCT_SUPERVISION)
    sign_in(client, conduct)
    assert client.get(reverse("petitions_work:relations")).status_code == 404
