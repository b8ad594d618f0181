"""三重一大 in headless Chromium at 360 px (the village member's phone): the member files the village's
rules, registers a decision and follows it through the six steps of 四议两公开 with the notice-board
photos; the party members' meeting is short of its quorum and raises a flag; the township committee
sees it on its risk board with its rule and answers it; the member's monthly report counts the six
steps attended."""

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.reports.models import MonthlyReport
from jijian.reports.services import month_start, monthly_reports_open
from jijian.villageaffairs.models import DecisionStep, FlagAnswer, MajorDecision
from tests.e2e.helpers import new_page, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def photo(tmp_path, name):
    from PIL import Image

    path = tmp_path / name
    Image.new("RGB", (320, 240), (200, 40, 40)).save(path, format="PNG")
    return str(path)


def test_a_decision_through_six_steps_a_short_quorum_flagged_answered_and_counted(
    live_server, browser, tree, people, tmp_path
):
    TOTPDevice.objects.create(user=people.township_a, name="phone", confirmed=True)
    today = timezone.localdate()
    monthly_reports_open(month=month_start(today))
    base = live_server.url
    member = new_page(browser)
    sign_in(member, base, people.member_a)

    # The village's rules first: without them no decision can be registered.
    member.goto(f"{base}/village/")
    member.click("text=填报本村“三重一大”规则")
    member.fill("#id_large_amount", "50000")
    member.fill("#id_party_members", "30")
    member.fill("#id_representatives", "21")
    member.click("main button.primary")
    member.wait_for_url(f"{base}/village/")
    member.click("text=登记新事项")
    member.select_option("#id_category", "large_fund")
    member.fill("#id_title", "村组道路硬化资金使用")
    member.fill("#id_amount", "260000")
    member.click("main button.primary")
    member.wait_for_url("**/village/decisions/*/")
    decision = MajorDecision.objects.get()

    meetings = {
        1: {"roll": 7, "attended": 7, "votes_for": 7},
        2: {"roll": 7, "attended": 7, "votes_for": 7},
        3: {"attended": 17, "votes_for": 16, "votes_against": 1},  # the roll (30) is proposed
        4: {"attended": 18, "votes_for": 17},
    }
    for step in range(1, 7):
        member.click(f"#step-{step} >> text=登记本环节")
        member.wait_for_url(f"**/steps/{step}/")
        member.fill("#id_held_on", today.isoformat())
        for name, value in meetings.get(step, {}).items():
            member.fill(f"#id_{name}", str(value))
        member.fill("#id_minutes", f"第{step}步：村组道路硬化资金使用方案，记录第{step}次。")
        if step >= 5:
            member.set_input_files("#id_uploads", photo(tmp_path, f"board{step}.png"))
        member.check("#id_member_present")
        member.fill("#id_member_opinion", "到会不足三分之二，建议重开" if step == 3 else "程序规范")
        member.click("main button.primary")
        member.wait_for_url(f"**/village/decisions/{decision.pk}/")
        assert "已自动计入本月履职纪实" in member.inner_text("main")
    assert DecisionStep.objects.filter(decision=decision).count() == 6
    flag = member.locator("#step-3 .flag")
    assert "到会人数不足" in flag.inner_text() and "应到 30 人，实到 17 人" in flag.inner_text()

    # The township sees the flag with its rule on its board and answers it.
    township = new_page(browser)
    sign_in(township, base, people.township_a)
    township.goto(f"{base}/village/risks/")
    board = township.inner_text("main")
    assert "到会人数不足" in board and "规则：党员大会须有三分之二以上党员到会" in board
    township.click("text=村组道路硬化资金使用")
    township.fill("#step-3 textarea[name=answer]", "已约谈村支书，责令补开党员大会")
    township.click("#step-3 >> text=提交处理意见")
    township.wait_for_load_state()
    assert "已处理该风险提示" in township.inner_text("main")
    assert FlagAnswer.objects.get().flag_key == "quorum:3"
    township.goto(f"{base}/village/risks/")
    assert "共 0 条" in township.inner_text("main")

    # The month's report counts the six steps the member attended.
    report = MonthlyReport.objects.get(village=tree.village_a, month=month_start(today))
    member.goto(f"{base}/reports/{report.pk}/")
    assert "纪实 6 条" in member.inner_text("#log-decision_meeting")
