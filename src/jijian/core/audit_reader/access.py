"""Who reads the audit trail: the audit administrator (module AUDIT), within their subtree — plus
events with no org unit (sign-in failures of unknown names) only for a city-level audit admin."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jijian.audit.models import AuditEvent
from jijian.core.access import get_or_404, unit_scope_q
from jijian.core.models import OrgKind, OrgUnit
from jijian.core.roles import Module


def events_visible_to(user) -> QuerySet[AuditEvent]:
    if not getattr(user, "is_authenticated", False) or not user.has_module(Module.AUDIT):
        return AuditEvent.objects.none()
    units = OrgUnit.objects.filter(unit_scope_q(user)).values("pk")
    q = Q(org_unit_id__in=units)
    if user.org_unit.kind == OrgKind.CITY:
        q |= Q(org_unit_id__isnull=True)
    return AuditEvent.objects.filter(q)


def get_event_for(user, pk) -> AuditEvent:
    return get_or_404(events_visible_to(user), pk)
