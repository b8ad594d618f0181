"""The petitions app's menu entries (core.navigation)."""

from django.utils.translation import gettext_lazy as _

from jijian.core.navigation import NavEntry, PublicLink, register, register_public
from jijian.core.roles import Module, Role

register(
    [
        NavEntry(100, Module.PETITIONS, _("信访举报"), "petitions_staff:list"),
        NavEntry(110, Module.PETITIONS, _("转办件"), "petitions_work:inbox"),
        NavEntry(120, Module.PETITIONS, _("办理时限"), "petitions_board:board"),
        NavEntry(130, Module.PETITIONS, _("问题线索"), "petitions_clues:list"),
        NavEntry(
            140,
            Module.PETITIONS,
            _("线索统计"),
            "petitions_clues:stats",
            frozenset({Role.CASE_MANAGEMENT, Role.COMMISSION_LEADER, Role.PETITION_OFFICE, Role.CASE_REVIEW}),
        ),
        # Declared relations serve recusal in both the register and the archives: shown once, for
        # either module.
        NavEntry(150, Module.PETITIONS, _("回避申报"), "petitions_work:relations"),
        NavEntry(151, Module.ARCHIVES, _("回避申报"), "petitions_work:relations"),
    ]
)

register_public([PublicLink(10, _("我要举报 / 查询举报进度"), "petitions:home", "petition-link")])
