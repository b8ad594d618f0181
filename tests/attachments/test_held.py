"""Files held across a form error (attachments.held): encrypted at rest, tied to the session that
chose them, read back intact, and gone once they expire."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.sessions.backends.cache import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import timezone

from jijian.attachments import held
from jijian.attachments.services import attachment_orphans_sweep, file_storage

pytestmark = pytest.mark.django_db
SECRET = "举报材料：某村主任虚报冒领补贴".encode() * 20


def test_a_held_file_is_encrypted_and_read_back_intact():
    session = SessionStore()
    [entry] = held.uploads_hold(
        session=session, key="t.form", files=[SimpleUploadedFile("证据.txt", SECRET)], keep=[]
    )
    stored = session[held.SESSION_KEY]["t.form"][0]["storage"]
    with file_storage().open(stored) as blob:
        assert SECRET[:30] not in blob.read()
    [file] = held.uploads_held_files(session=session, key="t.form", keep=[entry["id"]])
    assert file.name == "证据.txt" and file.read() == SECRET
    held.uploads_release(session=session, key="t.form")
    assert not file_storage().exists(stored)
    assert held.uploads_held(session=session, key="t.form") == []


def test_held_files_expire():
    session = SessionStore()
    held.uploads_hold(session=session, key="t.form", files=[SimpleUploadedFile("a.txt", SECRET)], keep=[])
    stored = session[held.SESSION_KEY]["t.form"][0]["storage"]
    later = timezone.now() + timedelta(seconds=held.HELD_SECONDS + 60)
    with mock.patch("time.time", return_value=later.timestamp()):
        assert held.uploads_held(session=session, key="t.form") == []
    with mock.patch("django.utils.timezone.now", return_value=later):
        attachment_orphans_sweep()
    assert not file_storage().exists(stored)


class _Form:
    """What HeldUploads reads of a form: its errors."""

    def __init__(self, **errors):
        self.errors = errors


def _post(session, files=(), keep=(), field="uploads"):
    request = RequestFactory().post("/f", {"held_keep": list(keep), field: list(files)})
    request.session = session
    return request


def test_held_uploads_helper_holds_after_an_error_and_gives_kept_then_chosen():
    session = SessionStore()
    first = held.HeldUploads(_post(session, [SimpleUploadedFile("a.txt", SECRET)]), "t.form", "uploads")
    first.hold_if(_Form(notes=["必填"]))
    [entry] = first.shown()
    assert entry["name"] == "a.txt"

    # The next post keeps the held file: it comes first, read back intact, then the new one.
    request = _post(session, [SimpleUploadedFile("b.txt", b"new")], keep=[entry["id"]])
    uploads = held.HeldUploads(request, "t.form", "uploads")
    with uploads.files(request.FILES.getlist("uploads")) as files:
        assert [f.name for f in files] == ["a.txt", "b.txt"]
        assert files[0].read() == SECRET
        kept = files[0]
    assert kept.closed  # the temporary copy is closed when the block ends
    assert not request.FILES["uploads"].closed  # the post's own upload may yet be held
    uploads.release()
    assert uploads.shown() == []


def test_held_uploads_helper_holds_nothing_when_the_files_were_refused_and_lets_go_on_get():
    session = SessionStore()
    uploads = held.HeldUploads(_post(session, [SimpleUploadedFile("a.txt", SECRET)]), "t.form", "uploads")
    uploads.hold_if(_Form(uploads=["文件类型不允许"]))
    assert uploads.shown() == []

    uploads.hold_if(_Form())
    assert len(uploads.shown()) == 1
    get = RequestFactory().get("/f")
    get.session = session
    held.HeldUploads(get, "t.form", "uploads").hold_if(_Form())  # a GET holds nothing
    assert len(uploads.shown()) == 1
    held.HeldUploads(get, "t.form", "uploads").on_get()  # a fresh form page lets them go
    assert uploads.shown() == []


def test_held_uploads_helper_single_replaces_the_held_file_and_keeps_it_without_a_new_one():
    session = SessionStore()
    held.HeldUploads(
        _post(session, [SimpleUploadedFile("a.mp4", SECRET)], field="file"), "t.one", "file", single=True
    ).hold_if(_Form())
    # A post without a file (and the box unticked) leaves the one held as it is.
    uploads = held.HeldUploads(_post(session, field="file"), "t.one", "file", single=True)
    uploads.hold_if(_Form(title=["必填"]))
    assert [e["name"] for e in uploads.shown()] == ["a.mp4"]
    # A new file replaces it.
    uploads = held.HeldUploads(
        _post(session, [SimpleUploadedFile("b.mp4", b"v")], field="file"), "t.one", "file", single=True
    )
    uploads.hold_if(_Form(title=["必填"]))
    assert [e["name"] for e in uploads.shown()] == ["b.mp4"]
