"""Background requests (X-Jijian-Background: 1, sent by reports/export.js while it polls an export's
progress) do not count as activity: a page left open cannot keep an abandoned session alive. They
still end an idle session, and get every other check and their normal answer. The guard's clock is
moved by hand."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.core.accounts import security
from jijian.core.models import User
from jijian.core.ops import middleware
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
OTP = "/accounts/otp/"
BACKGROUND = {"X-Jijian-Background": "1"}


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


class Clock:
    """Stands in for the `time` module the session guard reads; the test moves it forward."""

    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now

    def advance(self, minutes: float):
        self.now += minutes * 60


@pytest.fixture
def clock(monkeypatch):
    frozen = Clock()
    monkeypatch.setattr(middleware, "time", frozen)
    return frozen


def sign_in(client, username="member_a"):
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def last_seen(client):
    return client.session.get(security.LAST_SEEN_SESSION_KEY)


def ended_idle(response) -> bool:
    return response.status_code == 302 and response.url.startswith(LOGIN) and "reason=idle" in response.url


def poll_every_two_minutes(client, clock, minutes: int, path="/", headers=BACKGROUND):
    for _ in range(minutes // 2):
        clock.advance(2)
        assert client.get(path, headers=headers).status_code == 200


# --- background requests are not activity --------------------------------------------------------


def test_background_polls_alone_end_the_session_after_the_idle_timeout(people, client, clock):
    sign_in(client)
    signed_in_at = last_seen(client)
    poll_every_two_minutes(client, clock, 28)
    assert last_seen(client) == signed_in_at  # 14 polls, the clock never moved
    clock.advance(3)  # 31 minutes after sign-in, 3 after the last poll
    assert ended_idle(client.get("/", headers=BACKGROUND))
    assert client.get("/").url.startswith(LOGIN)  # signed out, not only redirected


def test_the_same_requests_without_the_header_keep_the_session(people, client, clock):
    sign_in(client)
    poll_every_two_minutes(client, clock, 28, headers={})
    clock.advance(3)
    assert client.get("/").status_code == 200


def test_a_normal_request_between_polls_refreshes_the_clock(people, client, clock):
    sign_in(client)
    poll_every_two_minutes(client, clock, 20)
    assert client.get("/").status_code == 200  # the user clicks at minute 20
    assert last_seen(client) == int(clock.now)
    poll_every_two_minutes(client, clock, 28)  # minute 48: 28 minutes after the click
    clock.advance(3)
    assert ended_idle(client.get("/", headers=BACKGROUND))


@pytest.mark.parametrize("value", ["0", "", "true", "yes"])
def test_only_the_value_1_marks_a_background_request(people, client, clock, value):
    sign_in(client)
    clock.advance(20)
    client.get("/", headers={"X-Jijian-Background": value})
    assert last_seen(client) == int(clock.now)


def test_a_background_request_starts_a_clock_that_was_not_running(people, client, clock, login):
    login(people.member_a)  # a session with no last-seen time yet
    assert last_seen(client) is None
    assert client.get("/", headers=BACKGROUND).status_code == 200
    assert last_seen(client) == int(clock.now)
    clock.advance(31)
    assert ended_idle(client.get("/", headers=BACKGROUND))


# --- the normal answer, and every other check ------------------------------------------------------


def test_a_background_poll_of_an_export_gets_its_normal_answer(tree, people, login, clock):
    client = login(people.county_officer)
    started = client.post(reverse("reports:stats_export_month", args=[tree.county.pk]), {"month": "2025-10"})
    assert started.status_code == 302
    export_id = started["Location"].rstrip("/").rsplit("/", 1)[-1]
    url = reverse("reports:stats_export_status", args=[export_id])
    clock.advance(1)
    normal = client.get(url, headers={"Accept": "application/json"})
    seen = last_seen(client)
    clock.advance(2)
    background = client.get(url, headers={"Accept": "application/json", **BACKGROUND})
    assert background.status_code == normal.status_code == 200
    assert background.json() == normal.json() and background.json()["state"] == "done"
    assert last_seen(client) == seen
    clock.advance(29)  # 31 minutes since the last request that counted
    ended = client.get(url, headers={"Accept": "application/json", **BACKGROUND})
    assert ended_idle(ended)


def test_a_background_api_request_gets_its_answer_then_401_when_idle(people, client, clock):
    sign_in(client)
    clock.advance(5)
    assert client.get("/api/me", headers=BACKGROUND).status_code == 200
    clock.advance(26)
    assert client.get("/api/me", headers=BACKGROUND).status_code == 401


def test_the_header_does_not_skip_the_second_factor(people, client, clock):
    TOTPDevice.objects.create(user=people.township_a, name="手机", confirmed=True)
    sign_in(client, "township_a")
    response = client.get("/", headers=BACKGROUND)
    assert response.status_code == 302 and response.url == OTP


def test_the_header_does_not_skip_the_password_change(people, client, clock):
    User.objects.filter(pk=people.member_a.pk).update(must_change_password=True)
    sign_in(client)
    response = client.get("/", headers=BACKGROUND)
    assert response.status_code == 302 and response.url == reverse("core:password_change")


def test_the_header_does_not_keep_a_replaced_session(people, clock):
    first, second = Client(), Client()
    sign_in(first)
    row = Session.objects.get(session_key=first.session.session_key)
    sign_in(second)
    # The old row brought back (another engine, a race): the guard itself must end it.
    Session.objects.create(
        session_key=row.session_key, session_data=row.session_data, expire_date=row.expire_date
    )
    response = first.get("/", headers=BACKGROUND)
    assert response.status_code == 302 and "reason=replaced" in response.url
    assert first.get("/").url.startswith(LOGIN)


def test_the_idle_timeout_setting_applies_to_background_polls(people, client, clock, settings):
    settings.IDLE_TIMEOUT_MINUTES = 5
    sign_in(client)
    poll_every_two_minutes(client, clock, 4)
    clock.advance(2)
    assert ended_idle(client.get("/", headers=BACKGROUND))


# --- the script sends it ---------------------------------------------------------------------------


def test_the_export_progress_script_marks_its_polls_as_background():
    script = Path(finders.find("reports/export.js"))
    source = script.read_text(encoding="utf-8")
    assert f'"{middleware.BACKGROUND_HEADER}": "1"' in source
