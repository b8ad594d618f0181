"""The receipt brake in Chromium: while many wrong codes are tried, the owner of a right code types it
on a phone, the page asks the browser for a proof of work, pow.js solves it and sends the lookup again
on its own, and the owner sees the report's status (before, "系统繁忙" and no way in)."""

import os

import pytest

from jijian.petitions.intake import receipt, throttle
from jijian.petitions.models import PetitionReport
from tests.e2e.helpers import new_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("JIJIAN_SCREENSHOTS")  # a directory: keep screenshots of the pages for a look


def test_the_owner_of_a_right_code_gets_in_while_the_brake_is_on(live_server, browser, tree, settings):
    settings.PETITION_FOLLOW_FAILS_PER_MINUTE = 3
    settings.PETITION_FOLLOW_BRAKE_POW_BITS = 10
    settings.PETITION_RECEIPT_ARGON2 = (1, 1024, 1)
    code = receipt.new_code()
    unit = tree.township_a
    PetitionReport.objects.create(
        category="accusation",
        region=unit,
        facts="回执码查询",
        holder=unit,
        received_unit=unit,
        serial_number="XF-E2E-BRAKE",
        receipt_hash=receipt.receipt_hash(code),
    )
    base = f"{live_server.url}/report/follow/"

    # On a phone, the page opened before the brake came on: the lookup comes back asking for the work,
    # and the browser does it and sends the lookup again by itself.
    phone = new_page(browser)
    phone.goto(base)
    assert phone.locator("#pow-status").count() == 0
    # Meanwhile, wrong guesses somewhere: the brake is on. Twice the limit, so that a minute boundary
    # crossed during the test (the window slides: last minute's count weighs less) leaves it on. Counted
    # as guesses that brought the proof of work (`count`): a guess without it past the limit is refused
    # and gives its count back (`reserve`), so guesses of that kind alone hold the estimate at the limit,
    # where a sliding minute takes it just below.
    for _ in range(6):
        throttle.count()
    assert throttle.engaged()
    phone.fill("#id_code", receipt.display(code))
    # The 429 page (its text is tested in tests/petitions/test_limits.py) is solved and sent again so
    # quickly by the worker that its body may be gone before it could be read here: the status is enough.
    with phone.expect_response(lambda r: r.request.method == "POST" and r.status == 429):
        phone.click("button[type=submit]")
    phone.wait_for_selector("#petition-state", timeout=60_000)  # solved, sent again, let in
    assert "系统繁忙" not in phone.content()
    if SHOTS:
        phone.screenshot(path=f"{SHOTS}/brake-in-360.png", full_page=True)
    phone.context.close()

    # On a desktop, the page opened while the brake is on carries the work from the start (more wrong
    # guesses keep it on however long the phone's proof of work took).
    for _ in range(6):
        throttle.count()
    assert throttle.engaged()
    desk = browser.new_page(viewport={"width": 1366, "height": 800})
    desk.goto(base)
    assert desk.locator("#follow-busy").is_visible()
    if SHOTS:
        desk.screenshot(path=f"{SHOTS}/brake-1366.png", full_page=True)
    desk.fill("#id_code", receipt.display(code))
    desk.click("#petition-submit")
    desk.wait_for_selector("#petition-state", timeout=60_000)
    desk.context.close()
