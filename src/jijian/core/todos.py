"""To-do items on the home page. Each platform registers a provider: f(user) -> list of
{"title", "url", "count"}; the home page shows the non-empty ones for the signed-in user."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils.translation import gettext

Provider = Callable[..., list[dict]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    _providers.append(provider)
    return provider


def todos_for(user, *, with_empty: bool = False) -> list[dict]:
    """The user's to-dos with something waiting (with_empty: every item the providers give the user,
    waiting or not — what the tests open to prove each leads to a page the user may see)."""
    items: list[dict] = []
    for provider in _providers:
        items.extend(item for item in provider(user) if with_empty or item.get("count", 1))
    return items


@register
def unread_notifications(user) -> list[dict]:
    n = user.notifications.filter(read_at__isnull=True).count()
    return [{"title": gettext("未读通知"), "url": reverse("core:notification_list"), "count": n}]


@register
def accounts_to_activate(user) -> list[dict]:
    from .access import accounts_managed_by
    from .roles import Module, Role

    if not user.has_role(Role.SYSTEM_ADMIN):
        return []
    n = accounts_managed_by(user, module=Module.ACCOUNTS).filter(password__startswith="!").count()
    return [
        {
            "title": gettext("尚未设置初始密码的账号"),
            "url": reverse("core:account_list") + "?pending=1",
            "count": n,
        }
    ]


@register
def locked_accounts(user) -> list[dict]:
    from django.utils import timezone

    from .access import accounts_managed_by
    from .roles import Module, Role

    if not user.has_role(Role.SECURITY_ADMIN):
        return []
    n = accounts_managed_by(user, module=Module.SECURITY).filter(locked_until__gt=timezone.now()).count()
    return [
        {"title": gettext("被锁定的账号"), "url": reverse("core:security_list") + "?locked=1", "count": n}
    ]


@register
def calendar_next_year(user) -> list[dict]:
    """From November on, and while the year itself is provisional: the system administrator is told
    that a year's arrangement is missing (its deadlines are provisional)."""
    from django.utils import timezone

    from .orgs.workdays import provisional_years
    from .roles import Role

    if not user.has_role(Role.SYSTEM_ADMIN):
        return []
    today = timezone.localdate()
    years = {today.year, today.year + 1} if today.month >= 11 else {today.year}
    return [
        {
            "title": gettext("%(year)s 年国务院放假安排尚未录入工作日历，期限暂按法定节日推算（暂定）")
            % {"year": year},
            "url": reverse("core:calendar") + f"?year={year}",
            "count": 1,
        }
        for year in sorted(provisional_years(years))
    ]
