"""Monthly-report statistics at scale: 12 months of expected-report rows for every generated village
(COPY), then the statistics of one month for the whole tree through jijian.reports.statistics against
the raw SQL GROUP BY over the same rows, and the query count of the statistics page.

Called by bench/run.py after the org-tree benchmarks of a scale (same database, same villages and
people). See bench/README.md, "Monthly-report statistics".
"""

from __future__ import annotations

import contextlib
import time
from datetime import date

from bench.generate import Generated, check_columns

MONTHS = [date(2025, m, 1) for m in range(1, 13)]
BENCH_MONTH = MONTHS[-1]
TARGET_RATIO = 2.0
TARGET_MS_NATION = 300.0
# Ratio targets of this module's BENCH lines (bench/run.py checks them instead of its default 3).
TARGETS = {
    "report_stats_counties": TARGET_RATIO,
    "report_stats_townships": TARGET_RATIO,
    "report_stats_page_queries": 2.0,
}

REPORT_COLUMNS = (
    "id", "village_id", "month", "member_id", "city_id_at", "county_id_at", "township_id_at", "state",
    "deadline", "is_zero_report", "summary", "problems", "counts", "first_submitted_at", "submitted_at",
    "is_late", "late_days", "approved_at", "approved_by_id", "return_count", "return_reason", "score",
    "score_detail", "review_comment", "endorsement_statement", "endorsed_by_id", "endorsed_at",
    "endorsement_digest", "version", "created_at", "updated_at", "member_kind", "is_early", "counts_note",
    "draft_saved_from",
)  # fmt: skip


def _outcome(village_id: int, month_no: int) -> tuple[str, bool, bool, int]:
    """A deterministic spread of outcomes: (state, is_late, is_zero_report, return_count). About 85%
    submitted (10% of them late, 5% zero reports), 6% returned once, the rest not started or draft."""
    h = (village_id * 2654435761 + month_no * 40503) % 1000
    if h < 600:
        return "approved", h < 60, h % 20 == 0, 1 if h % 17 == 0 else 0
    if h < 800:
        return "submitted", h < 680, h % 20 == 0, 0
    if h < 850:
        return "resubmitted", False, False, 1
    if h < 880:
        return "returned", False, False, 1
    if h < 940:
        return "draft", False, False, 0
    return "not_started", False, False, 0


def generate_reports(gen: Generated) -> tuple[int, float]:
    """COPY 12 months of MonthlyReport rows for every village (with its member and its ancestors), in
    the text format, a chunk at a time. Returns (rows, seconds)."""
    from django.db import connection

    from jijian.reports.models import MonthlyReport

    check_columns(MonthlyReport, REPORT_COLUMNS)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.org_unit_id, u.id, o.city_id, o.county_id, o.township_id FROM core_user u "
            "JOIN core_userrole r ON r.user_id = u.id AND r.role = 'village_member' "
            "JOIN core_orgunit o ON o.id = u.org_unit_id"
        )
        villages = sorted(cursor.fetchall())
    now = "2026-01-10 08:00:00+08"
    cols = ", ".join(REPORT_COLUMNS)
    rid = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY reports_monthlyreport ({cols}) FROM STDIN") as copy,
    ):
        for month_no, month in enumerate(MONTHS):
            deadline = f"{month.year + (month.month == 12)}-{month.month % 12 + 1:02d}-05"
            m = month.isoformat()
            chunk: list[str] = []
            for village_id, member_id, city_id, county_id, township_id in villages:
                rid += 1
                state, late, zero, returns = _outcome(village_id, month_no)
                submitted = state in ("submitted", "resubmitted", "approved")
                sub_at = now if submitted else "\\N"
                chunk.append(
                    f"{rid}\t{village_id}\t{m}\t{member_id}\t{city_id}\t{county_id}\t{township_id}\t{state}\t"
                    f"{deadline}\t{'t' if zero else 'f'}\t\t\t{{}}\t{sub_at}\t{sub_at}\t{'t' if late else 'f'}\t"
                    f"{3 if late else 0}\t{now if state == 'approved' else chr(92) + 'N'}\t\\N\t{returns}\t\t\\N\t"
                    f"{{}}\t\t\t\\N\t\\N\t\t1\t{now}\t{now}\tvillage\tf\t\t\n"
                )
                if len(chunk) >= 20000:
                    copy.write("".join(chunk))
                    chunk.clear()
            copy.write("".join(chunk))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('reports_monthlyreport', 'id'), "
            "(SELECT MAX(id) FROM reports_monthlyreport))"
        )
    return rid, time.perf_counter() - started


def run_reports(
    scale: str, gen: Generated, *, repeat: int, explain: bool, measure, report
) -> dict[str, float]:
    """Time the statistics of one month for the whole tree; print BENCH lines (bench/README.md)."""
    from django.db import DatabaseError, connection

    from jijian.core.models import OrgUnit, User
    from jijian.core.roles import Role
    from jijian.core.services import user_create
    from jijian.reports.models import SUBMITTED_STATES, MonthlyReport
    from jijian.reports.statistics import child_rows, grouped_measures, level_of, reports_of_node

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE reports_monthlyreport RESTART IDENTITY CASCADE")
    rows, seconds = generate_reports(gen)
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) reports_monthlyreport")
        with contextlib.suppress(DatabaseError):
            cursor.execute("CHECKPOINT")
    print(
        f"GEN scale={scale} monthly_reports={rows} months={len(MONTHS)} seconds={seconds:.1f} "
        f"vacuum_analyze_seconds={time.perf_counter() - t:.1f}",
        flush=True,
    )

    city = OrgUnit.objects.get(pk=gen.city_id)
    # The city's conduct-supervision officer (the generator has none at the city: one is added).
    officer = User.objects.filter(username="bench_city_cs").first() or user_create(
        actor=None,
        username="bench_city_cs",
        full_name="市党风政风监督室",
        org_unit=city,
        roles={Role.CONDUCT_SUPERVISION},
        password=None,
        audit=False,
    )
    User.objects.filter(pk=officer.pk).update(must_change_password=False)
    officer.must_change_password = False
    level = level_of(city)
    assert level is not None
    states = sorted(SUBMITTED_STATES)
    results: dict[str, float] = {}

    # --- the city's drill-down to its counties: one GROUP BY + the children's names --------------
    def orm_counties() -> None:
        qs = reports_of_node(city, BENCH_MONTH, BENCH_MONTH)
        children = child_rows(officer, city, qs, level)
        assert len(children) == gen.shape.counties

    # The same aggregates written by hand (FILTER clauses as Django emits them for Count(filter=)).
    agg_sql = (
        "COUNT(*), COUNT(*) FILTER (WHERE state IN (%s, %s, %s)), "
        "COUNT(*) FILTER (WHERE state IN (%s, %s, %s) AND NOT is_late), "
        "COUNT(*) FILTER (WHERE state IN (%s, %s, %s) AND is_late), "
        "COUNT(*) FILTER (WHERE state IN (%s, %s, %s) AND is_zero_report), "
        "COUNT(*) FILTER (WHERE return_count > 0), COUNT(*) FILTER (WHERE state = 'approved')"
    )
    agg_params = states * 4
    counties_sql = (
        f"SELECT county_id_at, {agg_sql} FROM reports_monthlyreport "  # noqa: S608
        "WHERE city_id_at = %s AND month = %s GROUP BY county_id_at"
    )
    names_sql = (
        "SELECT id, name FROM core_orgunit WHERE (parent_id = %s AND kind IN ('county', 'district', 'county_city')) "
        "OR id = ANY(%s)"
    )

    def raw_counties() -> None:
        with connection.cursor() as cursor:
            cursor.execute(counties_sql, [*agg_params, city.pk, BENCH_MONTH])
            grouped = cursor.fetchall()
            cursor.execute(names_sql, [city.pk, [r[0] for r in grouped]])
            assert len(cursor.fetchall()) == gen.shape.counties

    # --- every township of the tree for the month (the township ranking) -------------------------
    def orm_townships() -> None:
        by_township = grouped_measures(reports_of_node(city, BENCH_MONTH, BENCH_MONTH), "township_id_at")
        assert len(by_township) == len(gen.township_ids)

    townships_sql = counties_sql.replace("county_id_at", "township_id_at")

    def raw_townships() -> None:
        with connection.cursor() as cursor:
            cursor.execute(townships_sql, [*agg_params, city.pk, BENCH_MONTH])
            assert len(cursor.fetchall()) == len(gen.township_ids)

    # Both sides agree before they are timed.
    qs = reports_of_node(city, BENCH_MONTH, BENCH_MONTH)
    orm_totals = {r.unit_id: r.measures.as_dict() for r in child_rows(officer, city, qs, level)}
    with connection.cursor() as cursor:
        cursor.execute(counties_sql, [*agg_params, city.pk, BENCH_MONTH])
        for county_id, expected, submitted, on_time, late, zero, returned, approved in cursor.fetchall():
            got = orm_totals[county_id]
            assert (got["expected"], got["submitted"], got["on_time"], got["late"], got["zero"]) == (
                expected, submitted, on_time, late, zero,
            ), "ORM and raw SQL disagree"  # fmt: skip
            assert (got["returned"], got["approved"]) == (returned, approved)
    month_rows = MonthlyReport.objects.filter(month=BENCH_MONTH).count()

    n = max(9, repeat // {"city": 10, "province": 50, "nation": 200}[scale])
    times = measure(
        {
            "report_stats_counties": (orm_counties, raw_counties),
            "report_stats_townships": (orm_townships, raw_townships),
        },
        repeat=n,
        warmup=2,
    )
    print(
        f"# report statistics {scale}: {month_rows} reports in {BENCH_MONTH:%Y-%m}, {rows} in all", flush=True
    )
    for name, (values, floors) in times.items():
        results[name] = report(name, scale, values, floors, target=TARGET_RATIO)
        median = sorted(values)[len(values) // 2]
        if scale == "nation" and median > TARGET_MS_NATION:
            print(f"# {name} nation: {median:.1f} ms is over the {TARGET_MS_NATION:g} ms target", flush=True)

    # --- the page's query count: the same at every scale -----------------------------------------
    results["report_stats_page_queries"] = page_queries(scale, gen, officer, report_fn=report)

    if explain:
        print(
            f"# EXPLAIN report_stats_counties ({scale}):\n{qs.order_by().values('county_id_at').explain(analyze=True)}"
        )
    return results


def page_queries(scale: str, gen: Generated, city_officer, *, report_fn) -> float:
    """Render the statistics page as the city's officer (the whole tree) and as a township's officer
    (about 12 villages) and count the queries of each request. Printed as value (city) and floor
    (township): both constant in the number of villages; the city page runs one more GROUP BY (the
    township ranking) and one more names query than a township page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from tests.conftest import sign_in

    from jijian.core.models import User

    township_officer = User.objects.get(username=f"tc{gen.township_ids[len(gen.township_ids) // 2]}")
    counts = []
    for user in (city_officer, township_officer):
        client = Client()
        sign_in(client, user)
        url = reverse("reports:stats") + f"?from={BENCH_MONTH:%Y-%m}&to={BENCH_MONTH:%Y-%m}"
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        counts.append(len(ctx))
    city_n, township_n = counts
    print(
        f"# report_stats_page_queries {scale}: city page {city_n} queries, township page {township_n}",
        flush=True,
    )
    print(
        f"BENCH name=report_stats_page_queries scale={scale} value={city_n} unit=queries floor={township_n} "
        f"ratio={city_n / township_n:.2f} target=2",
        flush=True,
    )
    return city_n / township_n
