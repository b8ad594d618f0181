"""TURN credentials minted by Django in coturn's REST API scheme (use-auth-secret): each participant's
join gives a username "<expiry>:<reception>-<publisher id>" and base64(HMAC-SHA1(secret, username)),
valid for the session's length; the shared secret never reaches the browser; without TURN configured
no TURN entry is given. A real coturn (Debian package coturn, when installed) accepts the credential
and refuses an expired or forged one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from jijian.core.ops.env import ImproperSetting, env_uri_list
from jijian.reception import media, services
from jijian.reception.models import ReceptionState
from tests.reception.helpers import reception

SECRET = "intranet-coturn-shared-secret-42"
URLS = ["turn:10.20.0.5:3478?transport=udp", "turn:10.20.0.5:3478?transport=tcp"]


def hmac_of(secret: str, username: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()


@pytest.fixture
def turn(settings):
    settings.RECEPTION_TURN_URLS = URLS
    settings.RECEPTION_TURN_SECRET = SECRET
    settings.RECEPTION_ICE_SERVERS = []


@pytest.mark.django_db
def test_the_join_gives_a_credential_that_verifies_for_the_session_length_only(tree, turn):
    r = reception(tree.city, state=ReceptionState.IN_SESSION, day=date.today())  # a 9:00-11:00 slot
    r.admission = "admitted"  # past the waiting room (test_waiting_room.py)
    r.save(update_fields=["admission"])
    token = services.join_token_mint(reception=r, participant="petitioner", display="信访人")
    before = int(time.time())
    answer = Client().post(reverse("reception:join", args=[r.pk]), {"token": token})
    assert answer.status_code == 200
    (server,) = answer.json()["ice_servers"]
    assert server["urls"] == URLS
    expiry, tag = server["username"].split(":")
    assert tag == f"{r.pk}-1"  # the reception and the petitioner's publisher id
    assert before + 7200 <= int(expiry) <= int(time.time()) + 7200
    assert server["credential"] == hmac_of(SECRET, server["username"])
    assert server["credential"] != hmac_of("another-secret-of-16+", server["username"])
    assert SECRET not in answer.content.decode()


def test_the_credential_names_its_expiry_and_changes_with_it(turn):
    now = 1_800_000_000
    cred = media.turn_credentials(tag="7-1", seconds=3600, now=now)
    assert cred is not None and cred["username"] == f"{now + 3600}:7-1"
    assert cred["credential"] == hmac_of(SECRET, cred["username"])
    later = media.turn_credentials(tag="7-1", seconds=3600, now=now + 60)
    assert later is not None and later["credential"] != cred["credential"]


@pytest.mark.django_db
def test_without_turn_configured_there_is_no_turn_entry(tree, settings):
    settings.RECEPTION_TURN_URLS = []
    settings.RECEPTION_TURN_SECRET = ""
    settings.RECEPTION_ICE_SERVERS = []
    assert media.turn_credentials(tag="1-1", seconds=600) is None
    r = reception(tree.city, state=ReceptionState.IN_SESSION, day=date.today())
    r.admission = "admitted"  # past the waiting room (test_waiting_room.py)
    r.save(update_fields=["admission"])
    token = services.join_token_mint(reception=r, participant="petitioner", display="信访人")
    answer = Client().post(reverse("reception:join", args=[r.pk]), {"token": token})
    assert answer.json()["ice_servers"] == []


def test_the_turn_addresses_are_turn_uris(monkeypatch):
    monkeypatch.setenv("JIJIAN_RECEPTION_TURN_URLS", ",".join(URLS) + ", turns:turn.jw.suizhou:5349")
    assert env_uri_list("JIJIAN_RECEPTION_TURN_URLS", ("turn", "turns"))[-1] == "turns:turn.jw.suizhou:5349"
    for bad in ("stun:stun.l.google.com:19302", "https://10.0.0.5", "turn:user@10.0.0.5", "turn:"):
        monkeypatch.setenv("JIJIAN_RECEPTION_TURN_URLS", bad)
        with pytest.raises(ImproperSetting, match="JIJIAN_RECEPTION_TURN_URLS"):
            env_uri_list("JIJIAN_RECEPTION_TURN_URLS", ("turn", "turns"))


def test_turn_addresses_without_a_secret_stop_start_up():
    env = {
        "PATH": os.environ["PATH"],
        "JIJIAN_ENV": "test",
        "JIJIAN_RECEPTION_TURN_URLS": URLS[0],
        "JIJIAN_RECEPTION_TURN_SECRET": "",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import jijian.config.settings"], env=env, capture_output=True, text=True
    )
    assert out.returncode != 0 and "JIJIAN_RECEPTION_TURN_SECRET" in out.stderr
    env["JIJIAN_RECEPTION_TURN_SECRET"] = SECRET
    ok = subprocess.run([sys.executable, "-c", "import jijian.config.settings"], env=env, capture_output=True)
    assert ok.returncode == 0, ok.stderr


# --- a real coturn -----------------------------------------------------------------------------------
TURNSERVER = shutil.which("turnserver")
UCLIENT = shutil.which("turnutils_uclient")


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def coturn(tmp_path):
    """coturn configured as docs/reception.md says (use-auth-secret, static-auth-secret), on loopback."""
    if TURNSERVER is None or UCLIENT is None:
        pytest.skip("coturn is not installed (Debian package coturn; optional, not in make sysdeps-test)")
    port = _free_udp_port()
    relay = random.randrange(50000, 59000, 100)
    log = tmp_path / "turn.log"
    proc = subprocess.Popen(  # noqa: S603
        [
            TURNSERVER,
            "-n",
            "--use-auth-secret",
            f"--static-auth-secret={SECRET}",
            "--realm=jijian.test",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            f"--listening-port={port}",
            f"--min-port={relay}",
            f"--max-port={relay + 99}",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--allow-loopback-peers",
            f"--pidfile={tmp_path / 'turn.pid'}",
            f"--userdb={tmp_path / 'turndb'}",
            f"--log-file={log}",
            "--simple-log",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 15
    while "Total General servers" not in (log.read_text() if log.exists() else ""):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"coturn did not start: {log.read_text()[-2000:] if log.exists() else ''}")
        time.sleep(0.2)
    yield port
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def allocates(port: int, cred: dict) -> bool:
    """Whether coturn grants a relay allocation to this username and credential (two clients relay
    a few packets to each other through it)."""
    out = subprocess.run(  # noqa: S603
        [
            UCLIENT,
            "-u",
            cred["username"],
            "-w",
            cred["credential"],
            "-y",
            "-n",
            "2",
            "-p",
            str(port),
            "127.0.0.1",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return out.returncode == 0 and "Total lost packets 0" in out.stdout + out.stderr


def test_a_real_coturn_accepts_the_credential_and_refuses_an_expired_or_forged_one(coturn, turn):
    cred = media.turn_credentials(tag="7-1", seconds=600)
    assert cred is not None
    assert allocates(coturn, cred)
    expired = media.turn_credentials(tag="7-1", seconds=600, now=time.time() - 660)
    assert expired is not None and not allocates(coturn, expired)
    assert not allocates(coturn, {**cred, "credential": hmac_of("not-the-shared-secret", cred["username"])})
