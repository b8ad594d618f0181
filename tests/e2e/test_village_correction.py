"""At 360 px: the member corrects a step recorded with the wrong attendance (the quorum flag goes, the
old values stay as history), and the township committee turns a late-minutes flag into a problem clue
whose register number the flag then shows."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.petitions.models import PetitionReport
from jijian.villageaffairs.models import Step
from tests.e2e.helpers import new_page, sign_in
from tests.villageaffairs.helpers import days_ago, names, record, register

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_step_corrected_and_a_flag_opened_as_a_clue(live_server, browser, tree, people):
    TOTPDevice.objects.create(user=people.township_a, name="phone", confirmed=True)
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(12))  # late:1
    record(people.member_a, decision, Step.TWO_COMMITTEES, held_on=days_ago(4))
    record(
        people.member_a, decision, Step.PARTY_MEETING, held_on=days_ago(3), attended=15, attendees=names(15),
        votes_for=14, votes_against=1,
    )  # fmt: skip
    base = live_server.url
    member = new_page(browser)
    sign_in(member, base, people.member_a)
    member.goto(f"{base}/village/decisions/{decision.pk}/")
    assert member.locator("#step-3 .flag").count() == 2  # quorum and votes
    member.click("#step-3 >> text=更正本环节")
    member.wait_for_url("**/steps/3/correct/")
    member.fill("#id_attended", "25")
    member.fill("#id_attendees", names(25))
    member.fill("#id_votes_for", "24")
    member.fill("#id_reason", "按签到表更正实到人数")
    member.click("main button.primary")
    member.wait_for_url(f"**/village/decisions/{decision.pk}/*")
    assert member.locator("#step-3 .flag").count() == 0
    member.click("#step-3 >> text=更正记录（1 次）")
    assert "实到 15 人" in member.inner_text("#step-3 details.corrections")
    assert member.evaluate("document.documentElement.scrollWidth") <= 360

    township = new_page(browser)
    sign_in(township, base, people.township_a)
    township.goto(f"{base}/village/decisions/{decision.pk}/")
    township.click("#flag-late1 >> text=转为问题线索")
    township.wait_for_selector("#flag-late1 .clue-serial")
    serial = PetitionReport.objects.get().serial_number
    assert township.inner_text("#flag-late1 .clue-serial") == serial
    assert township.locator("#flag-late1 button").count() == 0  # handled: no answer or clue form
    assert township.evaluate("document.documentElement.scrollWidth") <= 360
