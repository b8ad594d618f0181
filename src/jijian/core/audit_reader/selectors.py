from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from jijian.audit.models import AuditEvent

from .labels import action_codes_for, action_label, object_types_for


def event_filter(
    events: QuerySet[AuditEvent],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
) -> QuerySet[AuditEvent]:
    """Narrow an already scoped queryset (access.events_visible_to); `end` is exclusive. The event and
    the object kind are given by code or by (part of) their Chinese name (labels.py)."""
    if start:
        events = events.filter(created_at__gte=start)
    if end:
        events = events.filter(created_at__lt=end)
    if actor:
        events = events.filter(actor_name__icontains=actor.strip())
    if action:
        codes = action_codes_for(action)
        if codes is None:
            events = events.filter(action__startswith=action.strip())
        else:
            events = events.filter(action__in=codes)
    if object_type:
        kinds = object_types_for(object_type)
        if kinds is None:
            events = events.filter(object_type=object_type.strip())
        else:
            events = events.filter(object_type__in=kinds)
    if object_id:
        events = events.filter(object_id=object_id.strip())
    return events.order_by("-id")


def event_actions(events: QuerySet[AuditEvent]) -> list[str]:
    """The Chinese names of the events the trail holds, for the filter's suggestions."""
    codes = events.order_by("action").values_list("action", flat=True).distinct()[:200]
    return sorted({action_label(code) for code in codes})
