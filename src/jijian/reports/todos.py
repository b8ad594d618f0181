"""Home-page to-dos of the monthly reports (registered with jijian.core.todos from apps.ready)."""

from __future__ import annotations

from django.urls import reverse

from jijian.core.roles import Role
from jijian.core.todos import register

from . import services
from .access import reports_visible_to
from .models import ReportState
from .review import review_pending_count


@register
def member_reports_to_submit(user) -> list[dict]:
    """A village member: the month's report (or an earlier one) not yet submitted, and returned ones."""
    if not user.has_role(Role.VILLAGE_MEMBER):
        return []
    mine = reports_visible_to(user).filter(member=user, month__lte=services.month_start(services.today()))
    url = reverse("reports:my_reports")
    return [
        {
            "title": "本月履职月报待提交",
            "url": url,
            "count": mine.filter(state__in=(ReportState.NOT_STARTED, ReportState.DRAFT)).count(),
        },
        {"title": "被退回的月报", "url": url, "count": mine.filter(state=ReportState.RETURNED).count()},
    ]


@register
def reports_to_review(user) -> list[dict]:
    """A township committee: submitted reports waiting for review."""
    if not user.has_role(Role.TOWNSHIP_COMMITTEE):
        return []
    return [
        {"title": "待审核月报", "url": reverse("reports:review_queue"), "count": review_pending_count(user)}
    ]
