"""干部管理权限: which commission manages a cadre, from where they work and their rank (CadreLevel).

Shared by the platforms that route by it: petitions decides which commission handles a report
(petitions.handling.routing builds its routing table on these), video reception which office's
slots a petitioner may book. Pure functions over loaded org units (walking `parent`, no query of
their own), tested on constructed trees (tests/petitions/test_routing.py, tests/reception/test_routing.py).

Commissions sit at the city, county-level units, management zones and townships; a village, a
department or a party organisation is managed by the commission above it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from jijian.core.models import COUNTY_KINDS, TOWNSHIP_KINDS, CadreLevel, OrgKind, OrgUnit

COMMISSION_KINDS = frozenset({OrgKind.CITY, OrgKind.MANAGEMENT_ZONE, *COUNTY_KINDS, *TOWNSHIP_KINDS})


def is_commission(unit: OrgUnit) -> bool:
    return unit.kind in COMMISSION_KINDS


def commission_of(unit: OrgUnit) -> OrgUnit:
    """The nearest commission at or above `unit` (a village's township, a department's city)."""
    node = unit
    while not is_commission(node):
        if node.parent is None:
            raise ValidationError(gettext("该单位不在纪检监察机关的管辖树中"))
        node = node.parent
    return node


def higher_commission(unit: OrgUnit) -> OrgUnit | None:
    """The commission above `unit`'s commission, or None at the top of the tree."""
    own = commission_of(unit)
    return commission_of(own.parent) if own.parent is not None else None


def commission_chain(unit: OrgUnit) -> list[OrgUnit]:
    """`unit`'s commission and every commission above it, nearest first."""
    own = commission_of(unit)
    chain = [own]
    node = own
    while node.parent is not None:
        node = commission_of(node.parent)
        chain.append(node)
    return chain


def managing_commission(region: OrgUnit, accused_level: str) -> OrgUnit:
    """Who manages the accused (干部管理权限), from where they work and their rank: village cadres and
    ordinary staff by the township's committee, section-level cadres (乡科级) by the county-level
    commission, division-level (县处级) by the city. Staff can correct it at triage."""
    chain = commission_chain(region)

    def first(kinds) -> OrgUnit:
        return next((u for u in chain if u.kind in kinds), chain[-1])

    if accused_level in (CadreLevel.VILLAGE, CadreLevel.STAFF):
        return chain[0]
    if accused_level == CadreLevel.DIVISION:
        return first({OrgKind.CITY})
    # Section level and "other / unknown": the county-level commission (or the zone, or the city).
    return first({*COUNTY_KINDS, OrgKind.MANAGEMENT_ZONE, OrgKind.CITY})
