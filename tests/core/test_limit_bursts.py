"""Limits under bursts: requests released together (a barrier) against the file cache and Redis are
held to the limit exactly. Counting was a read and a write (the file cache's incr()), or a check
before the work and a count after it (the receipt brake), so a burst passed them all."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from jijian.core.ops import ratelimit
from jijian.petitions.intake import throttle
from tests.bursts import frozen_clock, real_cache  # noqa: F401 - a fixture
from tests.concurrency import together

IP = "203.0.113.77"


def burst(n: int, work) -> list:
    results, errors = together(n, work)
    assert errors == []
    return results


@pytest.mark.parametrize("limit", [5, 20])
def test_a_burst_from_one_address_passes_exactly_the_limit(real_cache, limit):  # noqa: F811
    with frozen_clock():
        results = burst(60, lambda i: ratelimit.hit("login", IP, limit))
    assert sum(r is None for r in results) == limit
    assert all(r >= 1 for r in results if r is not None)


def test_each_address_of_a_burst_gets_its_own_limit(real_cache):  # noqa: F811
    with frozen_clock():
        results = burst(60, lambda i: (i % 3, ratelimit.hit("anon", f"198.51.100.{i % 3}", 7)))
    for address in range(3):
        assert sum(r is None for a, r in results if a == address) == 7


def test_a_burst_of_receipt_guesses_computes_exactly_the_brakes_number_of_hashes(real_cache, settings):  # noqa: F811
    settings.PETITION_FOLLOW_FAILS_PER_MINUTE = 10
    with frozen_clock():
        results = burst(40, lambda i: throttle.reserve())
        allowed = [r for r in results if r.busy_for is None]
        assert len(allowed) == 10
        # the refused gave their count back: once the owner's right code is released, one more passes
        assert throttle.reserve().busy_for is not None
        throttle.release(allowed[0])
        assert throttle.reserve().busy_for is None


def test_right_codes_in_a_burst_give_their_counts_back(real_cache, settings):  # noqa: F811
    settings.PETITION_FOLLOW_FAILS_PER_MINUTE = 10
    with frozen_clock():
        burst(30, lambda i: throttle.release(throttle.reserve()))
        assert sum(throttle.reserve().busy_for is None for _ in range(12)) == 10


@override_settings(RATE_LIMIT_ANON_PER_MINUTE=15)
def test_a_burst_of_anonymous_page_views_passes_exactly_the_limit(real_cache, db):  # noqa: F811
    with frozen_clock():
        statuses = burst(40, lambda i: Client(REMOTE_ADDR=IP).get("/accounts/login/").status_code)
    assert statuses.count(200) == 15 and statuses.count(429) == 25


@override_settings(RATE_LIMIT_ANON_PER_MINUTE=15)
def test_a_burst_with_invented_bearer_tokens_counts_as_anonymous(real_cache, db):  # noqa: F811
    def call(i: int) -> int:
        client = Client(REMOTE_ADDR=IP, HTTP_AUTHORIZATION=f"Bearer forged-{i}")
        return client.get("/accounts/login/" if i % 2 else "/api/me").status_code

    with frozen_clock():
        statuses = burst(40, call)
    assert statuses.count(429) == 25  # pages and API alike: 15 anonymous requests pass, whatever the header
    assert set(statuses) <= {200, 401, 429}


def test_releasing_a_refused_lookup_takes_back_no_other_lookups_count(real_cache, settings):  # noqa: F811
    settings.PETITION_FOLLOW_FAILS_PER_MINUTE = 2
    with frozen_clock():
        first, second = throttle.reserve(), throttle.reserve()
        refused = throttle.reserve()
        assert first.busy_for is None and second.busy_for is None and refused.busy_for is not None
        throttle.release(refused)  # it gave its count back when refused
        assert throttle.reserve().busy_for is not None  # still two counted: the limit holds
