"""Write the Janus configuration of the embedded default and run Janus in the foreground."""

from __future__ import annotations

import os
import shutil
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jijian.core.ops.ports import port_taken
from jijian.reception.media import MISSING, janus_config_write


class Command(BaseCommand):
    help = "写入 Janus 配置并在前台运行 Janus（视频接访媒体服务器）"

    def add_arguments(self, parser):
        parser.add_argument("--exit-if-missing", dest="wait_if_missing", action="store_false")

    def handle(self, *args, **options):
        janus = shutil.which("janus")
        if janus is None:
            self._unavailable(MISSING, wait=options["wait_if_missing"])
        url = urlsplit(settings.RECEPTION_JANUS_URL)
        host, port = url.hostname or "127.0.0.1", url.port or 8088
        if port_taken(host, port):
            # Janus would stop at once ("Couldn't start webserver"), and honcho with it the whole platform.
            self._unavailable(
                f"视频服务器 Janus 的端口 {host}:{port} 已被其他程序占用：视频接访不可用。"
                f"请关闭占用该端口的程序，或用 JIJIAN_JANUS_URL 另指端口（如 http://127.0.0.1:{port + 100}/janus）",
                wait=options["wait_if_missing"],
            )
        conf = janus_config_write(
            settings.DATA_DIR / "janus",
            http_port=port,
            admin_key=settings.RECEPTION_JANUS_ADMIN_KEY,
            bind=host,
        )
        os.execv(janus, [janus, "-F", str(conf), "-o"])  # noqa: S606 - the Debian janus binary

    def _unavailable(self, message: str, *, wait: bool) -> None:
        """Under `make run` (honcho) a process that exits stops the others: say why there is no video and
        wait, so the platform runs on without it (the session page says the media server is missing)."""
        self.stderr.write(message)
        if wait:
            while True:
                time.sleep(3600)
        raise CommandError(message)
