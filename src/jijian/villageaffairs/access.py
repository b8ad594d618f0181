"""Who sees which 三重一大 decisions (module VILLAGE_AFFAIRS): those of the villages in the user's
jurisdiction — a village member their own village's, a township committee its villages', a county's
party conduct office its county's. Anything else is the same 404 as a missing decision.

Who writes: the village member of the decision's village records the village's rules, registers its
decisions and records their steps with presence and opinion (`can_record`); the township committee
over the village answers risk flags (`can_answer`). Others with the module read."""

from __future__ import annotations

from django.db.models import QuerySet

from jijian.core.access import get_or_404, scope
from jijian.core.models import VILLAGE_KINDS, OrgUnit
from jijian.core.roles import Module, Role

from .models import MajorDecision


def decisions_visible_to(user) -> QuerySet[MajorDecision]:
    return scope(
        MajorDecision.objects.select_related("village"),
        user,
        module=Module.VILLAGE_AFFAIRS,
        unit_field="village",
    )


def get_decision_for(user, pk) -> MajorDecision:
    return get_or_404(decisions_visible_to(user), pk)


def villages_visible_to(user) -> QuerySet[OrgUnit]:
    """The villages and communities of the user's jurisdiction, for the module."""
    return scope(
        OrgUnit.objects.filter(kind__in=VILLAGE_KINDS, is_active=True),
        user,
        module=Module.VILLAGE_AFFAIRS,
        unit_field=None,
    ).order_by("path")


def member_village(user) -> OrgUnit | None:
    """The village whose discipline member the user is (None for anyone else)."""
    if Role.VILLAGE_MEMBER in user.role_set and user.has_module(Module.VILLAGE_AFFAIRS):
        unit = user.org_unit
        return unit if unit.is_village else None
    return None


def can_record(user, decision: MajorDecision) -> bool:
    village = member_village(user)
    return village is not None and village.pk == decision.village_id


def can_answer(user) -> bool:
    """Township committees answer the flags of their villages (which villages: get_decision_for)."""
    return Role.TOWNSHIP_COMMITTEE in user.role_set and user.has_module(Module.VILLAGE_AFFAIRS)
