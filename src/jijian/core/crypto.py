"""National cryptography (GB/T 39786): SM3 hashes, SM4-GCM encryption and HMAC-SM3 blind indexes, from
pyca `cryptography`. One small interface; known-answer self-tests run at start-up (CoreConfig.ready).

SM2 signatures are deliberately absent: they belong on a certified device (see Signer below and
docs/security.md). Do not replace this with the pure-Python `gmssl` package, whose SM2 nonces come
from a non-secure random generator.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PREFIX = "sm4g1"  # version tag of the stored format: sm4g1$<kid>$<base64(nonce|ciphertext|tag)>


class CryptoError(Exception):
    pass


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def hmac_sm3_hex(key: bytes, data: bytes) -> str:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def sm4_gcm_encrypt(key: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + ciphertext + encryptor.tag


def sm4_gcm_decrypt(key: bytes, blob: bytes, aad: bytes = b"") -> bytes:
    if len(blob) < 28:
        raise CryptoError("ciphertext too short")
    nonce, ciphertext, tag = blob[:12], blob[12:-16], blob[-16:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    try:
        return decryptor.update(ciphertext) + decryptor.finalize()
    except InvalidTag:
        raise CryptoError("authentication failed: wrong key or altered ciphertext") from None


@dataclass(frozen=True)
class Keyring:
    """Data keys by id, the first one current; and the blind-index key (never rotated with them)."""

    data_keys: tuple[tuple[str, bytes], ...]
    index_key: bytes

    @property
    def primary_id(self) -> str:
        return self.data_keys[0][0]

    def key(self, kid: str) -> bytes:
        for known, key in self.data_keys:
            if known == kid:
                return key
        raise CryptoError(f"unknown key id {kid!r}: add it to JIJIAN_DATA_KEYS / the key file")


def _hex_key(name: str, raw: str) -> bytes:
    from jijian.config.env import ImproperSetting

    try:
        key = binascii.unhexlify(raw.strip())
    except (binascii.Error, ValueError):
        raise ImproperSetting(name, "密钥必须是 32 位十六进制 (a 128-bit key in hex)") from None
    if len(key) != 16:
        raise ImproperSetting(name, "SM4 密钥长度必须为 128 位 (32 个十六进制字符)")
    return key


def parse_data_keys(name: str, raw: str) -> tuple[tuple[str, bytes], ...]:
    from jijian.config.env import ImproperSetting

    pairs = []
    for item in raw.split(","):
        if not item.strip():
            continue
        if ":" not in item:
            raise ImproperSetting(name, "格式应为 kid:hex,kid:hex (first is current)")
        kid, hexkey = item.split(":", 1)
        kid = kid.strip()
        if not kid.isalnum():
            raise ImproperSetting(name, f"密钥编号 {kid!r} 只能包含字母和数字")
        pairs.append((kid, _hex_key(name, hexkey)))
    if not pairs:
        raise ImproperSetting(name, "至少需要一个密钥")
    if len({kid for kid, _ in pairs}) != len(pairs):
        raise ImproperSetting(name, "密钥编号重复")
    return tuple(pairs)


def new_key_hex() -> str:
    return secrets.token_hex(16)


def write_key_file(path: Path, data_keys: list[tuple[str, str]], index_key: str) -> None:
    payload = json.dumps({"data": [list(p) for p in data_keys], "index": index_key}, indent=1)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(payload)
    os.replace(tmp, path)


def read_key_file(path: Path) -> tuple[list[tuple[str, str]], str]:
    from jijian.config.env import ImproperSetting

    try:
        payload = json.loads(path.read_text())
        return [(str(k), str(v)) for k, v in payload["data"]], str(payload["index"])
    except (OSError, ValueError, KeyError, TypeError):
        raise ImproperSetting("JIJIAN_KEY_FILE", f"无法读取密钥文件 {path}") from None


@lru_cache(maxsize=1)
def keyring() -> Keyring:
    """The keyring from the environment (JIJIAN_DATA_KEYS + JIJIAN_INDEX_KEY) or the key file.
    In the embedded default a key file is generated once in the data directory."""
    from django.conf import settings

    from jijian.config.env import ImproperSetting

    if settings.DATA_KEYS:
        data = parse_data_keys("JIJIAN_DATA_KEYS", settings.DATA_KEYS)
        if not settings.INDEX_KEY:
            if settings.TESTING:
                return Keyring(data, b"\x22" * 16)
            raise ImproperSetting("JIJIAN_INDEX_KEY", "设置 JIJIAN_DATA_KEYS 时必须同时设置盲索引密钥")
        return Keyring(data, _hex_key("JIJIAN_INDEX_KEY", settings.INDEX_KEY))
    path: Path = settings.KEY_FILE
    if not path.exists():
        if settings.PRODUCTION:
            raise ImproperSetting("JIJIAN_KEY_FILE", f"密钥文件 {path} 不存在")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_key_file(path, [("k1", new_key_hex())], new_key_hex())
    pairs, index_hex = read_key_file(path)
    raw = ",".join(f"{k}:{v}" for k, v in pairs)
    return Keyring(parse_data_keys("JIJIAN_KEY_FILE", raw), _hex_key("JIJIAN_KEY_FILE", index_hex))


def encrypt_text(plaintext: str, *, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    kid = ring.primary_id
    blob = sm4_gcm_encrypt(ring.key(kid), plaintext.encode(), aad=kid.encode())
    return f"{PREFIX}${kid}${base64.b64encode(blob).decode()}"


def key_id_of(token: str) -> str | None:
    parts = token.split("$")
    return parts[1] if len(parts) == 3 and parts[0] == PREFIX else None


def decrypt_text(token: str, *, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    parts = token.split("$")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise CryptoError("not an encrypted value")
    kid = parts[1]
    try:
        blob = base64.b64decode(parts[2], validate=True)
    except binascii.Error:
        raise CryptoError("corrupt ciphertext") from None
    return sm4_gcm_decrypt(ring.key(kid), blob, aad=kid.encode()).decode()


def blind_index(value: str, *, ring: Keyring | None = None) -> str:
    """Keyed SM3 of the normalised value: exact lookup without decrypting every row."""
    ring = ring or keyring()
    return hmac_sm3_hex(ring.index_key, value.strip().upper().encode())


class Signer(Protocol):
    """SM2 signatures, to be provided by a certified cryptographic device (GM/T 0018 SDF interface).
    Nothing in jijian signs with SM2 yet; endorsements use SM3 digests recorded in the audit chain."""

    def sign(self, data: bytes) -> bytes: ...

    def verify(self, data: bytes, signature: bytes) -> bool: ...


# Known answers: SM3 from GB/T 32905-2016 appendix A; SM4 from GB/T 32907-2016 appendix A (one ECB
# block); HMAC-SM3 checked against an independent implementation.
_SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
_SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")
_SM4_CT = bytes.fromhex("681edf34d206965e86b3e94f536e4246")


def self_test() -> None:
    """Known-answer tests; raises CryptoError if the library gives a wrong answer."""
    if sm3_hex(b"abc") != _SM3_ABC:
        raise CryptoError("SM3 known-answer test failed")
    encryptor = Cipher(algorithms.SM4(_SM4_KEY), modes.ECB()).encryptor()  # noqa: S305 - KAT only
    if encryptor.update(_SM4_KEY) + encryptor.finalize() != _SM4_CT:
        raise CryptoError("SM4 known-answer test failed")
    key = os.urandom(16)
    if sm4_gcm_decrypt(key, sm4_gcm_encrypt(key, b"jijian", b"a"), b"a") != b"jijian":
        raise CryptoError("SM4-GCM round trip failed")
    try:
        sm4_gcm_decrypt(key, sm4_gcm_encrypt(key, b"jijian", b"a"), b"b")
    except CryptoError:
        pass
    else:
        raise CryptoError("SM4-GCM accepted a wrong associated data")


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_text(value: str | None) -> str:
    if not value:
        return ""
    return value[0] + "*" * min(len(value) - 1, 6)
