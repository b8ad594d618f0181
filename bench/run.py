"""`make bench`: generate org trees at city, province and nation scale on PostgreSQL and time the
jurisdiction-scoped reads against the raw SQL doing the same work (the floor), in the same run.

    .venv/bin/python bench/run.py                      # all three scales
    .venv/bin/python bench/run.py --scale nation       # BENCH_ARGS="--scale nation" make bench
    .venv/bin/python bench/run.py --explain --keep     # print the query plans, keep the database

DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/test); the bench creates
its own throwaway database there (jijian_bench by default), migrates it, and drops it at the end.
Each benchmark prints one machine-readable line (docs/development.md, "Benchmarks"):

    BENCH name=<id> scale=<scale> value=<median ms> unit=ms floor=<median ms> ratio=<value/floor> target=<3>

(the throughputs, month_end_surge, receipt_lookups and exam_surge, print unit=rps: there the ratio or value must
be at least its target.)

    .venv/bin/python bench/run.py --only month_end_surge   # one benchmark (at its scale)

See bench/README.md for what exactly each benchmark times.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
TARGET_RATIO = 3.0
PAGE_SIZE = 50


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(
        _with_database(url, urlsplit(url).path.lstrip("/") or "postgres"), autocommit=True
    ) as conn:
        conn.execute(sql)


def _timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000.0


def measure(
    pairs: dict[str, tuple[Callable[[], object], Callable[[], object]]], *, repeat: int, warmup: int = 5
):
    """For each named (value, floor) pair: the timings in milliseconds of each side. All pairs run
    round-robin, each value right beside its floor and alternating which goes first, so that the
    load of this shared machine hits every side alike instead of one benchmark's whole window."""
    for _ in range(warmup):
        for value_fn, floor_fn in pairs.values():
            value_fn()
            floor_fn()
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in pairs}
    names = list(pairs)
    for i in range(repeat):
        # The rotation decides which pair runs right after another benchmark; the order decides which
        # side of a pair runs first. They must not move together: with two pairs, `i % 2` for both made
        # the same side of the second pair always follow the first pair (and pay for its cold caches).
        # Over 2 * len(names) rounds every (position, order) combination occurs once.
        value_first = (i // len(names)) % 2
        for name in names[i % len(names) :] + names[: i % len(names)]:
            value_fn, floor_fn = pairs[name]
            values, floors = times[name]
            if value_first:
                values.append(_timed(value_fn))
                floors.append(_timed(floor_fn))
            else:
                floors.append(_timed(floor_fn))
                values.append(_timed(value_fn))
    return times


def _quartiles(xs: list[float]) -> str:
    q = statistics.quantiles(xs, n=4)
    return f"{q[0]:.3f}..{q[2]:.3f}"


def report(
    name: str, scale: str, values: list[float], floors: list[float], target: float = TARGET_RATIO
) -> float:
    value, floor = statistics.median(values), statistics.median(floors)
    ratio = value / floor if floor else float("inf")
    load = os.getloadavg()[0]
    print(
        f"# {name} {scale}: n={len(values)} value IQR {_quartiles(values)} ms, floor IQR {_quartiles(floors)} ms, "
        f"load average {load:.2f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    print(
        f"BENCH name={name} scale={scale} value={value:.3f} unit=ms floor={floor:.3f} ratio={ratio:.2f} "
        f"target={target:g}",
        flush=True,
    )
    return ratio


def run_lists(scale: str, shape, gen, *, repeat: int, explain: bool) -> dict[str, float]:
    """The scoped list of villages a county officer sees, and the city officer's roll-up of villages per
    county, against the raw SQL of the same reads (run_scale's first group; tests/bench/test_run.py runs
    it on a small tree)."""
    from django.db import connection
    from django.db.models import Count

    from jijian.core.access import org_units_visible_to
    from jijian.core.models import VILLAGE_KINDS, OrgUnit, User

    village_kinds = sorted(VILLAGE_KINDS)
    # A county in the middle of the tree, its conduct-supervision officer, and the city's officer.
    county_id = gen.county_ids[len(gen.county_ids) // 2]
    county_user = User.objects.get(pk=gen.county_officer_ids[county_id])
    city_user = User.objects.get(pk=gen.city_officer_id)
    unit_columns = ", ".join(f'"{f.column}"' for f in OrgUnit._meta.concrete_fields)
    results: dict[str, float] = {}

    user_fields = [f.attname for f in User._meta.concrete_fields]

    def fresh(user: User) -> User:
        # A request starts with the user row (loaded by the auth middleware; not timed: a new instance
        # of the row already read) and nothing else: its roles (role_set) and its org unit are read
        # again on every page.
        return User(**{name: getattr(user, name) for name in user_fields})

    # Raw versions of what the ORM reads to decide jurisdiction, for the floor of the "page" variants.
    def raw_user_context(cursor, user: User) -> None:
        cursor.execute("SELECT role FROM core_userrole WHERE user_id = %s", [user.pk])
        cursor.fetchall()
        cursor.execute(f"SELECT {unit_columns} FROM core_orgunit WHERE id = %s", [user.org_unit_id])  # noqa: S608
        cursor.fetchone()

    # --- 1. the scoped list of villages a county officer sees: first page of 50 + the total --------
    def orm_list_page(user: User) -> None:
        qs = org_units_visible_to(user).filter(kind__in=village_kinds).order_by("path")
        rows = list(qs[:PAGE_SIZE])
        total = qs.count()
        assert len(rows) == min(PAGE_SIZE, total)

    list_sql = (
        f"SELECT {unit_columns} FROM core_orgunit WHERE county_id = %s AND kind IN (%s, %s) "  # noqa: S608
        f"ORDER BY path LIMIT {PAGE_SIZE}"
    )
    count_sql = "SELECT COUNT(*) FROM core_orgunit WHERE county_id = %s AND kind IN (%s, %s)"

    def raw_list(cursor) -> None:
        cursor.execute(list_sql, [county_id, *village_kinds])
        rows = cursor.fetchall()
        cursor.execute(count_sql, [county_id, *village_kinds])
        total = cursor.fetchone()[0]
        assert len(rows) == min(PAGE_SIZE, total)

    def orm_page() -> None:
        orm_list_page(fresh(county_user))

    def raw_page() -> None:
        with connection.cursor() as cursor:
            raw_user_context(cursor, county_user)
            raw_list(cursor)

    def orm_query_only() -> None:
        orm_list_page(county_user)  # role_set and org_unit already cached on the user

    def raw_query_only() -> None:
        with connection.cursor() as cursor:
            raw_list(cursor)

    # Both sides must agree before they are timed.
    orm_ids = [
        u.pk for u in org_units_visible_to(county_user).filter(kind__in=village_kinds).order_by("path")[:50]
    ]
    with connection.cursor() as cursor:
        cursor.execute(list_sql, [county_id, *village_kinds])
        assert orm_ids == [r[0] for r in cursor.fetchall()], "ORM and raw SQL disagree"

    times = measure(
        {
            "scoped_village_list": (orm_page, raw_page),
            "scoped_village_list_query": (orm_query_only, raw_query_only),
        },
        repeat=repeat,
    )
    for name, (values, floors) in times.items():
        results[name] = report(name, scale, values, floors)

    # --- 2. villages under each county, for the whole tree (the city officer's roll-up) -------------
    def orm_rollup() -> None:
        rows = list(
            org_units_visible_to(fresh(city_user))
            .filter(kind__in=village_kinds)
            .values("county")
            .annotate(n=Count("id"))
            .order_by("county")
        )
        assert len(rows) == shape.counties

    rollup_sql = (
        "SELECT county_id, COUNT(id) AS n FROM core_orgunit WHERE (city_id = %s OR id = %s) AND kind IN (%s, %s) "
        "GROUP BY county_id ORDER BY county_id"
    )

    def raw_rollup() -> None:
        with connection.cursor() as cursor:
            raw_user_context(cursor, city_user)
            cursor.execute(rollup_sql, [gen.city_id, gen.city_id, *village_kinds])
            assert len(cursor.fetchall()) == shape.counties

    rollup_repeat = max(9, repeat // {"city": 2, "province": 20, "nation": 100}[scale])
    values, floors = measure({"rollup": (orm_rollup, raw_rollup)}, repeat=rollup_repeat, warmup=2)["rollup"]
    results["villages_per_county"] = report("villages_per_county", scale, values, floors)

    if explain:
        qs = org_units_visible_to(county_user).filter(kind__in=village_kinds).order_by("path")[:PAGE_SIZE]
        print(f"# EXPLAIN scoped_village_list ({scale}):\n{qs.explain(analyze=True, buffers=True)}")
        print(f"# SQL: {qs.query}")
        rollup = (
            org_units_visible_to(city_user)
            .filter(kind__in=village_kinds)
            .values("county")
            .annotate(n=Count("id"))
        )
        print(f"# EXPLAIN villages_per_county ({scale}):\n{rollup.order_by('county').explain(analyze=True)}")
    return results


def run_scale(
    scale: str,
    *,
    repeat: int,
    explain: bool,
    encrypt: bool,
    lists: bool = True,
    reports: bool = True,
    surge: bool = True,
    petitions: bool = True,
    gc_pause: bool = True,
    exam: bool = True,
) -> dict[str, float]:
    from django.db import DatabaseError, connection, transaction

    from bench.generate import SCALES, generate

    shape = SCALES[scale]
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE reports_monthlyreport, core_userrole, core_user, core_orgunit RESTART IDENTITY CASCADE"
        )
    with transaction.atomic():
        gen = generate(shape, encrypt=encrypt)
    # Settle the database before timing: statistics and visibility map now (not by autovacuum in the
    # middle of a timed loop), dirty pages written out (not by the checkpointer during one); and
    # the generator's garbage collected.
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) core_orgunit, core_user, core_userrole")
        try:
            cursor.execute("CHECKPOINT")
        except DatabaseError:  # needs superuser or pg_checkpoint: then only noisier, not wrong
            print("# CHECKPOINT not allowed for this database user; timings may be noisier", flush=True)
    analyze_s = time.perf_counter() - t
    # The bench's own objects (the generator's, Django's start-up) are not a web worker's heap: keep
    # the collector on, as in production, but do not let it rescan them on every timed query.
    gc.collect()
    gc.freeze()
    print(
        f"GEN scale={scale} counties={shape.counties} townships={len(gen.township_ids)} "
        f"villages={len(gen.village_ids)} units={gen.units} users={gen.users} roles={gen.roles} "
        f"seconds={gen.seconds:.1f} vacuum_analyze_seconds={analyze_s:.1f} encrypt={encrypt} "
        + " ".join(f"{k}={v:.1f}s" for k, v in gen.seconds_by_table.items()),
        flush=True,
    )
    if scale == "nation":
        print(
            "# nation: one root city with ~2,800 county-level units x 14 townships x 12.5 villages "
            "(the ~31 provinces are not modelled)",
            flush=True,
        )

    results: dict[str, float] = {}
    if lists:
        results.update(run_lists(scale, shape, gen, repeat=repeat, explain=explain))

    # --- 3. monthly-report statistics over 12 months of reports of these villages (bench_reports) ----
    if reports:
        from bench.bench_reports import run_reports

        results.update(
            run_reports(scale, gen, repeat=repeat, explain=explain, measure=measure, report=report)
        )

    # --- 4. month-end's surge of submits through the server of `make run` (province scale) ----------
    if surge:
        from bench.bench_surge import SCALE, run_surge

        if scale == SCALE:
            results.update(run_surge(scale, gen))

    # --- 5. petitions: the deadline board over generated reports; the receipt (city scale) ---------
    if petitions:
        from bench.bench_petitions import run_petitions

        results.update(
            run_petitions(scale, gen, repeat=repeat, explain=explain, measure=measure, report=report)
        )

    # --- 6. the app server's garbage collection: a full collection, start-up heap frozen or not ------
    if gc_pause and scale == "city":
        from bench.bench_gc import run_gc

        results.update(run_gc(scale))

    # --- 7. an exam's surge of answer saves through the server of `make run` (city scale) ----------
    if exam:
        from bench.bench_exam import SCALE as EXAM_SCALE
        from bench.bench_exam import run_exam

        if scale == EXAM_SCALE:
            results.update(run_exam(scale, gen))
    return results


# The groups of benchmarks run_scale() runs, and for --only: each benchmark's group and scales.
GROUPS = ("lists", "reports", "surge", "petitions", "gc_pause", "exam")
ONLY = {
    "scoped_village_list": ("lists", ["city", "province", "nation"]),
    "report_stats": ("reports", ["city", "province", "nation"]),
    "month_end_surge": ("surge", ["province"]),
    "petitions": ("petitions", ["city", "province", "nation"]),
    "gc_full_collection": ("gc_pause", ["city"]),
    "exam_surge": ("exam", ["city"]),
}


def missed_targets(results: dict[str, float]) -> dict[str, float]:
    """The results that miss their target: a ratio over it for times and query counts (lower is
    better), under it for throughputs (bench_surge.MIN_TARGETS: higher is better)."""
    from bench.bench_exam import MIN_TARGETS as EXAM_MIN_TARGETS
    from bench.bench_gc import TARGETS as GC_TARGETS
    from bench.bench_petitions import MIN_TARGETS as PETITION_MIN_TARGETS
    from bench.bench_petitions import TARGETS as PETITION_TARGETS
    from bench.bench_reports import TARGETS
    from bench.bench_surge import MIN_TARGETS

    TARGETS = {**TARGETS, **PETITION_TARGETS, **GC_TARGETS}
    MIN_TARGETS = {**MIN_TARGETS, **PETITION_MIN_TARGETS, **EXAM_MIN_TARGETS}

    return {
        k: v
        for k, v in results.items()
        if (v < MIN_TARGETS[k] if k in MIN_TARGETS else v > TARGETS.get(k, TARGET_RATIO))
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="append", choices=("city", "province", "nation"),
                        help="scale to run (repeatable); default: city, province and nation")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1000, help="timed repetitions of the list benchmarks")
    parser.add_argument("--database", default="jijian_bench", help="name of the throwaway database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the timed queries")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a ratio misses its target"
    )
    parser.add_argument(
        "--encrypt", action="store_true", help="fill phone and id_number (encrypted) for people"
    )
    parser.add_argument(
        "--no-reports",
        action="store_true",
        help="skip the monthly-report statistics (bench/bench_reports.py)",
    )
    parser.add_argument(
        "--no-surge",
        action="store_true",
        help="skip month-end's surge of submits through uvicorn (bench/bench_surge.py)",
    )
    parser.add_argument(
        "--only",
        choices=tuple(ONLY),
        help="run only this benchmark (and its kin), at its scale unless --scale says otherwise",
    )
    parser.add_argument(
        "--no-petitions",
        action="store_true",
        help="skip the petitions benchmarks: deadline board, receipt (bench/bench_petitions.py)",
    )
    args = parser.parse_args(argv)
    scales = args.scale or (ONLY[args.only][1] if args.only else ["city", "province", "nation"])
    groups = {ONLY[args.only][0]} if args.only else set(GROUPS)
    skipped = {"reports": args.no_reports, "surge": args.no_surge, "petitions": args.no_petitions}
    groups -= {name for name, skip in skipped.items() if skip}

    server_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not server_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print(f"bench 需要 PostgreSQL：DATABASE_URL={server_url!r} 不是 postgres:// 地址", file=sys.stderr)
        return 2
    name = args.database
    if not name.replace("_", "").isalnum() or name in ("test", "test_test", "postgres"):
        print(f"bench 数据库名不可用：{name!r}", file=sys.stderr)
        return 2
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}"')
    _admin(server_url, f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = _with_database(server_url, name)
    os.environ.setdefault("JIJIAN_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jijian.config.settings")
    failed = False
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        t = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"# database {name} on {urlsplit(server_url).hostname}, PostgreSQL "
              f"{connection.pg_version}, migrated in {time.perf_counter() - t:.1f}s", flush=True)  # fmt: skip
        for scale in scales:
            results = run_scale(
                scale,
                repeat=args.repeat,
                explain=args.explain,
                encrypt=args.encrypt,
                **{group: group in groups for group in GROUPS},
            )
            over = missed_targets(results)
            if over:
                failed = True
                print(f"# {scale}: target missed: {over}", flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _admin(server_url, f'DROP DATABASE IF EXISTS "{name}"')
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
