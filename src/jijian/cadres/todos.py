"""Home-page to-dos of the village members' corps (registered with jijian.core.todos from apps.ready): a
member's open and overdue guidance tasks (派单、点题), a township's overdue tasks of its villages, a county
office's nominations waiting for its decision. One COUNT each, through the app's access functions."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from jijian.core.todos import register

from . import access
from .models import NominationState


@register
def cadres_to_do(user) -> list[dict]:
    if not access.is_officer(user) and not access.is_member(user):
        return []
    tasks = reverse("cadres:task_list")
    today = timezone.localdate()
    # A task closed with its member's holding (closed_on) waits on nobody.
    open_tasks = access.tasks_visible_to(user).filter(answered_at__isnull=True, closed_on__isnull=True)
    items = []
    if access.is_member(user):
        items.append(
            {
                "title": gettext("待办理的派单点题任务"),
                "url": tasks + "?status=open",
                "count": open_tasks.count(),
            }
        )
    if access.is_member(user) or access.is_township(user):
        items.append(
            {
                "title": gettext("已逾期未办结的派单点题任务"),
                "url": tasks + "?status=overdue",
                "count": open_tasks.filter(due_on__lt=today).count(),
            }
        )
    if access.is_county(user):
        items.append(
            {
                "title": gettext("待审批的纪检委员提名"),
                "url": reverse("cadres:post_list") + "#pending",
                "count": access.nominations_visible_to(user).filter(state=NominationState.SUBMITTED).count(),
            }
        )
    return items
