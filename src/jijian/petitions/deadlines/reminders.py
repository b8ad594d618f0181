"""Reminders of the statutory time limits, and the quarterly results back to the petition office.

State-based, never date-equality-based: each run looks at every open limit that is yellow or red
*now* and sends what is owed and not sent yet, so a run repeated (or two workers at once) sends
nothing twice (notify's dedup_key, unique per recipient) and a run missed (a restart, an outage)
is caught up by the next one:

- yellow (due by deadlines.warn_until(today)): once, to whoever holds the item — for a report, the
  petition office (信访室) of the holding body, and the township committee when the holder is a
  township; for a clue, the case management office (案管室) of the holder;
- red (the due date has passed): once more, to them and to the commission leaders (纪委监委领导)
  of the holder. A limit that turned red while nobody ran gets the red reminder only (the yellow
  one would arrive too late to mean anything).

A limit that waits on a leader's approval (deadlines.LEADER_APPROVALS: the holder sent its 办结 report, or
its answer upholding the result against an objection) is owed to the leaders who decide for the holder
(services.leaders_of, for all the holders at once) instead, yellow and red, asking them to decide; the holder, who has done its part,
gets nothing until a leader returns it.

A limit moved to another holder (a forward) is owed again to the new holder's people; a limit
extended with a leader's approval (handling/conclusion.py) is owed them again for its new date. Staff who
declared a relation to the accused (回避) get nothing about the item. Messages are in-app only and
name the item's number, never the accused or the reporter.

Quarterly (季度办理结果反馈信访室): the first run in a new quarter sends the petition office of every
commission a summary of the previous quarter's reports held there (received, closed with results,
still open), once per unit and quarter."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from jijian.core.models import Notification, StaffRelation, User, UserRole
from jijian.core.notify import notify
from jijian.core.orgs.workdays import provisional_mark
from jijian.core.roles import Role
from jijian.petitions.deadlines import board
from jijian.petitions.deadlines.limits import LEADER_APPROVALS
from jijian.petitions.models import PetitionDeadline, PetitionReport
from jijian.petitions.services import HOLDER_TOWNSHIP_KINDS, leaders_by_unit

CHUNK = 2000


def _key(colour: str, deadline: PetitionDeadline) -> str:
    """One reminder per colour and limit; a limit extended (approved) is owed them again for its new
    date."""
    extended = f"@{deadline.due_date:%Y%m%d}" if deadline.extended_from else ""
    return f"petition-deadline-{colour}:{deadline.pk}{extended}"


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _people(unit_ids: set[int], roles: Iterable[str]) -> dict[tuple[int, str], list[User]]:
    """Active users holding `roles` at the units: {(unit id, role): [users]}."""
    found: dict[tuple[int, str], list[User]] = defaultdict(list)
    if not unit_ids:
        return found
    for unit_ids_chunk in _chunks(sorted(unit_ids)):
        for grant in UserRole.objects.filter(
            role__in=list(roles), user__is_active=True, user__org_unit_id__in=unit_ids_chunk
        ).select_related("user"):
            found[(grant.user.org_unit_id, grant.role)].append(grant.user)
    return found


def _holders_of(deadline: PetitionDeadline, people, *, red: bool) -> list[User]:
    unit = deadline.holder
    if deadline.clue_id:
        roles = [Role.CASE_MANAGEMENT]
    else:
        roles = [Role.PETITION_OFFICE]
        if unit.kind in HOLDER_TOWNSHIP_KINDS:
            roles.append(Role.TOWNSHIP_COMMITTEE)
    if red:
        roles.append(Role.COMMISSION_LEADER)
    recipients: dict[int, User] = {}
    for role in roles:
        for user in people.get((unit.pk, role), ()):
            recipients.setdefault(user.pk, user)
    return list(recipients.values())


def _accused_index(deadline: PetitionDeadline) -> str:
    item = deadline.clue if deadline.clue_id else deadline.report
    return getattr(item, "accused_name_index", "") or ""


def _message(
    deadline: PetitionDeadline, colour: str, today: date, left: int, *, awaiting: bool = False
) -> tuple[str, str]:
    what = "问题线索" if deadline.clue_id else "信访举报件"
    label = board.item_label(deadline)
    kind = deadline.get_kind_display()
    # A due date in a year without the State Council's arrangement is provisional (workdays).
    due = f"{deadline.due_date:%Y-%m-%d}{provisional_mark(deadline.due_date)}"
    if deadline.extended_from:
        due += f"（经批准延长，原期限 {deadline.extended_from:%Y-%m-%d}）"
    if awaiting:  # the holder has done its part: the leaders are asked to decide
        ask = f"承办单位已报批“{LEADER_APPROVALS[deadline.kind].label}”，请尽快审批。"
    else:
        ask = "请立即办理。" if colour == "red" else "请抓紧办理。"
    if colour == "red":
        title = f"【已逾期】{what} {label}：{kind}"
        body = f"{what} {label} 的办理时限“{kind}”已于 {due} 到期，已逾期 {-left} 个工作日，{ask}"
    else:
        title = f"【临近到期】{what} {label}：{kind}"
        body = f"{what} {label} 的办理时限“{kind}”将于 {due} 到期（还有 {left} 个工作日），{ask}"
    if awaiting:
        title += "，待您审批"
    return title, body


def deadline_reminders_send(*, today: date | None = None) -> dict[str, int]:
    """Send every yellow and red reminder owed now and not sent before. Returns how many notifications
    were created per colour (duplicates are not counted)."""
    today = today or timezone.localdate()
    dates = board.board_dates(today)
    sent = {"yellow": 0, "red": 0}
    due = list(
        PetitionDeadline.objects.filter(met_at__isnull=True, due_date__lte=dates.warn_until)
        .select_related("holder", "report", "clue")
        .only(
            "kind",
            "due_date",
            "extended_from",
            "awaiting_leader",
            "holder__kind",
            "holder__name",
            "holder__path",
            "report__serial_number",
            "report__accused_name_index",
            "clue__number",
            "clue__accused_name_index",
        )
        .order_by("due_date", "pk")
    )
    if not due:
        return sent
    people = _people(
        {d.holder_id for d in due},
        (Role.PETITION_OFFICE, Role.TOWNSHIP_COMMITTEE, Role.CASE_MANAGEMENT, Role.COMMISSION_LEADER),
    )
    left = board.working_days_left(today, [d.due_date for d in due])
    deciders = leaders_by_unit(list({d.holder.pk: d.holder for d in due if d.awaiting_leader}.values()))
    for chunk in _chunks(due):
        planned: list[tuple[PetitionDeadline, str, User]] = []
        for deadline in chunk:
            colour = board.colour_of(deadline.due_date, dates)
            if deadline.awaiting_leader:
                recipients = deciders[deadline.holder_id]
            else:
                recipients = _holders_of(deadline, people, red=colour == "red")
            for user in recipients:
                planned.append((deadline, colour, user))
        if not planned:
            continue
        keys = {_key(colour, d) for d, colour, _ in planned}
        done = set(Notification.objects.filter(dedup_key__in=keys).values_list("recipient_id", "dedup_key"))
        indexes = {_accused_index(d) for d, _, _ in planned} - {""}
        recused = (
            set(
                StaffRelation.objects.filter(
                    is_active=True,
                    user_id__in={u.pk for _, _, u in planned},
                    relative_name_index__in=indexes,
                ).values_list("user_id", "relative_name_index")
            )
            if indexes
            else set()
        )
        for deadline, colour, user in planned:
            key = _key(colour, deadline)
            if (user.pk, key) in done or (user.pk, _accused_index(deadline)) in recused:
                continue
            awaiting = deadline.awaiting_leader
            title, body = _message(deadline, colour, today, left[deadline.due_date], awaiting=awaiting)
            link = board.item_url(deadline) + ("#approvals" if awaiting else "")
            if notify(recipient=user, title=title, body=body, link=link, dedup_key=key):
                sent[colour] += 1
    return sent


def _quarter_key(unit_id: int, year: int, quarter: int) -> str:
    return f"petition-quarterly:{unit_id}:{year}Q{quarter}"


def quarterly_feedback_send(*, today: date | None = None) -> int:
    """The previous quarter's summary to the petition office of each commission, once per unit and
    quarter (a unit that already got it is skipped, so a later run sends nothing). Returns the number
    of notifications created."""
    today = today or timezone.localdate()
    year, quarter = board.previous_quarter(today)
    offices = _people(
        set(
            UserRole.objects.filter(role=Role.PETITION_OFFICE, user__is_active=True).values_list(
                "user__org_unit_id", flat=True
            )
        ),
        (Role.PETITION_OFFICE,),
    )
    units = {unit_id for unit_id, _ in offices}
    if not units:
        return 0
    keys = {_quarter_key(u, year, quarter): u for u in units}
    done = set(Notification.objects.filter(dedup_key__in=list(keys)).values_list("dedup_key", flat=True))
    pending = sorted(u for key, u in keys.items() if key not in done)
    if not pending:
        return 0
    filters = board.quarter_filters(year, quarter)
    counts = {
        row["holder_id"]: row
        for row in PetitionReport.objects.filter(holder_id__in=pending)
        .values("holder_id")
        .annotate(**{k: Count("pk", filter=f) for k, f in filters.items()})
        .order_by()
    }
    link = reverse("petitions_board:quarterly_period", args=[year, quarter])
    created = 0
    for unit_id in pending:
        row: Mapping[str, object] = counts.get(unit_id, {})
        received, closed, still_open = row.get("received", 0), row.get("closed", 0), row.get("open", 0)
        title = f"{year}年第{quarter}季度信访举报件办理结果反馈"
        body = (
            f"{year}年第{quarter}季度，本机关承办的信访举报件：本季度收到 {received} 件；"
            f"本季度办结并有办理结果 {closed} 件；截至季度末收到、目前仍未办结 {still_open} 件。"
            "办理结果明细见“季度办理结果”页面。"
        )
        for user in offices[(unit_id, Role.PETITION_OFFICE)]:
            if notify(
                recipient=user,
                title=title,
                body=body,
                link=link,
                dedup_key=_quarter_key(unit_id, year, quarter),
            ):
                created += 1
    return created
