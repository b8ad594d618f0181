"""`stats_on_replica`: the whole tree's statistics of one month read from a streaming replica, against
the same read on the primary (the floor), interleaved in one run. Target: ratio <= 1.2.

    .venv/bin/python bench/bench_replica.py                      # city and province
    .venv/bin/python bench/bench_replica.py --scale nation       # repeatable

The local server has no replication access, so this starts its own throwaway primary and streaming
replica (bench/pgcluster.py: initdb, pg_basebackup -R, free loopback ports) and removes them at the
end. In one process (Django reads DATABASES once): DATABASE_URL is the throwaway primary and
JIJIAN_DATABASE_REPLICAS its replica; the tree (bench/generate.py) and 12 months of monthly reports
(bench/bench_reports.py) are written on the primary, the replica is waited for until it has replayed
them, then `node_statistics` for the root city runs with db="replica1" (value) and db="default"
(floor). See bench/README.md, "Statistics on a replica".
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from bench import pgcluster  # noqa: E402

TARGET_RATIO = 1.2
REPEAT = {"city": 200, "province": 40, "nation": 9}


def run_scale(scale: str, cluster: pgcluster.Cluster) -> float:
    from django.db import DatabaseError, connection, transaction

    from bench.bench_reports import BENCH_MONTH, generate_reports
    from bench.generate import SCALES, generate
    from bench.run import measure, report
    from jijian.core.models import OrgUnit, User
    from jijian.core.ops.replicas import reporting_db
    from jijian.core.roles import Role
    from jijian.core.services import user_create
    from jijian.reports.statistics import node_statistics

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE reports_monthlyreport, core_userrole, core_user, core_orgunit RESTART IDENTITY CASCADE"
        )
    t = time.perf_counter()
    with transaction.atomic():
        gen = generate(SCALES[scale])
    rows, _ = generate_reports(gen)
    city = OrgUnit.objects.get(pk=gen.city_id)
    officer = user_create(
        actor=None,
        username="bench_city_cs",
        full_name="市党风政风监督室",
        org_unit=city,
        roles={Role.CONDUCT_SUPERVISION},
        password=None,
        audit=False,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) core_orgunit, core_user, core_userrole, reports_monthlyreport")
        with contextlib.suppress(DatabaseError):
            cursor.execute("CHECKPOINT")
    generated = time.perf_counter() - t
    t = time.perf_counter()
    pgcluster.wait_caught_up(cluster, timeout=1800)
    print(
        f"GEN scale={scale} villages={len(gen.village_ids)} monthly_reports={rows} "
        f"seconds={generated:.1f} replica_catch_up_seconds={time.perf_counter() - t:.1f}",
        flush=True,
    )
    assert reporting_db() == "replica1", "the caught-up replica should be the reporting database"

    def on(db: str):
        def read() -> None:
            stats = node_statistics(user=officer, node=city, start=BENCH_MONTH, end=BENCH_MONTH, db=db)
            assert len(stats.children) == gen.shape.counties

        return read

    def figures(db: str) -> dict:
        """The page's figures, rankings as sets: ties (same rates, same generated name) come in the
        order of the GROUP BY's rows, which a parallel aggregate does not fix."""
        found = node_statistics(user=officer, node=city, start=BENCH_MONTH, end=BENCH_MONTH, db=db).as_dict()
        found["rankings"] = {
            k: sorted((r["id"], r["on_time_rate"], r["expected"]) for r in v)
            for k, v in found["rankings"].items()
        }
        return found

    assert figures("replica1") == figures("default"), "the replica and the primary disagree"
    User.objects.filter(pk=officer.pk).update(must_change_password=False)
    gc.collect()
    values, floors = measure(
        {"stats_on_replica": (on("replica1"), on("default"))}, repeat=REPEAT[scale], warmup=3
    )["stats_on_replica"]
    return report("stats_on_replica", scale, values, floors, target=TARGET_RATIO)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="append", choices=("city", "province", "nation"))
    parser.add_argument("--strict", action="store_true", help="exit 1 when the ratio misses its target")
    args = parser.parse_args(argv)
    scales = args.scale or ["city", "province"]

    import psycopg

    cluster = pgcluster.start(settings={"shared_buffers": "256MB", "max_wal_size": "4GB"})
    try:
        with psycopg.connect(cluster.primary_url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE jijian_bench")
        os.environ.update(
            JIJIAN_ENV="test",
            DJANGO_SETTINGS_MODULE="jijian.config.settings",
            DATABASE_URL=cluster.primary_url("jijian_bench"),
            JIJIAN_DATABASE_REPLICAS=cluster.replica_url("jijian_bench"),
        )
        os.environ.pop("REDIS_URL", None)
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        missed = {}
        for scale in scales:
            ratio = run_scale(scale, cluster)
            if ratio > TARGET_RATIO:
                missed[scale] = ratio
                print(f"# {scale}: target missed: stats_on_replica={ratio:.2f}", flush=True)
        from django.db import connections

        connections.close_all()
    finally:
        cluster.stop()
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
