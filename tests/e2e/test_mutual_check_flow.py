"""A mutual-check round in headless Chromium at office size (1366 px): 随县's 党风政风监督室 writes a
四问四看 checklist and opens a round in which 厉山镇 checks 高城镇; 厉山镇's committee scores the
items and records a finding with a photo and a rectification with a deadline; 高城镇's committee
reports what it did; 厉山镇 closes it (销号)."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.core.roles import Role
from jijian.evaluation.models import CheckPair, CheckRound, Rectification
from tests.conftest import make_user
from tests.e2e.helpers import live_server_screenshot_dir, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def staff(username, unit, role):
    user = make_user(username, unit, role)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def office(browser):
    return browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()


def photo(tmp_path):
    from PIL import Image

    path = tmp_path / "台账.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), "blue").save(buf, "JPEG")
    path.write_bytes(buf.getvalue())
    return path


def test_a_township_s_round_from_opening_to_a_closed_rectification(live_server, browser, tree, tmp_path):
    county = staff("county_office", tree.county, Role.CONDUCT_SUPERVISION)
    checker = staff("lishan", tree.township_a, Role.TOWNSHIP_COMMITTEE)
    checked = staff("gaocheng", tree.township_b, Role.TOWNSHIP_COMMITTEE)
    base = live_server.url
    shots = live_server_screenshot_dir()

    # 1. The county writes the checklist and opens the round: 厉山镇 checks 高城镇.
    page = office(browser)
    sign_in(page, base, county)
    page.goto(f"{base}/evaluation/checklists/new/")
    page.fill("#id_name", "四问四看清单")
    for i, (ask, look) in enumerate(
        [
            ("问责任是否压实", "看会议记录"),
            ("问监督是否到位", "看履职纪实"),
            ("问问题是否整改", "看整改台账"),
            ("问群众是否满意", "看回访记录"),
        ],
        start=1,
    ):
        page.fill(f"#id_i{i}_ask", ask)
        page.fill(f"#id_i{i}_look", look)
        page.fill(f"#id_i{i}_max", "25")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{base}/evaluation/rubrics/")
    page.goto(f"{base}/evaluation/rounds/new/")
    page.fill("#id_title", "第一轮互查")
    page.select_option("#id_rubric", label="四问四看清单（第1版）")
    page.get_by_role("button", name="启动").click()
    page.wait_for_url("**/evaluation/rounds/*/")
    page.select_option("#id_checker", label="厉山镇")
    page.select_option("#id_checked", label="高城镇")
    page.get_by_role("button", name="添加").click()
    page.wait_for_load_state()
    assert "已添加" in page.content()
    pair = CheckPair.objects.get()
    assert pair.round.rubric.name == "四问四看清单" and CheckRound.objects.get().state == "open"

    # 2. 厉山镇 scores, records a finding with a photo and asks for a rectification.
    lishan = office(browser)
    sign_in(lishan, base, checker)
    lishan.goto(f"{base}/evaluation/")
    lishan.get_by_role("link", name="第一轮互查：检查 高城镇").click()
    for code, score in (("q1", 22), ("q2", 20), ("q3", 15), ("q4", 23)):
        lishan.fill(f"#id_{code}", str(score))
    lishan.get_by_role("button", name="保存评分").click()
    lishan.wait_for_load_state()
    assert "80 / 100 分" in lishan.content()
    lishan.select_option("#id_item_code", label="问问题是否整改")
    lishan.fill("#id_description", "整改台账未注明时限")
    lishan.set_input_files("#id_photos", str(photo(tmp_path)))
    lishan.get_by_role("button", name="保存", exact=True).click()
    lishan.wait_for_load_state()
    assert lishan.locator(".photos img").count() == 1
    lishan.get_by_text("提出整改要求").click()
    lishan.locator("textarea[name=requirement]").fill("补齐整改时限和责任人")
    lishan.locator("input[name=deadline]").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    lishan.get_by_role("button", name="提出").click()
    lishan.wait_for_load_state()
    assert "整改中" in lishan.content()

    # 3. 高城镇 sees it among its open rectifications and reports what it did.
    gaocheng = office(browser)
    sign_in(gaocheng, base, checked)
    gaocheng.goto(f"{base}/evaluation/")
    gaocheng.get_by_role("link", name="补齐整改时限和责任人").click()
    gaocheng.locator("textarea[name=report]").fill("已逐项补齐时限和责任人")
    gaocheng.get_by_role("button", name="报送整改情况").click()
    gaocheng.wait_for_load_state()
    assert "已报整改" in gaocheng.content()
    assert gaocheng.get_by_role("button", name="销号").count() == 0  # the checked unit does not close its own

    # 4. 厉山镇 closes it.
    lishan.reload()
    lishan.get_by_role("button", name="销号").click()
    lishan.wait_for_load_state()
    assert "已销号" in lishan.content()
    lishan.screenshot(path=str(shots / "mutual-check-closed.png"), full_page=True)
    rect = Rectification.objects.get()
    assert rect.state == Rectification.State.CLOSED and rect.closed_by == checker


def test_enter_in_the_return_reason_returns_the_rectification_rather_than_closing_it(
    live_server, browser, tree, people
):
    from jijian.evaluation import services
    from tests.evaluation.factories import finding_with_rectification

    TOTPDevice.objects.create(user=people.township_a, name="phone", confirmed=True)
    pair, _finding, rect = finding_with_rectification(tree, people)
    rect = services.rectification_report(
        actor=people.township_b, rectification=rect, report="已补齐会议记录", version=rect.version
    )
    page = office(browser)
    sign_in(page, live_server.url, people.township_a)
    page.goto(f"{live_server.url}/evaluation/checks/{pair.pk}/")
    page.fill(f"#reason-{rect.pk}", "缺少签到表")
    page.press(f"#reason-{rect.pk}", "Enter")
    page.wait_for_load_state()
    assert "已退回" in page.content()
    rect.refresh_from_db()
    assert rect.state == Rectification.State.OPEN and rect.return_reason == "缺少签到表"


def test_a_requirement_without_its_deadline_comes_back_open_with_what_was_typed(
    live_server, browser, tree, people
):
    from jijian.evaluation import services
    from tests.evaluation.factories import round_with_pair

    TOTPDevice.objects.create(user=people.township_a, name="phone", confirmed=True)
    _round, pair = round_with_pair(tree, people)
    finding = services.finding_add(
        actor=people.township_a, pair=pair, item_code="q1", description="会议记录不全"
    )
    page = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN").new_page()
    sign_in(page, live_server.url, people.township_a)
    page.goto(f"{live_server.url}/evaluation/checks/{pair.pk}/")
    page.get_by_text("提出整改要求").click()
    page.fill(f"#req-{finding.pk}", "补齐会议记录并注明责任人")
    page.get_by_role("button", name="提出").click()
    page.wait_for_load_state()
    assert "整改期限" in page.inner_text("#error-summary") and not Rectification.objects.exists()
    assert page.locator(f"#finding-{finding.pk} details").evaluate("d => d.open")
    assert page.input_value("#id_requirement") == "补齐会议记录并注明责任人"
    page.locator("#error-summary a").click()  # the summary's link leads to the field
    page.fill("#id_deadline", (timezone.localdate() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="提出").click()
    page.wait_for_load_state()
    assert Rectification.objects.get().requirement == "补齐会议记录并注明责任人"
