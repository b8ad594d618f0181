"""Files kept across a form error, in headless Chromium at 360 px, through the duty-record form's own
upload script (photos compressed on the phone, sent with progress): a record refused for its date
comes back with the photo shown as attached, and the corrected save stores it with the record."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from jijian.attachments.models import Attachment
from jijian.reports.models import DutyRecord
from tests.e2e.helpers import new_page, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_photo_chosen_on_a_refused_duty_record_is_kept_and_saved_with_the_corrected_one(
    live_server, browser, tree, people, tmp_path
):
    photo = tmp_path / "走访.jpg"
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 140, 60)).save(out, "JPEG")
    photo.write_bytes(out.getvalue())
    today = timezone.localdate()
    base = live_server.url
    member = new_page(browser)
    sign_in(member, base, people.member_a)

    member.goto(f"{base}/reports/records/new/?type=household_visit")
    member.fill("#id_occurred_on", (today + timedelta(days=1)).isoformat())  # refused: in the future
    member.fill("#id_f_households", "4")
    member.set_input_files("#id_uploads", str(photo))
    member.click("#save-record")
    member.wait_for_selector("#held-files")
    assert member.inner_text("#error-summary")  # refused (the date), listed at the top
    assert "走访" in member.inner_text("#held-files")
    assert member.is_checked("#held-files input[name=held_keep]")
    assert not DutyRecord.objects.exists() and not Attachment.objects.exists()

    member.fill("#id_occurred_on", today.isoformat())
    member.click("#save-record")
    member.wait_for_url("**/reports/records/?month=*")
    record = DutyRecord.objects.get()
    [attachment] = Attachment.objects.filter(object_id=str(record.pk))
    assert attachment.original_name.startswith("走访")
