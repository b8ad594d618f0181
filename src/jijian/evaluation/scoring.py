"""The annual evaluation's arithmetic (no database): four parts scored 0–100 and weighted by the
rubric, the grade by the rubric's thresholds, the coefficient by the grade.

- 月报 (reports): the mean monthly-report score as a percentage of the city's scoring rubric, times
  the share of expected months submitted (a missed month counts as zero). No month that counts: 0.
- 学习考试 (training): half the share of the year's required courses completed (100 when none was
  required), half the best exam result of the year in percent (0 without an exam).
- 派单办理 (guidance): tasks answered on time as a share of tasks issued (100 when none was issued).
- 乡镇评价 (township): the township committee's own assessment, 0–100, entered on the evaluation.

A part whose source is not connected (the guidance tasks' app not installed: "未接入") is left out
and the weights of the others are scaled to 100, so a missing platform never counts as zero."""

from __future__ import annotations

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


def part_scores(
    *,
    reports: dict | None,
    training: dict | None,
    guidance: dict | None,
    guidance_connected: bool,
    township: int | None,
) -> dict[str, Decimal | None]:
    """Each part's score 0–100, or None when the part is not connected."""
    out: dict[str, Decimal | None] = {}
    if reports and reports.get("expected"):
        avg = reports.get("average_score_pct") or 0
        out["reports"] = _pct(float(avg) * reports["submitted"] / reports["expected"])
    else:
        out["reports"] = Decimal("0.0")
    t = training or {}
    required = t.get("required", 0)
    required_share = 100.0 if not required else 100.0 * t.get("required_done", 0) / required
    out["training"] = _pct(required_share / 2 + (t.get("best_percent") or 0) / 2)
    if not guidance_connected:
        out["guidance"] = None
    else:
        g = guidance or {}
        issued = g.get("issued", 0)
        out["guidance"] = _pct(100.0 if not issued else 100.0 * g.get("on_time", 0) / issued)
    out["township"] = _pct(float(township or 0))
    return out


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
