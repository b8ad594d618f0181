"""Who sees which integrity archives: module ARCHIVES (干部监督室, 审理室, 组织部), the archives of
people working in units of one's jurisdiction — except one's own (same ID number; or, where the
staff member's ID number is not recorded, same name in the same unit) and those of people one has
declared a relation to (回避申报, matched by the blind index of the name, as in petitions)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from jijian.core.access import get_or_404, scope, unit_scope_q
from jijian.core.crypto import blind_index
from jijian.core.roles import Module, Role

from .models import IntegrityArchive

# Who keeps the archives (creates and edits them); the others with the module only read.
KEEPER_ROLES = frozenset({Role.CADRE_SUPERVISION})


def _own(user) -> Q:
    if user.id_number_index:
        return Q(id_number_index=user.id_number_index)
    return Q(name_index=blind_index(user.full_name), org_unit_id=user.org_unit_id)


def archives_visible_to(user) -> QuerySet[IntegrityArchive]:
    from jijian.petitions.models import StaffRelation

    qs = scope(
        IntegrityArchive.objects.select_related("org_unit").filter(is_active=True),
        user,
        module=Module.ARCHIVES,
        unit_field="org_unit",
    )
    if qs.query.is_empty():
        return qs
    relatives = StaffRelation.objects.filter(
        user=user, is_active=True, relative_name_index=OuterRef("name_index")
    ).exclude(relative_name_index="")
    return qs.exclude(_own(user)).filter(~Exists(relatives))


def get_archive_for(user, pk) -> IntegrityArchive:
    return get_or_404(archives_visible_to(user), pk)


def can_keep(user) -> bool:
    """Whether the user keeps archives (the cadre supervision office); where is the jurisdiction's
    business: services._require_keeper and get_archive_for."""
    return bool(user.role_set & KEEPER_ROLES) and user.has_module(Module.ARCHIVES)


def linked_reports_for(user, archive: IntegrityArchive):
    """The reports from the public linked to the archive that are held by a body in the viewer's
    jurisdiction — the same holder rule as the petitions register, so a report sent up the restricted
    path never shows below the body that holds it. The page shows number, dates, state and result
    only: never the reporter or the facts."""
    from jijian.petitions.models import PetitionReport

    return (
        PetitionReport.objects.filter(archive=archive)
        .filter(unit_scope_q(user, prefix="holder__"))
        .select_related("holder")
        .order_by("-received_at", "-pk")
    )
