"""A resident group (派驻纪检监察组) and department discipline members on top of the common tree,
shared by the reports and responsibility tests of issue #19 item 6: the group at the city oversees
市教育局 (tree.department); 市财政局 is overseen by a second group; 市审计局 by none (its reports go to
the city's 党风政风监督室)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from jijian.core.models import OrgKind, OrgUnit, User
from jijian.core.roles import Role
from jijian.core.services import org_unit_create
from tests.conftest import make_user


@dataclass
class Depts:
    group: OrgUnit
    other_group: OrgUnit
    finance: OrgUnit
    finance_org: OrgUnit
    audit_dept: OrgUnit
    member: User  # 市教育局's discipline member
    finance_member: User
    audit_member: User
    group_staff: User
    other_group_staff: User
    city_office: User


def oversee(group: OrgUnit, *departments: OrgUnit) -> None:
    OrgUnit.objects.filter(pk__in=[d.pk for d in departments]).update(resident_group=group)
    for d in departments:  # the loaded instances (the tree's, the users' units) say so too
        d.resident_group = group


@pytest.fixture
def depts(tree, people) -> Depts:
    def unit(name, kind, parent):
        return org_unit_create(actor=None, name=name, kind=kind, parent=parent, audit=False)

    group = unit("市纪委监委第一派驻纪检监察组", OrgKind.RESIDENT_GROUP, tree.city)
    other_group = unit("市纪委监委第二派驻纪检监察组", OrgKind.RESIDENT_GROUP, tree.city)
    finance = unit("市财政局", OrgKind.DEPARTMENT, tree.city)
    finance_org = unit("市财政局机关党委", OrgKind.PARTY_ORG, finance)
    audit_dept = unit("市审计局", OrgKind.DEPARTMENT, tree.city)
    oversee(group, tree.department)
    oversee(other_group, finance)
    return Depts(
        group=group,
        other_group=other_group,
        finance=finance,
        finance_org=finance_org,
        audit_dept=audit_dept,
        member=make_user("dept_member", tree.department, Role.DEPARTMENT_MEMBER),
        finance_member=make_user("finance_member", finance, Role.DEPARTMENT_MEMBER),
        audit_member=make_user("audit_member", audit_dept, Role.DEPARTMENT_MEMBER),
        group_staff=make_user("group_staff", group, Role.RESIDENT_GROUP),
        other_group_staff=make_user("other_group_staff", other_group, Role.RESIDENT_GROUP),
        city_office=make_user("city_office_d", tree.city, Role.CONDUCT_SUPERVISION),
    )
