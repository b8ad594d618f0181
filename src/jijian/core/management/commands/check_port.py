"""`make run` asks this before it starts the web server: is the port free? Otherwise uvicorn would stop
with an English bind error and honcho the whole platform with it."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from jijian.core.ops.ports import port_taken


class Command(BaseCommand):
    help = "检查网页服务端口（JIJIAN_HOST:JIJIAN_PORT，默认 127.0.0.1:8000）是否空闲"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("JIJIAN_HOST") or "127.0.0.1")
        parser.add_argument("--port", default=os.environ.get("JIJIAN_PORT") or "8000")

    def handle(self, *args, host: str, port: str, **options):
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise CommandError(
                gettext("JIJIAN_PORT 应为 1 至 65535 之间的端口号，现为“%(port)s”") % {"port": port}
            )
        if port_taken(host, int(port)):
            raise CommandError(
                gettext(
                    "网页服务端口 %(host)s:%(port)s 已被其他程序占用（也许另一个 make run 正在运行）。请先停止它，或换一个端口启动，如：JIJIAN_PORT=%(value)s make run"
                )
                % {"host": host, "port": port, "value": int(port) + 1}
            )
