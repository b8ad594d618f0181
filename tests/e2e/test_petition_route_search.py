"""The managing-commission search on a report's page, in Chromium: Enter in the live search box
searches; it does not reload the page (the no-JavaScript fallback) and lose the routing note typed
and the box ticked below it."""

import pytest

from jijian.core.roles import Role
from tests.conftest import make_user
from tests.e2e.helpers import desktop, sign_in
from tests.petitions.triage_helpers import register

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_enter_in_the_commission_search_keeps_the_routing_form(live_server, browser, tree):
    base = live_server.url
    office = make_user("xf_county", tree.county, Role.PETITION_OFFICE)
    report = register(office, tree.township_a)
    page = desktop(browser)
    sign_in(page, base, office)
    page.goto(f"{base}/petitions/{report.pk}/")
    route = page.locator(f"form[action='/petitions/{report.pk}/route/']")
    route.locator("[name=note]").fill("被反映人系高城镇干部，转高城镇办理")
    route.locator("[name=about_own_head]").check()
    page.fill("#route_managing_q", "gcz")
    with page.expect_response(lambda r: "/commissions/" in r.url):
        page.press("#route_managing_q", "Enter")
    page.wait_for_timeout(300)  # a navigation, were there one, would have started
    assert page.url == f"{base}/petitions/{report.pk}/"
    assert route.locator("[name=note]").input_value() == "被反映人系高城镇干部，转高城镇办理"
    assert route.locator("[name=about_own_head]").is_checked()
    assert "高城镇" in " ".join(page.locator("#route_managing option").all_inner_texts())
    route.locator("[name=managing]").select_option(str(tree.township_b.pk))
    route.locator("[name=about_own_head]").uncheck()
    route.get_by_role("button", name="分流").click()
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.forwards.get().to_unit == tree.township_b
    page.context.close()
