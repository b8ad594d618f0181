"""Who sees which reports from the public: holders of module PETITIONS (信访室, 案管室, 审理室) over the
subtree of their unit, by the report's region. Outside it: the same 404 as a missing report.

The reporter sees exactly one report, the one their receipt code opened: its id sits in their
session (never the code) for FOLLOW_SECONDS."""

from __future__ import annotations

import time

from django.db.models import QuerySet

from jijian.core.access import get_or_404, scope
from jijian.core.roles import Module

from .models import PetitionMessage, PetitionReport

FOLLOW_SESSION_KEY = "petitions.follow"
FOLLOW_SECONDS = 15 * 60


def petitions_visible_to(user) -> QuerySet[PetitionReport]:
    return scope(
        PetitionReport.objects.select_related("region"), user, module=Module.PETITIONS, unit_field="region"
    )


def get_petition_for(user, pk) -> PetitionReport:
    return get_or_404(petitions_visible_to(user), pk)


# --- the reporter ---------------------------------------------------------------------------------
def follow_open(request, report: PetitionReport) -> None:
    if not request.user.is_authenticated:  # a signed-in session is bound to its key (SessionGuard)
        request.session.cycle_key()  # a fresh session id for the opened report
    request.session[FOLLOW_SESSION_KEY] = {"id": report.pk, "until": int(time.time()) + FOLLOW_SECONDS}


def follow_close(request) -> None:
    request.session.pop(FOLLOW_SESSION_KEY, None)


def followed_report(request) -> PetitionReport | None:
    """The report this browser opened with its receipt code, while the short session lasts."""
    held = request.session.get(FOLLOW_SESSION_KEY)
    if not isinstance(held, dict) or held.get("until", 0) < time.time():
        if held is not None:
            follow_close(request)
        return None
    return PetitionReport.objects.select_related("region").filter(pk=held.get("id")).first()


def messages_for_reporter(report: PetitionReport) -> QuerySet[PetitionMessage]:
    # The reporter never learns which staff member wrote.
    return report.messages.only("direction", "body", "created_at").order_by("created_at", "pk")
