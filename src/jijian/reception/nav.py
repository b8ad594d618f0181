"""The video reception app's menu entries (core.navigation)."""

from django.utils.translation import gettext_lazy as _

from jijian.core.navigation import NavEntry, register
from jijian.core.roles import Module

register(
    [
        NavEntry(500, Module.RECEPTION, _("视频接访"), "reception:list"),
        NavEntry(510, Module.RECEPTION, _("接访统计"), "reception:stats"),
    ]
)
