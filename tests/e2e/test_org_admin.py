"""The system administrator edits the org tree and an account in Chromium, on a 360 px phone and a
1366 px screen: 新建下级单位, 重命名, 移动到 with the unit picker, 撤销 with a reason (refused first
while the unit has an account), 修改代码 (refused first as typed) and 代管管理区, and an account's name,
unit and mobile number. No page scrolls sideways; screenshots go to var/e2e/."""

from __future__ import annotations

from pathlib import Path

import pytest

from jijian.audit.models import AuditEvent
from jijian.core.models import OrgUnit, User
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("var/e2e")


def open_page(browser, width: int):
    phone = width < 600
    context = browser.new_context(
        viewport={"width": width, "height": 740 if phone else 900},
        locale="zh-CN",
        is_mobile=phone,
        has_touch=phone,
    )
    return context.new_page()


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


@pytest.mark.parametrize("width", [360, 1366])
def test_admin_edits_the_org_tree(live_server, browser, tree, people, width):
    page = open_page(browser, width)
    base = live_server.url
    sign_in(page, base, people.system_admin)
    page.goto(f"{base}/orgs/{tree.township_a.pk}/")
    page.click("text=管理单位（新建下级、重命名、修改代码、移动、撤销）")
    page.wait_for_url(f"**/manage/orgs/{tree.township_a.pk}/")
    no_sideways_scroll(page, width)
    shot(page, f"org-manage-{width}.png")

    # 新建下级单位
    page.fill("#id_new-name", "新风村")
    page.select_option("#id_new-kind", "village")
    page.click("#create button[value=create]")
    page.wait_for_selector("text=已新建下级单位 新风村")
    new = OrgUnit.objects.get(name="新风村")
    assert new.parent_id == tree.township_a.pk

    # 重命名, then 移动到 with the unit picker (pinyin initials of 高城镇)
    page.goto(f"{base}/manage/orgs/{new.pk}/")
    page.fill("#id_rename-name", "新风社区")
    page.press("#id_rename-name", "Enter")  # Enter presses this form's own button
    page.wait_for_selector("text=已重命名为 新风社区")
    page.fill("#id_move-new_parent_filter", "gcz")
    assert page.input_value("#id_move-new_parent") == str(tree.township_b.pk)
    page.click("#move button[value=move]")
    page.wait_for_selector("text=已将 新风社区 移动到 高城镇 之下")
    assert OrgUnit.objects.get(pk=new.pk).township_id == tree.township_b.pk

    # 撤销: refused while village A still has its member (what was typed stays), then an empty unit.
    page.goto(f"{base}/manage/orgs/{tree.village_a.pk}/")
    page.fill("#id_close-reason", "并入凤凰村")
    page.click("#close button[value=close]")
    page.wait_for_selector("text=仍有启用的账号")
    assert page.input_value("#id_close-reason") == "并入凤凰村"
    no_sideways_scroll(page, width)
    shot(page, f"org-manage-refused-{width}.png")
    page.goto(f"{base}/manage/orgs/{new.pk}/")
    page.fill("#id_close-reason", "区划调整")
    page.click("#close button[value=close]")
    page.wait_for_selector("text=已撤销 新风社区")
    assert not OrgUnit.objects.get(pk=new.pk).is_active
    assert AuditEvent.objects.filter(action="org_unit.close", object_id=str(new.pk)).exists()


@pytest.mark.parametrize("width", [360, 1366])
def test_admin_edits_an_account(live_server, browser, tree, people, width):
    page = open_page(browser, width)
    base = live_server.url
    sign_in(page, base, people.system_admin)
    member = people.member_a
    page.goto(f"{base}/manage/accounts/{member.pk}/")
    page.click("main >> text=编辑账号")
    page.wait_for_url(f"**/manage/accounts/{member.pk}/edit/")
    page.fill("#id_phone", "1380013")
    page.click("main button.primary")
    page.wait_for_selector("#error-summary")
    no_sideways_scroll(page, width)
    shot(page, f"account-edit-refused-{width}.png")
    page.fill("#id_full_name", "李新")
    page.fill("#unit_q", "fhc")  # 凤凰村, narrowed by the unit picker
    page.click("button[name=unit_search]")  # and found among all units on the server
    page.wait_for_selector("text=已查找单位，账号尚未保存")
    assert page.input_value("#id_full_name") == "李新"
    page.select_option("#id_org_unit", str(tree.village_a2.pk))
    page.fill("#id_phone", "13800138000")
    page.click("main button.primary")
    page.wait_for_selector("text=已保存")
    saved = User.objects.get(pk=member.pk)
    assert (saved.full_name, saved.org_unit_id, saved.phone) == ("李新", tree.village_a2.pk, "13800138000")
    no_sideways_scroll(page, width)
    page.click("main >> text=编辑账号")
    assert "138****8000" in page.inner_text("main")
    shot(page, f"account-edit-{width}.png")


@pytest.mark.parametrize("width", [360, 1366])
def test_admin_corrects_a_code_and_gives_a_township_to_a_zone(live_server, browser, tree, people, width):
    page = open_page(browser, width)
    base = live_server.url
    sign_in(page, base, people.system_admin)
    page.goto(f"{base}/manage/orgs/{tree.township_a.pk}/")

    # 修改代码: refused as typed (a space), then saved.
    page.fill("#id_code-code", "4213 21100")
    page.click("#code button[value=code]")
    page.wait_for_selector("#error-summary")
    assert page.input_value("#id_code-code") == "4213 21100"
    assert "代码只能包含数字、字母和短横线" in page.inner_text("#code")
    no_sideways_scroll(page, width)
    shot(page, f"org-code-refused-{width}.png")
    page.fill("#id_code-code", "421321100-1")
    page.press("#id_code-code", "Enter")  # Enter presses this form's own button
    page.wait_for_selector("text=已将代码改为 421321100-1")
    assert OrgUnit.objects.get(pk=tree.township_a.pk).code == "421321100-1"

    # 代管管理区: the zone's one option, saved; the facts show it.
    page.select_option("#id_zone-management_zone", str(tree.zone.pk))
    page.click("#zone button[value=zone]")
    page.wait_for_selector("text=已交由 随州高新区 代管")
    assert OrgUnit.objects.get(pk=tree.village_a.pk).zone_id == tree.zone.pk
    assert "随州高新区" in page.inner_text("dl.facts")
    no_sideways_scroll(page, width)
    shot(page, f"org-zone-{width}.png")
    assert AuditEvent.objects.filter(action="org_unit.code", object_id=str(tree.township_a.pk)).exists()
    assert AuditEvent.objects.filter(action="org_unit.zone", object_id=str(tree.township_a.pk)).exists()
