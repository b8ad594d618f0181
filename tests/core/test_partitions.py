"""Monthly partitions (docs/partitions.md): on PostgreSQL the three tables that grow with time are
partitioned and the beat task creates their coming months; a notification's deliveries sit in the
month of the notification and stay unique per channel. On SQLite the tables stay plain and the
command says so."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jijian.audit.models import AuditEvent
from jijian.core.models import Notification, NotificationDelivery
from jijian.core.notify import notify
from jijian.core.tasks import create_partitions_ahead, retain_partitions
from jijian.partitions import (
    add_months,
    partitioned_tables,
    partitions_create_ahead,
    partitions_drop_empty,
    partitions_of,
    partitions_retain,
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
    assert retain_partitions() == {}
    call_command("partitions", "retain")  # exits normally
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


# --- retention: old months detached by the rule of each table ---------------------------------------
ROOT = Path(__file__).resolve().parents[2]


def _settings_start(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.PARTITION_KEEP_MONTHS)"],
        env={
            **os.environ,
            "JIJIAN_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "jijian.config.settings",
            "PYTHONPATH": str(ROOT / "src"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_retention_rules_default_to_six_months_of_deliveries_and_duty_records_kept_for_ever():
    done = _settings_start({})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{'core_notificationdelivery': 6, 'reports_dutyrecord': 0}"
    done = _settings_start(
        {
            "JIJIAN_PARTITION_KEEP_MONTHS_CORE_NOTIFICATIONDELIVERY": "0",
            "JIJIAN_PARTITION_KEEP_MONTHS_REPORTS_DUTYRECORD": "60",
        }
    )
    assert done.stdout.strip() == "{'core_notificationdelivery': 0, 'reports_dutyrecord': 60}"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("JIJIAN_PARTITION_KEEP_MONTHS_CORE_NOTIFICATIONDELIVERY", "六个月", "应为整数"),
        ("JIJIAN_PARTITION_KEEP_MONTHS_CORE_NOTIFICATIONDELIVERY", "-1", "不能小于 0"),
        ("JIJIAN_PARTITION_KEEP_MONTHS_CORE_NOTIFICATIONDELIVERY", "2", "应为 0（永不摘下）或不少于 3 个月"),
        ("JIJIAN_PARTITION_KEEP_MONTHS_REPORTS_DUTYRECORD", "12", "应为 0（永不摘下）或不少于 24 个月"),
    ],
)
def test_a_bad_retention_rule_stops_start_up_naming_it(name, value, message):
    done = _settings_start({name: value})
    assert done.returncode != 0
    assert name in done.stderr and message in done.stderr


def _delivery_at(people, moment: datetime) -> NotificationDelivery:
    note = Notification.objects.create(recipient=people.member_a, title="旧提醒", created_at=moment)
    return NotificationDelivery.objects.create(notification=note, channel="sms", created_at=moment)


def _rows_in(table: str, pk: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE id = %s", [pk])  # noqa: S608 (a test's table name)
        return cursor.fetchone()[0]


@needs_postgres
def test_a_delivery_of_eight_months_ago_is_detached_by_the_daily_task_and_last_months_stays(people, settings):
    assert settings.PARTITION_KEEP_MONTHS["core_notificationdelivery"] == 6
    zone = ZoneInfo(settings.TIME_ZONE)
    this_month = timezone.localdate().replace(day=1)
    old_month, last_month = add_months(this_month, -8), add_months(this_month, -1)
    old = _delivery_at(people, datetime(old_month.year, old_month.month, 15, 9, tzinfo=zone))
    recent = _delivery_at(people, datetime(last_month.year, last_month.month, 15, 9, tzinfo=zone))
    edge_month = add_months(this_month, -5)  # the oldest of the six months kept
    edge = _delivery_at(people, datetime(edge_month.year, edge_month.month, 1, 0, 5, tzinfo=zone))
    partitions_create_ahead()  # the daily task gives the late months their partitions first
    old_table = f"core_notificationdelivery_p{old_month:%Y%m}"
    assert old_table in {p.name for p in partitions_of("core_notificationdelivery")}

    assert retain_partitions() == {"core_notificationdelivery": [old_table]}
    entry = AuditEvent.objects.get(action="partitions.retain")  # recorded, with what left the table
    assert entry.object_id == "core_notificationdelivery"
    assert entry.after == {
        "table": "core_notificationdelivery",
        "keep_months": 6,
        "detached_partitions": [old_table],
    }

    assert not NotificationDelivery.objects.filter(pk=old.pk).exists()
    assert NotificationDelivery.objects.filter(pk=recent.pk).exists()
    assert _rows_in(old_table, old.pk) == 1  # detached, not deleted: a plain table to archive
    attached = {p.name for p in partitions_of("core_notificationdelivery")}
    assert old_table not in attached
    assert f"core_notificationdelivery_p{edge_month:%Y%m}" in attached
    assert NotificationDelivery.objects.filter(pk=edge.pk).exists()
    assert retain_partitions() == {}  # idempotent
    assert AuditEvent.objects.filter(action="partitions.retain").count() == 1


@needs_postgres
def test_the_command_applies_the_rules_and_a_table_without_a_rule_keeps_its_months(people, settings, capsys):
    settings.PARTITION_KEEP_MONTHS = {"core_notificationdelivery": 0, "reports_dutyrecord": 0}
    zone = ZoneInfo(settings.TIME_ZONE)
    old = _delivery_at(people, datetime(2024, 3, 15, 9, tzinfo=zone))
    partitions_create_ahead()
    call_command("partitions", "retain")
    out = capsys.readouterr().out
    assert "core_notificationdelivery：不按保留期摘下" in out and "已摘下分区 0 个" in out
    assert NotificationDelivery.objects.filter(pk=old.pk).exists()
    assert "audit_auditevent：只由 jijian audit prune" in out  # its months are the audit prune's alone

    settings.PARTITION_KEEP_MONTHS = {"core_notificationdelivery": 3, "reports_dutyrecord": 0}
    call_command("partitions", "retain")
    out = capsys.readouterr().out
    assert "core_notificationdelivery：保留 3 个月" in out
    assert "已摘下分区 1 个：core_notificationdelivery_p202403" in out
    assert not NotificationDelivery.objects.filter(pk=old.pk).exists()
    assert partitions_retain() == {}
