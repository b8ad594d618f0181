"""Township review through the API (/api/reports/review/): the queue, one report, approve, return,
batch approve, annual grades, talks about missing reports. Scoped like the pages: a report or member
outside the caller's jurisdiction, or an action by someone who is not the township committee, is a
404."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import model_validator

from jijian.core.api.errors import error
from jijian.core.api.limits import ApiId, ApiVersion, Pagination

from . import grades, review, services, talks
from .access import get_member_for, get_report_for

router = Router(tags=["履职月报"])


class ReviewQueueFilter(Schema):
    month: date | None = Field(None, description="该月任一日期，如 2025-10-01")
    state: str = Field(
        "", max_length=12, description="空=待审核；submitted/resubmitted/returned/approved/missing/all"
    )
    late: bool | None = None
    zero: bool | None = None
    q: str = Field("", max_length=50, description="村名、拼音首字母或委员姓名")


class ReviewReportOut(Schema):
    id: int
    village_id: int
    village_name: str = Field(..., alias="village.name")
    township_name: str | None
    member_id: int | None
    member_name: str | None
    month: date
    state: str
    deadline: date
    is_zero_report: bool
    is_late: bool
    late_days: int
    submitted_at: datetime | None
    return_count: int
    score: Decimal | None
    version: int

    @staticmethod
    def resolve_township_name(obj) -> str | None:
        return obj.village.parent.name if obj.village.parent_id else None

    @staticmethod
    def resolve_member_name(obj) -> str | None:
        return obj.member.full_name if obj.member_id else None


class ReviewReportDetailOut(ReviewReportOut):
    summary: str
    problems: str
    counts: dict
    return_reason: str
    review_comment: str
    score_detail: dict
    endorsement_statement: str
    endorsed_at: datetime | None
    endorsement_digest: str


class ApproveIn(Schema):
    score_detail: dict[str, Decimal] | None = Field(None, description="评分细则各项得分 {key: 分数}")
    comment: str = Field("", max_length=2000)
    version: ApiVersion | None = Field(None, description="所审月报的版本（详情中的 version）；已变化则拒绝")


class ReturnIn(Schema):
    reason: str = Field(..., max_length=2000, description="退回原因（必填）")
    version: ApiVersion | None = Field(None, description="所审月报的版本（详情中的 version）；已变化则拒绝")


class BatchReport(Schema):
    id: ApiId
    version: ApiVersion | None = Field(
        None, description="所审月报的版本（列表或详情中的 version）；已变化则整批拒绝（409）"
    )


class BatchIn(Schema):
    ids: list[ApiId] = Field(
        default_factory=list, max_length=500, description="月报 id（不核对版本；与 reports 二选一）"
    )
    reports: list[BatchReport] = Field(
        default_factory=list,
        max_length=500,
        description="月报 id 及所审版本；任一版本已变化则整批不审核，答 409 并指明该月报",
    )

    @model_validator(mode="after")
    def one_list(self):
        if bool(self.ids) == bool(self.reports):
            raise ValueError("请在 ids 或 reports 中列出要审核通过的月报（二选一）")
        return self


class BatchOut(Schema):
    approved: int
    skipped: int


class GradeBasisOut(Schema):
    expected: int
    submitted: int
    missing: int
    on_time: int
    returns: int
    zero_reports: int
    scored: int
    average_score_pct: float | None


class GradeRowOut(Schema):
    member_id: int
    member_name: str
    village_id: int
    village_name: str
    year: int
    basis: GradeBasisOut
    proposed: str
    grade: str
    reason: str
    set_at: datetime | None
    version: int
    talks: dict[str, int] = Field(
        default_factory=dict,
        description="本年度未报月报的谈话次数：reminder_talk（提醒谈话）、accountability_interview（约谈）",
    )


class GradeYear(Schema):
    year: int = Field(..., ge=2000, le=2100)


class GradeIn(Schema):
    year: int = Field(..., ge=2000, le=2100)
    grade: str = Field(..., max_length=12)
    reason: str = Field(..., max_length=2000)
    version: ApiVersion = 0


def _reviewer(user) -> None:
    if not review.can_review(user):
        raise Http404


@router.get("/", response=list[ReviewReportOut], summary="待审核月报（本人辖区）")
@paginate(Pagination, page_size=100)
def review_queue_list(request, filters: Query[ReviewQueueFilter]):
    review.require_review_viewer(request.auth)
    return review.review_queue(
        request.auth,
        review.QueueFilter(
            month=filters.month, state=filters.state, late=filters.late, zero=filters.zero, q=filters.q
        ),
    )


@router.get("/{id:report_id}", response=ReviewReportDetailOut, summary="审核：月报详情")
def review_report_detail(request, report_id: ApiId):
    review.require_review_viewer(request.auth)
    return get_report_for(request.auth, report_id)


@router.post("/{id:report_id}/approve", response=ReviewReportDetailOut, summary="审核通过（可评分）")
def review_report_approve(request, report_id: ApiId, payload: ApproveIn):
    review.require_review_viewer(request.auth)
    report = get_report_for(request.auth, report_id)
    review.require_reviewer_of(request.auth, report)
    detail = {k: str(v) for k, v in payload.score_detail.items()} if payload.score_detail else None
    return services.monthly_report_approve(
        actor=request.auth,
        report=report,
        score_detail=detail,
        comment=payload.comment,
        version=payload.version,
    )


@router.post("/{id:report_id}/return", response=ReviewReportDetailOut, summary="退回（须填写原因）")
def review_report_return(request, report_id: ApiId, payload: ReturnIn):
    review.require_review_viewer(request.auth)
    report = get_report_for(request.auth, report_id)
    review.require_reviewer_of(request.auth, report)
    return services.monthly_report_return(
        actor=request.auth, report=report, reason=payload.reason, version=payload.version
    )


@router.post(
    "/batch-approve", response=BatchOut, summary="批量审核通过（reports 带版本：任一已变化则整批拒绝，409）"
)
def review_reports_approve_batch(request, payload: BatchIn):
    """Approve the listed reports awaiting review; those not awaiting review, or not the caller's to
    review, are skipped and counted. With `reports`, each version is checked as the single approve
    checks it: if any report changed since it was read, nothing is approved and the answer is 409
    naming that report."""
    _reviewer(request.auth)
    versions = {item.id: item.version for item in payload.reports if item.version is not None}
    ids = set(payload.ids) | {item.id for item in payload.reports}
    # A report named with its version is looked up whatever its state, as the single approve does: one
    # returned or approved by someone else since it was read is then stale (409), not silently skipped.
    pending = review.review_queue(request.auth).filter(pk__in=ids - set(versions))
    read = review.review_queue(request.auth, review.QueueFilter(state="all")).filter(pk__in=versions)
    selected = [*pending, *read]
    try:
        result = services.monthly_reports_approve_batch(
            actor=request.auth, reports=selected, versions=versions, refuse_stale=True
        )
    except ValidationError as refused:
        return error(request, 409, "conflict", "；".join(refused.messages))
    result["skipped"] += len(ids) - len(selected)
    return result


def _grade_row(row: dict, year: int) -> dict:
    grade = row["grade"]
    return {
        "member_id": row["member"].pk,
        "member_name": row["member"].full_name,
        "village_id": row["village"].pk,
        "village_name": row["village"].name,
        "year": year,
        "basis": row["basis"],
        "proposed": row["proposed"],
        "grade": grade.grade if grade else "",
        "reason": grade.reason if grade else "",
        "set_at": grade.set_at if grade else None,
        "version": grade.version if grade else 0,
        "talks": {kind: n for kind, _, n in row["talks"]},
    }


@router.get("/grades", response=list[GradeRowOut], summary="月报年度等次：建议等次与评定")
def review_grades_list(request, filters: Query[GradeYear]):
    review.require_review_viewer(request.auth)
    return [_grade_row(row, filters.year) for row in grades.grade_rows(request.auth, year=filters.year)]


@router.post("/grades/{id:member_id}", response=GradeRowOut, summary="年度考评：评定等次（须填写理由）")
def review_grade_set(request, member_id: ApiId, payload: GradeIn):
    _reviewer(request.auth)
    member = get_member_for(request.auth, member_id)
    obj = grades.annual_grade_set(
        actor=request.auth,
        member=member,
        year=payload.year,
        grade=payload.grade,
        reason=payload.reason,
        version=payload.version,
    )
    return {
        "member_id": member.pk,
        "member_name": member.full_name,
        "village_id": obj.village_id,
        "village_name": obj.village.name,
        "year": obj.year,
        "basis": obj.proposal_basis,
        "proposed": obj.proposed,
        "grade": obj.grade,
        "reason": obj.reason,
        "set_at": obj.set_at,
        "version": obj.version,
    }


class TalkOut(Schema):
    id: int
    kind: str = Field(..., description="reminder_talk（提醒谈话）或 accountability_interview（约谈）")
    held_on: date
    months: list[date] = Field(..., description="谈话当日未报的月份（每月1日）")
    notes: str
    held_by_name: str = Field(..., alias="held_by.full_name")


class TalkRowOut(Schema):
    member_id: int
    member_name: str
    village_id: int
    village_name: str
    year: int
    months: list[date] = Field(..., description="本年度截止日期已过而未报的月份")
    due: str = Field(..., description="应做的谈话：reminder_talk、accountability_interview，或空（已谈话）")
    talks: list[TalkOut]


class TalkIn(Schema):
    kind: str = Field(
        ..., max_length=30, description="reminder_talk（提醒谈话）或 accountability_interview（约谈）"
    )
    held_on: date = Field(..., description="谈话日期，不能晚于今天")
    notes: str = Field(
        ..., max_length=talks.NOTES_MAX, description="谈话内容及本人表态（必填，保存后不能修改）"
    )


@router.get("/talks", response=list[TalkRowOut], summary="未报月报的谈话：应谈话的委员与谈话记录")
def review_talks_list(request, filters: Query[GradeYear]):
    review.require_review_viewer(request.auth)
    return [
        {
            "member_id": row["member"].pk,
            "member_name": row["member"].full_name,
            "village_id": row["village"].pk,
            "village_name": row["village"].name,
            "year": filters.year,
            "months": row["months"],
            "due": row["due"],
            "talks": row["talks"],
        }
        for row in talks.talk_rows(request.auth, year=filters.year)
    ]


@router.post("/talks/{id:member_id}", response=TalkOut, summary="未报月报的谈话：记录提醒谈话或约谈")
def review_talk_record(request, member_id: ApiId, payload: TalkIn):
    _reviewer(request.auth)
    member = get_member_for(request.auth, member_id)
    return talks.missing_report_talk_record(
        actor=request.auth, member=member, kind=payload.kind, held_on=payload.held_on, notes=payload.notes
    )
