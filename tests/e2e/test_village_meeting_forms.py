"""The villagers' decision in headless Chromium, at 360 px (the member's phone) and 1366 px: the member
files the village's rolls, chooses the form the meeting was held in — each offered with its roll and
quorum, the one without a filed roll refused as typed — and the decision shows the form, its roll and
the quorum flag with the rule of that form."""

import pytest

from jijian.villageaffairs.models import DecisionStep
from jijian.villageaffairs.services import village_rules_for
from tests.e2e.helpers import desktop, new_page, shot, sign_in
from tests.villageaffairs.helpers import days_ago, register, walk

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_member_chooses_the_meeting_form_and_its_roll_follows(live_server, browser, people):
    base = live_server.url
    member = new_page(browser)
    sign_in(member, base, people.member_a)

    # The rolls, on the rules page: adult villagers and the representatives' meeting, no households.
    member.goto(f"{base}/village/rules/")
    member.fill("#id_large_amount", "50000")
    member.fill("#id_party_members", "30")
    member.fill("#id_adult_villagers", "1186")
    member.fill("#id_representatives", "21")
    member.click("main button.primary")
    member.wait_for_url(f"{base}/village/")
    rules = village_rules_for(people.member_a.org_unit)
    assert (rules.adult_villagers, rules.households, rules.representatives) == (1186, 0, 21)

    decision = register(people.member_a, "村规民约修订")
    walk(people.member_a, decision, upto=3)
    member.goto(f"{base}/village/decisions/{decision.pk}/")
    member.click("#step-4 >> text=登记本环节")
    member.wait_for_url("**/steps/4/")
    choices = member.inner_text("#meeting-forms")
    assert "应到：本村18周岁以上村民 1186 人，须过半数（至少 594 人）到会" in choices
    assert "本事项适用的备案规则没有本村户数" in choices
    assert member.locator("#id_roll").count() == 0
    assert member.evaluate("document.documentElement.scrollWidth") <= 360
    shot(member, "village-meeting-forms-phone.png")

    # Nothing chosen, then the form without a roll: refused, nothing kept, what was typed stays.
    member.fill("#id_held_on", days_ago(2).isoformat())
    member.fill("#id_attended", "540")
    member.fill("#id_votes_for", "498")
    member.fill("#id_minutes", "村民会议表决村规民约（修订稿），到会村民540人。")
    member.click("main button.primary")
    member.wait_for_selector("#error-summary")
    assert "请选择实际召开的会议形式" in member.inner_text("#error-summary")
    member.click("#error-summary a")  # the summary's link reaches the first option
    assert member.evaluate("document.activeElement.id") == "id_meeting_form_0"
    member.check("#id_meeting_form_1")  # 户代表: no roll filed
    member.click("main button.primary")
    member.wait_for_selector("#error-summary")
    assert "本村备案规则没有本村户数" in member.inner_text("#error-summary")
    assert member.input_value("#id_attended") == "540"
    assert not DecisionStep.objects.filter(step=4).exists()

    member.check("#id_meeting_form_0")  # 村民会议 of the villagers
    member.click("main button.primary")
    # (the fragment the summary's link added stays through the redirect)
    member.wait_for_url(f"**/village/decisions/{decision.pk}/*")
    step = member.inner_text("#step-4")
    assert "村民会议（18周岁以上村民参加）" in step and "应到 1186 人 · 实到 540 人" in step
    flag = member.inner_text("#step-4 .flag")
    assert "到会人数不足" in flag and "未过半数（至少 594 人）" in flag
    assert "十八周岁以上村民的过半数" in flag
    assert member.evaluate("document.documentElement.scrollWidth") <= 360
    assert DecisionStep.objects.get(step=4).roll == 1186

    # The same form on a wide screen: the options one under the other, nothing cut.
    wide = desktop(browser)
    sign_in(wide, base, people.member_a)
    other = register(people.member_a, "集体土地发包")
    walk(people.member_a, other, upto=3)
    wide.goto(f"{base}/village/decisions/{other.pk}/steps/4/")
    boxes = [wide.locator(f"label[for=id_meeting_form_{i}]").bounding_box() for i in range(3)]
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    assert wide.evaluate("document.documentElement.scrollWidth") <= 1366
    shot(wide, "village-meeting-forms-wide.png")
