"""Reads of the staff register and the report page, always starting from access.py (the user's
scope by holder, recused items left out): the filtered register, "possible repeat" markers, repeat
candidates, the detail page's related rows, and the org units a form may offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jijian.core.access import scope
from jijian.core.models import COUNTY_KINDS, TOWNSHIP_KINDS, OrgKind, OrgUnit
from jijian.core.roles import Module
from jijian.core.selectors import org_unit_search

from .access import petitions_visible_to
from .models import PetitionReport
from .routing import COMMISSION_KINDS


@dataclass(frozen=True)
class RegisterFilter:
    state: str = ""
    channel: str = ""
    category: str = ""
    received_from: date | None = None
    received_to: date | None = None
    q: str = ""


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def register(user, filters: RegisterFilter | None = None) -> QuerySet[PetitionReport]:
    """The ordinary register (登记簿) of the user's scope: reports held by a body in their subtree.
    A report forwarded up on the restricted path is held above them and so is not listed."""
    f = filters or RegisterFilter()
    qs = petitions_visible_to(user)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.received_from:
        qs = qs.filter(received_at__gte=_day_start(f.received_from))
    if f.received_to:
        qs = qs.filter(received_at__lt=_day_start(f.received_to) + timedelta(days=1))
    if f.q:
        qs = qs.filter(Q(serial_number__icontains=f.q) | Q(accused_name__icontains=f.q))
    return qs.order_by("-received_at", "-pk")


def possible_repeats(user, reports) -> set[int]:
    """Of `reports` (one page), those with another report in the user's scope about the same accused
    (blind index of the name) and matter. One query, however many rows."""
    keys = {(r.accused_name_index, r.matter) for r in reports if r.accused_name_index}
    if not keys:
        return set()
    groups = (
        petitions_visible_to(user)
        .filter(accused_name_index__in={k for k, _ in keys})
        .values("accused_name_index", "matter")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by()
    )
    shared = {(g["accused_name_index"], g["matter"]) for g in groups}
    return {r.pk for r in reports if (r.accused_name_index, r.matter) in shared}


def repeat_candidates(user, report: PetitionReport) -> QuerySet[PetitionReport]:
    """Reports in the user's scope this one may repeat: same accused and matter, received earlier
    (or at the same time with a lower number), not itself a repeat of this one."""
    if not report.accused_name_index:
        return PetitionReport.objects.none()
    return (
        petitions_visible_to(user)
        .filter(accused_name_index=report.accused_name_index, matter=report.matter)
        .filter(Q(received_at__lt=report.received_at) | Q(received_at=report.received_at, pk__lt=report.pk))
        .exclude(repeat_of=report)
        .order_by("received_at", "pk")
    )


def region_choices(user) -> QuerySet[OrgUnit]:
    """Regions a registration may name: the city, county-level units, zones and townships in the
    user's jurisdiction."""
    kinds = {OrgKind.CITY, OrgKind.MANAGEMENT_ZONE, *COUNTY_KINDS, *TOWNSHIP_KINDS}
    return scope(
        OrgUnit.objects.filter(is_active=True, kind__in=kinds), user, module=Module.PETITIONS, unit_field=None
    ).order_by("path")


COMMISSION_SHORTLIST_MAX = 300
COMMISSION_SEARCH_MAX = 30


def commission_choices(user) -> QuerySet[OrgUnit]:
    """Commissions a report may be routed to (at triage, and when a forward is transferred on): every
    active commission unit of the user's city tree — the managing body may sit above the user's own
    unit, or in another branch. This is what a choice is validated against; a select renders only
    commission_shortlist or commission_search of it. Names only are shown."""
    own = user.org_unit
    city_id = own.pk if own.kind == OrgKind.CITY else own.city_id
    qs = OrgUnit.objects.filter(is_active=True, kind__in=COMMISSION_KINDS)
    if city_id:
        qs = qs.filter(Q(pk=city_id) | Q(city_id=city_id))
    return qs.order_by("path")


def commission_shortlist(user, *, around: OrgUnit) -> QuerySet[OrgUnit]:
    """The likely managing commissions for a report at `around` (the receiving commission): its chain
    up to the city, itself, its child commissions and theirs (a county: its townships; the city:
    counties, zones, townships), the zone overseeing it, or for a zone the townships it oversees.
    At most COMMISSION_SHORTLIST_MAX, in tree order, so a select stays short on any tree size."""
    near = Q(pk__in=around.ancestor_ids()) | Q(path__startswith=around.path, depth__lte=around.depth + 2)
    if around.zone_id:
        near |= Q(pk=around.zone_id)
    if around.kind == OrgKind.MANAGEMENT_ZONE:
        near |= Q(zone_id=around.pk)
    return commission_choices(user).filter(near)[:COMMISSION_SHORTLIST_MAX]


def commission_search(user, *, q: str) -> QuerySet[OrgUnit]:
    """Commissions of the user's city tree by name or pinyin initials ("lsz" finds 厉山镇), at most
    COMMISSION_SEARCH_MAX, in tree order."""
    return org_unit_search(commission_choices(user), q=q)[:COMMISSION_SEARCH_MAX]


def report_detail(user, report: PetitionReport) -> dict:
    """The rows the report page shows, each one query. Linked repeats and the original are named
    only when they are in the user's scope too."""
    from .services import petition_evidence

    visible = petitions_visible_to(user)
    original = visible.filter(pk=report.repeat_of_id).first() if report.repeat_of_id else None
    return {
        "original": original,
        "evidence": list(petition_evidence(report)),
        "transitions": list(report.transitions.select_related("actor", "unit")),
        "forwards": list(
            report.forwards.select_related("from_unit", "to_unit", "forwarded_by", "answered_by")
        ),
        "deadlines": list(report.deadlines.select_related("holder").order_by("due_date", "pk")),
        "petition_messages": list(report.messages.select_related("author")),
        "repeats": list(visible.filter(repeat_of=report).order_by("received_at", "pk")),
    }
