"""Per-IP rate limits for sign-in and for every unauthenticated endpoint.

The counters live only in the Django cache (Redis in production, locmem in tests) under a key that
holds an HMAC of the address, never the address itself, and expire two minutes later. Nothing here
writes to the database or to a log: anonymous reporters must leave no IP behind (DOMAIN.md). The
per-account sign-in lockout (security.py) is separate and does not depend on the address, so an
attacker cannot lock out everyone behind one address, and a botnet cannot escape it.

The window slides: a minute's count is this minute's bucket plus the previous minute's, weighted by
how much of it still lies within the last sixty seconds (the estimate Cloudflare and others use). A
fixed window would let a client send its whole allowance at 11:59:59 and again at 12:00:00."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render

MESSAGE = "请求过于频繁，请稍后再试"
WINDOW_SECONDS = 60

# Paths no limit applies to: assets, and the probes of the load balancer (which all come from it).
EXEMPT_PREFIXES = ("/static/", "/healthz", "/readyz")


def client_ip(request) -> str:
    """The address of the client. Behind `TRUSTED_PROXY_COUNT` reverse proxies (each appending to
    X-Forwarded-For), the entry the outermost trusted proxy wrote; the client can forge the others."""
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if trusted > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= trusted:
            return forwarded[-trusted]
    return request.META.get("REMOTE_ADDR", "")


def _cache_key(scope: str, ident: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{scope}|{ident}".encode(), hashlib.sha256).hexdigest()[
        :32
    ]
    return f"rl:{scope}:{digest}"


def _increment(key: str, timeout: int) -> int:
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=timeout)
        return 1


def window_counts(prefix: str, *, now: float, window: int, add: bool) -> tuple[int, int, float]:
    """(this window's count, the previous window's count, seconds elapsed in this window) for the
    counter named `prefix`, counting one more first when `add`. Each bucket lives two windows."""
    bucket = int(now // window)
    current_key, previous_key = f"{prefix}:{bucket}", f"{prefix}:{bucket - 1}"
    current = _increment(current_key, 2 * window + 5) if add else int(cache.get(current_key, 0))
    previous = int(cache.get(previous_key, 0))
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
    current, previous, elapsed = window_counts(
        _cache_key(scope, ident), now=time.time(), window=window, add=True
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
    message = f"{MESSAGE}（请 {retry_after} 秒后重试）"
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"error": {"code": "rate_limited", "message": message, "details": []}},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(
            request, "core/error.html", {"title": "请求过于频繁", "message": message}, status=429
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


class AnonymousRateLimitMiddleware:
    """Every request of a client that is not signed in counts against RATE_LIMIT_ANON_PER_MINUTE per
    address (public pages, the anonymous report form, the sign-in page, the public API). Install it
    after AuthenticationMiddleware. Requests carrying a bearer token are left to the API's token
    check (tokens are long random secrets; guessing them is not a rate question)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        anonymous = user is None or not user.is_authenticated
        if (
            anonymous
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer ")
        ):
            retry_after = hit("anon", client_ip(request), _limit_value("RATE_LIMIT_ANON_PER_MINUTE", 60))
            if retry_after is not None:
                return too_many_requests(request, retry_after)
        return self.get_response(request)
