"""The HTTP load of the benchmarks that time a running server.

Closed loop (`closed_loop`, the receipt lookups of bench_petitions.py): `concurrency` keep-alive
connections in threads of the bench process, each sending its next request when the previous answer
is read, for `seconds` or until the jobs run out.

Open loop (`at_rate`, `rate_search`: month_end_surge in bench_surge.py, exam_surge in bench_exam.py):
raw HTTP/1.1 requests sent at their times (Poisson arrivals at a given rate) whether or not earlier
ones have been answered, each answer timed from when its request was due, so a server that falls
behind shows it in the percentiles; the rate raised step by step from a floor to the highest met
(p99 under 500 ms and every answer right). Against `Server`, the Procfile's web process, with the CPU
it and PostgreSQL's backends used per request (`cpu_seconds`, `database_backends`).
"""

from __future__ import annotations

import asyncio
import http.client
import os
import random
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
P99_LIMIT_MS = 500.0  # a step is met with every answer right and its 99th percentile under this
MAX_CONNECTIONS = 256  # the open-loop client's keep-alive connections at most (a request beyond waits)
TIMEOUT = 10.0  # seconds for one open-loop answer; later counts as a failure

# One open-loop job: the raw request (head and body) and a key naming what it does, kept for the
# right answers (Step.answered) so a benchmark can check afterwards that each was really done.
Job = tuple[bytes, Hashable]


def closed_loop(
    port: int,
    jobs: Iterator[tuple[str, bytes, dict]],
    ok: Callable[[str, http.client.HTTPResponse, bytes], bool],
    *,
    seconds: float,
    concurrency: int,
    timeout: float = 60,
) -> tuple[int, float]:
    """POST each job's (path, body, headers) to 127.0.0.1:`port`. Every answer must satisfy
    `ok(path, response, payload)`; the first that does not stops its connection and fails the run
    (AssertionError with the first three). Returns (requests answered, elapsed seconds)."""
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    done, failures = [0] * concurrency, []
    t0 = [0.0]

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        start.wait()
        try:
            while time.perf_counter() - t0[0] < seconds:
                with lock:
                    job = next(jobs, None)
                if job is None:
                    return
                path, body, headers = job
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                if not ok(path, response, payload):
                    failures.append((path, response.status, payload[:300]))
                    return
                done[i] += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(concurrency)]
    for t in threads:
        t.start()
    t0[0] = time.perf_counter()
    start.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0[0]
    if failures:
        raise AssertionError(f"bad answers: {failures[:3]}")
    return sum(done), elapsed


# --- the open loop ----------------------------------------------------------------------------------
@dataclass
class Step:
    """One rate of the open loop, as it went."""

    rate: float  # requests per second offered
    sent: int
    latencies_ms: list[float]  # of the answers that were right, from when each request was due
    failures: list[tuple[int, bytes]]  # (status, start of body); status 0: no answer in time
    seconds: float  # from the first request due to the last answer
    cpu_ms: tuple[float, float] | None = None  # per request: the server's processes, PostgreSQL's backends
    answered: list[Hashable] = field(default_factory=list)  # the keys of the right answers' jobs

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("inf")
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))]

    @property
    def met(self) -> bool:
        return not self.failures and self.percentile(99) < P99_LIMIT_MS

    def line(self, per: str = "request") -> str:
        """The step's comment line; `per` names one request in it ("CPU ms per submit")."""
        return (
            f"rate {self.rate:.1f}/s: {self.sent} sent, {len(self.latencies_ms)} right in {self.seconds:.1f} s, "
            f"p50 {self.percentile(50):.1f} ms, p99 {self.percentile(99):.1f} ms, max "
            f"{max(self.latencies_ms, default=float('inf')):.1f} ms, {len(self.failures)} failed"
            + (f" (first: {self.failures[0]})" if self.failures else "")
            + (
                f"; CPU ms per {per}: server {self.cpu_ms[0]:.2f}, PostgreSQL {self.cpu_ms[1]:.2f}"
                if self.cpu_ms
                else ""
            )
            + (" - met" if self.met else " - missed")
        )


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


def answer_once(port: int, request: bytes, timeout: float = 30) -> tuple[int, bytes]:
    """Send one raw request to 127.0.0.1:`port` on a connection of its own: (status, body)."""

    async def one() -> tuple[int, bytes]:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(request)
                status, body, _ = await _answer(reader)
            finally:
                writer.close()
        return status, body

    return asyncio.run(one())


async def _open_loop(
    port: int, jobs: list[Job], rate: float, ok: Callable[[int, bytes], bool], seed: int
) -> Step:
    """Send each job's request at its time (Poisson arrivals at `rate` per second from now)."""
    loop = asyncio.get_running_loop()
    rng = random.Random(seed)
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    slots = asyncio.Semaphore(MAX_CONNECTIONS)
    latencies: list[float] = []
    failures: list[tuple[int, bytes]] = []
    answered: list[Hashable] = []

    async def one(request: bytes, key: Hashable, due: float) -> None:
        await asyncio.sleep(max(0.0, due - loop.time()))
        async with slots:
            conn = idle.pop() if idle else None
            try:
                async with asyncio.timeout(TIMEOUT):
                    if conn is None:
                        conn = await asyncio.open_connection("127.0.0.1", port)
                    reader, writer = conn
                    writer.write(request)
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
        if ok(status, body):
            latencies.append((loop.time() - due) * 1000)
            answered.append(key)
        else:
            failures.append((status, body[:200]))

    start = loop.time() + 0.05
    due, tasks = start, []
    for request, key in jobs:
        tasks.append(asyncio.ensure_future(one(request, key, due)))
        due += rng.expovariate(rate)
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    return Step(rate, len(jobs), latencies, failures, loop.time() - start, answered=answered)


def at_rate(
    port: int,
    jobs: list[Job],
    rate: float,
    ok: Callable[[int, bytes], bool],
    *,
    seed: int = 0,
    pids: tuple[list[int], list[int]] | None = None,
) -> Step:
    """One step: the jobs' requests to 127.0.0.1:`port` at `rate` per second (open loop, at most
    MAX_CONNECTIONS keep-alive connections). An answer is right when `ok(status, body)`. With `pids`
    (the server's processes, PostgreSQL's backends) the CPU each side used per request."""
    before = (cpu_seconds(pids[0]), cpu_seconds(pids[1])) if pids else None
    done = asyncio.run(_open_loop(port, jobs, rate, ok, seed))
    if pids and before is not None and None not in before and jobs:
        server, database = cpu_seconds(pids[0]) - before[0], cpu_seconds(pids[1]) - before[1]
        done.cpu_ms = (server / len(jobs) * 1000, database / len(jobs) * 1000)
    return done


@dataclass
class Search:
    """The steps of a rate search, the highest rate met and the first rate missed above it."""

    steps: list[Step]
    met: Step | None
    missed: Step | None

    @property
    def value(self) -> float:
        """The highest rate met (0 when not even the floor's was)."""
        return self.met.rate if self.met is not None else 0.0

    def summary(self, floor_rps: float) -> str:
        """p50 and p99 at the floor's rate and at the rate sustained, and the first rate missed."""
        at_floor, met, missed = self.steps[0], self.met, self.missed
        return (
            f"at the floor's {floor_rps:.1f}/s p50 {at_floor.percentile(50):.1f} ms "
            f"p99 {at_floor.percentile(99):.1f} ms; at the rate sustained ({self.value:.1f}/s) "
            + (f"p50 {met.percentile(50):.1f} ms p99 {met.percentile(99):.1f} ms" if met else "none")
            + (f"; first rate missed {missed.rate:.1f}/s" if missed else "")
        )


def rate_search(
    port: int,
    take: Callable[[int], list[Job]],
    ok: Callable[[int, bytes], bool],
    *,
    floor_rps: float,
    multiples: tuple[float, ...],
    floor_seconds: float,
    step_seconds: float,
    refine: int,
    label: str,
    per: str = "request",
    pids: Callable[[], tuple[list[int], list[int]]] | None = None,
) -> Search:
    """The highest rate the server at `port` sustains: the floor's rate for `floor_seconds`, then
    `step_seconds` at each of `multiples` of it until a step misses, then `refine` halving steps between
    the last rate met and the first missed; at most 1 + len(multiples) + refine steps. `take(n)` gives
    a step's n jobs; fewer (they ran out) stops the search before that step. Each step is printed as
    `# <label>: <Step.line(per)>`; with `pids` (asked before each step, e.g. Server.pids) its CPU."""
    steps: list[Step] = []

    def step(rate: float, seconds: float) -> Step | None:
        n = round(rate * seconds)
        jobs = take(n)
        if len(jobs) < n:
            print(f"# {label}: stopped before rate {rate:.1f}/s ({len(jobs)} left)", flush=True)
            return None
        done = at_rate(port, jobs, rate, ok, seed=len(steps), pids=pids() if pids else None)
        steps.append(done)
        print(f"# {label}: {done.line(per)}", flush=True)
        return done

    floor_step = step(floor_rps, floor_seconds)
    met, missed = (floor_step, None) if floor_step and floor_step.met else (None, floor_step)
    if met is not None:
        for multiple in multiples:
            done = step(floor_rps * multiple, step_seconds)
            if done is None:
                break
            if not done.met:
                missed = done
                break
            met = done
        for _ in range(refine if missed is not None else 0):
            done = step((met.rate + missed.rate) / 2, step_seconds)
            if done is None:
                break
            if done.met:
                met = done
            else:
                missed = done
    return Search(steps, met, missed)


# --- the server and its CPU -------------------------------------------------------------------------
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
    settings) on a free port (or JIJIAN_BENCH_PORT), with the pool of docs/deploy.md and the start-up
    heap frozen as in production (JIJIAN_ENV=test, the bench's, would leave it unfrozen). Started on
    creation; `with Server() as server:` stops it at the end."""

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

    def __enter__(self) -> Server:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        """Stops the server; after an error, prints the end of its output first."""
        if isinstance(error, Exception):
            print(f"# uvicorn output:\n{self.output()[-4000:]}", file=sys.stderr, flush=True)
        self.stop()

    def about(self) -> str:
        """What ran, for the benchmarks' comment lines."""
        workers = self.workers
        return (
            f"uvicorn as in the Procfile ({self.argv[1]}, {workers} worker{'s' if workers > 1 else ''}), "
            f"JIJIAN_DB_POOL={self.pool}"
        )

    @property
    def workers(self) -> int:
        """uvicorn's worker processes: WEB_CONCURRENCY, which uvicorn reads, or one (the issues' measure)."""
        raw = os.environ.get("WEB_CONCURRENCY", "")
        return int(raw) if raw.isdigit() and int(raw) > 0 else 1

    def pids(self) -> tuple[list[int], list[int]]:
        """The server's processes (uvicorn and, with WEB_CONCURRENCY, its workers) and the PostgreSQL
        backends of their pools (rate_search's `pids`)."""
        return [self.proc.pid, *children(self.proc.pid)], database_backends()

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


def children(pid: int) -> list[int]:
    """The child processes of `pid` (uvicorn's workers), from /proc (Linux); [] where there is none."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.extend(int(child) for child in task.read_text().split())
        except OSError:
            continue
    return found


def database_backends() -> list[int]:
    """Process ids of the PostgreSQL backends connected to the bench database but this process's own:
    the server's pooled connections (a backend on the same machine, readable in /proc)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]
