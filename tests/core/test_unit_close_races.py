"""撤销单位 against an addition to the same unit at the same moment (PostgreSQL, where the two run at
once): the close's check that the unit has no open subordinate units and no active accounts, and the
addition (a subordinate unit, an account created, moved or enabled there), take turns on the unit's
row, so a closed unit never ends up holding an open unit or an active account."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from jijian.core.models import OrgKind, OrgUnit, User
from jijian.core.services import org_unit_create, org_unit_update, user_create, user_set_active, user_update
from tests.concurrency import while_held

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"),
]


def update(actor, unit: OrgUnit, **changes):
    """org_unit_update as the manage page calls it, from a fresh row: its present values but `changes`
    (撤销 and 恢复 with a reason, a management zone given)."""

    def run():
        fresh = OrgUnit.objects.get(pk=unit.pk)
        present = {
            "name": fresh.name,
            "code": fresh.code,
            "management_zone": fresh.management_zone,
            "is_active": fresh.is_active,
        }
        return org_unit_update(actor=actor, unit=fresh, version=fresh.version, **{**present, **changes})

    return run


def close(actor, unit: OrgUnit):
    return update(actor, unit, is_active=False, reason="合并")


def reopen(actor, unit: OrgUnit):
    return update(actor, unit, is_active=True, reason="误撤销")


def never_closed_with_something_open(unit: OrgUnit) -> None:
    unit = OrgUnit.objects.get(pk=unit.pk)
    if not unit.is_active:
        assert not unit.children.filter(is_active=True).exists()
        assert not unit.users.filter(is_active=True).exists()


@pytest.fixture
def empty_village(tree):
    return OrgUnit.objects.get(pk=tree.village_c.pk)


def new_account(admin, unit):
    return lambda: user_create(
        actor=admin, username="xinren", full_name="新人", org_unit=unit, password="Haoren-2026!x"
    )


def test_an_account_created_while_the_close_checks_makes_the_close_refused(people, empty_village):
    created, closed = while_held(
        new_account(people.system_admin, empty_village),
        close(people.system_admin, empty_village),
        catch=(ValidationError,),
    )
    assert isinstance(created, User)
    assert isinstance(closed, ValidationError) and "仍有启用的账号" in closed.messages[0]
    never_closed_with_something_open(empty_village)


def test_an_account_is_not_created_in_a_unit_being_closed(people, empty_village):
    closed, created = while_held(
        close(people.system_admin, empty_village),
        new_account(people.system_admin, empty_village),
        catch=(ValidationError,),
    )
    assert isinstance(closed, OrgUnit) and not closed.is_active
    assert isinstance(created, ValidationError) and "已撤销" in created.messages[0]
    assert not User.objects.filter(username="xinren").exists()
    never_closed_with_something_open(empty_village)


def test_a_subordinate_unit_is_not_created_under_a_unit_being_closed(people, tree):
    township = OrgUnit.objects.get(pk=tree.township_c.pk)
    OrgUnit.objects.filter(parent=township).update(is_active=False)  # an empty township
    shown = OrgUnit.objects.get(pk=township.pk)  # the 管理单位 page, read before the close

    def add_village():
        return org_unit_create(actor=people.system_admin, name="新村", kind=OrgKind.VILLAGE, parent=shown)

    closed, created = while_held(close(people.system_admin, township), add_village, catch=(ValidationError,))
    assert isinstance(closed, OrgUnit) and not closed.is_active
    assert isinstance(created, ValidationError) and "已撤销" in created.messages[0]
    never_closed_with_something_open(township)


def test_a_subordinate_unit_created_while_the_close_checks_makes_the_close_refused(people, tree):
    township = OrgUnit.objects.get(pk=tree.township_c.pk)
    OrgUnit.objects.filter(parent=township).update(is_active=False)

    def add_village():
        return org_unit_create(actor=people.system_admin, name="新村", kind=OrgKind.VILLAGE, parent=township)

    created, closed = while_held(add_village, close(people.system_admin, township), catch=(ValidationError,))
    assert isinstance(created, OrgUnit)
    assert isinstance(closed, ValidationError) and "未撤销的下级单位" in closed.messages[0]
    never_closed_with_something_open(township)


def test_an_account_is_not_moved_into_or_enabled_in_a_unit_being_closed(people, tree, empty_village):
    member = User.objects.get(pk=people.member_a.pk)
    idle = user_create(
        actor=None, username="tingyong", full_name="停用者", org_unit=empty_village, audit=False
    )
    User.objects.filter(pk=idle.pk).update(is_active=False)
    idle = User.objects.get(pk=idle.pk)

    def move():
        return user_update(
            actor=people.system_admin,
            user=member,
            version=member.version,
            full_name=member.full_name,
            org_unit=empty_village,
            position="",
            phone=None,
        )

    closed, moved = while_held(close(people.system_admin, empty_village), move, catch=(ValidationError,))
    assert (
        isinstance(closed, OrgUnit) and isinstance(moved, ValidationError) and "已撤销" in moved.messages[0]
    )
    enabled = None
    try:
        user_set_active(
            actor=people.system_admin, user=idle, is_active=True, reason="复职", version=idle.version
        )
    except ValidationError as exc:
        enabled = exc
    assert isinstance(enabled, ValidationError) and "已撤销" in enabled.messages[0]
    never_closed_with_something_open(empty_village)


def closed_township(tree) -> tuple[OrgUnit, OrgUnit]:
    """An open township whose only village is closed."""
    township = OrgUnit.objects.get(pk=tree.township_c.pk)
    OrgUnit.objects.filter(parent=township).update(is_active=False)
    return township, OrgUnit.objects.filter(parent=township).first()


def test_a_village_is_not_reopened_under_a_township_being_closed(people, tree):
    township, village = closed_township(tree)
    closed, reopened = while_held(close(people.system_admin, township), reopen(people.system_admin, village))
    assert isinstance(closed, OrgUnit) and not closed.is_active
    assert isinstance(reopened, ValidationError) and "请先恢复上级单位" in reopened.messages[0]
    never_closed_with_something_open(township)


def test_a_village_reopened_while_the_close_checks_makes_the_close_refused(people, tree):
    township, village = closed_township(tree)
    reopened, closed = while_held(reopen(people.system_admin, village), close(people.system_admin, township))
    assert isinstance(reopened, OrgUnit) and reopened.is_active
    assert isinstance(closed, ValidationError) and "未撤销的下级单位" in closed.messages[0]
    never_closed_with_something_open(township)


# --- a management zone closed while a township is given to it ------------------------------------------
def give_to_zone(actor, unit: OrgUnit, zone: OrgUnit):
    return update(actor, unit, management_zone=zone)


def never_a_closed_zone_overseeing(zone: OrgUnit) -> None:
    zone = OrgUnit.objects.get(pk=zone.pk)
    if not zone.is_active:
        assert not zone.managed_units.filter(is_active=True).exists()
        assert not OrgUnit.objects.filter(zone_id=zone.pk, is_active=True).exists()


@pytest.fixture
def empty_zone(tree):
    return org_unit_create(
        actor=None, name="大洪山风景名胜区", kind=OrgKind.MANAGEMENT_ZONE, parent=tree.city
    )


def test_a_township_is_not_given_to_a_zone_being_closed(people, tree, empty_zone):
    closed, given = while_held(
        close(people.system_admin, empty_zone), give_to_zone(people.system_admin, tree.township_a, empty_zone)
    )
    assert isinstance(closed, OrgUnit) and not closed.is_active
    assert isinstance(given, ValidationError) and "已撤销，不能代管单位" in given.messages[0]
    never_a_closed_zone_overseeing(empty_zone)


def test_a_township_given_while_the_close_checks_makes_the_close_refused(people, tree, empty_zone):
    given, closed = while_held(
        give_to_zone(people.system_admin, tree.township_a, empty_zone), close(people.system_admin, empty_zone)
    )
    assert isinstance(given, OrgUnit) and given.management_zone_id == empty_zone.pk
    assert isinstance(closed, ValidationError) and "仍代管乡镇（街道）" in closed.messages[0]
    never_a_closed_zone_overseeing(empty_zone)


def test_two_units_given_one_code_at_once_take_it_once(people, tree):
    """The check for a taken code and the save race; the database's unique code decides, and the second
    save is refused with the same message instead of an error page."""

    first, second = while_held(
        update(people.system_admin, tree.village_a, code="421321100299"),
        update(people.system_admin, tree.village_a2, code="421321100299"),
    )
    assert isinstance(first, OrgUnit) and first.code == "421321100299"
    assert isinstance(second, ValidationError) and "代码 421321100299 已被使用" in second.messages[0]
    assert OrgUnit.objects.get(pk=tree.village_a2.pk).code == "421321100202"
