"""`responsibility_board`: the supervising office's monitoring board of primary responsibility
(`jijian.responsibility.selectors.board`, the function the board page, its export and the API call)
for every party organisation of a jurisdiction, against one raw SQL statement that computes the same
statuses (the floor), interleaved in one run. Target: ratio <= 2, and a number of queries that does not
grow with the number of organisations.

    .venv/bin/python bench/bench_responsibility.py                    # province: 5,000 organisations
    .venv/bin/python bench/bench_responsibility.py --scale nation     # 50,000 organisations

PostgreSQL only (DATABASE_URL names the server, default postgres://postgres@127.0.0.1:5432/test); it
creates and drops its own database (`--database`, default `jijian_bench_resp`). Not part of `make bench`.

The tree: one city -> COUNTIES counties -> DEPARTMENTS departments each -> party organisations, evenly
(5,000 at province scale, 50,000 at nation scale), a conduct supervision office at the city (it sees
every organisation) and one at the first county (a tenth of them). Each organisation has a list of
ITEMS items for YEAR: 27 monthly, one quarterly, one half-yearly and one yearly item due 30 June,
that is 30 items and 12 months. Each period begun by TODAY gets records, from a fixed hash of the item
and period: ~75 % one record on time, 10 % one late record, 5 % an on-time and a late one, 10 % none
(a period still open gets an on-time record or nothing). Rows go in with COPY.

The floor is the organisations' list and one SQL statement: the items counted by organisation,
frequency and due date, the records counted (distinct items on time, distinct items with any record)
by organisation, frequency, due date and period, joined to a VALUES list of each frequency and due
date's periods with the status of a period without a record (from the same working-day calendar, read
inside the timed floor as the board reads it), and summed by organisation and status. (The naive
statement that expands every item into its periods is much slower than both: see bench/README.md.) Both sides' counts are checked equal
before timing. The query count of the board is printed for the county office and the city office.
See bench/README.md, "Monitoring board of primary responsibility".
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

TARGET_RATIO = 2.0
YEAR = 2025
TODAY = date(YEAR, 9, 18)
COUNTIES = 10
DEPARTMENTS = 10  # per county
ORGS = {"city": 500, "province": 5000, "nation": 50000}
FREQUENCIES = ["monthly"] * 27 + ["quarterly", "half_yearly", "yearly"]
YEARLY_DUE = date(YEAR, 6, 30)
REPEAT = {"city": 30, "province": 15, "nation": 5}

ITEM_COLUMNS = (
    "id", "holder", "polarity", "title", "requirement", "frequency", "due_date", "supervising_office",
    "evidence", "record_type", "org_unit_id", "year", "member_id", "template_id", "sort_order", "created_at",
)  # fmt: skip
RECORD_COLUMNS = (
    "id", "org_unit_id", "item_id", "period", "record_type", "occurred_on", "title", "content",
    "participants", "integrity_ten_minutes", "integrity_topic", "major_decision",
    "major_decision_procedure", "is_late", "late_reason", "created_by_id", "created_at",
)  # fmt: skip


def generate(n_orgs: int) -> dict:
    """Insert the tree, the two offices, the items and the records; return the ids the run needs."""
    from django.db import connection
    from django.utils import timezone

    from bench.generate import ORG_UNIT_COLUMNS, USER_COLUMNS, USER_ROLE_COLUMNS, _write, check_columns
    from jijian.core.models import OrgKind, OrgUnit, User, UserRole
    from jijian.core.roles import Role
    from jijian.responsibility import monitoring
    from jijian.responsibility.models import FulfilmentRecord, ResponsibilityItem

    check_columns(ResponsibilityItem, ITEM_COLUMNS)
    check_columns(FulfilmentRecord, RECORD_COLUMNS)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    units: list[tuple] = []

    def unit(uid, name, kind, parent, path, depth, county):
        units.append((uid, None, name, kind, parent, path, depth, 1, county, None, None, None, "", True,
                      None, None, uid, 1, now))  # fmt: skip

    unit(1, "基准市", OrgKind.CITY, None, "/1/", 0, None)
    next_id, org_ids, county_ids = 2, [], []
    per_department = n_orgs // (COUNTIES * DEPARTMENTS)
    for c in range(COUNTIES):
        county = next_id
        county_ids.append(county)
        unit(county, f"基准{c}县", OrgKind.COUNTY, 1, f"/1/{county}/", 1, county)
        next_id += 1
        for d in range(DEPARTMENTS):
            dept = next_id
            unit(dept, f"{c}县第{d}局", OrgKind.DEPARTMENT, county, f"/1/{county}/{dept}/", 2, county)
            next_id += 1
            for o in range(per_department):
                unit(next_id, f"{c}县第{d}局第{o}党支部", OrgKind.PARTY_ORG, dept,
                     f"/1/{county}/{dept}/{next_id}/", 3, county)  # fmt: skip
                org_ids.append(next_id)
                next_id += 1
    users, roles = [], []
    for uid, (username, unit_id) in enumerate((("city_office", 1), ("county_office", county_ids[0])), 1):
        users.append((uid, "!bench", None, False, username, "监督室", "", unit_id, "监督室主任", "", "", "",
                      "", "", True, False, None, 0, None, "", None, False, now, 1))  # fmt: skip
        roles.append((uid, uid, Role.CONDUCT_SUPERVISION, None, now))
    _write(OrgUnit._meta.db_table, ORG_UNIT_COLUMNS, units)
    _write(User._meta.db_table, USER_COLUMNS, users)
    _write(UserRole._meta.db_table, USER_ROLE_COLUMNS, roles)

    calendar = monitoring.Calendar.for_year(YEAR, TODAY)
    item_id = record_id = 0
    items, records = [], []
    for org in org_ids:
        for k, frequency in enumerate(FREQUENCIES):
            item_id += 1
            due = YEARLY_DUE if frequency == "yearly" else None
            items.append((item_id, "organisation", "positive", f"事项{k}", "", frequency, due, "党风政风监督室",
                          "", "meeting", org, YEAR, None, None, k, now))  # fmt: skip
            for p in range(1, monitoring.period_count(frequency) + 1):
                first, last = monitoring.period_bounds(frequency, YEAR, p, due)
                if first > TODAY:
                    break
                deadline = calendar.deadline(last)
                h = (item_id * 7 + p * 13) % 20
                if deadline >= TODAY:
                    kinds = [False] if h < 10 else []
                else:
                    kinds = [False] if h < 15 else [True] if h < 17 else [False, True] if h < 18 else []
                for late in kinds:
                    record_id += 1
                    day = min(first + timedelta(days=h), last, TODAY)
                    records.append((record_id, org, item_id, p, "meeting", day, "党委会", "会议记录", "",
                                    False, "", False, False, late, "外出补录" if late else "", 1, now))  # fmt: skip
    t = time.perf_counter()
    _write(ResponsibilityItem._meta.db_table, ITEM_COLUMNS, items)
    _write(FulfilmentRecord._meta.db_table, RECORD_COLUMNS, records)
    with connection.cursor() as cursor:
        for model in (OrgUnit, User, UserRole, ResponsibilityItem, FulfilmentRecord):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )
    return {
        "orgs": len(org_ids),
        "items": len(items),
        "records": len(records),
        "county_id": county_ids[0],
        "copy_seconds": time.perf_counter() - t,
    }


FLOOR_SQL = """
WITH kinds(frequency, due, period, undone) AS (VALUES {values}),
items AS (
    SELECT i.org_unit_id, i.frequency, COALESCE(i.due_date, DATE '9999-12-31') AS due, count(*) AS n
    FROM responsibility_responsibilityitem i
    JOIN core_orgunit o ON o.id = i.org_unit_id
    WHERE i.year = %s AND i.polarity = 'positive' AND o.{scope} = %s
    GROUP BY 1, 2, 3
),
records AS (
    SELECT i.org_unit_id, i.frequency, COALESCE(i.due_date, DATE '9999-12-31') AS due, r.period,
           count(DISTINCT r.item_id) FILTER (WHERE NOT r.is_late) AS on_time,
           count(DISTINCT r.item_id) AS any_record
    FROM responsibility_fulfilmentrecord r
    JOIN responsibility_responsibilityitem i ON i.id = r.item_id
    JOIN core_orgunit o ON o.id = r.org_unit_id
    WHERE i.year = %s AND i.polarity = 'positive' AND o.{scope} = %s
    GROUP BY 1, 2, 3, 4
)
SELECT it.org_unit_id, s.status, sum(s.n)
FROM items it
JOIN kinds k ON k.frequency = it.frequency AND k.due = it.due
LEFT JOIN records r
    ON r.org_unit_id = it.org_unit_id AND r.frequency = it.frequency AND r.due = it.due AND r.period = k.period
CROSS JOIN LATERAL (VALUES
    ('done', COALESCE(r.on_time, 0)),
    ('done_late', COALESCE(r.any_record - r.on_time, 0)),
    (k.undone, it.n - COALESCE(r.any_record, 0))
) AS s(status, n)
WHERE s.n > 0
GROUP BY 1, 2
"""


def floor_board(scope: str, unit_id: int) -> dict[int, dict[str, int]]:
    """The raw SQL side: per organisation of the office's jurisdiction, its periods counted by status."""
    from django.db import connection

    from jijian.responsibility import monitoring
    from jijian.responsibility.models import ResponsibilityItem

    calendar = monitoring.Calendar.for_year(YEAR, TODAY)
    params: list = []
    for frequency in dict.fromkeys(FREQUENCIES):
        due = YEARLY_DUE if frequency == "yearly" else None
        sample = ResponsibilityItem(frequency=frequency, due_date=due, year=YEAR)
        for p in monitoring.item_statuses(sample, today=TODAY, calendar=calendar, done={}):
            params += [frequency, due or date.max, p.period, p.status]
    values = ", ".join(["(%s, %s::date, %s, %s)"] * (len(params) // 4))
    out: dict[int, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, name, path FROM core_orgunit WHERE {scope} = %s AND kind = 'party_org' AND is_active "
            "ORDER BY path",
            [unit_id],
        )
        rows = cursor.fetchall()
        out = {org_id: {} for org_id, _, _ in rows}
        cursor.execute(FLOOR_SQL.format(values=values, scope=scope), [*params, YEAR, unit_id, YEAR, unit_id])
        for org_id, status, n in cursor.fetchall():
            if org_id in out:
                out[org_id][status] = int(n)
    return out


def run_scale(scale: str) -> float:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from bench.run import measure, report
    from jijian.core.models import User
    from jijian.responsibility import selectors

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE responsibility_fulfilmentrecord, responsibility_responsibilityitem, core_userrole, "
            "core_user, core_orgunit RESTART IDENTITY CASCADE"
        )
    t = time.perf_counter()
    with transaction.atomic():
        gen = generate(ORGS[scale])
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM (ANALYZE) responsibility_fulfilmentrecord, responsibility_responsibilityitem, core_orgunit"
        )
        cursor.execute("CHECKPOINT")
    print(
        f"GEN scale={scale} orgs={gen['orgs']} items={gen['items']} records={gen['records']} "
        f"seconds={time.perf_counter() - t:.1f} (copy {gen['copy_seconds']:.1f})",
        flush=True,
    )
    city_office = User.objects.get(username="city_office")
    county_office = User.objects.get(username="county_office")

    def value():
        return selectors.board(city_office, YEAR, today=TODAY)

    def floor():
        return floor_board("city_id", 1)

    for office, scope, unit_id in (
        (county_office, "county_id", gen["county_id"]),
        (city_office, "city_id", 1),
    ):
        selectors.board(office, YEAR, today=TODAY)  # the once-per-process reads (roles, calendar years)
        with CaptureQueriesContext(connection) as queries:
            rows = selectors.board(office, YEAR, today=TODAY)
        expected = floor_board(scope, unit_id)
        assert {r.org.pk: r.totals for r in rows} == expected, "the board and the raw SQL disagree"
        print(
            f"# responsibility_board {scale}: {office.username} sees {len(rows)} organisations, "
            f"{sum(sum(t.values()) for t in expected.values())} periods: {len(queries)} queries",
            flush=True,
        )

    gc.collect()
    timings = measure({"responsibility_board": (value, floor)}, repeat=REPEAT[scale], warmup=2)
    values, floors = timings["responsibility_board"]
    return report("responsibility_board", scale, values, floors, target=TARGET_RATIO)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="append", choices=tuple(ORGS))
    parser.add_argument("--database", default="jijian_bench_resp", help="the database it creates and drops")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the ratio misses its target")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args(argv)

    from bench.run import DEFAULT_URL, _admin, _with_database

    server_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not server_url.startswith(("postgres://", "postgresql://")):
        print(f"bench 需要 PostgreSQL：DATABASE_URL={server_url!r}", file=sys.stderr)
        return 2
    name = args.database
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
        for scale in args.scale or ["province"]:
            ratio = run_scale(scale)
            if ratio > TARGET_RATIO:
                missed[scale] = ratio
                print(f"# {scale}: target missed: responsibility_board={ratio:.2f}", flush=True)
        connections.close_all()
    finally:
        if not args.keep:
            _admin(server_url, f'DROP DATABASE IF EXISTS "{name}"')
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
