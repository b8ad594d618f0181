"""The integrity archive's opinion on a candidate for a village post (三为主 nomination vetting,
core.links.archive_vetting), asked by the township that nominates or the county that decides.

The asker has no access to the archives (module ARCHIVES): what leaves the archives is the verdict,
its label and the fact lines of the integrity opinion (opinions.gather and opinions.propose, the same
rules as the organisation department's 党风廉政意见回复), never the archive itself. The archives
searched are the active ones of the asker's county-level unit (the city's for an asker at the city
or a management zone), matched by ID number, or by name where no ID number is given and exactly one
archive has it. Each question is an audit event of the archives ("archive.vetting")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from jijian.audit.services import audit_record
from jijian.core.language import platform_language
from jijian.core.sensitive.crypto import blind_index

from .models import IntegrityArchive, OpinionPerson, OpinionVerdict
from .opinions import gather, propose

NOT_FOUND_LABEL = gettext_lazy("档案中未查到")


def _region_archives(user):
    unit = user.org_unit
    qs = IntegrityArchive.objects.filter(is_active=True)
    if unit.county_id:
        return qs.filter(org_unit__county_id=unit.county_id)
    return qs.filter(org_unit__city_id=unit.city_id or unit.pk)


def archive_vetting(user, *, id_number: str = "", name: str) -> dict:
    id_number = (id_number or "").strip().upper()
    person = OpinionPerson(name=(name or "").strip(), id_number=id_number)
    person.id_number_index = blind_index(id_number) if id_number else ""
    # An ID number matching an archive of another name gives no archive (opinions.gather).
    facts = gather(user, [person], among=_region_archives(user))[0]
    archive = facts.archive
    found = archive is not None
    verdict = propose(facts)
    answer = {
        "found": found,
        "verdict": str(verdict),
        "verdict_label": str(OpinionVerdict(verdict).label if found else NOT_FOUND_LABEL),
        "facts": facts.lines() if found else [str(facts.note or NOT_FOUND_LABEL)],
    }
    with platform_language():
        audit_record(
            actor=user,
            action="archive.vetting",
            object_type="archives.integrityarchive",
            object_id=archive.pk if archive is not None else "",
            org_unit_id=user.org_unit_id,
            summary=f"任职资格廉情审查：{person.name}（{OpinionVerdict(verdict).label if found else NOT_FOUND_LABEL}）",
            after={"found": found, "verdict": answer["verdict"]},
        )
    return answer
