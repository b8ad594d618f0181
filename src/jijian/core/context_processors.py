from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import Module, Role

# (module, label, url name, roles that see it or None for everyone with the module).
NAVIGATION = [
    (Module.REPORTS, _("我的月报"), "reports:my_reports", {Role.VILLAGE_MEMBER}),
    (Module.REPORTS, _("月报审核"), "reports:review_queue", {Role.TOWNSHIP_COMMITTEE}),
    (Module.REPORTS, _("月报统计"), "reports:stats", {Role.TOWNSHIP_COMMITTEE, Role.CONDUCT_SUPERVISION}),
    (Module.PETITIONS, _("信访举报"), "petitions_staff:list", None),
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
    roles = user.role_set
    for module, label, name, *only in NAVIGATION:
        if module in modules and (not only or not only[0] or roles & only[0]):
            items.append(
                {"label": label, "url": reverse(name), "active": request.path.startswith(reverse(name))}
            )
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_items": items, "unread_count": unread}
