"""The public pages walked as a petitioner on a cheap phone would (360 px, with and without
JavaScript), with the mistakes people make: a mistyped phone number on the booking form, looking the
booking up again right after confirming the minutes, and a follow-up lookup while the receipt brake is
on in a browser without JavaScript."""

from __future__ import annotations

import pytest

from jijian.core.notify_backends import LogBackend
from jijian.petitions.intake import receipt, throttle
from jijian.petitions.models import PetitionReport
from jijian.reception import services
from jijian.reception.models import ReceptionState
from tests.reception.helpers import reception

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BOTH = pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])


def phone(browser, javascript: bool):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", java_script_enabled=javascript
    )
    return context.new_page()


@BOTH
def test_a_mistyped_phone_number_is_named_when_the_code_is_asked_for(live_server, browser, tree, javascript):
    """Before, with JavaScript the refusal came back as a 400 that htmx does not swap in: the
    petitioner saw the alert 请求失败，请稍后重试 and never learnt the number was one digit short."""
    page = phone(browser, javascript)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server.url}/reception/public/")
    page.fill("#id_petitioner_name", "张三")
    page.fill("#id_petitioner_phone", "1390722123")  # ten digits
    LogBackend.outbox.clear()
    page.click("button:has-text('获取验证码')")
    page.wait_for_selector("#code-sent >> text=手机号码应为11位")
    assert dialogs == [] and LogBackend.outbox == []
    assert page.input_value("#id_petitioner_name") == "张三"  # nothing typed is lost
    page.fill("#id_petitioner_phone", "13907221234")
    page.click("button:has-text('获取验证码')")
    page.wait_for_selector("#code-sent >> text=验证码已发送")
    assert len(LogBackend.outbox) == 1


@BOTH
def test_the_booking_is_looked_up_again_after_the_minutes_are_confirmed(
    live_server, browser, tree, people, javascript
):
    """The confirmation page is rendered at /reception/public/confirm/. Before, its lookup form had no
    action and posted the booking code there: the right code was answered with 预约查询码不正确."""
    r = reception(
        tree.city, township=tree.township_a, booked_by=people.township_a, state=ReceptionState.ENDED
    )
    r.code_hash = services.booking_code_hash("CAFE123456")
    r.save(update_fields=["code_hash"])
    services.minutes_save(
        actor=people.city_petition,
        reception=r,
        text="接访时间：今日上午。信访人反映村集体土地补偿款发放不公开，请求核查。接访人员答复：依规受理。",
        version=None,
    )
    page = phone(browser, javascript)
    page.goto(f"{live_server.url}/reception/public/status/")
    page.fill("#id_code", "CAFE123456")
    page.press("#id_code", "Enter")
    page.click("button:has-text('确认笔录无误')")
    page.wait_for_selector("#confirmed")
    page.fill("#id_code", "CAFE123456")
    page.press("#id_code", "Enter")
    page.wait_for_selector("#state")
    assert "预约查询码不正确" not in page.inner_text("main")
    assert page.inner_text("#state") == "已结束"


def test_under_the_brake_a_phone_without_javascript_is_told_what_to_do(live_server, browser, tree, settings):
    """While the brake is on the lookup needs the browser's proof of work. Without JavaScript the page
    said only 完成后将自动查询，请勿关闭页面 and nothing ever happened; now it says JavaScript is needed
    or to try again later."""
    settings.PETITION_FOLLOW_FAILS_PER_MINUTE = 3
    settings.PETITION_RECEIPT_ARGON2 = (1, 1024, 1)
    code = receipt.new_code()
    unit = tree.township_a
    PetitionReport.objects.create(
        category="accusation",
        region=unit,
        facts="查询码查询",
        holder=unit,
        received_unit=unit,
        serial_number="XF-E2E-WALK",
        receipt_hash=receipt.receipt_hash(code),
    )
    for _ in range(6):  # wrong guesses elsewhere: the brake is on
        throttle.reserve()
    page = phone(browser, javascript=False)
    page.goto(f"{live_server.url}/report/follow/")
    page.fill("#id_code", receipt.display(code))
    page.press("#id_code", "Enter")
    page.wait_for_selector("#follow-busy")
    assert "开启 JavaScript" in page.inner_text("main")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_report_forms_check_is_shown_only_where_it_runs(live_server, browser, tree, javascript):
    """Without JavaScript no check runs: the form says so (<noscript>) and shows no empty progress
    bar claiming 正在进行防刷验证…可继续填写; with it, the progress is shown."""
    page = phone(browser, javascript=javascript)
    page.goto(f"{live_server.url}/report/new/")
    if javascript:
        page.wait_for_selector("#pow-box", state="visible")
    else:
        assert not page.is_visible("#pow-box") and not page.is_visible("#pow-progress")
        assert "本页需要启用 JavaScript" in page.inner_text("main")
