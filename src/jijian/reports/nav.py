"""The reports app's menu entries (core.navigation)."""

from django.utils.translation import gettext_lazy as _

from jijian.core.navigation import NavEntry, register
from jijian.core.roles import Module, Role

register(
    [
        NavEntry(
            10,
            Module.REPORTS,
            _("我的月报"),
            "reports:my_reports",
            frozenset({Role.VILLAGE_MEMBER, Role.DEPARTMENT_MEMBER}),
        ),
        NavEntry(
            20,
            Module.REPORTS,
            _("月报审核"),
            "reports:review_queue",
            frozenset({Role.TOWNSHIP_COMMITTEE, Role.RESIDENT_GROUP}),
        ),
        NavEntry(
            30,
            Module.REPORTS,
            _("月报统计"),
            "reports:stats",
            frozenset({Role.TOWNSHIP_COMMITTEE, Role.CONDUCT_SUPERVISION}),
        ),
        NavEntry(
            40,
            Module.REPORTS,
            _("市直单位月报"),
            "reports:stats_departments",
            frozenset({Role.RESIDENT_GROUP, Role.CONDUCT_SUPERVISION}),
        ),
    ]
)
