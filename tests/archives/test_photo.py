"""The person's photo: uploaded by the keeper through the attachment service (re-encoded, metadata
dropped; not an image: refused, nothing changed), shown on the opened archive and in its PDF, served
only to who may open the archive; audited."""

from __future__ import annotations

import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jijian.archives.models import IntegrityArchive
from jijian.attachments.models import Attachment
from jijian.audit.models import AuditEvent
from jijian.core.models import StaffRelation
from tests.archives.helpers import idn, make_archive
from tests.attachments.samples import pdf, photo
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper(tree):
    return make_user("gj_sx", tree.county, "cadre_supervision")


@pytest.fixture
def archive(keeper, tree):
    return make_archive(keeper, tree.village_a, name="王某", id_number=idn(1))


def _upload(client, archive, data: bytes, name="wang.jpg"):
    return client.post(
        reverse("archives:photo_upload", args=[archive.pk]), {"photo": SimpleUploadedFile(name, data)}
    )


def test_the_keeper_uploads_a_photo_shown_on_the_opened_archive(keeper, archive, login):
    client = login(keeper)
    response = _upload(client, archive, photo("JPEG", size=(300, 400)))
    assert response.status_code == 302 and response["Location"] == reverse(
        "archives:detail", args=[archive.pk]
    )
    archive.refresh_from_db()
    stored = archive.photo
    assert stored.kind == "image" and stored.module == "archives" and stored.purpose == "archives.photo"
    assert stored.object_id == str(archive.pk)
    event = AuditEvent.objects.get(action="archive.photo")
    assert event.after == {"photo": stored.pk}
    # Not on the page before it is opened; on the opened page.
    assert (
        'id="archive-photo"' not in client.get(reverse("archives:detail", args=[archive.pk])).content.decode()
    )
    opened = client.post(
        reverse("archives:detail", args=[archive.pk]), {"reason": "任前审查"}
    ).content.decode()
    assert f'src="{reverse("archives:photo", args=[archive.pk])}"' in opened
    image = client.get(reverse("archives:photo", args=[archive.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert image.content.startswith(b"\xff\xd8") and b"Exif" not in image.content  # re-encoded, no EXIF
    # Replacing it: the new one is shown.
    _upload(client, archive, photo("PNG", size=(200, 260)), name="wang.png")
    archive.refresh_from_db()
    assert archive.photo_id != stored.pk and archive.photo.extension == "png"
    assert AuditEvent.objects.filter(action="archive.photo").count() == 2


def test_a_file_that_is_not_an_image_is_refused_and_nothing_changes(keeper, archive, login):
    client = login(keeper)
    response = _upload(client, archive, pdf(), name="wang.pdf")  # a good PDF, but no photo
    assert response.status_code == 302
    assert "只接收图片" in client.get(response["Location"]).content.decode()
    text = _upload(client, archive, b"hello", name="wang.jpg")
    assert text.status_code == 302
    # An unrecognised file: the message offers what this form takes, not PDFs or videos.
    message = client.get(text["Location"]).content.decode()
    assert "不支持的文件类型：无法识别的格式。可上传图片" in message
    assert "PDF" not in message.split("不支持的文件类型")[1].split("<")[0]
    archive.refresh_from_db()
    assert archive.photo is None and not Attachment.objects.exists()
    assert not AuditEvent.objects.filter(action="archive.photo").exists()
    assert client.get(reverse("archives:photo", args=[archive.pk])).status_code == 404


def test_the_photo_is_in_the_printed_pdf(keeper, archive, login, tmp_path):
    client = login(keeper)
    _upload(client, archive, photo("JPEG", size=(300, 400)))
    response = client.post(reverse("archives:print", args=[archive.pk]), {"reason": "任前审查"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "archive.pdf"
    pdf.write_bytes(response.content)
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert len(listing.strip().splitlines()) == 3  # the header, the rule, one image
    # Without a photo, none.
    IntegrityArchive.objects.filter(pk=archive.pk).update(photo=None)
    pdf.write_bytes(client.post(reverse("archives:print", args=[archive.pk]), {"reason": "任前审查"}).content)
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert len(listing.strip().splitlines()) == 2


def test_outsiders_recused_and_readers_cannot_upload_and_only_openers_see_it(keeper, archive, login, tree):
    _upload(login(keeper), archive, photo("JPEG"))
    archive.refresh_from_db()
    photo_url = reverse("archives:photo", args=[archive.pk])
    other = make_user("gj_gs", tree.other_county, "cadre_supervision")
    member = make_user("cun_a", tree.village_a, "village_member")
    reader = make_user("sl_sx", tree.county, "case_review")
    relative = make_user("gj_sx2", tree.county, "cadre_supervision")
    StaffRelation.objects.create(user=relative, relative_name="王某", kind="spouse")
    file_url = f"/files/{archive.photo_id}/"  # the attachment service's own link follows the archive
    for user in (other, member, relative):
        client = login(user)
        assert client.get(photo_url).status_code == 404, user.username
        assert client.get(file_url).status_code == 404, user.username
        assert _upload(client, archive, photo("PNG"), name="x.png").status_code == 404, user.username
    client = login(reader)  # reads archives, does not keep them
    assert client.get(photo_url).status_code == 200
    assert client.get(file_url).status_code == 200
    assert _upload(client, archive, photo("PNG"), name="x.png").status_code == 404
    archive.refresh_from_db()
    assert Attachment.objects.count() == 1 and archive.photo is not None


def test_a_video_sent_as_the_photo_is_refused_and_leaves_no_file(keeper, archive, login, files_dir):
    from tests.attachments.samples import mp4

    client = login(keeper)
    response = _upload(client, archive, mp4(), name="wang.mp4")
    assert response.status_code == 302
    assert "不接收MP4 视频：只接收图片" in client.get(response["Location"]).content.decode()
    archive.refresh_from_db()
    assert archive.photo is None and not Attachment.objects.exists()
    assert not [p for p in files_dir.rglob("*") if p.is_file()]
