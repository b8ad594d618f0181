"""The responsibility app's menu entries (core.navigation)."""

from django.utils.translation import gettext_lazy as _

from jijian.core.models import OrgKind
from jijian.core.navigation import NavEntry, register
from jijian.core.roles import Module, Role


def departments_in_reach(user) -> bool:
    """City-level departments lie in the user's reach: their discipline member, a resident group, or an
    office of the city commission (a county's office has none: same-level supervision is not theirs)."""
    return (
        bool(user.role_set & {Role.DEPARTMENT_MEMBER, Role.RESIDENT_GROUP})
        or user.org_unit.kind == OrgKind.CITY
    )


register(
    [
        NavEntry(300, Module.RESPONSIBILITY, _("主体责任"), "responsibility:board"),
        NavEntry(
            310,
            Module.RESPONSIBILITY,
            _("清单模板"),
            "responsibility:template_list",
            frozenset({Role.CONDUCT_SUPERVISION}),
        ),
        NavEntry(
            320,
            Module.RESPONSIBILITY,
            _("同级监督"),
            "responsibility:supervision_list",
            frozenset({Role.DEPARTMENT_MEMBER, Role.RESIDENT_GROUP, Role.CONDUCT_SUPERVISION}),
            departments_in_reach,
        ),
    ]
)
