"""A report about a person who has an integrity archive (廉情档案) is linked to it (issue 5, item 7).

The link is made by staff who handle the report, from candidates the system offers: active archives
whose person has the accused's name (blind index) and works in the report's city, those of the
report's county-level unit first. A name alone does not identify anyone (namesakes are common), so
nothing is linked automatically; the report page shows the candidates' unit, post and level, which is
what an officer needs to choose, and nothing of the archive's content (that needs the archives
module and a reason, the archives platform's rules). The archives platform finds the candidates and
the archive page lists its linked reports by the register's holder rule, both through core/links.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from jijian.audit.services import audit_record
from jijian.core import links
from jijian.petitions.models import PetitionReport, PetitionState
from jijian.petitions.services import report_locked, report_save, require_handler

MAX_CANDIDATES = 10
ALL_STATES = tuple(PetitionState.values)


def candidate_archives(report: PetitionReport) -> Sequence[Any]:
    """Active archives of people named like the accused, in the report's city, the report's
    county-level unit first; where staff recorded the accused's ID number, the archive of that ID
    number anywhere (a person transferred from another city) before them. None when the accused is
    neither named nor identified, or the report has no region."""
    if not (report.accused_name_index or report.accused_id_index) or report.region is None:
        return []
    return links.archive_candidates(
        name_index=report.accused_name_index, region=report.region, id_index=report.accused_id_index
    )


def archive_candidates(report: PetitionReport) -> list[Any]:
    """What the report page offers: the first MAX_CANDIDATES of candidate_archives."""
    return list(candidate_archives(report)[:MAX_CANDIDATES])


def petition_link_archive(*, actor, report: PetitionReport, archive_id, version: int) -> PetitionReport:
    """Link the report to one of its candidate archives (a second link replaces the first)."""

    def choose(locked: PetitionReport) -> int:
        return chosen_archive_id(archive_id, candidate_archives(locked))

    return _relink(actor=actor, report=report, version=version, choose=choose)


def chosen_archive_id(archive_id, candidates) -> int:
    """The archive id a handler chose (a report's or a clue's link), which must be one of the
    `candidates` the page offered: a name alone identifies nobody, so no other archive is taken."""
    try:
        wanted = int(archive_id)
    except (TypeError, ValueError):
        wanted = None
    if wanted is None or wanted not in {archive.pk for archive in candidates}:
        raise ValidationError(gettext("所选廉情档案与被反映人不符，请从列出的档案中选择"))
    return wanted


def petition_unlink_archive(*, actor, report: PetitionReport, version: int) -> PetitionReport:
    """Undo a wrong link."""

    def choose(locked: PetitionReport) -> None:
        if locked.archive_id is None:
            raise ValidationError(gettext("该件未关联廉情档案"))

    return _relink(actor=actor, report=report, version=version, choose=choose)


def _relink(*, actor, report: PetitionReport, version: int, choose) -> PetitionReport:
    """Set the report's archive to choose(locked report) (an archive id; None: unlinked), on the row
    locked at the page's version, audited. Choosing the archive already linked changes nothing."""
    require_handler(actor)
    with transaction.atomic():
        locked = report_locked(report, version=version, states=ALL_STATES)
        new_id = choose(locked)
        if locked.archive_id == new_id:
            return locked
        old_id = locked.archive_id
        locked.archive_id = new_id
        report_save(locked, ["archive_id"])
        audit_record(
            actor=actor,
            action="petition.link_archive" if new_id is not None else "petition.unlink_archive",
            obj=locked,
            org_unit_id=locked.holder_id,
            summary=f"举报件 {locked.serial_number} {'关联' if new_id is not None else '取消关联'}廉情档案",
            before={"archive": old_id},
            after={"archive": new_id},
        )
    return locked
