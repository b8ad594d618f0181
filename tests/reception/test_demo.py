"""The demo holds a booking confirmed for the day it is set up, found by the code the notes print, so
the session and its waiting room can be tried at once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jijian.reception import services
from jijian.reception.demo import DEMO_BOOKING_CODE, load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_booking_is_confirmed_for_today_and_found_by_its_code(tree):
    assert load_demo(seed=1) >= 3
    r = services.reception_by_code(DEMO_BOOKING_CODE)
    assert r is not None and r.state == "confirmed" and r.slot.date == timezone.localdate()
    assert r.org_unit == tree.city


def test_the_demo_statistics_show_matters_and_outcomes(tree, people):
    from jijian.reception.statistics import reception_statistics

    load_demo(seed=1)
    today = timezone.localdate()
    s = reception_statistics(people.city_petition, today.replace(day=1), today)
    names = [row["name"] for row in s["matters"]]
    assert "廉洁纪律" in names and "群众纪律" in names and names[-1] == "未登记为信访举报"
    outcomes = {row["key"]: row["count"] for row in s["by_outcome"]}
    assert outcomes["ended"] == 3 and outcomes["no_show"] == 1 and outcomes["cancelled"] == 1
    assert outcomes["case"] == 2


def test_every_demo_booking_is_at_the_office_that_manages_its_accused(tree, people):
    """The demo's receptions were about "其他或不清楚" cadres, so 转交 and the level statistics showed
    nothing to try; they are about 县处级 cadres, which the city's office receives."""
    from jijian.core.models import CadreLevel
    from jijian.core.orgs.management import managing_commission
    from jijian.reception.models import VideoReception

    load_demo(seed=1)
    receptions = list(VideoReception.objects.select_related("accused_region__parent__parent", "org_unit"))
    assert len(receptions) == 6
    for r in receptions:
        assert r.accused_level == CadreLevel.DIVISION and r.accused_region is not None
        assert managing_commission(r.accused_region, r.accused_level) == r.org_unit
