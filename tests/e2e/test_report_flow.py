"""The month of a village member, end to end in headless Chromium at phone size: two duty records,
submit, the township returns it, the member fixes and resubmits, the township approves, the county
sees it counted as on time."""

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.reports.models import MonthlyReport, ReportState
from jijian.reports.services import month_start, monthly_reports_open
from tests.e2e.helpers import live_server_screenshot_dir, new_page, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def record(page, base, code, values):
    page.goto(f"{base}/reports/records/new/?type={code}")
    page.fill("#id_occurred_on", timezone.localdate().isoformat())
    for name, value in values.items():
        page.fill(f"#id_f_{name}", str(value))
    page.click("#save-record")
    page.wait_for_load_state()


def confirm_early_if_asked(page):
    """Before the month's submittable day the form asks to confirm that the month's log closes."""
    if page.locator("#id_early_confirmed").count():
        page.check("#id_early_confirmed")


def test_a_month_from_duty_log_to_county_statistics(live_server, browser, tree, people):
    for user in (people.township_a, people.county_officer):
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    month = month_start(timezone.localdate())
    monthly_reports_open(month=month)
    report = MonthlyReport.objects.get(village=tree.village_a, month=month)
    base = live_server.url

    member = new_page(browser)
    sign_in(member, base, people.member_a)
    record(member, base, "household_visit", {"households": 12})
    record(member, base, "reimbursement_check", {"count": 2, "amount": "3000"})
    member.goto(f"{base}/reports/records/")
    assert member.locator("#record-list").inner_text().count("\n") >= 1
    member.goto(f"{base}/reports/{report.pk}/")
    member.check("input[name=is_zero_report][value='0']")
    member.fill("#id_summary", "本月走访农户12户，复审报账单据2张。")
    member.check("#id_endorse")
    confirm_early_if_asked(member)
    member.click("#submit-report")
    member.wait_for_load_state()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED

    officer = new_page(browser)
    sign_in(officer, base, people.township_a)
    officer.goto(f"{base}/reports/review/")
    assert tree.village_a.name in officer.inner_text("main")
    officer.goto(f"{base}/reports/review/{report.pk}/")
    officer.fill("#reason", "请写明走访的具体农户和发现的问题")
    officer.click("form:has(#reason) button[type=submit]")
    officer.wait_for_load_state()
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED

    member.goto(f"{base}/reports/{report.pk}/")
    assert "请写明走访的具体农户" in member.inner_text("#return-reason")
    member.fill("#id_summary", "本月走访农户12户（含低保户3户），未发现问题；复审报账单据2张。")
    member.check("#id_endorse")
    confirm_early_if_asked(member)
    member.click("#submit-report")
    member.wait_for_load_state()
    report.refresh_from_db()
    assert report.state == ReportState.RESUBMITTED

    officer.goto(f"{base}/reports/review/{report.pk}/")
    officer.click("form:has(#comment) button[type=submit]")
    officer.wait_for_load_state()
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED and not report.is_late

    county = new_page(browser)
    sign_in(county, base, people.county_officer)
    ym = f"{month:%Y-%m}"
    county.goto(f"{base}/reports/stats/?node={tree.township_a.pk}&from={ym}&to={ym}")
    text = county.inner_text("main")
    assert tree.village_a.name in text
    # The same numbers through the API the page is built on: counted, on time, approved.
    stats = county.request.get(
        f"{base}/api/reports/stats/?node={tree.township_a.pk}&from={ym}&to={ym}"
    ).json()
    village = next(row for row in stats["children"] if row["id"] == tree.village_a.pk)
    assert (village["expected"], village["submitted"], village["on_time"], village["late"]) == (1, 1, 1, 0)
    assert village["approved"] == 1 and village["returned"] == 1
    county.screenshot(path=str(live_server_screenshot_dir() / "county-stats.png"), full_page=True)
