"""`jijian check_port`, which `make run` asks before it starts the web server: a port another program
listens on is refused with a sentence in Chinese that names it and says what to do; a free one passes."""

from __future__ import annotations

import socket

import pytest
from django.core.management import CommandError, call_command


def test_a_taken_port_is_named_with_what_to_do():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError) as refused:
            call_command("check_port", "--host", "127.0.0.1", "--port", str(port))
    message = str(refused.value)
    assert f"网页服务端口 127.0.0.1:{port} 已被其他程序占用" in message
    assert f"JIJIAN_PORT={port + 1} make run" in message


def test_a_free_port_passes():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    call_command("check_port", "--host", "127.0.0.1", "--port", str(port))


@pytest.mark.parametrize("port", ["eighty", "0", "70000"])
def test_a_port_that_is_no_port_is_refused(port):
    with pytest.raises(CommandError, match="JIJIAN_PORT 应为 1 至 65535 之间的端口号"):
        call_command("check_port", "--port", port)


def test_it_reads_the_port_make_run_serves_on(monkeypatch):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setenv("JIJIAN_PORT", str(port))
        with pytest.raises(CommandError, match=f"127.0.0.1:{port}"):
            call_command("check_port")
