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
