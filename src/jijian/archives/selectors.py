"""Reads of the integrity archive pages, always on top of access.archives_visible_to: the list with
its search and unit filter, and the org units the pages offer (the filter's, the keeper's form's)."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from jijian.core.access import unit_scope_q
from jijian.core.models import TOWNSHIP_KINDS, VILLAGE_KINDS, OrgUnit
from jijian.core.selectors import org_unit_search
from jijian.core.sensitive.crypto import blind_index

from .access import archives_visible_to
from .models import IntegrityArchive

ID_NUMBER = re.compile(r"[0-9]{17}[0-9Xx]")
LATIN = re.compile(r"[A-Za-z]+")
# What a row of the list shows (the page, the API's ArchiveOut, the export), read as plain rows (dicts):
# a search finds a few archives, and building model instances and their units for them cost more than
# reading them (bench/README.md, "Integrity archives").
LIST_FIELDS = (
    "id", "name", "org_unit_id", "org_unit__name", "post", "level", "category", "party_status", "updated_at",
)  # fmt: skip


def archive_list(
    user, *, q: str = "", unit: OrgUnit | None = None, post: str = "", with_id_number: bool = False
) -> QuerySet[IntegrityArchive, dict[str, Any]]:
    """The archives the user may see, newest change first, as rows (dicts of LIST_FIELDS). `q` is
    matched whole, never in part (the list offers no partial-name fishing): an ID number through its
    blind index; Latin letters as the pinyin initials ("zj") or the full pinyin ("zhengjun") of the
    name; else the whole name through its blind index (like the petitions register). `unit` keeps the archives of that unit's subtree (the
    caller checked it is in the user's jurisdiction: filter_units); `post` the archives whose post
    contains it ("镇长" finds 镇长 and 副镇长; a post is no secret, unlike a name). The list
    reads only what its rows show: never the notes, and the ID number (decrypted, one SM4 a row) only
    `with_id_number` (the export, which masks it). Level, category and party status are the codes: their
    labels are the choices' (the page's `cadre_level` filter, exports.archive_list_xlsx)."""
    qs = archives_visible_to(user)
    if q and ID_NUMBER.fullmatch(q):
        qs = qs.filter(id_number_index=blind_index(q.upper()))
    elif q and LATIN.fullmatch(q):
        qs = qs.filter(Q(name_initials=q.lower()) | Q(name_pinyin=q.lower()))
    elif q:
        qs = qs.filter(name_index=blind_index(q))
    if unit is not None:
        qs = qs.filter(org_unit__path__startswith=unit.path)
    if post:
        qs = qs.filter(post__contains=post)
    fields = (*LIST_FIELDS, "id_number") if with_id_number else LIST_FIELDS
    return qs.values(*fields).order_by("-updated_at", "-pk")


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


def archives_named_in_region(
    *, name_index: str, region: OrgUnit, id_index: str = ""
) -> QuerySet[IntegrityArchive]:
    """Candidates for a report's accused (core.links.archive_candidates): active archives of people
    whose name has this blind index in the city of `region`, those of the region's county-level unit
    first; and, when the report carries the accused's ID number (`id_index`, its blind index), the
    archive with that ID number wherever it is kept — a person transferred from another city is found
    by it — first of all. A name alone identifies nobody, so this offers candidates; staff choose."""
    city_id = region.pk if region.kind == "city" else region.city_id
    county_id = region.pk if region.is_county else region.county_id
    if city_id:
        by_name = Q(org_unit__city_id=city_id) | Q(org_unit_id=city_id)
    else:
        by_name = Q(org_unit__path__startswith=region.path)
    by_name &= Q(name_index=name_index) if name_index else Q(pk__in=[])
    by_id = Q(id_number_index=id_index) if id_index else Q(pk__in=[])
    qs = IntegrityArchive.objects.filter(by_name | by_id, is_active=True)
    near = Case(
        When(by_id, then=Value(0)),
        When(Q(org_unit__county_id=county_id) | Q(org_unit_id=county_id), then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return qs.select_related("org_unit").annotate(near=near).order_by("near", "org_unit__path", "pk")


def opened_archive(user, archive: IntegrityArchive) -> dict:
    """What an opened archive shows (the page and the print): its sections — withdrawn entries too,
    marked, with who withdrew them, when and why, and the entry correcting them — the reports and
    problem clues linked to it and to the duplicates merged into it, the missing personal-matters report (a withdrawn report
    files nothing), the yearly versions. The caller resolved the archive through
    access.get_archive_for and audited the opening."""
    from django.utils import timezone

    from jijian.core import links
    from jijian.core.sensitive.crypto import mask_id_number

    from .sanctions import matters_year_due
    from .services import year_changes

    reports = list(links.reports_linked_to_archive(user, archive.pk))
    merged_ids = list(IntegrityArchive.objects.filter(merged_into=archive).values_list("pk", flat=True))
    for merged in merged_ids:
        reports += list(links.reports_linked_to_archive(user, merged))
    clues = list(links.clues_linked_to_archive(user, [archive.pk, *merged_ids]))
    today = timezone.localdate()
    due_year = matters_year_due(today)
    related = ("entered_by", "withdrawn_by", "corrected_by")
    family = list(archive.family.select_related(*related))
    matters = list(archive.matters_reports.select_related(*related))
    sanctions = list(archive.sanctions.select_related(*related))
    records = list(archive.records.select_related(*related))
    filed = [m for m in matters if m.withdrawn_at is None]
    return {
        "opened": True,
        "masked_id_number": mask_id_number(archive.id_number),
        "reports": reports,
        "clues": clues,
        "family": family,
        "matters": matters,
        "matters_missing": due_year
        if archive.must_report_matters and not any(m.year == due_year for m in filed)
        else None,
        "sanctions": sanctions,
        "records": records,
        # The sections' headings count the entries in force.
        "counts": {
            name: sum(1 for e in entries if e.withdrawn_at is None)
            for name, entries in (
                ("family", family),
                ("matters", matters),
                ("sanctions", sanctions),
                ("records", records),
            )
        },
        "years": year_changes(archive),
        "today": today,
    }


def archive_briefs(archive_ids) -> dict[int, IntegrityArchive]:
    """The archives `archive_ids` as a report's or a clue's page names a linked one
    (core.links.archive_briefs): name, unit, post, level, whether active; no section, no ID number."""
    ids = [int(i) for i in archive_ids if i is not None]
    rows = (
        IntegrityArchive.objects.filter(pk__in=ids)
        .select_related("org_unit")
        .only("pk", "name", "org_unit__name", "post", "level", "is_active")
    )
    return {a.pk: a for a in rows}
