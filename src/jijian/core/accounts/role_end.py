"""A role that stands for a post ends with the post.

Roles are granted and revoked by the security administrator (core.services.role_grant / role_revoke,
三员分立). One role stands for a post whose history a platform keeps: the village discipline member
(村（社区）纪检委员) is whoever holds the village's post (the cadres' post holdings). When the post
ends — dismissal, resignation, replacement by a successor — the platform that recorded the end ends
the role with it (`role_end_with_post`), so that the person stops filing the village's reports and
reading its records from then on, not whenever an administrator gets to it.

The account is kept (its sign-in, its history, what it wrote). The end is audited as a revocation of
the role (`role.revoke`) with the reason and who decided it (None: the platform itself, when a post
dated to end later has ended); the security administrator may grant the role again if it was wrong.
This is never a page's action: the caller is a service that has decided, under its own rules, that
the post ended."""

from __future__ import annotations

from django.db import transaction

from jijian.audit.services import audit_record
from jijian.core.language import platform_language
from jijian.core.models import User, UserRole
from jijian.core.roles import Role

# The roles that stand for a post a platform keeps the holdings of.
POST_ROLES = frozenset({Role.VILLAGE_MEMBER})


@transaction.atomic
def role_end_with_post(*, actor: User | None, user: User, role: str, reason: str) -> bool:
    """End `role` of `user` because the post it stands for has ended; `reason` says which post and
    why (kept in the audit entry). Returns whether the account held the role (False: nothing to end,
    nothing recorded)."""
    if role not in POST_ROLES:
        raise ValueError(f"role {role!r} does not stand for a post")
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("the end of a role with its post needs a reason")
    # The account's row serialises this with a grant or revocation by the security administrator.
    User.objects.select_for_update().filter(pk=user.pk).first()
    before = set(UserRole.objects.filter(user=user).values_list("role", flat=True))
    if role not in before:
        return False
    UserRole.objects.filter(user=user, role=role).delete()
    user.__dict__.pop("role_set", None)  # the instance's cached roles
    with platform_language():
        audit_record(
            actor=actor,
            action="role.revoke",
            obj=user,
            org_unit_id=user.org_unit_id,
            summary=f"随离任撤销 {user.username} 角色 {Role(role).label}：{reason}",
            before={"roles": sorted(before)},
            after={"roles": sorted(before - {role}), "with_post": True, "reason": reason},
        )
    return True
