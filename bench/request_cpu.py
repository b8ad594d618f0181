"""CPU per request of the two surge operations, in process, through the project's ASGI application.

    .venv/bin/python bench/request_cpu.py                      # CPU ms per submit and per save
    .venv/bin/python bench/request_cpu.py --profile submit     # and a cProfile of the submits

Not a BENCH line: a measuring tool for the server's share of month_end_surge and exam_surge (their
"CPU ms per submit/save: server X"), less sensitive to a shared machine's load than the rates. It creates
its own database (--database, dropped at the end), generates the city (bench/generate.py), prepares the
same data as the two benchmarks (bench_surge.prepare: drafts and bearer tokens; bench_exam.prepare: signed-in
members with a sitting) for fewer members, and then calls `jijian.config.asgi.application` (the
Procfile's application: the body limit, Django's ASGIHandler, the whole MIDDLEWARE) with the same requests
the benchmarks send, one after the other, in this process's event loop. Every answer is checked as the
benchmarks check it. The CPU counted is this process's (all threads, `time.process_time`), so it
includes the few microseconds of the in-process client and excludes uvicorn's HTTP parsing. Rounds of
each operation alternate (submit, save, submit, save, ...) so that a change in the machine's load hits
both alike; the figure printed is the median of the rounds.

With --profile, the rounds of that operation run under cProfile (which inflates the total) and the
functions with the most own and cumulative time are printed, with how many times the thread hops of
asgiref (SyncToAsync, AsyncToSync) ran per request.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import os
import pstats
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import DEFAULT_URL, _admin, _with_database  # noqa: E402

Request = tuple[str, str, list[tuple[bytes, bytes]], bytes]  # method, path, headers, body
WSGI = False  # --handler wsgi: Django's WSGIHandler instead of the Procfile's ASGI application


async def call(app, request: Request) -> tuple[int, bytes]:
    """One HTTP request through the ASGI application: its status and body."""
    method, path, headers, body = request
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), (b"content-length", str(len(body)).encode()), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    status = 0
    parts: list[bytes] = []

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client stays: no disconnect

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            parts.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(parts)


def submit_requests(gen) -> list[tuple[Request, Callable[[int, bytes], bool]]]:
    from bench import bench_surge

    jobs = bench_surge.prepare(gen, members=200, months=11)
    body = bench_surge.BODY
    return [
        (
            (
                "POST",
                f"/api/reports/{report_id}/submit",
                [(b"authorization", f"Bearer {token}".encode()), (b"content-type", b"application/json")],
                body,
            ),
            bench_surge._submitted,
        )
        for token, report_id in jobs
    ]


def save_requests(gen, n: int) -> list[tuple[Request, Callable[[int, bytes], bool]]]:
    from bench import bench_exam

    members = bench_exam.prepare(gen, members=200)
    out = []
    for i in range(n):
        member = members[i % len(members)]
        raw, _ = member.request(
            1 + (i // len(members)) % bench_exam.QUESTIONS, str(i % len(bench_exam.OPTIONS))
        )
        head, body = raw.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        path = lines[0].split(" ")[1]
        headers = []
        for line in lines[1:]:
            name, value = line.split(": ", 1)
            if name.lower() not in ("host", "content-length"):
                headers.append((name.lower().encode(), value.encode()))
        out.append((("POST", path, headers, body), bench_exam._saved))
    return out


def call_wsgi(app, request: Request) -> tuple[int, bytes]:
    """The same request through Django's WSGI handler (for --handler wsgi): its status and body."""
    method, path, headers, body = request
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in headers:
        key = name.decode().upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value.decode()
    status = []

    def start_response(line, response_headers, exc_info=None):
        status.append(int(line.split(" ", 1)[0]))

    result = app(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return status[0], content


async def run_round(app, requests) -> float:
    """CPU ms per request over these requests, one after the other."""
    t = time.process_time()
    if WSGI:  # in a thread of its own: the ORM refuses to run in a thread with a running event loop
        await asyncio.to_thread(run_wsgi, app, requests)
    else:
        for request, right in requests:
            status, body = await call(app, request)
            assert right(status, body), (request[1], status, body[:300])
    return (time.process_time() - t) * 1000 / len(requests)


def run_wsgi(app, requests) -> None:
    for request, right in requests:
        status, body = call_wsgi(app, request)
        assert right(status, body), (request[1], status, body[:300])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="jj_request_cpu")
    parser.add_argument("--rounds", type=int, default=8, help="rounds of each operation")
    parser.add_argument("--per-round", type=int, default=200, help="requests per round")
    parser.add_argument("--profile", choices=("submit", "save"), help="run that operation under cProfile")
    parser.add_argument("--top", type=int, default=45, help="functions printed by --profile")
    parser.add_argument(
        "--handler",
        choices=("asgi", "wsgi"),
        default="asgi",
        help="asgi: the Procfile's application (default); wsgi: Django's WSGIHandler with the same "
        "settings, to see what the ASGI handler's thread hops cost (not how the project is served)",
    )
    args = parser.parse_args(argv)
    global WSGI
    WSGI = args.handler == "wsgi"

    server_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    name = args.database
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}"')
    _admin(server_url, f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = _with_database(server_url, name)
    os.environ.setdefault("JIJIAN_ENV", "test")
    os.environ.setdefault("JIJIAN_DB_POOL", "true")  # as the benchmarks' server
    os.environ.setdefault("JIJIAN_GC_FREEZE", "true")  # as the benchmarks' server (and production)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jijian.config.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections, transaction

        from bench.generate import SCALES, generate

        call_command("migrate", verbosity=0)
        with transaction.atomic():
            gen = generate(SCALES["city"])
        warm = 50
        total = warm + args.rounds * args.per_round
        submits = submit_requests(gen)
        assert len(submits) >= total, f"{len(submits)} drafts for {total} submits"
        saves = save_requests(gen, total)
        connections.close_all()  # the application opens its own (pooled) connections

        from jijian.config.asgi import application  # as uvicorn imports it (freezes the start-up heap)

        if WSGI:
            from django.core.wsgi import get_wsgi_application

            application = get_wsgi_application()

        async def measure() -> dict[str, list[float]]:
            figures: dict[str, list[float]] = {"submit": [], "save": []}
            batches = {"submit": submits, "save": saves}
            for op in figures:  # warm-up: first requests load code and fill caches
                await run_round(application, batches[op][:warm])
            profiler = cProfile.Profile(time.thread_time) if args.profile else None
            threads: list[cProfile.Profile] = []  # one profiler per thread the requests ran in

            def profile_thread(*_) -> None:
                sys.setprofile(None)
                threads.append(cProfile.Profile(time.thread_time))  # CPU, not waiting
                threads[-1].enable()

            for r in range(args.rounds):
                for op in figures:
                    part = batches[op][warm + r * args.per_round : warm + (r + 1) * args.per_round]
                    if profiler is not None and op == args.profile:
                        threading.setprofile(profile_thread)
                        profiler.enable()
                        figures[op].append(await run_round(application, part))
                        profiler.disable()
                        threading.setprofile(None)
                    else:
                        figures[op].append(await run_round(application, part))
            if profiler is not None:
                report([profiler, *threads], args.rounds * args.per_round, args.top)
            return figures

        gc.collect()
        figures = asyncio.run(measure())
        load = Path("/proc/loadavg").read_text().split()[:3]
        for op, values in figures.items():
            shown = ", ".join(f"{v:.2f}" for v in values)
            print(
                f"# request_cpu {op}: CPU ms per {op}, median {statistics.median(values):.2f} over "
                f"{len(values)} rounds of {args.per_round} ({shown}), {args.handler}"
                + (" [under cProfile]" if op == args.profile else ""),
                flush=True,
            )
        print(
            f"# request_cpu: database {name} on {urlsplit(server_url).hostname}; load average {' '.join(load)}"
        )
    finally:
        from django.db import connections

        connections.close_all()
        for conn in connections.all(initialized_only=True):
            if conn.vendor == "postgresql":
                conn.close_pool()  # the pool's idle connections too, before the database is dropped
        _admin(server_url, f'DROP DATABASE IF EXISTS "{name}"')
    return 0


def report(profilers: list[cProfile.Profile], requests: int, top: int) -> None:
    out = io.StringIO()
    print(f"# profiled threads: {len(profilers)} for {requests} requests")
    stats = pstats.Stats(*profilers, stream=out)
    hops = {
        key: value[1]
        for key, value in stats.stats.items()  # type: ignore[attr-defined]
        if key[2] == "__call__" and key[0].endswith("asgiref/sync.py")
    }
    for (_, line, _), calls in sorted(hops.items()):
        print(f"# asgiref/sync.py:{line} __call__: {calls / requests:.2f} per request")
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    stats.print_callers("connect|shutdown|start_new_thread")
    print(out.getvalue())


if __name__ == "__main__":
    sys.exit(main())
