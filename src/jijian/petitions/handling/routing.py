"""分级负责、归口办理: which body handles a report, decided by who manages the accused.

Pure functions over loaded org units (no query), so the table is tested on its own
(tests/petitions/test_routing.py):

    about the receiving commission's own head  -> OWN_HEAD: straight to the next higher commission
    managed by the receiving commission        -> THIS_LEVEL: its supervision department, 案管室 informed
    managed by a commission above it           -> HIGHER: forwarded there within 5 working days, on
                                                  the restricted path (never in this level's register)
    managed by a commission below it           -> LOWER: forwarded; the lower body accepts or
                                                  transfers within 5 working days
    managed in another branch of the tree      -> HIGHER to the next higher commission (not
                                                  restricted), which routes it on

Commissions sit at the city, county-level units, management zones and townships; a village, a
department or a party organisation is managed by the commission above it."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from jijian.core.models import COUNTY_KINDS, TOWNSHIP_KINDS, CadreLevel, OrgKind, OrgUnit
from jijian.petitions.models import RouteKind

COMMISSION_KINDS = frozenset({OrgKind.CITY, OrgKind.MANAGEMENT_ZONE, *COUNTY_KINDS, *TOWNSHIP_KINDS})


def is_commission(unit: OrgUnit) -> bool:
    return unit.kind in COMMISSION_KINDS


def commission_of(unit: OrgUnit) -> OrgUnit:
    """The nearest commission at or above `unit` (a village's township, a department's city)."""
    node = unit
    while not is_commission(node):
        if node.parent is None:
            raise ValidationError("该单位不在纪检监察机关的管辖树中")
        node = node.parent
    return node


def higher_commission(unit: OrgUnit) -> OrgUnit | None:
    """The commission above `unit`'s commission, or None at the top of the tree."""
    own = commission_of(unit)
    return commission_of(own.parent) if own.parent is not None else None


def managing_commission(region: OrgUnit, accused_level: str) -> OrgUnit:
    """Who manages the accused (干部管理权限), from where they work and their rank: village cadres and
    ordinary staff by the township's committee, section-level cadres (乡科级) by the county-level
    commission, division-level (县处级) by the city. Staff can correct it at triage."""
    own = commission_of(region)
    chain = [own]
    node = own
    while node.parent is not None:
        node = commission_of(node.parent)
        chain.append(node)

    def first(kinds) -> OrgUnit:
        return next((u for u in chain if u.kind in kinds), chain[-1])

    if accused_level in (CadreLevel.VILLAGE, CadreLevel.STAFF):
        return own
    if accused_level == CadreLevel.DIVISION:
        return first({OrgKind.CITY})
    # Section level and "other / unknown": the county-level commission (or the zone, or the city).
    return first({*COUNTY_KINDS, OrgKind.MANAGEMENT_ZONE, OrgKind.CITY})


@dataclass(frozen=True)
class Route:
    kind: str
    target: OrgUnit  # the commission that will handle it (the receiving one for THIS_LEVEL)
    restricted: bool


def _is_ancestor(a: OrgUnit, b: OrgUnit) -> bool:
    """a is above b: a proper ancestor in the tree, or the management zone that oversees b (the
    same second dimension the jurisdiction rule follows: a zone sees the townships it manages)."""
    if a.pk == b.pk:
        return False
    return b.path.startswith(a.path) or (a.kind == OrgKind.MANAGEMENT_ZONE and b.zone_id == a.pk)


def route(*, receiving: OrgUnit, managing: OrgUnit, about_own_head: bool) -> Route:
    """The routing table. Raises ValidationError (Chinese) when the target lies outside the tree."""
    receiving = commission_of(receiving)
    managing = commission_of(managing)
    if about_own_head:
        higher = higher_commission(receiving)
        if higher is None:
            raise ValidationError(
                "反映本机关主要负责人的问题应报送上级纪委监委，上级机关不在本系统中，请按规定线下报送"
            )
        return Route(RouteKind.OWN_HEAD, higher, restricted=True)
    if managing.pk == receiving.pk:
        return Route(RouteKind.THIS_LEVEL, receiving, restricted=False)
    if _is_ancestor(managing, receiving):
        return Route(RouteKind.HIGHER, managing, restricted=True)
    if _is_ancestor(receiving, managing):
        return Route(RouteKind.LOWER, managing, restricted=False)
    higher = higher_commission(receiving)
    if higher is None:
        raise ValidationError("被反映人不属本机关及下级管理，且没有上级机关可报送")
    return Route(RouteKind.HIGHER, higher, restricted=False)
