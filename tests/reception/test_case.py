"""A session becomes a registered report (channel 视频接访, dated from the session, the accused and the
petitioner carried over, minutes as facts, recordings attached), or is linked to one already
registered — through the core ports petitions provides, never by importing petitions here."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jijian.core import links
from jijian.reception import services
from jijian.reception.models import ReceptionRecording, ReceptionState, RecordingState
from jijian.reception.recordings import sha256_of
from tests.attachments.samples import vp8_film
from tests.conftest import sign_in
from tests.reception.helpers import TEXT, reception

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed (make sysdeps-test)"),
]


def endorsed(tree, people, tmp_path):
    r = reception(
        tree.city, township=tree.township_a, state=ReceptionState.ENDED, day=date.today() - timedelta(days=3)
    )
    r.started_at = timezone.now() - timedelta(days=3)
    r.save(update_fields=["started_at"])
    m = services.minutes_save(actor=people.city_petition, reception=r, text=TEXT, version=None)
    services.minutes_confirm(reception=r, digest=m.digest, where="测试")
    services.minutes_endorse(actor=people.city_petition, reception=r, version=m.version)
    # A recording as the conversion leaves it (a WebM file, verified, hashed).
    video = tmp_path / f"petitioner-{r.pk}.webm"
    vp8_film(video, source="testsrc=size=160x120:rate=10", seconds=1)
    ReceptionRecording.objects.create(
        reception=r,
        participant="petitioner",
        segment="1",
        file_path=str(video),
        sha256=sha256_of(video),
        duration_seconds=9.5,
        state=RecordingState.VERIFIED,
    )
    return r


def test_one_click_registers_the_session_as_a_report(tree, people, tmp_path):
    r = endorsed(tree, people, tmp_path)
    client = Client()
    sign_in(client, people.city_petition)
    answer = client.post(
        reverse("reception:act", args=[r.pk]),
        {"action": "case_register", "version": r.version, "category": "accusation", "matter": "integrity"},
        follow=True,
    )
    r.refresh_from_db()
    assert r.case_ref, [str(m) for m in answer.context["messages"]]
    pk, _, serial = r.case_ref.partition(":")[2].partition("|")
    assert serial.startswith("XF")
    report = links.petition_by_serial(people.city_petition, serial)
    assert report.pk == int(pk)
    assert (
        report.channel == "video"
        and report.accused_name == "王某"
        and report.reporter_name == r.petitioner_name
        and report.matter == "integrity"  # the statistics count the session under 廉洁纪律
    )
    assert timezone.localdate(report.received_at) == timezone.localdate(r.started_at)  # limits run from then
    assert TEXT in report.facts and "SHA-256" in report.facts
    from jijian.attachments.models import Attachment

    assert Attachment.objects.filter(object_id=report.pk, module="petitions").count() == 1
    # Once linked, not again.
    with pytest.raises(ValidationError, match="已关联"):
        services.case_register(actor=people.city_petition, reception=r, category="accusation")
    page = client.get(reverse("reception:detail", args=[r.pk])).content.decode()
    assert serial in page


def test_link_to_an_existing_report_in_reach_only(tree, people, tmp_path):
    r = endorsed(tree, people, tmp_path)
    with pytest.raises(ValidationError, match="未找到"):
        services.case_link(actor=people.city_petition, reception=r, serial="XF-NONE")
    other = endorsed(tree, people, tmp_path)
    serial = services.case_register(actor=people.city_petition, reception=other, category="complaint")
    assert services.case_link(actor=people.city_petition, reception=r, serial=serial) == serial


def test_not_before_the_minutes_are_endorsed(tree, people):
    r = reception(tree.city, state=ReceptionState.ENDED)
    with pytest.raises(ValidationError, match="签字背书后"):
        services.case_register(actor=people.city_petition, reception=r, category="accusation")


def test_playback_is_for_the_office_and_audited(tree, people, tmp_path):
    from jijian.audit.models import AuditEvent

    r = endorsed(tree, people, tmp_path)
    rec = r.recordings.get()
    url = reverse("reception:recording", args=[r.pk, rec.pk])
    office = Client()
    sign_in(office, people.city_petition)
    answer = office.get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "video/webm"
    assert b"".join(answer.streaming_content) == Path(rec.file_path).read_bytes()
    assert (
        AuditEvent.objects.filter(action="reception.recording_play", actor=people.city_petition).count() == 1
    )
    terminal = Client()
    sign_in(terminal, people.township_a)
    assert terminal.get(url).status_code == 404
