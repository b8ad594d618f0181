"""Per-address rate limits: sign-in, the code pages, every unauthenticated request (middleware);
counters only in the cache, under a keyed hash, never in the database or the logs."""

from __future__ import annotations

import contextlib
import logging
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.audit.models import AuditEvent
from jijian.core.models import User
from jijian.core.ops import ratelimit
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
IP = "203.0.113.77"


@pytest.fixture(autouse=True)
def _clear():
    cache.clear()
    yield
    cache.clear()


def with_anon_middleware():
    """The settings install the middleware; tests also run against a MIDDLEWARE list that lacks it."""
    middleware = [
        m for m in settings.MIDDLEWARE if m != "jijian.core.ops.middleware.AnonymousRateLimitMiddleware"
    ]
    at = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
    middleware.insert(at, "jijian.core.ops.middleware.AnonymousRateLimitMiddleware")
    return override_settings(MIDDLEWARE=middleware)


def test_settings_install_the_anonymous_rate_limit():
    assert "jijian.core.ops.middleware.AnonymousRateLimitMiddleware" in settings.MIDDLEWARE


def post_login(client, username="nobody", password="Wrong-Passw0rd!", ip=IP):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


# --- the counter ---------------------------------------------------------------------------------


def test_hit_allows_up_to_the_limit_then_answers_retry_after():
    results = [ratelimit.hit("t", IP, 3) for _ in range(4)]
    assert results[:3] == [None, None, None]
    assert 1 <= results[3] <= 120  # at most both buckets


def test_a_hit_in_an_open_window_reads_the_keys_once_and_the_counts_once():
    """Each anonymous request pays the limiter's cache round trips: the window's key and the previous
    window's in one read, both counts in one read, then the count itself (SETNX for an address's
    first request of the window, INCR after) — and the limit still holds."""
    from tests.bursts import MID_MINUTE, frozen_clock

    calls: list[str] = []
    inside: list[str] = []

    def counted(name):
        real = getattr(cache, name)

        def call(*args, **kwargs):
            if not inside:  # a command the limiter sends, not the backend's own get() in get_many()
                calls.append(name)
            inside.append(name)
            try:
                return real(*args, **kwargs)
            finally:
                inside.pop()

        return mock.patch.object(cache, name, side_effect=call)

    with frozen_clock(MID_MINUTE - 60):
        assert ratelimit.hit("anon", IP, 3) is None  # the previous window: one request
    with frozen_clock(), contextlib.ExitStack() as stack:
        assert ratelimit.hit("anon", "198.51.100.1", 3) is None  # this window's first request makes its key
        for name in ("get", "get_many", "add", "incr", "set", "has_key", "delete_many"):
            stack.enter_context(counted(name))
        assert ratelimit.hit("anon", IP, 3) is None
        assert calls == ["get_many", "get_many", "add"]
        calls.clear()
        assert ratelimit.hit("anon", IP, 3) is None
        assert calls == ["get_many", "get_many", "incr"]
        # 1 + 2 here and the previous window's 1, half of it still inside the minute: 3.5 > 3.
        assert ratelimit.hit("anon", IP, 3) is not None


def test_counters_are_per_address_and_per_scope():
    for _ in range(3):
        ratelimit.hit("t", IP, 3)
    assert ratelimit.hit("t", IP, 3) is not None
    assert ratelimit.hit("t", "198.51.100.1", 3) is None
    assert ratelimit.hit("other", IP, 3) is None


def clock(seconds: float):
    """The limiter's clock at a second of a minute (1_699_999_980 is the start of one)."""
    return mock.patch("jijian.core.ops.ratelimit.time.time", return_value=1_699_999_980.0 + seconds)


def test_a_burst_across_the_minute_boundary_is_still_one_burst():
    with clock(59.5):
        assert [ratelimit.hit("t", IP, 3) for _ in range(3)] == [None, None, None]
    with clock(60.5):  # a new bucket, but the three requests were a second ago
        retry = ratelimit.hit("t", IP, 3)
    # refused; one more passes once 1 + 3 × (60 - t)/60 ≤ 2, i.e. 40 s into the new minute
    assert retry == 40


def test_the_previous_minute_fades_as_the_window_slides():
    with clock(0):
        for _ in range(3):
            ratelimit.hit("t", IP, 3)
    with clock(80):  # 40 s of the previous bucket still inside: 3 × 40/60 = 2, plus this one
        assert ratelimit.hit("t", IP, 3) is None
    with clock(81):  # 3 × 39/60 + 2 = 3.95
        assert ratelimit.hit("t", IP, 3) is not None
    with clock(185):  # the first bucket has left the window; the second (two requests) fades by 5/60
        assert ratelimit.hit("t", IP, 3) is None


def test_retry_after_is_when_one_more_request_would_pass():
    with clock(10):
        for _ in range(4):
            retry = ratelimit.hit("t", IP, 3)
    # 4 in this bucket (the refused one counts): wait for the bucket to end (50 s), then until
    # 4 × (60 - t)/60 ≤ 2, i.e. t = 30 s into the next one
    assert retry == 80
    with clock(10 + 79):
        assert ratelimit.hit("t", "198.51.100.9", 3) is None  # other addresses are not affected
    with clock(10 + 80):
        assert ratelimit.hit("t", IP, 3) is None


def test_seconds_until_covers_both_buckets():
    assert ratelimit.seconds_until(0, 0, 30, 60, 2) == 0
    assert ratelimit.seconds_until(1, 3, 30, 60, 2) == 10  # 1 + 3 × (60 - 40)/60 = 2 at 40 s
    assert ratelimit.seconds_until(2, 3, 30, 60, 2) == 30  # must wait for the previous bucket to go
    assert ratelimit.seconds_until(3, 0, 30, 60, 0) == 90  # threshold 0: both buckets must go


# --- sign-in -------------------------------------------------------------------------------------


@override_settings(RATE_LIMIT_LOGIN_PER_MINUTE=3)
def test_sign_in_posts_are_limited_per_address_with_a_chinese_429(db, client):
    for _ in range(3):
        assert post_login(client).status_code == 200
    response = post_login(client)
    assert response.status_code == 429
    assert "请求过于频繁" in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= 120


def test_sign_in_limit_defaults_to_twenty_a_minute(db, client):
    codes = [post_login(client).status_code for _ in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429


@override_settings(RATE_LIMIT_LOGIN_PER_MINUTE=3)
def test_limited_address_cannot_sign_in_even_with_the_right_password(people, client):
    for _ in range(3):
        post_login(client)
    assert post_login(client, "member_a", PASSWORD).status_code == 429
    assert client.get("/").status_code == 302


@override_settings(RATE_LIMIT_LOGIN_PER_MINUTE=3)
def test_another_address_is_not_limited(people, client):
    for _ in range(4):
        post_login(client)
    assert post_login(client, "member_a", PASSWORD, ip="198.51.100.9").status_code == 302


@override_settings(RATE_LIMIT_LOGIN_PER_MINUTE=3)
def test_sign_in_page_views_are_not_counted(db, client):
    for _ in range(5):
        assert client.get(LOGIN, REMOTE_ADDR=IP).status_code == 200
    assert post_login(client).status_code == 200


@override_settings(RATE_LIMIT_LOGIN_PER_MINUTE=3, LOGIN_FAILURE_LIMIT=100)
def test_refused_posts_do_not_touch_the_account(people, client):
    for _ in range(3):
        post_login(client, "member_a")
    for _ in range(5):
        post_login(client, "member_a")  # 429: the password is not even checked
    assert User.objects.get(pk=people.member_a.pk).failed_login_count == 3


@override_settings(RATE_LIMIT_OTP_PER_MINUTE=2, OTP_TOTP_THROTTLE_FACTOR=0)
def test_code_page_is_limited_too(people, client):
    TOTPDevice.objects.create(user=people.township_a, name="手机", confirmed=True)
    client.post(LOGIN, {"username": "township_a", "password": PASSWORD}, REMOTE_ADDR=IP)
    codes = [client.post("/accounts/otp/", {"token": "000000"}, REMOTE_ADDR=IP).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


# --- nothing kept --------------------------------------------------------------------------------


@override_settings(RATE_LIMIT_LOGIN_PER_MINUTE=2)
def test_anonymous_traffic_leaves_no_address_in_the_database_or_logs(db, client, caplog):
    caplog.set_level(logging.DEBUG)
    with with_anon_middleware():
        anon = Client()
        for _ in range(4):
            anon.post(LOGIN, {"username": "nobody", "password": "x"}, REMOTE_ADDR=IP)
            anon.get("/accounts/login/", REMOTE_ADDR=IP)
    assert IP not in caplog.text
    for event in AuditEvent.objects.all():
        assert IP not in f"{event.ip_address}{event.summary}{event.before}{event.after}"
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith(("core_", "audit_", "django_session", "django_cache")):
                cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from introspection)
                assert IP not in repr(cursor.fetchall()), table


# --- every unauthenticated request (middleware) ----------------------------------------------------


@override_settings(RATE_LIMIT_ANON_PER_MINUTE=3)
def test_middleware_limits_anonymous_requests(db):
    with with_anon_middleware():
        anon = Client()
        codes = [anon.get(LOGIN, REMOTE_ADDR=IP).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


@override_settings(RATE_LIMIT_ANON_PER_MINUTE=2)
def test_middleware_leaves_assets_and_probes_alone(db):
    with with_anon_middleware():
        anon = Client()
        for _ in range(5):
            assert anon.get("/healthz", REMOTE_ADDR=IP).status_code == 200
        assert anon.get(LOGIN, REMOTE_ADDR=IP).status_code == 200


@override_settings(RATE_LIMIT_ANON_PER_MINUTE=2)
def test_middleware_does_not_count_signed_in_users(people, login):
    with with_anon_middleware():
        client = login(people.member_a)
        for _ in range(5):
            assert client.get("/", REMOTE_ADDR=IP).status_code == 200


@override_settings(RATE_LIMIT_ANON_PER_MINUTE=1)
def test_middleware_answers_the_api_in_json(db):
    with with_anon_middleware():
        anon = Client()
        anon.get("/api/openapi.json", REMOTE_ADDR=IP)
        response = anon.get("/api/openapi.json", REMOTE_ADDR=IP)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert "请求过于频繁" in response.json()["error"]["message"]


# --- a bearer header is counted unless its token is accepted (issue 22 item 3) ----------------------


def _codes(method: str, path: str, n: int, **headers) -> list[int]:
    client = Client(REMOTE_ADDR=IP, **headers)
    return [getattr(client, method)(path).status_code for _ in range(n)]


@override_settings(RATE_LIMIT_ANON_PER_MINUTE=2)
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/openapi.json", 200),  # builds the whole API document: checks no token
        ("get", "/api/no-such-thing", 404),
        ("post", "/api/tokens", 401),  # a browser session only: the token is never checked
        ("get", "/api/me", 401),
    ],
)
@pytest.mark.parametrize("header", ["Bearer forged", "bearer forged", "Bearer "])
def test_an_api_request_with_a_token_that_is_not_accepted_counts_as_anonymous(
    db, method, path, status, header
):
    assert _codes(method, path, 4, HTTP_AUTHORIZATION=header) == [status, status, 429, 429]


@override_settings(RATE_LIMIT_ANON_PER_MINUTE=2)
def test_a_valid_tokens_requests_are_not_counted_as_anonymous(people):
    from jijian.core.api.auth import api_token_create

    _, raw = api_token_create(actor=people.member_a, name="t")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert _codes("get", "/api/me", 5, **bearer) == [200] * 5
    assert _codes("get", "/api/openapi.json", 3, **bearer) == [200] * 3
    assert _codes("get", "/api/no-such-thing", 3, **bearer) == [404] * 3
    # the address's anonymous allowance is untouched by them
    assert _codes("get", "/api/openapi.json", 3) == [200, 200, 429]


@override_settings(RATE_LIMIT_ANON_PER_MINUTE=2)
def test_a_revoked_token_counts_as_anonymous(people):
    from jijian.core.api.auth import api_token_create, api_token_revoke

    token, raw = api_token_create(actor=people.member_a, name="t")
    api_token_revoke(actor=people.member_a, token=token)
    assert _codes("get", "/api/me", 3, HTTP_AUTHORIZATION=f"Bearer {raw}") == [401, 401, 429]


@override_settings(RATE_LIMIT_ANON_PER_MINUTE=2)
def test_a_bearer_header_outside_the_api_changes_nothing(db):
    assert _codes("get", LOGIN, 3, HTTP_AUTHORIZATION="Bearer forged") == [200, 200, 429]


def test_a_valid_token_is_looked_up_once_per_request(people, django_assert_num_queries):
    from jijian.core.api.auth import api_token_create

    _, raw = api_token_create(actor=people.member_a, name="t")
    client = Client(REMOTE_ADDR=IP, HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get("/api/openapi.json")  # notes the token's last use (a write at most every five minutes)
    with django_assert_num_queries(1):  # the middleware's lookup; the API's auth reuses it
        assert client.get("/api/openapi.json").status_code == 200


# --- the decorator for later public endpoints --------------------------------------------------------


def _public_form(request):
    return HttpResponse("ok")


def test_decorator_limits_a_public_form_and_can_spare_signed_in_staff(rf, people):
    view = ratelimit.rate_limit("report", limit=2, anonymous_only=True)(_public_form)

    def anonymous_post():
        request = rf.post("/report/", REMOTE_ADDR=IP)
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
        return view(request)

    assert [anonymous_post().status_code for _ in range(3)] == [200, 200, 429]
    staff = rf.post("/report/", REMOTE_ADDR=IP)
    staff.user = people.township_a
    assert view(staff).status_code == 200


def test_decorator_reads_a_setting_at_request_time(rf):
    view = ratelimit.rate_limit("report", limit="SOME_PUBLIC_LIMIT", default=1)(_public_form)
    with override_settings(SOME_PUBLIC_LIMIT=2):
        codes = [view(rf.post("/r/", REMOTE_ADDR=IP)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_decorator_counts_only_the_named_methods(rf):
    view = ratelimit.rate_limit("report", limit=1)(_public_form)
    assert [view(rf.get("/r/", REMOTE_ADDR=IP)).status_code for _ in range(3)] == [200, 200, 200]
