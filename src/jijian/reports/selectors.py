"""Reads of the monthly-report platform decided in one place, so the pages, the API and the services
cannot disagree about them."""

from __future__ import annotations

from jijian.core.models import OrgUnit, User
from jijian.core.roles import Role

from .models import MemberKind


def member_kind_of(user: User) -> str | None:
    """Which kind of discipline member `user` is (MemberKind): a village's (the village-member role at
    a village or community), a city-level department's (the department-member role at a department),
    or None. The kind picks the duty types and the reviewer of their monthly report. Decided by the
    role alone, without reading the unit: role_grant lets each role sit only at its kind of unit."""
    if user.has_role(Role.VILLAGE_MEMBER):
        return MemberKind.VILLAGE
    if user.has_role(Role.DEPARTMENT_MEMBER):
        return MemberKind.DEPARTMENT
    return None


def member_village(user: User) -> OrgUnit | None:
    """The unit whose monthly reports and duty records `user` writes as its discipline member — their
    village, or their department for a department member; None for everyone else."""
    return user.org_unit if member_kind_of(user) else None


def member_village_id(user: User) -> int | None:
    """member_village's id, without reading the unit."""
    return user.org_unit_id if member_kind_of(user) else None


def is_member_of_village(user: User, village_id: int | None) -> bool:
    """Whether `user` is the discipline member of that unit (their report, their records)."""
    return village_id is not None and member_village_id(user) == village_id
