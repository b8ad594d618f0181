"""Issue 16, item 3: photos of duty records — thumbnails for the member and the reviewer (through the
attachments access check), the phone compresses before upload unless the city keeps originals as
evidence (configuration), and the server still re-encodes what it receives."""

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from jijian.attachments.models import Attachment
from jijian.reports.models import DutyRecord, ReportSettings
from tests.attachments import samples
from tests.reports.helpers import OCT, at, open_month


def _record_with_photo(client):
    return client.post(
        reverse("reports:duty_record_create"),
        {
            "type": "household_visit",
            "occurred_on": "2025-10-18",
            "f_households": "3",
            "uploads": SimpleUploadedFile(
                "走访.jpg", samples.photo(size=(900, 600)), content_type="image/jpeg"
            ),
        },
    )


def test_the_member_and_the_reviewer_see_thumbnails_of_the_photos(tree, people, login):
    report = open_month(tree, OCT)
    client = login(people.member_a)
    with at(date(2025, 10, 20)):
        assert _record_with_photo(client).status_code == 302
        attachment = Attachment.objects.get()
        thumb = reverse("attachments:thumbnail", args=[attachment.pk])
        log = client.get(reverse("reports:duty_records") + "?month=2025-10").content.decode()
        record = DutyRecord.objects.get()
        edit = client.get(reverse("reports:duty_record_edit", args=[record.pk])).content.decode()
    assert f'src="{thumb}"' in log and f'src="{thumb}"' in edit
    review = login(people.township_a).get(reverse("reports:review_detail", args=[report.pk])).content.decode()
    assert f'src="{thumb}"' in review


def test_by_default_the_phone_compresses_and_no_original_is_kept(tree, people, login):
    open_month(tree, OCT)
    client = login(people.member_a)
    with at(date(2025, 10, 20)):
        form = client.get(reverse("reports:duty_record_create") + "?type=household_visit").content.decode()
        _record_with_photo(client)
    assert 'data-compress="1"' in form and 'id="upload-progress"' in form
    attachment = Attachment.objects.get()
    assert attachment.evidence_storage_name == ""


def test_a_city_that_keeps_originals_gets_them_uncompressed_and_kept(tree, people, login, files_dir):
    ReportSettings.objects.update_or_create(city=tree.city, defaults={"keep_photo_originals": True})
    open_month(tree, OCT)
    client = login(people.member_a)
    with at(date(2025, 10, 20)):
        form = client.get(reverse("reports:duty_record_create") + "?type=household_visit").content.decode()
        _record_with_photo(client)
    assert 'data-compress="0"' in form
    attachment = Attachment.objects.get()
    assert attachment.evidence_storage_name != ""
    # stored once, encrypted: the reviewer's thumbnail is made from it, re-encoded, without EXIF
    assert attachment.storage_name == attachment.evidence_storage_name
    files = [p for p in files_dir.rglob("*") if p.is_file()]
    assert files == [files_dir / attachment.storage_name] and b"TestPhone" not in files[0].read_bytes()
    thumb = login(people.township_a).get(reverse("attachments:thumbnail", args=[attachment.pk]))
    image = Image.open(io.BytesIO(thumb.content))
    assert thumb.status_code == 200 and image.size == (320, 213) and not image.getexif()


def test_a_video_sent_with_a_duty_record_is_refused_and_leaves_no_file(tree, people, login, files_dir):
    open_month(tree, OCT)
    client = login(people.member_a)
    with at(date(2025, 10, 20)):
        response = client.post(
            reverse("reports:duty_record_create"),
            {
                "type": "household_visit",
                "occurred_on": "2025-10-18",
                "f_households": "3",
                "uploads": [
                    SimpleUploadedFile("走访.jpg", samples.photo(), content_type="image/jpeg"),
                    SimpleUploadedFile("走访.mp4", samples.mp4(), content_type="video/mp4"),
                ],
            },
        )
    assert response.status_code == 200
    assert "不接收MP4 视频：只接收图片、PDF、Office 文档" in response.content.decode()
    assert not DutyRecord.objects.exists() and not Attachment.objects.exists()
    assert not [p for p in files_dir.rglob("*") if p.is_file() and "held" not in p.parts]
