"""Core's own menu entries (core.navigation): the org tree, accounts, security, the reader of the audit trail."""

from django.utils.translation import gettext_lazy as _

from jijian.core.navigation import NavEntry, register
from jijian.core.roles import Module

register(
    [
        NavEntry(900, Module.ORGS, _("组织机构"), "core:org_list"),
        NavEntry(910, Module.ORGS, _("人员"), "core:user_list"),
        NavEntry(920, Module.ACCOUNTS, _("账号管理"), "core:account_list"),
        NavEntry(930, Module.ACCOUNTS, _("工作日历"), "core:calendar"),
        NavEntry(940, Module.SECURITY, _("角色与安全"), "core:security_list"),
        NavEntry(950, Module.AUDIT, _("审计日志"), "audit:event_list"),  # core.audit_reader
    ]
)
