"""The `jijian` command line refuses in Chinese (jijian/__main__.py): an unknown command with the nearest
names, and argparse's own refusals (a missing or invalid argument) from the catalogue cli_locale."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def jijian(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "LANGUAGE"}
    environ.update({"JIJIAN_ENV": "test", "LANG": "C.UTF-8", **env})
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "jijian", *args], capture_output=True, text=True, env=environ, timeout=120
    )


def test_an_unknown_command_is_named_with_the_nearest_ones():
    result = jijian("kyes", "status")
    assert result.returncode == 1
    assert result.stderr.strip() == "未知命令：kyes。您是否要运行：keys？运行 jijian help 查看全部命令。"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("keys", "frob"), "jijian keys：错误：参数 action：无效的选择：'frob'（可选：'status', "),
        (("otp",), "jijian otp：错误：缺少必需的参数：username"),
        (("audit", "verify", "--from", "x"), "jijian audit：错误：无法识别的参数：--from x"),
        (
            ("create_admin", "u1", "--role", "boss", "--full-name", "张三", "--unit-code", "421300"),
            "参数 --role：无效的选择：'boss'（可选：'audit_admin', 'security_admin', 'system_admin'）",
        ),
    ],
)
def test_argparse_refuses_in_chinese_with_the_usage(args, said):
    result = jijian(*args)
    assert result.returncode == 2
    assert said in result.stderr and result.stderr.startswith("用法：jijian ")


def test_an_operator_who_asks_for_english_gets_argparse_in_english():
    result = jijian("keys", "frob", LANGUAGE="en")
    assert result.returncode == 2 and "invalid choice: 'frob'" in result.stderr
