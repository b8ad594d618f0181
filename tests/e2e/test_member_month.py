"""Issue 16 (village member), in headless Chromium at 360 px: a large phone photo is compressed on
the phone before upload (under 500 KB sent) and its thumbnail reaches the reviewer; 删除 asks before
deleting; submitting before the month's submittable day needs the explicit early-submit
confirmation, and the township's queue flags it."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from jijian.attachments.models import Attachment
from jijian.reports.models import DutyRecord, MonthlyReport, ReportState
from jijian.reports.services import month_start, monthly_reports_open
from tests.e2e.helpers import new_page, shot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def phone_photo(path) -> int:
    """A photo-like JPEG as a phone takes it: 3200×2400, smooth light with sensor noise, > 2 MB."""
    w, h = 3200, 2400
    light = Image.linear_gradient("L").resize((w, h))
    image = Image.merge("RGB", [light, Image.effect_noise((w, h), 20), light.rotate(90).resize((w, h))])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    path.write_bytes(out.getvalue())
    return len(out.getvalue())


def thumb_loaded(page, attachment):
    """The photo's thumbnail is on the page and decoded (a 404 or a refused image has no width)."""
    selector = f"img[src='/files/{attachment.pk}/thumbnail/']"
    page.locator(selector).scroll_into_view_if_needed()
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth > 0; }",
        arg=selector,
        timeout=10000,
    )


def test_member_month_early_submit_confirmed_delete_and_compressed_photo(
    live_server, browser, tree, people, tmp_path
):
    TOTPDevice.objects.create(user=people.township_a, name="phone", confirmed=True)
    today = timezone.localdate()
    month = month_start(today)
    monthly_reports_open(month=month)
    report = MonthlyReport.objects.get(village=tree.village_a, month=month)
    # Make today early in the month's row whatever the calendar says: submittable from tomorrow.
    MonthlyReport.objects.filter(pk=report.pk).update(submittable_from=today + timedelta(days=1))
    base = live_server.url
    photo = tmp_path / "IMG_20261205_093015.jpg"
    original_size = phone_photo(photo)
    assert original_size > 2 * 1024 * 1024

    member = new_page(browser)
    sign_in(member, base, people.member_a)

    # A visit with the phone photo: compressed on the phone, progress shown, saved.
    member.goto(f"{base}/reports/records/new/?type=household_visit")
    member.fill("#id_occurred_on", today.isoformat())
    member.fill("#id_f_households", "11")
    member.set_input_files("#id_uploads", str(photo))
    member.click("#save-record")
    member.wait_for_url("**/reports/records/?month=*")
    attachment = Attachment.objects.get()
    assert attachment.original_size < 500 * 1024  # what the phone sent
    assert attachment.mime == "image/jpeg" and attachment.evidence_storage_name == ""
    thumb_loaded(member, attachment)
    shot(member, "member-log-thumbnail.png")

    # A second record, deleted: one tap on 删除 only asks; the confirmation deletes.
    member.goto(f"{base}/reports/records/new/?type=reminder_talk")
    member.fill("#id_occurred_on", today.isoformat())
    member.fill("#id_f_persons", "2")
    member.click("#save-record")
    member.wait_for_url("**/reports/records/?month=*")
    talk = DutyRecord.objects.get(duty_type__code="reminder_talk")
    member.click(f"#delete-{talk.pk} summary")
    shot(member, "member-delete-confirm.png")
    talk.refresh_from_db()
    assert not talk.is_deleted
    member.click(f"#confirm-delete-{talk.pk}")
    member.wait_for_load_state()
    talk.refresh_from_db()
    assert talk.is_deleted

    # Early submit: refused without the confirmation, which names the consequence; then accepted.
    member.goto(f"{base}/reports/{report.pk}/")
    assert "本月履职纪实将关闭" in member.inner_text("#early-confirm")
    member.check("input[name=is_zero_report][value='0']")
    member.fill("#id_summary", "本月走访农户11户。")
    member.check("#id_endorse")
    member.click("#submit-report")
    member.wait_for_load_state()
    assert "确认提前提交" in member.inner_text("main")
    report.refresh_from_db()
    assert report.state == ReportState.NOT_STARTED  # refused: nothing saved, the form keeps the text
    member.check("#id_early_confirmed")
    member.check("#id_endorse")
    shot(member, "member-early-confirm.png")
    member.click("#submit-report")
    member.wait_for_load_state()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.is_early
    member.goto(f"{base}/reports/records/new/")
    assert "已关闭" in member.inner_text("#month-closed")

    # The township sees the early flag and the photo's thumbnail.
    office = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    officer = office.new_page()
    sign_in(officer, base, people.township_a)
    officer.goto(f"{base}/reports/review/")
    assert "提前提交" in officer.inner_text(f"#early-{report.pk}")
    officer.goto(f"{base}/reports/review/{report.pk}/")
    thumb_loaded(officer, attachment)
    shot(officer, "review-thumbnail.png")
    office.close()


def test_a_refused_report_focuses_the_error_summary_at_the_top(live_server, browser, tree, people):
    """Issue 16, item 4: submitting without the endorsement comes back with the errors summarised at
    the top and focused, not at the bottom of a page that reloaded at the top."""
    month = month_start(timezone.localdate())
    monthly_reports_open(month=month)
    report = MonthlyReport.objects.get(village=tree.village_a, month=month)
    member = new_page(browser)
    sign_in(member, live_server.url, people.member_a)
    member.goto(f"{live_server.url}/reports/{report.pk}/")
    member.check("input[name=is_zero_report][value='0']")
    member.fill("#id_summary", "本月走访农户。")
    member.click("#submit-report")
    member.wait_for_load_state()
    member.wait_for_function("() => document.activeElement && document.activeElement.id === 'error-summary'")
    assert "请确认签字背书承诺后再提交" in member.inner_text("#error-summary")
    box = member.locator("#error-summary").bounding_box()
    assert box is not None and box["y"] < 740  # on screen
    shot(member, "member-error-summary.png")


def test_a_refused_files_message_fits_the_phone(live_server, browser, tree, people, tmp_path):
    """The message for a file of the wrong kind lists the accepted kinds in one long run of letters and
    slashes; in the error summary at 360 px it wraps inside the box instead of running off the screen."""
    monthly_reports_open(month=month_start(timezone.localdate()))
    note = tmp_path / "note.txt"
    note.write_text("走访记录")
    member = new_page(browser)
    sign_in(member, live_server.url, people.member_a)
    member.goto(f"{live_server.url}/reports/records/new/?type=household_visit")
    member.fill("#id_f_households", "3")
    member.set_input_files("#id_uploads", str(note))
    member.click("#save-record")
    member.wait_for_selector("#error-summary")
    assert "不支持的文件类型" in member.inner_text("#error-summary")
    # Nothing inside the summary reaches past its right edge.
    overflow = member.evaluate(
        """() => { const box = document.getElementById('error-summary').getBoundingClientRect();
        const range = document.createRange(); range.selectNodeContents(document.getElementById('error-summary'));
        return Math.max(...Array.from(range.getClientRects(), r => r.right)) - box.right; }"""
    )
    assert overflow <= 0
    shot(member, "member-refused-file.png")


def test_a_long_link_typed_by_the_member_wraps_on_the_phone(live_server, browser, tree, people):
    """A link (or any long run without spaces) in a record's place and notes, and in a supervision
    opinion, wraps within 360 px on the month's log, the report and the decision, instead of making the
    page scroll sideways."""
    from jijian.villageaffairs.models import Step
    from tests.villageaffairs.helpers import record, register

    link = "https://www.example.gov.cn/cms/xxgk/cwgk/202612/t20261206_4815162342_shennongcun_cwgk.html"
    month = month_start(timezone.localdate())
    monthly_reports_open(month=month)
    report = MonthlyReport.objects.get(village=tree.village_a, month=month)
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, member_opinion=f"公开网址：{link}")
    base = live_server.url
    member = new_page(browser)
    sign_in(member, base, people.member_a)
    member.goto(f"{base}/reports/records/new/?type=household_visit")
    member.fill("#id_f_households", "2")
    member.fill("#id_place", link[:50])
    member.fill("#id_notes", link)
    member.click("#save-record")
    member.wait_for_url("**/reports/records/?month=*")
    assert link in member.inner_text("#record-list")
    for path in ("/reports/records/", f"/reports/{report.pk}/", f"/village/decisions/{decision.pk}/"):
        member.goto(base + path)
        assert member.evaluate("document.documentElement.scrollWidth") <= 360, path
