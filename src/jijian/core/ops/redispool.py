"""One Redis connection pool per process for Django's Redis cache, instead of one per request.

Django keeps its cache objects per thread and, under ASGI, per request context (`django.core.cache.caches`
is an asgiref Local), and each `RedisCache` object makes its own connection pool the first time it is
used. Under the ASGI server every request therefore opened a new TCP connection to Redis for its
first cache read (with redis-py's handshake, which also reads the package's metadata from disk) and
dropped it at the end: measured at about a millisecond of the server's CPU per request that touches the
cache (bench/README.md, "CPU per request"). Django's documented `OPTIONS["pool_class"]` names the class
whose `from_url()` it calls for a pool; this one answers the same pool for the same URL and options,
so all the requests of a process share its connections. redis-py's pool is thread-safe and makes
itself anew in a forked child (the Celery worker's), so sharing it is what a WSGI server's long-lived
cache object always did.
"""

from __future__ import annotations

import threading
from typing import Any

import redis


class SharedConnectionPool(redis.ConnectionPool):
    """`from_url()` returns one pool per (URL, options) for the life of the process."""

    pools: dict[tuple[str, str], SharedConnectionPool] = {}
    lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> SharedConnectionPool:  # type: ignore[override]
        key = (url, repr(sorted(kwargs.items(), key=lambda item: item[0])))
        with cls.lock:
            pool = cls.pools.get(key)
            if pool is None:
                pool = cls.pools[key] = super().from_url(url, **kwargs)
            return pool
