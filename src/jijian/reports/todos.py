"""Home-page to-dos of the monthly reports (registered with jijian.core.todos from apps.ready)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from jijian.core.roles import Role
from jijian.core.todos import register

from . import selectors, services, talks
from .access import reports_visible_to
from .models import ReportState
from .review import review_pending_count


@register
def member_reports_to_submit(user) -> list[dict]:
    """A village member: this month's report not yet submitted, earlier months not yet submitted
    (overdue or due soon: counted apart, never as this month's), and returned ones."""
    if selectors.member_kind_of(user) is None:
        return []
    this_month = services.month_start(services.today())
    mine = reports_visible_to(user).filter(member=user, month__lte=this_month)
    open_ = mine.filter(state__in=(ReportState.NOT_STARTED, ReportState.DRAFT))
    url = reverse("reports:my_reports")
    return [
        {"title": gettext("本月履职月报待提交"), "url": url, "count": open_.filter(month=this_month).count()},
        {"title": gettext("逾期未交的月报"), "url": url, "count": open_.filter(month__lt=this_month).count()},
        {
            "title": gettext("被退回的月报"),
            "url": url,
            "count": mine.filter(state=ReportState.RETURNED).count(),
        },
    ]


@register
def reports_to_review(user) -> list[dict]:
    """A township committee or a resident group: submitted reports waiting for review."""
    if not user.has_role(Role.TOWNSHIP_COMMITTEE) and not user.has_role(Role.RESIDENT_GROUP):
        return []
    return [
        {
            "title": gettext("待审核月报"),
            "url": reverse("reports:review_queue"),
            "count": review_pending_count(user),
        }
    ]


@register
def missing_report_talks_due(user) -> list[dict]:
    """The reviewer of members' reports: members with a reminder talk or an interview due this year
    for missing reports (reports.talks)."""
    if not user.has_role(Role.TOWNSHIP_COMMITTEE) and not user.has_role(Role.RESIDENT_GROUP):
        return []
    return [
        {
            "title": gettext("未报月报待谈话的委员"),
            "url": reverse("reports:review_talks"),
            "count": talks.talks_due_count(user),
        }
    ]
