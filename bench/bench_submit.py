"""Submission path: requests per second of the member's submit endpoint (`POST /api/reports/<id>/submit`,
a real first submission each) against the framework's empty view, on one real uvicorn server in the
same run, rounds interleaved.

Called by bench/run.py after the other benchmarks of a scale (same database, same people). See
bench/README.md, "Submission path".
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from bench.generate import Generated
from bench.httpload import closed_loop

ROOT = Path(__file__).resolve().parent.parent
NAME = "report_submit"
TARGET_RATIO = 0.5  # the submit endpoint at least half the empty view's requests per second
# bench/run.py: these ratios are "higher is better" (a throughput against its floor).
MIN_TARGETS = {NAME: TARGET_RATIO}
MEMBERS = 1500  # village members taking part (spread over the tree)
CONCURRENCY = 8
ROUNDS = 5
ROUND_SECONDS = 2.0
EMPTY_PATH = "/bench/empty"
BODY = json.dumps({"version": 1, "endorse": True}).encode()


def _months(today: date, n: int) -> list[date]:
    """The n months up to and including today's month, oldest first."""
    months, m = [], date(today.year, today.month, 1)
    for _ in range(n):
        months.append(m)
        m = (m - timedelta(days=1)).replace(day=1)
    return months[::-1]


SUMMARY = "本月开展廉情走访三次，列席村两委会议一次，监督村务公开一次。"


def prepare(gen: Generated, *, members: int = MEMBERS, months: int = 11) -> list[tuple[str, int]]:
    """Draft reports (summary filled in, version 1, never submitted) for `months` months up to the
    current one for `members` village members spread over the tree (`gen`'s villages), and one
    bearer token per member. Returns the jobs (token, report id), ordered month by month so that
    consecutive requests are different members' reports."""
    from django.db import connection
    from django.utils import timezone

    from jijian.api.models import ApiToken
    from jijian.core.crypto import sm3_hex
    from jijian.core.models import User
    from jijian.core.roles import Role
    from jijian.reports.models import MonthlyReport, ReportState
    from jijian.reports.services import today

    everyone = list(
        User.objects.filter(org_unit__city_id=gen.city_id, roles__role=Role.VILLAGE_MEMBER)
        .order_by("org_unit_id")
        .values_list("pk", "org_unit_id", "org_unit__city_id", "org_unit__county_id", "org_unit__township_id")
    )
    step = max(1, len(everyone) // members)
    chosen = everyone[::step][:members]
    month_list = _months(today(), months)
    # Rows that exist already (the statistics bench's months are 2025) are left alone.
    taken = set(
        MonthlyReport.objects.filter(village_id__in=[c[1] for c in chosen], month__in=month_list).values_list(
            "village_id", "month"
        )
    )
    new = [
        MonthlyReport(
            village_id=village_id,
            month=month,
            member_id=user_id,
            city_id_at=city_id,
            county_id_at=county_id,
            township_id_at=township_id,
            state=ReportState.DRAFT,
            deadline=(month + timedelta(days=32)).replace(day=5),
            summary=SUMMARY,
        )
        for month in month_list
        for user_id, village_id, city_id, county_id, township_id in chosen
        if (village_id, month) not in taken
    ]
    reports = MonthlyReport.objects.bulk_create(new, batch_size=2000)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) reports_monthlyreport")
    now = timezone.now()
    tokens: dict[int, str] = {}
    rows = []
    for user_id, village_id, *_ in chosen:
        raw = "jj_" + secrets.token_urlsafe(32)
        tokens[village_id] = raw
        rows.append(
            ApiToken(
                user_id=user_id,
                name="bench",
                key_hash=sm3_hex(raw.encode()),
                prefix=raw[3:9],
                expires_at=now + timedelta(days=1),
                last_used_at=now,  # as a token in use: not rewritten on every request
            )
        )
    ApiToken.objects.filter(name="bench").delete()
    ApiToken.objects.bulk_create(rows, batch_size=2000)
    return [(tokens[r.village_id], r.pk) for r in reports]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One uvicorn process (one worker), as in docs/deploy.md, with bench/settings_submit.py. Both
    sides of the benchmark are served by this one process."""

    def __init__(self) -> None:
        self.port = _free_port()
        env = dict(os.environ)
        env["DJANGO_SETTINGS_MODULE"] = "bench.settings_submit"
        # The production setting of docs/deploy.md: a psycopg pool per process (JIJIAN_DB_POOL), so a
        # request takes an open connection instead of opening one (~3.7 ms here). The pool needs
        # CONN_MAX_AGE 0; CONN_MAX_AGE=60 without a pool is no option under uvicorn: Django keeps one
        # persistent connection per executor thread and they pile up (87 open after one 20 s run
        # here, then "too many clients" 500s; Django ticket #33497). Override both from outside, e.g.
        # JIJIAN_DB_POOL=false for a connection per request.
        env.setdefault("JIJIAN_DB_POOL", "true")
        # As in production (config/asgi.py; off under JIJIAN_ENV=test unless set): the start-up heap
        # frozen out of the garbage collector's walks (bench_gc.py).
        env.setdefault("JIJIAN_GC_FREEZE", "true")
        env.setdefault("JIJIAN_DB_CONN_MAX_AGE", "0")
        env.pop("JIJIAN_DEBUG", None)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")])
        self.conn_max_age = env["JIJIAN_DB_CONN_MAX_AGE"]
        self.pool = env["JIJIAN_DB_POOL"]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv
            [
                str(Path(sys.executable).with_name("uvicorn")),
                "jijian.config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
                "--lifespan",
                "off",
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = request(self.port, "GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                output = self.output()  # before stop(), which closes the log
                self.stop()
                raise RuntimeError(f"uvicorn did not start: {output[-2000:]}")
            time.sleep(0.2)

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pids) -> float | None:
    """User + system CPU seconds used so far by these processes (all their threads), from /proc
    (Linux); None where there is no /proc. A process that has ended counts 0."""
    if not Path("/proc/self/stat").exists():
        return None
    total = 0.0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
    return total


def database_backends() -> list[int]:
    """Process ids of the PostgreSQL backends connected to the bench database, except this
    process's own connection: with the pool, the server's connections for the whole run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def request(port: int, method: str, path: str, body: bytes | None = None, headers=None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Host": "127.0.0.1"}


def _submitted(path: str, response, payload: bytes) -> bool:
    """A 200, and for the submit endpoint the submitted report (never the empty view's empty answer)."""
    if response.status != 200:
        return False
    return path == EMPTY_PATH or b'"state": "submitted"' in payload or b'"state":"submitted"' in payload


def load(
    port: int, jobs: Iterator[tuple[str, str]], *, seconds: float, concurrency: int
) -> tuple[int, float]:
    """`concurrency` keep-alive clients POST BODY to the jobs' (token, path) until `seconds` have
    passed or the jobs run out (bench/httpload.py). Every answer must be 200 with the expected body.
    Returns (requests, elapsed seconds)."""
    requests = ((path, BODY, _headers(token)) for token, path in jobs)
    return closed_loop(port, requests, _submitted, seconds=seconds, concurrency=concurrency, timeout=30)


def run_submit(
    scale: str,
    gen: Generated,
    *,
    rounds: int = ROUNDS,
    seconds: float = ROUND_SECONDS,
    concurrency: int = CONCURRENCY,
) -> dict[str, float]:
    """Prepare, start the server, check one submission end to end, then time interleaved rounds of
    the submit endpoint and of the empty view. Prints the spread and the BENCH line."""
    from jijian.reports.models import MonthlyReport, ReportTransition

    t = time.perf_counter()
    jobs = prepare(gen)
    print(
        f"GEN scale={scale} submit_reports={len(jobs)} members={len({j[0] for j in jobs})} "
        f"seconds={time.perf_counter() - t:.1f}",
        flush=True,
    )
    pending = iter([(token, f"/api/reports/{rid}/submit") for token, rid in jobs])
    floor_token = jobs[0][0]

    def empty_jobs() -> Iterator[tuple[str, str]]:
        while True:
            yield floor_token, EMPTY_PATH

    server = Server()
    try:
        # One submission end to end first: a first submission (state, version, transition, audit).
        token, path = next(pending)
        status, payload = request(server.port, "POST", path, BODY, _headers(token))
        assert status == 200, (status, payload[:500])
        answer = json.loads(payload)
        assert answer["state"] == "submitted" and answer["version"] == 2 and answer["endorsement_digest"]
        assert request(server.port, "POST", EMPTY_PATH, BODY, _headers(floor_token))[0] == 200
        submitted_before = 1

        # Warm up both sides (the server's imports, the connection, PostgreSQL's caches).
        n_warm, _ = load(server.port, pending, seconds=1.0, concurrency=concurrency)
        load(server.port, empty_jobs(), seconds=1.0, concurrency=concurrency)
        submitted_before += n_warm

        values, floors, loads = [], [], []
        # CPU seconds per request of each side: the server process, and PostgreSQL's backends of
        # the bench database (the pool's connections; with a connection per request they end and
        # are not counted).
        cpu = {"value": [0.0, 0.0, 0], "floor": [0.0, 0.0, 0]}
        backends = database_backends()
        timed = 0
        for i in range(rounds):
            loads.append(os.getloadavg()[0])
            order = ("value", "floor") if i % 2 else ("floor", "value")
            for side in order:
                server_before, db_before = cpu_seconds([server.proc.pid]), cpu_seconds(backends)
                if side == "value":
                    n, elapsed = load(server.port, pending, seconds=seconds, concurrency=concurrency)
                    timed += n
                    values.append(n / elapsed)
                    if n == 0 or elapsed < seconds * 0.9:
                        print(f"# {NAME} {scale}: ran out of draft reports in round {i + 1}", flush=True)
                else:
                    n, elapsed = load(server.port, empty_jobs(), seconds=seconds, concurrency=concurrency)
                    floors.append(n / elapsed)
                if server_before is not None and db_before is not None:
                    cpu[side][0] += cpu_seconds([server.proc.pid]) - server_before
                    cpu[side][1] += cpu_seconds(backends) - db_before
                    cpu[side][2] += n
    except Exception:
        print(f"# uvicorn output:\n{server.output()[-4000:]}", file=sys.stderr, flush=True)
        raise
    finally:
        server.stop()

    # Every 200 was a real first submission: exactly that many reports went draft -> submitted.
    ids = [rid for _, rid in jobs]
    submitted = MonthlyReport.objects.filter(pk__in=ids, state="submitted", version=2).count()
    transitions = ReportTransition.objects.filter(report_id__in=ids, to_state="submitted").count()
    assert submitted == transitions == submitted_before + timed, (
        submitted,
        transitions,
        submitted_before,
        timed,
    )

    value, floor = statistics.median(values), statistics.median(floors)
    ratio = value / floor if floor else 0.0
    print(
        f"# {NAME} {scale}: {rounds} rounds of {seconds:g} s per side, concurrency {concurrency}, "
        f"uvicorn 1 worker for both sides, JIJIAN_DB_POOL={server.pool} "
        f"JIJIAN_DB_CONN_MAX_AGE={server.conn_max_age}; {submitted} reports submitted; "
        f"value rps {', '.join(f'{v:.0f}' for v in values)}; floor rps {', '.join(f'{f:.0f}' for f in floors)}; "
        f"load average {min(loads):.2f}..{max(loads):.2f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    if cpu["value"][2] and cpu["floor"][2]:
        per = {side: (c[0] / c[2] * 1000, c[1] / c[2] * 1000) for side, c in cpu.items()}
        print(
            f"# {NAME} {scale}: CPU ms per request: server process value {per['value'][0]:.2f} "
            f"floor {per['floor'][0]:.2f} (ratio {per['floor'][0] / per['value'][0]:.2f}); "
            f"PostgreSQL backends value {per['value'][1]:.2f} floor {per['floor'][1]:.2f}",
            flush=True,
        )
    print(
        f"BENCH name={NAME} scale={scale} value={value:.1f} unit=rps floor={floor:.1f} ratio={ratio:.2f} "
        f"target={TARGET_RATIO:g}",
        flush=True,
    )
    return {NAME: ratio}
