"""Reads of the cadres app beyond a scoped queryset: the task lists with their overdue state, the
counts the evaluation reads (core.links.guidance_task_counts), the history of a village's post, the
posts vacant and those never recorded (建档 not done) with the member taken to hold such a post
(unrecorded_holder_of: for a village the caller resolved through access), and the periods people
held posts (core.links.post_holding_periods, post_holders_on)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from jijian.core.models import User, UserRole
from jijian.core.roles import Role

from .access import holdings_visible_to, tasks_visible_to
from .models import GuidanceTask, PostHolding

# Open: unanswered and not closed with the member's holding (closed_on).
OPEN = Q(answered_at__isnull=True, closed_on__isnull=True)
STATUS_FILTERS = {
    "open": OPEN,
    "overdue": OPEN,  # narrowed by date in task_list
    "answered": Q(answered_at__isnull=False),
    "closed": Q(answered_at__isnull=True, closed_on__isnull=False),
}


TASK_STATUSES = {
    "done_late": (gettext_lazy("逾期办结"), "overdue"),
    "done": (gettext_lazy("按期办结"), "done"),
    "closed": (gettext_lazy("离任终止"), ""),
    "overdue": (gettext_lazy("逾期未办"), "overdue"),
    "open": (gettext_lazy("办理中"), ""),
}  # key: (what the reader reads, the badge's class)


def task_state(task: GuidanceTask, today: date) -> str:
    """The task's status key (TASK_STATUSES)."""
    if task.answered_on is not None:
        return "done_late" if task.answered_on > task.due_on else "done"
    if task.closed_on is not None:
        return "closed"
    return "overdue" if today > task.due_on else "open"


def task_status(task: GuidanceTask, today: date) -> str:
    """The task's status as the reader reads it."""
    return str(TASK_STATUSES[task_state(task, today)][0])


def task_badge(task: GuidanceTask, today: date) -> tuple[str, str]:
    """The status as shown in a list or on the task: (label, CSS class)."""
    label, css = TASK_STATUSES[task_state(task, today)]
    return str(label), css


def task_list(user, *, status: str = "", today: date | None = None) -> QuerySet[GuidanceTask]:
    """The user's tasks (a member's own, an officer's villages'), open ones first by deadline."""
    today = today or timezone.localdate()
    qs = tasks_visible_to(user)
    if status in STATUS_FILTERS:
        qs = qs.filter(STATUS_FILTERS[status])
    if status == "overdue":
        qs = qs.filter(due_on__lt=today)
    # Among the unanswered, those closed with a holding after the open ones.
    return qs.order_by("answered_at", F("closed_on").asc(nulls_first=True), "due_on", "-pk")


def overdue_count(user, *, today: date | None = None) -> int:
    """Open tasks past their deadline, as the member or the township sees them."""
    today = today or timezone.localdate()
    return tasks_visible_to(user).filter(OPEN, due_on__lt=today).count()


def guidance_task_counts(user_ids, year: int, *, today: date | None = None) -> dict[int, dict[str, int]]:
    """core.links.guidance_task_counts: per member, the tasks issued to them in `year` (by issue
    date): issued, answered, answered on time, overdue (answered late, or open past the deadline).
    A task closed with the member's holding (closed_on) counts as overdue when its deadline had
    passed before the last day held, and not at all otherwise (it could not be judged).
    One query for any number of members; members without a task are absent."""
    today = today or timezone.localdate()
    unanswered = Q(answered_on__isnull=True)
    closed = Q(closed_on__isnull=False)
    left_overdue = unanswered & closed & Q(due_on__lt=F("closed_on"))
    rows = (
        GuidanceTask.objects.filter(member_id__in=list(user_ids), issued_on__year=year)
        .exclude(unanswered & closed & Q(due_on__gte=F("closed_on")))
        .values("member_id")
        .annotate(
            issued=Count("pk"),
            answered=Count("pk", filter=Q(answered_on__isnull=False)),
            on_time=Count("pk", filter=Q(answered_on__isnull=False, answered_on__lte=F("due_on"))),
            late=Count("pk", filter=Q(answered_on__isnull=False, answered_on__gt=F("due_on"))),
            open_overdue=Count(
                "pk", filter=(unanswered & Q(closed_on__isnull=True, due_on__lt=today)) | left_overdue
            ),
        )
    )
    return {
        r["member_id"]: {
            "issued": r["issued"],
            "answered": r["answered"],
            "on_time": r["on_time"],
            "overdue": r["late"] + r["open_overdue"],
        }
        for r in rows
    }


def _with_role(qs: QuerySet[PostHolding]) -> QuerySet[PostHolding]:
    """Each holding with `holder_in_role`: whether its holder's account has the village-member role (an
    appointment grants none: a new holder waits for the security administrator)."""
    role = UserRole.objects.filter(user=OuterRef("holder"), role=Role.VILLAGE_MEMBER)
    return qs.annotate(holder_in_role=Exists(role))


def post_history(user, village) -> QuerySet[PostHolding]:
    """Who held the village's post when, newest first."""
    return _with_role(holdings_visible_to(user).filter(village=village).order_by("-started_on"))


def vacant_villages(user):
    """The villages of an officer's jurisdiction whose post has holdings on record and nobody holds
    now (a post never recorded is not vacant: unrecorded_villages)."""
    from .access import villages_of

    recorded = PostHolding.objects.values("village_id")
    held = PostHolding.objects.filter(ended_on__isnull=True).values("village_id")
    return villages_of(user).filter(pk__in=recorded).exclude(pk__in=held)


def unrecorded_villages(user):
    """The villages of an officer's jurisdiction whose post has no holding on record (建档 not done):
    their member with the role is taken to hold it (unrecorded_holder_of)."""
    from .access import villages_of

    return villages_of(user).exclude(pk__in=PostHolding.objects.values("village_id"))


def current_holdings(user) -> QuerySet[PostHolding]:
    return _with_role(holdings_visible_to(user).filter(ended_on__isnull=True).order_by("village__path"))


def unrecorded_holder_of(village, *, excluding: User | None = None) -> User | None:
    """Who is taken to hold the post of a village that has no holding on record: the longest-serving
    active account of the village with the village-member role and no holding of its own (the rule the
    monthly reports follow for such a village), `excluding` aside; None once the village's post has a
    holding on record (the holdings alone say who holds it then)."""
    if PostHolding.objects.filter(village=village).exists():
        return None
    people = User.objects.filter(org_unit=village, is_active=True, roles__role=Role.VILLAGE_MEMBER).exclude(
        Exists(PostHolding.objects.filter(holder=OuterRef("pk")))
    )
    if excluding is not None:
        people = people.exclude(pk=excluding.pk)
    return people.order_by(F("appointed_on").asc(nulls_last=True), "pk").first()


def post_now(village, *, excluding: User | None = None) -> dict:
    """The village's post as an approval would find it: {"holding": the open holding or None,
    "holder": its holder, or the member taken to hold a post never recorded (unrecorded_holder_of),
    or None while vacant}."""
    holding = (
        PostHolding.objects.filter(village=village, ended_on__isnull=True).select_related("holder").first()
    )
    if holding is not None:
        return {"holding": holding, "holder": holding.holder}
    return {"holding": None, "holder": unrecorded_holder_of(village, excluding=excluding)}


def post_holding_periods(*, user_ids, year: int) -> dict[int, list[dict]]:
    """core.links.post_holding_periods: for the people among `user_ids` with a holding on record,
    their holdings that overlap `year`, oldest first: {"village_id", "village_name", "started_on",
    "ended_on" (the last day held, None while held)}. A person with holdings none of which overlaps
    the year maps to []; a person with no holding at all is absent (appointed before the platform
    kept the posts' history: the caller takes them to hold their post all year). One query; the
    caller scopes `user_ids` by its own jurisdiction rule."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    out: dict[int, list[dict]] = {}
    for h in (
        PostHolding.objects.filter(holder_id__in=[int(i) for i in user_ids])
        .select_related("village")
        .order_by("holder_id", "started_on", "pk")
    ):
        periods = out.setdefault(h.holder_id, [])
        if h.started_on <= last and (h.ended_on is None or h.ended_on >= first):
            periods.append(
                {
                    "village_id": h.village_id,
                    "village_name": h.village.name,
                    "started_on": h.started_on,
                    "ended_on": h.ended_on,
                }
            )
    return out


def post_holders_on(*, day: date) -> dict[int, int | None]:
    """core.links.post_holders_on: for every village whose post has a holding on record, who held it
    on `day` ({village_id: holder_id}, None while the post was vacant that day). A village with no
    holding on record is absent (the reports platform keeps its own rule there). One query."""
    holders: dict[int, int | None] = {}
    rows = PostHolding.objects.order_by().values_list("village_id", "holder_id", "started_on", "ended_on")
    for village_id, holder_id, started_on, ended_on in rows:
        holders.setdefault(village_id, None)
        if started_on <= day and (ended_on is None or ended_on >= day):
            holders[village_id] = holder_id
    return holders
