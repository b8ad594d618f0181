"""The benchmarks' HTTP load (bench/httpload.py) against a tiny real HTTP server: the closed loop counts
the answers, stops when the jobs run out, and fails the run on the first bad answer; the open loop sends
at its rate whether or not earlier requests were answered, times each answer from when it was due,
and keeps the right answers' keys; the rate search climbs to the highest rate met."""

from __future__ import annotations

import http.server
import itertools
import os
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from bench.httpload import (
    P99_LIMIT_MS,
    Step,
    _free_port,
    closed_loop,
    cpu_seconds,
    procfile_web,
)

from bench import httpload


def _off_loop(fn):
    """`fn` run in a thread of its own: the open loop calls asyncio.run(), which refuses to start where
    an event loop is already running, as in the main thread once the browser tests' Playwright (sync
    API) is up in the same pytest run. The benchmarks themselves run it in a plain main thread."""

    def call(*args, **kwargs):
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(fn, *args, **kwargs).result()

    return call


answer_once = _off_loop(httpload.answer_once)
at_rate = _off_loop(httpload.at_rate)
rate_search = _off_loop(httpload.rate_search)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as uvicorn

    def do_POST(self):  # noqa: N802 - the stdlib's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status = 500 if self.path == "/broken" else 200
        answer = b"echo:" + body
        if self.path == "/slow":
            time.sleep(0.6)  # over P99_LIMIT_MS
        self.send_response(status)
        if self.path == "/chunked":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (answer[:3], answer[3:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            return
        if self.path == "/close":
            self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


# --- closed loop ------------------------------------------------------------------------------------
def _ok(path, response, payload):
    return response.status == 200 and payload == b"echo:" + path.encode()


def test_every_job_is_sent_once_and_counted(server):
    jobs = iter([(f"/job/{i}", f"/job/{i}".encode(), {}) for i in range(40)])
    n, elapsed = closed_loop(server, jobs, _ok, seconds=30, concurrency=4)
    assert n == 40 and 0 < elapsed < 30  # the jobs ran out long before the time


def test_a_time_limit_stops_an_endless_stream(server):
    n, elapsed = closed_loop(server, itertools.repeat(("/x", b"/x", {})), _ok, seconds=0.3, concurrency=2)
    assert n > 0 and 0.3 <= elapsed < 5


def test_a_bad_answer_fails_the_run(server):
    jobs = iter([("/fine", b"/fine", {}), ("/broken", b"/broken", {})] * 3)
    with pytest.raises(AssertionError, match="bad answers"):
        closed_loop(server, jobs, _ok, seconds=30, concurrency=1)


# --- open loop --------------------------------------------------------------------------------------
def _request(path: str, body: bytes) -> bytes:
    return f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body


def _right(status: int, body: bytes) -> bool:
    return status == 200 and body.startswith(b"echo:job")


def test_one_request_on_a_connection_of_its_own(server):
    assert answer_once(server, _request("/x", b"job 1")) == (200, b"echo:job 1")
    assert answer_once(server, _request("/chunked", b"job 2")) == (200, b"echo:job 2")
    assert answer_once(server, _request("/broken", b"job 3")) == (500, b"echo:job 3")


def test_every_request_is_sent_and_the_right_answers_keys_are_kept(server):
    jobs = [
        (_request(path, f"job {i}".encode()), i) for i, path in enumerate(["/a", "/chunked", "/close"] * 10)
    ]
    step = at_rate(server, jobs, 100.0, _right)
    assert step.rate == 100.0 and step.sent == 30 and step.failures == []
    assert sorted(step.answered) == list(range(30)) and len(step.latencies_ms) == 30
    assert step.met and step.cpu_ms is None  # no pids given: no CPU accounting


def test_a_wrong_answer_is_a_failure_and_misses_the_step(server):
    jobs = [
        (_request("/ok", b"job 0"), 0),
        (_request("/broken", b"job 1"), 1),
        (_request("/ok", b"other"), 2),
    ]
    step = at_rate(server, jobs, 50.0, _right)
    assert step.answered == [0] and len(step.latencies_ms) == 1
    assert sorted(step.failures) == [(200, b"echo:other"), (500, b"echo:job 1")]
    assert not step.met and "2 failed (first: (" in step.line() and step.line().endswith(" - missed")


def test_no_answer_is_a_failure_with_status_0():
    step = at_rate(_free_port(), [(_request("/x", b"job"), 0)], 10.0, _right)  # nobody listens there
    assert [status for status, _ in step.failures] == [0] and step.answered == [] and not step.met


def test_the_load_is_open_and_each_answer_timed_from_when_it_was_due(server):
    """Ten answers of 0.6 s each at 20 per second: sent without waiting for one another (a closed loop
    of one connection would take 6 s), each at least 0.6 s late, so the step misses on its p99."""
    jobs = [(_request("/slow", f"job {i}".encode()), i) for i in range(10)]
    step = at_rate(server, jobs, 20.0, _right)
    assert step.failures == [] and sorted(step.answered) == list(range(10))
    assert min(step.latencies_ms) >= 600 and step.percentile(99) >= P99_LIMIT_MS and not step.met
    assert step.seconds < 5


def test_cpu_is_counted_per_request_for_the_processes_given(server):
    jobs = [(_request("/a", f"job {i}".encode()), i) for i in range(5)]
    step = at_rate(server, jobs, 50.0, _right, pids=([os.getpid()], []))
    server_ms, database_ms = step.cpu_ms
    assert server_ms >= 0 and database_ms == 0  # no backends: none of their CPU
    assert "; CPU ms per save: server " in step.line("save")


def test_a_step_is_met_only_with_every_answer_right_and_p99_under_500_ms():
    fast = Step(rate=50, sent=100, latencies_ms=[10.0] * 99 + [499.0], failures=[], seconds=2.0)
    assert fast.met and fast.percentile(50) == 10.0
    slow = Step(rate=50, sent=100, latencies_ms=[10.0] * 98 + [600.0] * 2, failures=[], seconds=2.0)
    assert not slow.met and slow.percentile(99) == 600.0
    failed = Step(rate=50, sent=100, latencies_ms=[10.0] * 99, failures=[(500, b"")], seconds=2.0)
    assert not failed.met


def _search(port, take, *, multiples=(2, 4, 8)):
    return rate_search(
        port, take, _right, floor_rps=20.0, multiples=multiples, floor_seconds=0.5, step_seconds=0.5,
        refine=2, label="t city",
    )  # fmt: skip


def test_the_rate_climbs_until_a_step_misses_then_halves_between(server, capsys):
    """The server here answers wrongly from 60 requests a step on (120/s for 0.5 s): the search goes
    20, 40, 80, 160 (missed), then 120 (missed) and 100 (met)."""

    def take(n):
        return [(_request("/broken" if n >= 60 else "/ok", f"job {i}".encode()), (n, i)) for i in range(n)]

    search = _search(server, take)
    assert [s.rate for s in search.steps] == [20.0, 40.0, 80.0, 160.0, 120.0, 100.0]
    assert search.met.rate == search.value == 100.0 and search.missed.rate == 120.0
    assert all(len(s.answered) == s.sent for s in search.steps if s.met)
    summary = search.summary(20.0)
    assert (
        summary.startswith("at the floor's 20.0/s p50 ")
        and "; at the rate sustained (100.0/s) p50 " in summary
    )
    assert summary.endswith("; first rate missed 120.0/s")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[1] for line in lines] == [
        " rate 20.0/s", " rate 40.0/s", " rate 80.0/s", " rate 160.0/s", " rate 120.0/s", " rate 100.0/s"
    ]  # fmt: skip
    assert all(line.startswith("# t city: rate ") for line in lines)


def test_the_search_stops_when_the_jobs_run_out(server, capsys):
    pending = [(_request("/ok", f"job {i}".encode()), i) for i in range(50)]

    def take(n):
        taken = pending[:n]
        del pending[:n]
        return taken

    search = _search(server, take)
    assert [s.rate for s in search.steps] == [20.0, 40.0]  # 10 + 20 sent; 40 wanted for 80/s, 20 left
    assert search.met.rate == 40.0 and search.missed is None
    assert "# t city: stopped before rate 80.0/s (20 left)" in capsys.readouterr().out


def test_a_floor_missed_is_the_only_step(server):
    search = _search(server, lambda n: [(_request("/broken", b"job"), i) for i in range(n)])
    assert [s.rate for s in search.steps] == [20.0] and search.met is None and search.value == 0.0
    assert search.missed is search.steps[0]
    assert "at the rate sustained (0.0/s) none; first rate missed 20.0/s" in search.summary(20.0)


# --- the server and its CPU -------------------------------------------------------------------------
def test_the_server_is_the_procfiles_web_process_on_the_loopback():
    argv = procfile_web(8123)
    assert argv[0].endswith("uvicorn") and "jijian.config.asgi:application" in argv
    assert argv[argv.index("--host") + 1] == "127.0.0.1" and argv[argv.index("--port") + 1] == "8123"


def test_cpu_seconds_are_the_processes_own_and_an_ended_one_counts_nothing():
    ended = subprocess.Popen(["true"])  # noqa: S607 - the coreutils command
    ended.wait()
    before = cpu_seconds([os.getpid()])
    start = time.process_time()
    while time.process_time() - start < 0.2:
        pass
    assert cpu_seconds([os.getpid()]) - before >= 0.1
    assert cpu_seconds([ended.pid]) == 0.0
