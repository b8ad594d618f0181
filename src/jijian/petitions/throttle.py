"""The site-wide brake on receipt guessing. Per-address limits (jijian.core.ratelimit) do not stop a
botnet, so failed lookups are also counted for the whole site per minute: past
PETITION_FOLLOW_FAILS_PER_MINUTE (30) in the last sixty seconds every lookup is refused with
"系统繁忙" until the count has slid below it, without computing a hash (GlobaLeaks counts failed
receipt logins per tenant the same way, security-anchors.md §1.1). Only a counter in the cache: no
address, no code. The sixty seconds slide as the per-address limits' do (jijian.core.ratelimit)."""

from __future__ import annotations

import time

from django.conf import settings

from jijian.core.ratelimit import estimate, seconds_until, window_counts

WINDOW = 60
DEFAULT_LIMIT = 30
KEY = "petitions:follow_fail"


def limit() -> int:
    return int(getattr(settings, "PETITION_FOLLOW_FAILS_PER_MINUTE", DEFAULT_LIMIT))


def busy_for() -> int | None:
    """Seconds until lookups are allowed again, or None when they are allowed now."""
    counts = window_counts(KEY, now=time.time(), window=WINDOW, add=False)
    if estimate(*counts, WINDOW) > limit() - 1:
        return max(1, seconds_until(*counts, WINDOW, limit() - 1))
    return None


def record_failure() -> None:
    window_counts(KEY, now=time.time(), window=WINDOW, add=True)
