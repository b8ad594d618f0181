"""The benchmarks' closed-loop client (bench/httpload.py) against a tiny real HTTP server: it counts
the answers, stops when the jobs run out, and fails the run on the first bad answer."""

from __future__ import annotations

import http.server
import itertools
import threading

import pytest
from bench.httpload import closed_loop


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as uvicorn

    def do_POST(self):  # noqa: N802 - the stdlib's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status = 500 if self.path == "/broken" else 200
        answer = b"echo:" + body
        self.send_response(status)
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
