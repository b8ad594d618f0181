"""The `jijian` command: Django's management commands with jijian's settings. Hyphenated names are
accepted (`jijian import-orgs` runs import_orgs)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jijian.config.settings")
    argv = list(sys.argv)
    argv[0] = "jijian"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
