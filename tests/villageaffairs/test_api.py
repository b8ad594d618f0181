"""The village-affairs API: the decision with its flags and their rules, the board, the vouchers —
each scoped to the caller's villages."""

import pytest

from jijian.villageaffairs.models import Step
from tests.villageaffairs.helpers import days_ago, names, record, register, walk

pytestmark = pytest.mark.django_db


def test_a_decision_with_its_steps_and_flags(people, login):
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=2)
    record(
        people.member_a, decision, Step.PARTY_MEETING, held_on=days_ago(3), attended=12, attendees=names(12),
        votes_for=12, votes_against=0,
    )  # fmt: skip
    body = login(people.township_a).get(f"/api/village/decisions/{decision.pk}").json()
    assert [s["step"] for s in body["steps"]] == [1, 2, 3]
    flags = {f["key"]: f for f in body["flags"]}
    assert set(flags) == {"quorum:3", "votes:3"}  # 12 of 30 present, 12 for: not over half of 30
    assert flags["quorum:3"]["rule"].startswith("党员大会须有三分之二以上党员到会")
    listing = login(people.township_a).get("/api/village/decisions").json()
    assert listing["count"] == 1 and listing["items"][0]["steps_done"] == 3
    assert login(people.township_a).get("/api/village/risks").json()["items"][0]["key"] in {
        "quorum:3",
        "votes:3",
    }


def test_the_api_keeps_to_the_callers_villages(people, login):
    decision = register(people.member_a)
    client = login(people.township_b)
    assert client.get(f"/api/village/decisions/{decision.pk}").status_code == 404
    assert client.get("/api/village/decisions").json()["count"] == 0
    assert login(people.outsider).get("/api/village/risks").json()["count"] == 0
