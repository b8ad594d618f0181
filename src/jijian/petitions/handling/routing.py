"""分级负责、归口办理: which body handles a report, decided by who manages the accused.

Pure functions over loaded org units (no query), so the table is tested on its own
(tests/petitions/test_routing.py); who manages the accused (managing_commission) is core's rule
(jijian.core.orgs.management), shared with video reception:

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
from django.utils.translation import gettext

from jijian.core.models import OrgKind, OrgUnit

# Who manages whom (干部管理权限) lives in core, where video reception routes bookings by the same rule.
from jijian.core.orgs.management import (
    COMMISSION_KINDS,
    commission_of,
    higher_commission,
    is_commission,
    managing_commission,
)
from jijian.petitions.models import RouteKind

__all__ = [
    "COMMISSION_KINDS",
    "Route",
    "commission_of",
    "higher_commission",
    "is_commission",
    "managing_commission",
    "route",
]


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
                gettext(
                    "反映本机关主要负责人的问题应报送上级纪委监委，上级机关不在本系统中，请按规定线下报送"
                )
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
        raise ValidationError(gettext("被反映人不属本机关及下级管理，且没有上级机关可报送"))
    return Route(RouteKind.HIGHER, higher, restricted=False)
