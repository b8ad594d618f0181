"""The audit trail in monthly partitions (PostgreSQL; docs/partitions.md): the hash chain runs across
the months and `audit verify` walks it there, a tampered entry of an old month is named, and the
retention prune detaches whole old months behind its checkpoint instead of deleting them."""

from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from jijian.audit.models import AuditCheckpoint, AuditEvent
from jijian.audit.services import audit_prune, audit_record, audit_seal, audit_verify
from jijian.partitions import (
    first_of_month,
    partition_create,
    partition_name,
    partitions_create_ahead,
    partitions_of,
)

from .tampering import TABLE, raw_set, tamper

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="partitions exist on PostgreSQL only (SQLite keeps plain tables); CI runs these in its PostgreSQL phase",
    ),
]


def months_ago(n: int) -> datetime:
    """Noon on the 15th, n months before this one (local time)."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - n
    return timezone.make_aware(datetime(index // 12, index % 12 + 1, 15, 12))


def record_in(moment: datetime, n: int) -> list[AuditEvent]:
    partition_create(TABLE, moment.date())
    with mock.patch("jijian.audit.services.timezone.now", return_value=moment):
        return [audit_record(action="test.old", summary=f"{moment:%Y-%m} 第{i}条") for i in range(n)]


def partition_of(event: AuditEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [event.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def four_months():
    """Entries in four months: 15, 14 and 2 months ago, and this month."""
    return [record_in(months_ago(n), 2) for n in (15, 14, 2, 0)]


def test_entries_of_several_months_chain_and_verify(four_months, capsys):
    names = {partition_of(e) for month in four_months for e in month}
    assert len(names) == 4
    audit_seal()
    call_command("audit", "verify")
    assert "已校验 8 条" in capsys.readouterr().out
    first, last = four_months[0][0], four_months[-1][-1]
    first.refresh_from_db()
    last.refresh_from_db()
    assert (first.seq, last.seq) == (1, 8)


def test_a_tampered_entry_in_an_old_partition_is_named(four_months):
    audit_seal()
    victim = four_months[0][1]
    raw_set(victim.pk, {"summary": "改过"})
    result = audit_verify()
    assert (result.ok, result.first_bad_id) == (False, victim.pk)
    with pytest.raises(CommandError, match=f"id={victim.pk}"):
        call_command("audit", "verify", "--no-seal")


def test_an_entry_deleted_from_an_old_partition_is_named(four_months):
    audit_seal()
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [four_months[1][0].pk])
    result = audit_verify()
    assert (result.ok, result.first_bad_seq, result.first_bad_id) == (False, 3, four_months[1][1].pk)


def test_the_prune_detaches_whole_old_months_and_the_rest_verifies(four_months, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    audit_seal()
    old_names = [partition_name(TABLE, first_of_month(months_ago(n).date())) for n in (15, 14)]
    assert audit_prune() == 4
    attached = [p.name for p in partitions_of(TABLE)]
    assert not set(old_names) & set(attached)
    assert AuditEvent.objects.filter(action="test.old").count() == 4
    prune = AuditEvent.objects.get(action="audit.prune")
    assert prune.after["detached_partitions"] == old_names
    assert AuditCheckpoint.objects.get().seq == 4
    with connection.cursor() as cursor:  # kept, outside the trail, for the archive
        cursor.execute(f"SELECT count(*) FROM {old_names[0]}")
        assert cursor.fetchone()[0] == 2
    audit_seal()
    assert audit_verify().ok


def test_a_month_with_an_entry_sealed_after_a_young_one_stays_attached(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    record_in(months_ago(15), 1)
    record_in(months_ago(0), 1)
    late = record_in(months_ago(14) + timedelta(days=1), 1)  # an old time, sealed after a young entry
    audit_seal()
    assert audit_prune() == 1
    assert partition_of(late[0]) == partition_name(TABLE, first_of_month(months_ago(14).date()))
    audit_seal()
    assert audit_verify().ok


def test_an_entry_in_the_default_partition_stays_there_and_verifies():
    moment = months_ago(30)  # no partition for that month: the entry goes to the default partition
    with mock.patch("jijian.audit.services.timezone.now", return_value=moment):
        entry = audit_record(action="test.old", summary="默认分区")
    assert partition_of(entry) == "audit_auditevent_default"
    # The move into a month of its own would delete it from the default partition: the trigger refuses.
    assert partition_name(TABLE, first_of_month(moment.date())) not in partitions_create_ahead()
    assert partition_of(entry) == "audit_auditevent_default"
    audit_seal()
    assert audit_verify().ok
