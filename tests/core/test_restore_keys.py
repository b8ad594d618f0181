"""Restore without the keys fails loudly (issue 22 item 6): `jijian restore` refuses to finish unless
the keys the data needs are present and decrypt a sample of every encrypted column, naming the key
ids; a generated key never takes an id the data already uses; `jijian keys check` says the same."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from jijian.core.models import User
from jijian.core.ops.backup import backup_create
from jijian.core.sensitive import crypto, keys
from tests.core.test_backup import instance, wipe  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)

SAME_ID_OTHER_BYTES = "k1:" + "99" * 16


@pytest.fixture(autouse=True)
def _fresh_keyring():
    crypto.reload_keyring()
    yield
    crypto.reload_keyring()


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


def test_a_generated_key_file_never_reuses_an_id_the_data_uses(backup, settings, tmp_path):
    settings.DATA_KEYS = "k1:" + "11" * 16
    call_command("restore", str(backup), stdout=io.StringIO())  # the right keys: it finishes
    settings.DATA_KEYS = ""
    settings.KEY_FILE = tmp_path / "fresh" / "keys"
    ring = crypto.reload_keyring()  # the embedded default generates a key file
    assert ring.primary_id != "k1"
    assert [kid for kid, _ in json.loads(settings.KEY_FILE.read_text())["data"]] == ["k2"]


def test_keys_new_never_reuses_an_id_the_data_uses(backup, settings):
    settings.DATA_KEYS = "k1:" + "11" * 16
    call_command("restore", str(backup), stdout=io.StringIO())
    with override_settings(DATA_KEYS="k5:" + "33" * 16):
        crypto.reload_keyring()
        assert keys.key_new().kid == "k6"
        with pytest.raises(keys.KeyOperationError, match="已被现有数据使用"):
            keys.key_new(kid="k1")
