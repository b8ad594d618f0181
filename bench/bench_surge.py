"""Month-end surge: how many member submits per second (`POST /api/reports/<id>/submit`, a real first
submission each) the server of `make run` sustains with PostgreSQL on this machine, with the 99th
percentile of the answer time under 500 ms.

The month's reports of a province (26,075 villages) arriving within one hour are 7.2 submits per
second: that is the floor. The server is the Procfile's `web` command (uvicorn, one process, the
project's ASGI application and settings) with the connection pool of docs/deploy.md. The load is
open: submits are sent at a given rate (random, Poisson arrivals, as independent members send them)
whether or not earlier ones have been answered, and each answer's time counts from when it was due,
so a server that falls behind shows it in the percentiles. The rate rises step by step from the
floor until a step misses (p99 at or over 500 ms, or any answer not a 200 with the submitted report);
two halving steps between the last rate met and the first missed then narrow it down. value = the
highest rate met; ratio = value / 7.2. Only 127.0.0.1, at most MAX_STEPS steps of STEP_SECONDS each,
and never more submits than there are prepared drafts.

Called by bench/run.py at province scale (same database, same people). See bench/README.md,
"Month-end surge".
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import random
import secrets
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench.generate import Generated

ROOT = Path(__file__).resolve().parent.parent
NAME = "month_end_surge"
SCALE = "province"  # the scale it runs at (the floor is a province's month)
VILLAGES = 26_075
FLOOR_RPS = VILLAGES / 3600  # a province's month of submits within one hour: 7.2 per second
TARGET_RATIO = 20.0
# bench/run.py: these ratios are "higher is better" (a throughput against its floor).
MIN_TARGETS = {NAME: TARGET_RATIO}
P99_LIMIT_MS = 500.0
MEMBERS = 1500  # village members taking part (spread over the tree)
MONTHS = 11  # drafts per member: MEMBERS * MONTHS submits available in all
STEP_SECONDS = 5.0
FLOOR_SECONDS = 10.0  # the floor's step is longer: 72 submits for its percentiles
MULTIPLES = (5, 10, 15, 20, 25, 30, 35, 40, 50, 60, 70, 80, 100, 120)  # of the floor, after the floor
REFINE = 2  # halving steps between the last rate met and the first missed
MAX_STEPS = 1 + len(MULTIPLES) + REFINE
MAX_CONNECTIONS = 256  # the client's keep-alive connections at most (a request beyond waits for one)
TIMEOUT = 10.0  # seconds for one answer; later counts as a miss
BODY = json.dumps({"version": 1, "endorse": True}).encode()
SUMMARY = "本月开展廉情走访三次，列席村两委会议一次，监督村务公开一次。"


def _months(today: date, n: int) -> list[date]:
    """The n months before today's month, oldest first: month end's surge submits the month just
    ended (a month still running would need the member's early-submit confirmation)."""
    months, m = [], (date(today.year, today.month, 1) - timedelta(days=1)).replace(day=1)
    for _ in range(n):
        months.append(m)
        m = (m - timedelta(days=1)).replace(day=1)
    return months[::-1]


def prepare(gen: Generated, *, members: int = MEMBERS, months: int = MONTHS) -> list[tuple[str, int]]:
    """Draft reports (summary filled in, version 1, never submitted) for the `months` months before
    the current one for `members` village members spread over the tree (`gen`'s villages), and one
    bearer token per member. Returns the jobs (token, report id), ordered month by month so that
    consecutive requests are different members' reports."""
    from django.db import connection
    from django.utils import timezone

    from jijian.core.api.models import ApiToken
    from jijian.core.models import User
    from jijian.core.roles import Role
    from jijian.core.sensitive.crypto import sm3_hex
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


def procfile_web(port: int) -> list[str]:
    """The Procfile's `web` command (what `make run` starts), on 127.0.0.1:`port`."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            command = line.split(":", 1)[1]
            command = command.replace("${JIJIAN_HOST:-127.0.0.1}", "127.0.0.1")
            command = command.replace("${JIJIAN_PORT:-8000}", str(port))
            command = command.replace("${JIJIAN_FORWARDED_ALLOW_IPS:-}", "")  # trust no proxy
            argv = shlex.split(command)
            assert "$" not in command and argv[0].endswith("uvicorn"), command
            return argv
    raise RuntimeError("Procfile has no web: line")


class Server:
    """The Procfile's web process (uvicorn, one worker, jijian.config.asgi:application, the project's
    settings) on a free port, with the pool of docs/deploy.md and the start-up heap frozen as in
    production (JIJIAN_ENV=test, the bench's, would leave it unfrozen)."""

    def __init__(self) -> None:
        self.port = int(os.environ.get("JIJIAN_BENCH_PORT") or 0) or _free_port()  # a port of one's own
        env = dict(os.environ)
        env["DJANGO_SETTINGS_MODULE"] = "jijian.config.settings"
        env.setdefault("JIJIAN_DB_POOL", "true")
        env.setdefault("JIJIAN_DB_CONN_MAX_AGE", "0")
        env.setdefault("JIJIAN_GC_FREEZE", "true")
        env.pop("JIJIAN_DEBUG", None)
        self.pool = env["JIJIAN_DB_POOL"]
        self.argv = procfile_web(self.port)
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(self.argv, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)  # noqa: S603 - the Procfile's command
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                output = self.output()
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


# --- the open-loop client ---------------------------------------------------------------------------
def _request_bytes(token: str, report_id: int) -> bytes:
    return (
        f"POST /api/reports/{report_id}/submit HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(BODY)}\r\n\r\n"
    ).encode() + BODY


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, keep-alive) of one HTTP/1.1 answer."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
    }
    if headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            parts.append(await reader.readexactly(size + 2))
        await reader.readuntil(b"\r\n")
        body = b"".join(p[:-2] for p in parts)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, body, headers.get("connection", "").lower() != "close"


def _submitted(status: int, body: bytes) -> bool:
    return status == 200 and (b'"state": "submitted"' in body or b'"state":"submitted"' in body)


@dataclass
class Step:
    rate: float  # submits per second offered
    sent: int
    latencies_ms: list[float]  # of the answers that were right, from when each submit was due
    failures: list[tuple[int, bytes]]  # (status, start of body); status 0: no answer in time
    seconds: float  # from the first submit due to the last answer
    cpu_ms: tuple[float, float] | None = None  # per submit: the server process, PostgreSQL's backends

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("inf")
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))]

    @property
    def met(self) -> bool:
        return not self.failures and self.percentile(99) < P99_LIMIT_MS

    def line(self) -> str:
        return (
            f"rate {self.rate:.1f}/s: {self.sent} sent, {len(self.latencies_ms)} right in {self.seconds:.1f} s, "
            f"p50 {self.percentile(50):.1f} ms, p99 {self.percentile(99):.1f} ms, max "
            f"{max(self.latencies_ms, default=float('inf')):.1f} ms, {len(self.failures)} failed"
            + (f" (first: {self.failures[0]})" if self.failures else "")
            + (
                f"; CPU ms per submit: server {self.cpu_ms[0]:.2f}, PostgreSQL {self.cpu_ms[1]:.2f}"
                if self.cpu_ms
                else ""
            )
            + (" - met" if self.met else " - missed")
        )


async def _open_loop(port: int, jobs: list[tuple[str, int]], rate: float, seed: int) -> Step:
    """Send each job's submit at its time (Poisson arrivals at `rate` per second from now)."""
    loop = asyncio.get_running_loop()
    rng = random.Random(seed)
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    slots = asyncio.Semaphore(MAX_CONNECTIONS)
    latencies: list[float] = []
    failures: list[tuple[int, bytes]] = []

    async def one(token: str, report_id: int, due: float) -> None:
        await asyncio.sleep(max(0.0, due - loop.time()))
        async with slots:
            conn = idle.pop() if idle else None
            try:
                async with asyncio.timeout(TIMEOUT):
                    if conn is None:
                        conn = await asyncio.open_connection("127.0.0.1", port)
                    reader, writer = conn
                    writer.write(_request_bytes(token, report_id))
                    status, body, keep = await _answer(reader)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                failures.append((0, repr(exc).encode()[:200]))
                if conn is not None:
                    conn[1].close()
                return
            if keep:
                idle.append(conn)
            else:
                writer.close()
        if _submitted(status, body):
            latencies.append((loop.time() - due) * 1000)
        else:
            failures.append((status, body[:200]))

    start = loop.time() + 0.05
    due, tasks = start, []
    for token, report_id in jobs:
        tasks.append(asyncio.ensure_future(one(token, report_id, due)))
        due += rng.expovariate(rate)
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    return Step(rate, len(jobs), latencies, failures, loop.time() - start)


def at_rate(port: int, jobs: list[tuple[str, int]], rate: float, seed: int = 0, pids=None) -> Step:
    """One step; with `pids` (the server's, PostgreSQL backends') the CPU each used per submit."""
    before = (cpu_seconds(pids[0]), cpu_seconds(pids[1])) if pids else None
    done = asyncio.run(_open_loop(port, jobs, rate, seed))
    if before is not None and None not in before and jobs:
        server, database = cpu_seconds(pids[0]) - before[0], cpu_seconds(pids[1]) - before[1]
        done.cpu_ms = (server / len(jobs) * 1000, database / len(jobs) * 1000)
    return done


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
    """Process ids of the PostgreSQL backends connected to the bench database but this process's own:
    the server's pooled connections (a backend on the same machine, readable in /proc)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def run_surge(scale: str, gen: Generated) -> dict[str, float]:
    """Prepare, start the server, check one submission end to end, then raise the rate step by step.
    Prints each step, the p50/p99 at the floor's rate and at the rate sustained, and the BENCH line."""
    from jijian.reports.models import MonthlyReport, ReportTransition

    t = time.perf_counter()
    jobs = prepare(gen)
    print(
        f"GEN scale={scale} surge_reports={len(jobs)} members={len({j[0] for j in jobs})} "
        f"seconds={time.perf_counter() - t:.1f}",
        flush=True,
    )
    pending = list(jobs)

    def take(n: int) -> list[tuple[str, int]]:
        taken = pending[:n]
        del pending[:n]
        return taken

    server = Server()
    steps: list[Step] = []
    answered = 0
    try:
        # One submission end to end first (state, version, time), then a short warm-up.
        (token, report_id), *_ = take(1)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("POST", f"/api/reports/{report_id}/submit", BODY, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})  # fmt: skip
        response = conn.getresponse()
        payload = response.read()
        conn.close()
        assert response.status == 200, (response.status, payload[:500])
        answer = json.loads(payload)
        assert answer["state"] == "submitted" and answer["version"] == 2 and answer["submitted_at"]
        warm = at_rate(server.port, take(int(FLOOR_RPS * 5 * 2)), FLOOR_RPS * 5)
        answered += 1 + len(warm.latencies_ms)

        def step(rate: float, seconds: float) -> Step | None:
            n = round(rate * seconds)
            if len(pending) < n or len(steps) >= MAX_STEPS:
                print(f"# {NAME} {scale}: stopped before rate {rate:.1f}/s ({len(pending)} drafts left)", flush=True)  # fmt: skip
                return None
            pids = ([server.proc.pid], database_backends())
            done = at_rate(server.port, take(n), rate, seed=len(steps), pids=pids)
            steps.append(done)
            print(f"# {NAME} {scale}: {done.line()}", flush=True)
            return done

        floor_step = step(FLOOR_RPS, FLOOR_SECONDS)
        met, missed = (floor_step, None) if floor_step and floor_step.met else (None, floor_step)
        if met is not None:
            for multiple in MULTIPLES:
                done = step(FLOOR_RPS * multiple, STEP_SECONDS)
                if done is None:
                    break
                if not done.met:
                    missed = done
                    break
                met = done
            for _ in range(REFINE if missed is not None else 0):
                done = step((met.rate + missed.rate) / 2, STEP_SECONDS)
                if done is None:
                    break
                if done.met:
                    met = done
                else:
                    missed = done
        answered += sum(len(s.latencies_ms) for s in steps)
    except Exception:
        print(f"# uvicorn output:\n{server.output()[-4000:]}", file=sys.stderr, flush=True)
        raise
    finally:
        server.stop()

    # Every right answer was a real first submission: exactly that many reports went draft -> submitted.
    ids = [rid for _, rid in jobs]
    submitted = MonthlyReport.objects.filter(pk__in=ids, state="submitted", version=2).count()
    transitions = ReportTransition.objects.filter(report_id__in=ids, to_state="submitted").count()
    assert submitted == transitions >= answered, (submitted, transitions, answered)

    value = met.rate if met is not None else 0.0
    ratio = value / FLOOR_RPS
    at_floor = steps[0] if steps else None
    print(
        f"# {NAME} {scale}: uvicorn as in the Procfile ({server.argv[1]}, 1 worker), "
        f"JIJIAN_DB_POOL={server.pool}; Poisson arrivals, {STEP_SECONDS:g} s per step; {submitted} reports "
        f"submitted; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    if at_floor is not None:
        print(
            f"# {NAME} {scale}: at the floor's {FLOOR_RPS:.1f}/s p50 {at_floor.percentile(50):.1f} ms "
            f"p99 {at_floor.percentile(99):.1f} ms; at the rate sustained ({value:.1f}/s) "
            + (f"p50 {met.percentile(50):.1f} ms p99 {met.percentile(99):.1f} ms" if met else "none")
            + (f"; first rate missed {missed.rate:.1f}/s" if missed else ""),
            flush=True,
        )
    print(
        f"BENCH name={NAME} scale={scale} value={value:.1f} unit=rps floor={FLOOR_RPS:.1f} ratio={ratio:.1f} "
        f"target={TARGET_RATIO:g}",
        flush=True,
    )
    return {NAME: ratio}
