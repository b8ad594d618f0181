"""Running a coroutine from a test: in a thread of its own, because an earlier browser test's
Playwright keeps an event loop running in the test thread, where asyncio.run() and async_to_sync
refuse to start (which one ran first depends on the order of the whole run). The code under test runs
its sync parts in other threads anyway."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor


def run_loop(make_coroutine):
    """asyncio.run(make_coroutine()) in a thread of its own; returns its result."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()
