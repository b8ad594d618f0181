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


def test_a_records_edit_and_delete_sit_side_by_side_and_the_confirmation_opens_under_them(
    live_server, browser, tree, people
):
    from tests.reports.helpers import visit

    visit(people.member_a, timezone.localdate())
    page = phone(browser)
    sign_in(page, live_server.url, people.member_a)
    page.goto(f"{live_server.url}/reports/records/")
    row = page.locator("#record-list > li").first
    edit = row.locator(".row-actions a", has_text="修改").bounding_box()
    delete = row.locator(".row-actions summary", has_text="删除").bounding_box()
    assert abs(edit["y"] - delete["y"]) < 2 and delete["x"] > edit["x"] + edit["width"]  # one line
    row.locator("summary", has_text="删除").click()
    box = row.locator(".confirm-box").bounding_box()
    assert row.locator("summary", has_text="删除").bounding_box()["y"] == delete["y"]  # did not jump
    assert box["y"] >= edit["y"] + edit["height"] and box["width"] > 250  # under both, the row's width
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    row.locator("summary", has_text="删除").click()  # a second tap closes it, nothing deleted
    assert not row.locator(".confirm-box").is_visible()


def test_the_tokens_are_under_my_account_not_in_the_header(live_server, browser, tree, people):
    tree.township_a.name = "市纪委监委第一派驻纪检监察组联络点"  # as long as a unit's name gets
    tree.township_a.save(update_fields=["name"])
    page = phone(browser)
    sign_in(page, live_server.url, people.township_a)
    header = page.inner_text("header")
    assert "API 令牌" not in header and "修改密码" not in header
    # Who is signed in, 我的账号 and 退出 on one line: the unit's name gives way.
    boxes = [page.locator(f".whoami {s}").bounding_box() for s in ("span", "a", "button")]
    middles = [b["y"] + b["height"] / 2 for b in boxes]
    assert max(middles) - min(middles) < 8, boxes
    page.click("header >> text=我的账号")
    assert page.url.endswith("/accounts/me/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("main >> text=API 令牌")
    assert "我的 API 令牌" in page.inner_text("main")


def test_the_petition_register_shows_each_report_as_a_card_on_a_phone(live_server, browser, tree, people):
    """At 360 px a report of the register is a card: its number on a line of its own, then its facts,
    none broken a character a line, the accused and the reporter named, and its state in sight without
    scrolling sideways (the table scrolled sideways before, each row two or three lines tall)."""
    from tests.petitions.triage_helpers import register

    register(people.city_petition, tree.village_a)
    page = phone(browser)
    sign_in(page, live_server.url, people.city_petition)
    page.goto(f"{live_server.url}/petitions/")
    assert page.locator(".petition-list thead").is_hidden()
    row = page.locator(".petition-list tbody tr").first
    for cell in ("td:nth-child(4)", "td:nth-child(5)", "td:nth-child(6)"):  # 类别, 地区, 被反映人
        text_height, line = row.locator(cell).evaluate(
            "e => { const r = document.createRange(); r.selectNodeContents(e);"
            " return [r.getBoundingClientRect().height, parseFloat(getComputedStyle(e).lineHeight)]; }"
        )
        assert text_height < 1.5 * line, cell  # its words on one line, not 类 / 别
    accused = row.locator("td:nth-child(6)").evaluate("e => getComputedStyle(e, '::before').content")
    assert "被反映人" in accused
    state = row.locator("td:last-child .tag").first.bounding_box()
    assert state and state["x"] + state["width"] <= 360  # the state in sight
    table = page.locator(".petition-list")
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth")  # nothing hidden to the side
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_reports_time_limits_are_cards_on_a_phone_with_their_date_and_state_in_sight(
    live_server, browser, tree, people
):
    """At 360 px each time limit of a report is a card (its dates and its state named), not a table
    that hides 期限 and 完成 to the side; a limit waiting on a leader says so and links to the approval."""
    from jijian.petitions import services
    from tests.petitions.triage_helpers import fresh, register

    report = register(people.city_petition, tree.city)
    report = services.petition_route(
        actor=people.city_petition,
        report=report,
        managing=tree.city,
        about_own_head=False,
        version=report.version,
    )
    services.petition_close(
        actor=people.city_petition, report=fresh(report), result="结果", version=fresh(report).version
    )
    page = phone(browser)
    sign_in(page, live_server.url, people.city_petition)
    page.goto(f"{live_server.url}/petitions/{report.pk}/")
    table = page.locator("#deadlines-list")
    assert table.locator("thead").is_hidden()
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth")  # nothing hidden to the side
    waiting = table.locator("tbody tr", has_text="办结期限").locator("td:last-child")
    assert "完成" in waiting.evaluate("e => getComputedStyle(e, '::before').content")
    link = waiting.locator("a", has_text="待领导审批")
    box = link.bounding_box()
    assert box and box["x"] + box["width"] <= 360 and link.get_attribute("href") == "#approvals"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
