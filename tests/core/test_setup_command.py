"""`jijian setup` (what `make run` runs first) prints the address the server really listens on."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from jijian.core.management.commands import setup


@pytest.fixture
def quick_setup(monkeypatch):
    monkeypatch.setattr(setup, "call_command", lambda *args, **kwargs: None)  # no migrate, no collectstatic


def test_setup_prints_the_configured_port_not_8000(db, settings, quick_setup):
    settings.RUN_HOST, settings.RUN_PORT = "127.0.0.1", 8101
    out = io.StringIO()
    call_command("setup", "--no-demo", stdout=out)
    assert "请用浏览器打开 http://127.0.0.1:8101/" in out.getvalue()
    assert "8000" not in out.getvalue()


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("0.0.0.0", "http://127.0.0.1:8101/"),
        ("192.168.1.20", "http://192.168.1.20:8101/"),
        ("::", "http://[::1]:8101/"),
        ("fe80::1", "http://[fe80::1]:8101/"),
    ],
)
def test_the_address_to_open_for_each_kind_of_host(host, address):
    assert setup.run_address(host, 8101) == address
