"""Write the Janus configuration of the embedded default and run Janus in the foreground."""

from __future__ import annotations

import os
import shutil
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jijian.reception.media import MISSING, janus_config_write


class Command(BaseCommand):
    help = "写入 Janus 配置并在前台运行 Janus（视频接访媒体服务器）"

    def add_arguments(self, parser):
        parser.add_argument("--exit-if-missing", dest="wait_if_missing", action="store_false")

    def handle(self, *args, **options):
        janus = shutil.which("janus")
        if janus is None:
            # Under `make run` (honcho) a process that exits stops the others: say what is missing and
            # wait, so the platform runs on without video (the session page says Janus is missing).
            self.stderr.write(MISSING)
            if options["wait_if_missing"]:
                while True:
                    time.sleep(3600)
            raise CommandError(MISSING)
        url = urlsplit(settings.RECEPTION_JANUS_URL)
        conf = janus_config_write(
            settings.DATA_DIR / "janus",
            http_port=url.port or 8088,
            admin_key=settings.RECEPTION_JANUS_ADMIN_KEY,
            bind=url.hostname or "127.0.0.1",
        )
        os.execv(janus, [janus, "-F", str(conf), "-o"])  # noqa: S606 - the Debian janus binary
