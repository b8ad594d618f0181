"""Sign-in under bursts, with real concurrent connections (PostgreSQL, or SQLite in a file: the
embedded default that was attacked) and the file cache or Redis: simultaneous sign-in posts and
second-factor posts are held to their per-address limits, simultaneous wrong passwords count one
each and lock the account at exactly the limit with no further password checked, and simultaneous
tries of one right TOTP code sign in once without counting a failure."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.test import Client, override_settings

from jijian.audit.models import AuditEvent
from jijian.core.models import User
from tests.bursts import frozen_clock, real_cache  # noqa: F401 - a fixture
from tests.concurrency import needs_concurrent_connections, together
from tests.core.signin_helpers import OTP, add_device, code_for, post_login

pytestmark = [pytest.mark.django_db(transaction=True), *needs_concurrent_connections]


def burst(n: int, work) -> list:
    results, errors = together(n, work)
    assert errors == []
    return results


@pytest.fixture
def checked_passwords(monkeypatch):
    """How many passwords ModelBackend checked (each is one Argon2 in production)."""
    calls = []
    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        calls.append(username)
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return calls


@override_settings(RATE_LIMIT_LOGIN_PER_MINUTE=6, RATE_LIMIT_ANON_PER_MINUTE=1000)
def test_a_burst_of_sign_in_posts_from_one_address_passes_exactly_the_limit(real_cache, db):  # noqa: F811
    def attempt(i: int) -> int:
        return post_login(
            Client(), f"nobody{i}", "Wrong-Passw0rd!", meta={"REMOTE_ADDR": "203.0.113.5"}
        ).status_code

    with frozen_clock():
        statuses = burst(20, attempt)
    assert statuses.count(200) == 6 and statuses.count(429) == 14


@override_settings(LOGIN_FAILURE_LIMIT=5, RATE_LIMIT_LOGIN_PER_MINUTE=1000, RATE_LIMIT_ANON_PER_MINUTE=1000)
def test_simultaneous_wrong_passwords_lock_at_exactly_the_limit(real_cache, people, checked_passwords):  # noqa: F811
    def attempt(i: int) -> str:
        client = Client()
        response = post_login(
            client, "member_a", f"Wrong-Passw0rd-{i}!", meta={"REMOTE_ADDR": f"198.51.100.{i}"}
        )
        return response.content.decode()

    burst(9, attempt)
    member = User.objects.get(pk=people.member_a.pk)
    assert member.failed_login_count == 5 and member.locked_until is not None
    assert checked_passwords.count("member_a") == 5  # the four after the lock were refused unchecked
    assert AuditEvent.objects.filter(action="login.failed", object_id=str(member.pk)).count() == 5
    assert AuditEvent.objects.filter(action="login.locked", object_id=str(member.pk)).count() == 1


@override_settings(LOGIN_FAILURE_LIMIT=5, RATE_LIMIT_LOGIN_PER_MINUTE=1000, RATE_LIMIT_ANON_PER_MINUTE=1000)
def test_simultaneous_wrong_passwords_below_the_limit_count_one_each(real_cache, people):  # noqa: F811
    burst(4, lambda i: post_login(Client(), "member_a", f"Wrong-Passw0rd-{i}!").status_code)
    member = User.objects.get(pk=people.member_a.pk)
    assert member.failed_login_count == 4 and member.locked_until is None


@override_settings(RATE_LIMIT_OTP_PER_MINUTE=1000, RATE_LIMIT_ANON_PER_MINUTE=1000)
def test_simultaneous_tries_of_one_right_code_sign_in_once_and_count_no_failure(real_cache, people):  # noqa: F811
    device = add_device(people.township_a)
    clients = [Client() for _ in range(6)]
    for client in clients:
        assert post_login(client, "township_a").status_code == 302
    code = code_for(device)
    statuses = burst(6, lambda i: clients[i].post(OTP, {"token": code}).status_code)
    assert statuses.count(302) == 1 and statuses.count(200) == 5
    member = User.objects.get(pk=people.township_a.pk)
    assert member.failed_login_count == 0 and member.locked_until is None
    assert not AuditEvent.objects.filter(action="login.failed", object_id=str(member.pk)).exists()


@override_settings(LOGIN_FAILURE_LIMIT=5, RATE_LIMIT_OTP_PER_MINUTE=1000, RATE_LIMIT_ANON_PER_MINUTE=1000)
def test_simultaneous_wrong_codes_lock_at_exactly_the_limit(real_cache, people):  # noqa: F811
    device = add_device(people.township_a)
    clients = [Client() for _ in range(8)]
    for client in clients:
        assert post_login(client, "township_a").status_code == 302
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    burst(8, lambda i: clients[i].post(OTP, {"token": wrong}).status_code)
    member = User.objects.get(pk=people.township_a.pk)
    assert member.failed_login_count == 5 and member.locked_until is not None


@override_settings(
    RATE_LIMIT_OTP_PER_MINUTE=4,
    LOGIN_FAILURE_LIMIT=1000,
    RATE_LIMIT_LOGIN_PER_MINUTE=1000,
    RATE_LIMIT_ANON_PER_MINUTE=1000,
)
def test_a_burst_of_second_factor_posts_from_one_address_passes_exactly_the_limit(real_cache, people):  # noqa: F811
    device = add_device(people.township_a)
    clients = [Client() for _ in range(12)]
    for client in clients:
        assert post_login(client, "township_a").status_code == 302
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    def attempt(i: int) -> int:
        return clients[i].post(OTP, {"token": wrong}, REMOTE_ADDR="203.0.113.6").status_code

    with frozen_clock():
        statuses = burst(12, attempt)
    assert statuses.count(200) == 4 and statuses.count(429) == 8
    member = User.objects.get(pk=people.township_a.pk)
    assert member.failed_login_count == 4  # only the codes the limit let through were checked
