"""The site-wide brake on receipt guessing. Per-address limits (jijian.core.ops.ratelimit) do not stop a
botnet, so failed lookups are also counted for the whole site per minute. Past
PETITION_FOLLOW_FAILS_PER_MINUTE (30) in the last sixty seconds a lookup is not refused but must
bring a proof of work of PETITION_FOLLOW_BRAKE_POW_BITS (20: about a million SHA-256, a few seconds
in a phone's browser, petitions/intake/pow.py) until the count has slid below it. A lookup without
it computes no hash and gets the form back with a challenge, which the browser solves and sends
with the code. So the brake slows guessing (every guess costs the guesser that work) without
shutting out the owner of a right code, who waits a few seconds; before, the brake refused every
lookup with "系统繁忙", and a few addresses sending one wrong guess every few seconds kept the owner
out (bench/README.md, "Receipt brake"). Only a counter in the cache: no address, no code. The sixty
seconds slide as the per-address limits' do (jijian.core.ops.ratelimit).

A lookup is counted as a failure *before* its hash is computed (`reserve`) and given back when the
code is right (`release`). Each reservation is one atomic increment (core/ops/ratelimit.py: Redis
INCR, a file lock for the embedded default), so of a burst without proof of work exactly as many
lookups as the limit leaves room for compute a hash; counting after the hash let every lookup of a
burst pass the check before any of them had failed."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings

from jijian.core.ops.ratelimit import bucket_key, decrement, estimate, seconds_until, window_counts

WINDOW = 60
DEFAULT_LIMIT = 30
KEY = "petitions:follow_fail"


def limit() -> int:
    return int(getattr(settings, "PETITION_FOLLOW_FAILS_PER_MINUTE", DEFAULT_LIMIT))


@dataclass(frozen=True)
class Reservation:
    """A lookup counted in advance: `busy_for` is None when it may go on (then `key` is the counter
    to give the count back to), else the seconds until one would be allowed."""

    key: str
    busy_for: int | None


def reserve() -> Reservation:
    """Count this lookup as a failure before its hash is computed. Past the limit the count is given
    back at once (a refused lookup computes no hash) and the reservation says how long to wait."""
    now = time.time()
    key = bucket_key(KEY, now=now, window=WINDOW)
    current, previous, elapsed = window_counts(KEY, now=now, window=WINDOW, add=True)
    if estimate(current, previous, elapsed, WINDOW) > limit():
        decrement(key)
        return Reservation(key, max(1, seconds_until(current - 1, previous, elapsed, WINDOW, limit() - 1)))
    return Reservation(key, None)


def count() -> Reservation:
    """Count a lookup that brought the brake's proof of work: it goes on whatever the count (the work
    was its price), and a wrong code still keeps the brake on."""
    now = time.time()
    window_counts(KEY, now=now, window=WINDOW, add=True)
    return Reservation(bucket_key(KEY, now=now, window=WINDOW), None)


def engaged() -> bool:
    """Whether a lookup now needs the brake's proof of work (read only, nothing counted)."""
    return estimate(*window_counts(KEY, now=time.time(), window=WINDOW, add=False), WINDOW) >= limit()


def release(reservation: Reservation) -> None:
    """The code was right: the owner's lookup is no failure. A refused reservation gave its count back
    when it was refused; releasing it again would take back another lookup's count (and, clamped at
    zero, leave the counter off by one under a burst), so it changes nothing."""
    if reservation.busy_for is None:
        decrement(reservation.key)
