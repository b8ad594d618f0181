"""Reads of village affairs: a decision's flags, the register of a user's villages with each
decision's open flags, and the township's risk board across its villages. A page of decisions costs
a fixed number of queries whatever its length (steps, answers and duplicate meetings are fetched for
the whole page at once)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from django.db.models import Count, F, Q, QuerySet, Value, Window
from django.db.models.functions import NullIf
from django.utils import timezone

from jijian.attachments.access import attachments_visible_to
from jijian.core.orgs.workdays import WorkingDays
from jijian.core.roles import Module

from .access import decisions_visible_to
from .flags import STEP_FACTS, DecisionFacts, Flag, StepFacts, decisions_flags, meeting_name
from .models import (
    DecisionCategory,
    DecisionStep,
    FlagAnswer,
    MajorDecision,
    StepCorrection,
    VillageRules,
    answer_working_days,
)


def duplicate_meetings(
    villages: set[int] | QuerySet, steps: list[StepFacts]
) -> dict[tuple[str, int, str], list[str]]:
    """For the attendance-list and minutes digests of `steps` that another meeting of the same village
    carries, every meeting of that village that carries it, named as meeting_name() names them:
    ("a"|"m", village id, digest) -> names, oldest first. `villages`: their ids, or a queryset of
    them (a subquery). One query whatever the number of steps."""
    a = {s.attendees_digest for s in steps if s.attendees_digest}
    m = {s.minutes_digest for s in steps if s.minutes_digest}
    if not (a or m) or (isinstance(villages, set) and not villages):
        return {}

    def carrying(field: str) -> Window:
        # How many meetings of the village carry this meeting's digest (an empty digest counts none).
        village = F("decision__village_id")
        return Window(Count(NullIf(field, Value(""))), partition_by=[village, F(field)])

    # The meetings whose list or minutes another meeting of their village carries, in one pass over
    # the villages' steps: a meeting alone with its list or minutes raises nothing, so it is not read.
    # Restricted in SQL by the villages only, not by a list of the steps' digests (thousands of them
    # on a county's board, each a parameter to bind); the rows are matched with the steps' digests
    # below. No ORDER BY: they are sorted here.
    rows = (
        DecisionStep.objects.filter(decision__village_id__in=villages)
        .order_by()
        .annotate(same_list=carrying("attendees_digest"), same_minutes=carrying("minutes_digest"))
        .filter(Q(same_list__gt=1) | Q(same_minutes__gt=1))
        .values_list(*MEETING_NAME_FIELDS, "same_list", "same_minutes")
    )
    found: dict[tuple[str, int, str], list[str]] = defaultdict(list)
    for _pk, village, title, step, held_on, a_digest, m_digest, same_list, same_minutes in sorted(
        rows, key=lambda row: (row[4], row[0])
    ):
        name = meeting_name(title, step, held_on)
        if same_list > 1 and a_digest in a:
            found[("a", village, a_digest)].append(name)
        if same_minutes > 1 and m_digest in m:
            found[("m", village, m_digest)].append(name)
    return found


# What naming another meeting reads (meeting_name), with its village and its two digests.
MEETING_NAME_FIELDS = (
    "id",
    "decision__village_id",
    "decision__title",
    "step",
    "held_on",
    "attendees_digest",
    "minutes_digest",
)


def steps_facts(
    decisions: Sequence[DecisionFacts], among: QuerySet[MajorDecision] | None = None
) -> dict[int, list[StepFacts]]:
    """The recorded steps of each decision, in step order, as the flag rules read them (StepFacts).
    `among`: the queryset `decisions` were read from, to restrict the steps by it in SQL."""
    by_decision: dict[int, list[StepFacts]] = defaultdict(list)
    ids = among if among is not None else [d.pk for d in decisions]
    for row in DecisionStep.objects.filter(decision__in=ids).order_by("step").values_list(*STEP_FACTS):
        fact = StepFacts(*row)
        by_decision[fact.decision_id].append(fact)
    return by_decision


class BoardDecision(NamedTuple):
    """What the risk board shows and the flag rules read of a decision (BOARD_DECISION_FIELDS): read
    as rows, so a county's thousand decisions build no model instances (and no village instances)."""

    pk: int
    village_id: int
    category: str
    title: str
    rules: dict
    village_name: str
    village_path: str

    @property
    def category_label(self) -> str:
        return str(DecisionCategory(self.category).label)


BOARD_DECISION_FIELDS = ("pk", "village_id", "category", "title", "rules", "village__name", "village__path")


@dataclass
class FlagRow:
    decision: DecisionFacts
    flag: Flag
    answer: FlagAnswer | None
    due: date

    @property
    def overdue(self) -> bool:
        return self.answer is None and self.due < timezone.localdate()


class _Due:
    """Answer due dates: `n` working days after the day the flag was raised, counted by the core
    calendar (core.orgs.workdays.WorkingDays, as add_working_days counts) read once for the page's
    span instead of once per raising day, and counted once per raising day and limit."""

    def __init__(self, decisions: Sequence[DecisionFacts], flags: list[Flag]) -> None:
        self.tz = timezone.get_current_timezone()  # once, not once per flag
        self.counted: dict[tuple[date, int], date] = {}
        days = [f.raised_at.astimezone(self.tz).date() for f in flags]
        self.calendar: WorkingDays | None = None
        if days:
            most = max(self._n(d) for d in decisions)
            self.calendar = WorkingDays(min(days), max(days) + timedelta(days=most * 3 + 60))

    @staticmethod
    def _n(decision: DecisionFacts) -> int:
        return int((decision.rules or {}).get("answer_working_days", answer_working_days()))

    def __call__(self, decision: DecisionFacts, flag: Flag) -> date:
        key = (flag.raised_at.astimezone(self.tz).date(), self._n(decision))
        due = self.counted.get(key)
        if due is None:
            assert self.calendar is not None  # made for these flags
            due = self.counted[key] = self.calendar.add(*key)
        return due


def flag_rows(
    decisions: Sequence[DecisionFacts], among: QuerySet[MajorDecision] | None = None
) -> dict[int, list[FlagRow]]:
    """Every flag of each decision with its answer and due date (a fixed number of queries).
    `among`: the queryset whose rows `decisions` are (the board's): the steps, answers and meetings
    are then restricted by it in SQL (a subquery) instead of by a list of ids — on a county's board
    a thousand parameters to bind in each of three statements."""
    ids = among if among is not None else [d.pk for d in decisions]
    villages = among.values("village_id") if among is not None else {d.village_id for d in decisions}
    steps = steps_facts(decisions, among)
    dupes = duplicate_meetings(villages, [s for group in steps.values() for s in group])
    answers = {
        (a.decision_id, a.flag_key): a
        for a in FlagAnswer.objects.select_related("answered_by").filter(decision__in=ids)
    }
    flags = decisions_flags(decisions, steps, dupes)
    due = _Due(decisions, [f for group in flags.values() for f in group])
    return {
        d.pk: [FlagRow(d, f, answers.get((d.pk, f.key)), due(d, f)) for f in flags[d.pk]] for d in decisions
    }


def decision_flags_for(decision: MajorDecision) -> list[Flag]:
    return [row.flag for row in flag_rows([decision])[decision.pk]]


def decision_register(user, *, village_id: int | None = None) -> QuerySet[MajorDecision]:
    qs = decisions_visible_to(user)
    if village_id:
        qs = qs.filter(village_id=village_id)
    return qs.order_by("-created_at", "-pk")


def decision_page(decisions: list[MajorDecision]) -> list[dict]:
    """The rows of a register page: each decision with its recorded steps and open flags."""
    rows = flag_rows(decisions)
    steps = steps_facts(decisions)
    return [
        {
            "decision": d,
            "done": {s.step for s in steps[d.pk]},
            "open_flags": sum(1 for r in rows[d.pk] if r.answer is None),
            "flags": len(rows[d.pk]),
        }
        for d in decisions
    ]


def risk_board(user, *, village_id: int | None = None, show_answered: bool = False) -> list[FlagRow]:
    """The flags across the user's villages: open ones first, the most overdue first."""
    # Unordered: the rows are sorted below.
    visible = decision_register(user, village_id=village_id).order_by()
    decisions = [BoardDecision(*row) for row in visible.values_list(*BOARD_DECISION_FIELDS)]
    path = {d.pk: d.village_path for d in decisions}
    rows = [r for group in flag_rows(decisions, visible).values() for r in group]
    if not show_answered:
        rows = [r for r in rows if r.answer is None]
    rows.sort(key=lambda r: (r.answer is not None, r.due, path[r.decision.pk], r.decision.pk))
    return rows


def step_files(user, steps: list[DecisionStep]) -> dict[int, list]:
    """The files of each step the user may see, in one query."""
    found: dict[int, list] = defaultdict(list)
    ids = [str(s.pk) for s in steps]
    if not ids:
        return found
    rows = attachments_visible_to(user).filter(
        module=Module.VILLAGE_AFFAIRS, purpose="villageaffairs.step", object_id__in=ids
    )
    for a in rows.order_by("pk"):
        found[int(a.object_id)].append(a)
    return found


def step_corrections(steps: list[DecisionStep]) -> dict[int, list[StepCorrection]]:
    """The correction history of each step (oldest first), in one query."""
    found: dict[int, list[StepCorrection]] = defaultdict(list)
    rows = StepCorrection.objects.select_related("corrected_by").filter(step__in=[s.pk for s in steps])
    for c in rows.order_by("corrected_at", "pk"):
        found[c.step_id].append(c)
    return found


def rules_of(village) -> VillageRules | None:
    return VillageRules.objects.filter(village=village).first()


def voucher_receipts(user, voucher) -> list:
    """The receipt photos of a voucher the user may see."""
    return list(
        attachments_visible_to(user)
        .filter(module=Module.VILLAGE_AFFAIRS, purpose="villageaffairs.voucher", object_id=str(voucher.pk))
        .order_by("pk")
    )


def step_of(decision: MajorDecision, step: int) -> DecisionStep | None:
    """The recorded step `step` of a decision the caller already resolved through access."""
    return DecisionStep.objects.filter(decision=decision, step=step).first()
