"""Integrity opinion reply in headless Chromium at phone size: the county's organisation department
asks about three names, the cadre supervision office drafts the verdicts from the archives, 信访室,
案件监督管理室 and 审理室 endorse them, the leader signs, and the department downloads the reply letter — its text (pdftotext) holds each name
and verdict."""

import subprocess

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.archives import services
from jijian.archives.models import OpinionRequest
from jijian.core.roles import Role
from tests.archives.helpers import idn, make_archive
from tests.conftest import make_user
from tests.e2e.helpers import new_page, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def staff(username, unit, role):
    user = make_user(username, unit, role)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def test_three_names_asked_drafted_signed_and_the_reply_downloaded(live_server, browser, tree, tmp_path):
    org = staff("zzb_county", tree.county, Role.ORG_DEPARTMENT)
    keeper = staff("gj_county", tree.county, Role.CADRE_SUPERVISION)
    leader = staff("ld_county", tree.county, Role.COMMISSION_LEADER)
    liu = make_archive(keeper, tree.township_a, name="刘某", id_number=idn(1), level="section")
    services.sanction_add(
        actor=keeper, archive=liu, kind="public_demerit", decided_on=timezone.localdate(), source="审理室"
    )
    make_archive(keeper, tree.township_a, name="张某", id_number=idn(2), level="staff")
    base = live_server.url

    # 1. The organisation department asks about three names (the third has no archive).
    desk = new_page(browser)
    sign_in(desk, base, org)
    desk.goto(f"{base}/archives/opinions/")
    desk.click("text=征求意见")
    desk.fill("#id_ref_no", "随组函〔2026〕12号")
    desk.select_option("#id_purpose", "promotion")
    desk.fill("#id_persons", f"刘某 {idn(1)} 厉山镇副镇长\n张某 {idn(2)}\n赵某")
    desk.click("main form button.primary")
    desk.wait_for_selector("#opinion-state")
    request = OpinionRequest.objects.get()
    assert "待答复" in desk.inner_text("#opinion-state")

    # 2. The cadre supervision office drafts the reply from the archives.
    office = new_page(browser)
    sign_in(office, base, keeper)
    office.goto(f"{base}/archives/opinions/{request.pk}/")
    office.get_by_role("button", name="拟定答复意见").click()
    office.wait_for_selector("text=待审签")
    text = office.inner_text("main")
    assert "处分影响期内，不同意" in text and "无影响" in text and "未建立廉情档案" in text

    # 3. The three offices endorse.
    for username, role, label in (
        ("xf_county", Role.PETITION_OFFICE, "信访室"),
        ("ag_county", Role.CASE_MANAGEMENT, "案件监督管理室"),
        ("sl_county", Role.CASE_REVIEW, "审理室"),
    ):
        page = new_page(browser)
        sign_in(page, base, staff(username, tree.county, role))
        page.goto(f"{base}/archives/opinions/{request.pk}/")
        page.get_by_role("button", name=f"以{label}名义会签").click()
        page.wait_for_selector("text=已会签")
        page.context.close()

    # 4. The leader signs.
    head = new_page(browser)
    sign_in(head, base, leader)
    head.goto(f"{base}/archives/opinions/{request.pk}/")
    head.get_by_role("button", name="审签").click()
    head.wait_for_selector("#reply-pdf")

    # 5. The department downloads the reply letter.
    desk.goto(f"{base}/archives/opinions/{request.pk}/")
    with desk.expect_download() as download:
        desk.click("#reply-pdf")
    path = tmp_path / "reply.pdf"
    download.value.save_as(path)
    flat = "".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    for words in ("刘某", "张某", "赵某", "处分影响期内，不同意", "无影响", "未建立廉情档案"):
        assert words in flat, words

    # 6. The same letter as a Word document in official document layout (GB/T 9704).
    from docx import Document

    with desk.expect_download() as download:
        desk.click("#reply-docx")
    path = tmp_path / "reply.docx"
    download.value.save_as(path)
    doc = Document(str(path))
    cells = "".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    for words in ("刘某", "张某", "赵某", "处分影响期内，不同意", "无影响", "未建立廉情档案"):
        assert words in cells, words
    assert any(p.text.startswith("复") and request.ref_no in p.text for p in doc.paragraphs)
