"""Personas of primary responsibility on top of the common tree: the city commission's 党风政风监督室
(over every city-level department), the liaison of a second organisation (a branch under the
committee of the common tree) and of another department's committee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from jijian.core.models import OrgKind, OrgUnit, User
from jijian.core.roles import Role
from jijian.core.services import org_unit_create
from jijian.responsibility import services
from jijian.responsibility.models import Frequency, Holder, MemberRole, RecordType
from tests.conftest import make_user
from tests.department_helpers import depts  # noqa: F401 - resident groups and department members (issue 19.6)


@dataclass
class Resp:
    city_office: User
    branch: OrgUnit
    branch_liaison: User
    other_org: OrgUnit
    other_liaison: User


@pytest.fixture
def resp(tree, people) -> Resp:
    def unit(name, kind, parent):
        return org_unit_create(actor=None, name=name, kind=kind, parent=parent, audit=False)

    branch = unit("市教育局第一党支部", OrgKind.PARTY_ORG, tree.party_org)
    finance = unit("市财政局", OrgKind.DEPARTMENT, tree.city)
    other = unit("市财政局机关党委", OrgKind.PARTY_ORG, finance)
    return Resp(
        city_office=make_user("city_office", tree.city, Role.CONDUCT_SUPERVISION),
        branch=branch,
        branch_liaison=make_user("branch_liaison", branch, Role.PARTY_ORG_LIAISON),
        other_org=other,
        other_liaison=make_user("other_liaison", other, Role.PARTY_ORG_LIAISON),
    )


def publish(office: User, year: int, **overrides):
    fields = {
        "holder": Holder.ORGANISATION,
        "polarity": "positive",
        "title": "专题研究党风廉政建设",
        "requirement": "每季度至少一次",
        "frequency": Frequency.QUARTERLY,
        "due_date": None,
        "supervising_office": "市纪委监委党风政风监督室",
        "evidence": "会议记录",
        "record_type": RecordType.MEETING,
    }
    fields.update(overrides)
    return services.template_save(actor=office, year=year, **fields)


def staff_org(liaison: User, *, members: int = 2) -> None:
    org = liaison.org_unit
    services.member_save(actor=liaison, org=org, name="张书记", post="党委书记", role=MemberRole.SECRETARY)
    for i in range(members):
        services.member_save(
            actor=liaison,
            org=org,
            name=f"班子成员{i}",
            post="副局长",
            role=MemberRole.MEMBER,
            portfolio="财务",
        )
    services.member_save(actor=liaison, org=org, name="王纪检", role=MemberRole.DISCIPLINE_MEMBER)


def meeting(liaison: User, item, occurred_on: date, *, entered_on: date, **extra):
    fields = {
        "record_type": RecordType.MEETING,
        "title": "党委会专题研究党风廉政建设",
        "content": "会议记录",
        "integrity_ten_minutes": True,
        "integrity_topic": "学习典型案例通报",
    }
    fields.update(extra)
    return services.record_create(
        actor=liaison,
        org=liaison.org_unit,
        item=item,
        occurred_on=occurred_on,
        entered_on=entered_on,
        **fields,
    )
