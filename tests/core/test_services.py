import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.core.models import OrgKind, OrgUnit, User
from jijian.core.roles import Role
from jijian.core.services import (
    ConcurrentEditError,
    org_unit_create,
    org_unit_move,
    org_unit_update,
    role_grant,
    user_create,
)


def test_moving_a_township_rewrites_its_villages(tree, people):
    org_unit_move(
        actor=people.system_admin,
        unit=tree.township_a,
        new_parent=tree.other_county,
        version=tree.township_a.version,
    )
    village = OrgUnit.objects.get(pk=tree.village_a.pk)
    assert village.county_id == tree.other_county.pk
    assert village.path.startswith(tree.other_county.path)
    # The county officer of 随县 no longer sees it; the 广水 officer does.
    from jijian.core.access import org_units_visible_to

    assert village not in org_units_visible_to(people.county_officer)
    assert village in org_units_visible_to(people.outsider)
    assert AuditEvent.objects.filter(action="org_unit.move").exists()


def test_a_unit_cannot_move_under_its_own_descendant(tree, people):
    with pytest.raises(ValidationError):
        org_unit_move(
            actor=people.system_admin, unit=tree.county, new_parent=tree.county, version=tree.county.version
        )


def test_kind_rules_are_enforced(tree):
    with pytest.raises(ValidationError, match="不能设在"):
        org_unit_create(actor=None, name="错村", kind=OrgKind.VILLAGE, parent=tree.county)


def test_stale_edit_is_refused(tree, people):
    unit = OrgUnit.objects.get(pk=tree.village_a.pk)
    org_unit_update(
        actor=people.system_admin,
        unit=unit,
        version=unit.version,
        name="神农村一组",
        code=unit.code,
        is_active=True,
        management_zone=None,
    )
    stale = OrgUnit.objects.get(pk=tree.village_a.pk)
    with pytest.raises(ConcurrentEditError):
        org_unit_update(
            actor=people.system_admin,
            unit=stale,
            version=stale.version - 1,
            name="覆盖",
            code=stale.code,
            is_active=True,
            management_zone=None,
        )
    assert OrgUnit.objects.get(pk=tree.village_a.pk).name == "神农村一组"


def test_assigning_a_zone_gives_it_the_subtree(tree, people):
    unit = OrgUnit.objects.get(pk=tree.township_a.pk)
    org_unit_update(
        actor=people.system_admin,
        unit=unit,
        version=unit.version,
        name=unit.name,
        code=unit.code,
        is_active=True,
        management_zone=tree.zone,
    )
    assert OrgUnit.objects.get(pk=tree.village_a.pk).zone_id == tree.zone.pk


def test_three_administrators_are_separate(tree, people):
    with pytest.raises(ValidationError, match="三员分立"):
        user_create(
            actor=None,
            username="x",
            full_name="x",
            org_unit=tree.city,
            roles={Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN},
        )
    with pytest.raises(ValidationError, match="三员分立"):
        role_grant(actor=people.security_admin, user=people.system_admin, role=Role.AUDIT_ADMIN)
    # The system administrator creates accounts but cannot grant roles; the security admin cannot create.
    with pytest.raises(PermissionDenied):
        role_grant(actor=people.system_admin, user=people.member_a, role=Role.TOWNSHIP_COMMITTEE)
    with pytest.raises(PermissionDenied):
        user_create(actor=people.security_admin, username="y", full_name="y", org_unit=tree.city)
    with pytest.raises(PermissionDenied):
        user_create(
            actor=people.system_admin,
            username="z",
            full_name="z",
            org_unit=tree.city,
            roles={Role.VILLAGE_MEMBER},
        )


def test_created_account_must_change_password(tree, people, client):
    user_create(
        actor=people.system_admin,
        username="fresh",
        full_name="新人",
        org_unit=tree.village_a,
        password="Nouveau-2026!x",
    )
    client.post("/accounts/login/", {"username": "fresh", "password": "Nouveau-2026!x"})
    assert client.get("/").url == "/accounts/password/"


def test_role_grant_is_audited_and_idempotent(tree, people):
    role_grant(actor=people.security_admin, user=people.county_officer, role=Role.PETITION_OFFICE)
    role_grant(actor=people.security_admin, user=people.county_officer, role=Role.PETITION_OFFICE)
    assert people.county_officer.roles.filter(role=Role.PETITION_OFFICE).count() == 1
    assert AuditEvent.objects.filter(action="role.grant").count() == 1


@pytest.mark.parametrize(
    ("persona", "role"),
    [
        ("township_a", Role.VILLAGE_MEMBER),  # a village member's role on a township account
        ("member_a", Role.TOWNSHIP_COMMITTEE),
        ("member_a", Role.PETITION_OFFICE),
        ("county_officer", Role.TOWNSHIP_COMMITTEE),
    ],
)
def test_a_role_that_does_not_fit_the_unit_is_refused_in_chinese(tree, people, login, persona, role):
    account = getattr(people, persona)
    before = set(account.roles.values_list("role", flat=True))
    with pytest.raises(ValidationError, match="角色只能授予"):
        role_grant(actor=people.security_admin, user=account, role=role)
    page = login(people.security_admin).post(
        reverse("core:security_detail", args=[account.pk]), {"role": role, "action": "grant"}
    )
    assert page.status_code == 400 and "角色只能授予" in page.content.decode()
    assert set(account.roles.values_list("role", flat=True)) == before
    assert not AuditEvent.objects.filter(action="role.grant").exists()


def test_the_account_form_finds_any_unit_by_pinyin_initials_and_creates_there(tree, people, login):
    client = login(people.system_admin)
    url = reverse("core:account_create")
    listed = client.get(url).content.decode()
    assert f'value="{tree.other_county.pk}"' in listed and f'value="{tree.zone.pk}"' in listed
    assert f'value="{tree.village_a.pk}"' not in listed  # villages: found by the search
    found = client.get(url, {"unit_q": tree.village_a.pinyin_initials}).content.decode()
    assert f'value="{tree.village_a.pk}"' in found
    nothing = client.get(url, {"unit_q": "zzzzq"}).content.decode()
    assert "未找到与“zzzzq”相符的单位" in nothing
    response = client.post(
        url,
        {
            "username": "picked",
            "full_name": "选中",
            "org_unit": tree.village_a.pk,
            "temporary_password": "Haoren-2026!x",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="picked").org_unit == tree.village_a


def test_account_pages_of_system_admin(tree, people, login):
    client = login(people.system_admin)
    response = client.post(
        "/manage/accounts/new/",
        {
            "username": "bad name",
            "full_name": "x",
            "org_unit": tree.village_a.pk,
            "temporary_password": "short",
        },
    )
    assert response.status_code == 400 and "用户名只能包含" in response.content.decode()
    response = client.post(
        "/manage/accounts/new/",
        {
            "username": "okname",
            "full_name": "好人",
            "org_unit": tree.village_a.pk,
            "temporary_password": "short",
            "phone": "12345",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400 and "手机号码应为11位" in body
    response = client.post(
        "/manage/accounts/new/",
        {
            "username": "okname",
            "full_name": "好人",
            "org_unit": tree.village_a.pk,
            "temporary_password": "Haoren-2026!x",
        },
    )
    assert response.status_code == 302


def test_org_search_by_pinyin_initials(tree, people, login):
    client = login(people.county_officer)
    body = client.get("/orgs/?q=snc").content.decode()
    assert "神农村" in body and "凤凰村" not in body
