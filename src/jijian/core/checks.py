import io
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import DatabaseError

# The tag of the checks that read the stored data (run with a database: `jijian check --database
# default --tag jijian_keys`, `jijian setup`, and the server's start in config/asgi.py).
STORED_DATA = "jijian_keys"


@checks.register(checks.Tags.security)
def keyring_loads(app_configs, **kwargs):
    """Fail `check`/start-up when the keys are missing or malformed (message names the setting)."""
    from jijian.core.sensitive.crypto import keyring

    keyring()
    return []


@checks.register(STORED_DATA)
def stored_data_opens(app_configs, databases=None, **kwargs):
    """Refuse to start on stored data the configured keys do not open: a data key id the data uses
    is missing, a key under its id has other bytes, or the blind-index key is not the one the data
    was written with (after a restore without its keys, say). One sample per column and key id, so
    it is cheap; `jijian keys check` reads every value. Never generates a key file. Like Django's
    own database checks it reads the database only when asked for one (`databases`)."""
    if not databases:
        return []
    from jijian.core.sensitive import crypto, keys

    ring = crypto.keyring_if_present()
    if ring is None and (settings.DATA_KEYS or Path(settings.KEY_FILE).exists()):
        crypto.keyring()  # keys configured but unreadable: stops, naming the malformed setting
    try:
        result = keys.key_check(ring=ring, decrypt=ring is not None, sample_only=True)
    except DatabaseError:
        return []  # not migrated yet (or unreachable): there is no stored data to open here
    if result.ok:
        return []
    return [
        checks.Error(
            "存储的数据无法用配置的密钥打开，拒绝启动：" + result.problem(),
            hint=(
                "不要生成新密钥：从密钥托管处放回原密钥文件（JIJIAN_KEY_FILE）或设置 "
                "JIJIAN_DATA_KEYS/JIJIAN_INDEX_KEY，运行 `jijian keys check` 直到通过，再启动（见 docs/keys.md）"
            ),
            id="jijian.E001",
        )
    ]


def refuse_unreadable_data() -> None:
    """Stop the process (a message, exit status 1) when `stored_data_opens` fails: called when a
    server loads the application, before it serves anything. Not under tests, whose database
    appears only once a test asks for it."""
    if settings.TESTING:
        return
    try:
        call_command("check", "--database", "default", "--tag", STORED_DATA, stdout=io.StringIO())
    except SystemCheckError as exc:
        raise SystemExit(str(exc)) from None
