"""The lists cost the same number of queries for 3 rows as for 30."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.cadres.helpers import candidate, holding, nominate, task
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_task_list_and_the_posts_page_cost_the_same_for_3_and_30_rows(tree, people, login):
    from jijian.core.services import org_unit_create

    def add(n, start):
        for i in range(start, start + n):
            village = org_unit_create(
                actor=None, name=f"第{i}村", kind="village", parent=tree.township_a, audit=False
            )
            member = make_user(f"m{i}", village, "village_member")
            task(people.township_a, member)
            holding(village, member, people.county_officer, date(2021, 1, 1))
            nominate(people.township_a, village, candidate(village, username=f"hx{i}", n=100 + i))

    client = login(people.township_a)
    add(3, 0)
    _count(client, reverse("cadres:task_list"))  # warm: the session's first request reads more
    few = (_count(client, reverse("cadres:task_list")), _count(client, reverse("cadres:post_list")))
    add(27, 3)
    many = (_count(client, reverse("cadres:task_list")), _count(client, reverse("cadres:post_list")))
    assert few == many
