"""Who sees which monthly reports and duty records: the subtree of one's unit for module REPORTS.
A village member sees their village's; a township its villages'; a county and the city all below.
Writes additionally check the role (member edits, township reviews) in services."""

from __future__ import annotations

from django.db.models import QuerySet

from jijian.core.access import get_or_404, scope, users_visible_to
from jijian.core.roles import Module, Role

from .models import DutyRecord, MonthlyReport


def reports_visible_to(user) -> QuerySet[MonthlyReport]:
    """Monthly reports of the villages in the user's jurisdiction (by the village's current place in
    the tree; statistics use the ancestors as of the month instead)."""
    return scope(
        MonthlyReport.objects.select_related("village", "member"),
        user,
        module=Module.REPORTS,
        unit_field="village",
    )


def get_report_for(user, pk) -> MonthlyReport:
    return get_or_404(reports_visible_to(user), pk)


def get_report_to_write(user, pk) -> MonthlyReport:
    """The same report as get_report_for (same scope, same 404), read with its village only: the
    write paths (save, submit) answer without the member, so they skip that join."""
    return get_or_404(reports_visible_to(user).select_related(None).select_related("village"), pk)


def get_member_for(user, pk):
    """A discipline member (a village's or a department's) in the user's jurisdiction, else 404: whom
    the reviewer grades and records talks with (page and API alike)."""
    return get_or_404(
        users_visible_to(user)
        .filter(roles__role__in=(Role.VILLAGE_MEMBER, Role.DEPARTMENT_MEMBER))
        .distinct(),
        pk,
    )


def duty_records_visible_to(user) -> QuerySet[DutyRecord]:
    return scope(
        DutyRecord.objects.select_related("duty_type", "village").filter(is_deleted=False),
        user,
        module=Module.REPORTS,
        unit_field="village",
    )


def get_duty_record_for(user, pk) -> DutyRecord:
    return get_or_404(duty_records_visible_to(user), pk)


def clue_source_records(user) -> QuerySet[DutyRecord]:
    """Duty records of village members that found or passed on a clue, in the villages of the user's
    jurisdiction for module PETITIONS (a case management office has no REPORTS module), newest first:
    what the case management office registers a clue from (core.links.clue_source_records). Any duty
    type counted as a clue (DutyType.counts_as_clue) qualifies, so a county's own clue type works too."""
    return scope(
        DutyRecord.objects.select_related("duty_type", "village", "member").filter(
            is_deleted=False, duty_type__counts_as_clue=True
        ),
        user,
        module=Module.PETITIONS,
        unit_field="village",
    ).order_by("-occurred_on", "-pk")


def duty_record_briefs(record_ids) -> dict[int, DutyRecord]:
    """The duty records `record_ids` as another platform's page names its source (a clue registered
    from one, core.links.duty_record_briefs): day, village, duty type; nothing of the record's notes or
    data. An id the log does not hold is absent."""
    ids = [int(i) for i in record_ids if i is not None]
    rows = (
        DutyRecord.objects.filter(pk__in=ids)
        .select_related("duty_type", "village")
        .only("pk", "occurred_on", "village__name", "duty_type__name")
    )
    return {r.pk: r for r in rows}
