"""Numeric tables on the phone (360 px): their columns stay, and a table wider than the screen
scrolls sideways inside its box; the page itself never becomes wider than the screen, also on pages
whose own stylesheet does not mention such tables (the township's voucher statistics, the county's
rubrics)."""

import pytest

from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def phone(browser):
    return browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN").new_page()


@pytest.mark.parametrize(
    ("who", "path"), [("township_a", "/village/vouchers/stats/"), ("county_officer", "/evaluation/rubrics/")]
)
def test_a_wide_numeric_table_scrolls_in_its_box_not_the_page(live_server, browser, people, who, path):
    page = phone(browser)
    sign_in(page, live_server.url, getattr(people, who))
    page.goto(f"{live_server.url}{path}")
    box = page.locator(".table-scroll").first
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # the table is wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
