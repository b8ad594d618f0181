"""The public portal's uploads (issue 22 item 7): kinds and sizes are configuration with tight
defaults (images, PDF, Office; 20 MB a file; 5 files); a body beyond them is refused on its
Content-Length without being read, a file beyond them as its bytes stream in, before they are
spooled; evidence is stored once, encrypted, not twice."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client
from django.urls import reverse
from PIL import Image

from jijian.attachments.models import Attachment
from jijian.attachments.services import file_storage
from jijian.attachments.uploads import FORM_ALLOWANCE, PublicUploadHandler
from jijian.petitions.models import PetitionReport
from tests.attachments import samples
from tests.petitions.helpers import form_data, solved_challenge, submit


def named(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def stored_files() -> list[str]:
    storage = file_storage()
    found: list[str] = []

    def walk(path):
        try:
            dirs, files = storage.listdir(path)
        except FileNotFoundError:
            return
        found.extend(f"{path}/{f}" if path else f for f in files)
        for d in dirs:
            walk(f"{path}/{d}" if path else d)

    walk("")
    return found


@pytest.mark.parametrize(("data", "name"), [(samples.mp4(), "clip.mp4"), (samples.wav(), "call.wav")])
def test_the_portal_refuses_video_and_audio_by_default(client, tree, data, name):
    response = submit(client, {**form_data(tree), "evidence": [named(data, name)]})
    page = response.content.decode()
    assert "只接收图片、PDF、Office 文档" in page and 'id="receipt-code"' not in page
    assert not PetitionReport.objects.exists() and not Attachment.objects.exists()


def test_the_kinds_are_configuration(client, tree, settings):
    settings.PUBLIC_UPLOAD_KINDS = ["image", "pdf", "office", "audio"]
    response = submit(client, {**form_data(tree), "evidence": [named(samples.wav(), "call.wav")]})
    assert 'id="receipt-code"' in response.content.decode()
    assert Attachment.objects.get().kind == "audio"


def test_a_file_over_the_size_limit_is_refused_while_it_streams(client, tree, settings, monkeypatch):
    settings.PUBLIC_UPLOAD_MAX_MB = 1
    spooled: list[int] = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def counting(self, raw_data, start):
        spooled.append(start + len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
    big = named(samples.pdf(b"% padding " + b"x" * (3 * 1024 * 1024)), "big.pdf")
    response = submit(client, {**form_data(tree), "evidence": [big]})
    assert response.status_code == 413
    page = response.content.decode()
    assert "超过 1 MB 的上限" in page and "王某" in page  # the typed text is kept
    assert not PetitionReport.objects.exists() and not Attachment.objects.exists()
    assert max(spooled, default=0) <= 1024 * 1024  # no byte beyond the limit reached the spool


def test_a_body_larger_than_the_limits_is_refused_on_its_content_length_unread(client, tree):
    limit = 5 * 20 * 1024 * 1024 + FORM_ALLOWANCE
    read: list[int] = []

    class Body(io.BytesIO):
        def read(self, *args):
            chunk = super().read(*args)
            read.append(len(chunk))
            return chunk

    body = Body(b"x" * 1024)
    response = client.generic(
        "POST",
        reverse("petitions:submit"),
        data=b"",
        CONTENT_TYPE="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(limit + 1),
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert "上传内容过大" in response.content.decode()
    assert sum(read) == 0
    assert not PetitionReport.objects.exists()


def test_the_handler_refuses_on_the_content_length_before_reading(rf, settings):
    handler = PublicUploadHandler(rf.post("/"))
    assert handler.max_bytes == 20 * 1024 * 1024 and handler.max_files == 5
    assert handler.handle_raw_input(None, {}, 5 * 20 * 1024 * 1024 + FORM_ALLOWANCE + 1, b"x") is not None
    assert "上传内容过大" in handler.refusal
    assert handler.handle_raw_input(None, {}, 1024, b"x") is None


def test_public_evidence_is_stored_once_encrypted(client, tree):
    document = samples.pdf()
    response = submit(client, {**form_data(tree), "evidence": [named(document, "scan.pdf")]})
    assert 'id="receipt-code"' in response.content.decode()
    attachment = Attachment.objects.get()
    assert attachment.storage_name == attachment.evidence_storage_name
    files = stored_files()
    assert files == [attachment.storage_name]
    with file_storage().open(files[0], "rb") as fh:
        assert document not in fh.read()  # only ciphertext on disk


def test_a_public_photo_is_stored_once_encrypted_and_served_without_exif(client, tree, people, login):
    photo = samples.photo(size=(1600, 1200), orientation=6)  # a phone photo with GPS, held sideways
    response = submit(client, {**form_data(tree), "evidence": [named(photo, "现场.jpg")]})
    assert 'id="receipt-code"' in response.content.decode()
    attachment = Attachment.objects.get()
    assert stored_files() == [attachment.storage_name] == [attachment.evidence_storage_name]
    with file_storage().open(attachment.storage_name, "rb") as fh:
        raw = fh.read()
    assert b"Exif" not in raw and b"TestPhone" not in raw and photo[:1024] not in raw

    from jijian.attachments.services import attachment_open

    with attachment_open(actor=people.city_petition, attachment=attachment) as fh:
        served = fh.read()
    image = Image.open(io.BytesIO(served))
    assert image.format == "JPEG" and image.size == (1200, 1600)  # upright, full size
    assert not image.getexif() and b"TestPhone" not in served
    assert stored_files() == [attachment.storage_name]  # serving wrote nothing


def test_staff_download_of_a_once_stored_file_gives_the_original(client, tree, people, login):
    document = samples.pdf()
    submit(Client(), {**form_data(tree), "evidence": [named(document, "scan.pdf")]})
    attachment = Attachment.objects.get()
    from jijian.attachments.services import attachment_open

    with attachment_open(actor=people.city_petition, attachment=attachment) as fh:
        assert fh.read() == document


def test_the_csrf_check_still_applies_to_the_public_form(tree):
    client = Client(enforce_csrf_checks=True)
    data = {**form_data(tree), **solved_challenge(client)}
    assert client.post(reverse("petitions:submit"), data).status_code == 403
    assert not PetitionReport.objects.exists()


def test_rekeying_a_once_stored_file_keeps_it_downloadable(client, tree, people, settings):
    from jijian.attachments.services import attachment_evidence_rekey, attachment_open
    from jijian.core.sensitive import crypto

    document = samples.pdf()
    submit(client, {**form_data(tree), "evidence": [named(document, "scan.pdf")]})
    old = Attachment.objects.get().storage_name
    settings.DATA_KEYS = "k2:" + "33" * 16 + "," + settings.DATA_KEYS
    crypto.reload_keyring()
    try:
        assert attachment_evidence_rekey() == 1
        attachment = Attachment.objects.get()
        assert attachment.storage_name == attachment.evidence_storage_name != old
        assert attachment.evidence_key_id == "k2" and stored_files() == [attachment.storage_name]
        with attachment_open(actor=people.city_petition, attachment=attachment) as fh:
            assert fh.read() == document
    finally:
        settings.DATA_KEYS = settings.DATA_KEYS.split(",", 1)[1]
        crypto.reload_keyring()
