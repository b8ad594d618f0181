"""The `jijian` command: Django's management commands with jijian's settings. Hyphenated names are
accepted (`jijian import-orgs` runs import_orgs).

What the command line itself refuses is said in Chinese, as the commands' own messages are: an unknown
command (with the nearest names), and argparse's words — usage, help, a missing or invalid argument —
from the catalogue cli_locale/zh_CN (the stdlib's gettext, which argparse reads; `LANGUAGE=en` keeps
them in English)."""

from __future__ import annotations

import difflib
import gettext
import os
import sys
from pathlib import Path

CLI_DOMAIN = "jijian_cli"
CLI_LOCALE = Path(__file__).resolve().parent / "cli_locale"
# What Django's own command line answers before any command runs.
BUILT_IN = {"help", "version", "--help", "-h", "--version"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jijian.config.settings")
    os.environ.setdefault("LANGUAGE", "zh_CN")
    gettext.bindtextdomain(CLI_DOMAIN, str(CLI_LOCALE))
    gettext.textdomain(CLI_DOMAIN)
    argv = list(sys.argv)
    argv[0] = "jijian"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    import django
    from django.core.management import execute_from_command_line, get_commands

    if len(argv) > 1 and argv[1] not in BUILT_IN and not argv[1].startswith("-"):
        django.setup()  # the apps' commands are listed once the apps are loaded
        known = get_commands()
        if argv[1] not in known:
            near = difflib.get_close_matches(argv[1], list(known), n=3)
            hint = f"您是否要运行：{'、'.join(near)}？" if near else ""
            sys.stderr.write(f"未知命令：{argv[1]}。{hint}运行 jijian help 查看全部命令。\n")
            sys.exit(1)
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
