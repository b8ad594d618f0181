"""Work started at the same moment in several threads, each with its own database connection (the
PostgreSQL-only concurrency tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


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
