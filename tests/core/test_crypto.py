"""SM3, SM4, SM4-GCM and HMAC-SM3 from pyca `cryptography`: known answers, tamper detection, the keyring."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.test import override_settings

from jijian.core.ops.env import ImproperSetting
from jijian.core.sensitive import crypto

KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")


@pytest.fixture(autouse=True)
def _fresh_keyring():
    crypto.reload_keyring()
    yield
    crypto.reload_keyring()


def _sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def _hmac_by_hand(key: bytes, message: bytes) -> str:
    """RFC 2104 on SM3 (64-byte block), independent of cryptography's HMAC."""
    if len(key) > 64:
        key = _sm3(key)
    key = key.ljust(64, b"\0")
    inner = _sm3(bytes(b ^ 0x36 for b in key) + message)
    return _sm3(bytes(b ^ 0x5C for b in key) + inner).hex()


# --- known answers -------------------------------------------------------------------------------
def test_sm3_of_abc_is_the_gbt_32905_answer():
    assert crypto.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_sm3_of_the_64_byte_gbt_32905_example():
    assert crypto.sm3_hex(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm4_encrypts_the_gbt_32907_block():
    encryptor = Cipher(algorithms.SM4(KEY), modes.ECB()).encryptor()  # noqa: S305 - KAT
    assert (encryptor.update(KEY) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm4_gcm_matches_rfc_8998():
    blob = crypto.sm4_gcm_encrypt(KEY, crypto._GCM_PT, crypto._GCM_AAD, nonce=crypto._GCM_IV)
    assert blob[12:-16].hex().startswith("17f399f08c67d5ee19d0dc9969c4bb7d")
    assert blob[-16:].hex() == "83de3541e4c2b58177e065a9bf7b62ec"


@pytest.mark.parametrize(
    ("key", "message"),
    [(b"k" * 16, b"421381199001011234"), (b"", b""), (b"x" * 100, b"long key is hashed first")],
)
def test_hmac_sm3_equals_the_construction_done_by_hand(key, message):
    assert crypto.hmac_sm3_hex(key, message) == _hmac_by_hand(key, message)


def test_self_test_passes_on_this_library():
    crypto.self_test()


def test_self_test_fails_loudly_when_sm3_is_wrong(monkeypatch):
    monkeypatch.setattr(crypto, "sm3_hex", lambda data: "0" * 64)
    with pytest.raises(crypto.CryptoError, match="SM3"):
        crypto.self_test()


def test_self_test_fails_loudly_when_sm4_gcm_is_wrong(monkeypatch):
    real = crypto.sm4_gcm_encrypt

    def broken(key, plaintext, aad=b"", *, nonce=None):
        blob = bytearray(real(key, plaintext, aad, nonce=nonce))
        blob[13] ^= 1
        return bytes(blob)

    monkeypatch.setattr(crypto, "sm4_gcm_encrypt", broken)
    with pytest.raises(crypto.CryptoError, match="SM4-GCM"):
        crypto.self_test()


def test_self_test_fails_loudly_when_hmac_is_wrong(monkeypatch):
    monkeypatch.setattr(crypto, "hmac_sm3_hex", lambda key, data: "1" * 64)
    with pytest.raises(crypto.CryptoError, match="HMAC-SM3"):
        crypto.self_test()


def test_self_test_fails_when_gcm_ignores_associated_data(monkeypatch):
    real_decrypt = crypto.sm4_gcm_decrypt
    monkeypatch.setattr(
        crypto,
        "sm4_gcm_decrypt",
        lambda key, blob, aad=b"": (
            real_decrypt(key, blob, crypto._GCM_AAD) if blob.startswith(crypto._GCM_IV) else b"jijian"
        ),
    )
    with pytest.raises(crypto.CryptoError, match="associated data"):
        crypto.self_test()


# --- authenticated encryption --------------------------------------------------------------------
def test_gcm_detects_a_flipped_bit():
    blob = bytearray(crypto.sm4_gcm_encrypt(KEY, b"421381199001011234", b"ctx"))
    for position in (0, 12, len(blob) - 1):  # nonce, ciphertext, tag
        tampered = bytearray(blob)
        tampered[position] ^= 0x01
        with pytest.raises(crypto.CryptoError, match="authentication failed"):
            crypto.sm4_gcm_decrypt(KEY, bytes(tampered), b"ctx")


def test_gcm_refuses_a_wrong_key_and_short_input():
    blob = crypto.sm4_gcm_encrypt(KEY, b"secret")
    with pytest.raises(crypto.CryptoError):
        crypto.sm4_gcm_decrypt(b"\x00" * 16, blob)
    with pytest.raises(crypto.CryptoError, match="too short"):
        crypto.sm4_gcm_decrypt(KEY, blob[:20])


def test_encrypt_text_round_trip_and_nonce_is_fresh(db):
    one = crypto.encrypt_text("13800001111", context="core.user.phone")
    two = crypto.encrypt_text("13800001111", context="core.user.phone")
    assert one != two and one.startswith("sm4g2$k1$")
    assert crypto.decrypt_text(one, context="core.user.phone") == "13800001111"


def test_a_value_does_not_decrypt_in_another_column(db):
    token = crypto.encrypt_text("42138119900101123X", context="core.user.id_number")
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt_text(token, context="core.user.phone")


def test_a_value_under_another_key_does_not_decrypt(db):
    token = crypto.encrypt_text("x", context="c")
    other = crypto.Keyring((("k1", b"\x99" * 16),), b"\x22" * 16)
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt_text(token, context="c", ring=other)
    unknown = token.replace("$k1$", "$k7$")
    with pytest.raises(crypto.CryptoError, match="unknown key id 'k7'"):
        crypto.decrypt_text(unknown, context="c")


def test_the_old_sm4g1_format_is_still_read(db):
    ring = crypto.keyring()
    blob = crypto.sm4_gcm_encrypt(ring.key("k1"), b"13800001111", aad=b"k1")
    token = "sm4g1$k1$" + base64.b64encode(blob).decode()
    assert crypto.decrypt_text(token, context="anything") == "13800001111"
    assert not crypto.is_current(token)


@pytest.mark.parametrize("token", ["plain", "sm4g2$k1$!!notbase64", "sm4g9$k1$AAAA", "sm4g2$$AAAA"])
def test_garbage_is_not_decrypted(db, token):
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt_text(token)


# --- blind index ---------------------------------------------------------------------------------
def test_blind_index_normalises_case_spaces_and_hyphens(db):
    assert crypto.blind_index("42138119900101123x") == crypto.blind_index(" 42138119900101123X ")
    assert crypto.blind_index("138-0000 1111") == crypto.blind_index("13800001111")
    assert crypto.blind_index("13800001111") != crypto.blind_index("13800001112")


def test_blind_index_is_keyed_with_the_index_key_not_a_plain_hash(db):
    value = "42138119900101123X"
    assert crypto.blind_index(value) == _hmac_by_hand(b"\x22" * 16, value.encode())
    assert crypto.blind_index(value) != crypto.sm3_hex(value.encode())


# --- keyring -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    ["k1", "k1:zz", "k1:" + "11" * 8, "k-1:" + "11" * 16, "", "k1:" + "11" * 16 + ",K1:" + "22" * 16],
)
def test_malformed_data_keys_name_the_setting(db, raw):
    settings = override_settings(DATA_KEYS=raw or ",", INDEX_KEY="22" * 16)
    with settings, pytest.raises(ImproperSetting, match="JIJIAN_DATA_KEYS"):
        crypto.reload_keyring()


def test_a_malformed_index_key_names_its_setting(db):
    with override_settings(INDEX_KEY="abc"), pytest.raises(ImproperSetting, match="JIJIAN_INDEX_KEY"):
        crypto.reload_keyring()


def test_index_key_is_required_outside_tests(db):
    with (
        override_settings(TESTING=False, INDEX_KEY=""),
        pytest.raises(ImproperSetting, match="JIJIAN_INDEX_KEY"),
    ):
        crypto.reload_keyring()


def test_first_key_is_primary_and_others_are_kept_for_reading(db):
    with override_settings(DATA_KEYS="k2:" + "33" * 16 + ",k1:" + "11" * 16):
        ring = crypto.reload_keyring()
        assert ring.primary_id == "k2" and ring.key_ids == ("k2", "k1")
        assert crypto.encrypt_text("x").startswith("sm4g2$k2$")


def test_key_file_is_generated_outside_production_and_refused_missing_in_production(db, tmp_path):
    path = tmp_path / "sub" / "keys"
    with override_settings(DATA_KEYS="", KEY_FILE=path):
        ring = crypto.reload_keyring()
        assert ring.source == "file" and ring.primary_id == "k1"
        assert path.stat().st_mode & 0o777 == 0o600
    production = override_settings(DATA_KEYS="", KEY_FILE=tmp_path / "missing", PRODUCTION=True)
    with production, pytest.raises(ImproperSetting, match="JIJIAN_KEY_FILE"):
        crypto.reload_keyring()


def test_a_running_process_picks_up_a_changed_key_file(db, tmp_path):
    path = tmp_path / "keys"
    crypto.write_key_file(path, [("k1", "11" * 16)], "22" * 16)
    with override_settings(DATA_KEYS="", KEY_FILE=path):
        assert crypto.reload_keyring().primary_id == "k1"
        crypto.write_key_file(path, [("k2", "33" * 16), ("k1", "11" * 16)], "22" * 16)
        assert crypto.keyring().primary_id == "k2"  # no reload_keyring() call
        # a broken or vanished file does not take the keys away from a running process, and no new
        # keys are generated in its place
        path.write_text("{not json")
        assert crypto.keyring().primary_id == "k2"
        path.unlink()
        assert crypto.keyring().key("k1") == bytes.fromhex("11" * 16)
        assert not path.exists()
        path.write_text("{not json")
        with pytest.raises(ImproperSetting, match="JIJIAN_KEY_FILE"):
            crypto.reload_keyring()


def test_masks():
    assert crypto.mask_id_number("421381199001011234") == "4213**********1234"
    assert crypto.mask_phone("13800001111") == "138****1111"
    assert crypto.mask_text("张三丰") == "张**"
    assert crypto.mask_phone("") == "" and crypto.mask_id_number(None) == ""


def test_key_file_format_is_json_with_data_and_index(tmp_path):
    path = tmp_path / "keys"
    crypto.write_key_file(path, [("k1", "11" * 16)], "22" * 16)
    assert json.loads(path.read_text()) == {"data": [["k1", "11" * 16]], "index": "22" * 16}
