"""Django's Redis cache shares one connection pool per process (core/ops/redispool.py): under ASGI each
request gets a cache object of its own, and without the shared pool each opened a new connection."""

from __future__ import annotations

import os

import pytest
from django.core.cache.backends.redis import RedisCache

from jijian.core.ops.redispool import SharedConnectionPool

REDIS_URL = os.environ.get("REDIS_URL", "")
OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 2,
    "pool_class": "jijian.core.ops.redispool.SharedConnectionPool",
}


def test_same_url_and_options_give_the_same_pool():
    url = "redis://127.0.0.1:1/5"  # no connection is made to build a pool
    first = SharedConnectionPool.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    again = SharedConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    assert again is first
    assert SharedConnectionPool.from_url(url, socket_timeout=3, socket_connect_timeout=2) is not first
    assert SharedConnectionPool.from_url("redis://127.0.0.1:1/6", socket_timeout=2) is not first


def test_the_settings_name_the_shared_pool_for_redis(monkeypatch):
    """config/settings.py with REDIS_URL set: the cache's OPTIONS carry the pool class."""
    import importlib

    import jijian.config.settings as settings_module

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/9")
    try:
        fresh = importlib.reload(settings_module)
        assert fresh.CACHES["default"]["OPTIONS"]["pool_class"] == (
            "jijian.core.ops.redispool.SharedConnectionPool"
        )
    finally:
        monkeypatch.undo()
        importlib.reload(settings_module)


@pytest.mark.skipif(not REDIS_URL.startswith("redis"), reason="needs REDIS_URL (CI's PostgreSQL phase)")
def test_cache_objects_of_many_requests_share_one_connection():
    """Twenty cache objects alive at once, as twenty requests in flight under ASGI hold them, read and
    write through one connection: Redis lists one client of this test's name, not twenty."""
    import secrets

    import redis

    name = f"test-redis-pool-{secrets.token_hex(4)}"
    caches = [RedisCache(REDIS_URL, {"OPTIONS": {**OPTIONS, "client_name": name}}) for _ in range(20)]
    for n, cache in enumerate(caches):
        cache.set(f"test:redis_pool:{name}:{n}", n, 30)
        assert cache.get(f"test:redis_pool:{name}:{n}") == n
    with redis.Redis.from_url(REDIS_URL) as probe:
        clients = [c for c in probe.client_list() if c.get("name") == name]
    assert len(clients) == 1, len(clients)
