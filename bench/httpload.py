"""The closed-loop HTTP client of the receipt lookups benchmark (bench_petitions.py):
`concurrency` keep-alive connections in threads of the bench process, each sending its next request
when the previous answer is read, for `seconds` or until the jobs run out."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable, Iterator


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
