"""Layout at 360 px (a phone) where the users' walk found it broken: the monthly report's numbers stay
in one column whatever a row's log hint says, and a filter's checkbox stays beside its label."""

import pytest
from django.utils import timezone

from jijian.reports.models import MonthlyReport
from jijian.reports.services import month_start, monthly_reports_open
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def phone(browser):
    return browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN").new_page()


def test_the_report_counts_form_one_column_and_each_duty_name_keeps_one_line(
    live_server, browser, tree, people
):
    month = month_start(timezone.localdate())
    monthly_reports_open(month=month)
    report = MonthlyReport.objects.get(village=tree.village_a, month=month)
    page = phone(browser)
    sign_in(page, live_server.url, people.member_a)
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    rows = page.locator(".count-row")
    assert rows.count() > 3
    # 走访农户's hint also names the households counted: the longest hint of the list.
    assert "走访户数" in page.locator(".count-row", has_text="走访农户").inner_text()
    lefts = {
        round(b["x"])
        for b in page.locator(".count-row input").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect())"
        )
    }
    assert len(lefts) == 1, lefts
    label = page.locator(".count-row label", has_text="走访农户")
    line = label.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    assert label.bounding_box()["height"] < 1.5 * line  # not broken into 走访农 / 户
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_risk_boards_checkbox_sits_beside_its_label(live_server, browser, people):
    page = phone(browser)
    sign_in(page, live_server.url, people.county_officer)
    page.goto(f"{live_server.url}/village/risks/")
    box = page.locator("form.filters input[type=checkbox]")
    label = page.locator("form.filters label", has=page.locator("input[type=checkbox]"))
    assert "含已处理" in label.inner_text()
    assert box.bounding_box()["width"] < 40  # not stretched over the screen like the text fields
    text_top = label.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " const rects = [...r.getClientRects()]; return rects[rects.length - 1].top; }"
    )
    b = box.bounding_box()
    assert b["y"] - 10 <= text_top <= b["y"] + b["height"]  # the words on the checkbox's line
