"""Receipt codes: the reporter's only credential (security-anchors.md §1.1).

20 random decimal digits from `secrets` (log2(10^20) ≈ 66 bits), shown once on the confirmation page
and never written to a URL, cookie, log or row. The database keeps only Argon2id(code) under one
instance-wide salt derived from the blind-index key, so equal codes give equal hashes and a code can
be looked up (as GlobaLeaks ≤ 5.0.43 and SecureDrop do with a per-instance salt/pepper). Without the
key a stolen database gives no way to test guesses; with it, each guess still costs one Argon2id.

Cost: PETITION_RECEIPT_ARGON2 = (time_cost, memory_KiB, parallelism). The default (1, 65536, 1) took
85 ms of CPU per hash on the 2-core development machine (measured with time.process_time): above the
50 ms an attacker must pay per guess, and about 20 lookups/s on 2 cores."""

from __future__ import annotations

import re
import secrets
from functools import lru_cache

from argon2.low_level import Type, hash_secret_raw
from django.conf import settings

from jijian.core.crypto import hmac_sm3_hex, keyring

DIGITS = 20
DEFAULT_COST = (1, 65536, 1)
_SALT_LABEL = b"jijian.petitions.receipt-salt.v1"


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(DIGITS))


def display(code: str) -> str:
    """Groups of four ("1234 5678 9012 3456 7890") are easier to copy by hand."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize(typed: str) -> str | None:
    """The digits of what the reporter typed (spaces and dashes dropped), or None when that is not
    a well-formed code (then no hash is computed at all)."""
    digits = re.sub(r"[\s\-]", "", typed or "")
    return digits if re.fullmatch(rf"\d{{{DIGITS}}}", digits) else None


@lru_cache(maxsize=4)
def _salt(index_key: bytes) -> bytes:
    return bytes.fromhex(hmac_sm3_hex(index_key, _SALT_LABEL))


def cost() -> tuple[int, int, int]:
    return tuple(getattr(settings, "PETITION_RECEIPT_ARGON2", DEFAULT_COST))  # type: ignore[return-value]


def receipt_hash(code: str) -> str:
    time_cost, memory_kib, parallelism = cost()
    raw = hash_secret_raw(
        code.encode("ascii"),
        _salt(keyring().index_key),
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=parallelism,
        hash_len=32,
        type=Type.ID,
    )
    return raw.hex()
