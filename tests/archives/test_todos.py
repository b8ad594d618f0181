"""The integrity opinion replies waiting on each office, on the home page and in the list's 待我办理:
the cadre supervision office drafts, each endorsing office endorses its part once, the leader signs
when all have — each sees only what waits on its own part, in its own jurisdiction."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from jijian.archives import opinions
from jijian.archives.models import OpinionRequest
from jijian.core.todos import todos_for
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

WAITING = "待我办理的党风廉政意见回复"
LATE = "已超过答复期限的党风廉政意见回复"
ENDORSERS = ("petition_office", "case_management", "case_review")


def counts(user) -> dict[str, int]:
    return {item["title"]: item["count"] for item in todos_for(user)}


def waiting(staff) -> dict[str, int]:
    return {name: counts(user).get(WAITING, 0) for name, user in staff.items()}


def fresh(request) -> OpinionRequest:
    return OpinionRequest.objects.get(pk=request.pk)


def test_each_office_sees_its_own_part_in_turn(staff):
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="1号", purpose="promotion", persons_text="刘某"
    )
    assert {k for k, v in waiting(staff).items() if v} == {"keeper"}
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    assert {k for k, v in waiting(staff).items() if v} == set(ENDORSERS)
    request = fresh(request)
    opinions.opinion_endorse(
        actor=staff["petition_office"], request=request, version=request.version, office="petition_office"
    )
    assert {k for k, v in waiting(staff).items() if v} == {"case_management", "case_review"}
    for office in ("case_management", "case_review"):
        request = fresh(request)
        opinions.opinion_endorse(actor=staff[office], request=request, version=request.version, office=office)
    assert {k for k, v in waiting(staff).items() if v} == {"leader"}  # not other_leader: another county
    request = fresh(request)
    opinions.opinion_sign(actor=staff["leader"], request=request, version=request.version)
    assert not any(waiting(staff).values())
    assert WAITING not in counts(staff["org"])  # asks, takes no part in the answer


def test_a_reply_past_its_deadline_is_counted_as_late(staff):
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="2号", purpose="promotion", persons_text="刘某"
    )
    assert LATE not in counts(staff["keeper"])
    OpinionRequest.objects.filter(pk=request.pk).update(
        due_on=timezone.localdate() - timezone.timedelta(days=1)
    )
    assert counts(staff["keeper"])[LATE] == 1
    assert LATE not in counts(staff["other_keeper"])


def test_the_list_shows_what_waits_on_me(staff, client):
    mine = opinions.opinion_submit(actor=staff["org"], ref_no="3号", purpose="promotion", persons_text="刘某")
    drafted = opinions.opinion_submit(
        actor=staff["org"], ref_no="4号", purpose="election", persons_text="王某"
    )
    opinions.opinion_draft(actor=staff["keeper"], request=drafted, version=drafted.version)
    sign_in(client, staff["keeper"])
    home = client.get(reverse("core:home")).content.decode()
    assert WAITING in home and reverse("archives:opinions") + "?mine=1" in home
    page = client.get(reverse("archives:opinions") + "?mine=1").content.decode()
    assert f'id="opinion-{mine.pk}"' in page and f'id="opinion-{drafted.pk}"' not in page
    everything = client.get(reverse("archives:opinions")).content.decode()
    assert f'id="opinion-{mine.pk}"' in everything and f'id="opinion-{drafted.pk}"' in everything
    sign_in(client, staff["other_keeper"])
    other = client.get(reverse("archives:opinions") + "?mine=1").content.decode()
    assert f'id="opinion-{mine.pk}"' not in other and "没有等待您办理的征求意见" in other
