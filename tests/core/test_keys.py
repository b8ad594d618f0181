"""`jijian keys`: a new primary key, rotation while serving, retirement, blind-index rebuild."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from jijian.audit.models import AuditEvent
from jijian.core.fields import EncryptedTextField
from jijian.core.models import User
from jijian.core.sensitive import crypto, keys
from jijian.core.services import user_create

K1 = "k1:" + "11" * 16
K2 = "k2:" + "33" * 16
ID_A = "42138119900101123X"
ID_B = "421321198506152345"


@pytest.fixture(autouse=True)
def _fresh_keyring():
    crypto.reload_keyring()
    yield
    crypto.reload_keyring()


def _person(tree, username, phone, id_number):
    return user_create(
        actor=None,
        username=username,
        full_name=f"测试{username}",
        org_unit=tree.village_a,
        phone=phone,
        id_number=id_number,
        audit=False,
    )


@pytest.fixture
def two_people(tree):
    with override_settings(DATA_KEYS=K1):
        crypto.reload_keyring()
        a = _person(tree, "alice", "13800001111", ID_A)
        b = _person(tree, "bob", "13900002222", ID_B)
    return a, b


def _raw_values():
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_number FROM core_user WHERE phone <> ''")
        return [v for row in cursor.fetchall() for v in row]


def _run(*args):
    out = io.StringIO()
    call_command("keys", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _readable(a, b):
    assert User.objects.get(pk=a.pk).phone == "13800001111"
    assert User.objects.get(pk=a.pk).id_number == ID_A
    assert User.objects.get(pk=b.pk).id_number == ID_B


def test_rotate_moves_every_value_to_the_new_key_and_retire_then_keeps_them_readable(two_people):
    a, b = two_people
    assert {crypto.key_id_of(v) for v in _raw_values()} == {"k1"}

    with override_settings(DATA_KEYS=f"{K2},{K1}"):
        crypto.reload_keyring()
        assert "k1：4 个值" in _run("status")
        with pytest.raises(CommandError, match="仍有 4 个值使用密钥 k1"):
            _run("retire", "k1")

        out = _run("rotate", "--batch", "1")
        assert "共 4 个值" in out
        assert {crypto.key_id_of(v) for v in _raw_values()} == {"k2"}
        _readable(a, b)
        assert keys.key_status().count_for("k1") == 0
        assert "共 0 个值" in _run("rotate")  # idempotent

        out = _run("retire", "k1")
        assert f"JIJIAN_DATA_KEYS={K2}\n" in out

    with override_settings(DATA_KEYS=K2):  # k1 gone from the keyring
        crypto.reload_keyring()
        _readable(a, b)
        # the blind index does not depend on the data key
        assert User.objects.get(id_number_index=crypto.blind_index(ID_A.lower())).pk == a.pk

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"keys.rotate", "keys.retire"} <= actions


def test_retire_refuses_the_primary_and_unknown_keys(two_people):
    with override_settings(DATA_KEYS=f"{K2},{K1}"):
        crypto.reload_keyring()
        with pytest.raises(CommandError, match="主密钥"):
            _run("retire", "k2")
        with pytest.raises(CommandError, match="不在密钥环中"):
            _run("retire", "k9")
    assert not AuditEvent.objects.filter(action="keys.retire").exists()


def test_values_under_an_old_key_stay_readable_before_rotation(two_people):
    a, b = two_people
    with override_settings(DATA_KEYS=f"{K2},{K1}"):
        crypto.reload_keyring()
        _readable(a, b)
        user = User.objects.get(pk=a.pk)
        user.phone = "13700003333"
        user.save()
        # a save writes the whole row under the new primary; the other row stays under k1
        assert keys.key_status().count_for("k2") == 2
        assert keys.key_status().count_for("k1") == 2


def test_rotation_does_not_overwrite_a_concurrent_edit(two_people, monkeypatch):
    a, _ = two_people
    real_decrypt = EncryptedTextField.decrypt
    edited = []

    def decrypt_then_someone_edits(self, token, *, ring=None):
        plain = real_decrypt(self, token, ring=ring)
        if self.name == "phone" and plain == "13800001111" and not edited:
            # another app server saves a new phone number between our read and our write
            edited.append(True)
            User.objects.filter(pk=a.pk).update(phone="13600004444")
        return plain

    monkeypatch.setattr(EncryptedTextField, "decrypt", decrypt_then_someone_edits)
    with override_settings(DATA_KEYS=f"{K2},{K1}"):
        crypto.reload_keyring()
        result = keys.key_rotate(batch=10)
        assert result.skipped_concurrent == 1
        assert (result.rewritten["core.user.phone"], result.rewritten["core.user.id_number"]) == (1, 2)
        assert User.objects.get(pk=a.pk).phone == "13600004444"  # the edit won


def test_key_file_new_rotate_retire(tree, tmp_path):
    path = tmp_path / "keys"
    with override_settings(DATA_KEYS="", KEY_FILE=path):
        crypto.reload_keyring()
        a = _person(tree, "carol", "13800001111", ID_A)
        b = _person(tree, "dave", "13900002222", ID_B)
        first = json.loads(path.read_text())
        assert [kid for kid, _ in first["data"]] == ["k1"]
        assert path.stat().st_mode & 0o077 == 0

        out = _run("new")
        assert "k2" in out
        saved = json.loads(path.read_text())
        assert [kid for kid, _ in saved["data"]] == ["k2", "k1"]
        assert saved["data"][1] == first["data"][0] and saved["index"] == first["index"]
        assert crypto.keyring().primary_id == "k2"

        _run("rotate")
        assert {crypto.key_id_of(v) for v in _raw_values()} == {"k2"}
        _run("retire", "k1")
        assert [kid for kid, _ in json.loads(path.read_text())["data"]] == ["k2"]
        crypto.reload_keyring()
        _readable(a, b)
    new = AuditEvent.objects.get(action="keys.new")
    assert new.object_id == "k2" and "33" * 4 not in json.dumps(new.after)


def test_new_with_environment_keys_prints_the_value_to_deploy(db):
    out = _run("new")
    line = next(x for x in out.splitlines() if x.startswith("JIJIAN_DATA_KEYS="))
    parsed = crypto.parse_data_keys("X", line.split("=", 1)[1])
    assert [kid for kid, _ in parsed] == ["k2", "k1"]
    assert parsed[1][1] == bytes.fromhex("11" * 16)
    assert crypto.keyring().primary_id == "k1"  # the environment was not changed
    with pytest.raises(CommandError, match="已存在"):
        _run("new", "K1")


def test_rotate_upgrades_the_old_sm4g1_format(two_people):
    a, _ = two_people
    ring = crypto.keyring()
    blob = crypto.sm4_gcm_encrypt(ring.key("k1"), b"13500005555", aad=b"k1")
    legacy = "sm4g1$k1$" + __import__("base64").b64encode(blob).decode()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_user SET phone = %s WHERE id = %s", [legacy, a.pk])
    assert User.objects.get(pk=a.pk).phone == "13500005555"
    status = keys.key_status()
    phone = next(fs for fs in status.fields if fs.label == "core.user.phone")
    assert phone.legacy["k1"] == 1 and status.pending == 1

    assert keys.key_rotate().total == 1
    assert User.objects.get(pk=a.pk).phone == "13500005555"
    assert all(v.startswith("sm4g2$k1$") for v in _raw_values())


def test_reindex_recomputes_blind_indexes_under_a_new_index_key(two_people):
    a, _ = two_people
    with override_settings(INDEX_KEY="44" * 16):
        crypto.reload_keyring()
        assert not User.objects.filter(id_number_index=crypto.blind_index(ID_A)).exists()
        out = _run("reindex")
        assert "core.user.id_number_index：更新 2 个" in out
        assert User.objects.get(id_number_index=crypto.blind_index(ID_A)).pk == a.pk
        assert User.objects.get(phone_index=crypto.blind_index("138 0000 1111")).pk == a.pk
        assert "共更新 0 个" in _run("reindex")


def test_status_discovers_encrypted_fields_of_all_models(db):
    labels = {keys._label(m, f) for m, f in keys.encrypted_fields()}
    assert {"core.user.phone", "core.user.id_number"} <= labels


def test_retire_refuses_a_key_still_used_outside_the_encrypted_fields(db, monkeypatch):
    monkeypatch.setattr(keys, "_KEY_USERS", {})
    keys.register_key_user("files.evidence", lambda kid: 3 if kid == "k1" else 0)
    with override_settings(DATA_KEYS=f"{K2},{K1}"):
        crypto.reload_keyring()
        assert "files.evidence：k2=0，k1=3" in _run("status")
        with pytest.raises(CommandError, match="仍有 3 个值使用密钥 k1"):
            _run("retire", "k1")


def test_rotate_calls_the_reencryption_of_other_key_users(db, monkeypatch):
    monkeypatch.setattr(keys, "_KEY_USERS", {})
    stored = {"k1": 2}

    def rekey():
        moved = stored.pop("k1", 0)
        stored["k2"] = stored.get("k2", 0) + moved
        return moved

    keys.register_key_user("files.evidence", lambda kid: stored.get(kid, 0), rekey)
    with override_settings(DATA_KEYS=f"{K2},{K1}"):
        crypto.reload_keyring()
        assert "files.evidence：k2=0，k1=2\n" in _run("status")
        assert keys.key_rotate().rewritten["files.evidence"] == 2
        assert f"JIJIAN_DATA_KEYS={K2}\n" in _run("retire", "k1")
        assert stored == {"k2": 2}


def test_a_failing_reencryption_is_reported_not_hidden(db, monkeypatch):
    monkeypatch.setattr(keys, "_KEY_USERS", {})

    def broken():
        raise OSError("storage unreachable")

    keys.register_key_user("files.evidence", lambda kid: 1, broken)
    with pytest.raises(CommandError, match="1 处无法重新加密"):
        _run("rotate")
    assert AuditEvent.objects.get(action="keys.rotate").after["failed"] == 1


def test_attachment_evidence_keys_are_counted(db):
    assert "attachments.attachment.evidence_key_id" in keys.key_users()
    assert keys.key_users()["attachments.attachment.evidence_key_id"].count("k1") == 0


def test_a_standby_key_is_readable_everywhere_before_it_is_promoted(tree, tmp_path):
    path = tmp_path / "keys"
    with override_settings(DATA_KEYS="", KEY_FILE=path):
        crypto.reload_keyring()
        a = _person(tree, "erin", "13800001111", ID_A)
        out = _run("new", "--standby")
        assert "promote k2" in out
        assert crypto.keyring().key_ids == ("k1", "k2")  # still written with k1
        a.save()
        assert {crypto.key_id_of(v) for v in _raw_values()} == {"k1"}
        with pytest.raises(CommandError, match="已经是主密钥"):
            _run("promote", "k1")
        _run("promote", "k2")
        assert crypto.keyring().key_ids == ("k2", "k1")
        _run("rotate")
        assert {crypto.key_id_of(v) for v in _raw_values()} == {"k2"}
    assert AuditEvent.objects.filter(action="keys.promote", object_id="k2").exists()


def test_promote_with_environment_keys_prints_the_reordered_value(db):
    with override_settings(DATA_KEYS=f"{K1},{K2}"):
        crypto.reload_keyring()
        out = _run("promote", "k2")
        assert f"JIJIAN_DATA_KEYS={K2},{K1}\n" in out
        assert crypto.keyring().primary_id == "k1"
