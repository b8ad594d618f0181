"""Restore without the keys fails loudly (issue 22 item 6): `jijian restore` refuses to finish unless
the keys the data needs are present and decrypt a sample of every encrypted column, naming the key
ids; a generated key never takes an id the data already uses; `jijian keys check` says the same."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test import override_settings

from jijian.core.checks import STORED_DATA
from jijian.core.models import KeyFingerprint, User
from jijian.core.ops.backup import backup_create
from jijian.core.sensitive import crypto, keys
from tests.core.backup_helpers import wipe

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
SAME_ID_OTHER_BYTES = "k1:" + "99" * 16


@pytest.fixture(autouse=True)
def _fresh_keyring():
    crypto.reload_keyring()
    yield
    crypto.forget_keyring()  # not loaded here: some tests end on data whose keys are missing


@pytest.fixture
def backup(instance, people, tmp_path):  # noqa: F811 - the fixture imported above
    User.objects.filter(pk=people.member_a.pk).update(phone="")
    member = User.objects.get(pk=people.member_a.pk)
    member.phone = "13800001111"
    member.save(update_fields=["phone"])
    backup_create(dest=tmp_path / "bk")
    wipe(instance)
    return tmp_path / "bk"


def test_restore_with_a_different_key_under_the_same_id_fails_loudly_naming_it(backup, settings):
    settings.DATA_KEYS = SAME_ID_OTHER_BYTES
    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("restore", str(backup), stdout=out)
    message = str(info.value)
    assert "恢复未完成" in message and "k1" in message and "core.user.phone" in message
    assert "恢复完成" not in out.getvalue()
    # `keys check` keeps saying so until the right keys are back, then passes.
    with pytest.raises(CommandError, match="k1"):
        call_command("keys", "check", stdout=io.StringIO())
    settings.DATA_KEYS = "k1:" + "11" * 16
    crypto.reload_keyring()
    ok = io.StringIO()
    call_command("keys", "check", stdout=ok)
    assert "密钥检查通过" in ok.getvalue() and "k1" in ok.getvalue()


def test_restore_into_an_empty_data_directory_generates_no_key_and_names_the_ids(backup, settings, tmp_path):
    settings.DATA_KEYS = ""
    settings.INDEX_KEY = ""
    settings.KEY_FILE = tmp_path / "empty-data" / "keys"
    with pytest.raises(CommandError) as info:
        call_command("restore", str(backup), stdout=io.StringIO())
    assert "缺少密钥 k1" in str(info.value)
    assert not settings.KEY_FILE.exists()


def test_restore_with_a_key_the_data_does_not_use_names_the_missing_one(backup, settings):
    settings.DATA_KEYS = "k7:" + "11" * 16
    with pytest.raises(CommandError, match="缺少密钥 k1"):
        call_command("restore", str(backup), stdout=io.StringIO())


def test_no_key_file_is_generated_for_data_that_needs_keys(backup, settings, tmp_path):
    settings.DATA_KEYS = "k1:" + "11" * 16
    call_command("restore", str(backup), stdout=io.StringIO())  # the right keys: it finishes
    settings.DATA_KEYS = ""
    settings.KEY_FILE = tmp_path / "fresh" / "keys"
    # The embedded default generates a key file only for a database with nothing under keys: here it
    # names the key the data needs instead of giving it new bytes.
    with pytest.raises(SystemExit, match="需要密钥 k1"):
        crypto.reload_keyring()
    assert not settings.KEY_FILE.exists()


def test_an_empty_database_still_gets_a_key_file_on_first_start(instance, settings, tmp_path):  # noqa: F811
    wipe(instance)
    settings.DATA_KEYS = ""
    settings.KEY_FILE = tmp_path / "fresh" / "keys"
    ring = crypto.reload_keyring()
    assert ring.primary_id == "k1"
    assert [kid for kid, _ in json.loads(settings.KEY_FILE.read_text())["data"]] == ["k1"]


def test_keys_new_never_reuses_an_id_the_data_uses(backup, settings):
    settings.DATA_KEYS = "k1:" + "11" * 16
    call_command("restore", str(backup), stdout=io.StringIO())
    with override_settings(DATA_KEYS="k5:" + "33" * 16):
        crypto.reload_keyring()
        assert keys.key_new().kid == "k6"
        with pytest.raises(keys.KeyOperationError, match="已被现有数据使用"):
            keys.key_new(kid="k1")


# --- the blind-index key (issue 22 item 6, audit finding 1) -------------------------------------
RIGHT_DATA_KEY = "k1:" + "11" * 16
RIGHT_INDEX_KEY = "22" * 16  # the test settings' index key, which the backup was made under
OTHER_INDEX_KEY = "44" * 16


@pytest.fixture
def fingerprinted_backup(instance, people, tmp_path):  # noqa: F811 - the fixture imported above
    """A backup whose data records the index key's fingerprint (as every migrated instance does)."""
    keys.index_key_record()
    member = User.objects.get(pk=people.member_a.pk)
    member.phone = "13800001111"
    member.save()
    backup_create(dest=tmp_path / "bk")
    wipe(instance)
    return tmp_path / "bk"


def test_restore_with_the_right_data_keys_but_another_index_key_fails_naming_the_index_key(
    fingerprinted_backup, settings
):
    settings.DATA_KEYS, settings.INDEX_KEY = RIGHT_DATA_KEY, OTHER_INDEX_KEY
    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("restore", str(fingerprinted_backup), stdout=out)
    message = str(info.value)
    assert "恢复未完成" in message and "盲索引密钥" in message and "指纹不符" in message
    assert "恢复完成" not in out.getvalue()
    with pytest.raises(CommandError, match="盲索引密钥"):
        call_command("keys", "check", stdout=io.StringIO())
    # With the index key the data was written with, `keys check` passes and says so.
    settings.INDEX_KEY = RIGHT_INDEX_KEY
    crypto.reload_keyring()
    ok = io.StringIO()
    call_command("keys", "check", stdout=ok)
    assert "盲索引密钥：与数据中记录的指纹一致" in ok.getvalue()
    assert User.objects.filter(phone_index=crypto.blind_index("13800001111")).exists()


def test_restore_of_data_without_a_fingerprint_still_catches_another_index_key(
    instance,  # noqa: F811 - the fixture imported above
    people,
    tmp_path,
    settings,
):
    member = User.objects.get(pk=people.member_a.pk)
    member.phone = "13800001111"
    member.save()
    KeyFingerprint.objects.all().delete()  # data from before the fingerprint was recorded
    backup_create(dest=tmp_path / "bk")
    wipe(instance)
    settings.DATA_KEYS, settings.INDEX_KEY = RIGHT_DATA_KEY, OTHER_INDEX_KEY
    with pytest.raises(CommandError, match="抽样重算的 .* 个盲索引无一相符"):
        call_command("restore", str(tmp_path / "bk"), stdout=io.StringIO())


def test_reindex_under_a_new_index_key_records_it(fingerprinted_backup, settings):
    call_command("restore", str(fingerprinted_backup), stdout=io.StringIO())
    settings.INDEX_KEY = OTHER_INDEX_KEY  # the index key changed (docs/keys.md): refused until reindexed
    crypto.reload_keyring()
    with pytest.raises(CommandError, match="指纹不符"):
        call_command("keys", "check", stdout=io.StringIO())
    call_command("keys", "reindex", stdout=io.StringIO())
    out = io.StringIO()
    call_command("keys", "check", stdout=out)
    assert "与数据中记录的指纹一致" in out.getvalue()
    status = io.StringIO()
    call_command("keys", "status", stdout=status, stderr=io.StringIO())
    assert "盲索引密钥：与数据中记录的指纹一致" in status.getvalue()


# --- start-up refuses data its keys do not open (audit finding 2) ------------------------------
def _startup_check():
    call_command("check", "--database", "default", "--tag", STORED_DATA, stdout=io.StringIO())


def test_the_start_up_check_refuses_data_whose_key_is_missing_naming_it(fingerprinted_backup, settings):
    settings.DATA_KEYS = RIGHT_DATA_KEY
    call_command("restore", str(fingerprinted_backup), stdout=io.StringIO())
    _startup_check()  # the right keys: it passes
    settings.DATA_KEYS = "k7:" + "11" * 16
    crypto.reload_keyring()
    with pytest.raises(SystemCheckError) as info:
        _startup_check()
    message = str(info.value)
    assert "拒绝启动" in message and "缺少密钥 k1" in message and "docs/keys.md" in message
    # `jijian setup` (what `make run` runs first) stops before migrating or loading anything.
    with pytest.raises(SystemCheckError, match="缺少密钥 k1"):
        call_command("setup", "--no-demo", stdout=io.StringIO())


def test_the_start_up_check_refuses_another_index_key(fingerprinted_backup, settings):
    settings.DATA_KEYS = RIGHT_DATA_KEY
    call_command("restore", str(fingerprinted_backup), stdout=io.StringIO())
    settings.INDEX_KEY = OTHER_INDEX_KEY
    crypto.reload_keyring()
    with pytest.raises(SystemCheckError, match="盲索引密钥"):
        _startup_check()


def test_the_start_up_check_passes_on_an_empty_database_without_a_key_file(instance, settings, tmp_path):  # noqa: F811
    wipe(instance)  # a fresh instance: migrated, nothing stored
    settings.DATA_KEYS, settings.INDEX_KEY = "", ""
    settings.KEY_FILE = tmp_path / "fresh" / "keys"
    _startup_check()
    assert not settings.KEY_FILE.exists()  # the check never generates a key


def _server_env(data_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIJIAN_", "DATABASE_URL", "REDIS_URL"))}
    return {**env, "JIJIAN_ENV": "embedded", "JIJIAN_DATA_DIR": str(data_dir)}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the server runs on a copy of the SQLite backup")
def test_a_server_started_on_data_whose_key_is_missing_refuses_with_the_message(
    fingerprinted_backup, tmp_path
):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    shutil.copy(fingerprinted_backup / "database.sqlite3", data_dir / "jijian.sqlite3")
    server = subprocess.run(  # noqa: S603 - our own server, as the Procfile starts it
        [
            str(ROOT / ".venv/bin/uvicorn"),
            "jijian.config.asgi:application",
            "--port",
            "0",
            "--lifespan",
            "off",
        ],
        env=_server_env(data_dir),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert server.returncode != 0
    assert "拒绝启动" in server.stderr and "缺少密钥 k1" in server.stderr and "docs/keys.md" in server.stderr
    assert not (data_dir / "keys").exists()  # no key generated under the data's back
    # The key file put back from custody: the application loads.
    crypto.write_key_file(data_dir / "keys", [("k1", "11" * 16)], RIGHT_INDEX_KEY)
    loaded = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import jijian.config.asgi"],
        env=_server_env(data_dir),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr


def test_a_server_starts_on_a_fresh_data_directory(tmp_path):
    """The embedded first start: no database, no key file yet. The start-up check passes (and leaves
    the key file to the first use, as before)."""
    data_dir = tmp_path / "fresh"
    data_dir.mkdir(mode=0o700)
    loaded = subprocess.run(  # noqa: S603 - the application as the server loads it
        [sys.executable, "-c", "import jijian.config.asgi"],
        env=_server_env(data_dir),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
