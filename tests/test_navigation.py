"""Every entry of the menu leads somewhere: for every role, at every level of the tree its people may sit
(city, county, county-level city, management zone, township, village, department, party organisation,
resident group), each menu item the user is shown opens with 200 for that user. An entry whose page
would answer 404 to its user (a list that is not theirs) must not be offered. The same for every
to-do the home page may list for the user (whether or not something waits now)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jijian.core.models import OrgKind
from jijian.core.roles import Role, role_fits_unit
from jijian.core.services import org_unit_create
from jijian.core.todos import todos_for
from tests.conftest import make_user, sign_in

pytestmark = pytest.mark.django_db


def test_every_menu_item_opens_for_every_role_at_every_level(tree):
    group = org_unit_create(
        actor=None,
        name="市纪委监委第一派驻纪检监察组",
        kind=OrgKind.RESIDENT_GROUP,
        parent=tree.city,
        audit=False,
    )
    units = [
        tree.city,
        tree.county,
        tree.other_county,
        tree.zone,
        tree.township_a,
        tree.village_a,
        tree.department,
        tree.party_org,
        group,
    ]
    dead, checked, todos = [], 0, 0
    for role in Role:
        for unit in units:
            if not role_fits_unit(role, unit.kind):
                continue
            user = make_user(f"{role}-{unit.pk}", unit, role)
            client = Client()
            sign_in(client, user)
            home = client.get(reverse("core:home"))
            assert home.status_code == 200, (role, unit.name)
            for item in home.context["nav_items"]:
                response = client.get(item["url"], follow=True)
                checked += 1
                if response.status_code != 200:
                    dead.append((str(role.label), unit.name, str(item["label"]), response.status_code))
            for todo in todos_for(user, with_empty=True):
                response = client.get(todo["url"].split("#")[0], follow=True)
                todos += 1
                if response.status_code != 200:
                    dead.append((str(role.label), unit.name, todo["title"], response.status_code))
    assert checked > 100  # every role was signed in and shown a menu
    assert todos > 50  # and offered its to-dos
    assert dead == []
