"""The archives app's menu entries (core.navigation)."""

from django.utils.translation import gettext_lazy as _

from jijian.core.navigation import NavEntry, register
from jijian.core.roles import Module, Role

register(
    [
        NavEntry(200, Module.ARCHIVES, _("廉情档案"), "archives:list"),
        # 廉政意见回复: the offices that confirm a part reach it through their own module; the
        # organisation department asks for opinions without reading any archive.
        NavEntry(
            400,
            Module.ARCHIVES,
            _("廉政意见回复"),
            "archives:opinions",
            frozenset({Role.CADRE_SUPERVISION, Role.CASE_REVIEW}),
        ),
        NavEntry(401, Module.ORGS, _("廉政意见回复"), "archives:opinions", frozenset({Role.ORG_DEPARTMENT})),
        NavEntry(
            402,
            Module.PETITIONS,
            _("廉政意见回复"),
            "archives:opinions",
            frozenset({Role.COMMISSION_LEADER, Role.PETITION_OFFICE, Role.CASE_MANAGEMENT}),
        ),
    ]
)
