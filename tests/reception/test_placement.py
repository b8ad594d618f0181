"""Scale-out: each room goes to the least loaded of the configured Janus hosts (participants, then
rooms, from the VideoRoom `list` with the admin key); a host that does not answer is passed over; the
room's host is kept with the reception, so the browsers, the page's CSP and the end of the session
use it. Two real Janus processes here (the same binary on two ports)."""

from __future__ import annotations

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

DEAD = "http://127.0.0.1:9/janus"


@pytest.fixture
def two_hosts(janus, janus_process_b, settings):
    a, b = janus, janus_process_b
    settings.RECEPTION_JANUS_HOSTS = [
        {"url": a, "public_url": "http://video-a.jw.example:8088/janus"},
        {"url": b, "public_url": "http://video-b.jw.example:8088/janus"},
    ]
    return a, b


def today(tree):
    return reception(tree.city, state=ReceptionState.CONFIRMED, day=date.today())


def test_rooms_go_to_the_least_loaded_host(tree, people, two_hosts):
    a, b = two_hosts
    base = {url: media.host_load(url)[1] for url in (a, b)}  # rooms another test may have left
    started = []
    for _ in range(3):
        r = services.session_start(actor=people.city_petition, reception=today(tree))
        started.append(r)
        assert media.room_exists(room_id=r.room_id, url=r.janus_url)
    hosts = [r.janus_url for r in started]
    # Each new room goes where there are fewer: the two hosts end up level (or within one).
    loads = {url: media.host_load(url)[1] - base[url] for url in (a, b)}
    assert sum(loads.values()) == 3 and set(hosts) <= {a, b}
    assert abs((base[a] + loads[a]) - (base[b] + loads[b])) <= max(1, abs(base[a] - base[b]))
    if base[a] == base[b]:
        assert hosts[0] == a and hosts[1] == b  # a tie goes to the first configured host
    # The private rooms are counted (the `list` with the admin key shows them).
    assert media.host_load(started[0].janus_url)[1] >= 1
    # The browser is sent to the room's host, by its public address, and allowed to reach it.
    r = started[1]
    r.admission = "admitted"
    r.save(update_fields=["admission"])
    token = services.join_token_mint(reception=r, participant="petitioner", display="信访人")
    details = Client().post(reverse("reception:join", args=[r.pk]), {"token": token}).json()
    expected = (
        "http://video-b.jw.example:8088/janus" if r.janus_url == b else "http://video-a.jw.example:8088/janus"
    )
    assert details["janus"] == expected
    office = Client()
    sign_in(office, people.city_petition)
    csp = office.get(reverse("reception:room", args=[r.pk]))["Content-Security-Policy"]
    assert expected.rsplit("/janus", 1)[0] in csp
    # Ending destroys the room on its own host.
    for s in started:
        services.session_end(actor=people.city_petition, reception=s)
        assert not media.room_exists(room_id=s.room_id, url=s.janus_url)


def test_a_host_that_does_not_answer_is_passed_over(tree, people, janus, settings):
    settings.RECEPTION_JANUS_HOSTS = [{"url": DEAD, "public_url": DEAD}, {"url": janus, "public_url": janus}]
    r = services.session_start(actor=people.city_petition, reception=today(tree))
    assert r.janus_url == janus and media.room_exists(room_id=r.room_id, url=janus)
    services.session_end(actor=people.city_petition, reception=r)


def test_no_host_answering_keeps_the_booking(tree, people, settings):
    settings.RECEPTION_JANUS_HOSTS = [
        {"url": DEAD, "public_url": DEAD},
        {"url": "http://127.0.0.1:10/janus", "public_url": DEAD},
    ]
    r = today(tree)
    with pytest.raises(ValidationError):
        services.session_start(actor=people.city_petition, reception=r)
    r.refresh_from_db()
    assert r.state == ReceptionState.CONFIRMED and r.room_id is None and r.janus_url == ""


def test_the_host_list_setting(monkeypatch):
    import importlib

    from jijian.core.ops.env import ImproperSetting

    monkeypatch.setenv(
        "JIJIAN_JANUS_HOSTS",
        "http://10.20.0.11:8088/janus https://video.jw.example/janus-1, http://10.20.0.12:8088/janus",
    )
    from jijian.config import settings as conf

    try:
        importlib.reload(conf)
        assert conf.RECEPTION_JANUS_HOSTS == [
            {"url": "http://10.20.0.11:8088/janus", "public_url": "https://video.jw.example/janus-1"},
            {"url": "http://10.20.0.12:8088/janus", "public_url": "http://10.20.0.12:8088/janus"},
        ]
        monkeypatch.setenv("JIJIAN_JANUS_HOSTS", "10.20.0.11:8088")
        with pytest.raises(ImproperSetting, match="JIJIAN_JANUS_HOSTS"):
            importlib.reload(conf)
    finally:
        monkeypatch.delenv("JIJIAN_JANUS_HOSTS")
        importlib.reload(conf)
