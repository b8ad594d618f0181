"""Correcting a recorded step: by its author only, with a reason; the old values kept as history and
audited; the flags recomputed; checked against the rules the decision was registered under."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.core.services import ConcurrentEditError
from jijian.villageaffairs import services
from jijian.villageaffairs.models import DecisionStep, Step, StepCorrection
from jijian.villageaffairs.selectors import decision_flags_for
from tests.conftest import make_user
from tests.villageaffairs.helpers import (
    PARTY_MEMBERS,
    days_ago,
    file_rules,
    names,
    record,
    register,
    step_fields,
)

pytestmark = pytest.mark.django_db


def codes(decision) -> set[str]:
    return {f.key for f in decision_flags_for(decision)}


def correct(actor, step: DecisionStep, *, reason="按签到表更正", **overrides):
    fields = {k: v for k, v in step_fields(step.step).items() if k in services.CORRECTABLE}
    fields.update(overrides)
    return services.decision_step_correct(
        actor=actor, record=step, version=step.version, reason=reason, **fields
    )


def short_party_meeting(people):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(5))
    record(people.member_a, decision, Step.TWO_COMMITTEES, held_on=days_ago(4))
    outcome = record(
        people.member_a, decision, Step.PARTY_MEETING, held_on=days_ago(3), attended=15,
        attendees=names(15), votes_for=14, votes_against=1,
    )  # fmt: skip
    return decision, outcome.step


def test_a_correction_moves_the_flags_and_keeps_the_old_values(people):
    decision, step = short_party_meeting(people)
    assert codes(decision) == {"quorum:3", "votes:3"}
    correct(people.member_a, step, held_on=days_ago(3), attended=25, attendees=names(25), votes_for=24)
    assert codes(decision) == set()
    step.refresh_from_db()
    assert (step.attended, step.votes_for, step.version) == (25, 24, 2)
    (history,) = StepCorrection.objects.filter(step=step)
    assert (history.before["attended"], history.before["votes_for"]) == (15, 14)
    assert history.after["attended"] == 25 and history.reason == "按签到表更正"
    event = AuditEvent.objects.get(action="decision_step.correct")
    assert event.before["attended"] == 15


def test_a_correction_can_raise_a_flag_too(people):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(5))
    step = record(people.member_a, decision, Step.TWO_COMMITTEES, held_on=days_ago(4)).step
    correct(people.member_a, step, held_on=days_ago(6))
    assert codes(decision) == {"date:2"}


def test_only_the_author_corrects(people, tree):
    decision, step = short_party_meeting(people)
    other_member = make_user("member_a2", tree.village_a, "village_member")
    for actor in (people.township_a, other_member):
        with pytest.raises(PermissionDenied):
            correct(actor, step, attended=25, attendees=names(25), votes_for=24)
    assert not StepCorrection.objects.exists()


def test_a_correction_without_a_reason_or_with_bad_numbers_changes_nothing(people):
    decision, step = short_party_meeting(people)
    with pytest.raises(ValidationError) as info:
        correct(people.member_a, step, reason=" ", attended=25, attendees=names(25), votes_for=24)
    assert "请填写更正原因" in info.value.messages
    with pytest.raises(ValidationError) as info:
        correct(people.member_a, step, attended=10, attendees=names(10), votes_for=24)
    assert "表决票数合计（25）不能大于实到人数（10）" in "；".join(info.value.messages)
    step.refresh_from_db()
    assert (step.attended, step.version) == (15, 1)
    assert not StepCorrection.objects.exists()


def test_a_stale_page_is_refused(people):
    decision, step = short_party_meeting(people)
    correct(people.member_a, step, attended=25, attendees=names(25), votes_for=24)
    with pytest.raises(ConcurrentEditError):
        correct(people.member_a, step, attended=26, attendees=names(26), votes_for=24)  # version 1 again
    assert StepCorrection.objects.count() == 1


def test_a_decision_keeps_the_rules_it_started_under(people):
    """The village files a new roll while the decision is open: its correction is still checked
    against the roll filed when it was registered."""
    decision, step = short_party_meeting(people)
    file_rules(people.member_a, party_members=40)
    with pytest.raises(ValidationError) as info:
        correct(people.member_a, step, roll=40, attended=30, attendees=names(30), votes_for=24)
    assert f"应到人数应为本村党员人数 {PARTY_MEMBERS} 人" in "；".join(info.value.messages)
    correct(people.member_a, step, roll=PARTY_MEMBERS, attended=25, attendees=names(25), votes_for=24)
    assert codes(decision) == set()


def test_an_out_of_order_step_stays_out_of_order_after_a_correction(people):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(5))
    step = record(
        people.member_a,
        decision,
        Step.PARTY_MEETING,
        held_on=days_ago(3),
        out_of_sequence_reason="两委会记录未带来",
    ).step
    record(people.member_a, decision, Step.TWO_COMMITTEES, held_on=days_ago(4))
    correct(people.member_a, step, held_on=days_ago(2))
    assert codes(decision) == {"order:3"}
    step.refresh_from_db()
    assert step.out_of_sequence_reason == "两委会记录未带来"


def test_the_page_corrects_and_shows_the_history(people, login):
    decision, step = short_party_meeting(people)
    client = login(people.member_a)
    url = reverse("villageaffairs:step_correct", args=[decision.pk, Step.PARTY_MEETING])
    assert client.get(url).status_code == 200
    data = {
        "held_on": days_ago(3).isoformat(), "roll": PARTY_MEMBERS, "attended": 25, "attendees": names(25),
        "votes_for": 24, "votes_against": 1, "minutes": step.minutes, "member_present": "on",
        "member_opinion": "程序规范", "reason": "实到人数录错", "version": 1,
    }  # fmt: skip
    response = client.post(url, data, follow=True)
    html = response.content.decode()
    assert "已更正“党员大会审议”" in html
    assert "更正记录（1 次）" in html and "原因：实到人数录错" in html and "实到 15 人" in html
    assert codes(decision) == set()
