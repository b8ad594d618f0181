"""Annual grade of village members (年度考评: 优秀 / 称职 / 基本称职 / 不称职), proposed from the year's
monthly reports and set by the township committee with a reason.

The proposal (`propose_grade`) reads, for one member and one year, the months that count — a month
counts once its deadline has passed, or earlier if the member already submitted it:

- expected: the months that count; submitted: of those, with the township now (submitted,
  resubmitted or approved — a report returned and never resubmitted is missing);
- missing = expected − submitted; on_time: submitted by the deadline (first submission);
- returns: how often the township returned a report; zero: submitted zero reports (零报告);
- average score: the mean of the scored reports, as a percentage of the city's rubric total.

Rule, first match wins (the three numbers of rule 1 are per city, ReportSettings, defaults below):

1. 不称职 — missing ≥ 3 months, or, once at least 6 months count, less than 75 % of them submitted
   (one missed month of three is not 不称职);
2. 基本称职 — any month missing, or under 80 % of the months on time, or an average score below 60 %,
   or more than half of the submitted months zero reports;
3. 优秀 — every month on time, at most one return, an average score of at least 90 % (a year without
   scores is never proposed 优秀), and at most two zero reports;
4. 称职 — otherwise.

The proposal is advice: the township sets the grade (any of the four) with a reason; proposal, basis,
grade, reason, who and when are kept and audited. A member without any month that counts gets no
proposal (the year has not started for them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from jijian.audit.services import audit_record
from jijian.core.models import OrgUnit, User
from jijian.core.services import ConcurrentEditError

from . import defaults, selectors, services
from .access import reports_visible_to
from .models import SUBMITTED_STATES, AnnualGrade, MissingReportTalk, MonthlyReport

Grade = AnnualGrade.Grade
GRADE_LABELS = dict(Grade.choices)


def _rubric_total(city_id: int | None) -> int:
    return sum(int(item["max"]) for item in services.settings_for_city(city_id).rubric) or 100


@dataclass(frozen=True)
class GradeRule:
    """When a year proposes 不称职 (configured per city in ReportSettings)."""

    missing_months: int = defaults.INCOMPETENT_MISSING_MONTHS
    min_submission_pct: int = defaults.INCOMPETENT_MIN_SUBMISSION_PCT
    rate_from_months: int = defaults.INCOMPETENT_RATE_FROM_MONTHS

    @classmethod
    def of(cls, config) -> GradeRule:
        return cls(
            missing_months=config.incompetent_missing_months,
            min_submission_pct=config.incompetent_min_submission_pct,
            rate_from_months=config.incompetent_rate_from_months,
        )

    def incompetent(self, expected: int, submitted: int) -> bool:
        if expected - submitted >= self.missing_months:
            return True
        return expected >= self.rate_from_months and submitted * 100 < self.min_submission_pct * expected

    def describe(self) -> str:
        return gettext("漏报≥%(missing)s个月，或应报满%(months)s个月后报送率低于%(pct)s%%为不称职") % {
            "missing": self.missing_months,
            "months": self.rate_from_months,
            "pct": self.min_submission_pct,
        }


DEFAULT_RULE = GradeRule()


def rule_for_city(city_id: int | None) -> GradeRule:
    return GradeRule.of(services.settings_for_city(city_id))


def propose_grade(basis: dict, rule: GradeRule = DEFAULT_RULE) -> str:
    """The rule of the module docstring over one member's year (`basis` from `grade_basis`)."""
    return _proposal(basis, rule)[0]


def proposal_reason(basis: dict, rule: GradeRule = DEFAULT_RULE) -> str:
    """Why the year proposes what it does, in the words shown to the township."""
    return _proposal(basis, rule)[1]


def _proposal(basis: dict, rule: GradeRule) -> tuple[str, str]:
    expected, submitted = basis["expected"], basis["submitted"]
    missing = expected - submitted
    facts = f"应报 {expected} 个月，漏报 {missing} 个月，按时 {basis['on_time']} 个月"
    if rule.incompetent(expected, submitted):
        if missing >= rule.missing_months:
            why = f"漏报 {missing} 个月，达到 {rule.missing_months} 个月"
        else:
            why = f"报送率 {submitted * 100 // expected}%，低于 {rule.min_submission_pct}%"
        return Grade.INCOMPETENT, f"不称职：{why}（{facts}）"
    grade = _proposal_above_incompetent(basis)
    return grade, f"{GRADE_LABELS[grade]}：{facts}"


def _proposal_above_incompetent(basis: dict) -> str:
    expected, submitted = basis["expected"], basis["submitted"]
    missing = expected - submitted
    on_time_rate = basis["on_time"] / expected
    score = basis["average_score_pct"]
    if (
        missing >= 1
        or on_time_rate < 0.8
        or (score is not None and score < 60)
        or (submitted and basis["zero_reports"] > submitted / 2)
    ):
        return Grade.BASIC
    if (
        basis["on_time"] == expected
        and basis["returns"] <= 1
        and score is not None
        and score >= 90
        and basis["zero_reports"] <= 2
    ):
        return Grade.EXCELLENT
    return Grade.COMPETENT


# Submitted means the township has it now: a report returned and never resubmitted is missing.
_SUBMITTED = Q(state__in=SUBMITTED_STATES)


def _counting(qs: QuerySet[MonthlyReport], *, year: int, today: date) -> QuerySet[MonthlyReport]:
    return qs.filter(month__year=year, member__isnull=False).filter(Q(deadline__lt=today) | _SUBMITTED)


def _aggregate(qs: QuerySet[MonthlyReport]):
    submitted = _SUBMITTED
    return (
        qs.order_by()
        .values("member_id")
        .annotate(
            expected=Count("pk"),
            submitted=Count("pk", filter=submitted),
            on_time=Count("pk", filter=submitted & Q(is_late=False)),
            returns=Sum("return_count"),
            zero_reports=Count("pk", filter=submitted & Q(is_zero_report=True)),
            average_score=Avg("score"),
            scored=Count("score"),
            last_village=Max("village_id"),
        )
    )


def _basis(row: dict, rubric_total: int) -> dict:
    avg = row["average_score"]
    pct = round(float(Decimal(avg) * 100 / rubric_total), 1) if avg is not None else None
    return {
        "expected": row["expected"],
        "submitted": row["submitted"],
        "missing": row["expected"] - row["submitted"],
        "on_time": row["on_time"],
        "returns": row["returns"] or 0,
        "zero_reports": row["zero_reports"],
        "scored": row["scored"],
        "average_score_pct": pct,
    }


def grade_rows(user: User, *, year: int, today: date | None = None) -> list[dict]:
    """One row per member with reports in the user's jurisdiction that year: basis, proposal, the
    grade already set (if any) and the talks held about missing reports (kind, label, count). Five queries
    however many members."""
    today = today or services.today()
    agg = list(_aggregate(_counting(reports_visible_to(user), year=year, today=today)))
    if not agg:
        return []
    total = _rubric_total(user.org_unit.city_id)
    rule = rule_for_city(user.org_unit.city_id)
    members = {u.pk: u for u in User.objects.filter(pk__in=[r["member_id"] for r in agg])}
    villages = {
        v.pk: v
        for v in OrgUnit.objects.filter(pk__in={r["last_village"] for r in agg}).select_related("parent")
    }
    grades = {
        g.member_id: g
        for g in AnnualGrade.objects.filter(year=year, member_id__in=members).select_related("set_by")
    }
    # The talks held that year about missing reports (reports.talks), for the officer who grades.
    talks: dict[int, dict[str, int]] = {}
    for talk in (
        MissingReportTalk.objects.filter(member_id__in=members, held_on__year=year)
        .values("member_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        talks.setdefault(talk["member_id"], {})[talk["kind"]] = talk["n"]
    rows: list[dict[str, Any]] = []
    for r in agg:
        basis = _basis(r, total)
        proposed, reason = _proposal(basis, rule)
        rows.append(
            {
                "member": members[r["member_id"]],
                "village": villages[r["last_village"]],
                "basis": basis,
                "proposed": proposed,
                "proposed_label": GRADE_LABELS[proposed],
                "proposal_reason": reason,
                "grade": grades.get(r["member_id"]),
                "talks": [
                    (kind, label, talks[r["member_id"]][kind])
                    for kind, label in MissingReportTalk.Kind.choices
                    if talks.get(r["member_id"], {}).get(kind)
                ],
            }
        )
    rows.sort(key=lambda row: (row["village"].path, row["member"].pk))
    return rows


def grade_basis_for(member: User, *, year: int, today: date | None = None) -> dict | None:
    today = today or services.today()
    qs = _counting(MonthlyReport.objects.filter(member=member), year=year, today=today)
    row = next(iter(_aggregate(qs)), None)
    if row is None or not row["expected"]:
        return None
    return _basis(row, _rubric_total(member.org_unit.city_id)) | {"village_id": row["last_village"]}


@transaction.atomic
def annual_grade_set(
    *,
    actor: User,
    member: User,
    year: int,
    grade: str,
    reason: str,
    version: int,
    today: date | None = None,
) -> AnnualGrade:
    """The township committee over the member's village sets the year's grade with a reason.
    `version` is the version the officer saw (0 when no grade existed): a grade changed by someone
    else meanwhile is refused, never overwritten."""
    today = today or services.today()
    kind = selectors.member_kind_of(member)
    if kind is None:
        raise ValidationError(gettext("只能为村（社区）或市直单位纪检委员评定等次"))
    # The reviewer of the member's reports grades them (services.reviewer_role).
    if not services.may_review_unit(actor, member.org_unit, kind):
        raise PermissionDenied
    if not isinstance(year, int) or year < 2000 or year > today.year:
        raise ValidationError(gettext("年度不正确（不能是未来年度）"))
    if grade not in GRADE_LABELS:
        raise ValidationError(gettext("请选择评定等次：优秀、称职、基本称职或不称职"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("评定等次必须填写理由"))
    if len(reason) > 2000:
        raise ValidationError(gettext("理由不能超过2000字"))
    basis = grade_basis_for(member, year=year, today=today)
    if basis is None:
        raise ValidationError(gettext("该委员本年度还没有应报的月报，暂不能评定"))
    village_id = basis.pop("village_id")
    proposed = propose_grade(basis, rule_for_city(member.org_unit.city_id))
    existing = AnnualGrade.objects.select_for_update().filter(member=member, year=year).first()
    current = existing.version if existing else 0
    if version != current:
        raise ConcurrentEditError()
    before = {"grade": existing.grade, "reason": existing.reason} if existing else None
    now = timezone.now()
    if existing is None:
        try:
            with transaction.atomic():
                obj = AnnualGrade.objects.create(
                    member=member,
                    village_id=village_id,
                    year=year,
                    proposed=proposed,
                    proposal_basis=basis,
                    grade=grade,
                    reason=reason,
                    set_by=actor,
                    set_at=now,
                )
        except IntegrityError:  # another officer created it in between
            raise ConcurrentEditError() from None
    else:
        obj = existing
        obj.village_id, obj.proposed, obj.proposal_basis = village_id, proposed, basis
        obj.grade, obj.reason, obj.set_by, obj.set_at = grade, reason, actor, now
        obj.version += 1
        obj.save()
    audit_record(
        actor=actor,
        action="annual_grade.set",
        obj=obj,
        org_unit_id=village_id,
        summary=f"评定 {member.full_name} {year} 年度等次：{GRADE_LABELS[grade]}（建议：{GRADE_LABELS[proposed]}）",
        before=before,
        after={"grade": grade, "reason": reason, "proposed": proposed, "basis": basis},
    )
    return obj


def monthly_report_scores(
    *, user_ids, year: int, today: date | None = None, months: dict | None = None
) -> dict[int, dict]:
    """The year's monthly reports of the members `user_ids` (core.links.monthly_report_scores), for
    the annual evaluation: {user_id: {"expected", "submitted", "missing", "on_time", "returns",
    "zero_reports", "scored", "average_score_pct", "grade", "grade_label"}} — the figures of the
    annual grade's basis (grades.py) and the grade the township set, if any. `months`, optional:
    {user_id: the month numbers (1–12) to count} for members judged on part of the year (the months
    they held the post); the others count the whole year. Members without a month that counts are
    absent. The caller scopes `user_ids` by its own jurisdiction rule."""
    ids = [int(i) for i in user_ids]
    today = today or services.today()
    reports = MonthlyReport.objects.filter(member_id__in=ids)
    if months:
        part = {int(k): [int(m) for m in v] for k, v in months.items()}
        within = Q(member_id__in=[i for i in ids if i not in part])
        for member_id, numbers in part.items():
            within |= Q(member_id=member_id, month__month__in=numbers)
        reports = reports.filter(within)
    rows = list(_aggregate(_counting(reports, year=year, today=today)))
    cities = dict(
        MonthlyReport.objects.filter(member_id__in=ids, month__year=year)
        .values_list("member_id", "city_id_at")
        .distinct()
    )
    grades = dict(AnnualGrade.objects.filter(member_id__in=ids, year=year).values_list("member_id", "grade"))
    totals: dict[int | None, int] = {}
    out: dict[int, dict] = {}
    for row in rows:
        if not row["expected"]:
            continue
        city = cities.get(row["member_id"])
        if city not in totals:
            totals[city] = _rubric_total(city)
        grade = grades.get(row["member_id"], "")
        out[row["member_id"]] = _basis(row, totals[city]) | {
            "grade": grade,
            "grade_label": str(GRADE_LABELS.get(grade, "")) if grade else "",
        }
    return out
