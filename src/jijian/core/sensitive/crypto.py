"""National cryptography (GB/T 39786): SM3 hashes, SM4-GCM encryption and HMAC-SM3 blind indexes, from
pyca `cryptography`. One small interface; known-answer self-tests run at start-up (CoreConfig.ready).

Stored format of an encrypted value (docs/keys.md):

    sm4g2$<kid>$<base64(nonce 12 | ciphertext | tag 16)>

with the associated data "sm4g2|<kid>|<context>", where the context names the column the value belongs
to ("core.user.id_number"): a ciphertext copied into another column does not decrypt there. The first
format, sm4g1 (associated data: the key id only), is still read; `jijian keys rotate` rewrites it.

SM2 signatures are deliberately absent: they belong on a certified device (see Signer below and
docs/security.md). Do not replace this with the pure-Python `gmssl` package, whose SM2 nonces come
from a non-secure random generator.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from jijian.core.ops.env import ImproperSetting

# The primitives live below the audit trail (jijian.smcrypto); core's users take them from here.
from jijian.smcrypto import CryptoError as CryptoError
from jijian.smcrypto import hmac_sm3_hex as hmac_sm3_hex
from jijian.smcrypto import sm3_hex as sm3_hex
from jijian.smcrypto import sm4_gcm_decrypt as sm4_gcm_decrypt
from jijian.smcrypto import sm4_gcm_encrypt as sm4_gcm_encrypt

log = logging.getLogger(__name__)

PREFIX = "sm4g2"  # the format written now
PREFIX_V1 = "sm4g1"  # still read: associated data is the key id only, not bound to a column
PREFIXES = (PREFIX, PREFIX_V1)


# --- keys ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Keyring:
    """Data keys by id, the first one primary (new values are encrypted under it, older ones are only
    read); and the blind-index key, which `keys rotate` does not change (docs/keys.md)."""

    data_keys: tuple[tuple[str, bytes], ...]
    index_key: bytes
    source: str = "env"  # "env" (JIJIAN_DATA_KEYS) or "file" (JIJIAN_KEY_FILE)

    @property
    def primary_id(self) -> str:
        return self.data_keys[0][0]

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(kid for kid, _ in self.data_keys)

    def key(self, kid: str) -> bytes:
        for known, key in self.data_keys:
            if known == kid:
                return key
        raise CryptoError(f"unknown key id {kid!r}: add it to JIJIAN_DATA_KEYS / the key file")


def _hex_key(name: str, raw: str) -> bytes:

    try:
        key = binascii.unhexlify(raw.strip())
    except (binascii.Error, ValueError):
        raise ImproperSetting(name, "密钥必须是 32 位十六进制 (a 128-bit key in hex)") from None
    if len(key) != 16:
        raise ImproperSetting(name, "SM4 密钥长度必须为 128 位 (32 个十六进制字符)")
    return key


def parse_data_keys(name: str, raw: str) -> tuple[tuple[str, bytes], ...]:
    """Parse "kid:hex,kid:hex", the first primary. Key ids: letters and digits, at most 16."""

    pairs = []
    for item in raw.split(","):
        if not item.strip():
            continue
        if ":" not in item:
            raise ImproperSetting(name, "格式应为 kid:hex,kid:hex (first is current)")
        kid, hexkey = item.split(":", 1)
        kid = kid.strip()
        if not kid.isascii() or not kid.isalnum() or len(kid) > 16:
            raise ImproperSetting(name, f"密钥编号 {kid!r} 只能包含字母和数字（最多 16 个）")
        pairs.append((kid, _hex_key(name, hexkey)))
    if not pairs:
        raise ImproperSetting(name, "至少需要一个密钥")
    # Case-insensitively distinct: some databases compare text without case.
    if len({kid.lower() for kid, _ in pairs}) != len(pairs):
        raise ImproperSetting(name, "密钥编号重复")
    return tuple(pairs)


def format_data_keys(pairs: list[tuple[str, str]]) -> str:
    """The JIJIAN_DATA_KEYS value for (kid, hex) pairs, primary first."""
    return ",".join(f"{kid}:{hexkey}" for kid, hexkey in pairs)


def new_key_hex() -> str:
    return secrets.token_hex(16)


def next_key_id(existing: tuple[str, ...] | list[str]) -> str:
    """k1, k2, ...: one more than the highest "k<n>" in use."""
    numbers = [int(kid[1:]) for kid in existing if kid[:1].lower() == "k" and kid[1:].isdigit()]
    return f"k{max(numbers, default=0) + 1}"


def write_key_file(path: Path, data_keys: list[tuple[str, str]], index_key: str) -> None:
    """Write atomically (a running process never reads half a file), readable by the owner only."""
    payload = json.dumps({"data": [list(p) for p in data_keys], "index": index_key}, indent=1)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(payload)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_key_file(path: Path) -> tuple[list[tuple[str, str]], str]:

    try:
        payload = json.loads(path.read_text())
        return [(str(k), str(v)) for k, v in payload["data"]], str(payload["index"])
    except (OSError, ValueError, KeyError, TypeError):
        raise ImproperSetting("JIJIAN_KEY_FILE", f"无法读取密钥文件 {path}") from None


def _load_keyring(*, may_generate: bool = True) -> Keyring:
    from django.conf import settings

    if settings.DATA_KEYS:
        data = parse_data_keys("JIJIAN_DATA_KEYS", settings.DATA_KEYS)
        if not settings.INDEX_KEY:
            if getattr(settings, "TESTING", False):
                return Keyring(data, b"\x22" * 16, "env")
            raise ImproperSetting("JIJIAN_INDEX_KEY", "设置 JIJIAN_DATA_KEYS 时必须同时设置盲索引密钥")
        return Keyring(data, _hex_key("JIJIAN_INDEX_KEY", settings.INDEX_KEY), "env")
    path = Path(settings.KEY_FILE)
    if not path.exists():
        if getattr(settings, "PRODUCTION", False) or not may_generate:
            raise ImproperSetting("JIJIAN_KEY_FILE", f"密钥文件 {path} 不存在")
        # Embedded default: a key file is generated once in the data directory, for a database that
        # holds nothing under keys yet. Data restored (or left) without its key file is never given
        # new keys: its values and blind indexes would stay unreadable under them.
        in_data = _key_ids_in_data()
        if in_data:
            raise ImproperSetting(
                "JIJIAN_KEY_FILE",
                f"密钥文件 {path} 不存在，而数据库中的数据需要密钥 {'、'.join(sorted(in_data))}："
                "不会为已有数据生成新密钥，请从密钥托管处放回原密钥文件（见 docs/keys.md）",
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        write_key_file(path, [("k1", new_key_hex())], new_key_hex())
    pairs, index_hex = read_key_file(path)
    data = parse_data_keys("JIJIAN_KEY_FILE", format_data_keys(pairs))
    return Keyring(data, _hex_key("JIJIAN_KEY_FILE", index_hex), "file")


def _key_ids_in_data() -> set[str]:
    """The key ids stored values use; empty when the database cannot be read yet (before `migrate`)."""
    from django.core.exceptions import AppRegistryNotReady, SynchronousOnlyOperation
    from django.db import DatabaseError

    try:
        from jijian.core.sensitive.keys import key_ids_in_data

        return key_ids_in_data()
    except (DatabaseError, AppRegistryNotReady, SynchronousOnlyOperation):
        return set()


def keyring_if_present() -> Keyring | None:
    """The keyring from the environment or the key file, loaded afresh, or None when there is no key
    file: never generates one (restore checks the data against the keys it was given)."""
    try:
        return _load_keyring(may_generate=False)
    except SystemExit:
        return None


_lock = threading.Lock()
_cached: tuple[tuple, Keyring] | None = None


def _source_stamp() -> tuple:
    from django.conf import settings

    stamp: tuple = (settings.DATA_KEYS, settings.INDEX_KEY, str(settings.KEY_FILE))
    if not settings.DATA_KEYS:
        try:
            st = os.stat(settings.KEY_FILE)
            stamp += (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            stamp += (None,)
    return stamp


def keyring() -> Keyring:
    """The keyring from the environment (JIJIAN_DATA_KEYS + JIJIAN_INDEX_KEY) or the key file.

    Cached, and reloaded when its source changes: a changed key file (`jijian keys new` / `retire`, or
    a new file rolled out by the operator) is picked up by a running process without a restart;
    environment keys need a (rolling) restart. If a changed key file cannot be read, a process that
    already has a keyring keeps it and logs the error rather than failing every request."""
    global _cached
    stamp = _source_stamp()
    cached = _cached
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        if _cached is not None and _cached[0] == stamp:
            return _cached[1]
        # Same key file as the cached keyring: never generate a new one (a key file that vanished
        # under a running process must not be replaced by fresh keys under the same ids).
        same_file = _cached is not None and not stamp[0] and _cached[0][:3] == stamp[:3]
        try:
            ring = _load_keyring(may_generate=not same_file)
        except SystemExit:
            if not same_file:
                raise  # first load, or environment keys: stop loudly
            assert _cached is not None  # same_file implies a cached keyring (held under _lock)
            log.exception("key file %s changed but cannot be loaded; keeping the previous keyring", stamp[2])
            _cached = (stamp, _cached[1])  # logged once per change of the file, not on every value
            return _cached[1]
        # The stamp taken before loading: a file written meanwhile is loaded again on the next call.
        _cached = (stamp, ring)
        return ring


def forget_keyring() -> None:
    """Forget the cached keyring: the next use loads it afresh (tests)."""
    global _cached
    with _lock:
        _cached = None


def reload_keyring() -> Keyring:
    """Forget the cached keyring and load it again (tests, `jijian keys`)."""
    forget_keyring()
    return keyring()


# --- encrypted values ----------------------------------------------------------------------------
def _aad(version: str, kid: str, context: str) -> bytes:
    if version == PREFIX_V1:
        return kid.encode()
    return f"{PREFIX}|{kid}|{context}".encode()


def encrypt_text(plaintext: str, *, context: str = "", ring: Keyring | None = None) -> str:
    """Encrypt under the primary key, bound to `context` (the column, e.g. "core.user.phone")."""
    ring = ring or keyring()
    kid = ring.primary_id
    blob = sm4_gcm_encrypt(ring.key(kid), plaintext.encode(), aad=_aad(PREFIX, kid, context))
    return f"{PREFIX}${kid}${base64.b64encode(blob).decode()}"


def parse_token(token: str) -> tuple[str, str, str] | None:
    """(format, key id, base64 payload) of a stored value, or None if it is not one."""
    parts = token.split("$")
    if len(parts) != 3 or parts[0] not in PREFIXES or not parts[1]:
        return None
    return parts[0], parts[1], parts[2]


def is_encrypted(token: object) -> bool:
    return isinstance(token, str) and parse_token(token) is not None


def key_id_of(token: str) -> str | None:
    parsed = parse_token(token)
    return parsed[1] if parsed else None


def is_current(token: str, *, ring: Keyring | None = None) -> bool:
    """True when the value is in the current format under the primary key (nothing to rotate)."""
    ring = ring or keyring()
    parsed = parse_token(token)
    return parsed is not None and parsed[0] == PREFIX and parsed[1] == ring.primary_id


def decrypt_text(token: str, *, context: str = "", ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    parsed = parse_token(token)
    if parsed is None:
        raise CryptoError("not an encrypted value")
    version, kid, payload = parsed
    try:
        blob = base64.b64decode(payload, validate=True)
    except binascii.Error:
        raise CryptoError("corrupt ciphertext") from None
    return sm4_gcm_decrypt(ring.key(kid), blob, aad=_aad(version, kid, context)).decode()


# --- blind index ---------------------------------------------------------------------------------
def normalise_for_index(value: str) -> str:
    """The form of a value that the blind index hashes: no surrounding or inner spaces or hyphens,
    upper case (an ID number's check character x/X; "138 0000 0000" = "13800000000")."""
    return "".join(value.split()).replace("-", "").upper()


def blind_index(value: str, *, ring: Keyring | None = None) -> str:
    """Keyed SM3 (HMAC-SM3) of the normalised value: exact lookup without decrypting every row.
    The key is the blind-index key, separate from the data keys; without it the index cannot be
    recomputed from guesses (an ID number has little entropy)."""
    ring = ring or keyring()
    return hmac_sm3_hex(ring.index_key, normalise_for_index(value).encode())


INDEX_FINGERPRINT_LABEL = b"jijian.core.index-key-fingerprint.v1"


def index_key_fingerprint(*, ring: Keyring | None = None) -> str:
    """HMAC-SM3 of a fixed label under the blind-index key: stored with the data (core.KeyFingerprint)
    to tell whether the configured index key is the one the data was written with. It reveals nothing
    of the key (a keyed hash of a public label)."""
    ring = ring or keyring()
    return hmac_sm3_hex(ring.index_key, INDEX_FINGERPRINT_LABEL)


class Signer(Protocol):
    """SM2 signatures, to be provided by a certified cryptographic device (GM/T 0018 SDF interface).
    Nothing in jijian signs with SM2 yet; endorsements use SM3 digests recorded in the audit chain."""

    def sign(self, data: bytes) -> bytes: ...

    def verify(self, data: bytes, signature: bytes) -> bool: ...


# --- known-answer self-tests ---------------------------------------------------------------------
# SM3: GB/T 32905-2016 appendix A ("abc"). SM4: GB/T 32907-2016 appendix A (one ECB block).
# SM4-GCM: RFC 8998 appendix A.1. HMAC-SM3: RFC 2104 built by hand on SM3 (64-byte block), see
# tests/core/test_crypto.py which recomputes it.
_SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
_SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")
_SM4_CT = bytes.fromhex("681edf34d206965e86b3e94f536e4246")
_GCM_IV = bytes.fromhex("00001234567800000000abcd")
_GCM_AAD = bytes.fromhex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
_GCM_PT = bytes.fromhex(
    "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd"
    "eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa"
)
_GCM_CT = bytes.fromhex(
    "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735"
    "d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d"
)
_GCM_TAG = bytes.fromhex("83de3541e4c2b58177e065a9bf7b62ec")
_HMAC_KEY = b"jijian-hmac-kat-key"
_HMAC_MSG = b"421381199001011234"
_HMAC_MAC = "a42cefcf0dd42124ad42f917f94153f8c3fc565b8d8e9e84b3c0605f9196846a"


def self_test() -> None:
    """Known-answer tests; raises CryptoError naming the algorithm if the library gives a wrong answer
    (start-up then stops: nothing is served with broken cryptography)."""
    if sm3_hex(b"abc") != _SM3_ABC:
        raise CryptoError("SM3 known-answer test failed")
    encryptor = Cipher(algorithms.SM4(_SM4_KEY), modes.ECB()).encryptor()  # noqa: S305 - KAT only
    if encryptor.update(_SM4_KEY) + encryptor.finalize() != _SM4_CT:
        raise CryptoError("SM4 known-answer test failed")
    if sm4_gcm_encrypt(_SM4_KEY, _GCM_PT, _GCM_AAD, nonce=_GCM_IV) != _GCM_IV + _GCM_CT + _GCM_TAG:
        raise CryptoError("SM4-GCM known-answer test failed")
    if sm4_gcm_decrypt(_SM4_KEY, _GCM_IV + _GCM_CT + _GCM_TAG, _GCM_AAD) != _GCM_PT:
        raise CryptoError("SM4-GCM known-answer test failed (decrypt)")
    if hmac_sm3_hex(_HMAC_KEY, _HMAC_MSG) != _HMAC_MAC:
        raise CryptoError("HMAC-SM3 known-answer test failed")
    key = os.urandom(16)
    if sm4_gcm_decrypt(key, sm4_gcm_encrypt(key, b"jijian", b"a"), b"a") != b"jijian":
        raise CryptoError("SM4-GCM round trip failed")
    try:
        sm4_gcm_decrypt(key, sm4_gcm_encrypt(key, b"jijian", b"a"), b"b")
    except CryptoError:
        pass
    else:
        raise CryptoError("SM4-GCM accepted a wrong associated data")


# --- masked display ------------------------------------------------------------------------------
def mask_id_number(value: str | None) -> str:
    """4213**********1234"""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678"""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_text(value: str | None) -> str:
    """张** (a name, an address): the first character only."""
    if not value:
        return ""
    return value[0] + "*" * min(len(value) - 1, 6)
