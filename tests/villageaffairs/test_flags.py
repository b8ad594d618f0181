"""Each risk flag rule on a constructed decision, and a clean decision that raises none."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from jijian.villageaffairs.models import DecisionStep, Step
from jijian.villageaffairs.selectors import decision_flags_for, risk_board
from tests.villageaffairs.helpers import days_ago, names, record, register, walk

pytestmark = pytest.mark.django_db


def codes(decision) -> set[str]:
    return {f.key for f in decision_flags_for(decision)}


def test_a_decision_walked_in_order_raises_no_flag(people):
    decision = register(people.member_a)
    walk(people.member_a, decision)
    assert codes(decision) == set()


def test_a_later_step_without_its_predecessor_is_a_missing_step(people):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(5))
    record(people.member_a, decision, Step.TWO_COMMITTEES, held_on=days_ago(4))
    record(
        people.member_a,
        decision,
        Step.VILLAGERS_MEETING,
        held_on=days_ago(2),
        out_of_sequence_reason="村里说党员大会来不及开",
    )
    flags = {f.key: f for f in decision_flags_for(decision)}
    assert set(flags) == {"missing:3"}
    assert "“党员大会审议”未登记" in flags["missing:3"].finding
    assert flags["missing:3"].rule.startswith("四议两公开须依次经过六个环节")


def test_a_step_recorded_before_its_predecessor_stays_flagged_out_of_order(people):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(5))
    record(
        people.member_a,
        decision,
        Step.PARTY_MEETING,
        held_on=days_ago(3),
        out_of_sequence_reason="两委会记录未带来",
    )
    record(people.member_a, decision, Step.TWO_COMMITTEES, held_on=days_ago(4))
    assert codes(decision) == {"order:3"}


def test_a_step_dated_before_the_step_it_depends_on(people):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(3))
    record(people.member_a, decision, Step.TWO_COMMITTEES, held_on=days_ago(5))
    flags = {f.key: f for f in decision_flags_for(decision)}
    assert set(flags) == {"date:2"}
    assert "早于" in flags["date:2"].finding


def test_a_party_meeting_under_two_thirds_is_quorum_short(people):
    decision = register(people.member_a)  # 30 party members: 20 needed
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(5))
    record(people.member_a, decision, Step.TWO_COMMITTEES, held_on=days_ago(4))
    record(
        people.member_a,
        decision,
        Step.PARTY_MEETING,
        held_on=days_ago(3),
        attended=19,
        attendees=names(19),
        votes_for=19,
        votes_against=0,
    )
    flags = {f.key: f for f in decision_flags_for(decision)}
    assert set(flags) == {"quorum:3"}
    assert "应到 30 人，实到 19 人" in flags["quorum:3"].finding
    assert "至少 20 人" in flags["quorum:3"].finding


def test_exactly_two_thirds_is_a_quorum(people):
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=2)
    record(
        people.member_a,
        decision,
        Step.PARTY_MEETING,
        held_on=days_ago(3),
        attended=20,
        attendees=names(20),
        votes_for=20,
        votes_against=0,
    )
    assert codes(decision) == set()


def test_a_party_meeting_passed_by_half_of_those_due_or_fewer_is_flagged(people):
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=2)
    record(
        people.member_a,
        decision,
        Step.PARTY_MEETING,
        held_on=days_ago(3),
        attended=25,
        attendees=names(25),
        votes_for=15,
        votes_against=10,
    )
    assert codes(decision) == {"votes:3"}


def test_minutes_recorded_after_the_villages_limit_are_late(people):
    decision = register(people.member_a)  # 7 days
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(8))
    record(people.member_a, decision, Step.TWO_COMMITTEES, held_on=days_ago(7))
    assert codes(decision) == {"late:1"}


def test_the_same_attendance_list_on_two_meetings_is_flagged_on_both(people):
    first, second = register(people.member_a, "修路"), register(people.member_a, "建桥")
    for decision, day in ((first, 3), (second, 2)):
        walk(people.member_a, decision, upto=2)
        record(
            people.member_a,
            decision,
            Step.PARTY_MEETING,
            held_on=days_ago(day),
            minutes=f"{decision.title}审议记录，逐项表决通过，无异议。",
        )
    flags_first = {f.key: f for f in decision_flags_for(first)}
    assert set(flags_first) == {"same_attendees:3"}
    assert "建桥" in flags_first["same_attendees:3"].finding
    assert {f.key for f in decision_flags_for(second)} == {"same_attendees:3"}


def test_the_same_names_in_another_order_are_the_same_list(people):
    first, second = register(people.member_a, "修路"), register(people.member_a, "建桥")
    walk(people.member_a, first, upto=2)
    walk(people.member_a, second, upto=2)
    record(
        people.member_a,
        first,
        Step.PARTY_MEETING,
        held_on=days_ago(3),
        minutes="修路审议记录，逐项表决通过，无异议。",
    )
    shuffled = " ".join(reversed(names(25).split("、")))
    record(
        people.member_a,
        second,
        Step.PARTY_MEETING,
        held_on=days_ago(2),
        attendees=shuffled,
        minutes="建桥审议记录，逐项表决通过，无异议。",
    )
    assert "same_attendees:3" in codes(second)


def test_the_same_list_at_one_sitting_or_in_full_attendance_is_not_flagged(people):
    """One party members' meeting reviews two matters the same day; a branch whose every member came
    twice: the same list is expected, not copied."""
    first, second = register(people.member_a, "修路"), register(people.member_a, "建桥")
    for decision in (first, second):
        walk(people.member_a, decision, upto=2)
        record(
            people.member_a,
            decision,
            Step.PARTY_MEETING,
            held_on=days_ago(3),
            minutes=f"{decision.title}审议记录，逐项表决通过，无异议。",
        )
    assert codes(first) == codes(second) == set()
    third, fourth = register(people.member_a, "修渠"), register(people.member_a, "建亭")
    for decision, day in ((third, 3), (fourth, 2)):
        walk(people.member_a, decision, upto=2)
        record(
            people.member_a,
            decision,
            Step.PARTY_MEETING,
            held_on=days_ago(day),
            attended=30,  # every one of the 30 party members came
            attendees=names(30),
            votes_for=29,
            minutes=f"{decision.title}审议记录，逐项表决通过，无异议。",
        )
    assert codes(third) == codes(fourth) == set()


def test_the_same_minutes_text_on_two_meetings_is_flagged(people):
    first, second = register(people.member_a, "修路"), register(people.member_a, "建桥")
    copied = "第1步会议记录：讨论村部维修方案，与会人员一致同意提交两委会商议。"
    record(people.member_a, first, Step.PROPOSAL, held_on=days_ago(5), minutes=copied)
    record(
        people.member_a,
        second,
        Step.PROPOSAL,
        held_on=days_ago(5),
        minutes=" " + copied.replace("，", "，\n"),
    )
    assert codes(second) == {"same_minutes:1"}
    assert codes(first) == {"same_minutes:1"}


def test_the_same_minutes_in_another_village_are_not_compared(people, tree):
    from jijian.core.roles import Role
    from tests.conftest import make_user

    member_a2 = make_user("member_a2", tree.village_a2, Role.VILLAGE_MEMBER)
    first, second = register(people.member_a, "修路"), register(member_a2, "修路")
    walk(people.member_a, first, upto=1)
    walk(member_a2, second, upto=1)
    assert codes(first) == codes(second) == set()


def test_the_board_of_several_villages_compares_meetings_within_each_village_only(people, tree):
    """The township's board reads all its villages at once: the same attendance list in two of them
    (the party meeting's roll of names(25) in both) raises nothing there, as on each decision's page."""
    from jijian.core.roles import Role
    from tests.conftest import make_user

    member_a2 = make_user("member_a2", tree.village_a2, Role.VILLAGE_MEMBER)
    first, second = register(people.member_a, "修路"), register(member_a2, "建桥")
    walk(people.member_a, first, upto=3)
    walk(member_a2, second, upto=3)
    assert codes(first) == codes(second) == set()
    assert [r.flag.key for r in risk_board(people.township_a)] == []
    # Within one village the same list still raises the flag on the board too (another day's meeting).
    third = register(people.member_a, "建桥")
    walk(people.member_a, third, upto=2)
    record(
        people.member_a, third, Step.PARTY_MEETING, held_on=days_ago(2), minutes="建桥审议记录，表决通过。"
    )
    keys = sorted((r.decision.title, r.flag.key) for r in risk_board(people.township_a))
    assert keys == [("修路", "same_attendees:3"), ("建桥", "same_attendees:3")]
    (row,) = [r for r in risk_board(people.township_a) if r.decision.pk == first.pk]
    assert "“建桥”的党员大会审议" in row.flag.finding


def test_the_township_sees_the_flags_of_its_villages_only(people, tree):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(9))
    assert [r.flag.key for r in risk_board(people.township_a)] == ["late:1"]
    assert [r.flag.key for r in risk_board(people.county_officer)] == ["late:1"]
    assert risk_board(people.township_b) == []
    assert risk_board(people.outsider) == []


def test_the_answer_is_due_in_working_days_from_the_raising_step(people):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(9))
    from jijian.core.orgs.workdays import add_working_days

    (row,) = risk_board(people.township_a)
    step = DecisionStep.objects.get(decision=decision)
    assert row.due == add_working_days(timezone.localtime(step.recorded_at).date(), 5)
    assert not row.overdue


def test_the_answer_period_is_configured_and_a_decision_keeps_the_one_it_was_registered_under(
    people, settings
):
    """JIJIAN_VILLAGE_FLAG_ANSWER_WORKING_DAYS sets the township's time to answer a flag; a decision
    registered before a change keeps its rules' figure, one registered after takes the new one."""
    from jijian.core.orgs.workdays import add_working_days

    before = register(people.member_a, "修路")
    settings.VILLAGE_FLAG_ANSWER_WORKING_DAYS = 10
    after = register(people.member_a, "建桥")
    for decision in (before, after):
        record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(9))
    assert (before.rules["answer_working_days"], after.rules["answer_working_days"]) == (5, 10)
    due = {r.decision.pk: r.due for r in risk_board(people.township_a)}
    for decision, days in ((before, 5), (after, 10)):
        step = DecisionStep.objects.get(decision=decision)
        assert due[decision.pk] == add_working_days(timezone.localtime(step.recorded_at).date(), days)


@pytest.mark.parametrize("day", ["2026-09-28", "2026-09-30", "2026-10-08", "2026-12-31", "2026-02-13"])
def test_the_pages_due_dates_agree_with_the_working_day_calendar(people, day):
    """The board reads the calendar once per page; its due dates are add_working_days' own."""
    from datetime import date, datetime

    from jijian.core.orgs.workdays import add_working_days
    from jijian.villageaffairs.flags import Flag
    from jijian.villageaffairs.selectors import _Due

    decision = register(people.member_a)
    raised = timezone.make_aware(
        datetime.combine(date.fromisoformat(day), datetime.min.time().replace(hour=10))
    )
    flag = Flag("late:1", "t", "r", "f", 1, raised)
    assert _Due([decision], [flag])(decision, flag) == add_working_days(date.fromisoformat(day), 5)


def test_a_flag_reaches_the_township_once(people):
    from jijian.core.models import Notification

    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(9))
    record(people.member_a, decision, Step.TWO_COMMITTEES, held_on=days_ago(5))
    notes = Notification.objects.filter(recipient=people.township_a)
    assert [n.title for n in notes] == ["“三重一大”风险提示：神农村 会议记录迟录"]
    assert not Notification.objects.filter(recipient=people.township_b).exists()


def test_an_answer_due_in_a_provisional_year_is_marked(people, login):
    """2027 has no State Council arrangement yet: a flag whose answer is due then shows 暂定 on the
    decision's page; one due in 2026 shows none."""
    from datetime import datetime

    from django.urls import reverse

    late, early = register(people.member_a, title="年终修路"), register(people.member_a, title="秋季修渠")
    for decision, raised in ((late, datetime(2026, 12, 28, 10)), (early, datetime(2026, 11, 2, 10))):
        record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(5))
        record(
            people.member_a,
            decision,
            Step.PARTY_MEETING,
            held_on=days_ago(3),
            out_of_sequence_reason="来不及",
        )
        DecisionStep.objects.filter(decision=decision).update(recorded_at=timezone.make_aware(raised))
    client = login(people.township_a)
    for decision, marked in ((late, True), (early, False)):
        page = client.get(reverse("villageaffairs:decision_detail", args=[decision.pk])).content.decode()
        flag = page.split('id="flag-missing2"')[1].split("<div>")[0]
        assert "应于" in flag and ("暂定" in flag) is marked


def test_the_flag_notice_says_by_when_and_marks_a_provisional_date(people):
    """The township's notice of a flag says by when to answer it; 暂定 in a year without the State
    Council's arrangement (2027), not in 2026. The steps are recorded today, then dated back to the
    day the notice is about, and the notice sent again as recording sends it."""
    from jijian.core.models import Notification
    from jijian.villageaffairs import services

    for title, raised in (("年终修路", datetime(2026, 12, 28, 10)), ("秋季修渠", datetime(2026, 11, 2, 10))):
        decision = register(people.member_a, title=title)
        record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(5))
        step = record(
            people.member_a,
            decision,
            Step.PARTY_MEETING,
            held_on=days_ago(3),
            out_of_sequence_reason="来不及",
        )
        DecisionStep.objects.filter(decision=decision).update(recorded_at=timezone.make_aware(raised))
        Notification.objects.filter(recipient=people.township_a).delete()
        services._tell_township(decision, step)
        notes = Notification.objects.filter(recipient=people.township_a)
        [note] = [n for n in notes if "未登记" in n.body]  # the missing step (dating back adds others)
        assert note.body.startswith(f"“{title}”")
        if title == "年终修路":
            assert "请于 2027-01-05（暂定） 前处理。" in note.body
        else:
            assert "请于 2026-11-09 前处理。" in note.body and "暂定" not in note.body


# --- a decision that stops -------------------------------------------------------------------------
def _recorded_on_the_day(decision):
    """Each step's minutes recorded the day it was held (not late)."""
    for step in DecisionStep.objects.filter(decision=decision):
        at = timezone.make_aware(datetime.combine(step.held_on, datetime.min.time()).replace(hour=20))
        DecisionStep.objects.filter(pk=step.pk).update(recorded_at=at)


def _upto(member, decision, last: int, *, last_held: int):
    """Steps 1..last recorded in order, the last one held `last_held` days ago."""
    for s in range(1, last + 1):
        record(member, decision, s, held_on=days_ago(last_held + last - s))
    _recorded_on_the_day(decision)


def test_a_resolution_never_made_public_is_flagged_after_the_limit(people):
    decision = register(people.member_a)
    _upto(people.member_a, decision, Step.VILLAGERS_MEETING, last_held=31)
    flags = {f.key: f for f in decision_flags_for(decision)}
    assert set(flags) == {"stalled:5"}
    assert "“村民（代表）会议决议”于" in flags["stalled:5"].finding
    assert "至今 31 天，“决议公开”仍未登记（规定 30 天内）" in flags["stalled:5"].finding
    assert flags["stalled:5"].rule.startswith("四议两公开应连续进行")
    # Raised the day after the limit: the township's time limit to answer runs from then.
    assert timezone.localdate(flags["stalled:5"].raised_at) == days_ago(0)


def test_within_the_limit_nothing_is_flagged(people):
    decision = register(people.member_a)
    _upto(people.member_a, decision, Step.VILLAGERS_MEETING, last_held=30)
    assert codes(decision) == set()


def test_the_result_has_longer_to_be_made_public(people, settings):
    decision = register(people.member_a)
    _upto(people.member_a, decision, Step.RESOLUTION_PUBLIC, last_held=100)
    assert codes(decision) == set()
    settings.VILLAGEAFFAIRS_RESULT_PUBLIC_DAYS = 90
    assert codes(decision) == {"stalled:6"}
    settings.VILLAGEAFFAIRS_STEP_STALL_DAYS = 10  # not the limit of the last step
    settings.VILLAGEAFFAIRS_RESULT_PUBLIC_DAYS = 180
    assert codes(decision) == set()


def test_a_matter_voted_down_is_not_a_stalled_one(people):
    decision = register(people.member_a)  # 30 party members
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(62))
    record(people.member_a, decision, Step.TWO_COMMITTEES, held_on=days_ago(61))
    record(
        people.member_a,
        decision,
        Step.PARTY_MEETING,
        held_on=days_ago(60),
        attended=25,
        attendees=names(25),
        votes_for=10,
        votes_against=15,
    )
    _recorded_on_the_day(decision)
    assert codes(decision) == {"votes:3"}


def test_a_stalled_decision_reaches_the_township_board(people):
    decision = register(people.member_a)
    _upto(people.member_a, decision, Step.TWO_COMMITTEES, last_held=45)
    (row,) = risk_board(people.township_a)
    assert row.flag.key == "stalled:3" and row.decision.pk == decision.pk
