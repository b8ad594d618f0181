"""`partition_pruning`: the statistics' duty-record counts of one month over 24 months of duty records in
monthly partitions, against the same over a partitioned table holding that month alone (the floor),
interleaved in one run. Target: ratio <= 1.3. Today's unpartitioned table with the same 24 months is
timed beside and printed as a third figure (`# ... unpartitioned`), not part of the ratio.

    .venv/bin/python bench/bench_partitions.py                    # city
    .venv/bin/python bench/bench_partitions.py --scale province   # repeatable

PostgreSQL only (DATABASE_URL names the server, default postgres://postgres@127.0.0.1:5432/test); it
creates and drops its own database `jijian_bench_part`. The tree comes from bench/generate.py; each
village gets RECORDS_PER_MONTH duty records in each month of 2024-2025, COPYed into the migrated,
partitioned `reports_dutyrecord` (one partition per month, created with jijian.partitions). The floor's
table and the unpartitioned one are built beside it in schemas of their own (`bench_one`,
`bench_flat`) with the same columns and indexes; the timed code is the platform's own
`statistics.duty_counts(city, month, month)`, the GROUP BY the statistics page runs, through the same
connection, with `search_path` pointing at one schema or the other (the `SET` is paid on every side).
The plan of the timed statement is printed: it must name one partition. See bench/README.md,
"Monthly partitions".
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

TARGET_RATIO = 1.3
RECORDS_PER_MONTH = 8
MONTHS = [date(2024 + i // 12, i % 12 + 1, 1) for i in range(24)]
BENCH_MONTH = MONTHS[-1]  # December 2025
REPEAT = {"city": 300, "province": 60, "nation": 9}
COLUMNS = (
    "id, member_id, village_id, month, duty_type_id, occurred_on, place, notes, data, client_uuid, "
    "city_id_at, county_id_at, township_id_at, is_deleted, version, created_at, updated_at"
)


def generate_duty_records(gen) -> int:
    """COPY RECORDS_PER_MONTH duty records per village and month of MONTHS into reports_dutyrecord."""
    from django.db import connection

    from jijian.reports.services import duty_types_for

    types = {year: list(duty_types_for(year).values_list("pk", flat=True)) for year in (2024, 2025)}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.org_unit_id, u.id, o.city_id, o.county_id, o.township_id FROM core_user u "
            "JOIN core_userrole r ON r.user_id = u.id AND r.role = 'village_member' "
            "JOIN core_orgunit o ON o.id = u.org_unit_id"
        )
        villages = sorted(cursor.fetchall())
    rid = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY reports_dutyrecord ({COLUMNS}) FROM STDIN") as copy,
    ):
        for month in MONTHS:
            kinds = types[month.year]
            chunk: list[str] = []
            for village_id, member_id, city_id, county_id, township_id in villages:
                for k in range(RECORDS_PER_MONTH):
                    rid += 1
                    day = month.replace(day=1 + (village_id + 3 * k) % 28)
                    at = f"{day.isoformat()} 10:00:00+08"
                    chunk.append(
                        f"{rid}\t{member_id}\t{village_id}\t{month.isoformat()}\t{kinds[(village_id + k) % len(kinds)]}\t"
                        f"{day.isoformat()}\t\t\t{{}}\t\\N\t{city_id}\t{county_id}\t{township_id}\tf\t1\t{at}\t{at}\n"
                    )
                if len(chunk) >= 20000:
                    copy.write("".join(chunk))
                    chunk.clear()
            copy.write("".join(chunk))
    return rid


def build_comparison_tables() -> None:
    """bench_one.reports_dutyrecord: partitioned, BENCH_MONTH only (the floor). bench_flat.reports_dutyrecord:
    one plain table with all the months, as before the partitioning migration."""
    from django.db import connection

    month, after = BENCH_MONTH.isoformat(), date(BENCH_MONTH.year + 1, 1, 1).isoformat()
    with connection.cursor() as cursor:
        for sql in (
            "DROP SCHEMA IF EXISTS bench_one CASCADE",
            "DROP SCHEMA IF EXISTS bench_flat CASCADE",
            "CREATE SCHEMA bench_one",
            "CREATE SCHEMA bench_flat",
            "CREATE TABLE bench_one.reports_dutyrecord (LIKE public.reports_dutyrecord INCLUDING DEFAULTS "
            "INCLUDING INDEXES) PARTITION BY RANGE (month)",
            f"CREATE TABLE bench_one.reports_dutyrecord_p{BENCH_MONTH:%Y%m} PARTITION OF bench_one.reports_dutyrecord "
            f"FOR VALUES FROM ('{month}') TO ('{after}')",
            "CREATE TABLE bench_one.reports_dutyrecord_default PARTITION OF bench_one.reports_dutyrecord DEFAULT",
            "INSERT INTO bench_one.reports_dutyrecord SELECT * FROM public.reports_dutyrecord "
            f"WHERE month = '{month}'",
            # The plain table of today: primary key on id alone, the same other indexes.
            "CREATE TABLE bench_flat.reports_dutyrecord (LIKE public.reports_dutyrecord INCLUDING DEFAULTS)",
            "INSERT INTO bench_flat.reports_dutyrecord SELECT * FROM public.reports_dutyrecord ORDER BY id",
            "ALTER TABLE bench_flat.reports_dutyrecord ADD PRIMARY KEY (id)",
        ):
            cursor.execute(sql)
        cursor.execute(
            "SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x WHERE x.indrelid = 'public.reports_dutyrecord'::regclass "
            "AND NOT x.indisprimary AND NOT x.indisunique"
        )
        for (definition,) in cursor.fetchall():
            name = definition.split()[2]
            cursor.execute(
                definition.replace(" ON ONLY public.", " ON bench_flat.")
                .replace(" ON public.", " ON bench_flat.")
                .replace(f"INDEX {name} ", "INDEX ", 1)
            )
        cursor.execute("CREATE UNIQUE INDEX ON bench_flat.reports_dutyrecord (client_uuid)")


def run_scale(scale: str) -> float:
    from django.db import connection, transaction

    from bench.generate import SCALES, generate
    from bench.run import measure, report
    from jijian.core.models import OrgUnit
    from jijian.partitions import partition_create
    from jijian.reports.statistics import duty_counts

    with connection.cursor() as cursor:
        cursor.execute("SET search_path TO public")
        cursor.execute(
            "TRUNCATE reports_dutyrecord, core_userrole, core_user, core_orgunit RESTART IDENTITY CASCADE"
        )
    t = time.perf_counter()
    with transaction.atomic():
        gen = generate(SCALES[scale])
    for month in MONTHS:
        partition_create("reports_dutyrecord", month)
    rows = generate_duty_records(gen)
    build_comparison_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM (ANALYZE) reports_dutyrecord, bench_one.reports_dutyrecord, bench_flat.reports_dutyrecord, "
            "reports_dutytype, core_orgunit"
        )
        cursor.execute("CHECKPOINT")
    print(
        f"GEN scale={scale} villages={len(gen.village_ids)} duty_records={rows} months={len(MONTHS)} "
        f"seconds={time.perf_counter() - t:.1f}",
        flush=True,
    )
    city = OrgUnit.objects.get(pk=gen.city_id)

    def on(schema: str):
        def read() -> list[dict]:
            with connection.cursor() as cursor:
                cursor.execute(f"SET search_path TO {schema}, public")
            return duty_counts(city, BENCH_MONTH, BENCH_MONTH, db="default")

        return read

    partitioned, one_month, flat = on("public"), on("bench_one"), on("bench_flat")
    expected = len(gen.village_ids) * RECORDS_PER_MONTH
    for side in (partitioned, one_month, flat):
        assert sum(d["count"] for d in side()) == expected, "the three tables disagree"
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        partitioned()
    [sql] = [q["sql"] for q in queries.captured_queries if "reports_dutyrecord" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = [row[0] for row in cursor.fetchall()]
    scanned = sorted(
        {w.strip('",') for line in plan for w in line.split() if w.startswith("reports_dutyrecord_")}
    )
    print(f"# partition_pruning {scale}: the plan scans {', '.join(scanned)}", flush=True)
    assert scanned and all(s.startswith(f"reports_dutyrecord_p{BENCH_MONTH:%Y%m}") for s in scanned), plan

    gc.collect()
    timings = measure(
        {"partition_pruning": (partitioned, one_month), "unpartitioned": (flat, one_month)},
        repeat=REPEAT[scale],
        warmup=5,
    )
    values, floors = timings["partition_pruning"]
    ratio = report("partition_pruning", scale, values, floors, target=TARGET_RATIO)
    import statistics

    flat_ms = statistics.median(timings["unpartitioned"][0])
    print(
        f"# partition_pruning {scale}: today's unpartitioned table, same 24 months: {flat_ms:.3f} ms "
        f"(ratio to the one-month floor {flat_ms / statistics.median(floors):.2f})",
        flush=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("SET search_path TO public")
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="append", choices=("city", "province", "nation"))
    parser.add_argument("--strict", action="store_true", help="exit 1 when the ratio misses its target")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args(argv)

    from bench.run import DEFAULT_URL, _admin, _with_database

    server_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not server_url.startswith(("postgres://", "postgresql://")):
        print(f"bench 需要 PostgreSQL：DATABASE_URL={server_url!r}", file=sys.stderr)
        return 2
    name = "jijian_bench_part"
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}"')
    _admin(server_url, f'CREATE DATABASE "{name}"')
    os.environ.update(
        JIJIAN_ENV="test",
        DJANGO_SETTINGS_MODULE="jijian.config.settings",
        DATABASE_URL=_with_database(server_url, name),
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("JIJIAN_DATABASE_REPLICAS", None)
    missed = {}
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        for scale in args.scale or ["city"]:
            ratio = run_scale(scale)
            if ratio > TARGET_RATIO:
                missed[scale] = ratio
                print(f"# {scale}: target missed: partition_pruning={ratio:.2f}", flush=True)
        connections.close_all()
    finally:
        if not args.keep:
            _admin(server_url, f'DROP DATABASE IF EXISTS "{name}"')
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
