"""Objects of evaluation tests, built through the services (as the pages would)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jijian.core.models import User
from jijian.core.roles import Role
from jijian.evaluation import services
from jijian.evaluation.scoring import DEFAULT_GRADES
from tests.conftest import make_user

ITEMS = [
    {"ask": "问责任是否压实", "look": "看会议记录", "max": 25},
    {"ask": "问监督是否到位", "look": "看台账", "max": 25},
    {"ask": "问问题是否整改", "look": "看整改清单", "max": 25},
    {"ask": "问作风是否过硬", "look": "看群众评价", "max": 25},
]


def user(username: str) -> User:
    return User.objects.get(username=username)


def rubric(actor, *, year=None, weights=None, grades=None, name="考评细则"):
    return services.evaluation_rubric_save(
        actor=actor,
        name=name,
        year=year or timezone.localdate().year,
        weights=weights or {"reports": 40, "training": 20, "guidance": 10, "township": 30},
        grades=grades or DEFAULT_GRADES,
    )


def evaluation(t, p, *, year=None):
    rubric(p.county_officer, year=year)
    return services.evaluation_start(
        actor=p.township_a, member=p.member_a, year=year or timezone.localdate().year
    )


def evaluation_outside(t, p):
    keeper = user("outsider")
    committee = make_user("township_c", t.township_c, Role.TOWNSHIP_COMMITTEE)
    member = make_user("member_c", t.village_c, Role.VILLAGE_MEMBER)
    rubric(keeper)
    return services.evaluation_start(actor=committee, member=member, year=timezone.localdate().year)


def check_rubric(actor, name="四问四看清单"):
    return services.check_rubric_save(actor=actor, name=name, items=ITEMS)


def round_with_pair(t, p):
    """A round of 随县 (county_officer): 厉山镇 (township A) checks 高城镇 (township B)."""
    r = services.check_round_open(
        actor=p.county_officer, title="2026年第一轮互查", year=2026, rubric=check_rubric(p.county_officer)
    )
    pair = services.check_pair_add(
        actor=p.county_officer, round_=r, checker=t.township_a, checked=t.township_b
    )
    return r, pair


def finding_with_rectification(t, p):
    r, pair = round_with_pair(t, p)
    finding = services.finding_add(actor=p.township_a, pair=pair, item_code="q1", description="会议记录不全")
    rect = services.rectification_add(
        actor=p.township_a,
        finding=finding,
        requirement="补齐会议记录",
        deadline=timezone.localdate() + timedelta(days=10),
    )
    return pair, finding, rect
