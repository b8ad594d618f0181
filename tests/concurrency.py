"""Work started at the same moment in several threads, each with its own database connection (the
concurrency tests: on PostgreSQL, and on SQLite when the test database is a file)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection


def concurrent_connections() -> bool:
    """Whether threads can work on the test database at once: PostgreSQL, or SQLite in a file
    (JIJIAN_TEST_SQLITE_FILE, the second pass of `make test`). SQLite's in-memory test database locks
    whole tables across its connections and answers "table is locked" instead of waiting."""
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and bool(settings.DATABASES["default"].get("TEST", {}).get("NAME"))


# For a module or a test whose threads use the database: skipped where they cannot, run by the
# second pass of `make test` (`-m concurrent`) on SQLite and by the PostgreSQL run.
needs_concurrent_connections = [
    pytest.mark.concurrent,
    pytest.mark.skipif(
        not concurrent_connections(),
        reason="needs concurrent connections: PostgreSQL, or SQLite in a file (JIJIAN_TEST_SQLITE_FILE; "
        "`make test` runs these in its second pass)",
    ),
]


def together(n: int, work: Callable[[int], object], *, catch=(Exception,)) -> tuple[list, list]:
    """Run work(0) … work(n - 1) in n threads released at once; (results, exceptions of `catch`
    raised). Each thread closes its own connection."""
    results, errors = [], []
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results.append(work(i))
        except catch as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def while_held(first: Callable[[], object], second: Callable[[], object], *, catch=(Exception,)) -> tuple:
    """PostgreSQL: run `first` in a transaction kept open until `second`, run meanwhile in another
    thread, has either finished or is waiting for a row lock; then commit `first` and let `second`
    go on. Each of the two answers is its result or the exception of `catch` it raised. This is the
    interleaving a row lock is there for, made certain instead of left to chance."""
    from django.db import transaction

    outcome: dict[str, object] = {}
    held, release = threading.Event(), threading.Event()

    def run_first() -> None:
        try:
            with transaction.atomic():
                try:
                    outcome["first"] = first()
                finally:
                    held.set()
                    release.wait()
        except catch as exc:
            outcome["first"] = exc
        finally:
            connection.close()

    def run_second() -> None:
        try:
            outcome["second"] = second()
        except catch as exc:
            outcome["second"] = exc
        finally:
            connection.close()

    one = threading.Thread(target=run_first)
    one.start()
    held.wait()
    two = threading.Thread(target=run_second)
    two.start()
    with connection.cursor() as cursor:
        while two.is_alive():
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            two.join(0.01)
    release.set()
    one.join()
    two.join()
    return outcome.get("first"), outcome.get("second")
