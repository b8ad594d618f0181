"""Home-page to-dos of primary responsibility (registered with jijian.core.todos from apps.ready).
Only the liaison's, for one organisation: an office's red periods are on its board, which costs too
much to compute on every home page at province scale."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from jijian.core.todos import register

from . import selectors, services
from .access import is_liaison, is_supervisor


@register
def periods_to_record(user) -> list[dict]:
    """A liaison: their organisation's periods that are red, and those due within three working days."""
    if not is_liaison(user) or is_supervisor(user):
        return []
    today = services.today()
    data = selectors.org_year(user, user.org_unit, today.year, today=today)
    url = reverse("responsibility:org", args=[user.org_unit_id])
    return [
        {
            "title": gettext("主体责任：已逾期未纪实的事项"),
            "url": url,
            "count": data["totals"].get("overdue", 0),
        },
        {"title": gettext("主体责任：即将逾期的事项"), "url": url, "count": data["totals"].get("yellow", 0)},
    ]
