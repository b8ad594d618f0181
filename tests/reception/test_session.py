"""The session's life: a Janus room per reception with a PIN and locked recording, short-lived join
tokens for that reception only, the end of the session; Janus unreachable keeps the booking."""

from __future__ import annotations

import time
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from jijian.reception import media, services
from jijian.reception.models import ReceptionState
from tests.conftest import sign_in
from tests.reception.helpers import reception

pytestmark = pytest.mark.django_db


def confirmed_today(tree, **kw):
    return reception(tree.city, state=ReceptionState.CONFIRMED, day=date.today(), **kw)


def test_start_creates_a_locked_recorded_room_and_end_destroys_it(tree, people, janus):
    r = confirmed_today(tree)
    services.session_start(actor=people.city_petition, reception=r)
    assert r.state == ReceptionState.IN_SESSION and r.room_id and len(r.room_pin) == 8
    assert media.room_exists(room_id=r.room_id)
    # The room is private: a client cannot create rooms (admin key) nor stop the recording.
    with pytest.raises(media.JanusError):
        media._videoroom({"request": "create", "room": 999_999_999})
    with pytest.raises(media.JanusError):
        media._videoroom(
            {"request": "enable_recording", "room": r.room_id, "secret": "guess", "record": False}
        )
    services.session_end(actor=people.city_petition, reception=r)
    assert r.state == ReceptionState.ENDED and r.ended_at
    assert not media.room_exists(room_id=r.room_id)


def test_janus_unreachable_is_said_at_once_and_the_booking_is_kept(tree, people, settings):
    settings.RECEPTION_JANUS_URL = "http://127.0.0.1:9/janus"
    r = confirmed_today(tree)
    with pytest.raises(ValidationError, match="无法连接"):
        services.session_start(actor=people.city_petition, reception=r)
    r.refresh_from_db()
    assert r.state == ReceptionState.CONFIRMED and r.room_id is None


def test_without_janus_on_this_machine_the_page_says_what_is_missing(tree, people, settings, monkeypatch):
    settings.RECEPTION_JANUS_URL = "http://127.0.0.1:9/janus"
    monkeypatch.setenv("PATH", "/nonexistent")  # no janus binary to be found
    r = confirmed_today(tree)
    client = Client()
    sign_in(client, people.city_petition)
    answer = client.post(
        reverse("reception:act", args=[r.pk]), {"action": "start", "version": r.version}, follow=True
    )
    assert "apt-get install janus janus-tools ffmpeg" in answer.content.decode()
    r.refresh_from_db()
    assert r.state == ReceptionState.CONFIRMED


def test_a_session_starts_only_on_its_day(tree, people, janus):
    r = reception(tree.city, state=ReceptionState.CONFIRMED)  # tomorrow
    with pytest.raises(ValidationError, match="预约当天"):
        services.session_start(actor=people.city_petition, reception=r)


def _join(client, r, token):
    return client.post(reverse("reception:join", args=[r.pk]), {"token": token})


def test_join_tokens_are_for_one_reception_and_expire(tree, people, janus, settings):
    r = confirmed_today(tree)
    other = confirmed_today(tree)
    services.session_start(actor=people.city_petition, reception=r)
    services.session_start(actor=people.city_petition, reception=other)
    client = Client()
    token = services.join_token_mint(reception=r, participant="petitioner", display="信访人")
    # The petitioner waits in the waiting room until an official admits them: no room, no PIN.
    waiting = _join(client, r, token)
    assert (
        waiting.status_code == 202
        and "pin" not in waiting.json()
        and r.room_pin not in waiting.content.decode()
    )
    services.petitioner_admit(actor=people.city_petition, reception=r, admit=True)
    answer = _join(client, r, token)
    assert answer.status_code == 200
    body = answer.json()
    assert body["room"] == r.room_id and body["pin"] == r.room_pin and body["id"] == 1
    assert "secret" not in body and r.room_secret not in answer.content.decode()
    # Another reception's token does not open this room; a forged one nothing.
    assert _join(client, other, token).json()["error"] == "入会凭证不属于本次接访"
    assert _join(client, r, token[:-2] + "xx").json()["error"] == "入会凭证无效"
    settings.RECEPTION_JOIN_TOKEN_SECONDS = 1
    time.sleep(2.1)
    assert _join(client, r, token).json()["error"].startswith("入会凭证已过期")
    # Once the session ends, no token opens it.
    settings.RECEPTION_JOIN_TOKEN_SECONDS = 120
    fresh = services.join_token_mint(reception=r, participant="petitioner", display="信访人")
    services.session_end(actor=people.city_petition, reception=r)
    assert _join(client, r, fresh).status_code == 400


def test_the_room_page_gives_a_token_only_to_the_office_and_the_booking_township(tree, people, janus):
    r = confirmed_today(tree, township=tree.township_a, booked_by=people.township_a)
    services.session_start(actor=people.city_petition, reception=r)
    for user, ok in ((people.city_petition, True), (people.township_a, True), (people.township_b, False)):
        client = Client()
        sign_in(client, user)
        page = client.get(reverse("reception:room", args=[r.pk]))
        assert page.status_code == (200 if ok else 404)
        if ok:
            assert "connect-src 'self' http://127.0.0.1:" in page["Content-Security-Policy"]
            # Without scripts the room would say 正在连接… for ever: a <noscript> says what is needed.
            assert (
                '<noscript><p class="notice" role="alert">视频接访需要浏览器启用 JavaScript'
                in page.content.decode()
            )
    services.session_end(actor=people.city_petition, reception=r)
