"""A report from the public, end to end in headless Chromium: an anonymous reporter on a phone sends a
report with a photo and gets a receipt code; the county petition office routes it (accepted at this
level); the case management office registers it as a clue and proposes closing it with a talk
reminder (第一种形态); a commission leader approves and signs; the petition office files the 办结
report, the leader approves it, and the office writes to the reporter; the reporter, with nothing but the receipt code, sees the status and the
message."""

import io
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from jijian.core.roles import Role
from jijian.petitions.models import Clue, ClueState, PetitionReport, PetitionState
from tests.conftest import make_user
from tests.e2e.helpers import new_page, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def photo_bytes() -> bytes:
    image = Image.new("RGB", (64, 48), (180, 40, 40))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def staff(username, unit, role):
    user = make_user(username, unit, role)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def test_anonymous_report_to_clue_disposal_and_back_to_the_reporter(live_server, browser, tree, settings):
    settings.PETITION_POW_BITS = 8
    settings.PETITION_RECEIPT_ARGON2 = (1, 1024, 1)
    petition_officer = staff("xf_county", tree.county, Role.PETITION_OFFICE)
    case_manager = staff("ag_county", tree.county, Role.CASE_MANAGEMENT)
    leader = staff("ld_county", tree.county, Role.COMMISSION_LEADER)
    base = live_server.url

    # 1. The reporter, anonymous, on a phone.
    phone = new_page(browser)
    phone.goto(f"{base}/report/new/")
    phone.select_option("#id_category", "accusation")
    phone.select_option("#id_region", str(tree.township_a.pk))
    phone.select_option("#id_matter", "integrity")
    phone.fill("#id_facts", "厉山镇某站站长王某在农机补贴申报中虚报冒领，涉及十余户农户。")
    phone.fill("#id_accused_name", "王某")
    phone.fill("#id_accused_unit", "厉山镇农机站")
    phone.fill("#id_accused_post", "站长")
    phone.set_input_files(
        "#id_evidence", files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    phone.wait_for_function("() => document.getElementById('pow-nonce').value !== ''")
    phone.click("#petition-submit")
    phone.wait_for_selector("#receipt-code")
    code = re.sub(r"\s", "", phone.inner_text("#receipt-code"))
    assert re.fullmatch(r"\d{20}", code)
    assert code not in phone.url
    report = PetitionReport.objects.get()
    assert report.is_anonymous and report.holder == tree.county
    assert code not in "".join(c["value"] for c in phone.context.cookies())

    # 2. The county petition office routes it: a township-level official, managed by the county.
    office = new_page(browser)
    sign_in(office, base, petition_officer)
    office.goto(f"{base}/petitions/")
    office.click(f"text={report.serial_number}")
    office.wait_for_url(f"**/petitions/{report.pk}/")
    assert "现场" in office.inner_text("main") or "jpg" in office.inner_text("main").lower()
    route = office.locator(f"form[action='/petitions/{report.pk}/route/']")
    route.locator("xpath=ancestor::details").evaluate("d => d.open = true")
    route.locator("[name=managing]").select_option(str(tree.county.pk))
    route.locator("[name=note]").fill("属本级管理干部，由本级办理。")
    route.get_by_role("button", name="分流").click()  # the form also holds the search box's 查找
    office.wait_for_load_state()
    report.refresh_from_db()
    assert report.state == PetitionState.ACCEPTED

    # 3. 案管室 registers the clue and proposes closing it with a talk reminder.
    cm = new_page(browser)
    sign_in(cm, base, case_manager)
    cm.goto(f"{base}/petitions/clues/from-report/{report.pk}/")
    cm.check("[name=endorse]")
    cm.click("form.clue-form button[type=submit]")
    cm.wait_for_load_state()
    clue = Clue.objects.get()
    assert clue.report_id == report.pk and clue.state == ClueState.REGISTERED
    cm.goto(f"{base}/petitions/clues/{clue.pk}/")
    propose = cm.locator(f"form[action='/petitions/clues/{clue.pk}/propose/']")
    propose.locator("[name=disposal]").select_option("close")
    propose.locator("[name=sanction]").select_option("talk_reminder")
    propose.locator("[name=note]").fill("经了解情节轻微，已退还补贴，建议谈话提醒后予以了结。")
    propose.locator("[name=endorse]").check()
    propose.locator("button[type=submit]").click()
    cm.wait_for_load_state()
    clue.refresh_from_db()
    assert clue.state == ClueState.PENDING_APPROVAL

    # 4. A commission leader approves and signs.
    boss = new_page(browser)
    sign_in(boss, base, leader)
    boss.goto(f"{base}/petitions/clues/{clue.pk}/")
    approve = boss.locator(f"form[action='/petitions/clues/{clue.pk}/approve/']")
    approve.locator("[name=endorse]").check()
    approve.locator("button[type=submit]").click()
    boss.wait_for_load_state()
    clue.refresh_from_db()
    assert clue.state == ClueState.CLOSED and clue.outcome_form == "form_1"
    assert [s.action for s in clue.steps.all()] == ["register", "propose", "approve"]

    # 5. The petition office files the 办结 report, the leader approves it, the office writes to
    # the reporter.
    office.goto(f"{base}/petitions/{report.pk}/")
    close = office.locator(f"form[action='/petitions/{report.pk}/close/']")
    close.locator("xpath=ancestor::details").evaluate("d => d.open = true")
    close.locator("[name=result]").fill("经核查，反映问题部分属实，已对王某谈话提醒。")
    close.locator("button[type=submit]").click()
    office.wait_for_load_state()
    report.refresh_from_db()
    assert report.state == PetitionState.ACCEPTED
    approval = report.approvals.get()
    boss.goto(f"{base}/petitions/{report.pk}/")
    decide = boss.locator(f"form[action='/petitions/{report.pk}/approvals/{approval.pk}/']")
    decide.locator("[name=decision][value=approve]").check()
    decide.locator("button[type=submit]").click()
    boss.wait_for_load_state()
    report.refresh_from_db()
    assert report.state == PetitionState.CLOSED
    office.goto(f"{base}/petitions/{report.pk}/")
    message = office.locator(f"form[action='/petitions/{report.pk}/message/']")
    message.locator("[name=body]").fill("您反映的问题已核查办结，感谢您对纪检监察工作的支持。")
    message.locator("button[type=submit]").click()
    office.wait_for_load_state()
    assert report.messages.count() == 1

    # 6. The reporter comes back with the receipt code only.
    phone.goto(f"{base}/report/follow/")
    phone.wait_for_function("() => document.querySelector('[name=code]') !== null")
    phone.fill("[name=code]", code)
    phone.click("main button[type=submit]")
    phone.wait_for_selector("#petition-state")
    assert "已办结" in phone.inner_text("#petition-state")
    assert "已核查办结" in phone.inner_text("#petition-messages")
    assert code not in phone.url
    for page in (office, cm, boss):
        page.context.close()
    phone.context.close()
