"""Showing a sensitive value unmasked.

Sensitive fields are shown masked everywhere (templatetags `mask_phone`, `mask_id_number`; the API
masks too). The full value is given only by `reveal_field`, only to the roles the policy table names
for that field, only for objects inside the actor's jurisdiction, and each reveal is an audit event
("sensitive.reveal": who, which object, which field, why — never the value). A refused reveal is
recorded too ("sensitive.reveal_denied").

The policy table is a registry: each module registers its own fields when it is loaded, e.g. in the
petitions app

    register_reveal("petitions.report", "reporter_id_number", roles={Role.PETITION_OFFICE},
                    label=_("举报人身份证号"), in_jurisdiction=lambda actor, obj: ...)

A field that is not registered cannot be revealed by anyone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext

from jijian.audit.services import audit_record
from jijian.core.language import platform_language
from jijian.core.roles import Role

JurisdictionCheck = Callable[[object, models.Model], bool]


def unit_in_jurisdiction(actor, obj: models.Model) -> bool:
    """Default check: the object's org unit lies in the actor's subtree. Objects without an org unit
    are refused (register a check of your own for them)."""
    from jijian.core.access import user_in_jurisdiction

    unit = getattr(obj, "org_unit", None)
    return unit is not None and user_in_jurisdiction(actor, unit)


@dataclass(frozen=True)
class RevealRule:
    roles: frozenset[str]
    in_jurisdiction: JurisdictionCheck
    label: str


_RULES: dict[tuple[str, str], RevealRule] = {}


def register_reveal(
    model_label: str,
    field_name: str,
    *,
    roles: Iterable[str],
    label: str = "",
    in_jurisdiction: JurisdictionCheck = unit_in_jurisdiction,
) -> None:
    """Allow `roles` to reveal `field_name` of `model_label` ("app.model", lower case) for objects
    that pass `in_jurisdiction(actor, obj)`. Registering the same field again replaces the rule."""
    roles = frozenset(roles)
    if not roles:
        raise ValueError("a reveal rule needs at least one role")
    _RULES[(model_label.lower(), field_name)] = RevealRule(roles, in_jurisdiction, str(label or field_name))


def reveal_rule(model_label: str, field_name: str) -> RevealRule | None:
    return _RULES.get((model_label.lower(), field_name))


def _label_of(obj: models.Model) -> str:
    return obj._meta.label_lower


def can_reveal(*, actor, obj: models.Model, field_name: str) -> bool:
    """Whether `actor` may see the full value (for showing a "查看完整信息" button); no audit."""
    rule = reveal_rule(_label_of(obj), field_name)
    if rule is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if not (actor.role_set & rule.roles):
        return False
    return bool(rule.in_jurisdiction(actor, obj))


def reveal_field(*, actor, obj: models.Model, field_name: str, reason: str, ip_address: str = "") -> str:
    """The plaintext of `obj.<field_name>` if the policy allows `actor`; an audit event either way.
    Raises PermissionDenied (and returns nothing) otherwise; ValidationError without a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("查看完整信息须填写事由"))
    rule = reveal_rule(_label_of(obj), field_name)
    label = rule.label if rule else field_name
    details = {"field": field_name, "reason": reason[:200]}
    if not can_reveal(actor=actor, obj=obj, field_name=field_name):
        reveal_denied_record(
            actor=actor,
            object_type=_label_of(obj),
            object_id=obj.pk,
            field_name=field_name,
            ip_address=ip_address,
        )
        raise PermissionDenied("无权查看完整信息")
    with transaction.atomic(), platform_language():
        audit_record(
            actor=actor,
            action="sensitive.reveal",
            obj=obj,
            ip_address=ip_address,
            summary=f"查看{label}完整信息",
            after=details,
        )
    return getattr(obj, field_name) or ""


def reveal_denied_record(
    *, actor, object_type: str, object_id: object, field_name: str, ip_address: str = ""
) -> None:
    """Record a refused reveal ("sensitive.reveal_denied"). The views answer every refusal with the
    same 404 (missing object, outside the jurisdiction, a field the actor may not see) and record it
    through here with only what was asked — the object type and id and the field as requested — never
    anything read from the object: the entry is the same whether or not the object exists. Its own
    transaction, so the entry stays when the caller goes on to raise."""
    if not getattr(actor, "is_authenticated", False):
        return
    field_name = str(field_name)[:50]
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="sensitive.reveal_denied",
            object_type=object_type,
            object_id=str(object_id)[:64],
            ip_address=ip_address,
            summary=f"查看完整信息被拒绝：{object_type} {field_name}",
            after={"field": field_name},
        )


# Core's own fields. Later modules register reporters' identities, family data, etc.
register_reveal("core.user", "phone", roles={Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}, label="手机号码")
register_reveal("core.user", "id_number", roles={Role.SYSTEM_ADMIN}, label="身份证号")
