"""The duty manual's menu entry (core.navigation)."""

from django.utils.translation import gettext_lazy as _

from jijian.core.navigation import NavEntry, register
from jijian.core.roles import Module

register([NavEntry(700, Module.MANUAL, _("履职手册"), "manual:home")])
