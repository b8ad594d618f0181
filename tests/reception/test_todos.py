"""The home page's to-dos of video reception: the receiving office's bookings to confirm and today's
receptions, a township's receptions today at its terminal — each office its own only — and the list's
只看今天 that they lead to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jijian.core.roles import Role
from jijian.core.todos import todos_for
from tests.conftest import make_user, sign_in
from tests.reception.helpers import reception

pytestmark = pytest.mark.django_db

CONFIRM = "待确认的视频接访预约"
TODAY = "今日的视频接访"
TERMINAL = "今日在本镇接访点的视频接访"


def counts(user) -> dict[str, int]:
    return {item["title"]: item["count"] for item in todos_for(user)}


def test_the_receiving_office_confirms_its_own_bookings(tree, people):
    reception(tree.city, township=tree.township_a, booked_by=people.township_a)
    county_office = make_user("xf_sx", tree.county, Role.PETITION_OFFICE)
    assert counts(people.city_petition)[CONFIRM] == 1
    assert CONFIRM not in counts(county_office)  # held by the city's office, not the county's
    assert CONFIRM not in counts(people.township_a)  # booked it, does not confirm it
    assert TERMINAL not in counts(people.township_a)  # not today


def test_todays_receptions_for_the_office_and_the_terminal(tree, people, client):
    today = timezone.localdate()
    held = reception(tree.city, township=tree.township_a, state="confirmed", day=today)
    later = reception(tree.city, township=tree.township_a, state="confirmed", day=today + timedelta(days=1))
    reception(tree.city, township=tree.township_a, state="cancelled", day=today)
    assert counts(people.city_petition)[TODAY] == 1
    assert counts(people.township_a)[TERMINAL] == 1
    assert TERMINAL not in counts(people.township_b)
    sign_in(client, people.city_petition)
    home = client.get(reverse("core:home")).content.decode()
    assert TODAY in home and reverse("reception:list") + "?day=today" in home
    listed = client.get(reverse("reception:list") + "?day=today").content.decode()
    assert f'id="reception-{held.pk}"' in listed and f'id="reception-{later.pk}"' not in listed
    everything = client.get(reverse("reception:list")).content.decode()
    assert f'id="reception-{later.pk}"' in everything


def test_the_list_puts_today_and_what_comes_first_and_pages_the_rest(tree, people, client):
    """After a year of receptions today's must not be lost at the end (or past a cut-off): today's and
    the coming ones first, the soonest on top, then the past ones, the latest on top; 30 a page."""
    today = timezone.localdate()
    old = [reception(tree.city, state="ended", day=today - timedelta(days=n)) for n in (40, 1, 20)] + [
        reception(tree.city, state="ended", day=today - timedelta(days=100 + n)) for n in range(30)
    ]
    coming = reception(tree.city, state="confirmed", day=today + timedelta(days=3))
    now = reception(tree.city, state="confirmed", day=today)
    sign_in(client, people.city_petition)
    page = client.get(reverse("reception:list")).content.decode()
    order = [r.pk for r in (now, coming, old[1], old[2], old[0])]
    positions = [page.index(f'id="reception-{pk}"') for pk in order]
    assert positions == sorted(positions)
    assert "第 1 / 2 页" in page
    second = client.get(reverse("reception:list") + "?page=2").content.decode()
    assert f'id="reception-{old[-1].pk}"' in second  # the oldest, last
