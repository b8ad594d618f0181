"""Integrity archives in headless Chromium at phone size: the county's cadre supervision office creates
the archive of a village cadre (the village found with the unit search, HTMX); the county petition
office registers a letter about him and links the archive offered on the report page; the county's
organisation department opens the archive with a reason and sees the linked report, never the
reporter."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.archives.models import IntegrityArchive
from jijian.audit.models import AuditEvent
from jijian.core.roles import Role
from tests.conftest import make_user
from tests.e2e.helpers import new_page, sign_in
from tests.petitions.triage_helpers import register

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def staff(username, unit, role):
    user = make_user(username, unit, role)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def test_an_archive_created_linked_to_a_report_and_opened_with_a_reason(live_server, browser, tree):
    keeper = staff("gj_county", tree.county, Role.CADRE_SUPERVISION)
    petition_officer = staff("xf_county", tree.county, Role.PETITION_OFFICE)
    reader = staff("sl_county", tree.county, Role.CASE_REVIEW)
    base = live_server.url

    # 1. The keeper creates the archive; the village is not in the select until searched for.
    page = new_page(browser)
    sign_in(page, base, keeper)
    page.goto(f"{base}/archives/new/")
    village = str(tree.village_a.pk)
    assert page.locator(f"#id_org_unit option[value='{village}']").count() == 0
    page.fill("#unit_q", tree.village_a.name)
    page.wait_for_selector(f"#id_org_unit option[value='{village}']", state="attached")
    page.select_option("#id_org_unit", village)
    page.fill("#id_name", "王某")
    page.fill("#id_post", "村主任")
    page.select_option("#id_level", "village")
    page.click("main form[method=post] button.primary")
    page.wait_for_load_state()
    archive = IntegrityArchive.objects.get(name="王某")
    assert archive.org_unit_id == tree.village_a.pk

    # 2. A letter about 王某 (村主任 of that village); the petition office links the archive offered.
    report = register(petition_officer, tree.township_a)
    office = new_page(browser)
    sign_in(office, base, petition_officer)
    office.goto(f"{base}/petitions/{report.pk}/")
    section = office.locator("#archive")
    assert "村主任" in section.inner_text()
    section.get_by_role("button", name="关联").click()
    office.wait_for_load_state()
    assert "已关联：" in office.inner_text("#archive")
    report.refresh_from_db()
    assert report.archive_id == archive.pk

    # 3. The organisation department opens the archive with a reason: the linked report, masked.
    desk = new_page(browser)
    sign_in(desk, base, reader)
    desk.goto(f"{base}/archives/")
    desk.click("text=王某")
    desk.fill("#id_reason", "拟提拔人选党风廉政意见回复")
    desk.click("main button.primary")
    desk.wait_for_selector(f"#report-{report.pk}")
    text = desk.inner_text("main")
    assert report.serial_number in text and "李举报" not in text and "危房改造" not in text
    opened = AuditEvent.objects.get(action="archive.open", actor=reader)
    assert opened.after == {"reason": "拟提拔人选党风廉政意见回复"}

    # 4. The keeper opens it and uploads the person's photo; the reader's opened archive shows it.
    from tests.attachments.samples import photo

    page.goto(f"{base}/archives/{archive.pk}/")
    page.fill("#id_reason", "录入照片")
    page.click("main button.primary")
    page.wait_for_selector(".photo-form")
    page.set_input_files(
        ".photo-form input[type=file]",
        {"name": "wang.jpg", "mimeType": "image/jpeg", "buffer": photo("JPEG", (240, 320))},
    )
    page.click(".photo-form button[type=submit]")
    page.wait_for_load_state()
    assert "已保存 王某 的照片" in page.inner_text("main")
    desk.goto(f"{base}/archives/{archive.pk}/")
    desk.fill("#id_reason", "核对照片")
    desk.click("main button.primary")
    desk.wait_for_selector("#archive-photo")
    desk.wait_for_function("() => document.querySelector('#archive-photo').naturalWidth > 0")
    assert desk.locator(".photo-form").count() == 0  # readers do not upload


def test_enter_in_the_unit_search_keeps_what_was_typed(live_server, browser, tree):
    """Enter in 查找单位 (or 查找) offers the units found in the select without reloading the page: the
    name and post typed below it are still there, and the archive is created with them."""
    from tests.e2e.helpers import desktop
    from tests.e2e.helpers import sign_in as sign_in_desktop

    keeper = staff("gj_county", tree.county, Role.CADRE_SUPERVISION)
    base = live_server.url
    page = desktop(browser)
    sign_in_desktop(page, base, keeper)
    page.goto(f"{base}/archives/new/")
    page.fill("#id_name", "王某")
    page.fill("#id_post", "村主任")
    page.fill("#unit_q", tree.village_a.name)
    page.press("#unit_q", "Enter")
    village = str(tree.village_a.pk)
    page.wait_for_selector(f"#id_org_unit option[value='{village}']", state="attached")
    assert page.input_value("#id_name") == "王某" and page.input_value("#id_post") == "村主任"
    page.click("#unit-search button[type=submit]")
    page.wait_for_selector(f"#id_org_unit option[value='{village}']", state="attached")
    assert page.input_value("#id_name") == "王某"
    page.select_option("#id_org_unit", village)
    page.select_option("#id_level", "village")
    page.click("main form[method=post] button.primary")
    page.wait_for_selector("#archive-number", state="attached")
    assert IntegrityArchive.objects.get(name="王某", post="村主任").org_unit_id == tree.village_a.pk


def test_the_export_follows_the_filter_chosen_without_reloading(live_server, browser, tree, tmp_path):
    """Choosing a unit reloads only the rows (HTMX); 导出名单 then exports that unit's archives, as the
    page says (按当前查询条件导出), not the list the page was first loaded with."""
    from openpyxl import load_workbook

    from tests.archives.helpers import idn, make_archive
    from tests.e2e.helpers import desktop
    from tests.e2e.helpers import sign_in as sign_in_desktop

    keeper = staff("gj_county", tree.county, Role.CADRE_SUPERVISION)
    make_archive(keeper, tree.township_a, name="刘某", id_number=idn(1), level="section")
    make_archive(keeper, tree.township_b, name="张某", id_number=idn(2), level="section")
    base = live_server.url
    page = desktop(browser)
    sign_in_desktop(page, base, keeper)
    page.goto(f"{base}/archives/")
    page.select_option("#id_unit", str(tree.township_a.pk))
    page.wait_for_function("() => !document.querySelector('#archive-rows').innerText.includes('张某')")
    with page.expect_download() as download:
        page.click("#archive-export")
    path = tmp_path / "archives.xlsx"
    download.value.save_as(path)
    names = [row[0] for row in load_workbook(path).active.iter_rows(min_row=3, values_only=True)]
    assert names == ["刘某"]
