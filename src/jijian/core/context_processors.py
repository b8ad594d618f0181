from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import Module

# (module, label, url name). Later platforms add their entries here.
NAVIGATION = [
    (Module.ORGS, _("组织机构"), "core:org_list"),
    (Module.ORGS, _("人员"), "core:user_list"),
    (Module.ACCOUNTS, _("账号管理"), "core:account_list"),
    (Module.ACCOUNTS, _("工作日历"), "core:calendar"),
    (Module.SECURITY, _("角色与安全"), "core:security_list"),
    (Module.AUDIT, _("审计日志"), "audit:event_list"),
]


def shell(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    modules = user.modules
    items = []
    for module, label, name in NAVIGATION:
        if module in modules:
            items.append(
                {"label": label, "url": reverse(name), "active": request.path.startswith(reverse(name))}
            )
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_items": items, "unread_count": unread}
