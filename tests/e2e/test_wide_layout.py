"""Layout at 1366 px (a desktop) where the walk of the commission's pages found it broken: the audit
trail's time and operator broke into one character or one date part per line (苏/林/国, 2026-12-/06),
and a filter's label stayed alone at the end of a line while its field went to the next."""

import pytest

from jijian.audit.services import audit_record
from tests.e2e.helpers import desktop, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def one_line(locator) -> bool:
    line = locator.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    inner = locator.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e); return r.getBoundingClientRect().height; }"
    )
    return inner < 1.5 * line


def test_the_audit_trails_time_operator_and_event_keep_one_line(live_server, browser, people):
    # A long summary, as the demo's loading and the archives write, takes the room of the other columns.
    audit_record(
        actor=people.system_admin,
        action="user.update",
        obj=people.member_a,
        summary="修改账号：" + "说明" * 120,
    )
    page = desktop(browser)
    sign_in(page, live_server.url, people.audit_admin)
    page.goto(f"{live_server.url}/audit/")
    cells = page.locator("#event-rows tbody tr", has_text="修改账号：").first.locator("td")
    assert "测试system_admin" in cells.nth(2).inner_text() and "修改账号" in cells.nth(4).inner_text()
    # The first step of a two-factor sign-in is named for what it is, not 修改密码.
    assert page.locator("#event-rows tbody tr", has_text="待验证动态验证码").first.locator("td").nth(
        4
    ).inner_text() == ("密码验证通过")
    for i in (1, 2, 4, 5):  # time, operator, event, object
        assert one_line(cells.nth(i)), cells.nth(i).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    # On a narrower screen (a small laptop, a tablet) the event and object wrap again: the page keeps its width.
    page.set_viewport_size({"width": 720, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 720
    assert one_line(cells.nth(1)) and one_line(cells.nth(2))


def test_a_filters_label_wraps_together_with_its_field(live_server, browser, people):
    page = desktop(browser)
    sign_in(page, live_server.url, people.city_petition)
    page.goto(f"{live_server.url}/petitions/clues/")
    labels = page.locator("form.filters label")
    assert labels.count() >= 6
    for i in range(labels.count()):
        label = labels.nth(i)
        text_top = label.evaluate(
            "e => { const r = document.createRange(); r.setStart(e, 0); r.setEnd(e.firstChild, 1);"
            " return r.getBoundingClientRect().top; }"
        )
        field = label.locator("input, select").first.bounding_box()
        assert field["y"] - 10 <= text_top <= field["y"] + field["height"], label.inner_text()
