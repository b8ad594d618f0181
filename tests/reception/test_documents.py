"""Documents shown or handed in during the session go into the case through the attachment service
and follow the reception's access: the office and the booking township open them, nobody else."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from jijian.audit.models import AuditEvent
from jijian.reception.access import documents_of
from jijian.reception.models import ReceptionState
from tests.conftest import sign_in
from tests.reception.helpers import reception

pytestmark = pytest.mark.django_db


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("身份证.png", buffer.getvalue(), content_type="image/png")


def test_a_document_from_the_terminal_is_kept_with_the_reception_and_scoped(tree, people):
    r = reception(
        tree.city, township=tree.township_a, booked_by=people.township_a, state=ReceptionState.IN_SESSION
    )
    terminal = Client()
    sign_in(terminal, people.township_a)
    terminal.post(reverse("reception:document_add", args=[r.pk]), {"document": png()})
    doc = documents_of(r).get()
    assert doc.original_name == "身份证.png"
    assert AuditEvent.objects.filter(action="reception.document_add", object_id=str(r.pk)).exists()
    url = reverse("attachments:download", args=[doc.pk])
    for user, status in ((people.township_a, 200), (people.city_petition, 200), (people.township_b, 404)):
        client = Client()
        sign_in(client, user)
        assert client.get(url).status_code == status, user
    office = Client()
    sign_in(office, people.city_petition)
    assert "身份证.png" in office.get(reverse("reception:detail", args=[r.pk])).content.decode()


def test_a_refused_file_is_said_and_nothing_kept(tree, people):
    r = reception(tree.city, state=ReceptionState.IN_SESSION)
    office = Client()
    sign_in(office, people.city_petition)
    bad = SimpleUploadedFile("material.png", b"MZ\x90\x00not a png", content_type="image/png")
    page = office.post(reverse("reception:document_add", args=[r.pk]), {"document": bad}, follow=True)
    assert not documents_of(r).exists()
    assert any(m.level_tag == "error" for m in page.context["messages"])


def test_several_documents_are_kept_together_or_not_at_all(tree, people, files_dir):
    r = reception(tree.city, state=ReceptionState.IN_SESSION)
    office = Client()
    sign_in(office, people.city_petition)
    bad = SimpleUploadedFile("material.png", b"MZ\x90\x00not a png", content_type="image/png")
    page = office.post(
        reverse("reception:document_add", args=[r.pk]), {"document": [png(), bad]}, follow=True
    )
    assert not documents_of(r).exists()
    assert not [p for p in files_dir.rglob("*") if p.is_file()] if files_dir.exists() else True
    assert not AuditEvent.objects.filter(action="reception.document_add").exists()
    errors = [str(m) for m in page.context["messages"] if m.level_tag == "error"]
    assert errors and errors[0].startswith("“material.png”：")

    office.post(reverse("reception:document_add", args=[r.pk]), {"document": [png(), png()]})
    assert documents_of(r).count() == 2
    assert AuditEvent.objects.filter(action="reception.document_add").count() == 2
