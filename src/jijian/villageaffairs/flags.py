"""Risk flags (风险提示) of a 三重一大 decision, computed from its 四议两公开 steps — never stored, so a
step recorded or corrected moves them at once. Each flag carries its rule, shown beside it, and the
finding that breaks it. The township answers a flag (FlagAnswer, by the flag's key).

The rules (docs/villageaffairs.md):
- missing:    a step is not recorded while a later one is (the six steps build on each other);
- order:      a step was recorded before the step it depends on (with the member's explanation);
- date:       a step is dated before the step it depends on;
- quorum:     a meeting short of its quorum (quorum_least): the party members' meeting with fewer than
              two thirds of the party members; the villagers' decision by the rule of the form it was
              taken in (村民委员会组织法, articles 22 and 26, as we read them: "以上" counts the figure
              itself, "过半数" is more than half) —
              村民会议 of the adult villagers: more than half of the villagers aged 18 or over;
              村民会议 of the households: representatives of two thirds or more of the households;
              村民代表会议: two thirds or more of its members (the representatives and the villagers'
              committee); a villagers' decision recorded before its form was asked (no form) is read
              as it was recorded, by the two-thirds rule;
- votes:      the party members' meeting passed with no more than half of the members due; the
              villagers' decision, whatever its form, with no more than half of those present (both
              articles: 到会人员的过半数);
- roll:       a villagers' decision recorded before its form was asked whose roll is none of the
              rolls of the decision's rules (typed freely where the village had filed no roll): its
              quorum was computed against a roll nobody filed. Recorded with its form, the roll is the
              form's and this cannot happen;
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
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jijian.smcrypto import sm3_hex

from .models import MEETING_FORM_ROLLS, MEETING_STEPS, QUORUM_STEPS, MeetingForm, Step

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
    meeting_form: str = ""  # the villagers' decision's form ("" on other steps and on old records)


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
    "roll": _("应到人数无备案依据"),
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
    "roll": _(
        "村民（代表）会议的到会比例须按备案规则中该会议形式的应到人数计算（18周岁以上村民人数、户数"
        "或村民代表会议组成人员人数）；按其他人数计算的，到会是否达到法定人数无从判断。"
    ),
}

# The rules of the villagers' decision by the form it was taken in, shown with its quorum and votes
# flags in place of RULES' (which a decision recorded before the form was asked still shows).
FORM_RULES: dict[tuple[str, str], Promise] = {
    ("quorum", MeetingForm.VILLAGERS): _(
        "召开村民会议，应当有本村十八周岁以上村民的过半数参加（《村民委员会组织法》第二十二条）。"
    ),
    ("quorum", MeetingForm.HOUSEHOLDS): _(
        "以户的代表参加的村民会议，应当有本村三分之二以上的户的代表参加（《村民委员会组织法》第二十二条）。"
    ),
    ("quorum", MeetingForm.REPRESENTATIVES): _(
        "村民代表会议有三分之二以上的组成人员（村民代表和村民委员会成员）参加方可召开（《村民委员会组织法》第二十六条）。"
    ),
    ("votes", MeetingForm.VILLAGERS): _(
        "村民会议所作决定应当经到会人员的过半数通过（《村民委员会组织法》第二十二条）。"
    ),
    ("votes", MeetingForm.HOUSEHOLDS): _(
        "村民会议所作决定应当经到会人员的过半数通过（《村民委员会组织法》第二十二条）。"
    ),
    ("votes", MeetingForm.REPRESENTATIVES): _(
        "村民代表会议所作决定应当经到会人员的过半数同意（《村民委员会组织法》第二十六条）。"
    ),
}

# A quorum flag's finding on a villagers' decision, by its form (the roll is counted in people, or in
# households).
FORM_QUORUM_FINDINGS: dict[str, Promise] = {
    MeetingForm.VILLAGERS: _(
        "“%(step)s”以村民会议召开：本村18周岁以上村民 %(roll)s 人，到会 %(attended)s 人，未过半数（至少 %(least)s 人）。"
    ),
    MeetingForm.HOUSEHOLDS: _(
        "“%(step)s”以户代表参加的村民会议召开：本村 %(roll)s 户，到会户代表 %(attended)s 人，不足三分之二（至少 %(least)s 户）。"
    ),
    MeetingForm.REPRESENTATIVES: _(
        "“%(step)s”以村民代表会议召开：组成人员 %(roll)s 人，到会 %(attended)s 人，不足三分之二（至少 %(least)s 人）。"
    ),
}


def quorum_least(step: int, meeting_form: str, roll: int) -> int:
    """The fewest present that make a quorum of `roll` at a meeting of `step` held in `meeting_form`
    ("" but for the villagers' decision): more than half (过半数) of the adult villagers for a 村民会议
    of the villagers; two thirds or more (三分之二以上, the figure itself included) of the households,
    of a 村民代表会议's members, of the party members, and of the roll of a villagers' decision
    recorded without its form."""
    if step == Step.VILLAGERS_MEETING and meeting_form == MeetingForm.VILLAGERS:
        return roll // 2 + 1
    return -(-roll * 2 // 3)


def form_rule_legend() -> list[tuple[str, str]]:
    """The villagers' decision's rules by form, for the list of rules under the risk board: (the form,
    its quorum rule and its votes rule)."""
    return [
        (str(form.label), f"{FORM_RULES['quorum', form]}{FORM_RULES['votes', form]}") for form in MeetingForm
    ]


@lru_cache(maxsize=8)
def _step_labels(language: str | None) -> dict[int, str]:
    return {s.value: str(s.label) for s in Step}


@lru_cache(maxsize=8)
def _rule_texts(language: str | None) -> dict[str, tuple[str, str]]:
    """Each rule's (title, rule) in `language`, translated once per language."""
    return {code: (str(TITLES[code]), str(rule)) for code, rule in RULES.items()}


@lru_cache(maxsize=8)
def _form_texts(language: str | None) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """FORM_RULES and FORM_QUORUM_FINDINGS in `language`, translated once per language."""
    rules = {key: str(rule) for key, rule in FORM_RULES.items()}
    return rules, {form: str(finding) for form, finding in FORM_QUORUM_FINDINGS.items()}


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
    language = translation.get_language()
    labels, rules = step_labels(), _rule_texts(language)
    tz = timezone.get_current_timezone()
    context = _Context(
        labels, rules, _form_texts(language), tz, today or timezone.localdate(), stall_limits()
    )
    return {d.pk: _flags(d, steps.get(d.pk, ()), duplicates or {}, context) for d in decisions}


class _Context(NamedTuple):
    labels: dict[int, str]
    rules: dict[str, tuple[str, str]]
    forms: tuple[dict[tuple[str, str], str], dict[str, str]]  # _form_texts()
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

    form_rules, form_findings = context.forms

    def add(code: str, step: StepFacts, finding: str) -> None:
        title, rule = rules[code]
        # A villagers' decision recorded with its form shows that form's rule.
        rule = form_rules.get((code, step.meeting_form), rule) if step.meeting_form else rule
        flags.append(Flag(f"{code}:{step.step}", title, rule, finding, step.step, step.recorded_at))

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
            least = quorum_least(s, step.meeting_form, step.roll)
            if step.attended < least:
                finding = form_findings.get(step.meeting_form) or gettext(
                    "“%(step)s”应到 %(roll)s 人，实到 %(attended)s 人，不足三分之二（至少 %(least)s 人）。"
                )
                add(
                    "quorum",
                    step,
                    finding
                    % {"step": labels[s], "roll": step.roll, "attended": step.attended, "least": least},
                )
            if (
                s == Step.VILLAGERS_MEETING
                and not step.meeting_form
                and step.roll not in _filed_rolls(decision)
            ):
                add(
                    "roll",
                    step,
                    gettext(
                        "“%(step)s”登记时未记录会议形式，按应到 %(roll)s 人计算到会比例，"
                        "而本事项适用的备案规则中没有这个人数。"
                    )
                    % {"step": labels[s], "roll": step.roll},
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


def _filed_rolls(decision: DecisionFacts) -> set[int]:
    """The rolls of the villagers' decision that the decision's rules hold (0: not filed)."""
    rules = decision.rules or {}
    return {int(rules.get(key) or 0) for key in MEETING_FORM_ROLLS.values()} - {0}


def meeting_name(title: str, step: int, held_on: date) -> str:
    """A meeting as a flag names it: its decision's title, the step, the day it was held (last, as
    _day_suffix writes it)."""
    return gettext("“%(title)s”的%(step)s") % {"title": title, "step": step_labels()[step]} + _day_suffix(
        held_on
    )


def _day_suffix(held_on: date) -> str:
    return f"（{held_on:%Y-%m-%d}）"
