"""Run by tests/core/test_replicas.py in a subprocess whose environment points DATABASE_URL at a
throwaway primary and JIJIAN_DATABASE_REPLICAS at its streaming replica (bench/pgcluster.py): Django
reads DATABASES once at start-up, so a database alias that is a real replica needs a process of its
own. Each scenario prints one JSON line of what it observed; the test asserts on it.

    python tests/core/replica_script.py setup|routing|lag|idle|down|recusal|after_write|stopped
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jijian.config.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from jijian.core.models import OrgUnit, User  # noqa: E402
from jijian.core.ops.replicas import CACHE_KEY, replica_lag, reporting_db  # noqa: E402
from jijian.core.roles import Role  # noqa: E402
from jijian.reports.models import MonthlyReport  # noqa: E402
from jijian.reports.statistics import node_statistics, stats_node_for  # noqa: E402

OCT = date(2025, 10, 1)
BOUND_WAIT = 30.0


def tables(queries) -> list[str]:
    """The application tables named in captured queries."""
    found = set()
    for q in queries:
        for word in q["sql"].replace('"', " ").replace(",", " ").split():
            if word.startswith(("core_", "reports_", "petitions_", "django_session")):
                found.add(word.split(".")[0])
    return sorted(found)


def officer() -> User:
    return User.objects.get(username="county_officer")


def expected_on_city() -> int:
    """A normal read (the primary) of the October reports under the city."""
    return MonthlyReport.objects.filter(city_id_at=OrgUnit.objects.get(code="421300").pk, month=OCT).count()


def reporting_expected(user: User) -> tuple[str, int]:
    node = stats_node_for(
        user, OrgUnit.objects.get(code="421300").pk if user.username == "city_stats" else None
    )
    stats = node_statistics(user=user, node=node, start=OCT, end=OCT)
    return stats.db, stats.totals.expected


def setup() -> dict:
    from tests.conftest import make_tree, make_user
    from tests.reports.helpers import report

    tree = make_tree()
    make_user("county_officer", tree.county, Role.CONDUCT_SUPERVISION)
    make_user("city_stats", tree.city, Role.CONDUCT_SUPERVISION)
    petition = make_user("county_petition", tree.county, Role.PETITION_OFFICE)
    report(tree.village_a, OCT)
    petitions_of(tree.county, petition)
    return {"reports": expected_on_city()}


RELATIVE = "李亲属"  # the accused the county's petition officer declares a relation to (scenario recusal)


def petitions_of(county: OrgUnit, registered_by: User) -> None:
    """Two reports and two clues held by the county, one of each about RELATIVE, each with an open
    deadline (the board, the quarterly results, the clue statistics and the register count them)."""
    from tests.petitions.board_helpers import make_clue, make_deadline, make_report

    due = timezone.localdate() + timedelta(days=30)
    for accused in (RELATIVE, "王某"):
        make_deadline(make_report(county, accused=accused), due)
        make_deadline(make_clue(county, registered_by, accused=accused), due)


def wait_replica_has(count: int) -> None:
    deadline = time.monotonic() + BOUND_WAIT
    while time.monotonic() < deadline:
        n = MonthlyReport.objects.using("replica1").filter(month=OCT).count()
        if n == count:
            return
        time.sleep(0.05)
    raise TimeoutError(f"replica never showed {count} reports")


def routing() -> dict:
    from tests.conftest import sign_in

    wait_replica_has(MonthlyReport.objects.filter(month=OCT).count())
    cache.clear()
    user = officer()
    client = Client()
    sign_in(client, user)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica1"]) as replica,
    ):
        response = client.get(reverse("reports:stats"), {"from": "2025-10", "to": "2025-10"})
    with CaptureQueriesContext(connections["replica1"]) as again:
        second = reporting_db()  # within REPLICA_CHECK_SECONDS: the cached answer, no query
    others_primary, others_replica = other_reporting_reads(user)
    return {
        "others_primary_tables": others_primary,
        "others_replica_tables": others_replica,
        "status": response.status_code,
        "primary_tables": tables(primary.captured_queries),
        "replica_tables": tables(replica.captured_queries),
        "second_choice": second,
        "second_check_queries": len(again.captured_queries),
    }


def other_reporting_reads(officer: User) -> tuple[list[str], list[str]]:
    """The board, the quarterly results, the clue statistics, the register's export and the month's
    reports export, by a county's petition office (and the circular's list by the officer)."""
    from jijian.petitions.clues.stats import clue_stats
    from jijian.petitions.deadlines.board import (
        board_counts,
        board_dates,
        board_rows_query,
        board_scopes,
        quarterly_counts,
    )
    from jijian.petitions.handling.exports import register_for_export
    from jijian.petitions.selectors import RegisterFilter
    from jijian.reports.exports import month_reports_csv
    from jijian.reports.statistics import unsubmitted_of_month

    petition = User.objects.get(username="county_petition")
    node = stats_node_for(officer, None)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica1"]) as replica,
    ):
        dates = board_dates()
        counted, rows = board_scopes(petition)
        board_counts(counted, dates)
        list(board_rows_query(rows, dates)[:50])
        quarterly_counts(petition, 2025, 4)
        clue_stats(petition)
        list(register_for_export(petition, RegisterFilter()))
        list(month_reports_csv(node, OCT))
        unsubmitted_of_month(node, OCT)
    return tables(primary.captured_queries), tables(replica.captured_queries)


def lag() -> dict:
    from tests.reports.helpers import report

    user = User.objects.get(username="city_stats")
    villages = list(OrgUnit.objects.filter(kind="village").exclude(monthly_reports__month=OCT).order_by("pk"))
    # A first new report, replayed: the replica's last replayed commit is now.
    report(villages[0], OCT)
    wait_replica_has(expected_on_city())
    with connections["replica1"].cursor() as c:
        c.execute("SELECT pg_wal_replay_pause()")
    # A second one, received by the replica but not replayed.
    report(villages[1], OCT)
    with connections["default"].cursor() as c:
        c.execute("SELECT pg_current_wal_lsn()")
        written = c.fetchone()[0]
    deadline = time.monotonic() + BOUND_WAIT
    with connections["replica1"].cursor() as c:
        while time.monotonic() < deadline:
            c.execute("SELECT pg_last_wal_receive_lsn() >= %s::pg_lsn", [written])
            if c.fetchone()[0]:
                break
            time.sleep(0.05)
    cache.clear()
    fresh_lag = replica_lag("replica1")
    fresh_db, fresh_expected = reporting_expected(user)
    primary_expected = expected_on_city()
    # Still paused: the lag grows past the bound; the next check sends reporting reads to the primary.
    deadline = time.monotonic() + BOUND_WAIT
    late_lag = replica_lag("replica1") or 0.0
    while late_lag <= float(os.environ["JIJIAN_REPLICA_MAX_LAG_SECONDS"]) and time.monotonic() < deadline:
        time.sleep(0.2)
        late_lag = replica_lag("replica1") or 0.0
    cache.clear()
    late_db, late_expected = reporting_expected(user)
    with connections["replica1"].cursor() as c:
        c.execute("SELECT pg_wal_replay_resume()")
    return {
        "fresh_lag": fresh_lag,
        "fresh_db": fresh_db,
        "fresh_expected": fresh_expected,
        "primary_expected": primary_expected,
        "late_lag": late_lag,
        "late_db": late_db,
        "late_expected": late_expected,
    }


def _on_replica(sql: str, params=None):
    with connections["replica1"].cursor() as c:
        c.execute(sql, params)
        return c.fetchone() if c.description else None


def _wait(sql: str, want: bool) -> None:
    deadline = time.monotonic() + BOUND_WAIT
    while time.monotonic() < deadline:
        if bool(_on_replica(sql)[0]) is want:
            return
        time.sleep(0.1)
    raise TimeoutError(sql)


def idle() -> dict:
    """A caught-up replica of an idle primary has no lag however old its last replayed commit; the same
    replica cut off from its primary (its WAL receiver stopped) is as far behind as that commit."""
    wait_replica_has(MonthlyReport.objects.filter(month=OCT).count())
    bound = float(os.environ["JIJIAN_REPLICA_MAX_LAG_SECONDS"])
    _wait(f"SELECT EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) > {bound}", True)
    cache.clear()
    idle_lag, idle_db = replica_lag("replica1"), reporting_db()
    conninfo = _on_replica("SHOW primary_conninfo")[0]
    _on_replica("ALTER SYSTEM SET primary_conninfo = ''")
    _on_replica("SELECT pg_reload_conf()")
    try:
        _wait("SELECT EXISTS (SELECT 1 FROM pg_stat_wal_receiver)", False)
        cache.clear()
        cut_lag, cut_db = replica_lag("replica1"), reporting_db()
    finally:
        # ALTER SYSTEM takes no parameters: the value as an SQL string literal.
        literal = conninfo.replace("'", "''")
        _on_replica(f"ALTER SYSTEM SET primary_conninfo = '{literal}'")
        _on_replica("SELECT pg_reload_conf()")
        _wait("SELECT EXISTS (SELECT 1 FROM pg_stat_wal_receiver)", True)
    return {"idle_lag": idle_lag, "idle_db": idle_db, "cut_lag": cut_lag, "cut_db": cut_db}


def down() -> dict:
    from tests.conftest import sign_in

    cache.clear()
    user = officer()
    client = Client()
    sign_in(client, user)
    started = time.monotonic()
    response = client.get(reverse("reports:stats"), {"from": "2025-10", "to": "2025-10"})
    return {
        "status": response.status_code,
        "seconds": time.monotonic() - started,
        "choice": reporting_db(),
        "lag": replica_lag("replica1"),
        "reporting": reporting_expected(User.objects.get(username="city_stats")),
        "primary_expected": expected_on_city(),
    }


def petition_reads(user: User) -> dict:
    """The reporting reads of the petitions platform, as a county's petition office sees them: the
    quarterly results, the clue statistics, the register's export and the deadline board."""
    from jijian.petitions.clues.stats import clue_stats
    from jijian.petitions.deadlines.board import board_counts, board_dates, board_scopes, quarterly_counts
    from jijian.petitions.handling.exports import register_for_export
    from jijian.petitions.selectors import RegisterFilter

    today = timezone.localdate()
    counted, rows = board_scopes(user)
    return {
        "quarterly_received": quarterly_counts(user, today.year, (today.month - 1) // 3 + 1)["received"],
        "clues": clue_stats(user).total,
        "register": sorted(r.accused_name for r in register_for_export(user, RegisterFilter())),
        "board": board_counts(counted, board_dates())["total"],
        "board_rows": len(list(rows)),
    }


def _replica_has(sql: str, params) -> bool:
    row = _on_replica(sql, params)
    return bool(row and row[0])


def recusal() -> dict:
    """A relation declared on the primary a moment ago, not yet replayed on the replica (replay
    paused), hides the relative's items in every reporting read of the petitions platform at once,
    though those reads run on the replica."""
    from jijian.core.models import RelationKind, StaffRelation
    from jijian.petitions.handling.relations import staff_relation_declare

    petition = User.objects.get(username="county_petition")
    cache.clear()
    before = petition_reads(petition)
    # A harmless commit, replayed: the replica's last replayed commit is now, so its lag starts at 0.
    marker = StaffRelation.objects.create(user=officer(), relative_name="测试标记", kind=RelationKind.OTHER)
    deadline = time.monotonic() + BOUND_WAIT
    while not _replica_has(
        "SELECT EXISTS (SELECT 1 FROM petitions_staffrelation WHERE id = %s)", [marker.pk]
    ):
        if time.monotonic() > deadline:
            raise TimeoutError("the marker never reached the replica")
        time.sleep(0.05)
    _on_replica("SELECT pg_wal_replay_pause()")
    try:
        relation = staff_relation_declare(
            actor=petition, relative_name=RELATIVE, kind=RelationKind.SPOUSE, relative_unit="某局"
        )
        cache.clear()
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(connections["replica1"]) as replica,
        ):
            db = reporting_db()
            after = petition_reads(petition)
        lag_then = replica_lag("replica1")
        replica_knows = _replica_has(
            "SELECT EXISTS (SELECT 1 FROM petitions_staffrelation WHERE id = %s)", [relation.pk]
        )
    finally:
        _on_replica("SELECT pg_wal_replay_resume()")
    return {
        "db": db,
        "lag": lag_then,
        "replica_knows_relation": replica_knows,
        "before": before,
        "after": after,
        "relative": RELATIVE,
        "primary_tables": tables(primary.captured_queries),
        "replica_tables": tables(replica.captured_queries),
        "replica_sql": [q["sql"] for q in replica.captured_queries],
    }


def after_write() -> dict:
    """In a request (PrimaryAfterWriteMiddleware), reporting reads use the replica until a statement
    other than a read runs on the primary, then the primary for the rest of the request."""
    from django.test import RequestFactory

    from jijian.core.ops.replicas import PrimaryAfterWriteMiddleware

    wait_replica_has(MonthlyReport.objects.filter(month=OCT).count())
    cache.clear()
    seen: dict = {}

    def view(request):
        seen["before_write"] = reporting_db()
        User.objects.filter(username="county_officer").update(last_login=timezone.now())
        seen["after_write"] = reporting_db()
        seen["figures_db"] = node_statistics(
            user=officer(), node=stats_node_for(officer(), None), start=OCT, end=OCT
        ).db
        from django.http import HttpResponse

        return HttpResponse("ok")

    PrimaryAfterWriteMiddleware(view)(RequestFactory().get("/"))
    seen["next_request"] = reporting_db()
    return seen


def _cluster():
    from bench import pgcluster

    root, bindir, primary_port, replica_port = json.loads(os.environ["JIJIAN_TEST_CLUSTER"])
    return pgcluster.Cluster(
        root=Path(root), bin=Path(bindir), primary_port=primary_port, replica_port=replica_port
    )


def stopped() -> dict:
    """The replica passes its check, then stops before the statistics page is loaded: the page is
    served from the primary, with the right figures, and the replica is marked unusable at once."""
    from tests.conftest import sign_in

    wait_replica_has(MonthlyReport.objects.filter(month=OCT).count())
    cache.clear()
    user = officer()
    client = Client()
    sign_in(client, user)
    checked = reporting_db()  # the check: usable, cached for REPLICA_CHECK_SECONDS
    _cluster().stop_replica()
    response = client.get(reverse("reports:stats"), {"from": "2025-10", "to": "2025-10"})
    stats = response.context["stats"] if response.status_code == 200 else None
    county = OrgUnit.objects.get(pk=user.org_unit_id)
    return {
        "checked": checked,
        "status": response.status_code,
        "db": stats.db if stats else None,
        "expected": stats.totals.expected if stats else None,
        "primary_expected": MonthlyReport.objects.filter(
            county_id_at=county.pk, month=OCT, member_kind="village"
        ).count(),
        "cached_usable": cache.get(CACHE_KEY),
        "choice_after": reporting_db(),
    }


if __name__ == "__main__":
    setup_test_environment()  # the test client's template rendering signals, as in a test run
    print(
        json.dumps(
            {
                "setup": setup,
                "routing": routing,
                "lag": lag,
                "idle": idle,
                "down": down,
                "recusal": recusal,
                "after_write": after_write,
                "stopped": stopped,
            }[sys.argv[1]]()
        )
    )
