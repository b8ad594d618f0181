"""Recusal declarations (回避申报): a staff member declares the people they are related to; reports,
clues and integrity archives about a person of that name are then closed to them (access._recused, matched by the blind
index of the name). A declaration is withdrawn, never deleted, so that who was recused from what,
and when, can be reconstructed. The audit trail records that a relation was declared or withdrawn,
and its kind — never the relative's name or unit (those are stored encrypted, like a reporter's
identity)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from jijian.audit.services import audit_record
from jijian.core.language import platform_language
from jijian.core.models import RelationKind, StaffRelation
from jijian.core.roles import Module
from jijian.core.sensitive.crypto import blind_index
from jijian.petitions.models import PetitionReport

MAX_ACTIVE = 50  # a generous ceiling: declarations are a handful per person


# Declarations close reports and clues (petitions) and integrity archives (archives.access) alike.
RECUSAL_MODULES = (Module.PETITIONS, Module.ARCHIVES)


def may_declare(user) -> bool:
    return getattr(user, "is_authenticated", False) and any(user.has_module(m) for m in RECUSAL_MODULES)


def _require_staff(actor) -> None:
    if not may_declare(actor):
        raise PermissionDenied


def staff_relation_declare(*, actor, relative_name: str, relative_unit: str = "", kind: str) -> StaffRelation:
    """Declare a relation of `actor` to a person (by name, with their unit). Refuses an empty name,
    an unknown kind and a second active declaration of the same name."""
    _require_staff(actor)
    relative_name = (relative_name or "").strip()
    relative_unit = (relative_unit or "").strip()
    if not relative_name:
        raise ValidationError(gettext("请填写亲属姓名"))
    if len(relative_name) > 100 or len(relative_unit) > 200:
        raise ValidationError(gettext("姓名不超过100字，单位不超过200字"))
    if kind not in RelationKind.values:
        raise ValidationError(gettext("请选择关系类型"))
    with transaction.atomic():
        mine = StaffRelation.objects.select_for_update().filter(user=actor, is_active=True)
        active = list(mine.values_list("relative_name_index", flat=True))
        if blind_index(relative_name) in active:
            raise ValidationError(gettext("已申报过与此人的关系"))
        if len(active) >= MAX_ACTIVE:
            raise ValidationError(
                gettext("有效的回避申报最多 %(MAX_ACTIVE)s 条，请先撤回不再适用的申报")
                % {"MAX_ACTIVE": MAX_ACTIVE}
            )
        relation = StaffRelation.objects.create(
            user=actor,
            relative_name=relative_name,
            relative_unit=relative_unit,
            kind=kind,
            declared_at=timezone.now(),
        )
        with platform_language():
            audit_record(
                actor=actor,
                action="petition.relation_declare",
                obj=relation,
                org_unit_id=actor.org_unit_id,
                summary=f"回避申报：{relation.get_kind_display()}",
                after={"kind": kind},
            )
    return relation


def staff_relation_withdraw(*, actor, relation: StaffRelation) -> StaffRelation:
    """Withdraw one of the actor's own declarations (kept, marked inactive). The caller resolved it
    through access.get_relation_for (the actor's own)."""
    _require_staff(actor)
    with transaction.atomic():
        relation = StaffRelation.objects.select_for_update().get(pk=relation.pk)
        if relation.user_id != actor.pk:
            raise PermissionDenied
        if not relation.is_active:
            raise ValidationError(gettext("该申报已撤回"))
        relation.is_active = False
        relation.save(update_fields=["is_active"])
        with platform_language():
            audit_record(
                actor=actor,
                action="petition.relation_withdraw",
                obj=relation,
                org_unit_id=actor.org_unit_id,
                summary=f"撤回回避申报：{relation.get_kind_display()}",
                after={"kind": relation.kind},
            )
    return relation


def recused_report_ids(user, report_ids: Iterable[int]) -> set[int]:
    """Which of these reports the user is recused from (their accused matches an active declared
    relation): lists that track forwards by the sending body show no content for those."""
    ids = {i for i in report_ids if i is not None}
    if not ids or not getattr(user, "is_authenticated", False):
        return set()
    names = set(
        StaffRelation.objects.filter(user=user, is_active=True)
        .exclude(relative_name_index="")
        .values_list("relative_name_index", flat=True)
    )
    if not names:
        return set()
    return set(
        PetitionReport.objects.filter(pk__in=ids, accused_name_index__in=names).values_list("pk", flat=True)
    )


def forwards_sent_rows(user, forwards, *, today) -> list[dict]:
    """Rows of the "forwards sent" list (page and API) for forwards already scoped by
    access.forwards_sent_by: a forward on the restricted path, or about someone the user is recused
    from, is `hidden` — only its number, date, receiving body and answer state may be shown. `link`
    says whether the report itself is open to the user (holder in their jurisdiction)."""
    from jijian.core.access import unit_in_scope

    forwards = list(forwards)
    recused = recused_report_ids(user, [f.report_id for f in forwards])
    rows = []
    for f in forwards:
        hidden = f.report.restricted or f.report_id in recused
        status = "answered" if f.answer else ("overdue" if f.due_date < today else "pending")
        link = bool(not hidden and f.report.holder_id and unit_in_scope(user, f.report.holder))
        rows.append({"forward": f, "hidden": hidden, "status": status, "link": link})
    return rows
