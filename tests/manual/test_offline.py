"""The manual on a phone with no signal: a page the member opened once opens again offline (the
manual's service worker keeps it), styles included; a page never opened says so."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.manual.factories import city_editor, page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(p, base):
    p.goto(f"{base}/accounts/login/")
    p.fill("#id_username", "member_a")
    p.fill("#id_password", PASSWORD)
    p.click("main button[type=submit]")
    p.wait_for_url(f"{base}/")


def test_an_opened_page_is_readable_offline_after_a_reload(live_server, browser, tree, people):
    editor = city_editor(tree)
    page(editor)
    page(editor, code="household_visit", title="走访农户")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True)
    try:
        p = context.new_page()
        sign_in(p, live_server.url)
        url = f"{live_server.url}/manual/topic/reimbursement_check/"
        p.goto(url)
        assert p.evaluate("document.documentElement.scrollWidth") <= 360
        # Wait until the worker controls the page and has kept it (evaluate awaits the promise;
        # wait_for_function would not).
        kept = (
            "async () => { if (!navigator.serviceWorker.controller) return false;"
            " const c = await caches.open('jijian-manual-v2');"
            " return !!(await c.match(location.href, {ignoreVary: true})); }"
        )
        for _ in range(60):
            if p.evaluate(kept):
                break
            p.wait_for_timeout(250)
        else:
            pytest.fail("the manual's service worker did not keep the page")
        context.set_offline(True)
        response = p.reload()
        assert response is not None and response.from_service_worker
        assert p.locator("h1").inner_text() == "村级报账单据复审签字"
        assert "核对票据" in p.locator("#manual-page").inner_text()
        # The stylesheet came from the kept copy too: the page is laid out, not bare HTML.
        assert p.evaluate("getComputedStyle(document.querySelector('.manual-page')).paddingTop") == "12px"
        # A page never opened: a clear note, not the browser's error page.
        p.goto(f"{live_server.url}/manual/topic/household_visit/")
        assert "网络未连接" in p.content()
    finally:
        context.close()


def test_a_page_fetched_after_the_session_ended_keeps_the_manual_not_the_sign_in_page(
    live_server, browser, tree, people
):
    """The worker fetches the first page again to keep it; if the session has ended by then, the
    answer is the sign-in page (after a redirect). That answer must not replace the kept manual page."""
    editor = city_editor(tree)
    page(editor)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True)
    try:
        p = context.new_page()
        sign_in(p, live_server.url)
        url = f"{live_server.url}/manual/topic/reimbursement_check/"
        p.goto(url)
        kept_text = (
            "async () => { if (!navigator.serviceWorker.controller) return null;"
            " const c = await caches.open('jijian-manual-v2');"
            " const r = await c.match(location.href, {ignoreVary: true}); return r ? await r.text() : null; }"
        )
        for _ in range(60):
            if p.evaluate(kept_text):
                break
            p.wait_for_timeout(250)
        else:
            pytest.fail("the manual's service worker did not keep the page")
        context.clear_cookies()  # the session ends
        p.evaluate("navigator.serviceWorker.controller.postMessage({cache: location.href})")
        # Give the worker the time to fetch (it lands on the sign-in page) and to put what it would keep.
        p.wait_for_timeout(1500)
        text = p.evaluate(kept_text)
        assert "村级报账单据复审签字" in text
        assert 'id="id_password"' not in text
        context.set_offline(True)
        p.reload()
        assert p.locator("h1").inner_text() == "村级报账单据复审签字"
    finally:
        context.close()
