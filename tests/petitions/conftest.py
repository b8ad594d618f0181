import pytest


@pytest.fixture(autouse=True)
def _cheap_work(settings):
    """A few bits of work and a light Argon2 keep the suite fast; test_receipt.py checks the real
    defaults. (The production cost is measured in receipt.py's docstring.)"""
    settings.PETITION_POW_BITS = 6
    settings.PETITION_RECEIPT_ARGON2 = (1, 1024, 1)
