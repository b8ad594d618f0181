"""'This member's village' is decided by reports.selectors alone: the pages, the API and the services
ask it."""

import pytest

from jijian.reports import selectors

pytestmark = pytest.mark.django_db


def test_a_village_member_writes_for_their_own_village_only(tree, people):
    member = people.member_a
    assert selectors.member_village(member) == tree.village_a
    assert selectors.member_village_id(member) == tree.village_a.pk
    assert selectors.is_member_of_village(member, tree.village_a.pk)
    assert not selectors.is_member_of_village(member, tree.village_b.pk)
    assert not selectors.is_member_of_village(member, None)


def test_no_one_else_has_a_village(tree, people):
    for user in (people.township_a, people.county_officer, people.system_admin):
        assert selectors.member_village(user) is None and selectors.member_village_id(user) is None
        assert not selectors.is_member_of_village(user, user.org_unit_id)
