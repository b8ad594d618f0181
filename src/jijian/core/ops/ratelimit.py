"""Per-IP rate limits for sign-in and for every unauthenticated endpoint.

The counters live only in the Django cache (Redis in production, the file cache of the embedded
default, locmem in tests) under a key that holds an HMAC of the address, never the address itself,
and expire two minutes later. The HMAC's key is random and made anew for every minute
(`window_secret`); it is deleted once that minute and the next have passed, so an expired counter that
lingers on disk (the file cache deletes an entry only when it is read or culled) can no longer be tied
to an address, even by someone who holds the directory and SECRET_KEY. Nothing here
writes to the database or to a log: anonymous reporters must leave no IP behind (docs/domain.md §2). The
per-account sign-in lockout (security.py) is separate and does not depend on the address, so an
attacker cannot lock out everyone behind one address, and a botnet cannot escape it.

The window slides: a minute's count is this minute's bucket plus the previous minute's, weighted by
how much of it still lies within the last sixty seconds (the estimate Cloudflare and others use). A
fixed window would let a client send its whole allowance at 11:59:59 and again at 12:00:00."""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import ipaddress
import math
import secrets
import time
from collections.abc import Callable
from contextlib import contextmanager
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.filebased import FileBasedCache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy

MESSAGE = gettext_lazy("请求过于频繁，请稍后再试")
WINDOW_SECONDS = 60

# Paths no limit applies to: assets, and the probes of the load balancer (which all come from it).
EXEMPT_PREFIXES = ("/static/", "/healthz", "/readyz")

# Beside the file cache's entries (which end in .djcache; clear() and culling leave other files alone).
LOCK_FILE = "ratelimit.lock"


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str:
    """The address of the client. A request that arrives from a trusted proxy (settings.FORWARDED_ALLOW_IPS,
    from JIJIAN_FORWARDED_ALLOW_IPS: the one setting; the Procfile and the systemd unit of docs/deploy.md
    pass the same variable to uvicorn's --forwarded-allow-ips, so the server and this function agree)
    is credited to the rightmost X-Forwarded-For entry that is not itself a trusted proxy (each proxy
    appends the address it saw; everything left of that the client may have written). A direct
    request's forwarded headers are ignored (the default trusts no one). When uvicorn has applied the list, the
    address it hands over is the client's and is not a trusted proxy, so it is returned as is."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = getattr(settings, "FORWARDED_ALLOW_IPS", ())
    if not networks or not _is_trusted(remote, networks):
        return remote
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    for address in reversed(forwarded):
        if not _is_trusted(address, networks):
            return address
    return forwarded[0] if forwarded else remote


SECRET_PREFIX = "rl:secret"
SECRET_INDEX = "rl:secret:index"  # which window secrets exist (window lengths and bucket numbers only)


def window_secret(bucket: int, window: int, *, create: bool = True) -> str | None:
    """The random key of one window (bucket) of the per-address counters, made by the first request
    of the window (`cache.add`: one of simultaneous makers wins, all use its key) and forgotten once
    its window and the next have passed (`secrets_forget`). A counter's cache key is an HMAC of the
    address under its window's key, so once that key is gone nothing left in the cache (an expired
    entry the file cache has not yet deleted, say) can be tied to an address, not even by someone
    holding SECRET_KEY: the key was random and is nowhere else."""
    key = f"{SECRET_PREFIX}:{window}:{bucket}"
    secret = cache.get(key)
    if secret is None and create:
        with counting():
            if cache.add(key, secrets.token_hex(32), timeout=2 * window + 5):
                _secrets_forget_locked(window, bucket, made=key)
            secret = cache.get(key)
    return secret


def _secrets_forget_locked(window: int, bucket: int, made: str | None = None) -> None:
    index = [k for k in cache.get(SECRET_INDEX, []) if k != made]
    old = [k for k in index if k.split(":")[-2] == str(window) and int(k.split(":")[-1]) < bucket - 1]
    cache.delete_many(old)
    keep = [k for k in index if k not in old] + ([made] if made else [])
    cache.set(SECRET_INDEX, keep, timeout=None)


def secrets_forget(*, now: float | None = None) -> int:
    """Delete the keys of windows that have passed (their counters can then not be tied to an address
    any more); the worker's beat runs it every minute, so even with no request arriving an old key is
    gone within a minute or two. Returns how many keys were deleted."""
    now = time.time() if now is None else now
    with counting():
        index = cache.get(SECRET_INDEX, [])
        windows = {int(k.split(":")[-2]) for k in index}
        for window in windows:
            _secrets_forget_locked(window, int(now // window))
        return len(index) - len(cache.get(SECRET_INDEX, []))


def window_secrets(bucket: int, window: int) -> tuple[str, str | None]:
    """The keys of window `bucket` (made if need be, as window_secret makes it) and of the window
    before it (None when it is gone: its counts are forgotten), read in one round trip."""
    current_key, previous_key = f"{SECRET_PREFIX}:{window}:{bucket}", f"{SECRET_PREFIX}:{window}:{bucket - 1}"
    found = cache.get_many([current_key, previous_key])
    current = found.get(current_key)
    if current is None:  # the window's first request: make its key
        current = window_secret(bucket, window)
    if current is None:  # a current window's key is always made; a cache that lost it at once
        raise RuntimeError("rate-limit window key missing")
    return current, found.get(previous_key)


def _counter_names(scope: str, ident: str, *, window: int) -> Callable[[int], tuple[str, str | None]]:
    """The counter names of `ident` in `scope` for a bucket and the one before it: under the current
    window's key (made if need be) and the previous one's (None when that key is gone)."""

    def name(secret: str) -> str:
        digest = hmac.new(secret.encode(), f"{scope}|{ident}".encode(), hashlib.sha256).hexdigest()[:32]
        return f"rl:{scope}:{digest}"

    def names(bucket: int) -> tuple[str, str | None]:
        current, previous = window_secrets(bucket, window)
        return name(current), name(previous) if previous is not None else None

    return names


@contextmanager
def counting():
    """Hold this around a read-and-count that must not interleave with another (the callers of
    `increment`, and the receipt brake's reserve-then-refund). Redis counts atomically by itself
    (SETNX for the first, INCR after: one command each), and so does the in-process memory cache of
    the tests (one lock). The file cache of the embedded default does not: its incr() is a read and a
    rewrite of the entry's file, so two simultaneous requests both read 7 and both write 8.

    For that backend an exclusive `fcntl.flock` on a file beside the cache entries serialises the
    count across the threads and processes of the machine (the web server and the worker share the
    directory; the embedded default runs on one machine by definition). A database row updated with
    a conditional `F()` expression would be atomic too, on SQLite and PostgreSQL, but it would put
    an HMAC of a reporter's address into the database and its backups, where the promise is that
    the address lives only in a short-lived cache (docs/domain.md §2); the lock keeps the counters
    where they are, with only the Python standard library added. It is held for a few file
    operations (well under a millisecond each)."""
    backend = caches["default"]
    if not isinstance(backend, FileBasedCache):
        yield
        return
    directory = Path(settings.CACHES["default"]["LOCATION"])
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK_FILE, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def increment(key: str, timeout: int, *, absent: bool = False) -> int:
    """Count one more under `key` and return the new count; every caller of a burst gets a different
    number (see `counting`), so exactly one of them sees 1 (a once-only use, petitions/intake/pow.py). A counter that exists is counted with one INCR, which keeps its expiry
    (Redis, and the memory cache of the tests): the common case, every request after a window's
    first, costs one command. Only the first of a window creates it with its expiry (SETNX). The
    file cache's incr() rewrites the entry with the default expiry, so there the expiry is set again.
    `absent`: the caller has just read `key` and not found it, so the SETNX is tried first (one
    command instead of an INCR refused first); if another request made it meanwhile, it is counted
    as any existing counter."""
    file_cache = isinstance(caches["default"], FileBasedCache)
    with counting():
        if not file_cache and not absent:
            try:
                return cache.incr(key)
            except ValueError:  # not there yet: this window's first request
                pass
        if cache.add(key, 1, timeout=timeout):
            return 1
        try:
            value = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=timeout)
            return 1
        if file_cache:
            cache.touch(key, timeout)
        return value


def decrement(key: str) -> None:
    """Take back one count of `key` (never below zero); nothing when the entry is gone."""
    with counting():
        try:
            if cache.decr(key) < 0:
                cache.incr(key)
        except ValueError:
            pass


def bucket_key(prefix: str, *, now: float, window: int) -> str:
    """The cache key of the counter `prefix` in the window that holds `now`."""
    return f"{prefix}:{int(now // window)}"


def window_counts(
    prefix: str | Callable[[int], tuple[str, str | None]], *, now: float, window: int, add: bool
) -> tuple[int, int, float]:
    """(this window's count, the previous window's count, seconds elapsed in this window) for the
    counter named `prefix` (or named by `prefix(bucket)`: this bucket's name and the previous one's,
    None when it cannot be known any more), counting one more first when `add`. Each bucket lives
    two windows. Both counts are read in one round trip; counting then costs one command more for a
    window's first request (SETNX), as `increment` counts for the others."""
    bucket = int(now // window)
    current_name, previous_name = prefix(bucket) if callable(prefix) else (prefix, prefix)
    current_key = f"{current_name}:{bucket}"
    previous_key = f"{previous_name}:{bucket - 1}" if previous_name is not None else None
    counts = cache.get_many([current_key] + ([previous_key] if previous_key else []))
    if add:
        current = increment(current_key, 2 * window + 5, absent=current_key not in counts)
    else:
        current = int(counts.get(current_key, 0))
    previous = int(counts.get(previous_key, 0)) if previous_key else 0
    return current, previous, now - bucket * window


def estimate(current: int, previous: int, elapsed: float, window: int) -> float:
    """Requests in the last `window` seconds: the previous bucket counts for the part of it that is
    still inside."""
    return current + previous * (window - elapsed) / window


def seconds_until(current: int, previous: int, elapsed: float, window: int, threshold: int) -> int:
    """Whole seconds until the estimate, with nothing more counted, is at most `threshold`
    (0 when it already is)."""
    if current > threshold:  # this bucket alone is too many: it must become the previous one and fade
        fade = window * (1 - threshold / current)
        wait = (window - elapsed) + fade
    elif previous:
        wait = (window - elapsed) - (threshold - current) * window / previous
    else:
        wait = 0.0
    return max(0, math.ceil(wait))


def hit(scope: str, ident: str, limit: int, *, window: int = WINDOW_SECONDS) -> int | None:
    """Count one request of `ident` (an address) in `scope`. Returns None while at most `limit`
    requests fell in the last `window` seconds, otherwise the seconds until one more would be
    allowed (for Retry-After). Refused requests count too: a client that keeps hammering stays
    refused."""
    now = time.time()
    current, previous, elapsed = window_counts(
        _counter_names(scope, ident, window=window), now=now, window=window, add=True
    )
    if estimate(current, previous, elapsed, window) > limit:
        return max(1, seconds_until(current, previous, elapsed, window, limit - 1))
    return None


def _limit_value(limit: int | str, default: int) -> int:
    if isinstance(limit, str):  # a setting name, read per request (override_settings works in tests)
        return int(getattr(settings, limit, default))
    return int(limit)


def too_many_requests(request, retry_after: int):
    """429 with a Chinese message: JSON for the API, the error page otherwise."""
    message = gettext("%(message)s（请 %(seconds)s 秒后重试）") % {"message": MESSAGE, "seconds": retry_after}
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"error": {"code": "rate_limited", "message": message, "details": []}},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(
            request, "core/error.html", {"title": gettext("请求过于频繁"), "message": message}, status=429
        )
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(
    scope: str, *, limit: int | str, default: int = 20, methods=("POST",), anonymous_only: bool = False
):
    """View decorator: at most `limit` requests per minute per client address for `methods`.
    `limit` is a number or the name of a setting (read at request time, `default` when unset).
    With anonymous_only, signed-in users are not counted (public forms used by staff too)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            counted = request.method in methods and not (
                anonymous_only
                and getattr(request, "user", None) is not None
                and request.user.is_authenticated
            )
            if counted:
                retry_after = hit(scope, client_ip(request), _limit_value(limit, default))
                if retry_after is not None:
                    return too_many_requests(request, retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def anonymous_hit(request) -> int | None:
    """Count one anonymous request of the client against RATE_LIMIT_ANON_PER_MINUTE (`hit`); the
    middleware that calls it is core/ops/middleware.py's AnonymousRateLimitMiddleware."""
    return hit("anon", client_ip(request), _limit_value("RATE_LIMIT_ANON_PER_MINUTE", 60))
