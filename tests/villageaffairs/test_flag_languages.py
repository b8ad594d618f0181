"""Risk flags speak the reader's language on pages and in the API (titles, rules, findings, the
split-expense rule), while what is stored from them (the township's notice, a clue's facts, audit
summaries) is in the platform's language whatever the actor reads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from jijian.audit.models import AuditEvent
from jijian.core.models import Notification
from jijian.petitions.models import PetitionReport
from jijian.villageaffairs import reimbursements as r
from jijian.villageaffairs import services
from jijian.villageaffairs.models import Step
from jijian.villageaffairs.selectors import decision_flags_for
from tests.villageaffairs.helpers import days_ago, file_rules, names, png, record, register

pytestmark = pytest.mark.django_db

HANT = "zh-hant"


def quorum_short(member):
    """A party members' meeting with 19 of 30 members (quorum:3), its minutes typed 9 days late."""
    decision = register(member)
    record(member, decision, Step.PROPOSAL, held_on=days_ago(5))
    record(member, decision, Step.TWO_COMMITTEES, held_on=days_ago(4))
    record(
        member,
        decision,
        Step.PARTY_MEETING,
        held_on=days_ago(3),
        attended=19,
        attendees=names(19),
        votes_for=19,
        votes_against=0,
    )
    return decision


def traditional(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = HANT
    return client


def test_a_flag_is_computed_in_the_active_language(people):
    decision = quorum_short(people.member_a)
    (simplified,) = decision_flags_for(decision)
    with translation.override(HANT):
        (hant,) = decision_flags_for(decision)
    assert (simplified.title, hant.title) == ("到会人数不足", "到會人數不足")
    assert "三分之二以上党员到会" in simplified.rule and "三分之二以上黨員到會" in hant.rule
    assert "应到 30 人，实到 19 人" in simplified.finding
    assert "應到 30 人，實到 19 人" in hant.finding and "黨員大會" in hant.finding  # the step's name too
    assert hant.key == simplified.key  # an answer is kept by the key, whatever the language


def test_the_township_reads_the_flag_in_traditional_on_its_pages_and_in_the_api(people, login):
    decision = quorum_short(people.member_a)
    client = traditional(login(people.township_a))
    page = client.get(reverse("villageaffairs:decision_detail", args=[decision.pk])).content.decode()
    assert "到會人數不足" in page and "應到 30 人，實到 19 人" in page and "三分之二以上黨員到會" in page
    assert "到会人数不足" not in page
    board = client.get(reverse("villageaffairs:flag_board")).content.decode()
    assert "到會人數不足" in board and "會議記錄雷同" in board  # its flag and the rules listed below


def test_what_is_stored_from_a_flag_stays_in_the_platform_s_language(people):
    with translation.override(HANT):  # the member and the township both read Traditional
        decision = quorum_short(people.member_a)
        services.flag_open_clue(actor=people.township_a, decision=decision, flag_key="quorum:3")
    (notice,) = Notification.objects.filter(recipient=people.township_a)
    assert notice.title == "“三重一大”风险提示：神农村 到会人数不足"
    assert "应到 30 人，实到 19 人" in notice.body
    facts = PetitionReport.objects.get().facts
    assert "到会人数不足" in facts and "三分之二以上党员到会" in facts and "党员大会" in facts
    assert "黨" not in facts
    summary = AuditEvent.objects.get(action="decision_flag.clue").summary
    assert "到会人数不足" in summary


def test_the_split_expense_rule_is_read_in_traditional_and_kept_in_simplified(people, login):
    file_rules(people.member_a, large_amount=Decimal("50000"))
    for purpose, amount, days in (
        ("村道硬化材料（第一批）", "24000", 20),
        ("村道硬化材料（第二批）", "26000", 5),
    ):
        r.voucher_enter(
            actor=people.member_a, purpose=purpose, amount=Decimal(amount), spent_on=days_ago(days),
            handler_name="王经手", files=[png("receipt.png")],
        )  # fmt: skip
    board = traditional(login(people.township_a)).get(reverse("villageaffairs:flag_board")).content.decode()
    assert "可能以拆分報賬規避" in board and "可能以拆分报账规避" not in board
    (flag,) = r.split_expenses(people.township_a)
    with translation.override(HANT):
        services.split_flag_open_clue(
            actor=people.township_a, village=people.member_a.org_unit, flag_key=flag.key
        )
    facts = PetitionReport.objects.get().facts
    assert "可能以拆分报账规避" in facts and "報賬" not in facts
