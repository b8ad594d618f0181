"""The training app's menu entries (core.navigation)."""

from django.utils.translation import gettext_lazy as _

from jijian.core.navigation import NavEntry, register
from jijian.core.roles import Module, Role

register(
    [
        NavEntry(600, Module.TRAINING, _("学习考试"), "training:home"),
        NavEntry(
            610,
            Module.TRAINING,
            _("题库与考试"),
            "training:exam_list",
            frozenset({Role.TOWNSHIP_COMMITTEE, Role.CONDUCT_SUPERVISION}),
        ),
    ]
)
