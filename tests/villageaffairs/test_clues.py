"""The township opens a problem clue from a risk flag through the petitions register (one call to the
core.links.petition_register port, which petitions provides), and the flag then shows the register
number; a flag is handled once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.petitions.models import PetitionReport
from jijian.villageaffairs import services
from jijian.villageaffairs.models import FlagAnswer, Step
from jijian.villageaffairs.selectors import flag_rows
from tests.villageaffairs.helpers import days_ago, record, register

pytestmark = pytest.mark.django_db


def flagged(people):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(9))  # late:1
    return decision


def test_opening_a_clue_registers_a_report_and_the_flag_shows_its_number(people):
    decision = flagged(people)
    row = services.flag_open_clue(
        actor=people.township_a, decision=decision, flag_key="late:1", facts="村支书拖延补录"
    )
    report = PetitionReport.objects.get()
    assert row.clue_serial == report.serial_number != ""
    assert report.region_id == decision.village_id
    assert report.channel == "supervision"  # found in supervision, not received as a letter
    assert (
        "会议记录迟录" in report.facts and decision.title in report.facts and "村支书拖延补录" in report.facts
    )
    assert report.received_by == people.township_a
    (flag,) = flag_rows([decision])[decision.pk]
    assert flag.answer.clue_serial == report.serial_number
    assert AuditEvent.objects.filter(action="decision_flag.clue").count() == 1
    assert AuditEvent.objects.filter(action="petition.register").count() == 1


def test_opening_twice_or_answering_after_is_refused_and_nothing_more_is_registered(people):
    decision = flagged(people)
    services.flag_open_clue(actor=people.township_a, decision=decision, flag_key="late:1")
    with pytest.raises(ValidationError) as info:
        services.flag_open_clue(actor=people.township_a, decision=decision, flag_key="late:1")
    assert "已经处理过了" in info.value.messages[0]
    with pytest.raises(ValidationError):
        services.flag_answer(actor=people.township_a, decision=decision, flag_key="late:1", answer="已提醒")
    assert PetitionReport.objects.count() == 1
    assert FlagAnswer.objects.count() == 1


def test_a_flag_that_is_not_current_opens_nothing(people):
    decision = flagged(people)
    with pytest.raises(ValidationError):
        services.flag_open_clue(actor=people.township_a, decision=decision, flag_key="quorum:3")
    assert not PetitionReport.objects.exists()


def test_only_the_township_committee_opens_a_clue(people):
    decision = flagged(people)
    for actor in (people.member_a, people.county_officer):
        with pytest.raises(PermissionDenied):
            services.flag_open_clue(actor=actor, decision=decision, flag_key="late:1")
    assert not PetitionReport.objects.exists()


def test_the_page_opens_the_clue_and_shows_the_number(login, people):
    decision = flagged(people)
    client = login(people.township_a)
    page = client.get(reverse("villageaffairs:decision_detail", args=[decision.pk]))
    assert "转为问题线索" in page.content.decode()
    response = client.post(
        reverse("villageaffairs:flag_clue", args=[decision.pk]), {"flag_key": "late:1"}, follow=True
    )
    serial = PetitionReport.objects.get().serial_number
    html = response.content.decode()
    assert f'已转为问题线索，登记编号 <strong class="clue-serial">{serial}</strong>' in html
    client.post(reverse("villageaffairs:flag_clue", args=[decision.pk]), {"flag_key": "late:1"})
    assert PetitionReport.objects.count() == 1
