"""Retention: entries older than AUDIT_RETENTION_DAYS (never under 180 days) are pruned from the start
of the chain behind a checkpoint, and what is left still verifies; a broken chain is never pruned."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from jijian.audit.models import AuditCheckpoint, AuditEvent
from jijian.audit.services import audit_head, audit_prune, audit_record, audit_seal, audit_verify

from .tampering import TABLE, raw_set, tamper

pytestmark = pytest.mark.django_db


def record_at(days_ago: int, n: int) -> list[AuditEvent]:
    moment = timezone.now() - timedelta(days=days_ago)
    with mock.patch("jijian.audit.services.timezone.now", return_value=moment):
        return [audit_record(action="test.old", summary=f"{days_ago}天前第{i}条") for i in range(n)]


def test_old_entries_are_pruned_behind_a_checkpoint_and_the_rest_verifies(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    old = record_at(400, 3)
    young = record_at(200, 2) + record_at(0, 1)
    audit_seal()
    assert audit_prune() == 3
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in young]).count() == 3
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.seq, checkpoint.pruned_count) == (3, 3)
    prune_event = AuditEvent.objects.get(action="audit.prune")
    assert "3 条" in prune_event.summary
    audit_seal()
    result = audit_verify()
    assert result.ok and result.checked == 4  # three young entries and the prune record
    assert audit_prune() == 0  # nothing more is old enough


def test_the_retention_never_goes_under_180_days(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    record_at(100, 2)
    audit_seal()
    assert audit_prune() == 0
    assert AuditEvent.objects.count() == 2


def test_pruning_stops_at_the_first_young_entry_in_chain_order(settings):
    settings.AUDIT_RETENTION_DAYS = 180
    record_at(300, 1)
    record_at(1, 1)
    record_at(300, 1)  # an old timestamp sealed after a young one stays: only a prefix goes
    audit_seal()
    assert audit_prune() == 1
    audit_seal()
    assert audit_verify().ok


def test_a_broken_chain_is_not_pruned(settings):
    settings.AUDIT_RETENTION_DAYS = 180
    old = record_at(400, 3)
    audit_seal()
    raw_set(old[1].pk, {"summary": "改过"})
    with pytest.raises(CommandError, match="拒绝清理"):
        call_command("audit", "prune")
    assert AuditEvent.objects.filter(action="test.old").count() == 3
    assert not AuditCheckpoint.objects.exists()


def test_tampering_after_a_prune_is_still_found(settings):
    settings.AUDIT_RETENTION_DAYS = 180
    record_at(400, 2)
    young = record_at(0, 3)
    audit_seal()
    audit_prune()
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [young[0].pk])
    result = audit_verify()
    assert (result.ok, result.first_bad_seq, result.first_bad_id) == (False, 3, young[1].pk)


def test_an_anchor_older_than_the_checkpoint_is_refused_and_a_newer_one_checked(settings):
    settings.AUDIT_RETENTION_DAYS = 180
    record_at(400, 2)
    audit_seal()
    old_anchor = audit_head()
    assert old_anchor[0] == 2
    record_at(0, 2)
    audit_seal()
    audit_prune()
    assert not audit_verify(anchor=(1, "0" * 64)).ok
    assert audit_verify(anchor=old_anchor).ok  # the checkpoint is exactly at the old head
    audit_seal()
    assert audit_verify(anchor=audit_head()).ok


def test_checkpoints_cannot_be_changed():
    record_at(400, 1)
    audit_seal()
    audit_prune()
    checkpoint = AuditCheckpoint.objects.get()
    with pytest.raises(PermissionError):
        checkpoint.save()
    with pytest.raises(PermissionError):
        checkpoint.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditcheckpoint SET chain_hash = 'x'")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the DELETE guard is PostgreSQL only")
def test_postgresql_allows_deleting_only_below_the_checkpoint(settings):
    settings.AUDIT_RETENTION_DAYS = 180
    record_at(400, 1)
    young = record_at(0, 1)
    audit_seal()
    audit_prune()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [young[0].pk])
