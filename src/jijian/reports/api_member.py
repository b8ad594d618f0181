"""The village member's monthly report through the API (a future mobile client): my reports, one
report, save a draft (409 on a stale version), submit, the duty log and the duty types of a year.
Scoped like the pages: anything outside the caller's village is a 404."""

from datetime import date, datetime
from uuid import UUID

from django.http import Http404
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from jijian.core.api.errors import error
from jijian.core.api.limits import MAX_ID, ApiId, ApiVersion
from jijian.core.services import ConcurrentEditError

from . import member, services
from .access import get_report_for
from .models import ReportState

router = Router(tags=["履职月报"])


class ReportOut(Schema):
    id: int
    village_id: int
    village_name: str
    month: date
    state: str
    state_label: str
    deadline: date
    is_late: bool
    late_days: int
    is_zero_report: bool
    summary: str
    problems: str
    counts: dict[str, int]
    counts_note: str
    is_early: bool
    return_reason: str
    submitted_at: datetime | None
    approved_at: datetime | None
    # No endorsement_digest: the member's pages do not show the SM3 digest either (issue 16, item 7);
    # the reviewers' API (api_review.py) keeps it.
    version: int

    @staticmethod
    def resolve_village_name(obj) -> str:
        return obj.village.name

    @staticmethod
    def resolve_state_label(obj) -> str:
        return str(ReportState(obj.state).label)


class TransitionOut(Schema):
    from_state: str
    to_state: str
    actor_name: str
    reason: str
    at: datetime

    @staticmethod
    def resolve_actor_name(obj) -> str:
        return obj.actor.full_name if obj.actor else ""


class ReportDetailOut(ReportOut):
    transitions: list[TransitionOut]
    endorsement_statement: str

    @staticmethod
    def resolve_transitions(obj):
        return list(obj.transitions.select_related("actor"))


class DraftIn(Schema):
    version: int = Field(..., ge=1, le=MAX_ID)
    summary: str = Field("", max_length=5000)
    problems: str = Field("", max_length=5000)
    counts: dict[str, int] = Field(default_factory=dict)
    is_zero_report: bool = False
    counts_note: str = Field("", max_length=2000, description="数量说明：填报数量多于履职纪实时必填")


class SubmitIn(Schema):
    version: int = Field(..., ge=1, le=MAX_ID)
    endorse: bool = Field(False, description="签字背书：确认 ENDORSEMENT_STATEMENT")
    early_confirmed: bool = Field(
        False, description="提前提交确认：在本月月报的提交日之前提交时须为 true（提交后本月履职纪实关闭）"
    )


class DutyFieldOut(Schema):
    name: str
    label: str
    type: str
    required: bool = False
    min: float | None = None
    max: float | None = None
    choices: list[str] = []


class DutyTypeOut(Schema):
    id: int
    year: int
    code: str
    name: str
    description: str
    manual_slug: str
    fields: list[DutyFieldOut]


class RecordOut(Schema):
    id: int
    duty_type_id: int
    duty_type_code: str
    month: date
    occurred_on: date
    place: str
    notes: str
    data: dict
    client_uuid: UUID | None
    version: int

    @staticmethod
    def resolve_duty_type_code(obj) -> str:
        return obj.duty_type.code


class RecordIn(Schema):
    duty_type: str = Field(..., max_length=40, description="事项类型代码（当年）")
    occurred_on: date
    place: str = Field("", max_length=100)
    notes: str = Field("", max_length=5000)
    data: dict = Field(default_factory=dict)
    client_uuid: UUID | None = None


class RecordUpdateIn(Schema):
    version: int = Field(..., ge=1, le=MAX_ID)
    occurred_on: date
    place: str = Field("", max_length=100)
    notes: str = Field("", max_length=5000)
    data: dict = Field(default_factory=dict)


class MonthFilter(Schema):
    month: str = Field("", pattern=r"^(\d{4}-\d{2})?$", description="YYYY-MM，默认本月")


class YearFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


def _conflict(request):
    return error(request, 409, "conflict", gettext("已在其他设备修改，请刷新"))


@router.get("/mine", response=list[ReportOut], summary="我的月报（本村，新的在前）")
def member_report_list(request):
    return list(member.member_reports(request.auth)[:120])


@router.get("/{id:report_id}", response=ReportDetailOut, summary="一份月报")
def member_report_detail(request, report_id: ApiId):
    return get_report_for(request.auth, report_id)


@router.post("/{id:report_id}/draft", response=ReportOut, summary="保存月报草稿（版本不符：409）")
def member_report_save_draft(request, report_id: ApiId, payload: DraftIn):
    report = member.get_member_report(request.auth, report_id)
    try:
        return services.monthly_report_save_draft(actor=request.auth, report=report, **payload.dict())
    except ConcurrentEditError:
        return _conflict(request)


@router.post("/{id:report_id}/submit", response=ReportOut, summary="签字背书并提交月报（重复提交不重复计）")
def member_report_submit(request, report_id: ApiId, payload: SubmitIn):
    report = member.get_member_report(request.auth, report_id)
    try:
        return services.monthly_report_submit(
            actor=request.auth,
            report=report,
            version=payload.version,
            endorse=payload.endorse,
            early_confirmed=payload.early_confirmed,
        )
    except ConcurrentEditError:
        return _conflict(request)


def _month(value: str) -> date:
    if not value:
        return services.month_start(services.today())
    year, month = value.split("-")
    try:
        return date(int(year), int(month), 1)
    except ValueError:
        raise Http404 from None


@router.get("/records", response=list[RecordOut], summary="本村一个月的履职纪实")
def member_record_list(request, filters: Query[MonthFilter]):
    return list(member.member_records(request.auth, _month(filters.month)))


@router.post(
    "/records", response={201: RecordOut, 200: RecordOut}, summary="记一笔履职纪实（client_uuid 重发不重复）"
)
def member_record_create(request, payload: RecordIn):
    member.require_member(request.auth)
    types = member.duty_types_by_code(payload.occurred_on.year, request.auth)
    duty_type = types.get(payload.duty_type)
    if duty_type is None:
        return error(request, 400, "rejected", gettext("该事项类型不适用于所选日期的年度"))
    record = services.duty_record_create(
        actor=request.auth,
        duty_type=duty_type,
        occurred_on=payload.occurred_on,
        place=payload.place,
        notes=payload.notes,
        data=payload.data,
        client_uuid=payload.client_uuid,
    )
    return Status(201, record)


@router.get("/records/{id:record_id}", response=RecordOut, summary="一条履职纪实")
def member_record_detail(request, record_id: ApiId):
    return member.get_member_record(request.auth, record_id)


@router.post("/records/{id:record_id}", response=RecordOut, summary="修改履职纪实（版本不符：409）")
def member_record_update(request, record_id: ApiId, payload: RecordUpdateIn):
    record = member.get_member_record(request.auth, record_id)
    try:
        return services.duty_record_update(actor=request.auth, record=record, **payload.dict())
    except ConcurrentEditError:
        return _conflict(request)


@router.delete("/records/{id:record_id}", response={204: None}, summary="删除履职纪实（?version=）")
def member_record_delete(request, record_id: ApiId, version: ApiVersion | None = None):
    record = member.get_member_record(request.auth, record_id)
    if version is None:
        return error(request, 400, "rejected", gettext("缺少版本号（version）"))
    try:
        services.duty_record_delete(actor=request.auth, record=record, version=version)
    except ConcurrentEditError:
        return _conflict(request)
    return Status(204, None)


@router.get("/duty-types", response=list[DutyTypeOut], summary="某年度的履职事项类型及其字段")
def member_duty_types(request, filters: Query[YearFilter]):
    member.require_member(request.auth)
    this_year = services.today().year
    year = filters.year or this_year
    if abs(year - this_year) > 1:
        # Configuration is seeded on first use: only the years a member can record in.
        return error(
            request,
            400,
            "rejected",
            gettext("只能查询 %(first)s–%(last)s 年度的事项类型")
            % {"first": this_year - 1, "last": this_year + 1},
        )
    return list(member.duty_types_by_code(year, request.auth).values())
