"""Who sees which integrity archives: module ARCHIVES (干部监督室, 审理室), the archives of
people working in units of one's jurisdiction — except one's own (same ID number; or same name in
the same unit, which also catches an archive of oneself kept without an ID number), those of people
one has declared a relation to (回避申报, matched by the blind index of the name, as in petitions),
those in which one is a recorded family member, and those of the family members recorded in one's
own archive (家庭成员, by the blind index of the name) — a family entry withdrawn as entered in error
(撤销) recusing nobody.

The organisation department opens no archive: it asks for integrity opinion replies
(党风廉政意见回复) and reads the signed verdicts. The replies are seen by the department that asks,
the cadre supervision office that answers and the commission's leader who signs — each within
jurisdiction of the requesting department's unit."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.query import EmptyQuerySet
from django.http import Http404

from jijian.core.access import get_or_404, scope, unit_scope_q
from jijian.core.roles import Module, Role
from jijian.core.sensitive.crypto import blind_index

from .models import FamilyMember, IntegrityArchive, OpinionRequest

# Who keeps the archives (creates and edits them); the others with the module only read.
KEEPER_ROLES = frozenset({Role.CADRE_SUPERVISION})


def _own(user, own_name: str) -> Q:
    """One's own archive: by ID number where the account has one, and by name in one's own unit (an
    archive of oneself kept without an ID number, or an account without one)."""
    same_name_here = Q(name_index=own_name, org_unit_id=user.org_unit_id)
    if user.id_number_index:
        return Q(id_number_index=user.id_number_index) | same_name_here
    return same_name_here


def archives_visible_to(user) -> QuerySet[IntegrityArchive]:
    """The active archives the user may open: module ARCHIVES, in jurisdiction, not their own, not a
    relative's they declared, not one in which they are a recorded family member."""
    return _in_sight(user, IntegrityArchive.objects.select_related("org_unit").filter(is_active=True))


def _in_sight(user, archives: QuerySet[IntegrityArchive]) -> QuerySet[IntegrityArchive]:
    from jijian.core.models import StaffRelation

    qs = scope(archives, user, module=Module.ARCHIVES, unit_field="org_unit")
    if isinstance(qs, EmptyQuerySet):
        return qs
    own_name = blind_index(user.full_name)
    # The recusal lists do not depend on the row (the user's declared relatives, the archives naming
    # the user as family): uncorrelated subqueries, resolved without outer references; and the rest
    # in one filter(), as every list and opening of an archive starts here (and, for an archive
    # merged away, archive_merged_into_for).
    relatives = StaffRelation.objects.filter(~Q(relative_name_index=""), user=user, is_active=True).values(
        "relative_name_index"
    )
    # A family entry withdrawn as entered in error (撤销) recuses nobody: a keeper who shares a name
    # with a wrongly entered relative is not kept out for ever. Only a keeper who may open the
    # archive withdraws an entry (services.section_entry_withdraw), so nobody withdraws the entry
    # that recuses them; a colleague's withdrawal is audited with its reason; a declared relation
    # (StaffRelation) recuses whatever the archive says.
    family = FamilyMember.objects.filter(name_index=own_name, withdrawn_at__isnull=True).values("archive_id")
    # The relatives recorded in one's own archive (its family section), wherever that archive is.
    own_archives = IntegrityArchive.objects.filter(_own(user, own_name)).values("pk")
    own_family = FamilyMember.objects.filter(
        ~Q(name_index=""), archive_id__in=own_archives, withdrawn_at__isnull=True
    ).values("name_index")
    return qs.filter(
        ~_own(user, own_name),
        ~Q(name_index__in=relatives),
        ~Q(pk__in=family),
        ~Q(name_index__in=own_family),
    )


def get_archive_for(user, pk) -> IntegrityArchive:
    return get_or_404(archives_visible_to(user), pk)


def get_section_entry_for(archive: IntegrityArchive, section: str, pk):
    """An entry of one section (models.SECTION_MODELS) of `archive`, or 404 — an unknown section, an
    entry of another archive, a missing one alike. The caller resolved the archive for the user
    through get_archive_for (jurisdiction, module, recusal): who may open the archive sees its entries."""
    from .models import SECTION_MODELS

    model = SECTION_MODELS.get(section)
    if model is None:
        raise Http404
    entry = get_or_404(model.objects.filter(archive=archive).select_related("entered_by"), pk)
    entry.archive = archive  # the one resolved for the user (with its unit): not read again
    return entry


def archive_merged_into_for(user, pk) -> IntegrityArchive | None:
    """The archive that archive `pk` was merged into (services.archive_merge), when the user may see
    both: the merged-away archive by the rules of an active one (jurisdiction, own, declared
    relatives, family members) and the survivor through archives_visible_to. None otherwise: for a
    missing archive, one never merged, one out of the user's sight or whose survivor is — the caller
    then answers the same 404 as for a missing archive, and an outsider learns nothing. A merge
    re-points what was merged into the duplicate, so one step reaches the survivor."""
    survivor_id = (
        _in_sight(user, IntegrityArchive.objects.filter(is_active=False, merged_into__isnull=False))
        .filter(pk=pk)
        .values_list("merged_into_id", flat=True)
        .first()
    )
    if survivor_id is None:
        return None
    return archives_visible_to(user).filter(pk=survivor_id).first()


def can_keep(user) -> bool:
    """Whether the user keeps archives (the cadre supervision office); where is the jurisdiction's
    business: services._require_keeper and get_archive_for."""
    return bool(user.role_set & KEEPER_ROLES) and user.has_module(Module.ARCHIVES)


def archive_may_open(user, archive_id: int) -> bool:
    """Whether the user may open the archive (core.links.archive_may_open: the report page's link)."""
    return archives_visible_to(user).filter(pk=archive_id).exists()


# --- integrity opinion replies -------------------------------------------------------------------
# The offices that check and endorse their part of a reply (签字背书), in the order the reply names them.
ENDORSING_ROLES = (Role.PETITION_OFFICE, Role.CASE_MANAGEMENT, Role.CASE_REVIEW)
OPINION_ROLES = frozenset(
    {Role.ORG_DEPARTMENT, Role.CADRE_SUPERVISION, Role.COMMISSION_LEADER, *ENDORSING_ROLES}
)


def opinions_visible_to(user) -> QuerySet[OpinionRequest]:
    if (
        not getattr(user, "is_authenticated", False)
        or not user.is_active
        or not user.role_set & OPINION_ROLES
    ):
        return OpinionRequest.objects.none()
    return OpinionRequest.objects.filter(unit_scope_q(user, prefix="org_unit__")).select_related("org_unit")


def get_opinion_for(user, pk) -> OpinionRequest:
    return get_or_404(opinions_visible_to(user), pk)


def can_request(user) -> bool:
    return Role.ORG_DEPARTMENT in user.role_set


def can_answer(user) -> bool:
    return can_keep(user)


def can_sign(user) -> bool:
    return Role.COMMISSION_LEADER in user.role_set


def endorsing_offices(user) -> list[str]:
    """The offices (roles) in whose name the user endorses a reply."""
    return [r for r in ENDORSING_ROLES if r in user.role_set]


def is_commission(user) -> bool:
    """Sees the facts behind the verdicts (everyone taking part but the organisation department)."""
    return can_answer(user) or can_sign(user) or bool(endorsing_offices(user))
