"""Receipt codes: the reporter's only credential (docs/domain.md §2, docs/petitions.md).

20 random decimal digits from `secrets` (log2(10^20) ≈ 66 bits), shown once on the confirmation page
and never written to a URL, cookie, log or row. The database keeps only Argon2id(code) under one
instance-wide salt derived from the blind-index key, so equal codes give equal hashes and a code can
be looked up (as GlobaLeaks ≤ 5.0.43 and SecureDrop do with a per-instance salt/pepper). Without the
key a stolen database gives no way to test guesses; with it, each guess still costs one Argon2id.

Cost: PETITION_RECEIPT_ARGON2 = (time_cost, memory_KiB, parallelism) (JIJIAN_PETITION_RECEIPT_ARGON2).
The default (1, 65536, 1) sits between two bounds: at least 50 ms of CPU per hash, what an attacker
must pay per guess, and no more than the portal can afford for 20 lookups per second on 2 cores.
bench/README.md ("Petitions": receipt_guess_cost, receipt_lookups) has the measurements.

Each report keeps the cost its hash was made with (`receipt_scheme`, scheme_id()). After the cost
changes, the earlier ones listed in PETITION_RECEIPT_ARGON2_PREVIOUS still open their reports: a code
that misses under the current cost is tried under each of them (one more Argon2id each, for right and
wrong codes alike) and, when found, re-hashed under the current cost. `jijian receipts` counts the
reports per cost, so the operator knows when a previous cost can be dropped from the list.

The salt comes from the blind-index key: changing that key (docs/keys.md) leaves every existing code
unfindable, since no hash can be recomputed without its code. The scheme names the salt too
(salt_id), so `jijian receipts` counts such reports instead of hiding them."""

from __future__ import annotations

import re
import secrets
from functools import lru_cache

from argon2.low_level import Type, hash_secret_raw
from django.conf import settings

from jijian.core.sensitive.crypto import hmac_sm3_hex, keyring, sm3_hex

DIGITS = 20
DEFAULT_COST = (1, 65536, 1)
_SALT_LABEL = b"jijian.petitions.receipt-salt.v1"  # a constant of stored hashes, not a module path


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


Cost = tuple[int, int, int]


def cost() -> Cost:
    return tuple(getattr(settings, "PETITION_RECEIPT_ARGON2", DEFAULT_COST))  # type: ignore[return-value]


def previous_costs() -> list[Cost]:
    """The earlier costs still accepted (settings.PETITION_RECEIPT_ARGON2_PREVIOUS), without the current."""
    current = cost()
    listed = [tuple(c) for c in getattr(settings, "PETITION_RECEIPT_ARGON2_PREVIOUS", [])]
    return [c for i, c in enumerate(listed) if c != current and c not in listed[:i]]  # type: ignore[misc]


def salt_id() -> str:
    """A short public name of the instance salt (8 hex of its SM3): hashes made before the index key
    changed carry another one, and no code can be found under them any more."""
    return sm3_hex(_salt(keyring().index_key))[:8]


def scheme_id(of: Cost | None = None) -> str:
    """How a hash was made, kept beside it: "argon2id:t,m,p:<salt_id>" (the current cost by default)."""
    time_cost, memory_kib, parallelism = of or cost()
    return f"argon2id:{time_cost},{memory_kib},{parallelism}:{salt_id()}"


def receipt_hash(code: str, of: Cost | None = None) -> str:
    """Argon2id of the code under the instance salt, with `of` (default: the current cost)."""
    time_cost, memory_kib, parallelism = of or cost()
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
