import pytest

from jijian.core.roles import Role
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def _cheap_work(settings):
    """A few bits of work and a light Argon2 keep the suite fast; test_receipt.py checks the real
    defaults. (The production cost is measured in receipt.py's docstring.)"""
    settings.PETITION_POW_BITS = 6
    settings.PETITION_RECEIPT_ARGON2 = (1, 1024, 1)


@pytest.fixture
def officers(tree):
    """Petition officers of the county and of the other county (module PETITIONS)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        county=make_user("po_county", tree.county, Role.PETITION_OFFICE),
        other=make_user("po_other", tree.other_county, Role.PETITION_OFFICE),
    )
