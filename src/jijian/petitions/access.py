"""Who sees which reports from the public and which clues: holders of module PETITIONS (信访室, 案管室,
审理室, commission leaders, township committees) over the subtree of their unit, by the body that
holds the item now (`holder`). A report forwarded up therefore leaves the register of the body that
received it (the restricted path); what that body keeps is the forward record, without content.
Staff who declared a relation to the accused (StaffRelation, 回避) do not see the item at all.
Outside any of these: the same 404 as a missing item.

The reporter sees exactly one report, the one their receipt code opened: its id sits in their
session (never the code) for FOLLOW_SECONDS."""

from __future__ import annotations

import time

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q, QuerySet

from jijian.core.access import get_or_404, scope, unit_in_scope, unit_scope_q
from jijian.core.models import StaffRelation
from jijian.core.ops.replicas import request_memo
from jijian.core.roles import Module, Role
from jijian.core.sensitive.reveal import register_reveal

from .models import (
    ApprovalKind,
    ApprovalState,
    Clue,
    ClueState,
    PetitionApproval,
    PetitionDeadline,
    PetitionForward,
    PetitionMessage,
    PetitionReport,
    PetitionState,
)

FOLLOW_SESSION_KEY = "petitions.follow"
FOLLOW_SECONDS = 15 * 60


def recused_names(user) -> list[str]:
    """Blind indexes of the names the user declared an active relation to: one small query, always on
    the primary (a relation declared a second ago counts at once, whatever database reads the items),
    once per request until the request writes (core.ops.replicas.request_memo)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return request_memo(
        f"petitions:recused:{user.pk}",
        lambda: list(
            StaffRelation.objects.using(DEFAULT_DB_ALIAS)
            .filter(user=user, is_active=True)
            .exclude(relative_name_index="")
            .values_list("relative_name_index", flat=True)
        ),
    )


def _recused(user, qs: QuerySet, field: str = "accused_name_index") -> QuerySet:
    """Leave out items about a person the user declared a relation to (matched by blind index of
    the name: the relation's name is stored encrypted). The relations are read here, on the primary,
    and enter the items' statement as values: a reporting read on a replica reads no relation."""
    names = recused_names(user)
    return qs.exclude(**{f"{field}__in": names}) if names else qs


def petitions_visible_to(user) -> QuerySet[PetitionReport]:
    qs = scope(
        PetitionReport.objects.select_related("region", "holder"),
        user,
        module=Module.PETITIONS,
        unit_field="holder",
    )
    return _recused(user, qs)


def get_petition_for(user, pk) -> PetitionReport:
    return get_or_404(petitions_visible_to(user), pk)


def forwards_sent_by(user) -> QuerySet[PetitionForward]:
    """Forwards out of a body in the user's jurisdiction, for tracking until answered. A restricted
    forward shows only its number, dates and receiving body here (templates must not show content)."""
    return scope(
        PetitionForward.objects.select_related("report", "to_unit", "from_unit"),
        user,
        module=Module.PETITIONS,
        unit_field="from_unit",
    )


def forwarded_out(user, pk) -> PetitionForward | None:
    """The latest forward, out of a body in the user's jurisdiction, of report `pk` the user can no
    longer see: a colleague forwarded it up while the user had its page open, or a link kept from
    before. The user's sent forwards already list it; anyone else gets None (and the page its 404)."""
    try:
        # Held inside the jurisdiction: visible, or hidden from this user by recusal, whose 404 stands.
        held_here = PetitionReport.objects.filter(unit_scope_q(user, prefix="holder__"), pk=pk).exists()
    except (ValueError, TypeError, OverflowError):
        return None
    if held_here:
        return None
    return forwards_sent_by(user).filter(report_id=pk).order_by("-forwarded_at", "-pk").first()


def forwards_received_by(user) -> QuerySet[PetitionForward]:
    """Forwards into a body in the user's jurisdiction (to accept or transfer)."""
    qs = scope(
        PetitionForward.objects.select_related("report", "to_unit", "from_unit"),
        user,
        module=Module.PETITIONS,
        unit_field="to_unit",
    )
    return _recused(user, qs, "report__accused_name_index")


def get_received_forward_for(user, pk) -> PetitionForward:
    return get_or_404(forwards_received_by(user), pk)


def clues_visible_to(user) -> QuerySet[Clue]:
    qs = scope(
        Clue.objects.select_related("holder", "report"), user, module=Module.PETITIONS, unit_field="holder"
    )
    return _recused(user, qs)


def get_clue_for(user, pk) -> Clue:
    return get_or_404(clues_visible_to(user), pk)


def get_approval_for(user, report: PetitionReport, pk) -> PetitionApproval:
    """One leader approval of a report the user sees (`get_petition_for` first); 404 otherwise."""
    return get_or_404(PetitionApproval.objects.filter(report=report), pk)


def approvals_pending_for(user) -> QuerySet[PetitionApproval]:
    """What waits on a leader, of the reports the user sees: extensions and 办结 reports of accepted
    reports, answers upholding the result against an objection on closed ones."""
    return PetitionApproval.objects.filter(
        Q(kind=ApprovalKind.OBJECTION_UPHELD, report__state=PetitionState.CLOSED)
        | Q(~Q(kind=ApprovalKind.OBJECTION_UPHELD), report__state=PetitionState.ACCEPTED),
        state=ApprovalState.PENDING,
        report__in=petitions_visible_to(user),
    )


def deadlines_visible_to(user) -> QuerySet[PetitionDeadline]:
    """Open time limits held by bodies in the user's jurisdiction (the deadline board)."""
    return scope(
        PetitionDeadline.objects.filter(met_at__isnull=True),
        user,
        module=Module.PETITIONS,
        unit_field="holder",
    )


def relations_of(user) -> QuerySet[StaffRelation]:
    """A staff member's own declared relations (回避申报)."""
    if not getattr(user, "is_authenticated", False):
        return StaffRelation.objects.none()
    return StaffRelation.objects.filter(user=user)


def get_relation_for(user, pk) -> StaffRelation:
    return get_or_404(relations_of(user), pk)


# --- revealing the reporter -------------------------------------------------------------------------
def _reporter_reveal_allowed(actor, report) -> bool:
    """Only the petition office of the body that received the report (or above it) may see who
    reported; a body it was forwarded to works with the masked identity, and so does anyone who is
    recused from it."""
    return (
        reporter_receiver_in_scope(actor, report)
        and petitions_visible_to(actor).filter(pk=report.pk).exists()
    )


def reporter_receiver_in_scope(actor, report) -> bool:
    """The part of the reporter rule that needs no query: the body that received the report is in the
    actor's jurisdiction. For rows already read through petitions_visible_to (the register export),
    this and the role are the whole rule."""
    unit = report.received_unit or report.holder
    return unit is not None and unit_in_scope(actor, unit)


for _field, _label in (
    ("reporter_name", "举报人姓名"),
    ("reporter_id_number", "举报人身份证号"),
    ("reporter_phone", "举报人联系电话"),
):
    register_reveal(
        "petitions.petitionreport",
        _field,
        # A township committee takes letters and visits itself: it may see who reported what it received.
        roles={Role.PETITION_OFFICE, Role.COMMISSION_LEADER, Role.TOWNSHIP_COMMITTEE},
        label=_label,
        in_jurisdiction=_reporter_reveal_allowed,
    )


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
    report_id = held.get("id")
    if not isinstance(report_id, int):
        return None
    return PetitionReport.objects.select_related("region").filter(pk=report_id).first()


def messages_for_reporter(report: PetitionReport) -> QuerySet[PetitionMessage]:
    # The reporter never learns which staff member wrote.
    return report.messages.only("direction", "body", "created_at").order_by("created_at", "pk")


def archive_report_counts(user, archive_ids) -> dict[int, dict[str, int]]:
    """For the integrity opinion (core.links.archive_report_counts): per archive, the linked reports
    held in the user's jurisdiction still open (received, accepted, forwarded) and closed."""
    from django.db.models import Count

    closed = {PetitionState.CLOSED, PetitionState.NOT_ACCEPTED}
    counts: dict[int, dict[str, int]] = {}
    rows = (
        PetitionReport.objects.filter(archive_id__in=list(archive_ids))
        .filter(unit_scope_q(user, prefix="holder__"))
        .values("archive_id", "state")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        archive_id = row["archive_id"]
        assert archive_id is not None  # filtered by archive_id__in
        bucket = counts.setdefault(archive_id, {"open": 0, "closed": 0})
        bucket["closed" if row["state"] in closed else "open"] += row["n"]
    return counts


# A clue not yet concluded: in handling, awaiting approval or held (暂存待查). Transferred (转立案审查调查)
# is counted apart: an investigation is under way or has ended outside this register.
CLUE_OPEN_STATES = (
    ClueState.REGISTERED,
    ClueState.PENDING_APPROVAL,
    ClueState.TALK_OR_LETTER,
    ClueState.PRELIMINARY_CHECK,
    ClueState.HELD,
)


def archive_clue_counts(user, archive_ids, name_indexes) -> dict[str, dict]:
    """For the integrity opinion (core.links.archive_clue_counts): the problem clues held by a body
    in the user's jurisdiction (the register's holder rule).

    - "linked": per archive of `archive_ids`, the clues about it — linked to it on the clue's page, or
      (without a link of their own) through their source report — by state:
      {"open": n, "transferred": n, "closed": n} (open: CLUE_OPEN_STATES).
    - "unlinked": per blind index of `name_indexes`, the clues about someone of that name that no
      archive link ties to anyone (no link of their own, and no source report or one linked to no
      archive) and that are not closed: {name_index: n}. A namesake or the person: the case
      management office checks.

    Two queries for any number of archives."""
    from django.db.models import BigIntegerField, Count
    from django.db.models.functions import Coalesce

    ids = list(archive_ids)
    held = Clue.objects.filter(unit_scope_q(user, prefix="holder__")).order_by()
    linked: dict[int, dict[str, int]] = {}
    rows = (
        held.filter(Q(archive_id__in=ids) | Q(archive_id__isnull=True, report__archive_id__in=ids))
        .annotate(about=Coalesce("archive_id", "report__archive_id", output_field=BigIntegerField()))
        .values("about", "state")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        bucket = linked.setdefault(row["about"], {"open": 0, "transferred": 0, "closed": 0})
        if row["state"] == ClueState.TRANSFERRED:
            bucket["transferred"] += row["n"]
        elif row["state"] == ClueState.CLOSED:
            bucket["closed"] += row["n"]
        else:
            bucket["open"] += row["n"]
    unlinked = dict(
        held.filter(accused_name_index__in=[i for i in name_indexes if i])
        .filter(archive_id__isnull=True)
        .filter(Q(report__isnull=True) | Q(report__archive_id__isnull=True))
        .exclude(state=ClueState.CLOSED)
        .values("accused_name_index")
        .annotate(n=Count("pk"))
        .values_list("accused_name_index", "n")
    )
    return {"linked": linked, "unlinked": unlinked}


def clues_linked_to_archive(user, archive_ids) -> QuerySet[Clue]:
    """The clues about the archives `archive_ids` — linked to one on the clue's page or, without a link
    of their own, through their source report — held by a body in the viewer's jurisdiction
    (core.links.clues_linked_to_archive: the archive page shows their register data and outcome only)."""
    ids = list(archive_ids)
    return (
        Clue.objects.filter(Q(archive_id__in=ids) | Q(archive_id__isnull=True, report__archive_id__in=ids))
        .filter(unit_scope_q(user, prefix="holder__"))
        .select_related("holder")
        .order_by("-registered_at", "-pk")
    )


def reports_linked_to_archive(user, archive_id: int) -> QuerySet[PetitionReport]:
    """The reports linked to an integrity archive that are held by a body in the viewer's jurisdiction
    — the register's holder rule, so a report sent up the restricted path never shows below the body
    that holds it (core.links.reports_linked_to_archive: the archive page). The archive page shows
    number, dates, state and result only: never the reporter or the facts."""
    return (
        PetitionReport.objects.filter(archive_id=archive_id)
        .filter(unit_scope_q(user, prefix="holder__"))
        .select_related("holder")
        .order_by("-received_at", "-pk")
    )


def petition_by_serial(user, serial: str) -> PetitionReport | None:
    """The report with this register number that `user` may see (core.links.petition_by_serial: video
    reception links a session to it)."""
    serial = (serial or "").strip()
    if not serial:
        return None
    return petitions_visible_to(user).filter(serial_number=serial).first()


def petitions_open(report_ids) -> set[int]:
    """Of the reports `report_ids`, those still open (neither concluded nor not accepted): a system
    question without a user (core.links.petitions_open; video reception's recording retention)."""
    from .models import PetitionState

    ids = [int(i) for i in report_ids]
    if not ids:
        return set()
    return set(
        PetitionReport.objects.filter(pk__in=ids)
        .exclude(state__in=(PetitionState.CLOSED, PetitionState.NOT_ACCEPTED))
        .values_list("pk", flat=True)
    )


def petition_matters(report_ids) -> dict[int, str]:
    """The matter (反映问题类别) of each of the reports `report_ids`, as its Chinese label: a system
    question without a user that gives nothing else of the report (core.links.petition_matters; video
    reception's statistics by matter). One query."""
    from .models import Matter

    ids = [int(i) for i in report_ids]
    if not ids:
        return {}
    return {
        pk: str(Matter(matter).label) if matter in Matter.values else str(matter)
        for pk, matter in PetitionReport.objects.filter(pk__in=ids).values_list("pk", "matter")
    }


def objections_for_reporter(report: PetitionReport):
    """The objections of the report as the reporter sees them: what was objected and the answer —
    never who recorded or answered, nor the handling body's own result text (`objected_result`)."""
    return report.objections.only(
        "channel", "received_on", "text", "new_facts", "outcome", "answer", "answered_on", "report_id"
    ).order_by("created_at", "pk")
