"""The waiting room: the petitioner who joins waits (no room, no PIN) until an official of the
receiving office, having checked who they are, admits them; a refused petitioner is told so. Every
step is an audit event. And the petitioner's own uploads during the session: with the upload token
given on admission, through the attachment service (its checks, Chinese messages), into the case."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from jijian.audit.models import AuditEvent
from jijian.reception import services
from jijian.reception.access import documents_of
from jijian.reception.models import ReceptionState
from tests.conftest import sign_in
from tests.reception.helpers import reception

pytestmark = pytest.mark.django_db


def in_session(tree, **kw):
    r = reception(tree.city, state=ReceptionState.IN_SESSION, day=date.today(), **kw)
    r.room_id, r.room_pin = 10_000_000 + r.pk, "12345678"
    r.save(update_fields=["room_id", "room_pin"])
    return r


def join(client, r, token):
    return client.post(reverse("reception:join", args=[r.pk]), {"token": token})


def events(r, action):
    return AuditEvent.objects.filter(action=action, object_id=str(r.pk))


def test_the_petitioner_waits_until_admitted_and_only_then_gets_the_room(tree, people):
    r = in_session(tree)
    petitioner = Client()
    token = services.join_token_mint(reception=r, participant="petitioner", display="信访人")
    first = join(petitioner, r, token)
    assert first.status_code == 202
    body = first.json()
    assert body["waiting"] and "等候室" in body["message"]
    assert "pin" not in body and "room" not in body and "12345678" not in first.content.decode()
    # Polling with the fresh token it was given keeps it waiting, and is not a second event.
    again = join(petitioner, r, body["token"])
    assert again.status_code == 202
    assert events(r, "reception.wait").count() == 1

    office = Client()
    sign_in(office, people.city_petition)
    lobby = office.get(reverse("reception:lobby", args=[r.pk])).json()
    assert lobby["admission"] == "waiting" and lobby["name"] == r.petitioner_name
    assert (
        lobby["id_number"] != r.petitioner_id_number
        and lobby["id_number"][-4:] == r.petitioner_id_number[-4:]
    )
    admitted = office.post(reverse("reception:lobby", args=[r.pk]), {"decision": "admit"}).json()
    assert admitted["admission"] == "admitted"
    event = events(r, "reception.admit").get()
    assert event.actor_id == people.city_petition.pk

    answer = join(petitioner, r, again.json()["token"])
    assert answer.status_code == 200
    assert answer.json()["pin"] == "12345678" and answer.json()["upload_token"]


def test_a_refused_petitioner_is_told_and_gets_nothing_but_may_be_admitted_after_all(tree, people):
    r = in_session(tree)
    token = services.join_token_mint(reception=r, participant="petitioner", display="信访人")
    assert join(Client(), r, token).status_code == 202
    services.petitioner_admit(actor=people.city_petition, reception=r, admit=False)
    refused = join(Client(), r, token)
    assert refused.status_code == 403
    assert refused.json()["error"] == services.REFUSED and "pin" not in refused.json()
    assert events(r, "reception.refuse").count() == 1
    # Refusing again is not a change; admitting after a second check is.
    with pytest.raises(ValidationError, match="未准入"):
        services.petitioner_admit(actor=people.city_petition, reception=r, admit=False)
    services.petitioner_admit(actor=people.city_petition, reception=r, admit=True)
    assert join(Client(), r, token).status_code == 200


def test_officials_join_at_once_and_only_the_receiving_office_admits(tree, people):
    r = in_session(tree, township=tree.township_a, booked_by=people.township_a)
    official = services.join_token_mint(
        reception=r, participant=f"official:{people.city_petition.pk}", display="市信访室"
    )
    assert join(Client(), r, official).status_code == 200
    # Nobody waits yet: nothing to admit.
    with pytest.raises(ValidationError, match="未进入"):
        services.petitioner_admit(actor=people.city_petition, reception=r, admit=True)
    assert (
        join(
            Client(), r, services.join_token_mint(reception=r, participant="petitioner", display="x")
        ).status_code
        == 202
    )
    # The township terminal runs the petitioner's side: it neither sees the lobby nor admits.
    terminal = Client()
    sign_in(terminal, people.township_a)
    assert terminal.get(reverse("reception:lobby", args=[r.pk])).status_code == 404
    assert terminal.post(reverse("reception:lobby", args=[r.pk]), {"decision": "admit"}).status_code == 404
    r.refresh_from_db()
    assert r.admission == "waiting"
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.petitioner_admit(actor=people.township_a, reception=r, admit=True)


def test_the_room_page_shows_the_lobby_to_the_office_only(tree, people, settings):
    r = in_session(tree, township=tree.township_a, booked_by=people.township_a)
    office, terminal = Client(), Client()
    sign_in(office, people.city_petition)
    sign_in(terminal, people.township_a)
    assert 'id="lobby"' in office.get(reverse("reception:room", args=[r.pk])).content.decode()
    page = terminal.get(reverse("reception:room", args=[r.pk])).content.decode()
    assert 'id="lobby"' not in page and 'id="upload-form"' in page


def png(name="现场照片.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def admitted(tree, people):
    r = in_session(tree)
    token = services.join_token_mint(reception=r, participant="petitioner", display="信访人")
    join(Client(), r, token)
    services.petitioner_admit(actor=people.city_petition, reception=r, admit=True)
    return r, join(Client(), r, token).json()["upload_token"]


def upload(r, token, f):
    return Client().post(
        reverse("reception:petitioner_upload", args=[r.pk]), {"document": f}, HTTP_X_UPLOAD_TOKEN=token
    )


def test_the_admitted_petitioner_uploads_into_the_reception(tree, people):
    r, token = admitted(tree, people)
    answer = upload(r, token, png())
    assert answer.status_code == 200, answer.content
    doc = documents_of(r).get()
    assert doc.original_name == "现场照片.png" and doc.uploaded_by_id is None
    assert events(r, "reception.petitioner_document").count() == 1
    office = Client()
    sign_in(office, people.city_petition)
    assert "现场照片.png" in office.get(reverse("reception:detail", args=[r.pk])).content.decode()


def test_a_bad_upload_is_refused_in_chinese_and_nothing_kept(tree, people):
    r, token = admitted(tree, people)
    bad = SimpleUploadedFile("材料.png", b"MZ\x90\x00not a png at all", content_type="image/png")
    answer = upload(r, token, bad)
    assert answer.status_code == 400
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer.json()["error"])
    exe = SimpleUploadedFile(
        "setup.exe", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/octet-stream"
    )
    assert upload(r, token, exe).status_code == 400
    assert not documents_of(r).exists()
    assert not events(r, "reception.petitioner_document").exists()


def test_an_upload_beyond_the_public_limits_is_refused_with_413_and_nothing_kept(tree, people, settings):
    settings.PUBLIC_UPLOAD_MAX_MB = 1
    r, token = admitted(tree, people)
    url = reverse("reception:petitioner_upload", args=[r.pk])
    big = SimpleUploadedFile("大照片.png", png().read() + b"\0" * (1024 * 1024), content_type="image/png")
    answer = upload(r, token, big)
    assert answer.status_code == 413
    assert answer.json()["error"].startswith("文件“大照片.png”超过 1 MB 的上限")
    huge = SimpleUploadedFile("录像.png", b"\0" * (3 * 1024 * 1024), content_type="image/png")
    answer = upload(r, token, huge)  # beyond one file and the form: the body is not read
    assert answer.status_code == 413 and answer.json()["error"].startswith("上传内容过大：文件不能超过 1 MB")
    two = Client().post(url, {"document": [png(), png()]}, HTTP_X_UPLOAD_TOKEN=token)
    assert two.status_code == 413 and "最多上传 1 个文件" in two.json()["error"]
    assert not documents_of(r).exists()
    assert not events(r, "reception.petitioner_document").exists()


def test_no_upload_without_admission_with_another_token_or_after_the_session(tree, people):
    r, token = admitted(tree, people)
    other, other_token = admitted(tree, people)
    assert upload(r, other_token, png()).json()["error"] == "上传凭证不属于本次接访"
    assert upload(r, "forged", png()).json()["error"] == "上传凭证无效"
    waiting = in_session(tree)
    join(
        Client(), waiting, services.join_token_mint(reception=waiting, participant="petitioner", display="x")
    )
    forged_early = services.upload_token_mint(reception=waiting)  # minted, but nobody admitted them
    assert upload(waiting, forged_early, png()).json()["error"] == "只能在视频接访进行中上传材料"
    r.state = ReceptionState.ENDED
    r.save(update_fields=["state"])
    assert upload(r, token, png()).status_code == 400
    assert not documents_of(r).exists() and not documents_of(waiting).exists()
