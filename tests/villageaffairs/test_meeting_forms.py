"""The villagers' decision (村民（代表）会议决议) by the form it was taken in: a 村民会议 of the adult
villagers (more than half of them present), a 村民会议 of the households' representatives (two thirds
or more of the households), a 村民代表会议 (two thirds or more of its members); decisions by more than
half of those present whatever the form. The roll is the form's, from the decision's rules — a form
the village filed no roll for, or a roll that is not the form's, is refused and keeps nothing; steps
recorded before the form was asked are read as they were."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jijian.attachments.models import Attachment
from jijian.audit.models import AuditEvent
from jijian.reports.models import DutyRecord
from jijian.villageaffairs import services
from jijian.villageaffairs.flags import FORM_RULES, RULES
from jijian.villageaffairs.models import DecisionStep, MajorDecision, MeetingForm, Step, StepCorrection
from jijian.villageaffairs.selectors import decision_flags_for
from tests.villageaffairs.helpers import (
    ADULT_VILLAGERS,
    HOUSEHOLDS,
    PARTY_MEMBERS,
    REPRESENTATIVES,
    days_ago,
    file_rules,
    png,
    record,
    register,
    villagers_meeting,
    walk,
)

pytestmark = pytest.mark.django_db

# (form, its roll in the helpers' rules, the least attendance that is a quorum, one fewer)
QUORUMS = [
    (MeetingForm.VILLAGERS, ADULT_VILLAGERS, 601, 600),  # more than half of 1,200: 600 is not
    (MeetingForm.HOUSEHOLDS, HOUSEHOLDS, 267, 266),  # two thirds or more of 400 households
    (MeetingForm.REPRESENTATIVES, REPRESENTATIVES, 14, 13),  # 14 of 21 is exactly two thirds
]


def flags_of(decision) -> dict:
    return {f.key: f for f in decision_flags_for(decision)}


def refused(fn, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    return "；".join(info.value.messages)


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def checked(html: str, value: str) -> bool:
    """The radio button of `value` is checked on the page."""
    tag = re.search(rf'<input type="radio"[^>]*value="{value}"[^>]*>', html)
    return tag is not None and " checked" in tag.group(0)


def nothing_kept_for_step_4() -> bool:
    return (
        not DecisionStep.objects.filter(step=Step.VILLAGERS_MEETING).exists()
        and not AuditEvent.objects.filter(action="decision_step.record", after__step=4).exists()
        and DutyRecord.objects.count() == 3  # the three steps before it
    )


# --- the quorum and the votes of each form ------------------------------------------------------------
@pytest.mark.parametrize(("form", "roll", "least", "short"), QUORUMS, ids=[q[0] for q in QUORUMS])
def test_each_form_is_counted_against_its_own_roll_and_quorum(people, form, roll, least, short):
    quorate = villagers_meeting(people.member_a, form, attended=least)
    step = quorate.steps.get(step=Step.VILLAGERS_MEETING)
    assert (step.meeting_form, step.roll) == (form, roll)
    assert flags_of(quorate) == {}
    short_of_it = villagers_meeting(people.member_a, form, attended=short, title="另一事项")
    flag = flags_of(short_of_it)["quorum:4"]
    assert flag.rule == str(FORM_RULES["quorum", form])
    assert f"（至少 {least} " in flag.finding and f" {short} 人" in flag.finding


def test_each_quorum_rule_says_what_the_law_asks(people):
    finding = {}
    for form, _roll, _least, short in QUORUMS:
        decision = villagers_meeting(people.member_a, form, attended=short, title=f"事项{form}")
        finding[form] = flags_of(decision)["quorum:4"]
    villagers, households, representatives = (finding[f] for f, *_ in QUORUMS)
    assert "十八周岁以上村民的过半数" in villagers.rule and "未过半数（至少 601 人）" in villagers.finding
    assert "三分之二以上的户的代表" in households.rule
    assert "本村 400 户，到会户代表 266 人，不足三分之二（至少 267 户）" in households.finding
    assert "三分之二以上的组成人员" in representatives.rule
    assert "组成人员 21 人，到会 13 人" in representatives.finding


@pytest.mark.parametrize(("form", "roll", "attended", "short"), QUORUMS, ids=[q[0] for q in QUORUMS])
def test_a_villagers_decision_passes_with_more_than_half_of_those_present(
    people, form, roll, attended, short
):
    passed = villagers_meeting(people.member_a, form, attended=attended, votes_for=attended // 2 + 1)
    assert flags_of(passed) == {}
    failed = villagers_meeting(
        people.member_a, form, attended=attended, votes_for=attended // 2, title="另一事项"
    )
    flag = flags_of(failed)["votes:4"]
    assert flag.rule == str(FORM_RULES["votes", form]) and "到会人员的过半数" in flag.rule
    assert f"未超过到会人员 {attended} 人的半数" in flag.finding


def test_the_risk_board_lists_each_forms_rule(people, login):
    board = login(people.township_a).get(reverse("villageaffairs:flag_board")).content.decode()
    for form in MeetingForm:
        assert str(form.label) in board
    assert "十八周岁以上村民的过半数" in board and "三分之二以上的户的代表" in board


# --- refused: no form, the wrong roll, a form without a roll ---------------------------------------------
def test_a_villagers_decision_without_its_form_is_refused(people):
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=3)
    for form in ("", "everyone"):
        message = refused(record, people.member_a, decision, Step.VILLAGERS_MEETING, meeting_form=form)
        assert "请选择会议形式" in message
    assert nothing_kept_for_step_4()


def test_a_quorum_against_another_forms_roll_is_refused(people):
    """The representatives' 21 given as the roll of a 村民会议 of the villagers: the wrong roll."""
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=3)
    message = refused(
        record,
        people.member_a,
        decision,
        Step.VILLAGERS_MEETING,
        meeting_form=MeetingForm.VILLAGERS,
        roll=REPRESENTATIVES,
    )
    assert (
        f"“村民会议（18周岁以上村民参加）”的应到人数应为本村18周岁以上村民人数 {ADULT_VILLAGERS} 人"
        in message
    )
    assert f"不能按 {REPRESENTATIVES} 计算到会比例" in message
    assert nothing_kept_for_step_4()
    # The form's own roll, given, is accepted.
    record(
        people.member_a,
        decision,
        Step.VILLAGERS_MEETING,
        meeting_form=MeetingForm.VILLAGERS,
        roll=ADULT_VILLAGERS,
        attended=700,
        attendees="",
        votes_for=600,
    )
    assert decision.steps.get(step=4).roll == ADULT_VILLAGERS
    assert not nothing_kept_for_step_4()  # the check above sees a step when there is one


def test_a_form_the_village_filed_no_roll_for_is_refused_and_keeps_nothing(people):
    file_rules(people.member_a, households=0)
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=3)
    message = refused(
        record,
        people.member_a,
        decision,
        Step.VILLAGERS_MEETING,
        meeting_form=MeetingForm.HOUSEHOLDS,
        roll=None,
        attended=300,
        attendees="",
        votes_for=250,
        files=[png("minutes.png")],
    )
    assert "本村备案规则没有本村户数，不能按“村民会议（户代表参加）”计算到会比例，本环节未登记" in message
    assert "请先在“本村规则”中填报本村户数" in message
    assert nothing_kept_for_step_4()
    assert not Attachment.objects.filter(purpose="villageaffairs.step").exists()
    assert "rolls_added" not in MajorDecision.objects.get(pk=decision.pk).rules


def test_the_rules_may_not_give_the_representatives_meeting_more_members_than_adult_villagers(people):
    file_rules(people.member_a)
    message = refused(file_rules, people.member_a, adult_villagers=20, representatives=21)
    assert "村民代表会议组成人员人数（21）不能多于18周岁以上村民人数（20）" in message
    assert services.village_rules_for(people.member_a.org_unit).version == 1


# --- the decision's rules: a roll it holds stays, one it lacked is added once ------------------------------
def test_a_roll_the_decision_holds_is_not_replaced_by_a_later_filing(people):
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=3)
    file_rules(people.member_a, representatives=30)
    message = refused(
        record, people.member_a, decision, Step.VILLAGERS_MEETING, meeting_form="representatives", roll=30
    )
    assert f"应为本村村民代表会议组成人员人数 {REPRESENTATIVES} 人" in message
    record(people.member_a, decision, Step.VILLAGERS_MEETING)
    assert decision.steps.get(step=4).roll == REPRESENTATIVES


def test_a_roll_the_decision_lacked_is_taken_from_the_rules_filed_since_and_then_kept(people):
    file_rules(people.member_a, households=0)
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=3)
    file_rules(people.member_a, households=350)  # version 2
    record(
        people.member_a,
        decision,
        Step.VILLAGERS_MEETING,
        meeting_form=MeetingForm.HOUSEHOLDS,
        roll=None,
        attended=240,
        attendees="",
        votes_for=200,
    )
    decision.refresh_from_db()
    assert decision.steps.get(step=4).roll == 350
    assert decision.rules["households"] == 350 and decision.rules["rolls_added"] == {"households": 2}
    audit = AuditEvent.objects.filter(action="decision_step.record").latest("pk")
    assert audit.after["meeting_form"] == "households" and audit.after["roll_added_from"] == 2
    # Filed again since: the decision keeps the roll it was recorded against.
    file_rules(people.member_a, households=500)
    step = decision.steps.get(step=4)
    services.decision_step_correct(
        actor=people.member_a, record=step, version=step.version, reason="补充意见", held_on=step.held_on,
        attended=240, votes_for=200, minutes=step.minutes, member_opinion="程序规范，已补充",
        member_present=True,
    )  # fmt: skip
    step.refresh_from_db()
    assert (step.roll, step.meeting_form) == (350, "households")
    page_rules = MajorDecision.objects.get(pk=decision.pk).rules
    assert page_rules["households"] == 350 and page_rules["rolls_added"] == {"households": 2}


# --- a correction may change the form ----------------------------------------------------------------
def test_a_correction_to_another_form_takes_that_forms_roll_and_moves_the_flags(people):
    decision = villagers_meeting(people.member_a, MeetingForm.REPRESENTATIVES, attended=18)
    assert flags_of(decision) == {}
    step = decision.steps.get(step=4)
    services.decision_step_correct(
        actor=people.member_a, record=step, version=step.version, reason="实为村民会议",
        held_on=step.held_on, meeting_form=MeetingForm.VILLAGERS, attended=18, votes_for=18,
        minutes=step.minutes, member_present=True,
    )  # fmt: skip
    step.refresh_from_db()
    assert (step.meeting_form, step.roll) == ("villagers", ADULT_VILLAGERS)
    assert set(flags_of(decision)) == {"quorum:4"}
    (history,) = StepCorrection.objects.filter(step=step)
    assert history.before["meeting_form"] == "representatives" and history.before["roll"] == REPRESENTATIVES
    assert history.after["meeting_form"] == "villagers"


# --- old records: a villagers' decision recorded before the form was asked ----------------------------
def legacy_decision(people, *, attended: int, representatives: int = REPRESENTATIVES, roll=REPRESENTATIVES):
    """A decision registered under the rules' old shape (no adult villagers, no households) with its
    villagers' decision recorded before the form was asked: no form, the representatives' roll (or,
    where the village had filed none, a roll typed freely)."""
    file_rules(people.member_a)
    decision = MajorDecision.objects.create(
        village=people.member_a.org_unit, category="major_matter", title="旧事项", created_by=people.member_a,
        rules={"party_members": PARTY_MEMBERS, "representatives": representatives, "minutes_late_days": 7,
               "rules_version": 1, "answer_working_days": 5},
    )  # fmt: skip
    for step, due, present, votes in ((1, 7, 7, 7), (2, 7, 7, 7), (3, PARTY_MEMBERS, 25, 24)):
        DecisionStep.objects.create(
            decision=decision, step=step, held_on=days_ago(7 - step), roll=due, attended=present,
            votes_for=votes, minutes=f"旧会议记录{step}", recorded_by=people.member_a,
        )  # fmt: skip
    DecisionStep.objects.create(
        decision=decision, step=4, held_on=days_ago(3), roll=roll, attended=attended,
        votes_for=attended, minutes="旧村民代表会议记录", recorded_by=people.member_a,
    )  # fmt: skip
    return decision


def test_an_old_villagers_decision_is_read_by_the_two_thirds_rule_it_was_recorded_under(people):
    assert flags_of(legacy_decision(people, attended=14)) == {}
    MajorDecision.objects.all().delete()
    flag = flags_of(legacy_decision(people, attended=13))["quorum:4"]
    assert flag.rule == str(RULES["quorum"])
    assert flag.finding == "“村民（代表）会议决议”应到 21 人，实到 13 人，不足三分之二（至少 14 人）。"


def test_an_old_villagers_decision_reads_on_the_page_and_in_the_api(people, login):
    decision = legacy_decision(people, attended=13)
    client = login(people.township_a)
    page = client.get(reverse("villageaffairs:decision_detail", args=[decision.pk])).content.decode()
    assert "会议形式未登记（按村民代表会议的到会标准检查）" in page and "应到 21 人 · 实到 13 人" in page
    body = client.get(f"/api/village/decisions/{decision.pk}").json()
    step = next(s for s in body["steps"] if s["step"] == 4)
    assert (step["meeting_form"], step["meeting_form_label"], step["roll"]) == ("", "", REPRESENTATIVES)
    assert {f["key"] for f in body["flags"]} == {"quorum:4"}


def test_an_old_villagers_decision_against_a_roll_nobody_filed_is_flagged(people, login):
    """Before the form was asked, a village that had filed no representatives typed any roll: the
    quorum was computed against a roll the rules do not hold. Flagged, with its rule; a correction
    naming the form takes the form's filed roll and the flag goes."""
    decision = legacy_decision(people, attended=12, representatives=0, roll=15)
    flag = flags_of(decision)["roll:4"]
    assert flag.title == "应到人数无备案依据" and "按应到 15 人计算到会比例" in flag.finding
    assert "须按备案规则中该会议形式的应到人数计算" in flag.rule
    assert "quorum:4" not in flags_of(decision)  # 12 of the typed 15 is two thirds: only the roll tells
    step = decision.steps.get(step=4)
    services.decision_step_correct(
        actor=people.member_a, record=step, version=step.version, reason="按户代表会议更正",
        held_on=step.held_on, meeting_form=MeetingForm.HOUSEHOLDS, attended=300, votes_for=280,
        minutes=step.minutes,
    )  # fmt: skip
    assert set(flags_of(decision)) == set()
    assert MajorDecision.objects.get(pk=decision.pk).rules["households"] == HOUSEHOLDS


def test_correcting_an_old_villagers_decision_asks_for_its_form(people, login):
    decision = legacy_decision(people, attended=13)
    step = decision.steps.get(step=4)
    fields = {
        "version": step.version, "reason": "按签到表更正", "held_on": step.held_on, "attended": 14,
        "votes_for": 14, "minutes": step.minutes,
    }  # fmt: skip
    message = refused(services.decision_step_correct, actor=people.member_a, record=step, **fields)
    assert "请选择会议形式" in message
    services.decision_step_correct(
        actor=people.member_a, record=step, meeting_form=MeetingForm.REPRESENTATIVES, **fields
    )
    step.refresh_from_db()
    assert (step.meeting_form, step.roll, step.attended) == ("representatives", REPRESENTATIVES, 14)
    assert flags_of(decision) == {}
    page = login(people.member_a).get(reverse("villageaffairs:decision_detail", args=[decision.pk]))
    assert "· 会议形式未登记" in page.content.decode()  # the history says what it was


# --- the API ---------------------------------------------------------------------------------------
def api_step_4(client, decision, **fields):
    data = {"step": 4, "held_on": days_ago(2).isoformat(), "attended": 300, "votes_for": 280,
            "minutes": "村民会议（每户一名代表）表决通过。", **fields}  # fmt: skip
    return post(client, f"/api/village/decisions/{decision.pk}/steps", data)


def test_the_api_records_the_form_and_takes_its_roll(people, login):
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=3)
    response = api_step_4(login(people.member_a), decision, meeting_form="households")
    assert response.status_code == 201, response.content
    step = response.json()["step"]
    assert (step["meeting_form"], step["meeting_form_label"], step["roll"]) == (
        "households", "村民会议（户代表参加）", HOUSEHOLDS,
    )  # fmt: skip
    assert response.json()["flags"] == []


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({}, "请选择会议形式"),
        ({"meeting_form": "households", "roll": REPRESENTATIVES}, f"应为本村户数 {HOUSEHOLDS} 户"),
        ({"meeting_form": "villagers"}, "本村备案规则没有本村18周岁以上村民人数"),
    ],
    ids=["no form", "wrong roll", "no roll filed"],
)
def test_the_api_refuses_in_chinese_and_keeps_nothing(people, login, fields, said):
    file_rules(people.member_a, adult_villagers=0)
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=3)
    response = api_step_4(login(people.member_a), decision, **fields)
    assert response.status_code == 400
    assert said in response.json()["error"]["message"]
    assert nothing_kept_for_step_4()


def test_the_api_corrects_the_form(people, login):
    decision = villagers_meeting(people.member_a, MeetingForm.REPRESENTATIVES, attended=18)
    step = decision.steps.get(step=4)
    data = {"version": step.version, "reason": "实为户代表会议", "held_on": step.held_on.isoformat(),
            "meeting_form": "households", "attended": 18, "votes_for": 18, "minutes": step.minutes}  # fmt: skip
    response = post(login(people.member_a), f"/api/village/decisions/{decision.pk}/steps/4/correct", data)
    assert response.status_code == 200, response.content
    assert response.json()["step"]["roll"] == HOUSEHOLDS
    assert {f["key"] for f in response.json()["flags"]} == {"quorum:4"}


def test_the_rules_api_files_and_reads_the_rolls(people, login):
    client = login(people.member_a)
    data = {"version": 0, "large_amount": "50000", "party_members": 30, "adult_villagers": 980,
            "households": 320, "representatives": 25}  # fmt: skip
    response = post(client, "/api/village/rules", data)
    assert response.status_code == 200, response.content
    body = client.get(f"/api/village/rules/{people.member_a.org_unit_id}").json()
    assert (body["adult_villagers"], body["households"], body["representatives"]) == (980, 320, 25)


def test_outsiders_cannot_record_a_villagers_decision(people, login):
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=3)
    for persona in (people.township_a, people.township_b, people.outsider):
        client = login(persona)
        assert api_step_4(client, decision, meeting_form="households").status_code == 404
        url = reverse("villageaffairs:step_record", args=[decision.pk, 4])
        assert client.get(url).status_code == 404
        assert client.post(url, {"meeting_form": "households", "attended": "300"}).status_code == 404
    assert not DecisionStep.objects.filter(step=4).exists()


# --- the pages -----------------------------------------------------------------------------------------
def step_4_form(**fields) -> dict:
    return {"held_on": days_ago(2).isoformat(), "attended": "300", "votes_for": "280",
            "minutes": "村民会议表决通过。", **fields}  # fmt: skip


def test_the_step_page_offers_each_form_with_its_roll_and_quorum(people, login):
    file_rules(people.member_a, households=0)
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=3)
    page = login(people.member_a).get(reverse("villageaffairs:step_record", args=[decision.pk, 4]))
    html = page.content.decode()
    assert 'name="roll"' not in html  # the roll is the form's, not typed
    assert f"应到：本村18周岁以上村民 {ADULT_VILLAGERS} 人，须过半数（至少 601 人）到会" in html
    assert "本事项适用的备案规则没有本村户数，不能按此种会议计算到会比例" in html
    assert f"应到：组成人员 {REPRESENTATIVES} 人，须三分之二以上（至少 14 人）到会" in html


def test_the_step_page_asks_for_the_form_and_keeps_nothing_without_it(people, login):
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=3)
    url = reverse("villageaffairs:step_record", args=[decision.pk, 4])
    response = login(people.member_a).post(url, step_4_form())
    html = response.content.decode()
    assert "请选择实际召开的会议形式" in html and 'href="#id_meeting_form_0"' in html
    assert not DecisionStep.objects.filter(step=4).exists()


def test_the_step_page_refuses_a_form_without_a_roll_as_typed(people, login):
    file_rules(people.member_a, households=0)
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=3)
    url = reverse("villageaffairs:step_record", args=[decision.pk, 4])
    response = login(people.member_a).post(url, step_4_form(meeting_form="households"))
    html = response.content.decode()
    assert "本村备案规则没有本村户数" in html and checked(html, "households")  # kept as chosen
    assert not DecisionStep.objects.filter(step=4).exists()


def test_the_step_page_records_the_form_and_the_decision_shows_it(people, login):
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=3)
    client = login(people.member_a)
    url = reverse("villageaffairs:step_record", args=[decision.pk, 4])
    response = client.post(url, step_4_form(meeting_form="households"))
    assert response.status_code == 302
    step = decision.steps.get(step=4)
    assert (step.meeting_form, step.roll) == ("households", HOUSEHOLDS)
    html = client.get(response["Location"]).content.decode()
    assert "村民会议（户代表参加）" in html and f"应到 {HOUSEHOLDS} 户 · 到会户代表 300 人" in html
    correct = client.get(reverse("villageaffairs:step_correct", args=[decision.pk, 4])).content.decode()
    assert checked(correct, "households") and 'name="roll"' not in correct


def test_the_rules_page_files_the_rolls_and_the_township_reads_them(people, login):
    client = login(people.member_a)
    response = client.post(
        reverse("villageaffairs:rules_edit"),
        {"large_amount": "50000", "party_members": "30", "adult_villagers": "1186", "households": "",
         "representatives": "21", "minutes_late_days": "7", "version": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    rules = services.village_rules_for(people.member_a.org_unit)
    assert (rules.adult_villagers, rules.households, rules.representatives) == (1186, 0, 21)
    page = login(people.township_a).get(
        reverse("villageaffairs:rules_detail", args=[people.member_a.org_unit_id])
    )
    html = page.content.decode()
    assert "18周岁以上村民人数</dt><dd>1186" in html and "户数</dt><dd>未填报" in html
    assert "村民代表会议组成人员人数</dt><dd>21" in html


def test_only_the_villagers_decision_keeps_a_form(people):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, meeting_form="villagers")
    assert decision.steps.get(step=1).meeting_form == ""


def test_the_rules_page_shows_the_filed_rolls_so_that_filing_again_keeps_them(people, login):
    file_rules(people.member_a, households=0)
    html = login(people.member_a).get(reverse("villageaffairs:rules_edit")).content.decode()
    assert re.search(rf'name="adult_villagers" value="{ADULT_VILLAGERS}"', html)
    assert re.search(rf'name="representatives" value="{REPRESENTATIVES}"', html)
    assert not re.search(r'name="households" value=', html)  # not filed: left empty, as it was


def test_the_only_form_the_rules_have_a_roll_for_is_chosen_already(people, login):
    file_rules(people.member_a, adult_villagers=0, households=0)
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=3)
    html = login(people.member_a).get(reverse("villageaffairs:step_record", args=[decision.pk, 4])).content
    assert checked(html.decode(), "representatives")
    file_rules(people.member_a, adult_villagers=ADULT_VILLAGERS)  # several forms possible: none chosen
    other = register(people.member_a, "另一事项")
    walk(people.member_a, other, upto=3)
    html = login(people.member_a).get(reverse("villageaffairs:step_record", args=[other.pk, 4])).content
    assert not any(checked(html.decode(), form) for form in MeetingForm.values)
