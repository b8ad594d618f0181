"""The annual evaluation's arithmetic (no database): four parts scored 0–100 and weighted by the
rubric, the grade by the rubric's thresholds, the coefficient by the grade.

A part judges the member on what they could be judged on by the evaluation day (the day it is
computed): a month approved without a score, an exam never offered or a task not yet due is not a
zero against them. When a part is computed by one of the fallbacks below the evaluation keeps a note
saying so (`basis["notes"]`, shown in Chinese on the page, in the export and the API: `note_texts`).

- 月报 (reports): the mean, over the months that count (due, or submitted early), of each month's
  score as a percentage of the city's scoring rubric — a month not submitted counts as zero. Scoring
  at approval is optional (batch approval never scores), so a submitted month the township did not
  score counts in full: no points were taken off it (note "partly_scored" when some are unscored;
  "unscored" when none of the year is: the part is then the submitted share, 各月月报均未评分，按报送率计).
  The rule is continuous: scoring one weak month lowers the part by that month alone. No month that
  counts yet: 0.
- 学习考试 (training): half the share of the year's required courses completed (100 when none was
  required), half the best exam result of the year in percent. The exam half counts only when the
  member sat an exam that year or an exam was open to them (published for their role by their unit
  or one above, its window opened in the year and closed by the evaluation day): then not sitting
  is 0 (note "exam_missed"). With no exam open and none sat, the part is the required-course share
  alone (note "no_exam"; "no_exam_no_course" when nothing was required either: 100).
- 派单办理 (guidance): tasks answered on time as a share of the tasks that can be judged: those
  answered, or whose deadline has passed by the evaluation day unanswered. A task issued and not yet
  due is left out (note "not_due"; "none_due" when no task is due yet: 100, as when none was issued).
- 乡镇评价 (township): the township committee's own assessment, 0–100, entered on the evaluation.

A part whose source is not connected (the guidance tasks' app not installed: "未接入") is left out
and the weights of the others are scaled to 100, so a missing platform never counts as zero.

Held period: a member with a post-holding history (cadres, through core.links.post_holding_periods)
is judged on the months of the year they held the post (months_held: a month in which they held it
on at least one day, up to the evaluation day's month). The monthly reports count those months only
(the reports platform reads them by month): the months it expected of the account beyond them are
months of another holder, or of a vacant post, and are not held against the member. Guidance tasks are the
member's own (they end with the holding); training is the person's own learning, over the year."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext, gettext_lazy

PARTS = (
    ("reports", gettext_lazy("月报履职")),
    ("training", gettext_lazy("学习考试")),
    ("guidance", gettext_lazy("派单办理")),
    ("township", gettext_lazy("乡镇评价")),
)
PART_LABELS = dict(PARTS)

DEFAULT_GRADES = [
    {"grade": "excellent", "label": "优秀", "min": 90, "coefficient": "1.20"},
    {"grade": "competent", "label": "称职", "min": 75, "coefficient": "1.00"},
    {"grade": "basic", "label": "基本称职", "min": 60, "coefficient": "0.80"},
    {"grade": "incompetent", "label": "不称职", "min": 0, "coefficient": "0.00"},
]


def _pct(value: float) -> Decimal:
    return Decimal(str(max(0.0, min(100.0, value)))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def held_months(periods: list[tuple[date, date]], *, year: int, today: date) -> list[int]:
    """The months of `year` the post was held on at least one day, among those begun by `today` (the
    periods: first and last day held, each within the year), in order."""
    last = 12 if today.year > year else today.month if today.year == year else 0
    months: set[int] = set()
    for start, end in periods:
        months.update(range(start.month, end.month + 1))
    return sorted(m for m in months if m <= last)


def months_held(periods: list[tuple[date, date]], *, year: int, today: date) -> int:
    """How many months of `year` the post was held on at least one day (held_months)."""
    return len(held_months(periods, year=year, today=today))


def _reports_part(reports: dict | None) -> tuple[Decimal, str]:
    if not reports or not reports.get("expected"):
        return Decimal("0.0"), ""
    submitted = reports.get("submitted", 0)
    average = reports.get("average_score_pct")
    scored = (reports.get("scored") or 0) if average is not None else 0
    # A submitted month without a score counts in full; the scored ones by their mean.
    total = 100.0 * (submitted - scored)
    if average is not None and scored:
        total += float(average) * scored
    part = _pct(total / reports["expected"])
    if not scored:
        return part, "unscored" if submitted else ""
    return part, "partly_scored" if scored < submitted else ""


def _training_part(training: dict | None) -> tuple[Decimal, str]:
    t = training or {}
    required = t.get("required", 0)
    required_share = 100.0 if not required else 100.0 * t.get("required_done", 0) / required
    best = t.get("best_percent")
    if not t.get("exams_sat") and best is None and not t.get("exams_open"):
        return _pct(required_share), "no_exam" if required else "no_exam_no_course"
    note = "exam_missed" if not t.get("exams_sat") and best is None else ""
    return _pct(required_share / 2 + (best or 0) / 2), note


def _guidance_part(guidance: dict | None) -> tuple[Decimal, str]:
    g = guidance or {}
    issued, on_time, overdue = g.get("issued", 0), g.get("on_time", 0), g.get("overdue", 0)
    # The provider's "overdue" is answered late or open past the deadline, so on time + overdue are
    # the tasks that can be judged; the rest are open and not yet due.
    judged = min(issued, on_time + overdue)
    note = "" if judged == issued else "not_due" if judged else "none_due"
    return _pct(100.0 if not judged else 100.0 * on_time / judged), note


def score_parts(
    *,
    reports: dict | None,
    training: dict | None,
    guidance: dict | None,
    guidance_connected: bool,
    township: int | None,
) -> tuple[dict[str, Decimal | None], dict[str, str]]:
    """Each part's score 0–100 (None when the part is not connected) and, for a part computed by a
    fallback of the module docstring, its note code."""
    scores: dict[str, Decimal | None] = {}
    notes: dict[str, str] = {}
    scores["reports"], notes["reports"] = _reports_part(reports)
    scores["training"], notes["training"] = _training_part(training)
    if guidance_connected:
        scores["guidance"], notes["guidance"] = _guidance_part(guidance)
    else:
        scores["guidance"] = None
    scores["township"] = _pct(float(township or 0))
    return scores, {k: v for k, v in notes.items() if v}


def note_texts(basis: dict) -> dict[str, str]:
    """The notes an evaluation's basis keeps, as the reader reads them: {part: text}. An evaluation
    computed before notes were kept has none."""
    notes = basis.get("notes") or {}
    out = {}
    for part, code in notes.items():
        text = _note_text(code, basis)
        if text:
            out[part] = text
    return out


def _note_text(code: str, basis: dict) -> str:
    r, t, g = basis.get("reports") or {}, basis.get("training") or {}, basis.get("guidance") or {}
    if code == "unscored":
        return gettext("各月月报均未评分，按报送率计（已报 %(submitted)s 个月 ÷ 应报 %(expected)s 个月）") % {
            "submitted": r.get("submitted", 0),
            "expected": r.get("expected", 0),
        }
    if code == "partly_scored":
        return gettext("已报 %(submitted)s 个月中 %(scored)s 个月已评分，未评分的月份未扣分、按满分计") % {
            "submitted": r.get("submitted", 0),
            "scored": r.get("scored") or 0,
        }
    if code == "no_exam":
        return gettext("本年度没有向其开放的考试，本项按必修课程完成率计")
    if code == "no_exam_no_course":
        return gettext("本年度既无必修课程，也没有向其开放的考试，本项按满分计")
    if code == "exam_missed":
        return gettext("本年度向其开放考试 %(count)s 场，未参加，考试成绩按 0 分计") % {
            "count": t.get("exams_open", 0)
        }
    if code == "not_due":
        return gettext("另有 %(count)s 件派单未到办理期限、尚未办结，不计入本项") % {"count": _not_due(g)}
    if code == "none_due":
        return gettext("%(count)s 件派单均未到办理期限、尚未办结，本项按满分计") % {"count": _not_due(g)}
    return ""


def held_text(basis: dict) -> str:
    """The held period an evaluation was computed on, as the reader reads it ("" when the member is
    judged on the whole year: no post-holding history, or computed before it was read)."""
    held = basis.get("held")
    if not held:
        return ""
    spans = []
    for p in held.get("periods") or []:
        if p.get("to"):
            spans.append(
                gettext("%(start)s 至 %(end)s（%(village)s）")
                % {"start": p["from"], "end": p["to"], "village": p.get("village", "")}
            )
        else:
            spans.append(
                gettext("%(start)s 起至今（%(village)s）")
                % {"start": p["from"], "village": p.get("village", "")}
            )
    text = gettext("任职期间：%(periods)s；按任职的 %(months)s 个月考评") % {
        "periods": "、".join(spans),
        "months": held.get("months", 0),
    }
    if held.get("reports_left_out"):
        text += gettext("（另有 %(count)s 个月的月报不在任职期间，不计入）") % {
            "count": held["reports_left_out"]
        }
    return text


def _not_due(guidance: dict) -> int:
    return max(0, guidance.get("issued", 0) - guidance.get("on_time", 0) - guidance.get("overdue", 0))


def weighted_total(scores: dict[str, Decimal | None], weights: dict[str, int]) -> Decimal:
    used = {k: w for k, w in weights.items() if scores.get(k) is not None}
    total_weight = sum(used.values())
    if not total_weight:
        return Decimal("0.0")
    weighted = Decimal(0)
    for k, w in used.items():
        part = scores[k]
        assert part is not None  # `used` holds only the parts with a score
        weighted += Decimal(w) * part
    value = weighted / Decimal(total_weight)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def grade_for(total: Decimal, grades: list[dict]) -> dict:
    """The first grade (highest threshold first) whose minimum the total reaches."""
    for g in sorted(grades, key=lambda g: -Decimal(str(g["min"]))):
        if total >= Decimal(str(g["min"])):
            return g
    return sorted(grades, key=lambda g: Decimal(str(g["min"])))[0]


def validate_rubric(weights: dict[str, int], grades: list[dict]) -> list[str]:
    """The refusals, in Chinese, for a rubric's weights and grades (empty when it is valid)."""
    errors = []
    if any(w < 0 or w > 100 for w in weights.values()):
        errors.append(gettext("各项权重须在 0～100 之间"))
    if sum(weights.values()) != 100:
        errors.append(gettext("各项权重之和须为 100（现为 %(total)s）") % {"total": sum(weights.values())})
    if not grades:
        errors.append(gettext("请至少设置一个等次"))
    mins = []
    for i, g in enumerate(grades, start=1):
        label = str(g.get("label", "")).strip()
        if not label:
            errors.append(gettext("第 %(position)s 个等次缺少名称") % {"position": i})
        try:
            low = Decimal(str(g.get("min")))
            coefficient = Decimal(str(g.get("coefficient")))
        except Exception:
            errors.append(gettext("等次“%(grade)s”的最低分或补贴系数不是数字") % {"grade": label or i})
            continue
        if not 0 <= low <= 100:
            errors.append(gettext("等次“%(label)s”的最低分须在 0～100 之间") % {"label": label})
        if not 0 <= coefficient <= 5:
            errors.append(gettext("等次“%(label)s”的补贴系数须在 0～5 之间") % {"label": label})
        mins.append(low)
    if mins and min(mins) != 0:
        errors.append(gettext("最低一档等次的最低分须为 0（每个总分都有等次）"))
    if len(set(mins)) != len(mins):
        errors.append(gettext("各等次的最低分不能相同"))
    return errors
