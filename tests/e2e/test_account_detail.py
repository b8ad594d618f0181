"""An account's page for the system administrator, in Chromium: resetting the password and stopping
the account are two forms, so Enter in a field does that field's action, not the page's first button."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import desktop, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_enter_in_the_reason_stops_the_account(live_server, browser, tree, people):
    page = desktop(browser)
    sign_in(page, live_server.url, people.system_admin)
    page.goto(f"{live_server.url}/manage/accounts/{people.member_a.pk}/")
    page.fill("#id_reason", "已离职")
    page.focus("#id_reason")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=已保存")
    assert "密码长度" not in page.inner_text("main")
    people.member_a.refresh_from_db()
    assert not people.member_a.is_active


def test_enter_in_the_password_resets_it_without_a_reason(live_server, browser, tree, people):
    page = desktop(browser)
    sign_in(page, live_server.url, people.system_admin)
    page.goto(f"{live_server.url}/manage/accounts/{people.member_a.pk}/")
    page.fill("#id_password", "short")
    page.focus("#id_password")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=密码长度不能少于 10 个字符")
    page.fill("#id_password", "Xinmima-2026!q")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=密码已重置")
    people.member_a.refresh_from_db()
    assert people.member_a.must_change_password
    assert people.member_a.is_active
    assert people.member_a.check_password("Xinmima-2026!q")
