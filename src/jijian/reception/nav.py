"""The video reception app's menu entries (core.navigation)."""

from django.utils.translation import gettext_lazy as _

from jijian.core.navigation import NavEntry, PublicLink, register, register_public
from jijian.core.roles import Module

register(
    [
        NavEntry(500, Module.RECEPTION, _("视频接访"), "reception:list"),
        NavEntry(510, Module.RECEPTION, _("接访统计"), "reception:stats"),
    ]
)

register_public([PublicLink(20, _("预约视频接访"), "reception:public_book", "reception-link")])
