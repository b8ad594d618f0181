"""Monthly range partitions of the tables that grow with time, on PostgreSQL (docs/partitions.md).

A table is partitioned by its migration (`partition_by_month`, a no-op on SQLite): PostgreSQL then holds
one partition per month of the key column (`<table>_pYYYYMM`) and a default partition
(`<table>_default`) that takes any row of a month without its own partition, so an insert never fails
for want of a partition. The Django model keeps `id` as its primary key; the table's primary key is
(id, key column), because PostgreSQL enforces uniqueness on a partitioned table only with the partition
key in it. Ids still come from the one identity sequence, so `id` stays unique; each unique constraint
gets the key column appended, and a foreign key *to* the table cannot be enforced (the referencing
field says `db_constraint=False`).

The partitioned tables are found in the database itself (pg_partitioned_table), so this module names
no app: `partitions_create_ahead` (Celery beat, daily) creates the coming months of each of them,
`partitions_detach` takes old months out of a table (the audit trail's retention prune calls it;
`partitions_retain`, daily, applies settings.PARTITION_KEEP_MONTHS to the others; an operator may run
`jijian partitions detach` at any time). A detached partition is a plain table that
keeps its rows until the operator archives and drops it.

Month boundaries of a timestamp key are midnights in settings.TIME_ZONE, as the statistics count them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

logger = logging.getLogger(__name__)

MONTHS_AHEAD = 3  # months created beyond the current one; the beat task runs daily
NAME_RE = re.compile(r"_p(\d{4})(\d{2})$")


@dataclass(frozen=True)
class PartitionedTable:
    name: str
    column: str
    is_timestamp: bool  # timestamptz key (month in settings.TIME_ZONE), else a date key


@dataclass(frozen=True)
class Partition:
    name: str
    month: date | None  # None: the default partition
    rows: int  # PostgreSQL's estimate (pg_class.reltuples, -1 before the first ANALYZE)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month:%Y%m}"


def _bound(month: date, is_timestamp: bool) -> str:
    if is_timestamp:
        return datetime(month.year, month.month, 1, tzinfo=ZoneInfo(settings.TIME_ZONE)).isoformat()
    return month.isoformat()


def _month_sql(column: str, is_timestamp: bool) -> str:
    """SQL for the first day of the row's month (in settings.TIME_ZONE for a timestamp)."""
    if is_timestamp:
        return f"date_trunc('month', {column} AT TIME ZONE %s)::date"
    return f"date_trunc('month', {column})::date"


def _create_partition_sql(qn, table: str, month: date, is_timestamp: bool) -> str:
    return (
        f"CREATE TABLE {qn(partition_name(table, month))} PARTITION OF {qn(table)} "
        f"FOR VALUES FROM ('{_bound(month, is_timestamp)}') "
        f"TO ('{_bound(add_months(month, 1), is_timestamp)}')"
    )


# --- migrations ----------------------------------------------------------------------------------


def partition_by_month(schema_editor, table: str, column: str, *, today: date | None = None) -> None:
    """Rebuild `table` as a table partitioned by month of `column`, on PostgreSQL only (SQLite keeps
    its plain table). For a RunPython migration: rows, the identity sequence, indexes, check and
    foreign-key constraints and triggers are kept under their names; the primary key and each unique
    constraint get `column` appended; foreign keys from other tables to this one are dropped (they
    cannot be enforced: see the module docstring). Existing rows are copied once into the partitions
    of their months, created with those of this month and MONTHS_AHEAD more."""
    if schema_editor.connection.vendor != "postgresql":
        return
    _rebuild(schema_editor, table, column, partitioned=True, today=today)


def unpartition(schema_editor, table: str, column: str) -> None:
    """The reverse of partition_by_month: a plain table with `id` as its primary key again."""
    if schema_editor.connection.vendor != "postgresql":
        return
    _rebuild(schema_editor, table, column, partitioned=False)


def _rebuild(schema_editor, table: str, column: str, *, partitioned: bool, today: date | None = None) -> None:
    qn = schema_editor.quote_name
    run = schema_editor.execute
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT %s::regclass::oid", [table])
        oid = cursor.fetchone()[0]
        cursor.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = %s AND attname = %s",
            [oid, column],
        )
        is_timestamp = cursor.fetchone()[0].startswith("timestamp")
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s AND contype IN ('p', 'u', 'f', 'c') ORDER BY conname",
            [oid],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = %s) "
            "ORDER BY i.relname",
            [oid, oid],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s AND NOT tgisinternal "
            "AND tgparentid = 0 ORDER BY tgname",
            [oid],
        )
        triggers = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE confrelid = %s AND contype = 'f'",
            [oid],
        )
        incoming = cursor.fetchall()
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        months: list[date] = []
        if partitioned:
            cursor.execute(
                f"SELECT DISTINCT {_month_sql(qn(column), is_timestamp)} FROM {qn(table)} ORDER BY 1",  # noqa: S608 (quoted names from the migration)
                [settings.TIME_ZONE] if is_timestamp else [],
            )
            months = [row[0] for row in cursor.fetchall()]
    for other, name in incoming:
        logger.warning("dropping foreign key %s of %s: it cannot reference a partitioned table", name, other)
        run(f"ALTER TABLE {qn(other)} DROP CONSTRAINT {qn(name)}")
    old = f"{table}_rebuild_old"
    run(f"ALTER TABLE {qn(table)} RENAME TO {qn(old)}")
    partition_clause = f" PARTITION BY RANGE ({qn(column)})" if partitioned else ""
    run(
        f"CREATE TABLE {qn(table)} (LIKE {qn(old)} INCLUDING DEFAULTS INCLUDING IDENTITY "
        f"INCLUDING STORAGE INCLUDING COMMENTS){partition_clause}"
    )
    if partitioned:
        this_month = first_of_month(today or datetime.now(ZoneInfo(settings.TIME_ZONE)).date())
        wanted = set(months) | {add_months(this_month, n) for n in range(MONTHS_AHEAD + 1)}
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE %s", [f"{table}_p%"])
            taken = {row[0] for row in cursor.fetchall()}  # months detached earlier, kept for the archive
        for month in sorted(wanted):
            if partition_name(table, month) in taken:
                logger.warning(
                    "%s exists (a detached month?): its rows go to the default partition",
                    partition_name(table, month),
                )
                continue
            run(_create_partition_sql(qn, table, month, is_timestamp))
        run(f"CREATE TABLE {qn(table + '_default')} PARTITION OF {qn(table)} DEFAULT")
    run(f"INSERT INTO {qn(table)} SELECT * FROM {qn(old)}")  # noqa: S608 (quoted names from the migration)
    run(f"DROP TABLE {qn(old)}")
    if sequence:
        # The new identity's sequence takes the old one's name (freed by the drop) and goes on after it.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            new_sequence = cursor.fetchone()[0]
        if new_sequence != sequence:
            run(f"ALTER SEQUENCE {new_sequence} RENAME TO {sequence.split('.')[-1]}")
        last_id = f"COALESCE((SELECT MAX(id) FROM {qn(table)}), 0) + 1"  # noqa: S608 (quoted name)
        run(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), {last_id}, false)", [table])
    for name, kind, definition in constraints:
        if kind in ("p", "u"):
            definition = _with_key(definition, qn(column), partitioned)
        run(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
    for _name, definition in indexes:
        if definition.startswith("CREATE UNIQUE"):
            raise NotImplementedError(f"unique index on {table}: make it a unique constraint first")
        run(definition.replace(" ON ONLY ", " ON ", 1))  # a partitioned index's definition says ONLY
    for definition in triggers:
        run(definition)


def _with_key(definition: str, column: str, partitioned: bool) -> str:
    """'PRIMARY KEY (id)' <-> 'PRIMARY KEY (id, month)' (and the same for UNIQUE (...))."""
    head, _, columns = definition.partition("(")
    names = [c.strip() for c in columns.rsplit(")", 1)[0].split(",")]
    bare = column.strip('"')
    names = [n for n in names if n.strip('"') != bare]
    if partitioned:
        names.append(column)
    return f"{head}({', '.join(names)})"


# --- operations ----------------------------------------------------------------------------------


def is_partitioned_database(using: str = DEFAULT_DB_ALIAS) -> bool:
    return connections[using].vendor == "postgresql"


def partitioned_tables(using: str = DEFAULT_DB_ALIAS) -> list[PartitionedTable]:
    """The tables of the current schema partitioned by range of one date or timestamp column."""
    if not is_partitioned_database(using):
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) "
            "FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0] "
            "WHERE c.relnamespace = current_schema()::regnamespace AND p.partstrat = 'r' AND p.partnatts = 1 "
            "ORDER BY c.relname"
        )
        return [
            PartitionedTable(name, column, type_.startswith("timestamp"))
            for name, column, type_ in cursor.fetchall()
            if type_ == "date" or type_.startswith("timestamp")
        ]


def partitions_of(table: str, using: str = DEFAULT_DB_ALIAS) -> list[Partition]:
    """The partitions attached to `table`, the default one last."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reltuples::bigint FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [table],
        )
        rows = cursor.fetchall()
    found = []
    for name, rows_estimate in rows:
        match = NAME_RE.search(name)
        month = date(int(match[1]), int(match[2]), 1) if match else None
        found.append(Partition(name, month, int(rows_estimate)))
    return sorted(found, key=lambda p: (p.month is None, p.month or date.min))


def _table(table: str, using: str) -> PartitionedTable:
    for spec in partitioned_tables(using):
        if spec.name == table:
            return spec
    raise ValueError(f"{table} 不是按月分区的表")


def partition_create(table: str, month: date, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Create `table`'s partition for `month` unless it exists. Returns whether it was created. Rows
    of that month already in the default partition (a late entry of an old month, or the beat task
    stopped longer than MONTHS_AHEAD) move into it, in one transaction: the new table is filled from
    the default partition, then attached. The audit trail's trigger refuses that move (its entries are
    never deleted): such a month is not created, its entries stay in the default partition, still read
    and verified as any other, and a warning names it."""
    spec = _table(table, using)
    month = first_of_month(month)
    partitions = partitions_of(table, using)
    if any(p.month == month for p in partitions):
        return False
    connection = connections[using]
    qn = connection.ops.quote_name
    name, column = partition_name(table, month), qn(spec.column)
    low, high = _bound(month, spec.is_timestamp), _bound(add_months(month, 1), spec.is_timestamp)
    in_month = f"{column} >= '{low}' AND {column} < '{high}'"
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            moving = False
            if any(p.month is None for p in partitions):
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {qn(table + '_default')} WHERE {in_month})")  # noqa: S608
                moving = cursor.fetchone()[0]
            if not moving:
                cursor.execute(_create_partition_sql(qn, table, month, spec.is_timestamp))
            else:
                cursor.execute(
                    f"CREATE TABLE {qn(name)} (LIKE {qn(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
                )
                cursor.execute(
                    f"WITH moved AS (DELETE FROM {qn(table + '_default')} WHERE {in_month} RETURNING *) "  # noqa: S608
                    f"INSERT INTO {qn(name)} SELECT * FROM moved"
                )
                cursor.execute(
                    f"ALTER TABLE {qn(table)} ATTACH PARTITION {qn(name)} FOR VALUES FROM ('{low}') TO ('{high}')"
                )
    except DatabaseError as exc:
        logger.warning("partition %s not created: %s", name, exc)
        return False
    return True


def months_in_default(table: str, using: str = DEFAULT_DB_ALIAS) -> list[date]:
    """The months that have rows in `table`'s default partition (normally none)."""
    spec = _table(table, using)
    if all(p.month is not None for p in partitions_of(table, using)):
        return []
    connection = connections[using]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT {_month_sql(qn(spec.column), spec.is_timestamp)} FROM {qn(table + '_default')} "  # noqa: S608
            "ORDER BY 1",
            [settings.TIME_ZONE] if spec.is_timestamp else [],
        )
        return [row[0] for row in cursor.fetchall()]


def partitions_create_ahead(
    *, today: date | None = None, ahead: int = MONTHS_AHEAD, using: str = DEFAULT_DB_ALIAS
) -> list[str]:
    """For every partitioned table: the partitions of this month and the `ahead` next ones, those of
    the months that have rows in the default partition (moved there), and the default partition if
    it has none. Idempotent; a no-op on SQLite. Returns the names created."""
    this_month = first_of_month(today or datetime.now(ZoneInfo(settings.TIME_ZONE)).date())
    created = []
    qn = connections[using].ops.quote_name
    for spec in partitioned_tables(using):
        if all(p.month is not None for p in partitions_of(spec.name, using)):  # e.g. after a failed restore
            with connections[using].cursor() as cursor:
                cursor.execute(
                    f"CREATE TABLE {qn(spec.name + '_default')} PARTITION OF {qn(spec.name)} DEFAULT"
                )
            created.append(spec.name + "_default")
        months = {add_months(this_month, n) for n in range(ahead + 1)} | set(
            months_in_default(spec.name, using)
        )
        for month in sorted(months):
            if partition_create(spec.name, month, using=using):
                created.append(partition_name(spec.name, month))
    return created


def partitions_detach(
    table: str, *, before: date, using: str = DEFAULT_DB_ALIAS, only_if: str = "", params: tuple = ()
) -> list[str]:
    """Detach `table`'s monthly partitions of the months before `before`, oldest first. With `only_if`
    (a WHERE condition on the partition's rows) a partition is detached only when all its rows meet
    it; the first that does not stops the run, so what stays attached is contiguous. The detached
    tables keep their rows and names. Runs in the caller's transaction when there is one."""
    connection = connections[using]
    qn = connection.ops.quote_name
    detached = []
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for partition in partitions_of(table, using):
            if partition.month is None or partition.month >= first_of_month(before):
                break
            if only_if:
                cursor.execute(
                    f"SELECT EXISTS (SELECT 1 FROM {qn(partition.name)} WHERE NOT ({only_if}))",  # noqa: S608 (caller's code)
                    params,
                )
                if cursor.fetchone()[0]:
                    break
            cursor.execute(f"ALTER TABLE {qn(table)} DETACH PARTITION {qn(partition.name)}")
            detached.append(partition.name)
    return detached


def partitions_retain(*, today: date | None = None, using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """Apply the retention rules of settings.PARTITION_KEEP_MONTHS (table -> months kept, 0: never):
    of each partitioned table with a rule, the months before this month's `keep` - 1 previous ones
    are detached (this month and the `keep` - 1 before it stay). A table without a rule (the audit
    trail: its prune detaches) is left alone. What the daily beat task and `jijian partitions retain`
    run; idempotent; nothing on SQLite. Returns the names detached, by table."""
    this_month = first_of_month(today or datetime.now(ZoneInfo(settings.TIME_ZONE)).date())
    rules = settings.PARTITION_KEEP_MONTHS
    detached: dict[str, list[str]] = {}
    for spec in partitioned_tables(using):
        keep = rules.get(spec.name, 0)
        if keep <= 0:
            continue
        names = partitions_detach(spec.name, before=add_months(this_month, 1 - keep), using=using)
        if names:
            logger.info("retention of %s (%d months): detached %s", spec.name, keep, ", ".join(names))
            detached[spec.name] = names
    return detached


def partitions_drop_empty(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Drop every partition of the partitioned tables, which must all be empty: what `jijian restore`
    does to an empty instance before pg_restore, whose --clean cannot drop a partition's inherited
    primary key (PostgreSQL 15) and re-creates the backup's own partitions. Refuses (ValueError) when a
    partition holds a row. `partitions_create_ahead` makes the partitions again if the restore fails."""
    connection = connections[using]
    qn = connection.ops.quote_name
    names = [p.name for t in partitioned_tables(using) for p in partitions_of(t.name, using)]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {qn(name)})")  # noqa: S608 (a catalogue name)
            if cursor.fetchone()[0]:
                raise ValueError(f"分区 {name} 中有数据")
        for name in names:
            cursor.execute(f"DROP TABLE {qn(name)}")
    return names
