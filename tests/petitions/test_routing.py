"""The routing table (分级负责、归口办理), exhaustively over the test tree:

随州市 (city) ─┬─ 随县 (county) ─┬─ 厉山镇 (township A) ─ 神农村, 凤凰村
               │                 └─ 高城镇 (township B) ─ 高城村
               ├─ 广水市 (other county) ─ 武胜关镇 (township C) ─ 桃源村
               ├─ 随州高新区 (zone)
               └─ 市教育局 (department) ─ 机关党委 (party org)
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jijian.core.models import CadreLevel, OrgKind
from jijian.core.services import org_unit_create
from jijian.petitions.handling.routing import commission_of, higher_commission, managing_commission, route
from jijian.petitions.models import RouteKind

pytestmark = pytest.mark.django_db


def test_commission_of_a_village_department_or_party_org(tree):
    assert commission_of(tree.village_a) == tree.township_a
    assert commission_of(tree.department) == tree.city
    assert commission_of(tree.party_org) == tree.city
    assert commission_of(tree.county) == tree.county


def test_higher_commission(tree):
    assert higher_commission(tree.township_a) == tree.county
    assert higher_commission(tree.village_a) == tree.county
    assert higher_commission(tree.county) == tree.city
    assert higher_commission(tree.city) is None


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (CadreLevel.VILLAGE, "township_a"),
        (CadreLevel.STAFF, "township_a"),
        (CadreLevel.SECTION, "county"),
        (CadreLevel.OTHER, "county"),
        (CadreLevel.DIVISION, "city"),
    ],
)
def test_managing_commission_by_rank(tree, level, expected):
    assert managing_commission(tree.village_a, level) == getattr(tree, expected)


# (receiving, managing, about_own_head) -> (kind, target, restricted)
TABLE = [
    # this level: its supervision department, 案管室 informed
    ("county", "county", False, RouteKind.THIS_LEVEL, "county", False),
    ("township_a", "township_a", False, RouteKind.THIS_LEVEL, "township_a", False),
    ("township_a", "village_a", False, RouteKind.THIS_LEVEL, "township_a", False),
    ("city", "city", False, RouteKind.THIS_LEVEL, "city", False),
    ("city", "department", False, RouteKind.THIS_LEVEL, "city", False),
    # higher level: forwarded there on the restricted path
    ("county", "city", False, RouteKind.HIGHER, "city", True),
    ("township_a", "county", False, RouteKind.HIGHER, "county", True),
    ("township_a", "city", False, RouteKind.HIGHER, "city", True),
    ("village_a", "department", False, RouteKind.HIGHER, "city", True),
    # about the receiving commission's own head: straight to the next higher one, whoever manages
    ("county", "county", True, RouteKind.OWN_HEAD, "city", True),
    ("county", "township_a", True, RouteKind.OWN_HEAD, "city", True),
    ("township_a", "township_a", True, RouteKind.OWN_HEAD, "county", True),
    ("township_c", "township_c", True, RouteKind.OWN_HEAD, "other_county", True),
    # lower level: forwarded; the lower body accepts or transfers within 5 working days
    ("city", "county", False, RouteKind.LOWER, "county", False),
    ("city", "township_a", False, RouteKind.LOWER, "township_a", False),
    ("county", "township_b", False, RouteKind.LOWER, "township_b", False),
    ("county", "village_a2", False, RouteKind.LOWER, "township_a", False),
    # another branch of the tree: up to the next higher commission, which routes it on (not restricted)
    ("county", "other_county", False, RouteKind.HIGHER, "city", False),
    ("county", "township_c", False, RouteKind.HIGHER, "city", False),
    ("township_a", "township_b", False, RouteKind.HIGHER, "county", False),
    ("township_a", "township_c", False, RouteKind.HIGHER, "county", False),
    ("township_c", "village_a", False, RouteKind.HIGHER, "other_county", False),
    # a management zone is above the townships it oversees (the jurisdiction rule's second dimension)
    ("zone", "township_b", False, RouteKind.LOWER, "township_b", False),
    ("zone", "village_b", False, RouteKind.LOWER, "township_b", False),
    ("township_b", "zone", False, RouteKind.HIGHER, "zone", True),
    ("zone", "township_a", False, RouteKind.HIGHER, "city", False),
]


@pytest.mark.parametrize(
    ("receiving", "managing", "own_head", "kind", "target", "restricted"),
    TABLE,
    ids=[f"{r}-{m}{'-own_head' if h else ''}" for r, m, h, *_ in TABLE],
)
def test_routing_table(tree, receiving, managing, own_head, kind, target, restricted):
    decided = route(
        receiving=getattr(tree, receiving), managing=getattr(tree, managing), about_own_head=own_head
    )
    assert (decided.kind, decided.target, decided.restricted) == (kind, getattr(tree, target), restricted)


def test_the_top_of_the_tree_cannot_send_its_own_head_up(tree):
    with pytest.raises(ValidationError) as refused:
        route(receiving=tree.city, managing=tree.city, about_own_head=True)
    assert "上级" in refused.value.messages[0]


def test_a_body_outside_the_tree_of_the_top_commission_is_refused(tree):
    """Another city (another root): the top commission has no higher body to send it to."""
    other_city = org_unit_create(
        actor=None, name="孝感市", kind=OrgKind.CITY, parent=None, code="420900", audit=False
    )
    with pytest.raises(ValidationError) as refused:
        route(receiving=tree.city, managing=other_city, about_own_head=False)
    assert "没有上级机关" in refused.value.messages[0]
    # From below, it goes up to the city first (which then refuses it as above).
    decided = route(receiving=tree.county, managing=other_city, about_own_head=False)
    assert (decided.kind, decided.target) == (RouteKind.HIGHER, tree.city)
