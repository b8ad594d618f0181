"""The evaluation app's menu entry (core.navigation)."""

from django.utils.translation import gettext_lazy as _

from jijian.core.navigation import NavEntry, register
from jijian.core.roles import Module

register([NavEntry(710, Module.EVALUATION, _("考评互查"), "evaluation:home")])
