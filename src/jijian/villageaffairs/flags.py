"""Risk flags (风险提示) of a 三重一大 decision, computed from its 四议两公开 steps — never stored, so a
step recorded or corrected moves them at once. Each flag carries its rule, shown beside it, and the
finding that breaks it. The township answers a flag (FlagAnswer, by the flag's key).

The rules (docs/villageaffairs.md):
- missing:    a step is not recorded while a later one is (the six steps build on each other);
- order:      a step was recorded before the step it depends on (with the member's explanation);
- date:       a step is dated before the step it depends on;
- quorum:     the party members' meeting or the villagers' (representatives') meeting had fewer than
              two thirds of its roll;
- votes:      the party members' meeting passed with no more than half of the members due, the
              villagers' meeting with no more than half of those present;
- late:       the minutes of a meeting were recorded more than the village's set number of days after;
- same_attendees / same_minutes: the same attendance list of a party or villagers' meeting, or the
              same minutes text, appears on another meeting of the village (the falsified-record risk
              point of 三重一大 decisions); the same list is not compared when everyone due attended
              or with a meeting held the same day (one sitting reviewing several matters);
- stalled:    the next step is not recorded long after the last one was held: more than
              settings.VILLAGEAFFAIRS_STEP_STALL_DAYS (30) days after any step up to the resolution's
              publication, more than VILLAGEAFFAIRS_RESULT_PUBLIC_DAYS (180) after it for the result's
              (a resolution passed and never made public, a result never published), or the shorter
              limits the village's rules set (`step_stall_days`, `result_public_days` of the decision's
              rules). Not raised when the last meeting voted the matter down (its "votes" flag goes to
              the township already).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import NamedTuple, Protocol

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jijian.smcrypto import sm3_hex

from .models import MEETING_STEPS, QUORUM_STEPS, Step

# Minutes shorter than this (after normalising) are too generic to call copied.
MIN_MINUTES_CHARS = 20
_SPLIT = re.compile(r"[\s,，、;；]+")
_SPACE = re.compile(r"\s+")


def attendees_digest(text: str) -> str:
    """The same people in any order, separator or spacing give the same digest; none gives ""."""
    names = sorted({n for n in _SPLIT.split(text or "") if n})
    return sm3_hex("\n".join(names).encode()) if names else ""


def attendee_count(text: str) -> int:
    return len({n for n in _SPLIT.split(text or "") if n})


def minutes_digest(text: str) -> str:
    body = _SPACE.sub("", text or "")
    return sm3_hex(body.encode()) if len(body) >= MIN_MINUTES_CHARS else ""


class StepFacts(NamedTuple):
    """What the flag rules read of one recorded step — the one form every caller hands them
    (selectors.steps_facts reads it with `values_list(*STEP_FACTS)`): a board of thousands of steps
    builds no model instances, and the minutes, attendance lists and opinions, most of a step's
    bytes, stay in the database."""

    id: int
    decision_id: int
    step: int
    held_on: date
    roll: int | None
    attended: int | None
    votes_for: int | None
    out_of_sequence_reason: str
    recorded_at: datetime
    attendees_digest: str
    minutes_digest: str


# The DecisionStep columns of StepFacts, in its order.
STEP_FACTS = StepFacts._fields


class DecisionFacts(Protocol):
    """What the flag rules read of a decision: a MajorDecision (its page, the register) or a row of
    the risk board (selectors.BoardDecision)."""

    @property
    def pk(self) -> int: ...

    @property
    def village_id(self) -> int: ...

    @property
    def title(self) -> str: ...

    @property
    def rules(self) -> dict: ...


@dataclass(frozen=True)
class Flag:
    key: str  # stable: "<rule>:<step>" (the township's answer is kept by it)
    title: str  # the rule's name, as shown (its words, like the rule's and the finding's, are in the
    # language active when it was computed)
    rule: str  # the rule, as shown
    finding: str  # what in this decision breaks it
    step: int
    raised_at: datetime  # when the step that raised it was recorded (the answer's time limit runs from it)

    @property
    def code(self) -> str:
        return self.key.split(":", 1)[0]


TITLES = {
    "missing": _("缺少环节"),
    "order": _("环节顺序颠倒"),
    "date": _("日期早于前置环节"),
    "quorum": _("到会人数不足"),
    "votes": _("表决未过半数"),
    "late": _("会议记录迟录"),
    "same_attendees": _("参会名单雷同"),
    "same_minutes": _("会议记录雷同"),
    "stalled": _("环节停滞"),
}

RULES = {
    "missing": _("四议两公开须依次经过六个环节，后一环节以前一环节为前提，不得缺少。"),
    "order": _("各环节须在其前置环节完成后进行。"),
    "date": _("各环节的日期不得早于其前置环节的日期。"),
    "quorum": _("党员大会须有三分之二以上党员到会；村民代表会议须有三分之二以上组成人员参加。"),
    "votes": _("党员大会审议须经应到会党员过半数同意；村民（代表）会议决议须经到会人员过半数同意。"),
    "late": _("会议记录应当会后及时登记，超过本村规定天数登记的予以提示。"),
    "same_attendees": _(
        "党员大会、村民（代表）会议的参会名单与本村其他会议完全相同，可能存在会议记录不规范、弄虚作假。"
    ),
    "same_minutes": _("会议记录与本村其他会议的记录完全相同，可能存在会议记录不规范、弄虚作假。"),
    "stalled": _(
        "四议两公开应连续进行：前一环节后超过规定天数仍未进行下一环节的予以提示，"
        "如决议通过后未公开、事项实施后未公开结果。"
    ),
}


@lru_cache(maxsize=8)
def _step_labels(language: str | None) -> dict[int, str]:
    return {s.value: str(s.label) for s in Step}


@lru_cache(maxsize=8)
def _rule_texts(language: str | None) -> dict[str, tuple[str, str]]:
    """Each rule's (title, rule) in `language`, translated once per language."""
    return {code: (str(TITLES[code]), str(rule)) for code, rule in RULES.items()}


def step_labels() -> dict[int, str]:
    """The steps' names in the active language, translated once per language rather than once per
    use (get_step_display() hashes every lazy, translated choice on each call: thousands of gettext
    calls on a board of thousands of steps)."""
    return _step_labels(translation.get_language())


def decision_flags(
    decision: DecisionFacts,
    steps: list[StepFacts],
    duplicates: dict[tuple[str, int, str], list[str]] | None = None,
    *,
    today: date | None = None,
) -> list[Flag]:
    """The flags of one decision. `steps` are its recorded steps; `duplicates` maps ("a"|"m", village
    id, digest) to the meetings of that village with that attendance list or minutes (their names, as
    meeting_name() names them), as selectors.duplicate_meetings finds them."""
    return decisions_flags([decision], {decision.pk: steps}, duplicates, today=today)[decision.pk]


def stall_limits() -> tuple[int, int]:
    """(days after a step up to the resolution's publication, days after it for the result's)."""
    return (
        settings.VILLAGEAFFAIRS_STEP_STALL_DAYS,
        settings.VILLAGEAFFAIRS_RESULT_PUBLIC_DAYS,
    )


def decisions_flags(
    decisions: Iterable[DecisionFacts],
    steps: Mapping[int, list[StepFacts]],
    duplicates: dict[tuple[str, int, str], list[str]] | None = None,
    *,
    today: date | None = None,
) -> dict[int, list[Flag]]:
    """decision_flags() of each decision (its steps: `steps[decision.pk]`, none if absent), reading the
    active language and time zone once for them all rather than once per decision. `today` (default:
    the local date) is the day the stalled rule counts to."""
    labels, rules = step_labels(), _rule_texts(translation.get_language())
    tz = timezone.get_current_timezone()
    context = _Context(labels, rules, tz, today or timezone.localdate(), stall_limits())
    return {d.pk: _flags(d, steps.get(d.pk, ()), duplicates or {}, context) for d in decisions}


class _Context(NamedTuple):
    labels: dict[int, str]
    rules: dict[str, tuple[str, str]]
    tz: tzinfo
    today: date
    stall_days: tuple[int, int]


def _flags(
    decision: DecisionFacts,
    steps: Iterable[StepFacts],
    duplicates: dict[tuple[str, int, str], list[str]],
    context: _Context,
) -> list[Flag]:
    labels, rules, tz = context.labels, context.rules, context.tz
    by_step = {s.step: s for s in steps}
    flags: list[Flag] = []

    def add(code: str, step: StepFacts, finding: str) -> None:
        flags.append(Flag(f"{code}:{step.step}", *rules[code], finding, step.step, step.recorded_at))

    recorded = sorted(by_step)
    if not recorded:
        return flags
    for s in labels:  # every step, in order: one missing while a later one is recorded
        if s < recorded[-1] and s not in by_step:
            first_later = by_step[next(t for t in recorded if t > s)]
            flags.append(
                Flag(
                    f"missing:{s}",
                    *rules["missing"],
                    gettext("“%(step)s”未登记，而其后的“%(later)s”已登记。")
                    % {"step": labels[s], "later": labels[first_later.step]},
                    s,
                    first_later.recorded_at,
                )
            )
    late_days = int((decision.rules or {}).get("minutes_late_days", 7))
    village = decision.village_id
    previous: StepFacts | None = None  # the recorded step before this one
    for s in recorded:
        step = by_step[s]
        if step.out_of_sequence_reason and s - 1 in by_step:
            add(
                "order",
                step,
                gettext("“%(step)s”登记时其前置环节尚未登记；说明：%(reason)s")
                % {"step": labels[s], "reason": step.out_of_sequence_reason},
            )
        if previous is not None and step.held_on < previous.held_on:
            add(
                "date",
                step,
                gettext("“%(step)s”日期 %(day)s 早于“%(earlier)s”的 %(earlier_day)s。")
                % {
                    "step": labels[s],
                    "day": f"{step.held_on:%Y-%m-%d}",
                    "earlier": labels[previous.step],
                    "earlier_day": f"{previous.held_on:%Y-%m-%d}",
                },
            )
        previous = step
        quorum_step = s in QUORUM_STEPS
        if quorum_step and step.roll and step.attended is not None:
            if step.attended * 3 < step.roll * 2:
                add(
                    "quorum",
                    step,
                    gettext(
                        "“%(step)s”应到 %(roll)s 人，实到 %(attended)s 人，不足三分之二（至少 %(least)s 人）。"
                    )
                    % {
                        "step": labels[s],
                        "roll": step.roll,
                        "attended": step.attended,
                        "least": -(-step.roll * 2 // 3),
                    },
                )
            base = step.roll if s == Step.PARTY_MEETING else step.attended
            if step.votes_for is not None and base and step.votes_for * 2 <= base:
                finding = (
                    gettext("赞成 %(votes)s 票，未超过应到会党员 %(base)s 人的半数。")
                    if s == Step.PARTY_MEETING
                    else gettext("赞成 %(votes)s 票，未超过到会人员 %(base)s 人的半数。")
                )
                add("votes", step, finding % {"votes": step.votes_for, "base": base})
        if s in MEETING_STEPS:
            recorded_on = step.recorded_at.astimezone(tz).date()
            days = (recorded_on - step.held_on).days
            if days > late_days:
                add(
                    "late",
                    step,
                    gettext(
                        "会议于 %(held)s 召开，记录于 %(recorded)s 登记，相隔 %(days)s 天（本村规定 %(limit)s 天内）。"
                    )
                    % {
                        "held": f"{step.held_on:%Y-%m-%d}",
                        "recorded": f"{recorded_on:%Y-%m-%d}",
                        "days": days,
                        "limit": late_days,
                    },
                )
            if not duplicates:
                continue
            same_list = duplicates.get(("a", village, step.attendees_digest)) if quorum_step else None
            same_minutes = duplicates.get(("m", village, step.minutes_digest))
            if not (same_list or same_minutes):
                continue
            own = meeting_name(decision.title, s, step.held_on)
            # The same list is expected, not suspicious, when everyone due attended (a small branch in
            # full each time) or at another matter of the same sitting (one meeting day reviewing
            # several decisions): those are left out of the comparison.
            full = step.roll is not None and step.attended is not None and step.attended >= step.roll
            if step.attendees_digest and same_list and not full:
                same_day = _day_suffix(step.held_on)
                others = [o for o in same_list if o != own and not o.endswith(same_day)]
                if others:
                    add("same_attendees", step, gettext("参会名单与以下会议完全相同：") + "；".join(others))
            if step.minutes_digest and same_minutes:
                others = [o for o in same_minutes if o != own]
                if others:
                    add("same_minutes", step, gettext("会议记录与以下会议完全相同：") + "；".join(others))
    last = by_step[recorded[-1]]
    voted_down = any(f.code == "votes" and f.step == last.step for f in flags)
    if last.step < Step.RESULT_PUBLIC and not voted_down:
        step_days, result_days = context.stall_days
        filed = decision.rules or {}  # the village's own limits, when its rules set them
        step_days = int(filed.get("step_stall_days") or step_days)
        result_days = int(filed.get("result_public_days") or result_days)
        limit = result_days if last.step == Step.RESOLUTION_PUBLIC else step_days
        due = last.held_on + timedelta(days=limit)
        if context.today > due:
            following = last.step + 1
            flags.append(
                Flag(
                    f"stalled:{following}",
                    *rules["stalled"],
                    gettext(
                        "“%(step)s”于 %(day)s 进行，至今 %(days)s 天，“%(next)s”仍未登记（规定 %(limit)s 天内）。"
                    )
                    % {
                        "step": labels[last.step],
                        "day": f"{last.held_on:%Y-%m-%d}",
                        "days": (context.today - last.held_on).days,
                        "next": labels[following],
                        "limit": limit,
                    },
                    following,
                    datetime.combine(due + timedelta(days=1), time.min, tzinfo=tz),
                )
            )
    if len(flags) > 1:
        flags.sort(key=lambda f: (f.step, f.code))
    return flags


def meeting_name(title: str, step: int, held_on: date) -> str:
    """A meeting as a flag names it: its decision's title, the step, the day it was held (last, as
    _day_suffix writes it)."""
    return gettext("“%(title)s”的%(step)s") % {"title": title, "step": step_labels()[step]} + _day_suffix(
        held_on
    )


def _day_suffix(held_on: date) -> str:
    return f"（{held_on:%Y-%m-%d}）"
