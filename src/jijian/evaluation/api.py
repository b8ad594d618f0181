"""Evaluation as JSON, scoped like the pages: annual evaluations in the caller's jurisdiction (with
their basis), mutual-check rounds and checks the caller takes part in or runs (404 otherwise)."""

from datetime import date

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from jijian.core.access import require_module
from jijian.core.api.limits import ApiId, Pagination
from jijian.core.roles import Module

from . import access
from .scoring import note_texts

router = Router(tags=["考评与互查"])


class YearQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度；缺省为本年")


class EvaluationOut(Schema):
    id: int
    member_id: int
    member: str
    village: str
    year: int
    rubric: str
    state: str
    township_score: int | None
    total: str | None
    grade: str
    grade_label: str
    coefficient: str | None
    basis: dict
    notes: dict[str, str] = Field(
        description="计分说明：按替代规则计分的项目（reports、training、guidance）及其原因，"
        "如各月月报均未评分、本年度没有向其开放的考试、派单未到办理期限"
    )


class RectificationOut(Schema):
    id: int
    requirement: str
    deadline: date
    state: str
    report: str
    overdue: bool


class FindingOut(Schema):
    id: int
    item_code: str
    description: str
    lesson: str
    share: bool
    manual_case_id: int | None
    rectifications: list[RectificationOut]


class PairOut(Schema):
    id: int
    round_id: int
    round: str
    checker: str
    checked: str
    scores: dict
    total: int | None
    findings: list[FindingOut]


class RoundOut(Schema):
    id: int
    title: str
    year: int
    state: str
    organiser: str
    rubric: str
    rubric_items: list[dict]


def _evaluation(e) -> dict:
    return {
        "id": e.pk,
        "member_id": e.member_id,
        "member": e.member.full_name,
        "village": e.org_unit.name,
        "year": e.year,
        "rubric": str(e.rubric),
        "state": e.state,
        "township_score": e.township_score,
        "total": str(e.total) if e.total is not None else None,
        "grade": e.grade,
        "grade_label": e.grade_label,
        "coefficient": str(e.coefficient) if e.coefficient is not None else None,
        "basis": e.basis,
        "notes": note_texts(e.basis or {}),
    }


@router.get("/evaluations", response=list[EvaluationOut], summary="年度考评（本辖区）", url_name="eval_list")
@paginate(Pagination, page_size=100)
def evaluations(request, filters: Query[YearQuery]):
    require_module(request.auth, Module.EVALUATION)
    year = filters.year or timezone.localdate().year
    qs = access.evaluations_visible_to(request.auth).filter(year=year).order_by("org_unit__path", "member_id")
    return [_evaluation(e) for e in qs]


@router.get(
    "/evaluations/{evaluation_id}", response=EvaluationOut, summary="年度考评", url_name="eval_detail"
)
def evaluation(request, evaluation_id: ApiId):
    return _evaluation(access.get_evaluation_for(request.auth, evaluation_id))


@router.get("/rounds", response=list[RoundOut], summary="互查轮次", url_name="eval_rounds")
@paginate(Pagination, page_size=100)
def rounds(request):
    require_module(request.auth, Module.EVALUATION)
    return [
        {
            "id": r.pk,
            "title": r.title,
            "year": r.year,
            "state": r.state,
            "organiser": r.org_unit.name,
            "rubric": str(r.rubric),
            "rubric_items": r.rubric.items,
        }
        for r in access.rounds_visible_to(request.auth).order_by("-opened_at")
    ]


@router.get(
    "/checks/{pair_id}", response=PairOut, summary="互查（检查单位对被检查单位）", url_name="eval_check"
)
def check(request, pair_id: ApiId):
    pair = access.get_pair_for(request.auth, pair_id)
    today = timezone.localdate()
    findings = pair.findings.prefetch_related("rectifications")
    return {
        "id": pair.pk,
        "round_id": pair.round_id,
        "round": pair.round.title,
        "checker": pair.checker.name,
        "checked": pair.checked.name,
        "scores": pair.scores,
        "total": pair.total,
        "findings": [
            {
                "id": f.pk,
                "item_code": f.item_code,
                "description": f.description,
                "lesson": f.lesson,
                "share": f.share,
                "manual_case_id": f.manual_case_id,
                "rectifications": [
                    {
                        "id": r.pk,
                        "requirement": r.requirement,
                        "deadline": r.deadline,
                        "state": r.state,
                        "report": r.report,
                        "overdue": r.is_overdue(today),
                    }
                    for r in f.rectifications.all()
                ],
            }
            for f in findings
        ],
    }
