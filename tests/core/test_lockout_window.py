"""Failed sign-ins decay: failures older than LOGIN_FAILURE_WINDOW_MINUTES (counted from the last
failure and from the end of the last lock) no longer count, so typos months apart lock no one, while
an attack inside the window locks and doubles as before. The clock is frozen and moved by hand."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from jijian.audit.models import AuditEvent
from jijian.core.accounts import security
from jijian.core.models import User
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
WRONG = "Wrong-Passw0rd!"


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()  # the per-address sign-in limit lives in the cache, which outlives a test
    yield
    cache.clear()


class Clock:
    """timezone.now() frozen at a moment the test moves forward."""

    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)
        cache.clear()  # the sign-in rate limit counts real minutes, not the test's


@pytest.fixture
def clock(monkeypatch):
    frozen = Clock()
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


def fail(client, username="member_a", times=1):
    for _ in range(times):
        response = client.post(LOGIN, {"username": username, "password": WRONG})
        assert response.status_code == 200


def account(people) -> User:
    return User.objects.get(pk=people.member_a.pk)


def signs_in(username="member_a") -> bool:
    return Client().post(LOGIN, {"username": username, "password": PASSWORD}).status_code == 302


# Every test names the numbers it relies on, whatever the environment says.
window_30 = override_settings(
    LOGIN_FAILURE_LIMIT=5, LOGIN_LOCKOUT_BASE_SECONDS=60, LOGIN_FAILURE_WINDOW_MINUTES=30
)


# --- failures spread out ---------------------------------------------------------------------------


@window_30
def test_typos_months_apart_do_not_lock_the_account(people, client, clock):
    fail(client, times=4)  # January
    assert account(people).failed_login_count == 4
    clock.advance(days=150)  # June
    fail(client)
    member = account(people)
    assert member.failed_login_count == 1 and member.locked_until is None
    assert member.last_failed_login_at == clock.now
    assert not AuditEvent.objects.filter(action="login.locked").exists()
    assert AuditEvent.objects.filter(action="login.failed").order_by("-pk").first().after["failures"] == 1
    assert signs_in()


@window_30
def test_failures_spread_over_more_than_the_window_never_lock(people, client, clock):
    for _ in range(12):
        fail(client)
        assert account(people).failed_login_count == 1
        clock.advance(minutes=31)
    assert account(people).locked_until is None
    assert signs_in()


@window_30
def test_the_window_counts_from_the_last_failure(people, client, clock):
    fail(client, times=4)
    clock.advance(minutes=30)  # exactly a window: still counts
    fail(client)
    assert account(people).failed_login_count == 5 and account(people).locked_until is not None


@window_30
def test_a_failure_just_past_the_window_starts_the_count_again(people, client, clock):
    fail(client, times=4)
    clock.advance(minutes=30, seconds=1)
    fail(client)
    assert account(people).failed_login_count == 1 and account(people).locked_until is None


@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_LOCKOUT_BASE_SECONDS=60, LOGIN_FAILURE_WINDOW_MINUTES=10)
def test_the_window_follows_the_setting(people, client, clock):
    fail(client, times=4)
    clock.advance(minutes=11)
    fail(client)
    assert account(people).failed_login_count == 1


def test_default_window_is_thirty_minutes(settings):
    assert settings.LOGIN_FAILURE_WINDOW_MINUTES == 30


def test_a_window_below_one_minute_stops_start_up():
    env = {**os.environ, "JIJIAN_ENV": "test", "JIJIAN_LOGIN_FAILURE_WINDOW_MINUTES": "0"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", "import jijian.config.settings"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "JIJIAN_LOGIN_FAILURE_WINDOW_MINUTES" in result.stderr


# --- failures close together: locked and doubled as before ---------------------------------------


@window_30
def test_failures_within_the_window_lock_as_before(people, client, clock):
    for _ in range(4):
        fail(client)
        clock.advance(minutes=29)  # each within a window of the one before: 116 minutes in all
    assert account(people).locked_until is None
    fail(client)
    member = account(people)
    assert member.failed_login_count == 5
    assert member.locked_until == clock.now + timedelta(seconds=60)
    assert AuditEvent.objects.filter(action="login.locked").count() == 1
    assert not signs_in()


@window_30
def test_doubling_is_unchanged_inside_the_window(people, client, clock):
    fail(client, times=5)
    delays = [account(people).locked_until - clock.now]
    for _ in range(3):
        clock.now = account(people).locked_until + timedelta(minutes=10)  # lock over, well inside a window
        fail(client)
        delays.append(account(people).locked_until - clock.now)
    assert delays == [timedelta(seconds=s) for s in (60, 120, 240, 480)]
    assert account(people).failed_login_count == 8


@window_30
def test_a_lock_longer_than_the_window_does_not_wipe_the_count_when_it_ends(people, client, clock):
    """The tenth failure locks for 32 minutes, longer than the window. When the lock ends the last
    failure is 32 minutes old, yet the window runs from the lock's end too: the next failure doubles."""
    fail(client, times=5)
    for _ in range(5):
        clock.now = account(people).locked_until + timedelta(seconds=1)
        fail(client)
    member = account(people)
    assert member.failed_login_count == 10
    assert member.locked_until - clock.now == timedelta(seconds=60 * 2**5)  # 32 minutes
    clock.now = member.locked_until + timedelta(seconds=1)  # waited the whole lock out
    fail(client)
    member = account(people)
    assert member.failed_login_count == 11
    assert member.locked_until - clock.now == timedelta(seconds=60 * 2**6)


@window_30
def test_waiting_inside_a_lock_changes_nothing(people, client, clock):
    User.objects.filter(pk=people.member_a.pk).update(
        failed_login_count=10,
        last_failed_login_at=clock.now,
        locked_until=clock.now + timedelta(minutes=32),
    )
    clock.advance(minutes=31)  # past the window from the last failure, still locked
    response = client.post(LOGIN, {"username": "member_a", "password": WRONG})
    assert str(security.LOGIN_FAILED) in response.content.decode()
    member = account(people)
    assert member.failed_login_count == 10
    assert member.locked_until == clock.now + timedelta(minutes=1)
    assert not signs_in()


@window_30
def test_a_try_on_a_locked_account_is_refused_before_anything_is_counted_or_checked(people, clock):
    """The try is counted under the row lock before the password is checked, so no try can race past
    the lock: one on a locked account is refused, however old the last failure is."""
    User.objects.filter(pk=people.member_a.pk).update(
        failed_login_count=5,
        last_failed_login_at=clock.now - timedelta(hours=2),
        locked_until=clock.now + timedelta(seconds=30),
    )
    assert security.login_attempt("member_a") is None
    member = account(people)
    assert member.failed_login_count == 5
    assert member.locked_until == clock.now + timedelta(seconds=30)


@window_30
def test_a_window_after_the_end_of_a_lock_forgets_it(people, client, clock):
    fail(client, times=5)
    clock.now = account(people).locked_until + timedelta(minutes=30, seconds=1)
    fail(client)
    member = account(people)
    assert member.failed_login_count == 1 and member.locked_until is None
    assert signs_in()


@window_30
def test_failures_forgotten_needs_a_quiet_window_after_the_failure_and_the_lock():
    now = timezone.now()

    def ago(minutes):
        return now - timedelta(minutes=minutes)

    assert security.failures_forgotten(User(last_failed_login_at=ago(31)), now)
    assert not security.failures_forgotten(User(last_failed_login_at=ago(29)), now)
    assert not security.failures_forgotten(User(last_failed_login_at=ago(90), locked_until=ago(29)), now)
    assert security.failures_forgotten(User(last_failed_login_at=ago(90), locked_until=ago(31)), now)
    assert not security.failures_forgotten(User(last_failed_login_at=ago(90), locked_until=ago(-1)), now)
    assert not security.failures_forgotten(User(failed_login_count=3), now)  # time unknown: kept


# --- resets --------------------------------------------------------------------------------------


@window_30
def test_successful_sign_in_resets_count_lock_and_last_failure(people, client, clock):
    fail(client, times=3)
    assert signs_in()
    member = account(people)
    assert (member.failed_login_count, member.locked_until, member.last_failed_login_at) == (0, None, None)


@window_30
def test_unlock_clears_the_last_failure_too(people, client, clock):
    fail(client, times=5)
    security.account_unlock(actor=people.security_admin, user=account(people))
    member = account(people)
    assert (member.failed_login_count, member.locked_until, member.last_failed_login_at) == (0, None, None)
    assert signs_in()


def test_failures_counted_before_the_migration_are_dated_to_it(people):
    User.objects.filter(pk=people.member_a.pk).update(failed_login_count=3, last_failed_login_at=None)
    migration = importlib.import_module("jijian.core.migrations.0003_user_last_failed_login_at")
    before = timezone.now()
    migration.date_earlier_failures(apps, None)
    assert account(people).last_failed_login_at >= before
    assert User.objects.get(pk=people.township_a.pk).last_failed_login_at is None  # no failures: none
