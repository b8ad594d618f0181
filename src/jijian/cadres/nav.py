"""The cadres app's menu entries (core.navigation)."""

from django.utils.translation import gettext_lazy as _

from jijian.core.navigation import NavEntry, register
from jijian.core.roles import Module, Role

register(
    [
        NavEntry(720, Module.CADRES, _("派单点题"), "cadres:task_list"),
        NavEntry(
            730,
            Module.CADRES,
            _("纪检委员任职"),
            "cadres:post_list",
            frozenset({Role.TOWNSHIP_COMMITTEE, Role.CONDUCT_SUPERVISION}),
        ),
        NavEntry(
            740,
            Module.CADRES,
            _("跟案学习"),
            "cadres:placement_list",
            frozenset({Role.TOWNSHIP_COMMITTEE, Role.CONDUCT_SUPERVISION}),
        ),
    ]
)
