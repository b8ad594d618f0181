"""A report about a person who has an integrity archive (廉情档案) is linked to it (issue 5, item 7).

The link is made by staff who handle the report, from candidates the system offers: active archives
whose person has the accused's name (blind index) and works in the report's city, those of the
report's county-level unit first. A name alone does not identify anyone (namesakes are common), so
nothing is linked automatically; the report page shows the candidates' unit, post and level, which is
what an officer needs to choose, and nothing of the archive's content (that needs the archives
module and a reason: archives/access.py). The archive page lists its linked reports to the archive's
readers by the petitions' holder rule (archives.access.linked_reports_for)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from jijian.archives.models import IntegrityArchive
from jijian.audit.services import audit_record

from .models import PetitionReport, PetitionState
from .services import _locked, _require_staff, _save

MAX_CANDIDATES = 10
ALL_STATES = tuple(PetitionState.values)


def candidate_archives(report: PetitionReport) -> QuerySet[IntegrityArchive]:
    """Active archives of people named like the accused, in the report's city, the report's
    county-level unit first. None when the accused is not named or the report has no region."""
    region = report.region
    if not report.accused_name_index or region is None:
        return IntegrityArchive.objects.none()
    city_id = region.pk if region.kind == "city" else region.city_id
    county_id = region.pk if region.is_county else region.county_id
    qs = IntegrityArchive.objects.filter(is_active=True, name_index=report.accused_name_index)
    if city_id:
        qs = qs.filter(Q(org_unit__city_id=city_id) | Q(org_unit_id=city_id))
    else:
        qs = qs.filter(org_unit__path__startswith=region.path)
    near = Case(
        When(Q(org_unit__county_id=county_id) | Q(org_unit_id=county_id), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return qs.select_related("org_unit").annotate(near=near).order_by("near", "org_unit__path", "pk")


def archive_candidates(report: PetitionReport) -> list[IntegrityArchive]:
    """What the report page offers: the first MAX_CANDIDATES of candidate_archives."""
    return list(candidate_archives(report)[:MAX_CANDIDATES])


def petition_link_archive(*, actor, report: PetitionReport, archive_id, version: int) -> PetitionReport:
    """Link the report to one of its candidate archives (a second link replaces the first)."""

    def choose(locked: PetitionReport) -> IntegrityArchive:
        try:
            return candidate_archives(locked).get(pk=int(archive_id))
        except (IntegrityArchive.DoesNotExist, TypeError, ValueError):
            raise ValidationError("所选廉情档案与被反映人不符，请从列出的档案中选择") from None

    return _relink(actor=actor, report=report, version=version, choose=choose)


def petition_unlink_archive(*, actor, report: PetitionReport, version: int) -> PetitionReport:
    """Undo a wrong link."""

    def choose(locked: PetitionReport) -> None:
        if locked.archive_id is None:
            raise ValidationError("该件未关联廉情档案")

    return _relink(actor=actor, report=report, version=version, choose=choose)


def _relink(*, actor, report: PetitionReport, version: int, choose) -> PetitionReport:
    """Set the report's archive to choose(locked report) (None: unlinked), on the row locked at the
    page's version, audited. Choosing the archive already linked changes nothing."""
    _require_staff(actor)
    with transaction.atomic():
        locked = _locked(report, version=version, states=ALL_STATES)
        archive = choose(locked)
        new_id = archive.pk if archive is not None else None
        if locked.archive_id == new_id:
            return locked
        old_id = locked.archive_id
        locked.archive = archive
        _save(locked, ["archive"])
        audit_record(
            actor=actor,
            action="petition.link_archive" if archive is not None else "petition.unlink_archive",
            obj=locked,
            org_unit_id=locked.holder_id,
            summary=f"举报件 {locked.serial_number} {'关联' if archive is not None else '取消关联'}廉情档案",
            before={"archive": old_id},
            after={"archive": new_id},
        )
    return locked
