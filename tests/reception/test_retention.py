"""Retention of the recordings: past JIJIAN_RECEPTION_RECORDING_RETENTION_DAYS after the session the
daily task (and `jijian reception_retention`) removes a recording's file, unless its reception is
linked to a case still open; the row stays with its SHA-256, each removal an audit event; 0 keeps
everything."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jijian.audit.models import AuditEvent
from jijian.core import links
from jijian.reception.models import ReceptionRecording, ReceptionState, RecordingState
from jijian.reception.services import REPORT_REF
from jijian.reception.tasks import recordings_retention
from tests.reception.helpers import reception

pytestmark = pytest.mark.django_db


def recorded(tree, tmp_path, *, days_ago: int, case=None):
    r = reception(tree.city, state=ReceptionState.ENDED)
    r.ended_at = timezone.now() - timedelta(days=days_ago)
    if case is not None:
        r.case_ref = REPORT_REF.format(pk=case.pk, serial=case.serial_number)
    r.save(update_fields=["ended_at", "case_ref"])
    path = tmp_path / f"petitioner-{r.pk}.webm"
    path.write_bytes(b"webm" * 10)
    return ReceptionRecording.objects.create(
        reception=r,
        participant="petitioner",
        segment="1",
        file_path=str(path),
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        duration_seconds=4.0,
        state=RecordingState.VERIFIED,
    )


def report(tree, people):
    return links.petition_register(
        actor=people.city_petition,
        channel="video",
        category="accusation",
        region=tree.city,
        facts="反映村集体土地补偿款发放不公开的问题，请求核查。",
        is_anonymous=False,
        accused_name="王某",
        accused_unit="厉山镇神农村",
        reporter_name="张三",
        reporter_phone="13907220001",
    )


def test_past_retention_a_recording_goes_unless_its_case_is_open(tree, people, tmp_path, settings):
    from jijian.petitions.models import PetitionReport

    settings.RECEPTION_RECORDING_RETENTION_DAYS = 365
    open_case, closed_case = report(tree, people), report(tree, people)
    PetitionReport.objects.filter(pk=closed_case.pk).update(state="closed")
    old = recorded(tree, tmp_path, days_ago=400)
    old_open = recorded(tree, tmp_path, days_ago=400, case=open_case)
    old_closed = recorded(tree, tmp_path, days_ago=400, case=closed_case)
    young = recorded(tree, tmp_path, days_ago=30)
    with django_capture_on_commit():
        assert recordings_retention() == 2
    for rec, gone in ((old, True), (old_open, False), (old_closed, True), (young, False)):
        rec.refresh_from_db()
        assert (rec.state == RecordingState.PURGED) is gone, rec
        assert (not (tmp_path / f"petitioner-{rec.reception_id}.webm").exists()) is gone
        assert rec.sha256  # the record that it existed stays
        assert (
            AuditEvent.objects.filter(action="reception.recording_purge", object_id=str(rec.pk)).exists()
            is gone
        )
    # Run again: nothing more goes.
    assert recordings_retention() == 0
    # The integrity check does not count removed recordings as missing.
    call_command("reception_verify")


def test_zero_keeps_everything_and_the_command_can_dry_run(tree, people, tmp_path, settings, capsys):
    old = recorded(tree, tmp_path, days_ago=4000)
    settings.RECEPTION_RECORDING_RETENTION_DAYS = 0
    assert recordings_retention() == 0
    call_command("reception_retention")
    assert "永久保存" in capsys.readouterr().out
    settings.RECEPTION_RECORDING_RETENTION_DAYS = 365
    call_command("reception_retention", "--dry-run")
    out = capsys.readouterr().out
    assert "将删除" in out and old.file_path in out
    old.refresh_from_db()
    assert (
        old.state == RecordingState.VERIFIED and (tmp_path / f"petitioner-{old.reception_id}.webm").exists()
    )


def django_capture_on_commit():
    """Run the on-commit file removals of the test's transaction (pytest-django's test transaction
    never commits)."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
