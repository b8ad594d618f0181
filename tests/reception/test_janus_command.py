"""`jijian reception_janus` (the Procfile's janus process): when Janus cannot run — not installed, or its
HTTP port already taken by another program — it says why in Chinese instead of letting Janus stop, which
under `make run` (honcho) would stop the whole platform with it."""

from __future__ import annotations

import shutil
import socket

import pytest
from django.core.management import CommandError, call_command

from jijian.core.ops.ports import port_taken


def listening() -> socket.socket:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    return busy


def test_a_port_another_program_listens_on_is_taken_and_a_free_one_is_not():
    with listening() as busy:
        port = busy.getsockname()[1]
        assert port_taken("127.0.0.1", port)
    assert not port_taken("127.0.0.1", port)


@pytest.mark.skipif(shutil.which("janus") is None, reason="janus is not installed (make sysdeps-test)")
def test_janus_is_not_started_on_a_taken_port_and_says_which(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with listening() as busy:
        port = busy.getsockname()[1]
        settings.RECEPTION_JANUS_URL = f"http://127.0.0.1:{port}/janus"
        with pytest.raises(CommandError) as refused:
            call_command("reception_janus", "--exit-if-missing")
    assert f"端口 127.0.0.1:{port} 已被其他程序占用" in str(refused.value)
    assert "JIJIAN_JANUS_URL" in str(refused.value)
    assert not (tmp_path / "janus").exists()  # no configuration written, nothing started
