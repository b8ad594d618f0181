"""Problem clues through the API (/api/petitions/clues/): list, one clue with its signed history,
register, propose, approve, reject, letter reply, reopen, statistics. Scoped like the pages: a clue or
source report outside the caller's jurisdiction (or one they are recused from) is a 404, and so is
registration by anyone but a case management office; a refused step is a 400 with the Chinese
message, a stale version a 409, all in the one error format of jijian.core.api.errors."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jijian.core.access import get_or_404, require_module
from jijian.core.api.errors import error
from jijian.core.api.limits import ApiId, ApiVersion, Pagination
from jijian.core.roles import Module
from jijian.core.services import ConcurrentEditError
from jijian.petitions.access import get_clue_for, get_petition_for
from jijian.petitions.clues import services as clues
from jijian.petitions.clues.stats import clue_stats, default_period, month_period
from jijian.petitions.handling.api import (
    ArchiveCandidateOut,
    ArchiveLinkIn,
    VersionIn,
    archive_candidate_rows,
)

router = Router(tags=["问题线索"])


class StepOut(Schema):
    id: int
    action: str
    from_state: str
    to_state: str
    disposal: str
    sanction: str
    sanction_decided_on: date | None
    note: str
    actor_id: int
    actor_name: str = Field(..., alias="actor.full_name")
    endorser: str
    endorsement_statement: str
    endorsement_digest: str
    at: datetime


class DeadlineOut(Schema):
    id: int
    kind: str
    starts_on: date
    due_date: date
    met_at: datetime | None
    waived: bool


class ClueOut(Schema):
    id: int
    number: str
    holder_id: int
    holder_name: str = Field(..., alias="holder.name")
    source: str
    source_note: str
    report_id: int | None
    report_serial: str | None
    duty_record_id: int | None
    archive_id: int | None = Field(
        None, description="本线索单独关联的廉情档案（未关联时以来源举报件关联的为准）"
    )
    accused_name: str
    accused_unit: str
    accused_post: str
    accused_level: str
    matter: str
    state: str
    disposal: str
    pending_disposal: str
    pending_sanction: str
    pending_sanction_decided_on: date | None
    pending_by_id: int | None
    outcome_form: str
    outcome_sanction: str
    sanction_decided_on: date | None
    registered_at: datetime
    closed_at: datetime | None
    version: int

    @staticmethod
    def resolve_report_serial(obj) -> str | None:
        return obj.report.serial_number if obj.report_id else None


class ClueDetailOut(ClueOut):
    summary: str
    pending_note: str
    outcome_note: str
    steps: list[StepOut]
    deadlines: list[DeadlineOut]

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(clues.clue_steps(obj))

    @staticmethod
    def resolve_deadlines(obj) -> list:
        return list(clues.clue_deadlines(obj))


class ClueListFilter(Schema):
    state: str = Field("", max_length=20, description="状态；open=未办结")
    source: str = Field("", max_length=20)
    disposal: str = Field("", max_length=20)
    form: str = Field("", max_length=10, description="form_1…form_4；none=未运用形态")
    start: date | None = Field(None, description="登记日期起（含）")
    end: date | None = Field(None, description="登记日期止（含）")
    q: str = Field("", max_length=40, description="线索编号")


class RegisterIn(Schema):
    source: str = Field(..., max_length=20)
    report_id: ApiId | None = Field(None, description="来源举报件（source=petition 时必填，须已受理）")
    duty_record_id: ApiId | None = Field(None, description="来源履职纪实（source=duty_record 时必填）")
    source_note: str = Field("", max_length=200)
    accused_name: str = Field("", max_length=100)
    accused_unit: str = Field("", max_length=200)
    accused_post: str = Field("", max_length=100)
    accused_level: str = Field("", max_length=20)
    matter: str = Field("", max_length=20)
    summary: str = Field("", max_length=20000)
    endorse: bool = Field(False, description="签字背书：确认登记承诺")


class ProposeIn(Schema):
    disposal: str = Field(..., max_length=20)
    sanction: str = Field("", max_length=40, description="予以了结/转立案时的处理结果（Sanction）")
    sanction_decided_on: date | None = Field(
        None, description="处分决定日期（处理结果为党纪处分、政务处分或诫勉时必填，其他处理结果不填）"
    )
    note: str = Field(..., max_length=4000)
    version: ApiVersion
    endorse: bool = False


class ApproveIn(Schema):
    note: str = Field("", max_length=2000)
    version: ApiVersion
    endorse: bool = False


class RejectIn(Schema):
    reason: str = Field(..., max_length=2000)
    version: ApiVersion
    endorse: bool = False


class LetterReplyIn(Schema):
    reply: str = Field(..., max_length=8000)
    endorser: str = Field(..., max_length=100, description="为回复签字背书的被反映人上级（姓名、职务）")
    version: ApiVersion
    endorse: bool = False


class ReopenIn(Schema):
    note: str = Field(..., max_length=4000, description="新的证据或情况")
    version: ApiVersion
    endorse: bool = False


class StatsFilter(Schema):
    start: date | None = Field(None, description="起始月（该月任一日期）")
    end: date | None = Field(None, description="结束月（该月任一日期）")


class StatRow(Schema):
    key: str
    label: str
    count: int


class MonthRow(Schema):
    month: str
    count: int


class QuarterRow(Schema):
    quarter: str
    count: int


class StatsOut(Schema):
    start: date
    end: date
    total: int
    by_source: list[StatRow]
    by_disposal: list[StatRow]
    by_form: list[StatRow]
    by_level: list[StatRow]
    by_month: list[MonthRow]
    by_quarter: list[QuarterRow]


def _conflict(request):
    return error(request, 409, "conflict", ConcurrentEditError().messages[0])


def _run(request, call):
    try:
        return call()
    except ConcurrentEditError:
        return _conflict(request)


def _detail(user, clue_id: int):
    require_module(user, Module.PETITIONS)
    return get_clue_for(user, clue_id)


@router.get("/", response=list[ClueOut], summary="问题线索（本人辖区）", url_name="clue_list")
@paginate(Pagination, page_size=100)
def clue_list(request, filters: Query[ClueListFilter]):
    require_module(request.auth, Module.PETITIONS)
    return clues.clues_listed(
        request.auth,
        clues.ClueFilter(
            state=filters.state,
            source=filters.source,
            disposal=filters.disposal,
            form=filters.form,
            start=filters.start,
            end=filters.end,
            q=filters.q,
        ),
    )


@router.get(
    "/stats",
    response=StatsOut,
    summary="问题线索统计（来源、处置方式、形态、级别、按月/季度）",
    url_name="clue_stats",
)
def clue_stats_get(request, filters: Query[StatsFilter]):
    require_module(request.auth, Module.PETITIONS)
    if filters.start is None and filters.end is None:
        period = default_period()
    else:
        if filters.start is not None:
            start = filters.start
        else:
            assert filters.end is not None  # not both None: handled above
            start = date(filters.end.year, 1, 1)
        end = filters.end or start
        if start > end:
            raise ValidationError(gettext("起始月份不能晚于结束月份"))
        period = month_period(start, end)
    return clue_stats(request.auth, period).as_dict()


@router.get(
    "/{id:clue_id}", response=ClueDetailOut, summary="一条问题线索及其处置记录", url_name="clue_detail"
)
def clue_detail(request, clue_id: ApiId):
    return _detail(request.auth, clue_id)


@router.post(
    "/", response={201: ClueDetailOut}, summary="登记问题线索（案件监督管理室）", url_name="clue_register"
)
def clue_register(request, payload: RegisterIn):
    user = request.auth
    require_module(user, Module.PETITIONS)
    if not clues.can_register(user):
        raise Http404
    report = get_petition_for(user, payload.report_id) if payload.report_id else None
    record = (
        get_or_404(clues.duty_records_for_clues(user), payload.duty_record_id)
        if payload.duty_record_id
        else None
    )
    clue = clues.clue_register(
        actor=user,
        source=payload.source,
        report=report,
        duty_record=record,
        source_note=payload.source_note,
        accused_name=payload.accused_name,
        accused_unit=payload.accused_unit,
        accused_post=payload.accused_post,
        accused_level=payload.accused_level,
        matter=payload.matter,
        summary=payload.summary,
        endorse=payload.endorse,
    )
    return Status(201, get_clue_for(user, clue.pk))


@router.post(
    "/{id:clue_id}/propose", response=ClueDetailOut, summary="提出处置意见（报批）", url_name="clue_propose"
)
def clue_propose(request, clue_id: ApiId, payload: ProposeIn):
    clue = _detail(request.auth, clue_id)
    return _run(
        request,
        lambda: clues.clue_propose(
            actor=request.auth,
            clue=clue,
            disposal=payload.disposal,
            sanction=payload.sanction,
            sanction_decided_on=payload.sanction_decided_on,
            note=payload.note,
            version=payload.version,
            endorse=payload.endorse,
        ),
    )


@router.post(
    "/{id:clue_id}/approve",
    response=ClueDetailOut,
    summary="批准处置意见（纪委监委领导）",
    url_name="clue_approve",
)
def clue_approve(request, clue_id: ApiId, payload: ApproveIn):
    clue = _detail(request.auth, clue_id)
    return _run(
        request,
        lambda: clues.clue_approve(
            actor=request.auth, clue=clue, note=payload.note, version=payload.version, endorse=payload.endorse
        ),
    )


@router.post(
    "/{id:clue_id}/reject",
    response=ClueDetailOut,
    summary="退回处置意见（须填写理由）",
    url_name="clue_reject",
)
def clue_reject(request, clue_id: ApiId, payload: RejectIn):
    clue = _detail(request.auth, clue_id)
    return _run(
        request,
        lambda: clues.clue_reject(
            actor=request.auth,
            clue=clue,
            reason=payload.reason,
            version=payload.version,
            endorse=payload.endorse,
        ),
    )


@router.post(
    "/{id:clue_id}/letter-reply",
    response=ClueDetailOut,
    summary="登记函询回复",
    url_name="clue_letter_reply",
)
def clue_letter_reply(request, clue_id: ApiId, payload: LetterReplyIn):
    clue = _detail(request.auth, clue_id)
    return _run(
        request,
        lambda: clues.clue_letter_reply(
            actor=request.auth,
            clue=clue,
            reply=payload.reply,
            endorser=payload.endorser,
            version=payload.version,
            endorse=payload.endorse,
        ),
    )


@router.post(
    "/{id:clue_id}/reopen", response=ClueDetailOut, summary="重新启用暂存待查的线索", url_name="clue_reopen"
)
def clue_reopen(request, clue_id: ApiId, payload: ReopenIn):
    clue = _detail(request.auth, clue_id)
    return _run(
        request,
        lambda: clues.clue_reopen(
            actor=request.auth, clue=clue, note=payload.note, version=payload.version, endorse=payload.endorse
        ),
    )


def _handled(request, clue_id: int):
    clue = _detail(request.auth, clue_id)
    if not clues.can_handle(request.auth, clue):
        raise Http404
    return clue


@router.get(
    "/{id:clue_id}/archive-candidates",
    response=list[ArchiveCandidateOut],
    summary="线索被反映人可能的廉情档案（同名人员：单位、职务、级别）",
    url_name="clue_archive_candidates",
)
def clue_archive_candidates(request, clue_id: ApiId):
    clue = _handled(request, clue_id)
    return archive_candidate_rows(clues.clue_archive_candidates(clue))


@router.post(
    "/{id:clue_id}/archive",
    response=ClueDetailOut,
    summary="线索关联被反映人的廉情档案（须为列出的候选档案）",
    url_name="clue_link_archive",
)
def clue_link_archive(request, clue_id: ApiId, payload: ArchiveLinkIn):
    clue = _detail(request.auth, clue_id)
    return _run(
        request,
        lambda: clues.clue_link_archive(
            actor=request.auth, clue=clue, archive_id=payload.archive_id, version=payload.version
        ),
    )


@router.post(
    "/{id:clue_id}/archive/unlink",
    response=ClueDetailOut,
    summary="线索取消关联廉情档案",
    url_name="clue_unlink_archive",
)
def clue_unlink_archive(request, clue_id: ApiId, payload: VersionIn):
    clue = _detail(request.auth, clue_id)
    return _run(
        request, lambda: clues.clue_unlink_archive(actor=request.auth, clue=clue, version=payload.version)
    )
