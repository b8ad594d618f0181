"""The public report form in headless Chromium at phone size (issue 16, items 8–10): the proof of
work runs in a Web Worker while the reporter types — a keypress is handled within 100 ms while it
runs, with progress shown — and a form sent back with an error keeps the work done."""

import re
import time

import pytest

from jijian.petitions.models import PetitionReport
from tests.e2e.helpers import new_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The handler of a key must run within this many milliseconds of the key being pressed.
KEY_LATENCY_MS = 100

LATENCY_PROBE = """() => {
  window.__latencies = [];
  document.getElementById('id_facts').addEventListener('keydown', (e) => {
    window.__latencies.push(performance.now() - e.timeStamp);
  });
}"""


def wait_until(page, script: str, timeout_s: float = 60) -> None:
    """Poll a function in the page (wait_for_function evaluates a string, which the CSP forbids)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(script):
        assert time.monotonic() < deadline, script
        page.wait_for_timeout(50)


def test_the_form_stays_responsive_while_the_work_runs(live_server, browser, tree, settings):
    # About a billion hashes: the work is certainly still running while the keys are pressed (a
    # phone at the default 18 bits is in the same state for its first second or so).
    settings.PETITION_POW_BITS = 30
    page = new_page(browser)
    page.goto(f"{live_server.url}/report/new/")
    page.evaluate(LATENCY_PROBE)
    # The work has started and shows its progress.
    wait_until(
        page,
        "() => document.getElementById('pow-progress').value >= 0 && /%/.test("
        "document.getElementById('pow-status').textContent)",
    )
    page.click("#id_facts")
    for key in "wangmou 2025 buzhu":
        page.keyboard.type(key)
        page.wait_for_timeout(20)
    assert page.input_value("#pow-nonce") == "", "the work ended before the typing: raise the bits"
    latencies = page.evaluate("window.__latencies")
    assert len(latencies) == len("wangmou 2025 buzhu") and max(latencies) < KEY_LATENCY_MS, latencies
    assert page.input_value("#id_facts") == "wangmou 2025 buzhu"
    page.context.close()


def test_a_form_sent_back_with_an_error_keeps_the_work(live_server, browser, tree, settings):
    settings.PETITION_POW_BITS = 12
    settings.PETITION_RECEIPT_ARGON2 = (1, 1024, 1)
    page = new_page(browser)
    page.goto(f"{live_server.url}/report/new/")
    wait_until(page, "() => document.getElementById('pow-nonce').value !== ''")
    assert page.inner_text("#pow-status").startswith("防刷验证已完成")
    # Sent without a region: the page comes back with the work kept, nothing to compute again.
    page.select_option("#id_category", "accusation")
    page.select_option("#id_matter", "integrity")
    page.fill("#id_facts", "厉山镇神农村村主任王某在危房改造补贴发放中虚报冒领两万元。")
    page.click("#petition-submit")
    page.wait_for_selector(".has-error")
    assert page.inner_text("#pow-status") == "防刷验证已完成"
    assert page.locator("#pow-progress").count() == 0
    assert not PetitionReport.objects.exists()
    page.select_option("#id_region", str(tree.township_a.pk))
    page.click("#petition-submit")
    page.wait_for_selector("#receipt-code")
    assert PetitionReport.objects.count() == 1
    page.context.close()


def test_radios_sit_with_their_labels_and_the_code_can_be_copied(live_server, browser, tree, settings):
    """Issue 16, item 9, at 360 px: each 匿名/实名 radio is on the line of its label and the two side
    by side; the public footer is not the staff one; the 查询码 has a copy button that copies the
    20 digits."""
    settings.PETITION_POW_BITS = 8
    settings.PETITION_RECEIPT_ARGON2 = (1, 1024, 1)
    page = new_page(browser)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/report/new/")
    anonymous, real = page.locator("#id_is_anonymous_0"), page.locator("#id_is_anonymous_1")
    a, r = anonymous.bounding_box(), real.bounding_box()
    label = page.locator("label[for=id_is_anonymous_0]").last.bounding_box()
    assert a and r and label
    assert label["y"] <= a["y"] + a["height"] / 2 <= label["y"] + label["height"]  # same line
    assert a["width"] < 40 and abs(a["y"] - r["y"]) < 5  # a box, not a full-width bar; side by side
    assert "内部系统" not in page.inner_text("footer") and "12388" in page.inner_text("footer")

    wait_until(page, "() => document.getElementById('pow-nonce').value !== ''")
    page.select_option("#id_category", "accusation")
    page.select_option("#id_region", str(tree.township_a.pk))
    page.select_option("#id_matter", "integrity")
    page.fill("#id_facts", "厉山镇神农村村主任王某在危房改造补贴发放中虚报冒领两万元。")
    page.click("#petition-submit")
    page.wait_for_selector("#receipt-code")
    assert "查询码" in page.inner_text("main") and "回执码" not in page.content()
    page.click("#copy-code")
    wait_until(page, "() => document.getElementById('copy-status').textContent !== ''")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == re.sub(r"\s", "", page.inner_text("#receipt-code")) and len(copied) == 20
    page.context.close()


def test_the_region_is_picked_by_pinyin_initials_and_the_form_kept(live_server, browser, tree, settings):
    """Issue 16, item 17, at 360 px: the reporter fills the form, then types the initials of 厉山镇
    ("lsz") in the unit picker's search box above the region select; the list narrows to that
    township, which is chosen; nothing else of the form is lost, and the report is filed there."""
    settings.PETITION_POW_BITS = 8
    settings.PETITION_RECEIPT_ARGON2 = (1, 1024, 1)
    page = new_page(browser)
    page.goto(f"{live_server.url}/report/new/")
    facts = "厉山镇神农村村主任王某在危房改造补贴发放中虚报冒领两万元。"
    page.select_option("#id_category", "accusation")
    page.select_option("#id_matter", "integrity")
    page.fill("#id_facts", facts)
    page.fill("#id_accused_name", "王某")

    search = page.locator("#id_region_filter")
    box = search.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360  # fits the phone
    search.click()
    page.keyboard.type("gc")  # 高城镇 only: chosen
    assert page.input_value("#id_region") == str(tree.township_b.pk)
    search.fill("")
    page.keyboard.type("ls")
    offered = page.eval_on_selector_all("#id_region option", "els => els.map(e => e.value)")
    assert offered == ["", str(tree.township_a.pk)], offered
    page.keyboard.press("Enter")  # narrows, does not submit
    assert page.input_value("#id_region") == str(tree.township_a.pk)
    assert "已选中" in page.inner_text(".unit-picker-status")
    search.fill("")  # the whole list again, the choice kept
    assert page.eval_on_selector_all("#id_region option", "els => els.length") > 3
    assert page.input_value("#id_region") == str(tree.township_a.pk)
    assert page.input_value("#id_facts") == facts and page.input_value("#id_accused_name") == "王某"
    assert PetitionReport.objects.count() == 0

    wait_until(page, "() => document.getElementById('pow-nonce').value !== ''")
    page.click("#petition-submit")
    page.wait_for_selector("#receipt-code")
    report = PetitionReport.objects.get()
    assert report.region_id == tree.township_a.pk and report.facts == facts and report.accused_name == "王某"
    page.context.close()
