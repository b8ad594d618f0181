"""Monthly partitions (docs/partitions.md): on PostgreSQL the three tables that grow with time are
partitioned and the beat task creates their coming months; a notification's deliveries sit in the
month of the notification and stay unique per channel. On SQLite the tables stay plain and the
command says so."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jijian.core.models import NotificationDelivery
from jijian.core.notify import notify
from jijian.core.tasks import create_partitions_ahead
from jijian.partitions import (
    add_months,
    partitioned_tables,
    partitions_create_ahead,
    partitions_drop_empty,
    partitions_of,
)

pytestmark = pytest.mark.django_db

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="partitions exist on PostgreSQL only (SQLite keeps plain tables); CI runs these in its PostgreSQL phase",
)
TABLES = ["audit_auditevent", "core_notificationdelivery", "reports_dutyrecord"]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite side of the same command")
def test_on_sqlite_nothing_is_partitioned_and_the_command_says_so(capsys):
    assert partitioned_tables() == []
    assert create_partitions_ahead() == []
    call_command("partitions", "status")
    assert "不是 PostgreSQL" in capsys.readouterr().out


@needs_postgres
def test_the_three_tables_are_partitioned_by_month_with_a_default_partition():
    assert [(t.name, t.column) for t in partitioned_tables()] == [
        ("audit_auditevent", "created_at"),
        ("core_notificationdelivery", "created_at"),
        ("reports_dutyrecord", "month"),
    ]
    for table in TABLES:
        assert partitions_of(table)[-1].name == f"{table}_default"


@needs_postgres
def test_the_coming_months_are_created_three_months_ahead_for_every_table():
    created = partitions_create_ahead(today=date(2032, 1, 20))
    assert sorted(created) == sorted(f"{t}_p2032{m:02d}" for t in TABLES for m in (1, 2, 3, 4))
    assert partitions_create_ahead(today=date(2032, 1, 20)) == []  # idempotent
    months = [p.month for p in partitions_of("core_notificationdelivery") if p.month]
    assert date(2032, 4, 1) in months and date(2032, 5, 1) not in months


@needs_postgres
def test_the_beat_task_has_this_month_and_three_more_of_every_table():
    assert create_partitions_ahead() == []  # made by the migrations; the task finds nothing to do
    this_month = timezone.localdate().replace(day=1)
    for table in TABLES:
        months = {p.month for p in partitions_of(table)}
        assert {this_month, add_months(this_month, 3)} <= months


@needs_postgres
def test_a_delivery_sits_in_its_notifications_month_and_stays_unique_per_channel(people):
    note = notify(recipient=people.member_a, title="提醒", channels=("sms",))
    delivery = NotificationDelivery.objects.get(notification=note)
    assert delivery.created_at == note.created_at
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM core_notificationdelivery WHERE id = %s", [delivery.pk]
        )
        assert (
            cursor.fetchone()[0] == f"core_notificationdelivery_p{timezone.localtime(note.created_at):%Y%m}"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationDelivery.objects.create(notification=note, channel="sms", created_at=note.created_at)


@needs_postgres
def test_the_status_command_lists_the_months(capsys):
    call_command("partitions", "status")
    out = capsys.readouterr().out
    assert "reports_dutyrecord（按 month 分月）" in out and "默认分区" in out


@needs_postgres
def test_before_a_restore_only_empty_partitions_are_dropped(people):
    notify(recipient=people.member_a, title="提醒", channels=("sms",))
    with pytest.raises(ValueError, match="core_notificationdelivery_p"):
        partitions_drop_empty()
    assert len(partitions_of("core_notificationdelivery")) >= 5


@needs_postgres
def test_the_months_and_the_default_partition_come_back_after_a_failed_restore(db):
    for table in TABLES:  # an empty instance, as `jijian restore` requires
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")
            assert cursor.fetchone()[0] == 0
    dropped = partitions_drop_empty()
    assert "reports_dutyrecord_default" in dropped and partitions_of("reports_dutyrecord") == []
    created = partitions_create_ahead()
    for table in TABLES:
        assert f"{table}_default" in created
        assert len(partitions_of(table)) == 5  # this month, three ahead, the default
