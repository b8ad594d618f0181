"""A fresh data directory is the running account's only (issue 22 item 11): the directory and every
directory under it 0700, the SQLite database, secrets, keys, cache entries and stored files 0600."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from django.conf import settings

START = """
import django
django.setup()
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from jijian.core.sensitive.crypto import keyring
keyring()
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (x integer)")
    cursor.execute("INSERT INTO probe VALUES (1)")
cache.set("probe", 1)
default_storage.save("2026/12/probe.bin", ContentFile(b"probe"))
"""


def test_a_fresh_data_directory_and_its_files_are_for_the_owner_only(tmp_path):
    data = tmp_path / "new" / "var"
    # The embedded default alone: no database, Redis or setting of the test run leaks in.
    own = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIJIAN_") and k not in own}
    env.update(
        DJANGO_SETTINGS_MODULE="jijian.config.settings",
        JIJIAN_ENV="embedded",
        JIJIAN_DATA_DIR=str(data),
        PYTHONPATH=str(Path(settings.PACKAGE_DIR).parent),
    )
    subprocess.run([sys.executable, "-c", START], env=env, check=True, timeout=120, umask=0o022)  # noqa: S603
    modes = {p.relative_to(data).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in data.rglob("*")}
    files = {name for name in modes if (data / name).is_file()}
    assert {"jijian.sqlite3", "secret_key", "keys", "files/2026/12/probe.bin"} <= files
    assert any(name.startswith("cache/") for name in files)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    wrong = {name: oct(mode) for name, mode in modes.items() if mode != (0o600 if name in files else 0o700)}
    assert not wrong
