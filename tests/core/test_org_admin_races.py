"""Two administrators saving the same unit or account at the same moment, from the same page version:
exactly one save lands, the other is refused as a concurrent edit (no lost update)."""

from __future__ import annotations

import pytest

from jijian.audit.models import AuditEvent
from jijian.core.models import OrgUnit, User
from jijian.core.services import ConcurrentEditError, org_unit_move, org_unit_update, user_update
from tests.concurrency import needs_concurrent_connections, together

pytestmark = [pytest.mark.django_db(transaction=True), *needs_concurrent_connections]


def test_simultaneous_account_edits_save_once(tree, people):
    member = people.member_a
    shown = member.version
    names = ["甲", "乙", "丙"]

    def work(i: int):
        return user_update(
            actor=people.system_admin,
            user=User.objects.get(pk=member.pk),
            version=shown,
            full_name=names[i],
            org_unit=tree.village_a,
            position="",
            phone=None,
        )

    results, errors = together(3, work, catch=(ConcurrentEditError,))
    assert len(results) == 1 and len(errors) == 2
    saved = User.objects.get(pk=member.pk)
    assert saved.full_name == results[0].full_name and saved.version == shown + 1
    assert AuditEvent.objects.filter(action="user.update", object_id=str(member.pk)).count() == 1


def test_a_move_and_a_close_of_one_unit_at_once_do_one(tree, people):
    unit = OrgUnit.objects.get(pk=tree.village_a2.pk)
    shown = unit.version

    def work(i: int):
        fresh = OrgUnit.objects.get(pk=unit.pk)
        if i == 0:
            return org_unit_move(
                actor=people.system_admin, unit=fresh, new_parent=tree.township_b, version=shown
            )
        return org_unit_update(
            actor=people.system_admin,
            unit=fresh,
            version=shown,
            name=fresh.name,
            code=fresh.code,
            management_zone=fresh.management_zone,
            is_active=False,
            reason="合并",
        )

    results, errors = together(2, work, catch=(ConcurrentEditError,))
    assert len(results) == 1 and len(errors) == 1
    saved = OrgUnit.objects.get(pk=unit.pk)
    assert saved.version == shown + 1
    moved = saved.parent_id == tree.township_b.pk
    assert moved != (not saved.is_active)  # one of the two, never both
