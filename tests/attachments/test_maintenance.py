import io
from datetime import timedelta

import pytest
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.core.management import call_command
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory, override_settings

from jijian.attachments.services import attachment_read_original, upload_hard_limit
from jijian.attachments.uploads import LimitedUploadHandler
from jijian.audit.models import AuditEvent
from jijian.core.sensitive import crypto, keys

from . import samples
from .factories import make_attachment

K1 = "k1:" + "11" * 16
K2 = "k2:" + "33" * 16


@pytest.fixture(autouse=True)
def _fresh_keyring():
    crypto.reload_keyring()
    yield
    crypto.reload_keyring()


def test_rekey_moves_evidence_to_the_new_primary_key_so_the_old_can_be_retired(tree, people, files_dir):
    original = samples.photo("JPEG")
    with override_settings(DATA_KEYS=K1):
        crypto.reload_keyring()
        plain = make_attachment(tree, people, name="照片.jpg", content=original)  # no evidence kept
        evidence = make_attachment(tree, people, name="证据.jpg", content=original, keep_original=True)
        old_name = evidence.evidence_storage_name
        assert evidence.evidence_key_id == "k1"

    with override_settings(DATA_KEYS=f"{K2},{K1}"):
        crypto.reload_keyring()
        assert keys.key_users()["attachments.attachment.evidence_key_id"].count("k1") == 1
        out = io.StringIO()
        call_command("attachments", "rekey-evidence", stdout=out)
        assert "已重新加密 1 个" in out.getvalue()
        evidence.refresh_from_db()
        assert evidence.evidence_key_id == "k2" and evidence.evidence_storage_name != old_name
        assert not (files_dir / old_name).exists()
        assert keys.key_users()["attachments.attachment.evidence_key_id"].count("k1") == 0
        assert AuditEvent.objects.filter(action="attachment.evidence_rekey").count() == 1
        call_command("attachments", "rekey-evidence", stdout=io.StringIO())  # idempotent
        assert AuditEvent.objects.filter(action="attachment.evidence_rekey").count() == 1

    with override_settings(DATA_KEYS=K2):  # k1 gone from the keyring: the evidence still opens
        crypto.reload_keyring()
        assert attachment_read_original(actor=people.member_a, attachment=evidence) == original
    plain.refresh_from_db()  # a row without evidence is left alone
    assert plain.evidence_storage_name == "" and plain.evidence_key_id == ""


def test_sweep_command_deletes_only_old_orphans(tree, people, files_dir):
    kept = make_attachment(tree, people)
    orphan = files_dir / "reports" / "2020" / "01" / "orphan.pdf"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"x")
    out = io.StringIO()
    call_command("attachments", "sweep", "--older-than-hours", "-1", stdout=out)
    assert "已删除 1 个" in out.getvalue()
    assert not orphan.exists() and (files_dir / kept.storage_name).exists()


def _multipart(size: int) -> tuple[dict, bytes]:
    boundary = "BoUnDaRy"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + b"\0" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = RequestFactory().post("/", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    return request.META, body


def test_upload_handler_refuses_a_body_over_the_hard_limit_from_its_length(settings):
    settings.ATTACHMENT_LIMITS_MB = dict.fromkeys(["image", "pdf", "office", "audio", "video"], 1)
    assert upload_hard_limit() == 1024 * 1024
    meta, body = _multipart(2 * 1024 * 1024)
    parser = MultiPartParser(meta, io.BytesIO(body), [LimitedUploadHandler(), TemporaryFileUploadHandler()])
    with pytest.raises(RequestDataTooBig):
        parser.parse()


def test_upload_handler_counts_bytes_when_the_length_lies(settings):
    settings.ATTACHMENT_LIMITS_MB = dict.fromkeys(["image", "pdf", "office", "audio", "video"], 1)
    meta, body = _multipart(2 * 1024 * 1024)
    handler = LimitedUploadHandler()
    assert handler.handle_raw_input(None, meta, 100, "BoUnDaRy") is None  # a small declared length passes
    with pytest.raises(RequestDataTooBig):
        for start in range(0, len(body), 64 * 1024):
            handler.receive_data_chunk(body[start : start + 64 * 1024], start)
    assert handler.received <= 1024 * 1024 + 64 * 1024


def test_upload_handler_lets_a_small_upload_through():
    meta, body = _multipart(1000)
    parser = MultiPartParser(meta, io.BytesIO(body), [LimitedUploadHandler(), MemoryFileUploadHandler()])
    _, files = parser.parse()
    assert files["file"].size == 1000


def test_keys_rotate_re_encrypts_evidence_too(tree, people, files_dir):
    with override_settings(DATA_KEYS=K1):
        crypto.reload_keyring()
        evidence = make_attachment(tree, people, keep_original=True)
    with override_settings(DATA_KEYS=f"{K2},{K1}"):
        crypto.reload_keyring()
        assert keys.key_users()["attachments.attachment.evidence_key_id"].rotate() == 1
        evidence.refresh_from_db()
        assert evidence.evidence_key_id == "k2"
        assert attachment_read_original(actor=None, attachment=evidence) == samples.pdf()


def test_the_sweep_asks_the_rows_once_per_batch_of_stored_files_not_once_per_file(tree, people, files_dir):
    """Hourly over every stored file: three indexed statements per batch of names (the file, the
    evidence original, the thumbnail), whatever the number of files in it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jijian.attachments.services import attachment_orphans_sweep

    stored = [make_attachment(tree, people, name=f"记录{i}.pdf") for i in range(12)]
    with CaptureQueriesContext(connection) as queries:
        assert attachment_orphans_sweep(older_than=timedelta(hours=-1)) == 0
    assert len(queries.captured_queries) == 3
    assert all((files_dir / a.storage_name).exists() for a in stored)
