"""What waits on the signed-in user in village affairs, on the home page and in the voucher list: the
vouchers whose next signature is theirs (the member's village steps, the township's steps), for the
township committee the vouchers an objection stopped and the open risk flags, each counted in the
user's jurisdiction only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jijian.core.roles import Role
from jijian.core.todos import todos_for
from jijian.villageaffairs import selectors
from jijian.villageaffairs.models import Step
from tests.conftest import make_user
from tests.villageaffairs.helpers import days_ago, enter, record, register, sign, walk_village

pytestmark = pytest.mark.django_db


def counts(user) -> dict[str, int]:
    return {item["title"]: item["count"] for item in todos_for(user)}


WAITING = "待我签字的报账凭证"
OBJECTED = "因异议待乡镇处理的报账凭证"
FLAGS = "待处理的村务风险提示"


def test_a_voucher_waits_on_the_member_then_on_the_township(people):
    voucher = enter(people.member_a)
    assert counts(people.member_a)[WAITING] == 1
    assert WAITING not in counts(people.township_a)  # nothing of the township's yet: not shown
    walk_village(people, voucher)
    assert WAITING not in counts(people.member_a)
    assert counts(people.township_a)[WAITING] == 1
    assert WAITING not in counts(people.township_b)  # another township's voucher
    sign(people.township_a, voucher, "孙会计")  # booked
    assert WAITING not in counts(people.township_a)


def test_an_objection_waits_on_the_township_only(people):
    voucher = enter(people.member_a)
    sign(people.member_a, voucher, "李监委")
    sign(people.member_a, voucher, objection=True, opinion="票据抬头不是本村")
    assert counts(people.township_a)[OBJECTED] == 1
    assert WAITING not in counts(people.member_a)  # stopped: nobody signs it now
    assert OBJECTED not in counts(people.member_a)
    assert OBJECTED not in counts(people.township_b)


def test_the_township_counts_the_open_flags_of_its_board(people):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(9))  # minutes entered late
    open_flags = len(selectors.risk_board(people.township_a))
    assert open_flags >= 1
    assert counts(people.township_a)[FLAGS] == open_flags
    assert FLAGS not in counts(people.township_b)
    assert FLAGS not in counts(people.member_a)


def test_officers_who_do_not_sign_get_no_village_to_dos(people):
    enter(people.member_a)
    for user in (people.county_officer, people.outsider, people.city_petition):
        assert not {WAITING, OBJECTED, FLAGS} & set(counts(user))


def test_the_home_page_leads_to_the_voucher_list_of_what_waits(people, login):
    voucher = enter(people.member_a)
    other = enter(people.member_a, purpose="购买电脑")
    sign(people.member_a, other, "李监委")
    sign(people.member_a, other, objection=True, opinion="无验收单")
    client = login(people.member_a)
    home = client.get(reverse("core:home")).content.decode()
    assert WAITING in home and "?show=mine" in home
    page = client.get(reverse("villageaffairs:voucher_list") + "?show=mine").content.decode()
    assert f'id="voucher-{voucher.pk}"' in page and f'id="voucher-{other.pk}"' not in page
    assert "待村务监督委员会审核" in page  # the step it waits for
    stopped = client.get(reverse("villageaffairs:voucher_list") + "?show=objected").content.decode()
    assert f'id="voucher-{other.pk}"' in stopped and f'id="voucher-{voucher.pk}"' not in stopped
    everything = client.get(reverse("villageaffairs:voucher_list")).content.decode()
    assert f'id="voucher-{voucher.pk}"' in everything and f'id="voucher-{other.pk}"' in everything


def test_the_list_of_what_waits_is_scoped(people, tree, login):
    voucher = enter(people.member_a)
    neighbour = make_user("member_a2", tree.village_a2, Role.VILLAGE_MEMBER)
    page = login(neighbour).get(reverse("villageaffairs:voucher_list") + "?show=mine").content.decode()
    assert f'id="voucher-{voucher.pk}"' not in page and "没有等待您签字的报账凭证" in page
    stopped = login(people.township_b).get(reverse("villageaffairs:voucher_list") + "?show=objected")
    assert f'id="voucher-{voucher.pk}"' not in stopped.content.decode()


def test_a_reader_asking_for_his_signatures_gets_the_whole_list(people, login):
    """A county officer signs nothing: ?show=mine is not offered and shows the whole list."""
    voucher = enter(people.member_a)
    page = login(people.county_officer).get(reverse("villageaffairs:voucher_list") + "?show=mine")
    text = page.content.decode()
    assert page.status_code == 200 and "待我签字" not in text and f'id="voucher-{voucher.pk}"' in text
