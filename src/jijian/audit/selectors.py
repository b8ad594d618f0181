from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from .models import AuditEvent


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
    """Narrow an already scoped queryset (access.events_visible_to); `end` is exclusive."""
    if start:
        events = events.filter(created_at__gte=start)
    if end:
        events = events.filter(created_at__lt=end)
    if actor:
        events = events.filter(actor_name__icontains=actor.strip())
    if action:
        events = events.filter(action__startswith=action.strip())
    if object_type:
        events = events.filter(object_type=object_type.strip())
    if object_id:
        events = events.filter(object_id=object_id.strip())
    return events.order_by("-id")


def event_actions(events: QuerySet[AuditEvent]) -> list[str]:
    return list(events.order_by("action").values_list("action", flat=True).distinct()[:200])
