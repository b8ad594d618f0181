"""The new-account form in Chromium, with and without JavaScript: Enter in a field creates the
account (the form's main action), not the 查找全部单位 search whose button comes first on the page."""

from __future__ import annotations

import pytest

from jijian.core.models import User
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_enter_in_a_field_creates_the_account(live_server, browser, tree, people, javascript):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", java_script_enabled=javascript
    )
    page = context.new_page()
    sign_in(page, live_server.url, people.system_admin)
    page.goto(f"{live_server.url}/manage/accounts/new/")
    page.fill("#id_username", "shennong2")
    page.fill("#id_full_name", "王村委")
    page.fill("#id_temporary_password", "Haoren-2026!x")
    page.select_option("#id_org_unit", str(tree.township_a.pk))
    page.focus("#id_full_name")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: not url.endswith("/manage/accounts/new/"))
    assert "账号尚未创建" not in page.inner_text("main")
    assert User.objects.get(username="shennong2").org_unit == tree.township_a
