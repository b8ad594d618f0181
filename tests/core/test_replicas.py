"""Read replicas (core/ops/replicas.py): the reporting reads go to a caught-up replica, everything
else to the primary; a lagging or silent replica is skipped for the primary without an error page.

The router tests run against a REAL streaming replica: a throwaway primary (initdb, wal_level=replica,
a replication line in pg_hba) and a pg_basebackup -R of it on another port (bench/pgcluster.py), made
once per session and removed after. Django reads DATABASES once at start-up, so the checks run in a
subprocess (tests/core/replica_script.py) whose DATABASE_URL is the throwaway primary and whose
JIJIAN_DATABASE_REPLICAS is the replica; it prints what it observed and the tests assert on that.
They need PostgreSQL's server binaries and run in CI's PostgreSQL phase; elsewhere they are skipped
with the reason."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from bench import pgcluster
from jijian.core.ops.env import ImproperSetting, env_url_list
from jijian.core.ops.replicas import (
    PrimaryAfterWriteMiddleware,
    PrimaryRouter,
    on_reporting_db,
    reporting_db,
    request_wrote,
)

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("replica_script.py")
MAX_LAG = 3

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql" or pgcluster.pg_bin() is None,
    reason="a real streaming replica needs PostgreSQL and its server binaries (CI's PostgreSQL phase)",
)


# --- configuration (every backend) -------------------------------------------------------------
def _settings_start(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import jijian.config.settings"],
        env={**os.environ, "JIJIAN_ENV": "test", "PYTHONPATH": str(ROOT / "src"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_malformed_replica_url_stops_start_up_naming_the_variable():
    done = _settings_start(
        {"DATABASE_URL": "postgres://u@127.0.0.1/x", "JIJIAN_DATABASE_REPLICAS": "mysql://db2/x"}
    )
    assert done.returncode != 0
    assert "JIJIAN_DATABASE_REPLICAS" in done.stderr


def test_replicas_beside_sqlite_stop_start_up():
    done = _settings_start(
        {"DATABASE_URL": "sqlite:////tmp/x.sqlite3", "JIJIAN_DATABASE_REPLICAS": "postgres://u@db2/x"}
    )
    assert done.returncode != 0
    assert "JIJIAN_DATABASE_REPLICAS" in done.stderr


def test_replica_urls_become_aliases_that_mirror_the_primary_in_tests():
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASE_REPLICAS, s.DATABASES['replica2']['PORT'], s.DATABASES['replica1']['TEST'])"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='jijian.config.settings'; {code}",
        ],
        env={
            **os.environ,
            "JIJIAN_ENV": "test",
            "PYTHONPATH": str(ROOT / "src"),
            "DATABASE_URL": "postgres://u@127.0.0.1/x",
            "JIJIAN_DATABASE_REPLICAS": "postgres://u@db2:5433/x, postgres://u@db3:5434/x",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:2] == ["['replica1',", "'replica2']"]
    assert "5434" in done.stdout and "'MIRROR': 'default'" in done.stdout


def test_env_url_list_accepts_none_and_refuses_a_bare_word():
    assert env_url_list("JIJIAN_TEST_UNSET_LIST", ("postgres",)) == []
    os.environ["JIJIAN_TEST_BAD_LIST"] = "postgres://a/b,replica"
    try:
        with pytest.raises(ImproperSetting, match="JIJIAN_TEST_BAD_LIST"):
            env_url_list("JIJIAN_TEST_BAD_LIST", ("postgres",))
    finally:
        del os.environ["JIJIAN_TEST_BAD_LIST"]


def test_without_replicas_every_read_stays_on_the_primary():
    assert reporting_db() == "default"


def test_the_router_writes_and_migrates_only_the_primary():
    router = PrimaryRouter()
    assert router.db_for_write(object) == "default"
    assert router.allow_migrate("default", "reports") is True
    assert router.allow_migrate("replica1", "reports") is False


def test_the_middleware_sits_around_the_view_and_notes_the_first_write_of_a_request(db, rf):
    from django.conf import settings
    from django.db import transaction
    from django.http import HttpResponse

    from jijian.core.models import User

    assert settings.MIDDLEWARE[-1] == "jijian.core.ops.replicas.PrimaryAfterWriteMiddleware"
    seen = []

    def view(request):
        seen.append(request_wrote())
        list(User.objects.all()[:1])
        with transaction.atomic():  # a savepoint (inside the test's transaction) is no write
            list(User.objects.all()[:1])
        seen.append(request_wrote())
        User.objects.filter(pk=-1).update(is_active=False)  # an UPDATE, even of no row
        seen.append((request_wrote(), reporting_db()))
        return HttpResponse("ok")

    assert PrimaryAfterWriteMiddleware(view)(rf.get("/")).status_code == 200
    assert seen == [False, False, (True, "default")]
    assert request_wrote() is False  # the next request starts afresh


def test_a_request_memo_is_read_once_until_the_request_writes(db, rf):
    from django.http import HttpResponse

    from jijian.core.models import User
    from jijian.core.ops.replicas import request_memo

    reads = []

    def read():
        reads.append(1)
        return User.objects.count()

    def view(request):
        first, again = request_memo("k", read), request_memo("k", read)
        User.objects.filter(pk=-1).update(is_active=False)
        return HttpResponse(f"{first} {again} {request_memo('k', read)}")

    assert PrimaryAfterWriteMiddleware(view)(rf.get("/")).content == b"0 0 0"
    assert len(reads) == 2  # once, then once more after the write
    request_memo("k", read)
    assert len(reads) == 3  # outside a request: every time


def test_without_replicas_a_reporting_read_runs_once_on_the_primary():
    calls = []
    assert on_reporting_db(lambda alias: calls.append(alias) or len(calls)) == 1
    assert calls == ["default"]


# --- a real streaming replica (PostgreSQL phase) -----------------------------------------------
@pytest.fixture(scope="session")
def replica_cluster():
    import psycopg

    # No autovacuum: its commits would move the replica's last replayed commit under the idle test.
    cluster = pgcluster.start(settings={"autovacuum": "off"})
    try:
        with psycopg.connect(cluster.primary_url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE jijian")
        env = _script_env(cluster, cluster.replica_url("jijian"))
        subprocess.run(
            [sys.executable, "-m", "jijian", "migrate", "--no-input", "-v", "0"],
            env=env, check=True, timeout=600, capture_output=True,
        )  # fmt: skip
        _script("setup", env)
        pgcluster.wait_caught_up(cluster)
        yield cluster
    finally:
        cluster.stop()


def _script_env(cluster, replicas: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}
    return {
        **env,
        "JIJIAN_ENV": "test",
        "PYTHONPATH": str(ROOT / "src"),
        "DATABASE_URL": cluster.primary_url("jijian"),
        "JIJIAN_DATABASE_REPLICAS": replicas,
        "JIJIAN_REPLICA_MAX_LAG_SECONDS": str(MAX_LAG),
    }


def _script(scenario: str, env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), scenario], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@needs_postgres
def test_statistics_read_the_replica_and_permissions_the_primary(replica_cluster):
    seen = _script("routing", _script_env(replica_cluster, replica_cluster.replica_url("jijian")))
    assert seen["status"] == 200
    # The figures came from the replica ...
    assert "reports_monthlyreport" in seen["replica_tables"]
    assert "reports_monthlyreport" not in seen["primary_tables"]
    # ... who may see the page (session, user, roles, the node in jurisdiction) from the primary.
    assert {"django_session", "core_user", "core_orgunit"} <= set(seen["primary_tables"])
    assert not {"django_session", "core_user", "core_userrole"} & set(seen["replica_tables"])
    # The replica's state is checked once and then cached: no query for the next reporting read.
    assert seen["second_choice"] == "replica1"
    assert seen["second_check_queries"] == 0
    # The board, quarterly results, clue statistics and exports read the replica too; the working-day
    # calendar that colours the board's deadlines and the user's relations (recusal), the primary.
    replica_read = {
        "petitions_petitiondeadline",
        "petitions_petitionreport",
        "petitions_clue",
        "petitions_cluestep",
        "reports_monthlyreport",
    }
    assert replica_read <= set(seen["others_replica_tables"])
    assert not replica_read & set(seen["others_primary_tables"])
    assert "core_calendarday" in seen["others_primary_tables"]


@needs_postgres
def test_a_paused_replica_serves_until_its_lag_passes_the_bound_then_the_primary(replica_cluster):
    seen = _script("lag", _script_env(replica_cluster, replica_cluster.replica_url("jijian")))
    # Replay paused right after a commit: within the bound, the reporting read uses the replica and
    # does not see the newest report, which a normal read (the primary) sees.
    assert seen["fresh_lag"] <= MAX_LAG
    assert seen["fresh_db"] == "replica1"
    assert seen["fresh_expected"] == seen["primary_expected"] - 1
    # Once the lag passes the bound, the reporting read goes to the primary and sees it.
    assert seen["late_lag"] > MAX_LAG
    assert seen["late_db"] == "default"
    assert seen["late_expected"] == seen["primary_expected"]


@needs_postgres
def test_an_idle_caught_up_replica_has_no_lag_but_one_cut_off_from_its_primary_has(replica_cluster):
    seen = _script("idle", _script_env(replica_cluster, replica_cluster.replica_url("jijian")))
    # Nothing written for longer than the bound: the replica has replayed all there is, so no lag.
    assert seen["idle_lag"] == 0
    assert seen["idle_db"] == "replica1"
    # Its WAL receiver stopped: it cannot know what it misses, so the age of its last commit counts.
    assert seen["cut_lag"] > MAX_LAG
    assert seen["cut_db"] == "default"


@needs_postgres
def test_a_replica_that_does_not_answer_is_skipped_without_an_error_page(replica_cluster):
    silent = f"postgres://postgres@127.0.0.1:{pgcluster.free_port()}/jijian"
    seen = _script("down", _script_env(replica_cluster, silent))
    assert seen["lag"] is None
    assert seen["choice"] == "default"
    assert seen["status"] == 200
    assert seen["reporting"] == ["default", seen["primary_expected"]]


# --- gaps closed: recusal on the primary, a replica that stops, a request that wrote -------------
@needs_postgres
def test_a_relation_declared_a_moment_ago_hides_the_relative_in_every_reporting_read(replica_cluster):
    seen = _script("recusal", _script_env(replica_cluster, replica_cluster.replica_url("jijian")))
    # The reads ran on the replica, which has not replayed the declaration yet ...
    assert seen["db"] == "replica1" and seen["lag"] <= MAX_LAG
    assert seen["replica_knows_relation"] is False
    before, after = seen["before"], seen["after"]
    # ... and still every one of them leaves the relative's report and clue out at once.
    assert seen["relative"] in before["register"] and seen["relative"] not in after["register"]
    assert after["quarterly_received"] == before["quarterly_received"] - 1
    assert after["clues"] == before["clues"] - 1
    assert after["board"] == before["board"] - 2 and after["board_rows"] == before["board_rows"] - 2
    # The relations were read on the primary and went into the replica's statements as values
    # (StaffRelation lives in core; its table kept the name petitions_staffrelation).
    assert "petitions_staffrelation" in seen["primary_tables"]
    assert "petitions_staffrelation" not in seen["replica_tables"]
    assert {"petitions_petitionreport", "petitions_clue", "petitions_petitiondeadline"} <= set(
        seen["replica_tables"]
    )


@needs_postgres
def test_reporting_reads_in_a_request_that_wrote_go_to_the_primary(replica_cluster):
    seen = _script("after_write", _script_env(replica_cluster, replica_cluster.replica_url("jijian")))
    assert seen["before_write"] == "replica1"
    assert seen["after_write"] == "default"
    assert seen["figures_db"] == "default"
    assert seen["next_request"] == "replica1"


@needs_postgres
def test_a_replica_that_stops_after_its_check_gives_the_primary_not_an_error_page(replica_cluster):
    env = _script_env(replica_cluster, replica_cluster.replica_url("jijian"))
    cluster = [str(replica_cluster.root), str(replica_cluster.bin)]
    env["JIJIAN_TEST_CLUSTER"] = json.dumps(
        [*cluster, replica_cluster.primary_port, replica_cluster.replica_port]
    )
    try:
        seen = _script("stopped", env)
    finally:
        replica_cluster.start_replica()
        pgcluster.wait_caught_up(replica_cluster)
    assert seen["checked"] == "replica1"
    assert seen["status"] == 200
    assert seen["db"] == "default"
    assert seen["expected"] == seen["primary_expected"] > 0
    # Marked unusable at once: the next reporting read goes to the primary without trying it again.
    assert seen["cached_usable"] == []
    assert seen["choice_after"] == "default"
