"""The village affairs app's menu entries (core.navigation)."""

from django.utils.translation import gettext_lazy as _

from jijian.core.navigation import NavEntry, register
from jijian.core.roles import Module, Role

register(
    [
        NavEntry(330, Module.VILLAGE_AFFAIRS, _("三重一大"), "villageaffairs:decision_list"),
        NavEntry(340, Module.VILLAGE_AFFAIRS, _("报账签字"), "villageaffairs:voucher_list"),
        NavEntry(
            350,
            Module.VILLAGE_AFFAIRS,
            _("村务风险"),
            "villageaffairs:flag_board",
            frozenset({Role.TOWNSHIP_COMMITTEE, Role.CONDUCT_SUPERVISION}),
        ),
    ]
)
