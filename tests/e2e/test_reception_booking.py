"""The public booking form on a phone, with and without JavaScript: 获取验证码 sends the code, and
Enter in the code field (the keyboard's 前往) books. Before, Enter pressed the form's first button,
获取验证码, and sent another code instead of booking."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from jijian.core.notify_backends import LogBackend
from jijian.reception.models import VideoReception
from tests.reception.helpers import petitioner, schedule

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_enter_in_the_code_field_books(live_server, browser, tree, javascript):
    sch = schedule(tree.city, weekday=1)
    day = date.today() + timedelta(days=1)
    while day.weekday() != 1:
        day += timedelta(days=1)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/reception/public/")
    # The level first (其他或不清楚: every office's slots); without JavaScript 列出可约场次 lists them.
    page.select_option("#id_accused_level", "other")
    if not javascript:
        page.click("button:has-text('列出可约场次')")
    page.select_option("#id_slot", f"{sch.pk}|{day:%Y-%m-%d}")
    for name, value in petitioner(7).items():
        page.fill(f"#id_{name}", value)
    LogBackend.outbox.clear()
    page.click("button:has-text('获取验证码')")
    page.wait_for_selector("#code-sent >> text=验证码已发送")
    assert len(LogBackend.outbox) == 1
    code = re.search(r"\d{6}", LogBackend.outbox[-1]["text"])[0]
    page.fill("#id_sms_code", code)
    page.press("#id_sms_code", "Enter")
    page.wait_for_selector("#booking-code")
    assert len(LogBackend.outbox) == 1  # no second code was sent
    assert VideoReception.objects.get().petitioner_phone == petitioner(7)["petitioner_phone"]
