"""The home page's to-dos of the village members' corps: a member's open and overdue tasks, a township's
overdue tasks of its villages, a county office's nominations waiting for its decision — each counted in
the user's jurisdiction, each leading to the list that shows them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jijian.cadres import services
from jijian.core.todos import todos_for
from tests.cadres.helpers import candidate, nominate, task
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

OPEN = "待办理的派单点题任务"
OVERDUE = "已逾期未办结的派单点题任务"
NOMINATIONS = "待审批的纪检委员提名"


def counts(user) -> dict[str, int]:
    return {item["title"]: item["count"] for item in todos_for(user)}


def test_the_member_and_the_township_see_open_and_overdue_tasks(tree, people):
    late = task(people.township_a, people.member_a, issued_on=timezone.localdate() - timedelta(days=40))
    task(people.township_a, people.member_a, title="风险排查")
    assert counts(people.member_a)[OPEN] == 2
    assert counts(people.member_a)[OVERDUE] == 1
    assert counts(people.township_a)[OVERDUE] == 1
    assert OPEN not in counts(people.township_a)  # the township issues, the member does
    assert OVERDUE not in counts(people.township_b)  # not its village
    late.refresh_from_db()
    services.guidance_task_answer(
        actor=people.member_a, task=late, version=late.version, answer="已核查，公示无误"
    )
    assert counts(people.member_a)[OPEN] == 1
    assert OVERDUE not in counts(people.member_a) and OVERDUE not in counts(people.township_a)


def test_the_county_sees_the_nominations_waiting_for_it(tree, people, client):
    n = nominate(people.township_a, tree.village_a, candidate(tree.village_a))
    assert counts(people.county_officer)[NOMINATIONS] == 1
    assert NOMINATIONS not in counts(people.township_a)
    assert NOMINATIONS not in counts(people.outsider)  # another county
    sign_in(client, people.county_officer)
    home = client.get(reverse("core:home")).content.decode()
    assert NOMINATIONS in home
    listed = client.get(reverse("cadres:post_list")).content.decode()
    assert 'id="pending"' in listed and f'id="nomination-{n.pk}"' in listed
    services.nomination_decide(actor=people.county_officer, nomination=n, version=n.version, approve=True)
    assert NOMINATIONS not in counts(people.county_officer)


def test_the_home_page_leads_the_member_to_the_open_tasks(tree, people, client):
    t = task(people.township_a, people.member_a)
    sign_in(client, people.member_a)
    home = client.get(reverse("core:home")).content.decode()
    assert OPEN in home and reverse("cadres:task_list") + "?status=open" in home
    listed = client.get(reverse("cadres:task_list") + "?status=open").content.decode()
    assert f'id="task-{t.pk}"' in listed
