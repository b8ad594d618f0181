"""Reads of the staff register and the report page, always starting from access.py (the user's
scope by holder, recused items left out): the filtered register, "possible repeat" markers, repeat
candidates, the detail page's related rows, and the org units a form may offer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from jijian.core.access import scope
from jijian.core.models import COUNTY_KINDS, TOWNSHIP_KINDS, OrgKind, OrgUnit
from jijian.core.roles import Module
from jijian.core.selectors import org_unit_search
from jijian.petitions.handling.routing import COMMISSION_KINDS

from .access import forwards_received_by, forwards_sent_by, petitions_visible_to
from .models import ForwardAnswer, PetitionForward, PetitionReport


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
    (blind index of the name) and matter, or from the same real-name reporter (blind index of the ID
    number). One query, however many rows: the reports in scope sharing a key with the page."""
    names = {r.accused_name_index for r in reports if r.accused_name_index}
    reporters = {_real_name_key(r) for r in reports if _real_name_key(r)}
    if not names and not reporters:
        return set()
    match = Q(accused_name_index__in=names) if names else Q()
    if reporters:
        match |= Q(is_anonymous=False, reporter_id_index__in=reporters)
    by_accused: Counter[tuple[str, str]] = Counter()
    by_reporter: Counter[str] = Counter()
    for name, matter, reporter, anonymous in (
        petitions_visible_to(user)
        .filter(match)
        .order_by()
        .values_list("accused_name_index", "matter", "reporter_id_index", "is_anonymous")
    ):
        if name in names:
            by_accused[(name, matter)] += 1
        if not anonymous and reporter in reporters:
            by_reporter[reporter] += 1
    return {
        r.pk
        for r in reports
        if by_accused[(r.accused_name_index, r.matter)] > 1
        or (_real_name_key(r) and by_reporter[_real_name_key(r)] > 1)
    }


def _real_name_key(report: PetitionReport) -> str:
    """The reporter's blind index when the report is in their real name (else "": no reporter match)."""
    return "" if report.is_anonymous else report.reporter_id_index


def repeat_candidates(user, report: PetitionReport) -> QuerySet[PetitionReport]:
    """Reports in the user's scope this one may repeat: same accused and matter, or the same real-name
    reporter; received earlier (or at the same time with a lower number), not itself a repeat of this
    one."""
    match = Q()
    if report.accused_name_index:
        match |= Q(accused_name_index=report.accused_name_index, matter=report.matter)
    if _real_name_key(report):
        match |= Q(is_anonymous=False, reporter_id_index=report.reporter_id_index)
    if not match:
        return PetitionReport.objects.none()
    return (
        petitions_visible_to(user)
        .filter(match)
        .filter(Q(received_at__lt=report.received_at) | Q(received_at=report.received_at, pk__lt=report.pk))
        .exclude(repeat_of=report)
        .order_by("received_at", "pk")
    )


def same_reporter(report: PetitionReport, other: PetitionReport) -> bool:
    """Whether two reports come from the same real-name reporter (the reason a candidate is shown)."""
    return bool(_real_name_key(report)) and _real_name_key(report) == _real_name_key(other)


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


# --- forwards ------------------------------------------------------------------------------------
def forwards_to_answer(user) -> QuerySet[PetitionForward]:
    """Forwards received by the user's commission and not yet answered, the earliest due first: the
    inbox of the page and of the API."""
    return forwards_received_by(user).filter(answer=ForwardAnswer.PENDING).order_by("due_date", "pk")


def forwards_sent(user, *, state: str = "", today: date) -> QuerySet[PetitionForward]:
    """Forwards sent from the user's jurisdiction, newest first, for the page and the API alike.
    `state` narrows them: "pending" (not answered), "overdue" (not answered, due before `today`),
    "answered"; anything else is all of them."""
    qs = forwards_sent_by(user).select_related("report__holder").order_by("-forwarded_at", "-pk")
    if state == "pending":
        return qs.filter(answer=ForwardAnswer.PENDING)
    if state == "overdue":
        return qs.filter(answer=ForwardAnswer.PENDING, due_date__lt=today)
    if state == "answered":
        return qs.exclude(answer=ForwardAnswer.PENDING)
    return qs
