"""An offline proof of work against floods of submissions, with no external service.

The form page carries a challenge: a random id and the difficulty, signed (django.core.signing, with
a timestamp). static/petitions/pow.js finds a nonce such that SHA-256(challenge + nonce) starts with
`bits` zero bits (PETITION_POW_BITS, 18 by default: about 260,000 hashes, a second or two on a phone)
and sends it with the form. The server checks the signature, the age (< 10 minutes), the work, and
that the challenge has not been used before (the cache remembers used ids for longer than they live,
counted with the rate limiter's atomic counter, so of simultaneous posts of one solved challenge
exactly one is accepted on every cache backend).
Hashcash-style, like GlobaLeaks' token.

When the work passed but the form had an error (an ID check digit, a missing field), the form comes
back with a *solved token* instead of a new challenge (solved_issue): signed, once-only and as
short-lived as a challenge, it stands for the work already done, so the reporter does not wait
again. Each post spends what it carried; the next re-rendered form gets a fresh one."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext

from jijian.core.ops.ratelimit import increment

SALT = "jijian.petitions.pow"  # a constant of the proof of work, not a module path
SOLVED_SALT = "jijian.petitions.pow.solved"
MAX_AGE_SECONDS = 600
DEFAULT_BITS = 18
DEFAULT_LOOKUP_BITS = 20
SUBMIT, LOOKUP = "submit", "lookup"


class PowError(Exception):
    """The check failed; the message is Chinese and may be shown."""


def difficulty() -> int:
    return int(getattr(settings, "PETITION_POW_BITS", DEFAULT_BITS))


def lookup_difficulty() -> int:
    """The work a receipt lookup needs while the site-wide brake is on (throttle.py)."""
    return int(getattr(settings, "PETITION_FOLLOW_BRAKE_POW_BITS", DEFAULT_LOOKUP_BITS))


def challenge_issue(*, purpose: str = SUBMIT, bits: int | None = None) -> str:
    """A signed challenge for `purpose` (a submission, or a lookup under the brake) at `bits`
    (the submission difficulty unless given)."""
    bits = difficulty() if bits is None else bits
    return signing.dumps(
        {"id": secrets.token_hex(16), "bits": bits, "for": purpose}, salt=SALT, compress=False
    )


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


def challenge_verify(challenge: str, nonce: str, *, purpose: str = SUBMIT, bits: int | None = None) -> None:
    """Raise PowError unless `nonce` solves a challenge issued for `purpose` with at least `bits` (the
    submission difficulty unless given); a solved challenge cannot be used again."""
    if not challenge or not nonce:
        raise PowError(gettext("防刷验证未完成：请在浏览器中启用 JavaScript 后重新提交"))
    if len(nonce) > 32 or not nonce.isdigit():
        raise PowError(gettext("防刷验证未通过，请重新提交"))
    try:
        payload = signing.loads(challenge, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise PowError(gettext("页面停留时间过长，防刷验证已过期，请重新提交")) from None
    except signing.BadSignature:
        raise PowError(gettext("防刷验证未通过，请重新提交")) from None
    if payload.get("for", SUBMIT) != purpose:
        raise PowError(gettext("防刷验证未通过，请重新提交"))
    bits = max(int(payload.get("bits", 0)), difficulty() if bits is None else bits)
    digest = hashlib.sha256(f"{challenge}{nonce}".encode()).digest()
    if leading_zero_bits(digest) < bits:
        raise PowError(gettext("防刷验证未通过，请重新提交"))
    _spend(payload["id"])


def _spend(token_id: str) -> None:
    """Use `token_id` once. cache.add() would not do: the file cache of the embedded default checks
    and writes in two steps, so simultaneous adds of one key all succeeded. The rate limiter's
    counter is atomic on every backend (ratelimit.counting): only the first use counts 1."""
    if increment(f"petitions:pow:{token_id}", MAX_AGE_SECONDS + 60) != 1:
        raise PowError(gettext("该页面已提交过，请重新填写提交"))


def solved_issue() -> str:
    """A token for a form re-rendered after the work passed (see the module's docstring)."""
    return signing.dumps({"id": secrets.token_hex(16)}, salt=SOLVED_SALT, compress=False)


def solved_verify(token: str) -> None:
    """Raise PowError unless `token` is a solved token, still valid and not used before."""
    try:
        payload = signing.loads(token, salt=SOLVED_SALT, max_age=MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise PowError(gettext("页面停留时间过长，防刷验证已过期，请重新提交")) from None
    except signing.BadSignature:
        raise PowError(gettext("防刷验证未通过，请重新提交")) from None
    _spend(f"solved:{payload['id']}")


def verify_post(post) -> None:
    """The proof a form post carries: a solved token, or a challenge with its nonce."""
    if post.get("pow_solved"):
        solved_verify(post["pow_solved"])
    else:
        challenge_verify(post.get("pow_challenge", ""), post.get("pow_nonce", ""))
