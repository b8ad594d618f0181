"""The home page tells petition staff what waits on them: reports to route, forwards to answer,
time limits passed, and (leaders) clue dispositions to approve — each only within their jurisdiction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jijian.core.roles import Role
from jijian.core.todos import todos_for
from jijian.petitions import services
from jijian.petitions.clues import services as clues
from tests.conftest import make_user
from tests.petitions.authz_entries_clues import case_manager, registered_clue
from tests.petitions.triage_helpers import officer, register

pytestmark = pytest.mark.django_db


def _todos(user) -> dict[str, int]:
    return {t["title"]: t["count"] for t in todos_for(user)}


def test_reports_to_route_and_forwards_to_answer(tree, people):
    county = officer("county_petition", tree.county)
    report = register(county, tree.township_a, received_on=timezone.localdate() - timedelta(days=14))
    assert _todos(county)["待分流的信访举报件"] == 1
    assert _todos(county)["已逾期的办理时限"] >= 1  # 5 working days to route, 14 days ago
    assert "待分流的信访举报件" not in _todos(people.township_b)
    services.petition_route(
        actor=county, report=report, managing=tree.township_a, about_own_head=False, version=report.version
    )
    assert "待分流的信访举报件" not in _todos(county)
    assert _todos(people.township_a)["待接收或转送的转办件"] == 1
    assert "待接收或转送的转办件" not in _todos(people.township_b)
    other = officer("petition_gs", tree.other_county)
    assert "待接收或转送的转办件" not in _todos(other)


def test_a_leader_sees_proposals_to_approve(tree, people):
    leader = make_user("county_leader", tree.county, Role.COMMISSION_LEADER)
    clue = registered_clue(tree.county)
    clues.clue_propose(
        actor=case_manager(tree.county, "cm"),
        clue=clue,
        disposal="hold",
        note="暂无可查证据",
        version=clue.version,
        endorse=True,
    )
    assert _todos(leader)["待审批的线索处置意见"] == 1
    outsider_leader = make_user("gs_leader", tree.other_county, Role.COMMISSION_LEADER)
    assert "待审批的线索处置意见" not in _todos(outsider_leader)
    assert "待审批的线索处置意见" not in _todos(people.city_petition)  # not a leader
