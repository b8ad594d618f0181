"""Files held across a form error (attachments.held): encrypted at rest, tied to the session that
chose them, read back intact, and gone once they expire."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django import forms
from django.contrib.sessions.backends.cache import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import timezone

from jijian.attachments import held
from jijian.attachments.services import attachment_orphans_sweep, file_storage
from jijian.attachments.sniff import Kind

from . import samples

pytestmark = pytest.mark.django_db
SECRET = "举报材料：某村主任虚报冒领补贴".encode() * 20
PDF = samples.pdf()


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


EXE = b"MZ\x90\x00" + b"\x00" * 200


class _Form(forms.Form):
    """A form with a required field beside its file inputs."""

    notes = forms.CharField()
    uploads = forms.FileField(required=False)
    file = forms.FileField(required=False)


def _post(session, files=(), keep=(), field="uploads", notes=""):
    request = RequestFactory().post("/f", {"held_keep": list(keep), field: list(files), "notes": notes})
    request.session = session
    return request


def _form(request, **errors) -> _Form:
    form = _Form(request.POST, request.FILES)
    for field, messages in errors.items():
        form.add_error(field, messages)
    return form


def test_held_uploads_helper_holds_after_an_error_and_gives_kept_then_chosen():
    session = SessionStore()
    request = _post(session, [SimpleUploadedFile("a.pdf", PDF)])
    first = held.HeldUploads(request, "t.form", "uploads")
    first.hold_if(_form(request))  # notes missing
    [entry] = first.shown()
    assert entry["name"] == "a.pdf"

    # The next post keeps the held file: it comes first, read back intact, then the new one.
    request = _post(session, [SimpleUploadedFile("b.txt", b"new")], keep=[entry["id"]])
    uploads = held.HeldUploads(request, "t.form", "uploads")
    with uploads.files(request.FILES.getlist("uploads")) as files:
        assert [f.name for f in files] == ["a.pdf", "b.txt"]
        assert files[0].read() == PDF
        kept = files[0]
    assert kept.closed  # the temporary copy is closed when the block ends
    assert not request.FILES["uploads"].closed  # the post's own upload may yet be held
    uploads.release()
    assert uploads.shown() == []


def test_held_uploads_helper_holds_nothing_when_the_files_were_refused_and_lets_go_on_get():
    session = SessionStore()
    request = _post(session, [SimpleUploadedFile("a.pdf", PDF)])
    uploads = held.HeldUploads(request, "t.form", "uploads")
    uploads.hold_if(_form(request, uploads=["文件类型不允许"]))
    assert uploads.shown() == []

    uploads.hold_if(_form(request))
    assert len(uploads.shown()) == 1
    get = RequestFactory().get("/f")
    get.session = session
    held.HeldUploads(get, "t.form", "uploads").hold_if(_Form())  # a GET holds nothing
    assert len(uploads.shown()) == 1
    held.HeldUploads(get, "t.form", "uploads").on_get()  # a fresh form page lets them go
    assert uploads.shown() == []


def test_a_file_of_a_kind_the_form_does_not_take_is_not_held_and_named_on_the_field():
    session = SessionStore()
    request = _post(
        session,
        [
            SimpleUploadedFile("a.exe", EXE),
            SimpleUploadedFile("现场.mp4", samples.mp4()),
            SimpleUploadedFile("照片.jpg", samples.photo()),
        ],
    )
    uploads = held.HeldUploads(request, "t.form", "uploads")  # attachment_store's default kinds
    form = _form(request)
    uploads.hold_if(form)
    assert [e["name"] for e in uploads.shown()] == ["照片.jpg"]
    assert form.errors["uploads"] == [
        "不支持的文件类型：可执行程序。可上传图片、PDF、Office 文档",
        "不接收MP4 视频：只接收图片、PDF、Office 文档",
    ]
    assert form.errors["notes"]  # the form's own error stays

    # A form that takes videos (kinds=, as its service passes them to attachment_store) holds it.
    request = _post(session, [SimpleUploadedFile("现场.mp4", samples.mp4())])
    uploads = held.HeldUploads(request, "t.video", "uploads", kinds={Kind.VIDEO})
    form = _form(request)
    uploads.hold_if(form)
    assert [e["name"] for e in uploads.shown()] == ["现场.mp4"]
    assert "uploads" not in form.errors


def test_the_public_portal_holds_only_its_own_kinds(settings):
    settings.PUBLIC_UPLOAD_KINDS = ["image"]
    session = SessionStore()
    request = _post(
        session, [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.png", samples.photo("PNG"))]
    )
    uploads = held.HeldUploads(request, "t.public", "uploads", public=True)
    form = _form(request)
    uploads.hold_if(form)
    assert [e["name"] for e in uploads.shown()] == ["b.png"]
    assert form.errors["uploads"] == ["不接收PDF 文档：只接收图片"]


def test_held_uploads_helper_single_replaces_the_held_file_and_keeps_it_without_a_new_one():
    session = SessionStore()
    request = _post(session, [SimpleUploadedFile("a.mp4", samples.mp4())], field="file")
    held.HeldUploads(request, "t.one", "file", single=True, kinds={Kind.VIDEO}).hold_if(_form(request))
    # A post without a file (and the box unticked) leaves the one held as it is.
    request = _post(session, field="file")
    uploads = held.HeldUploads(request, "t.one", "file", single=True, kinds={Kind.VIDEO})
    uploads.hold_if(_form(request))
    assert [e["name"] for e in uploads.shown()] == ["a.mp4"]
    # A new file replaces it.
    request = _post(session, [SimpleUploadedFile("b.mp4", samples.mp4(b"mp42"))], field="file")
    uploads = held.HeldUploads(request, "t.one", "file", single=True, kinds={Kind.VIDEO})
    uploads.hold_if(_form(request))
    assert [e["name"] for e in uploads.shown()] == ["b.mp4"]
    # One it would refuse does not: it is named on the field, and the one held stays.
    request = _post(session, [SimpleUploadedFile("c.pdf", PDF)], field="file")
    uploads = held.HeldUploads(request, "t.one", "file", single=True, kinds={Kind.VIDEO})
    form = _form(request)
    uploads.hold_if(form)
    assert [e["name"] for e in uploads.shown()] == ["b.mp4"]
    assert form.errors["file"] == ["不接收PDF 文档：只接收视频"]


def test_a_held_file_the_forms_kinds_now_refuse_is_let_go_and_named_the_rest_kept(settings):
    """Held under kinds that took it (a video reception; the portal's kinds of the day), then posted
    under kinds that refuse it: drop_refused lets it go and names it on the files field; the other
    held file stays held and the file chosen with this post is held too."""
    session = SessionStore()
    request = _post(
        session, [SimpleUploadedFile("现场.mp4", samples.mp4()), SimpleUploadedFile("a.pdf", PDF)]
    )
    held.HeldUploads(request, "t.form", "uploads", kinds={Kind.VIDEO, Kind.PDF}).hold_if(_form(request))
    ids = {e["name"]: e["id"] for e in held.uploads_held(session=session, key="t.form")}
    stored = {e["name"]: e["storage"] for e in session[held.SESSION_KEY]["t.form"]}

    request = _post(session, [SimpleUploadedFile("b.pdf", PDF)], keep=ids.values(), notes="x")
    uploads = held.HeldUploads(request, "t.form", "uploads", kinds={Kind.PDF})
    form = _form(request)
    uploads.drop_refused(form)
    assert form.errors["uploads"] == ["已附的文件“现场.mp4”已移除：不接收MP4 视频：只接收PDF"]
    assert not file_storage().exists(stored["现场.mp4"]) and file_storage().exists(stored["a.pdf"])
    uploads.hold_if(form)
    assert [e["name"] for e in uploads.shown()] == ["a.pdf", "b.pdf"]

    # The public portal: a PDF held while the portal took PDFs, posted once it takes only images.
    settings.PUBLIC_UPLOAD_KINDS = ["image", "pdf"]
    request = _post(session, [SimpleUploadedFile("c.pdf", PDF)])
    held.HeldUploads(request, "t.public", "uploads", public=True).hold_if(_form(request))
    [entry] = held.uploads_held(session=session, key="t.public")
    settings.PUBLIC_UPLOAD_KINDS = ["image"]
    request = _post(session, keep=[entry["id"]], notes="x")
    uploads = held.HeldUploads(request, "t.public", "uploads", public=True)
    form = _form(request)
    uploads.drop_refused(form)
    assert form.errors["uploads"] == ["已附的文件“c.pdf”已移除：不接收PDF 文档：只接收图片"]
    assert uploads.shown() == []
