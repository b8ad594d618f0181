"""The retention of the month-partitioned tables (docs/partitions.md, "Retention"): the one function
that the daily beat task (`retain-partitions`) and `jijian partitions retain` run. The months past each
table's rule (settings.PARTITION_KEEP_MONTHS) are detached by jijian.partitions, kept as plain tables,
and each table's detach is written to the audit trail in the same transaction."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction

from jijian.audit.services import audit_record
from jijian.partitions import partitions_retain


def partition_retention_apply(*, today: date | None = None) -> dict[str, list[str]]:
    """Detach what the retention rules say (nothing on SQLite) and record it. Idempotent. Returns the
    partitions detached, by table."""
    with transaction.atomic():
        detached = partitions_retain(today=today)
        for table, names in detached.items():
            keep = settings.PARTITION_KEEP_MONTHS[table]
            audit_record(
                action="partitions.retain",
                object_type="partitions.table",
                object_id=table,
                summary=f"按保留期（{keep} 个月）摘下 {table} 的分区 {len(names)} 个：{'、'.join(names)}",
                after={"table": table, "keep_months": keep, "detached_partitions": names},
            )
    return detached
