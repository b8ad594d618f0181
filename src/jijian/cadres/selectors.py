"""Reads of the cadres app beyond a scoped queryset: the task lists with their overdue state, the
counts the evaluation reads (core.links.guidance_task_counts), the history of a village's post."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .access import holdings_visible_to, tasks_visible_to
from .models import GuidanceTask, PostHolding

STATUS_FILTERS = {
    "open": Q(answered_at__isnull=True),
    "overdue": Q(answered_at__isnull=True),  # narrowed by date in task_list
    "answered": Q(answered_at__isnull=False),
}


TASK_STATUSES = {
    "done_late": (gettext_lazy("逾期办结"), "overdue"),
    "done": (gettext_lazy("按期办结"), "done"),
    "overdue": (gettext_lazy("逾期未办"), "overdue"),
    "open": (gettext_lazy("办理中"), ""),
}  # key: (what the reader reads, the badge's class)


def task_state(task: GuidanceTask, today: date) -> str:
    """The task's status key (TASK_STATUSES)."""
    if task.answered_on is not None:
        return "done_late" if task.answered_on > task.due_on else "done"
    return "overdue" if today > task.due_on else "open"


def task_status(task: GuidanceTask, today: date) -> str:
    """The task's status as the reader reads it."""
    return str(TASK_STATUSES[task_state(task, today)][0])


def task_badge(task: GuidanceTask, today: date) -> tuple[str, str]:
    """The status as shown in a list or on the task: (label, CSS class)."""
    label, css = TASK_STATUSES[task_state(task, today)]
    return str(label), css


def task_list(user, *, status: str = "", today: date | None = None) -> QuerySet[GuidanceTask]:
    """The user's tasks (a member's own, an officer's villages'), open ones first by deadline."""
    today = today or timezone.localdate()
    qs = tasks_visible_to(user)
    if status in STATUS_FILTERS:
        qs = qs.filter(STATUS_FILTERS[status])
    if status == "overdue":
        qs = qs.filter(due_on__lt=today)
    return qs.order_by("answered_at", "due_on", "-pk")


def overdue_count(user, *, today: date | None = None) -> int:
    """Open tasks past their deadline, as the member or the township sees them."""
    today = today or timezone.localdate()
    return tasks_visible_to(user).filter(answered_at__isnull=True, due_on__lt=today).count()


def guidance_task_counts(user_ids, year: int, *, today: date | None = None) -> dict[int, dict[str, int]]:
    """core.links.guidance_task_counts: per member, the tasks issued to them in `year` (by issue
    date): issued, answered, answered on time, overdue (answered late, or open past the deadline).
    One query for any number of members; members without a task are absent."""
    today = today or timezone.localdate()
    rows = (
        GuidanceTask.objects.filter(member_id__in=list(user_ids), issued_on__year=year)
        .values("member_id")
        .annotate(
            issued=Count("pk"),
            answered=Count("pk", filter=Q(answered_on__isnull=False)),
            on_time=Count("pk", filter=Q(answered_on__isnull=False, answered_on__lte=F("due_on"))),
            late=Count("pk", filter=Q(answered_on__isnull=False, answered_on__gt=F("due_on"))),
            open_overdue=Count("pk", filter=Q(answered_on__isnull=True, due_on__lt=today)),
        )
    )
    return {
        r["member_id"]: {
            "issued": r["issued"],
            "answered": r["answered"],
            "on_time": r["on_time"],
            "overdue": r["late"] + r["open_overdue"],
        }
        for r in rows
    }


def post_history(user, village) -> QuerySet[PostHolding]:
    """Who held the village's post when, newest first."""
    return holdings_visible_to(user).filter(village=village).order_by("-started_on")


def vacant_villages(user):
    """The villages of an officer's jurisdiction whose post nobody holds now."""
    from .access import villages_of

    held = PostHolding.objects.filter(ended_on__isnull=True).values("village_id")
    return villages_of(user).exclude(pk__in=held)


def current_holdings(user) -> QuerySet[PostHolding]:
    return holdings_visible_to(user).filter(ended_on__isnull=True).order_by("village__path")
