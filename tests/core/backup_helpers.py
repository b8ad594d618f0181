"""Wiping an instance (the backup and key-restore tests; the instance is a fixture of conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.core.management import call_command


def wipe(files: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(files)
    files.mkdir()
