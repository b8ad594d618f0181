"""The app server freezes its start-up heap (core/ops/heap.py) unless told not to; tests run without it.
Checked in child processes: freezing the test process's own heap would change every later test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SRC = Path(__file__).resolve().parents[2] / "src"
CHILD = "import gc, jijian.config.asgi; print(gc.get_freeze_count())"


def asgi_child(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "JIJIAN_GC_FREEZE"}
    environment.update(env, PYTHONPATH=str(SRC), DJANGO_SETTINGS_MODULE="jijian.config.settings")
    return subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", CHILD],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_tests_do_not_freeze():
    assert settings.JIJIAN_GC_FREEZE is False


@pytest.mark.parametrize(("value", "frozen"), [("true", True), ("false", False)])
def test_the_app_server_freezes_what_it_loaded_at_start_up(value, frozen):
    done = asgi_child(JIJIAN_ENV="test", JIJIAN_GC_FREEZE=value)
    assert done.returncode == 0, done.stderr
    count = int(done.stdout.split()[-1])
    # Django, every app, the URLconf with every view module: well over 100,000 objects.
    assert (count > 100_000) if frozen else (count == 0), count


def test_production_freezes_by_default(tmp_path):
    done = asgi_child(
        JIJIAN_ENV="production",
        # A database of its own: the checkout's var/ may hold the demo (`make run`), whose stored data the
        # keys below do not open, and the start-up key check would rightly refuse to start on it.
        JIJIAN_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'jijian.sqlite3'}",
        JIJIAN_SECRET_KEY="k" * 50,
        JIJIAN_ALLOWED_HOSTS="jijian.example",
        JIJIAN_DATA_KEYS="k1:" + "ab" * 16,
        JIJIAN_INDEX_KEY="cd" * 16,  # 128 bits, as crypto requires (the start-up check loads the keys)
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 100_000


def test_a_bad_value_is_refused_in_chinese():
    done = asgi_child(JIJIAN_ENV="test", JIJIAN_GC_FREEZE="maybe")
    assert done.returncode != 0
    assert "JIJIAN_GC_FREEZE" in done.stderr and "应为 true/false" in done.stderr
