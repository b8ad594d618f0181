"""The site-wide brake on receipt guessing. Per-address limits (jijian.core.ratelimit) do not stop a
botnet, so failed lookups are also counted for the whole site per minute: past
PETITION_FOLLOW_FAILS_PER_MINUTE (30) every lookup is refused with "系统繁忙" until the minute ends,
without computing a hash (GlobaLeaks counts failed receipt logins per tenant the same way,
security-anchors.md §1.1). Only a counter in the cache: no address, no code."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

WINDOW = 60
DEFAULT_LIMIT = 30


def _key(now: float) -> str:
    return f"petitions:follow_fail:{int(now // WINDOW)}"


def limit() -> int:
    return int(getattr(settings, "PETITION_FOLLOW_FAILS_PER_MINUTE", DEFAULT_LIMIT))


def busy_for() -> int | None:
    """Seconds until lookups are allowed again, or None when they are allowed now."""
    now = time.time()
    if int(cache.get(_key(now), 0)) >= limit():
        return max(1, int(WINDOW - now % WINDOW))
    return None


def record_failure() -> None:
    key = _key(time.time())
    if not cache.add(key, 1, timeout=WINDOW + 5):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=WINDOW + 5)
