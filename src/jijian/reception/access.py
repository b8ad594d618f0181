"""Who sees which video receptions: module RECEPTION (信访室, 乡镇纪委, 纪委监委领导), the receptions
held by an office in one's jurisdiction or booked at a township terminal in one's jurisdiction.
Anything else is the same 404 as a missing reception."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.query import EmptyQuerySet

from jijian.core.access import get_or_404, scope, unit_scope_q
from jijian.core.models import OrgUnit
from jijian.core.roles import Module, Role

from .models import ReceptionSchedule, VideoReception

# Who receives (confirms, reschedules, runs the session, writes the minutes): the petition office and
# the commission's leaders. A township committee books for someone and runs the petitioner's side.
RECEIVER_ROLES = frozenset({Role.PETITION_OFFICE, Role.COMMISSION_LEADER})
# The kinds of unit that hold reception days (a commission).
OFFICE_KINDS = frozenset({"city", "district", "county", "county_city", "management_zone"})


def receptions_visible_to(user) -> QuerySet[VideoReception]:
    base = VideoReception.objects.select_related(
        "org_unit", "township", "slot__schedule__receiver", "accused_region", "transferred_from"
    )
    held = scope(base, user, module=Module.RECEPTION, unit_field="org_unit")
    if isinstance(held, EmptyQuerySet):
        return held
    return base.filter(unit_scope_q(user, prefix="org_unit__") | unit_scope_q(user, prefix="township__"))


def get_reception_for(user, pk) -> VideoReception:
    return get_or_404(receptions_visible_to(user), pk)


def is_receiver(user, reception: VideoReception) -> bool:
    """Whether the user receives for the reception's office (not merely its township terminal)."""
    from jijian.core.access import unit_in_scope

    return (
        user.has_module(Module.RECEPTION)
        and bool(user.role_set & RECEIVER_ROLES)
        and unit_in_scope(user, reception.org_unit)
    )


def is_township_officer(user) -> bool:
    return user.has_module(Module.RECEPTION) and Role.TOWNSHIP_COMMITTEE in user.role_set


def schedules_visible_to(user) -> QuerySet[ReceptionSchedule]:
    return scope(
        ReceptionSchedule.objects.select_related("org_unit", "receiver").filter(is_active=True),
        user,
        module=Module.RECEPTION,
        unit_field="org_unit",
    )


def bookable_schedules_for(user) -> QuerySet[ReceptionSchedule]:
    """The schedules a township officer may book on: those of the offices above the township (its
    county and its city), and those an office in jurisdiction publishes."""
    if not user.has_module(Module.RECEPTION):
        return ReceptionSchedule.objects.none()
    unit: OrgUnit = user.org_unit
    above = [pk for pk in (unit.city_id, unit.county_id, unit.zone_id) if pk]
    qs = ReceptionSchedule.objects.select_related("org_unit", "receiver").filter(is_active=True)
    return qs.filter(org_unit_id__in=above) | qs.filter(unit_scope_q(user, prefix="org_unit__"))


def leaders_of(unit: OrgUnit):
    """The commission leaders of an office (who may hold a leaders' reception day)."""
    from jijian.core.models import User

    return User.objects.filter(org_unit=unit, is_active=True, roles__role=Role.COMMISSION_LEADER).order_by(
        "full_name"
    )


def public_schedules() -> QuerySet[ReceptionSchedule]:
    """Every office's published slots: the public booking page offers them all."""
    return ReceptionSchedule.objects.select_related("org_unit", "receiver").filter(is_active=True)


def reception_by_pk(pk) -> VideoReception | None:
    """For the join endpoint, whose credential is the join token (services.join_token_check)."""
    return VideoReception.objects.filter(pk=pk).first()


def minutes_of(reception: VideoReception):
    """The reception's minutes, or None (the caller resolved the reception through its access)."""
    from .models import ReceptionMinutes

    return (
        ReceptionMinutes.objects.filter(reception=reception)
        .select_related("endorsed_by", "written_by")
        .first()
    )


def verified_recordings(reception: VideoReception):
    """The reception's verified recordings (the caller resolved the reception through its access)."""
    from .models import ReceptionRecording, RecordingState

    return ReceptionRecording.objects.filter(reception=reception, state=RecordingState.VERIFIED)


def documents_of(reception: VideoReception):
    """The documents stored with the reception (the caller resolved it through its access)."""
    from jijian.attachments.models import Attachment

    return Attachment.objects.filter(purpose="reception.document", object_id=str(reception.pk)).order_by("pk")


def office_units() -> QuerySet[OrgUnit]:
    """The places a booking names for the accused (被反映人所在地): the offices' units (the city for
    its departments, the county-level units, the management zones). Public facts: their names."""
    return OrgUnit.objects.filter(kind__in=OFFICE_KINDS, is_active=True).order_by("path")


def office_unit(pk) -> OrgUnit | None:
    """One of office_units() by its id as submitted (any text), or None."""
    pk = str(pk or "")
    return office_units().filter(pk=pk).first() if pk.isdigit() else None
