"""Forwarded addresses: X-Forwarded-For is believed only from the reverse proxies named in
JIJIAN_FORWARDED_ALLOW_IPS (default: none), by the app (client_ip) and by the app server (uvicorn, as
the Procfile starts it) alike; a direct request's forwarded headers are ignored."""

from __future__ import annotations

import ipaddress
import os
import subprocess
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings
from uvicorn.main import main as uvicorn_main
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from jijian.core.ops import ratelimit
from jijian.core.ops.env import ImproperSetting, env_networks
from tests.event_loop import run_loop

ROOT = Path(__file__).resolve().parents[2]
NGINX = (ipaddress.ip_network("127.0.0.1/32"),)


def request_from(remote: str, forwarded: str = ""):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_by_default_nobody_is_trusted_and_a_forged_header_is_ignored(settings):
    assert settings.FORWARDED_ALLOW_IPS == ()
    assert ratelimit.client_ip(request_from("127.0.0.1", "203.0.113.9")) == "127.0.0.1"
    assert ratelimit.client_ip(request_from("198.51.100.4", "203.0.113.9")) == "198.51.100.4"


def test_a_named_proxy_is_believed_a_direct_client_is_not():
    with override_settings(FORWARDED_ALLOW_IPS=NGINX):
        # nginx on the host appended the address it saw; whatever the client wrote before is ignored
        assert ratelimit.client_ip(request_from("127.0.0.1", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"
        # a client that reaches the app server directly cannot name an address
        assert ratelimit.client_ip(request_from("198.51.100.4", "203.0.113.9")) == "198.51.100.4"


def test_a_chain_of_named_proxies_is_walked_from_the_right():
    chain = (ipaddress.ip_network("10.0.0.0/8"), *NGINX)
    with override_settings(FORWARDED_ALLOW_IPS=chain):
        request = request_from("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.2.3")
        assert ratelimit.client_ip(request) == "203.0.113.9"


def test_the_setting_reads_addresses_and_networks_and_refuses_a_wildcard(monkeypatch):
    monkeypatch.setenv("JIJIAN_FORWARDED_ALLOW_IPS", "127.0.0.1, 10.0.0.0/8,::1")
    assert [str(n) for n in env_networks("JIJIAN_FORWARDED_ALLOW_IPS")] == [
        "127.0.0.1/32",
        "10.0.0.0/8",
        "::1/128",
    ]
    monkeypatch.setenv("JIJIAN_FORWARDED_ALLOW_IPS", "")
    assert env_networks("JIJIAN_FORWARDED_ALLOW_IPS") == ()
    for bad in ("*", "nginx", "300.1.1.1"):
        monkeypatch.setenv("JIJIAN_FORWARDED_ALLOW_IPS", bad)
        with pytest.raises(ImproperSetting, match="JIJIAN_FORWARDED_ALLOW_IPS"):
            env_networks("JIJIAN_FORWARDED_ALLOW_IPS")


def procfile_web_args(env: dict[str, str]) -> list[str]:
    """The web line of the Procfile as the shell expands it under `env`, without the program name."""
    line = next(x for x in (ROOT / "Procfile").read_text().splitlines() if x.startswith("web:"))
    command = line.split(":", 1)[1].strip()
    out = subprocess.run(
        ["bash", "-c", f'set -- {command}; shift; printf "%s\\0" "$@"'],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        check=True,
    ).stdout.decode()
    return out.split("\0")[:-1]


def client_seen_by_uvicorn(args: list[str], peer: str, forwarded: str) -> str:
    """The client address uvicorn hands the app when started with `args` (its own option parser and
    its proxy-headers middleware)."""
    params = uvicorn_main.make_context("uvicorn", list(args)).params
    seen = {}

    async def app(scope, receive, send):
        seen["client"] = scope["client"][0]

    wrapped = app
    if params["proxy_headers"]:
        allowed = params["forwarded_allow_ips"]
        wrapped = ProxyHeadersMiddleware(app, trusted_hosts=allowed if allowed is not None else "127.0.0.1")
    scope = {"type": "http", "client": (peer, 5000), "headers": [(b"x-forwarded-for", forwarded.encode())]}
    run_loop(lambda: wrapped(scope, None, None))  # a browser test may hold this thread's event loop
    return seen["client"]


def test_the_app_server_trusts_nobody_by_default():
    args = procfile_web_args({})
    assert client_seen_by_uvicorn(args, "127.0.0.1", "203.0.113.9") == "127.0.0.1"


def test_the_app_server_follows_the_same_setting():
    args = procfile_web_args({"JIJIAN_FORWARDED_ALLOW_IPS": "127.0.0.1"})
    assert client_seen_by_uvicorn(args, "127.0.0.1", "1.1.1.1, 203.0.113.9") == "203.0.113.9"
    assert client_seen_by_uvicorn(args, "198.51.100.4", "203.0.113.9") == "198.51.100.4"
    # what uvicorn hands over is the client, not a proxy: the app credits the same address
    with override_settings(FORWARDED_ALLOW_IPS=NGINX):
        assert ratelimit.client_ip(request_from("203.0.113.9", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"


def test_the_systemd_unit_in_the_deploy_guide_passes_the_setting():
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    unit = next(x for x in deploy.splitlines() if x.startswith("ExecStart=") and "uvicorn" in x)
    assert "--forwarded-allow-ips ${JIJIAN_FORWARDED_ALLOW_IPS}" in unit
