"""An offline proof of work against floods of submissions, with no external service.

The form page carries a challenge: a random id and the difficulty, signed (django.core.signing, with
a timestamp). static/petitions/pow.js finds a nonce such that SHA-256(challenge + nonce) starts with
`bits` zero bits (PETITION_POW_BITS, 18 by default: about 260,000 hashes, a second or two on a phone)
and sends it with the form. The server checks the signature, the age (< 10 minutes), the work, and
that the challenge has not been used before (the cache remembers used ids for longer than they live).
Hashcash-style, like GlobaLeaks' token (security-anchors.md §1.6)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache

SALT = "jijian.petitions.pow"
MAX_AGE_SECONDS = 600
DEFAULT_BITS = 18


class PowError(Exception):
    """The check failed; the message is Chinese and may be shown."""


def difficulty() -> int:
    return int(getattr(settings, "PETITION_POW_BITS", DEFAULT_BITS))


def challenge_issue() -> str:
    return signing.dumps({"id": secrets.token_hex(16), "bits": difficulty()}, salt=SALT, compress=False)


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        bits += 8 - byte.bit_length()
        break
    return bits


def solve(challenge: str, bits: int) -> str:
    """The reference solver (tests and the benchmark; browsers use pow.js)."""
    nonce = 0
    while leading_zero_bits(hashlib.sha256(f"{challenge}{nonce}".encode()).digest()) < bits:
        nonce += 1
    return str(nonce)


def challenge_verify(challenge: str, nonce: str) -> None:
    """Raise PowError unless `nonce` solves `challenge`; a solved challenge cannot be used again."""
    if not challenge or not nonce:
        raise PowError("防刷验证未完成：请在浏览器中启用 JavaScript 后重新提交")
    if len(nonce) > 32 or not nonce.isdigit():
        raise PowError("防刷验证未通过，请重新提交")
    try:
        payload = signing.loads(challenge, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise PowError("页面停留时间过长，防刷验证已过期，请重新提交") from None
    except signing.BadSignature:
        raise PowError("防刷验证未通过，请重新提交") from None
    bits = max(int(payload.get("bits", 0)), difficulty())
    digest = hashlib.sha256(f"{challenge}{nonce}".encode()).digest()
    if leading_zero_bits(digest) < bits:
        raise PowError("防刷验证未通过，请重新提交")
    if not cache.add(f"petitions:pow:{payload['id']}", 1, timeout=MAX_AGE_SECONDS + 60):
        raise PowError("该页面已提交过，请重新填写提交")
