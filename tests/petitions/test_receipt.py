"""The receipt code: 20 CSPRNG digits, Argon2id with an instance-wide salt, lookups by hash."""

from __future__ import annotations

import pytest

from jijian.petitions.intake import receipt


def test_codes_are_twenty_random_digits():
    codes = {receipt.new_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == 20 and c.isdigit() for c in codes)
    assert receipt.DIGITS * 3.32 >= 64  # bits of entropy


def test_the_default_cost_is_argon2id_with_64_mib(settings):
    del settings.PETITION_RECEIPT_ARGON2
    time_cost, memory_kib, parallelism = receipt.cost()
    assert memory_kib >= 65536 and time_cost >= 1 and parallelism == 1


@pytest.mark.django_db
def test_equal_codes_give_equal_hashes_and_different_codes_different_ones():
    code = receipt.new_code()
    assert receipt.receipt_hash(code) == receipt.receipt_hash(code)
    assert receipt.receipt_hash(code) != receipt.receipt_hash(receipt.new_code())
    assert code not in receipt.receipt_hash(code)


def test_typed_codes_are_normalized():
    assert receipt.normalize("1234 5678-9012 3456 7890") == "12345678901234567890"
    assert receipt.normalize("1234") is None
    assert receipt.normalize("1234567890123456789a") is None
    assert receipt.display("12345678901234567890") == "1234 5678 9012 3456 7890"
