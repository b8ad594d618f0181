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
    (Module.PETITIONS, _("转办件"), "petitions_work:inbox", None),
    (Module.PETITIONS, _("办理时限"), "petitions_board:board", None),
    (Module.PETITIONS, _("问题线索"), "petitions_clues:list", None),
    (
        Module.PETITIONS,
        _("线索统计"),
        "petitions_clues:stats",
        {Role.CASE_MANAGEMENT, Role.COMMISSION_LEADER, Role.PETITION_OFFICE, Role.CASE_REVIEW},
    ),
    (Module.PETITIONS, _("回避申报"), "petitions_work:relations", None),
    (Module.ARCHIVES, _("回避申报"), "petitions_work:relations", None),  # once, for either module
    (Module.ARCHIVES, _("廉情档案"), "archives:list", None),
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
    seen = set()
    for module, label, name, *only in NAVIGATION:
        if name in seen:
            continue
        if module in modules and (not only or not only[0] or roles & only[0]):
            seen.add(name)
            items.append({"label": label, "url": reverse(name), "active": False})
    # The longest matching prefix is the active item (/petitions/clues/ is 问题线索, not 信访举报).
    matching = [i for i in items if request.path.startswith(i["url"])]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["active"] = True
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_items": items, "unread_count": unread}
