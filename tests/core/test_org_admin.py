"""The system administrator's pages for the org tree (新建下级单位, 重命名, 移动到, 撤销) and for an
account (name, unit, position, mobile number, 启用/停用): each through its service, with the version
the page showed, inside the administrator's subtree, every refusal a Chinese message with the input
kept, every change audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.core.models import OrgKind, OrgUnit, User
from jijian.core.roles import Role
from jijian.core.sensitive.crypto import blind_index
from tests.conftest import make_user

STALE = "该记录已被他人修改"


def manage(unit: OrgUnit) -> str:
    return reverse("core:org_manage", args=[unit.pk])


def fresh(unit: OrgUnit) -> OrgUnit:
    return OrgUnit.objects.get(pk=unit.pk)


@pytest.fixture
def county_admin(tree):
    """A system administrator of 随县: their subtree is the county, 广水市 is outside it."""
    return make_user("county_admin", tree.county, Role.SYSTEM_ADMIN)


# --- 新建下级单位 -----------------------------------------------------------------------------------
def test_admin_creates_a_village_under_a_township(login, tree, people):
    client = login(people.system_admin)
    page = client.get(manage(tree.township_a))
    assert page.status_code == 200
    assert "新建下级单位" in page.content.decode()
    response = client.post(
        manage(tree.township_a),
        {"action": "create", "new-name": "新建村", "new-kind": OrgKind.VILLAGE, "new-code": "421321100299"},
    )
    assert response.status_code == 302
    child = OrgUnit.objects.get(code="421321100299")
    assert (child.name, child.parent_id, child.county_id) == ("新建村", tree.township_a.pk, tree.county.pk)
    event = AuditEvent.objects.get(action="org_unit.create", object_id=str(child.pk))
    assert event.actor_id == people.system_admin.pk


def test_a_taken_code_is_refused_with_the_input_kept(login, tree, people):
    client = login(people.system_admin)
    before = OrgUnit.objects.count()
    response = client.post(
        manage(tree.township_a),
        {
            "action": "create",
            "new-name": "重码村",
            "new-kind": OrgKind.VILLAGE,
            "new-code": tree.village_a.code,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f"代码 {tree.village_a.code} 已被使用" in body
    assert 'value="重码村"' in body
    assert OrgUnit.objects.count() == before


def test_a_kind_that_cannot_sit_there_is_refused(login, tree, people):
    client = login(people.system_admin)
    response = client.post(
        manage(tree.township_a), {"action": "create", "new-name": "组", "new-kind": OrgKind.COUNTY}
    )
    assert response.status_code == 400
    assert "该类型的单位不能设在本单位之下" in response.content.decode()
    assert not OrgUnit.objects.filter(name="组").exists()


# --- 重命名 ------------------------------------------------------------------------------------------
def test_admin_renames_a_unit(login, tree, people):
    client = login(people.system_admin)
    unit = tree.village_a
    response = client.post(
        manage(unit), {"action": "rename", "rename-version": unit.version, "rename-name": "神农社区"}
    )
    assert response.status_code == 302
    assert fresh(unit).name == "神农社区"
    event = AuditEvent.objects.get(action="org_unit.update", object_id=str(unit.pk))
    assert (event.before["name"], event.after["name"]) == ("神农村", "神农社区")


def test_a_rename_over_a_newer_version_is_refused(login, tree, people):
    client = login(people.system_admin)
    unit = tree.village_a
    shown = unit.version
    assert (
        client.post(
            manage(unit), {"action": "rename", "rename-version": shown, "rename-name": "甲"}
        ).status_code
        == 302
    )
    response = client.post(manage(unit), {"action": "rename", "rename-version": shown, "rename-name": "乙"})
    assert response.status_code == 400
    body = response.content.decode()
    assert STALE in body and 'value="乙"' in body
    assert fresh(unit).name == "甲"


def test_an_empty_name_is_refused(login, tree, people):
    client = login(people.system_admin)
    unit = tree.village_a
    response = client.post(
        manage(unit), {"action": "rename", "rename-version": unit.version, "rename-name": "  "}
    )
    assert response.status_code == 400
    assert "请填写新名称" in response.content.decode()
    assert fresh(unit).name == "神农村"


# --- 移动到 ------------------------------------------------------------------------------------------
def test_admin_moves_a_village_to_another_township(login, tree, people):
    client = login(people.system_admin)
    unit = tree.village_a
    page = client.get(manage(unit)).content.decode()
    assert "data-unit-picker" in page  # the project's unit picker
    response = client.post(
        manage(unit), {"action": "move", "move-version": unit.version, "move-new_parent": tree.township_b.pk}
    )
    assert response.status_code == 302
    moved = fresh(unit)
    assert moved.parent_id == tree.township_b.pk and moved.township_id == tree.township_b.pk
    event = AuditEvent.objects.get(action="org_unit.move", object_id=str(unit.pk))
    assert event.after == {"parent": tree.township_b.pk}


def test_a_move_over_a_newer_version_is_refused(login, tree, people):
    client = login(people.system_admin)
    unit = tree.village_a
    shown = unit.version
    client.post(manage(unit), {"action": "rename", "rename-version": shown, "rename-name": "神农村一组"})
    response = client.post(
        manage(unit), {"action": "move", "move-version": shown, "move-new_parent": tree.township_b.pk}
    )
    assert response.status_code == 400
    assert STALE in response.content.decode()
    assert fresh(unit).parent_id == tree.township_a.pk
    assert not AuditEvent.objects.filter(action="org_unit.move").exists()


def test_a_parent_of_the_wrong_kind_is_refused(login, tree, people):
    client = login(people.system_admin)
    unit = tree.village_a
    response = client.post(
        manage(unit), {"action": "move", "move-version": unit.version, "move-new_parent": tree.county.pk}
    )
    assert response.status_code == 400
    assert "不能作为本单位的上级" in response.content.decode()
    assert fresh(unit).parent_id == tree.township_a.pk


def test_a_county_admin_cannot_move_a_unit_out_of_the_county(login, tree, county_admin):
    client = login(county_admin)
    unit = tree.village_a
    response = client.post(
        manage(unit), {"action": "move", "move-version": unit.version, "move-new_parent": tree.township_c.pk}
    )
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.content.decode()
    assert fresh(unit).parent_id == tree.township_a.pk


def test_an_admin_cannot_move_or_close_their_own_unit(login, tree, county_admin):
    client = login(county_admin)
    unit = tree.county
    response = client.post(
        manage(unit),
        {
            "action": "close",
            "close-version": unit.version,
            "close-closed_on": "2026-12-01",
            "close-reason": "撤县设区",
        },
    )
    assert response.status_code == 400
    assert "不能撤销您本人所在的单位" in response.content.decode()
    assert fresh(unit).is_active


# --- 撤销 --------------------------------------------------------------------------------------------
def test_admin_closes_an_empty_village_with_a_reason(login, tree, people):
    client = login(people.system_admin)
    unit = tree.village_a2
    response = client.post(
        manage(unit),
        {
            "action": "close",
            "close-version": unit.version,
            "close-closed_on": "2026-12-01",
            "close-reason": "并入神农村",
        },
    )
    assert response.status_code == 302
    closed = fresh(unit)
    assert not closed.is_active and str(closed.active_until) == "2026-12-01"
    event = AuditEvent.objects.get(action="org_unit.close", object_id=str(unit.pk))
    assert "并入神农村" in event.summary
    assert event.after["is_active"] is False


def test_the_close_date_starts_as_today_in_the_date_fields_format(login, tree, people):
    """A <input type=date> takes only YYYY-MM-DD: any other format shows an empty field."""
    from django.utils import timezone

    page = login(people.system_admin).get(manage(tree.village_a2)).content.decode()
    assert f'name="close-closed_on" value="{timezone.localdate():%Y-%m-%d}"' in page


def test_closing_needs_a_reason(login, tree, people):
    client = login(people.system_admin)
    unit = tree.village_a2
    response = client.post(
        manage(unit),
        {
            "action": "close",
            "close-version": unit.version,
            "close-closed_on": "2026-12-01",
            "close-reason": "",
        },
    )
    assert response.status_code == 400
    assert "请填写撤销原因" in response.content.decode()
    assert fresh(unit).is_active


def test_a_unit_with_active_accounts_is_not_closed(login, tree, people):
    client = login(people.system_admin)
    unit = tree.village_a  # member_a works here
    response = client.post(
        manage(unit),
        {
            "action": "close",
            "close-version": unit.version,
            "close-closed_on": "2026-12-01",
            "close-reason": "合并",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "仍有启用的账号" in body and "合并" in body
    assert fresh(unit).is_active
    assert not AuditEvent.objects.filter(action="org_unit.close").exists()


def test_a_unit_with_active_subordinates_is_not_closed(login, tree, people):
    client = login(people.system_admin)
    unit = tree.township_c
    response = client.post(
        manage(unit),
        {
            "action": "close",
            "close-version": unit.version,
            "close-closed_on": "2026-12-01",
            "close-reason": "合并",
        },
    )
    assert response.status_code == 400
    assert "仍有未撤销的下级单位" in response.content.decode()
    assert fresh(unit).is_active


def test_a_close_over_a_newer_version_is_refused(login, tree, people):
    client = login(people.system_admin)
    unit = tree.village_a2
    shown = unit.version
    client.post(manage(unit), {"action": "rename", "rename-version": shown, "rename-name": "凤凰社区"})
    response = client.post(
        manage(unit),
        {"action": "close", "close-version": shown, "close-closed_on": "2026-12-01", "close-reason": "合并"},
    )
    assert response.status_code == 400
    assert STALE in response.content.decode()
    assert fresh(unit).is_active


def test_no_unit_is_created_under_a_closed_one(login, tree, people):
    client = login(people.system_admin)
    unit = tree.village_a2
    client.post(
        manage(unit),
        {
            "action": "close",
            "close-version": unit.version,
            "close-closed_on": "2026-12-01",
            "close-reason": "合并",
        },
    )
    assert "新建下级单位" not in client.get(manage(unit)).content.decode()


# --- 恢复 --------------------------------------------------------------------------------------------
def close(client, unit: OrgUnit, reason: str = "合并") -> None:
    unit = fresh(unit)
    response = client.post(
        manage(unit),
        {
            "action": "close",
            "close-version": unit.version,
            "close-closed_on": "2026-12-01",
            "close-reason": reason,
        },
    )
    assert response.status_code == 302 and not fresh(unit).is_active


def test_admin_reopens_a_unit_closed_by_mistake_with_a_reason(login, tree, people):
    client = login(people.system_admin)
    close(client, tree.village_a2)
    page = client.get(manage(tree.village_a2)).content.decode()
    assert 'value="reopen"' in page and 'value="close"' not in page
    unit = fresh(tree.village_a2)
    response = client.post(
        manage(unit),
        {"action": "reopen", "reopen-version": unit.version, "reopen-reason": "误撤销，经批准恢复"},
    )
    assert response.status_code == 302
    reopened = fresh(unit)
    assert reopened.is_active and reopened.active_until is None
    event = AuditEvent.objects.get(action="org_unit.reopen", object_id=str(unit.pk))
    assert event.summary == f"恢复单位 {unit.name}：误撤销，经批准恢复"
    assert event.before["is_active"] is False and event.after["is_active"] is True
    # Open again: it takes a subordinate unit and offers 撤销 once more.
    page = client.get(manage(unit)).content.decode()
    assert 'value="close"' in page and 'value="reopen"' not in page


def test_reopening_needs_a_reason_and_changes_nothing_without_one(login, tree, people):
    client = login(people.system_admin)
    close(client, tree.village_a2)
    unit = fresh(tree.village_a2)
    response = client.post(
        manage(unit), {"action": "reopen", "reopen-version": unit.version, "reopen-reason": " "}
    )
    assert response.status_code == 400
    assert "请填写恢复原因" in response.content.decode()
    assert not fresh(unit).is_active and fresh(unit).version == unit.version
    assert not AuditEvent.objects.filter(action="org_unit.reopen").exists()


def test_a_unit_under_a_closed_parent_is_not_reopened(login, tree, people):
    client = login(people.system_admin)
    township = make_unit_with_child(tree)
    village = township.children.get()
    close(client, village)
    close(client, township)
    response = client.post(
        manage(village),
        {"action": "reopen", "reopen-version": fresh(village).version, "reopen-reason": "误撤销"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f"上级单位{township.name}已撤销，请先恢复上级单位" in body and "误撤销" in body
    assert not fresh(village).is_active


def test_a_reopen_over_a_newer_version_is_refused(login, tree, people):
    client = login(people.system_admin)
    close(client, tree.village_a2)
    shown = fresh(tree.village_a2).version
    client.post(
        manage(tree.village_a2), {"action": "rename", "rename-version": shown, "rename-name": "凤凰社区"}
    )
    response = client.post(
        manage(tree.village_a2), {"action": "reopen", "reopen-version": shown, "reopen-reason": "误撤销"}
    )
    assert response.status_code == 400
    assert STALE in response.content.decode()
    assert not fresh(tree.village_a2).is_active


def test_an_open_unit_is_not_reopened(login, tree, people):
    client = login(people.system_admin)
    unit = tree.village_a2
    response = client.post(
        manage(unit), {"action": "reopen", "reopen-version": unit.version, "reopen-reason": "x"}
    )
    assert response.status_code == 400
    assert "未撤销，无需恢复" in response.content.decode()
    assert not AuditEvent.objects.filter(action="org_unit.reopen").exists()


def test_a_county_admin_cannot_reopen_a_unit_outside_the_county(login, tree, people, county_admin):
    close(login(people.system_admin), tree.village_c)
    unit = fresh(tree.village_c)
    response = login(county_admin).post(
        manage(unit), {"action": "reopen", "reopen-version": unit.version, "reopen-reason": "误撤销"}
    )
    assert response.status_code == 404
    assert not fresh(unit).is_active


def make_unit_with_child(tree) -> OrgUnit:
    """A township of its own with one village and nobody in either, so both can be closed."""
    from jijian.core.services import org_unit_create

    township = org_unit_create(actor=None, name="新设镇", kind=OrgKind.TOWNSHIP, parent=tree.county)
    org_unit_create(actor=None, name="新设村", kind=OrgKind.VILLAGE, parent=township)
    return township


# --- who may -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["county_officer", "security_admin", "township_a", "outsider"])
def test_only_the_system_admin_reaches_the_page(login, tree, people, persona):
    client = login(getattr(people, persona))
    unit = tree.village_a
    assert client.get(manage(unit)).status_code == 404
    response = client.post(
        manage(unit), {"action": "rename", "rename-version": unit.version, "rename-name": "外"}
    )
    assert response.status_code == 404
    assert fresh(unit).name == "神农村"


def test_a_county_admin_gets_404_outside_the_county(login, tree, county_admin):
    client = login(county_admin)
    assert client.get(manage(tree.village_a)).status_code == 200
    for outside in (tree.village_c, tree.other_county, tree.city):
        assert client.get(manage(outside)).status_code == 404
    unit = tree.village_c
    response = client.post(
        manage(unit), {"action": "rename", "rename-version": unit.version, "rename-name": "外"}
    )
    assert response.status_code == 404
    assert fresh(unit).name == "桃源村"


def test_the_org_page_links_to_the_admin_page_for_the_admin_only(login, tree, people):
    url = reverse("core:org_detail", args=[tree.village_a.pk])
    assert manage(tree.village_a) in login(people.system_admin).get(url).content.decode()
    assert manage(tree.village_a) not in login(people.county_officer).get(url).content.decode()


# --- accounts ----------------------------------------------------------------------------------------
def edit(user: User) -> str:
    return reverse("core:account_edit", args=[user.pk])


def edit_data(user: User, **changes) -> dict:
    data = {
        "version": user.version,
        "full_name": user.full_name,
        "org_unit": user.org_unit_id,
        "position": user.position,
        "phone": "",
    }
    return {**data, **changes}


def test_admin_edits_name_unit_position_and_phone(login, tree, people):
    client = login(people.system_admin)
    member = people.member_a
    assert client.get(edit(member)).status_code == 200
    response = client.post(
        edit(member),
        edit_data(
            member, full_name="李四", org_unit=tree.village_a2.pk, position="监察信息员", phone="13800138000"
        ),
    )
    assert response.status_code == 302
    saved = User.objects.get(pk=member.pk)
    assert (saved.full_name, saved.org_unit_id, saved.position) == ("李四", tree.village_a2.pk, "监察信息员")
    assert saved.phone == "13800138000"
    assert saved.phone_index == blind_index("13800138000")  # found by number, stored encrypted
    assert saved.version == member.version + 1
    event = AuditEvent.objects.get(action="user.update", object_id=str(member.pk))
    assert event.after["org_unit"] == tree.village_a2.pk and event.after["phone_changed"] is True
    assert "13800138000" not in str(event.before) + str(event.after) + event.summary


def test_an_empty_phone_keeps_the_number_and_the_box_removes_it(login, tree, people):
    client = login(people.system_admin)
    member = people.member_a
    client.post(edit(member), edit_data(member, phone="13800138000"))
    member = User.objects.get(pk=member.pk)
    page = client.get(edit(member)).content.decode()
    assert "13800138000" not in page and "138****8000" in page
    client.post(edit(member), edit_data(member, position="委员"))
    member = User.objects.get(pk=member.pk)
    assert member.phone == "13800138000"
    client.post(edit(member), edit_data(member, clear_phone="on"))
    assert User.objects.get(pk=member.pk).phone == ""


def test_a_bad_phone_is_refused_with_the_input_kept(login, tree, people):
    client = login(people.system_admin)
    member = people.member_a
    response = client.post(edit(member), edit_data(member, full_name="王五", phone="12345"))
    assert response.status_code == 400
    assert 'value="王五"' in response.content.decode()
    assert User.objects.get(pk=member.pk).full_name == member.full_name


def test_a_unit_that_does_not_fit_the_roles_is_refused(login, tree, people):
    client = login(people.system_admin)
    member = people.member_a  # 村纪检委员: only in a village or community
    response = client.post(edit(member), edit_data(member, full_name="王五", org_unit=tree.township_a.pk))
    assert response.status_code == 400
    body = response.content.decode()
    assert "请先由安全保密管理员撤销该角色" in body and 'value="王五"' in body
    assert User.objects.get(pk=member.pk).org_unit_id == tree.village_a.pk
    assert not AuditEvent.objects.filter(action="user.update").exists()


def test_an_account_edit_over_a_newer_version_is_refused(login, tree, people):
    client = login(people.system_admin)
    member = people.member_a
    shown = edit_data(member)
    assert client.post(edit(member), {**shown, "position": "甲"}).status_code == 302
    response = client.post(edit(member), {**shown, "position": "乙"})
    assert response.status_code == 400
    body = response.content.decode()
    assert STALE in body and 'value="乙"' in body
    assert User.objects.get(pk=member.pk).position == "甲"


def test_disabling_over_a_newer_version_is_refused(login, tree, people):
    client = login(people.system_admin)
    member = people.member_a
    shown = member.version
    client.post(edit(member), edit_data(member, position="甲"))
    url = reverse("core:account_detail", args=[member.pk])
    response = client.post(url, {"action": "deactivate", "version": shown, "reason": "调离"})
    assert response.status_code == 400
    assert STALE in response.content.decode()
    assert User.objects.get(pk=member.pk).is_active
    response = client.post(url, {"action": "deactivate", "version": shown + 1, "reason": "调离"})
    assert response.status_code == 302
    assert not User.objects.get(pk=member.pk).is_active
    assert AuditEvent.objects.filter(action="user.deactivate", object_id=str(member.pk)).exists()


def test_a_county_admin_edits_only_accounts_and_units_of_the_county(login, tree, people, county_admin):
    client = login(county_admin)
    assert client.get(edit(people.outsider)).status_code == 404
    assert client.post(edit(people.outsider), edit_data(people.outsider, full_name="外")).status_code == 404
    assert User.objects.get(pk=people.outsider.pk).full_name == people.outsider.full_name
    member = people.member_a
    response = client.post(edit(member), edit_data(member, org_unit=tree.village_c.pk))
    assert response.status_code == 400
    assert "所选单位不存在或不在您的管辖范围内" in response.content.decode()
    assert User.objects.get(pk=member.pk).org_unit_id == tree.village_a.pk


@pytest.mark.parametrize("persona", ["security_admin", "county_officer", "outsider"])
def test_only_the_system_admin_edits_accounts(login, people, persona):
    client = login(getattr(people, persona))
    member = people.member_a
    assert client.get(edit(member)).status_code == 404
    assert client.post(edit(member), edit_data(member, full_name="外")).status_code == 404
    assert User.objects.get(pk=member.pk).full_name == member.full_name


def test_the_unit_search_keeps_what_was_typed(login, tree, people):
    client = login(people.system_admin)
    member = people.member_a
    response = client.post(
        edit(member), {**edit_data(member, full_name="赵六"), "unit_search": "1", "unit_q": "凤凰"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="赵六"' in body and "凤凰村" in body
    assert User.objects.get(pk=member.pk).full_name == member.full_name


def test_the_account_services_check_the_mobile_number_themselves(tree, people):
    """The service, not only the form: a caller that skips the form (a command, the API) cannot store a bad number."""
    from django.core.exceptions import ValidationError as Invalid

    from jijian.core.services import user_create, user_update

    target = people.member_a
    target.refresh_from_db()
    with pytest.raises(Invalid, match="手机号码应为11位"):
        user_update(
            actor=people.system_admin,
            user=target,
            version=target.version,
            full_name=target.full_name,
            org_unit=target.org_unit,
            position="",
            phone="12345",
        )
    with pytest.raises(Invalid, match="手机号码应为11位"):
        user_create(
            actor=people.system_admin,
            username="new1",
            full_name="新人",
            org_unit=tree.village_a,
            phone="0722",
        )
    saved = user_update(
        actor=people.system_admin,
        user=target,
        version=target.version,
        full_name=target.full_name,
        org_unit=target.org_unit,
        position="",
        phone="+86 138-0000-1234",
    )
    assert saved.phone == "13800001234"


def test_a_closed_unit_takes_no_new_account_nor_a_moved_one(login, tree, people):
    OrgUnit.objects.filter(pk=tree.village_c.pk).update(is_active=False)
    client = login(people.system_admin)
    member = people.member_a
    response = client.post(edit(member), edit_data(member, org_unit=tree.village_c.pk))
    assert response.status_code == 400
    assert f"{tree.village_c.name}已撤销，不能将账号调往该单位" in response.content.decode()
    assert User.objects.get(pk=member.pk).org_unit_id == tree.village_a.pk
    created = client.post(
        reverse("core:account_create"),
        {
            "username": "xinren",
            "full_name": "新人",
            "org_unit": tree.village_c.pk,
            "temporary_password": "Haoren-2026!x",
        },
    )
    assert created.status_code == 400 and "已撤销，不能在该单位新建账号" in created.content.decode()
    assert not User.objects.filter(username="xinren").exists()


# --- 修改代码 ----------------------------------------------------------------------------------------
def code_data(unit: OrgUnit, code: str, **changes) -> dict:
    return {"action": "code", "code-version": unit.version, "code-code": code, **changes}


def test_admin_corrects_a_units_code_and_the_trail_keeps_the_old_one(login, tree, people):
    client = login(people.system_admin)
    unit = tree.village_a
    page = client.get(manage(unit)).content.decode()
    assert 'value="code"' in page and 'value="421321100201"' in page  # the code form, filled in
    response = client.post(manage(unit), code_data(unit, "421321100209"))
    assert response.status_code == 302
    saved = fresh(unit)
    assert (saved.code, saved.version) == ("421321100209", unit.version + 1)
    event = AuditEvent.objects.get(action="org_unit.code", object_id=str(unit.pk))
    assert (event.before["code"], event.after["code"]) == ("421321100201", "421321100209")
    assert event.actor_id == people.system_admin.pk
    assert "421321100201 → 421321100209" in event.summary
    assert "已将代码改为 421321100209" in client.get(manage(unit)).content.decode()


@pytest.mark.parametrize(
    "typed, message",
    [
        ("4213 2110", "代码只能包含数字、字母和短横线"),
        ("神农村01", "代码只能包含数字、字母和短横线"),
        ("4213_01", "代码只能包含数字、字母和短横线"),
        ("1" * 33, "代码不能超过 32 个字符"),
    ],
)
def test_a_code_outside_the_creation_rule_is_refused(login, tree, people, typed, message):
    client = login(people.system_admin)
    unit = tree.village_a
    response = client.post(manage(unit), code_data(unit, typed))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and f'value="{typed}"' in body
    assert fresh(unit).code == "421321100201" and fresh(unit).version == unit.version
    assert not AuditEvent.objects.filter(action="org_unit.code").exists()


def test_a_code_of_another_unit_is_refused(login, tree, people):
    client = login(people.system_admin)
    unit = tree.village_a
    response = client.post(manage(unit), code_data(unit, tree.village_c.code))
    assert response.status_code == 400
    body = response.content.decode()
    assert f"代码 {tree.village_c.code} 已被使用" in body and f'value="{tree.village_c.code}"' in body
    assert fresh(unit).code == "421321100201"
    assert not AuditEvent.objects.filter(action="org_unit.code").exists()


def test_an_unchanged_code_is_refused_and_nothing_recorded(login, tree, people):
    client = login(people.system_admin)
    unit = tree.village_a
    response = client.post(manage(unit), code_data(unit, unit.code))
    assert response.status_code == 400
    assert "代码未改变" in response.content.decode()
    assert fresh(unit).version == unit.version
    assert not AuditEvent.objects.filter(object_id=str(unit.pk)).exists()


def test_a_code_can_be_cleared_as_at_creation(login, tree, people):
    """Creation leaves the code optional (a management zone has none): so may a correction. Two units
    without a code do not collide."""
    client = login(people.system_admin)
    assert tree.zone.code is None
    unit = tree.village_a
    assert client.post(manage(unit), code_data(unit, "")).status_code == 302
    assert fresh(unit).code is None
    event = AuditEvent.objects.get(action="org_unit.code", object_id=str(unit.pk))
    assert (event.before["code"], event.after["code"]) == ("421321100201", None)


def test_a_code_change_over_a_newer_version_is_refused(login, tree, people):
    client = login(people.system_admin)
    unit = tree.village_a
    shown = unit.version
    client.post(manage(unit), {"action": "rename", "rename-version": shown, "rename-name": "神农村一组"})
    response = client.post(manage(unit), code_data(unit, "421321100209", **{"code-version": shown}))
    assert response.status_code == 400
    body = response.content.decode()
    assert STALE in body and 'value="421321100209"' in body
    assert fresh(unit).code == "421321100201"
    assert not AuditEvent.objects.filter(action="org_unit.code").exists()


def test_the_services_check_the_code_themselves(tree, people):
    """The rule holds for every caller, not only the page's form."""
    from django.core.exceptions import ValidationError

    from jijian.core.services import org_unit_create, org_unit_update

    unit = fresh(tree.village_a)
    with pytest.raises(ValidationError, match="代码只能包含数字、字母和短横线"):
        org_unit_update(
            actor=people.system_admin,
            unit=unit,
            version=unit.version,
            name=unit.name,
            code="42 13",
            is_active=True,
            management_zone=None,
        )
    with pytest.raises(ValidationError, match="代码只能包含数字、字母和短横线"):
        org_unit_create(actor=None, name="新村", kind=OrgKind.VILLAGE, parent=tree.township_a, code="新01")
    assert fresh(unit).code == "421321100201"


# --- 代管管理区 --------------------------------------------------------------------------------------
def zone_data(unit: OrgUnit, zone: OrgUnit | None, **changes) -> dict:
    return {
        "action": "zone",
        "zone-version": unit.version,
        "zone-management_zone": zone.pk if zone else "",
        **changes,
    }


def detail(unit: OrgUnit) -> str:
    return reverse("core:org_detail", args=[unit.pk])


def close_by_service(unit: OrgUnit, actor: User) -> OrgUnit:
    from jijian.core.services import org_unit_update

    unit = fresh(unit)
    return org_unit_update(
        actor=actor,
        unit=unit,
        version=unit.version,
        name=unit.name,
        code=unit.code,
        is_active=False,
        management_zone=unit.management_zone,
        reason="撤并",
    )


def test_a_zone_given_a_township_sees_it_at_once_and_no_longer_once_taken_away(client, tree, people):
    """The zone's officer sees 厉山镇 and its villages from the request after the assignment, and
    gets 404 again from the request after its removal: jurisdiction reads the zone column the service
    rewrote, with no cache in between."""
    from tests.conftest import sign_in

    def officer_sees(unit: OrgUnit) -> int:
        sign_in(client, people.zone_officer)
        return client.get(detail(unit)).status_code

    def as_admin(data: dict) -> int:
        sign_in(client, people.system_admin)
        return client.post(manage(tree.township_a), data).status_code

    assert officer_sees(tree.township_a) == 404 and officer_sees(tree.village_a) == 404
    assert officer_sees(tree.village_b) == 200  # 高城镇's village: the zone's from the start
    assert as_admin(zone_data(fresh(tree.township_a), tree.zone)) == 302
    assert fresh(tree.village_a).zone_id == tree.zone.pk
    assert officer_sees(tree.township_a) == 200 and officer_sees(tree.village_a) == 200
    assert as_admin(zone_data(fresh(tree.township_a), None)) == 302
    assert officer_sees(tree.township_a) == 404 and officer_sees(tree.village_a) == 404
    assert fresh(tree.village_a).zone_id is None

    given, taken = AuditEvent.objects.filter(
        action="org_unit.zone", object_id=str(tree.township_a.pk)
    ).order_by("pk")
    assert (given.before["management_zone"], given.after["management_zone"]) == (None, tree.zone.pk)
    assert (taken.before["management_zone"], taken.after["management_zone"]) == (tree.zone.pk, None)
    assert "无 → 随州高新区" in given.summary and "随州高新区 → 无" in taken.summary
    assert given.actor_id == taken.actor_id == people.system_admin.pk


def test_the_zone_choice_offers_open_zones_in_reach_and_shows_the_present_one(login, tree, people):
    from jijian.core.services import org_unit_create

    shut = org_unit_create(
        actor=None, name="大洪山风景名胜区", kind=OrgKind.MANAGEMENT_ZONE, parent=tree.city
    )
    close_by_service(shut, people.system_admin)
    page = login(people.system_admin).get(manage(tree.township_b)).content.decode()
    assert 'value="zone"' in page and "不由管理区代管" in page
    assert f'<option value="{tree.zone.pk}" selected data-initials="szgxq">随州高新区</option>' in page
    assert "大洪山风景名胜区" not in page  # closed: not offered
    village_page = login(people.system_admin).get(manage(tree.village_a)).content.decode()
    assert 'value="zone"' not in village_page  # a village has no zone of its own


def test_a_county_admin_has_no_zone_to_offer_but_sees_the_present_one(login, tree, county_admin):
    page = login(county_admin).get(manage(tree.township_b)).content.decode()
    assert "随州高新区" in page  # in the facts
    assert 'value="zone"' not in page  # no zone in the county: no form


def test_a_closed_zone_is_refused(login, tree, people):
    from django.core.exceptions import ValidationError

    from jijian.core.services import org_unit_create, org_unit_update

    shut = org_unit_create(
        actor=None, name="大洪山风景名胜区", kind=OrgKind.MANAGEMENT_ZONE, parent=tree.city
    )
    close_by_service(shut, people.system_admin)
    unit = fresh(tree.township_a)
    response = login(people.system_admin).post(manage(unit), zone_data(unit, shut))
    assert response.status_code == 400
    assert "所选管理区不存在、已撤销或不在您的管辖范围内" in response.content.decode()
    # The service refuses it too (a zone closed between the page's check and the save).
    with pytest.raises(ValidationError, match="大洪山风景名胜区已撤销，不能代管单位"):
        org_unit_update(
            actor=people.system_admin,
            unit=unit,
            version=unit.version,
            name=unit.name,
            code=unit.code,
            is_active=True,
            management_zone=fresh(shut),
        )
    assert fresh(unit).management_zone_id is None and fresh(unit).version == unit.version
    assert not AuditEvent.objects.filter(action="org_unit.zone").exists()


def test_a_zone_overseeing_a_township_is_not_closed(tree, people):
    from django.core.exceptions import ValidationError

    from jijian.core.services import org_unit_create

    zone = org_unit_create(
        actor=None, name="大洪山风景名胜区", kind=OrgKind.MANAGEMENT_ZONE, parent=tree.city
    )
    township = org_unit_create(
        actor=None, name="长岗镇", kind=OrgKind.TOWN, parent=tree.county, management_zone=zone
    )
    with pytest.raises(ValidationError, match="仍代管乡镇（街道），请先取消代管"):
        close_by_service(zone, people.system_admin)
    assert fresh(zone).is_active and fresh(township).zone_id == zone.pk


def test_a_zone_outside_the_admins_reach_is_refused(login, tree, people, county_admin):
    from django.core.exceptions import ValidationError

    from jijian.core.services import org_unit_update

    client = login(county_admin)
    unit = fresh(tree.township_a)
    response = client.post(manage(unit), zone_data(unit, tree.zone))
    assert response.status_code == 400
    body = response.content.decode()
    assert "所选管理区不存在、已撤销或不在您的管辖范围内" in body
    assert 'id="zone"' in body  # the refused section is shown with its message
    with pytest.raises(ValidationError, match="随州高新区不在您的管辖范围内"):
        org_unit_update(
            actor=county_admin,
            unit=unit,
            version=unit.version,
            name=unit.name,
            code=unit.code,
            is_active=True,
            management_zone=tree.zone,
        )
    # Nor is a township taken from a zone outside the county.
    zoned = fresh(tree.township_b)
    response = client.post(manage(zoned), zone_data(zoned, None))
    assert response.status_code == 400
    assert "随州高新区不在您的管辖范围内，不能更改其代管的单位" in response.content.decode()
    assert fresh(unit).management_zone_id is None and fresh(zoned).management_zone_id == tree.zone.pk
    assert not AuditEvent.objects.filter(action="org_unit.zone").exists()


def test_an_admin_of_the_zone_does_not_change_what_it_oversees(login, tree):
    zone_admin = make_user("zone_admin", tree.zone, Role.SYSTEM_ADMIN)
    unit = fresh(tree.township_b)
    response = login(zone_admin).post(manage(unit), zone_data(unit, None))
    assert response.status_code == 400
    assert "不能更改您本人所在管理区代管的单位" in response.content.decode()
    assert fresh(unit).management_zone_id == tree.zone.pk


def test_a_kind_that_cannot_have_a_zone_is_refused(login, tree, people):
    from django.core.exceptions import ValidationError

    from jijian.core.services import org_unit_create, org_unit_update

    client = login(people.system_admin)
    for unit in (fresh(tree.village_a), fresh(tree.county), fresh(tree.department)):
        response = client.post(manage(unit), zone_data(unit, tree.zone))
        assert response.status_code == 400
        assert f"{unit.get_kind_display()}不能由管理区代管，只有乡镇（街道）可以" in response.content.decode()
        assert fresh(unit).management_zone_id is None
    # A township that sits under a zone already is the zone's: no second zone over it.
    other = org_unit_create(
        actor=None, name="大洪山风景名胜区", kind=OrgKind.MANAGEMENT_ZONE, parent=tree.city
    )
    under = org_unit_create(actor=None, name="长岗镇", kind=OrgKind.TOWN, parent=other)
    with pytest.raises(ValidationError, match="长岗镇直属于大洪山风景名胜区"):
        org_unit_update(
            actor=people.system_admin,
            unit=under,
            version=under.version,
            name=under.name,
            code=None,
            is_active=True,
            management_zone=tree.zone,
        )
    assert not AuditEvent.objects.filter(action="org_unit.zone").exists()


def test_a_zone_change_over_a_newer_version_is_refused(login, tree, people):
    client = login(people.system_admin)
    unit = tree.township_a
    shown = unit.version
    client.post(manage(unit), {"action": "rename", "rename-version": shown, "rename-name": "厉山镇一"})
    response = client.post(manage(unit), zone_data(unit, tree.zone, **{"zone-version": shown}))
    assert response.status_code == 400
    body = response.content.decode()
    assert STALE in body and f'<option value="{tree.zone.pk}" selected ' in body  # as chosen
    assert fresh(unit).management_zone_id is None and fresh(tree.village_a).zone_id is None
    assert not AuditEvent.objects.filter(action="org_unit.zone").exists()


def test_an_unchanged_zone_is_refused_and_nothing_recorded(login, tree, people):
    client = login(people.system_admin)
    unit = tree.township_b
    response = client.post(manage(unit), zone_data(unit, tree.zone))
    assert response.status_code == 400
    assert "高城镇已由随州高新区代管" in response.content.decode()
    unit = tree.township_a
    response = client.post(manage(unit), zone_data(unit, None))
    assert response.status_code == 400
    assert "厉山镇当前不由管理区代管" in response.content.decode()
    assert not AuditEvent.objects.filter(action="org_unit.zone").exists()


# --- the new actions: nobody else, nothing outside ------------------------------------------------------
@pytest.mark.parametrize(
    "persona", ["outsider", "county_officer", "township_a", "zone_officer", "security_admin"]
)
def test_code_and_zone_changes_answer_404_to_anyone_but_the_admin(login, tree, people, persona):
    client = login(getattr(people, persona))
    unit = fresh(tree.township_a)
    assert client.post(manage(unit), code_data(unit, "999")).status_code == 404
    assert client.post(manage(unit), zone_data(unit, tree.zone)).status_code == 404
    saved = fresh(unit)
    assert (saved.code, saved.management_zone_id, saved.version) == (unit.code, None, unit.version)
    assert not AuditEvent.objects.filter(action__in=["org_unit.code", "org_unit.zone"]).exists()


def test_a_county_admin_gets_404_for_code_and_zone_outside_the_county(login, tree, county_admin):
    client = login(county_admin)
    unit = fresh(tree.township_c)
    assert client.post(manage(unit), code_data(unit, "999")).status_code == 404
    assert client.post(manage(unit), zone_data(unit, None)).status_code == 404
    assert fresh(unit).code == "421381100" and fresh(unit).version == unit.version


def test_a_stale_page_is_told_of_the_other_change_not_that_its_value_is_unchanged(login, tree, people):
    """Another administrator set the same code first: the stale page's post said 代码未改变, as if this
    administrator had made a mistake, and a stale 撤销 said 已撤销. Both now say the unit was changed."""
    client = login(people.system_admin)
    unit = tree.village_a
    stale = code_data(unit, "421321100299")
    assert client.post(manage(unit), code_data(unit, "421321100299")).status_code == 302
    response = client.post(manage(unit), stale)
    assert response.status_code == 400
    body = response.content.decode()
    assert "已被他人修改" in body and "代码未改变" not in body
    assert fresh(unit).version == unit.version + 1


@pytest.mark.parametrize("action", [None, "", "explode"])
def test_a_post_naming_no_known_action_is_told_so_and_changes_nothing(login, tree, people, action):
    """A form sent without its button (a script, a browser that drops it, a page older than the
    server's): the account page answered 500 and the unit page 404 until 2026-12-06."""
    client = login(people.system_admin)
    member = people.member_a
    data = {"version": member.version, "reason": "调离", "password": "Xinmima-2026!q"}
    if action is not None:
        data["action"] = action
    response = client.post(reverse("core:account_detail", args=[member.pk]), data)
    assert response.status_code == 400 and "未知操作" in response.content.decode()
    assert fresh_user(member).is_active and fresh_user(member).version == member.version
    unit = tree.village_a
    data = {"version": unit.version, "name": "改名村", "reason": "合并", "closed_on": "2026-12-01"}
    if action is not None:
        data["action"] = action
    response = client.post(manage(unit), data)
    assert response.status_code == 400 and "未知操作" in response.content.decode()
    assert fresh(unit).name == unit.name and fresh(unit).is_active and fresh(unit).version == unit.version
    assert not AuditEvent.objects.filter(action__in=["user.deactivate", "org_unit.update"]).exists()


def fresh_user(user: User) -> User:
    return User.objects.get(pk=user.pk)
