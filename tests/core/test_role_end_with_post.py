"""core.accounts.role_end: the village-member role ends with the post it stands for — the account and
its other roles kept, the end audited as a revocation with its reason and who decided it, nothing
recorded when there was no role to end; a role that stands for no post is never ended this way; the
security administrator may grant it again."""

from __future__ import annotations

import pytest

from jijian.audit.models import AuditEvent
from jijian.core.accounts.role_end import role_end_with_post
from jijian.core.models import User
from jijian.core.roles import Role
from jijian.core.services import role_grant
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_the_role_ends_the_account_stays_and_the_trail_says_why(tree, people):
    member = people.member_a
    assert role_end_with_post(
        actor=people.county_officer,
        user=member,
        role=Role.VILLAGE_MEMBER,
        reason="2026-06-30离任神农村纪检委员（免职）",
    )
    assert not member.has_role(Role.VILLAGE_MEMBER)  # the instance's cached roles too
    fresh = User.objects.get(pk=member.pk)
    assert fresh.is_active and fresh.role_set == frozenset()
    entry = AuditEvent.objects.get(action="role.revoke")
    assert entry.actor_id == people.county_officer.pk and entry.object_id == str(member.pk)
    assert (
        entry.summary == "随离任撤销 member_a 角色 村（社区）纪检委员：2026-06-30离任神农村纪检委员（免职）"
    )
    assert entry.before == {"roles": ["village_member"]}
    assert entry.after["roles"] == [] and entry.after["with_post"] is True
    # Granted again by the security administrator if it was wrong.
    role_grant(actor=people.security_admin, user=fresh, role=Role.VILLAGE_MEMBER)
    assert User.objects.get(pk=member.pk).has_role(Role.VILLAGE_MEMBER)


def test_nothing_to_end_records_nothing(tree, people):
    person = make_user("cunmin", tree.village_a)
    assert not role_end_with_post(actor=None, user=person, role=Role.VILLAGE_MEMBER, reason="离任")
    assert not AuditEvent.objects.filter(action="role.revoke").exists()


def test_a_role_that_stands_for_no_post_or_no_reason_is_refused(tree, people):
    with pytest.raises(ValueError):
        role_end_with_post(actor=None, user=people.township_a, role=Role.TOWNSHIP_COMMITTEE, reason="调离")
    with pytest.raises(ValueError):
        role_end_with_post(actor=None, user=people.member_a, role=Role.VILLAGE_MEMBER, reason=" ")
    assert User.objects.get(pk=people.township_a.pk).has_role(Role.TOWNSHIP_COMMITTEE)
    assert User.objects.get(pk=people.member_a.pk).has_role(Role.VILLAGE_MEMBER)
    assert not AuditEvent.objects.filter(action="role.revoke").exists()
