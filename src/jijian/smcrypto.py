"""SM primitives (GB/T 39786) over pyca `cryptography`: SM3 hashes, HMAC-SM3, SM4-GCM.

The lowest module of the project: no Django, no settings, no keys. The audit trail (the bottom layer)
hashes its chain with it; core.sensitive.crypto builds keyrings, encrypted fields and blind indexes on it.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


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


def sm4_gcm_encrypt(key: bytes, plaintext: bytes, aad: bytes = b"", *, nonce: bytes | None = None) -> bytes:
    """nonce|ciphertext|tag. The nonce is random (96 bits) unless given (known-answer tests only)."""
    nonce = nonce if nonce is not None else os.urandom(12)
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
        raise CryptoError("authentication failed: wrong key, wrong column or altered ciphertext") from None
