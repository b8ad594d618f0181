from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import OrgKind
from .roles import Module, Role


def _departments_in_reach(user) -> bool:
    """City-level departments lie in the user's reach: their discipline member, a resident group, or an
    office of the city commission (a county's office has none: same-level supervision is not theirs)."""
    return (
        bool(user.role_set & {Role.DEPARTMENT_MEMBER, Role.RESIDENT_GROUP})
        or user.org_unit.kind == OrgKind.CITY
    )


# (module, label, url name, roles that see it or None for everyone with the module[, a further test of
# the user: the entry shows only where its page has something for them]).
NAVIGATION = [
    (Module.REPORTS, _("我的月报"), "reports:my_reports", {Role.VILLAGE_MEMBER, Role.DEPARTMENT_MEMBER}),
    (Module.REPORTS, _("月报审核"), "reports:review_queue", {Role.TOWNSHIP_COMMITTEE, Role.RESIDENT_GROUP}),
    (Module.REPORTS, _("月报统计"), "reports:stats", {Role.TOWNSHIP_COMMITTEE, Role.CONDUCT_SUPERVISION}),
    (
        Module.REPORTS,
        _("市直单位月报"),
        "reports:stats_departments",
        {Role.RESIDENT_GROUP, Role.CONDUCT_SUPERVISION},
    ),
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
    (Module.RESPONSIBILITY, _("主体责任"), "responsibility:board", None),
    (Module.RESPONSIBILITY, _("清单模板"), "responsibility:template_list", {Role.CONDUCT_SUPERVISION}),
    (
        Module.RESPONSIBILITY,
        _("同级监督"),
        "responsibility:supervision_list",
        {Role.DEPARTMENT_MEMBER, Role.RESIDENT_GROUP, Role.CONDUCT_SUPERVISION},
        _departments_in_reach,
    ),
    (Module.VILLAGE_AFFAIRS, _("三重一大"), "villageaffairs:decision_list", None),
    (Module.VILLAGE_AFFAIRS, _("报账签字"), "villageaffairs:voucher_list", None),
    (
        Module.VILLAGE_AFFAIRS,
        _("村务风险"),
        "villageaffairs:flag_board",
        {Role.TOWNSHIP_COMMITTEE, Role.CONDUCT_SUPERVISION},
    ),
    (
        Module.ARCHIVES,
        _("廉政意见回复"),
        "archives:opinions",
        {Role.CADRE_SUPERVISION, Role.CASE_REVIEW},
    ),
    # The organisation department asks for opinions without reading any archive.
    (Module.ORGS, _("廉政意见回复"), "archives:opinions", {Role.ORG_DEPARTMENT}),
    (
        Module.PETITIONS,
        _("廉政意见回复"),
        "archives:opinions",
        {Role.COMMISSION_LEADER, Role.PETITION_OFFICE, Role.CASE_MANAGEMENT},
    ),
    (Module.RECEPTION, _("视频接访"), "reception:list", None),
    (Module.RECEPTION, _("接访统计"), "reception:stats", None),
    (Module.TRAINING, _("学习考试"), "training:home", None),
    (
        Module.TRAINING,
        _("题库与考试"),
        "training:exam_list",
        {Role.TOWNSHIP_COMMITTEE, Role.CONDUCT_SUPERVISION},
    ),
    (Module.MANUAL, _("履职手册"), "manual:home", None),
    (Module.EVALUATION, _("考评互查"), "evaluation:home", None),
    (Module.CADRES, _("派单点题"), "cadres:task_list", None),
    (
        Module.CADRES,
        _("纪检委员任职"),
        "cadres:post_list",
        {Role.TOWNSHIP_COMMITTEE, Role.CONDUCT_SUPERVISION},
    ),
    (
        Module.CADRES,
        _("跟案学习"),
        "cadres:placement_list",
        {Role.TOWNSHIP_COMMITTEE, Role.CONDUCT_SUPERVISION},
    ),
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
    from .accounts.security import needs_otp

    if needs_otp(request):  # between password and second factor: only that step, no menu, no counts
        return {"nav_items": [], "signin_step": True}
    modules = user.modules
    items = []
    roles = user.role_set
    seen = set()
    for module, label, name, *only in NAVIGATION:
        if name in seen:
            continue
        shown_to = only[0] if only else None
        if module in modules and (not shown_to or roles & shown_to) and (len(only) < 2 or only[1](user)):
            seen.add(name)
            items.append({"label": label, "url": reverse(name), "active": False})
    # The longest matching prefix is the active item (/petitions/clues/ is 问题线索, not 信访举报).
    matching = [i for i in items if request.path.startswith(i["url"])]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["active"] = True
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_items": items, "unread_count": unread}
