"""The cadres demo on the test tree (厉山镇 is township A): the posts registered with one history, the
demo member's three tasks (one answered into the duty log, one overdue), two placements; never twice."""

import pytest
from django.utils import timezone

from jijian.cadres.demo import load_demo
from jijian.cadres.models import CasePlacement, GuidanceTask, PostHolding
from jijian.core.roles import Role
from jijian.reports.models import DutyRecord
from tests.conftest import make_user


@pytest.mark.django_db
def test_the_demo_posts_tasks_and_placements(tree):
    cun = make_user("cun", tree.village_a, Role.VILLAGE_MEMBER)
    former = make_user("former", tree.village_a, Role.VILLAGE_MEMBER)
    former.is_active = False
    former.save(update_fields=["is_active"])
    make_user("member_a2", tree.village_a2, Role.VILLAGE_MEMBER)
    xiangzhen = make_user("xiangzhen", tree.township_a, Role.TOWNSHIP_COMMITTEE)
    cadre = make_user("weiyuan", tree.township_a, Role.TOWNSHIP_COMMITTEE)
    make_user("dangfeng", tree.county, Role.CONDUCT_SUPERVISION)

    assert load_demo(seed=2020).startswith("2 个村纪检委员任职记录")
    history = list(PostHolding.objects.filter(village=tree.village_a).order_by("started_on"))
    assert [h.holder for h in history] == [former, cun] and history[0].ended_on < history[1].started_on
    tasks = list(GuidanceTask.objects.filter(member=cun))
    assert len(tasks) == 3
    answered = [t for t in tasks if t.answered_at]
    assert len(answered) == 1 and DutyRecord.objects.filter(pk=answered[0].duty_record_id).exists()
    assert sum(t.is_overdue(timezone.localdate()) for t in tasks) == 1
    placements = {p.cadre: p for p in CasePlacement.objects.all()}
    assert placements[cadre].reported_at is not None and placements[xiangzhen].reported_at is None
    assert load_demo(seed=2020) == ""
