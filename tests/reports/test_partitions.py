"""Duty records in monthly partitions (PostgreSQL; docs/partitions.md): a record lands in its month's
partition, the one-month statistics read only that partition, old months detach as tables, and a
month without a partition still takes records (the default partition)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jijian.core.tasks import retain_partitions
from jijian.partitions import (
    months_in_default,
    partition_create,
    partitions_create_ahead,
    partitions_detach,
    partitions_of,
    partitions_retain,
)
from jijian.reports.models import DutyRecord
from jijian.reports.statistics import node_statistics

from .helpers import visit

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="partitions exist on PostgreSQL only (SQLite keeps plain tables); CI runs these in its PostgreSQL phase",
    ),
]

TABLE = "reports_dutyrecord"
MONTHS = [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]


def table_of(record: DutyRecord) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [record.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def three_months(people):
    for month in MONTHS:
        assert partition_create(TABLE, month)
    return [visit(people.member_a, month.replace(day=10)) for month in MONTHS]


def test_a_record_is_stored_in_the_partition_of_its_month(three_months):
    assert [table_of(r) for r in three_months] == [
        "reports_dutyrecord_p202501",
        "reports_dutyrecord_p202502",
        "reports_dutyrecord_p202503",
    ]
    assert DutyRecord.objects.get(pk=three_months[1].pk).month == MONTHS[1]


def test_a_record_of_a_month_without_partition_waits_in_the_default_one_and_moves_to_its_month(people):
    record = visit(people.member_a, date(2024, 6, 3))
    assert table_of(record) == "reports_dutyrecord_default"
    assert months_in_default(TABLE) == [date(2024, 6, 1)]
    # The daily task gives the month its partition and moves the row there, id and all.
    assert "reports_dutyrecord_p202406" in partitions_create_ahead()
    assert table_of(record) == "reports_dutyrecord_p202406"
    assert months_in_default(TABLE) == []
    moved = DutyRecord.objects.get(pk=record.pk)
    assert (moved.month, moved.occurred_on, moved.data) == (record.month, record.occurred_on, record.data)
    with connection.cursor() as cursor:  # attached with the table's keys: the same row cannot come twice
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'reports_dutyrecord_p202406' AND indexdef LIKE '%UNIQUE%'"
        )
        assert cursor.fetchone()[0] == 2  # (id, month) and (client_uuid, month)


def test_the_one_month_statistics_read_one_partition(three_months, tree, people):
    with CaptureQueriesContext(connection) as queries:
        stats = node_statistics(
            user=people.county_officer, node=tree.township_a, start=MONTHS[1], end=MONTHS[1]
        )
    assert sum(d["count"] for d in stats.duty_counts) == 1
    [sql] = [q["sql"] for q in queries.captured_queries if TABLE in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Partitions and their indexes are named after the partition: only February's appear.
    scanned = {word.strip('",') for word in plan.split() if word.startswith(TABLE + "_")}
    assert scanned and all(name.startswith("reports_dutyrecord_p202502") for name in scanned), plan


def test_old_months_detach_as_tables_and_leave_the_reads(three_months):
    assert partitions_detach(TABLE, before=date(2025, 3, 1)) == [
        "reports_dutyrecord_p202501",
        "reports_dutyrecord_p202502",
    ]
    assert list(DutyRecord.objects.values_list("pk", flat=True)) == [three_months[2].pk]
    attached = [p.name for p in partitions_of(TABLE)]
    assert "reports_dutyrecord_p202501" not in attached and "reports_dutyrecord_p202503" in attached
    with connection.cursor() as cursor:  # the rows wait in the detached table for the archive
        cursor.execute("SELECT id FROM reports_dutyrecord_p202501")
        assert [row[0] for row in cursor.fetchall()] == [three_months[0].pk]


def test_the_command_detaches_before_a_month(three_months, capsys):
    call_command("partitions", "detach", TABLE, "--before", "2025-02")
    assert "reports_dutyrecord_p202501" in capsys.readouterr().out
    assert DutyRecord.objects.count() == 2


def test_partitions_are_created_three_months_ahead_once(db):
    created = partitions_create_ahead(today=date(2031, 5, 17))
    assert {"reports_dutyrecord_p203105", "reports_dutyrecord_p203108"} <= set(created)
    assert "reports_dutyrecord_p203109" not in created
    assert partitions_create_ahead(today=date(2031, 5, 17)) == []


def test_duty_records_are_never_detached_by_default(three_months, settings):
    assert settings.PARTITION_KEEP_MONTHS["reports_dutyrecord"] == 0  # records of proof
    assert TABLE not in retain_partitions()  # the daily task, years later
    assert TABLE not in partitions_retain(today=date(2040, 1, 1))
    assert DutyRecord.objects.count() == 3
    assert {"reports_dutyrecord_p202501", "reports_dutyrecord_p202503"} <= {
        p.name for p in partitions_of(TABLE)
    }


def test_a_rule_for_duty_records_detaches_the_months_before_it(three_months, settings):
    settings.PARTITION_KEEP_MONTHS = {**settings.PARTITION_KEEP_MONTHS, TABLE: 24}
    detached = partitions_retain(today=date(2027, 2, 10))  # keeps 2025-03 .. 2027-02
    assert detached[TABLE] == ["reports_dutyrecord_p202501", "reports_dutyrecord_p202502"]
    assert list(DutyRecord.objects.values_list("pk", flat=True)) == [three_months[2].pk]
