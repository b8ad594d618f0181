"""Reads of the integrity archive pages, always on top of access.archives_visible_to: the list with
its search and unit filter, and the org units the pages offer (the filter's, the keeper's form's)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jijian.core.access import unit_scope_q
from jijian.core.crypto import blind_index
from jijian.core.models import TOWNSHIP_KINDS, VILLAGE_KINDS, OrgUnit
from jijian.core.selectors import org_unit_search

from .access import archives_visible_to
from .models import IntegrityArchive


def archive_list(user, *, q: str = "", unit: OrgUnit | None = None) -> QuerySet[IntegrityArchive]:
    """The archives the user may see, newest change first. `q` is a whole name: the name is stored in
    the clear but searched through its blind index (an exact match, like the petitions register), so
    the list never offers partial-name fishing. `unit` keeps the archives of that unit's subtree."""
    qs = archives_visible_to(user)
    if q:
        qs = qs.filter(name_index=blind_index(q))
    if unit is not None:
        qs = qs.filter(org_unit__path__startswith=unit.path)
    return qs.order_by("-updated_at", "-pk")


def filter_units(user) -> QuerySet[OrgUnit]:
    """Units for the list's filter: the user's jurisdiction above village level (a village is found
    by name; a county has hundreds). Each is a subtree filter."""
    return (
        OrgUnit.objects.filter(unit_scope_q(user), is_active=True)
        .exclude(kind__in=VILLAGE_KINDS)
        .order_by("path")
    )


def keeper_units(user, *, current: OrgUnit | None = None) -> QuerySet[OrgUnit]:
    """Units an archive may be placed in by this keeper: every active unit of the jurisdiction,
    villages included (village cadres are supervised persons too), in tree order — plus the archive's
    `current` unit when it is in the jurisdiction, so that an archive whose unit was since closed
    stays editable."""
    q = Q(is_active=True)
    if current is not None:
        q |= Q(pk=current.pk)
    return OrgUnit.objects.filter(unit_scope_q(user)).filter(q).order_by("path")


UNIT_SEARCH_MAX = 30


def short_list(units: QuerySet[OrgUnit], limit: int) -> QuerySet[OrgUnit] | list[OrgUnit]:
    """What a unit select lists before any search: all of `units` when there are at most `limit` (a
    city's counties and townships), else those above township level (a province's or the nation's
    thousands of townships are found by unit_search)."""
    few = list(units[: limit + 1])
    return few if len(few) <= limit else units.exclude(kind__in=TOWNSHIP_KINDS)


def unit_search(units: QuerySet[OrgUnit], *, q: str) -> QuerySet[OrgUnit]:
    """Units of `units` (keeper_units for the archive form, filter_units for the list's filter) by
    name, pinyin initials or code: what the selects do not list (villages; a province's townships)
    is found here."""
    return org_unit_search(units, q=q)[:UNIT_SEARCH_MAX]


def is_visible(user, archive: IntegrityArchive) -> bool:
    """Whether the user may open this archive (after an edit moved it, or a keeper created an archive
    they are recused from)."""
    return archives_visible_to(user).filter(pk=archive.pk).exists()
