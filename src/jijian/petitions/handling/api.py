"""Staff work on reports from the public through the API (/api/petitions/): the register (filters,
paged), one report (deadlines, forwards, transitions, messages), registration of letters, visits,
12388 calls and video receptions (JSON, or multipart with files), triage (repeat, not accepted,
route), notices, closing, messages to the reporter, the forwards desk and a report's time limits.

Scoped like the pages: module PETITIONS over the report's holder; a report or forward outside the
caller's jurisdiction, or one they are recused from, is the same 404 as a missing one; anonymous
callers get 401. The reporter's identity is always masked here (revealing it is an audited page).
Every action carries the `version` the caller read: a stale one is 409 (conflict); a refused action
is 400 with the Chinese message of the service (api/api.py's one error format). The public portal's
endpoints are documented separately (docs/petitions.md, "Public endpoints")."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ValidationError as PydanticValidationError

from jijian.core.access import org_units_visible_to, require_module
from jijian.core.api.errors import error
from jijian.core.api.limits import ApiId, ApiVersion, PageNumber, Pagination
from jijian.core.roles import Module
from jijian.core.services import ConcurrentEditError
from jijian.core.validators import validate_contact_phone, validate_id_number
from jijian.petitions import selectors, services
from jijian.petitions.access import (
    approvals_pending_for,
    get_approval_for,
    get_petition_for,
    get_received_forward_for,
    petitions_visible_to,
)
from jijian.petitions.deadlines.limits import urgency, warn_until
from jijian.petitions.handling import archive_links, conclusion, objections, relations
from jijian.petitions.intake.forms import REGION_KINDS
from jijian.petitions.models import ForwardAnswer, PetitionReport

router = Router(tags=["信访举报"])


# --- schemas ------------------------------------------------------------------------------------------
class RegisterFilterIn(Schema):
    state: str = Field("", max_length=20, description="received/accepted/not_accepted/forwarded/closed")
    channel: str = Field("", max_length=16, description="online/letter/visit/phone/video/supervision")
    category: str = Field("", max_length=20, description="accusation/complaint/appeal/suggestion")
    received_from: date | None = Field(None, description="收到日期自（含）")
    received_to: date | None = Field(None, description="收到日期至（含）")
    q: str = Field("", max_length=50, description="登记编号或被反映人姓名")


class ReportOut(Schema):
    id: int
    serial_number: str
    category: str
    channel: str
    state: str
    state_display: str
    received_at: datetime
    region_id: int
    region_name: str
    holder_id: int | None
    holder_name: str
    accused_name: str
    accused_post: str
    accused_level: str
    matter: str
    is_anonymous: bool
    reporter: str = Field(..., description="举报人（遮蔽）：匿名，或“张** 138****5678”")
    route: str
    restricted: bool
    repeat_of_id: int | None
    version: int

    @staticmethod
    def resolve_state_display(obj) -> str:
        return obj.get_state_display()

    @staticmethod
    def resolve_region_name(obj) -> str:
        return obj.region.name

    @staticmethod
    def resolve_holder_name(obj) -> str:
        return obj.holder.name if obj.holder_id else ""

    @staticmethod
    def resolve_reporter(obj) -> str:
        return obj.masked_reporter


class DeadlineOut(Schema):
    id: int
    kind: str
    kind_display: str
    holder_id: int
    holder_name: str
    starts_on: date
    due_date: date
    met_at: datetime | None
    waived: bool
    urgency: str = Field("", description="未完成的：red 已逾期 / yellow 临近 / green；已完成为空")
    awaiting_leader: bool = Field(
        False, description="承办单位已报批（办结报告、维持原结论的答复），待领导审批后期限才算完成"
    )


class ForwardOut(Schema):
    id: int
    report_id: int
    serial_number: str
    kind: str
    from_unit_id: int
    from_unit_name: str
    to_unit_id: int
    to_unit_name: str
    note: str
    forwarded_at: datetime
    due_date: date
    answer: str
    answered_at: datetime | None
    answer_note: str
    overdue: bool

    @staticmethod
    def resolve_serial_number(obj) -> str:
        return obj.report.serial_number

    @staticmethod
    def resolve_from_unit_name(obj) -> str:
        return obj.from_unit.name

    @staticmethod
    def resolve_to_unit_name(obj) -> str:
        return obj.to_unit.name

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return not obj.answer and obj.due_date < timezone.localdate()


class ForwardSentOut(Schema):
    """A forward out of the caller's jurisdiction. On the restricted path (or for a recused caller)
    only number, date, receiving body and answer state: the content fields are null."""

    id: int
    serial_number: str
    forwarded_at: datetime
    to_unit_name: str
    answer: str
    answered_at: datetime | None
    status: str = Field(..., description="answered / pending / overdue")
    restricted: bool
    report_id: int | None
    accused_name: str | None
    kind: str | None
    due_date: date | None


class SentPageOut(Schema):
    count: int
    items: list[ForwardSentOut]


class TransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor_name: str
    unit_name: str
    reason: str
    at: datetime


class ApprovalOut(Schema):
    """A request a commission leader decides: the 办结 report (the case stays 已受理 until it is
    approved), an extension of the conclusion limit, or the answer upholding the result against the
    reporter's objection (the objection stays open until it is approved)."""

    id: int
    kind: str = Field(
        description="conclusion 办结报告 / extension 延长办结期限 / objection_upheld 异议答复（维持原结论）"
    )
    kind_display: str
    state: str = Field(description="pending 待领导审批 / approved 已批准 / rejected 已退回")
    state_display: str
    text: str = Field(description="办理结果、延期理由或拟答复举报人的内容")
    old_due_date: date | None
    new_due_date: date | None
    requested_at: datetime
    decided_at: datetime | None
    decision_note: str

    @staticmethod
    def resolve_kind_display(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_state_display(obj) -> str:
        return obj.get_state_display()


class MessageOut(Schema):
    id: int
    direction: str
    body: str
    author_name: str
    created_at: datetime


class ObjectionOut(Schema):
    id: int
    channel: str = Field(description="letter 来信 / phone 来电 / visit 来访 / online 网上查询页面")
    channel_display: str
    received_on: date
    text: str
    new_facts: str
    recorded_by_name: str = Field(description="登记人（举报人网上提出的为空）")
    objected_result: str = Field(description="所异议的办理结果")
    outcome: str = Field(description="空：待答复；upheld 维持原结论；reopened 重新办理")
    outcome_display: str
    answer: str
    answered_by_name: str
    answered_on: date | None


class ReportDetailOut(ReportOut):
    accused_unit: str
    facts: str
    phone_area_code: str
    received_unit_id: int | None
    managing_unit_id: int | None
    archive_id: int | None
    about_own_head: bool
    not_accepted_reason: str
    acceptance_notice: str
    acceptance_notified_on: date | None
    result: str
    closed_at: datetime | None
    result_notice: str
    result_notified_on: date | None
    deadlines: list[DeadlineOut]
    forwards: list[ForwardOut]
    transitions: list[TransitionOut]
    approvals: list[ApprovalOut]
    messages: list[MessageOut]
    objections: list[ObjectionOut]

    @staticmethod
    def resolve_objections(obj) -> list[dict]:
        return [
            {
                "id": o.pk,
                "channel": o.channel,
                "channel_display": o.get_channel_display(),
                "received_on": o.received_on,
                "text": o.text,
                "new_facts": o.new_facts,
                "recorded_by_name": o.recorded_by.full_name if o.recorded_by_id else "",
                "objected_result": o.objected_result,
                "outcome": o.outcome,
                "outcome_display": o.get_outcome_display(),
                "answer": o.answer,
                "answered_by_name": o.answered_by.full_name if o.answered_by_id else "",
                "answered_on": o.answered_on,
            }
            for o in obj.objections.select_related("recorded_by", "answered_by").order_by("created_at", "pk")
        ]

    @staticmethod
    def resolve_deadlines(obj) -> list[dict]:
        return _deadlines(obj)

    @staticmethod
    def resolve_forwards(obj):
        return list(
            obj.forwards.select_related("report", "from_unit", "to_unit").order_by("forwarded_at", "pk")
        )

    @staticmethod
    def resolve_transitions(obj) -> list[dict]:
        return [
            {
                "action": t.action,
                "from_state": t.from_state,
                "to_state": t.to_state,
                "actor_name": t.actor.full_name if t.actor_id else "",
                "unit_name": t.unit.name if t.unit_id else "",
                "reason": t.reason,
                "at": t.at,
            }
            for t in obj.transitions.select_related("actor", "unit").order_by("at", "pk")
        ]

    @staticmethod
    def resolve_approvals(obj) -> list:
        return list(obj.approvals.order_by("requested_at", "pk"))

    @staticmethod
    def resolve_messages(obj) -> list[dict]:
        return [
            {
                "id": m.pk,
                "direction": m.direction,
                "body": m.body,
                "author_name": m.author.full_name if m.author_id else "",
                "created_at": m.created_at,
            }
            for m in obj.messages.select_related("author").order_by("created_at", "pk")
        ]


class RegisterIn(Schema):
    channel: str = Field(..., max_length=10, description="letter/visit/phone/video")
    category: str = Field(..., max_length=20)
    region_id: ApiId = Field(..., description="所属地区（本人辖区内的市、县、乡镇）")
    facts: str = Field(..., max_length=20000)
    is_anonymous: bool = True
    received_on: date | None = Field(None, description="收到日期，默认今天；不能晚于今天")
    phone_area_code: str = Field("", max_length=6, description="电话举报的来电区号")
    accused_name: str = Field("", max_length=100)
    accused_unit: str = Field("", max_length=200)
    accused_post: str = Field("", max_length=100)
    accused_level: str = Field("", max_length=20)
    accused_id_number: str = Field(
        "", max_length=18, description="被反映人身份证号（选填，用于查找其廉情档案）"
    )
    matter: str = Field("", max_length=20)
    reporter_name: str = Field("", max_length=100)
    reporter_id_number: str = Field("", max_length=18)
    reporter_phone: str = Field("", max_length=20)


class RepeatIn(Schema):
    original_id: ApiId
    version: ApiVersion


class NotAcceptIn(Schema):
    reason: str = Field(..., max_length=20, description="legal_procedure/other_body/no_substance/other")
    reply: str = Field("", max_length=4000, description="给实名举报人的答复（实名时必填）")
    version: ApiVersion


class RouteIn(Schema):
    managing_id: ApiId = Field(..., description="被反映人的管理机关（全树任一纪检监察机关）")
    about_own_head: bool = False
    note: str = Field("", max_length=2000)
    version: ApiVersion


class TextIn(Schema):
    text: str = Field(..., max_length=4000)
    version: ApiVersion


class CloseIn(Schema):
    result: str = Field(..., max_length=8000)
    version: ApiVersion


class ObjectionIn(Schema):
    channel: str = Field(..., max_length=10, description="letter 来信 / phone 来电 / visit 来访")
    received_on: date = Field(..., description="收到日期；不能晚于今天，不能早于结果告知日期")
    text: str = Field(..., max_length=10000)
    new_facts: str = Field("", max_length=10000, description="新的事实或理由（此前的异议已答复的，必填）")
    version: ApiVersion


class ObjectionAnswerIn(Schema):
    outcome: str = Field(
        ...,
        max_length=10,
        description="upheld 维持原结论（报领导审批，批准后告知举报人）/ reopened 重新办理（即时退回已受理）",
    )
    answer: str = Field(..., max_length=10000)
    version: ApiVersion


class MessageIn(Schema):
    body: str = Field(..., max_length=4000)


class ExtensionIn(Schema):
    new_due_date: date = Field(..., description="延长后的办结期限：晚于现期限，累计延长不超过三个月")
    reason: str = Field(..., max_length=2000, description="延长理由（情况复杂的具体原因）")
    version: ApiVersion


class DecisionIn(Schema):
    decision: str = Field(..., max_length=10, description="approve 批准 / reject 退回（须写明理由）")
    note: str = Field("", max_length=2000, description="审批意见；退回时为退回理由，必填")
    version: ApiVersion


class PendingApprovalOut(ApprovalOut):
    """A request waiting on the calling leader, with the report it is about."""

    report_id: int
    serial_number: str
    report_state: str
    holder_name: str
    requested_by_name: str
    limit_due: date | None = Field(
        description="所涉办理时限的到期日：延长申请为现办结期限，办结报告、维持原结论的答复为待审批期间仍在计算的时限"
    )

    @staticmethod
    def resolve_serial_number(obj) -> str:
        return obj.report.serial_number

    @staticmethod
    def resolve_report_state(obj) -> str:
        return obj.report.state

    @staticmethod
    def resolve_holder_name(obj) -> str:
        return obj.report.holder.name

    @staticmethod
    def resolve_requested_by_name(obj) -> str:
        return obj.requested_by.full_name


class UrgeIn(Schema):
    deadline_id: ApiId = Field(
        ..., description="该件已逾期、未完成的时限（见 deadlines 中 urgency 为 red 的）"
    )
    kind: str = Field(..., max_length=10, description="urge 催办 / supervise 督办（催办后仍未办理的）")
    note: str = Field("", max_length=2000, description="要求；督办时必填（如办结时限、报告方式）")


class UrgingOut(Schema):
    id: int
    kind: str
    kind_display: str
    deadline_id: int
    to_unit_name: str
    note: str
    sent_at: datetime


class ArchiveCandidateOut(Schema):
    id: int
    name: str
    org_unit_id: int
    org_unit_name: str
    post: str
    level: str


def archive_candidate_rows(archives) -> list[dict]:
    """Candidate archives as the API lists them (a report's, a clue's): who, where, which post."""
    return [
        {
            "id": a.pk,
            "name": a.name,
            "org_unit_id": a.org_unit_id,
            "org_unit_name": a.org_unit.name,
            "post": a.post,
            "level": a.level,
        }
        for a in archives
    ]


class ArchiveLinkIn(Schema):
    archive_id: ApiId
    version: ApiVersion


class VersionIn(Schema):
    version: ApiVersion


class AnswerIn(Schema):
    answer: str = Field(..., description="accepted（接收办理）/ transferred（转送）")
    managing_id: ApiId | None = Field(None, description="转送时：被反映人的管理机关")
    about_own_head: bool = False
    note: str = Field("", max_length=2000)


# --- helpers ------------------------------------------------------------------------------------------


def _conflict(request):
    return error(request, 409, "conflict", gettext("该件已被他人处理或修改，请刷新后重试（您的操作未执行）"))


def _act(request, action, **kwargs):
    """Run a service; a stale version is 409, a refusal 400 and a forbidden actor 404 (both api.py)."""
    try:
        return action(actor=request.auth, **kwargs)
    except ConcurrentEditError:
        return _conflict(request)


def _commission(user, pk: int | None):
    unit = selectors.commission_choices(user).filter(pk=pk).first() if pk is not None else None
    if unit is None:
        raise ValidationError(gettext("请从纪检监察机关中选择被反映人的管理机关"))
    return unit


def _deadline_row(d, today: date, warn: date) -> dict:
    return {
        "id": d.pk,
        "kind": d.kind,
        "kind_display": d.get_kind_display(),
        "holder_id": d.holder_id,
        "holder_name": d.holder.name,
        "starts_on": d.starts_on,
        "due_date": d.due_date,
        "met_at": d.met_at,
        "waived": d.waived,
        "urgency": urgency(d.due_date, today=today, warn_until=warn) if d.met_at is None else "",
        "awaiting_leader": d.awaiting_leader,
    }


def _deadlines(report: PetitionReport) -> list[dict]:
    today = timezone.localdate()
    warn = warn_until(today)
    return [
        _deadline_row(d, today, warn)
        for d in report.deadlines.select_related("holder").order_by("due_date", "pk")
    ]


def _detail(report: PetitionReport) -> PetitionReport:
    """The report as ReportDetailOut reads it (its resolvers load deadlines, forwards, transitions
    and messages: a handful of queries, whatever their number)."""
    return report


def _report_for(request, report_id: int) -> PetitionReport:
    require_module(request.auth, Module.PETITIONS)
    return get_petition_for(request.auth, report_id)


def _after(request, result):
    """The detail of the report an action returned (or the error response it produced)."""
    if not isinstance(result, PetitionReport):
        return result
    return _detail(get_petition_for(request.auth, result.pk)) if _visible(request, result) else _moved(result)


def _visible(request, report: PetitionReport) -> bool:
    return petitions_visible_to(request.auth).filter(pk=report.pk).exists()


def _moved(report: PetitionReport) -> dict:
    """After a forward up the restricted path the report has left the caller's register: only what
    the forwards list would show."""
    return {
        "id": report.pk,
        "serial_number": report.serial_number,
        "state": report.state,
        "version": report.version,
        "left_jurisdiction": True,
    }


def _validated_identity(payload: RegisterIn) -> dict:
    data = payload.dict()
    if data["is_anonymous"]:
        return data
    if data["reporter_id_number"]:
        data["reporter_id_number"] = validate_id_number(data["reporter_id_number"])
    if data["reporter_phone"]:
        data["reporter_phone"] = validate_contact_phone(data["reporter_phone"])
    return data


def _register(request, payload: RegisterIn, files=()):
    require_module(request.auth, Module.PETITIONS)
    if payload.channel not in services.STAFF_CHANNELS:  # a clue found in supervision comes from a flag
        raise ValidationError(gettext("请选择来信、来访、来电或视频接访"))
    data = _validated_identity(payload)
    region = (
        org_units_visible_to(request.auth).filter(pk=data.pop("region_id"), kind__in=REGION_KINDS).first()
    )
    if region is None:
        raise ValidationError(
            gettext("所属地区不在您的管辖范围内，请从本辖区的市、县（市、区）、乡镇（街道）中选择")
        )
    report = services.petition_register(actor=request.auth, region=region, files=list(files or ()), **data)
    return Status(201, _detail(get_petition_for(request.auth, report.pk)))


# --- the register ---------------------------------------------------------------------------------------
@router.get(
    "/",
    response=list[ReportOut],
    summary="信访举报登记簿（本人辖区；举报人遮蔽）",
    url_name="petition_report_list",
)
@paginate(Pagination, page_size=50)
def petition_report_list(request, filters: Query[RegisterFilterIn]):
    require_module(request.auth, Module.PETITIONS)
    return selectors.register(request.auth, selectors.RegisterFilter(**filters.dict()))


@router.post(
    "/",
    response={201: ReportDetailOut},
    summary="登记来信、来访、来电（12388）、视频接访（JSON）",
    url_name="petition_report_register",
)
def petition_report_register(request, payload: RegisterIn):
    return _register(request, payload)


def _multipart_schema() -> dict:
    schema = RegisterIn.model_json_schema()
    schema["properties"]["files"] = {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
        "description": "扫描件或其他材料（可多个）",
    }
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


@router.post(
    "/with-files",
    response={201: ReportDetailOut},
    summary="登记来信等并上传扫描件（multipart/form-data：字段同 JSON 登记，files 可多个）",
    openapi_extra=_multipart_schema(),
    url_name="petition_report_register_files",
)
def petition_report_register_files(request):
    # The form is read here rather than by a Form[...] parameter, so that a caller without the
    # module gets the same 404 as everywhere before any validation answer.
    require_module(request.auth, Module.PETITIONS)
    try:
        payload = RegisterIn(**{key: request.POST.get(key) for key in request.POST})
    except PydanticValidationError as exc:
        details = [
            {"loc": [str(p) for p in e.get("loc", [])], "message": e.get("msg", "")} for e in exc.errors()
        ]
        return error(request, 422, "invalid", gettext("请求数据不符合要求"), details)
    return _register(request, payload, request.FILES.getlist("files"))


@router.get(
    "/forwards",
    response=list[ForwardOut],
    summary="待答复的转办件（转给本人辖区机关的）",
    url_name="petition_forward_inbox",
)
@paginate(Pagination, page_size=50)
def petition_forward_inbox(request):
    require_module(request.auth, Module.PETITIONS)
    return selectors.forwards_to_answer(request.auth)


@router.get(
    "/forwards/sent",
    response=SentPageOut,
    summary="本人辖区机关转出的件（跟踪至答复；每页50件）",
    url_name="petition_forward_sent",
)
def petition_forward_sent(request, page: PageNumber = 1, state: str = ""):
    require_module(request.auth, Module.PETITIONS)
    today = timezone.localdate()
    qs = selectors.forwards_sent(request.auth, state=state, today=today)
    paged = Paginator(qs, 50).get_page(page)
    forwards = list(paged)
    rows = []
    for row in relations.forwards_sent_rows(request.auth, forwards, today=today):
        f, hidden = row["forward"], row["hidden"]
        rows.append(
            {
                "id": f.pk,
                "serial_number": f.report.serial_number,
                "forwarded_at": f.forwarded_at,
                "to_unit_name": f.to_unit.name,
                "answer": f.answer,
                "answered_at": f.answered_at,
                "status": row["status"],
                "restricted": f.report.restricted,
                "report_id": f.report_id if row["link"] else None,
                "accused_name": None if hidden else f.report.accused_name,
                "kind": None if hidden else f.kind,
                "due_date": None if hidden else f.due_date,
            }
        )
    return {"count": paged.paginator.count, "items": rows}


@router.post(
    "/forwards/{id:forward_id}/answer",
    response=ForwardOut,
    summary="答复转办件：接收办理或转送",
    url_name="petition_forward_answer_post",
)
def petition_forward_answer_post(request, forward_id: ApiId, payload: AnswerIn):
    require_module(request.auth, Module.PETITIONS)
    forward = get_received_forward_for(request.auth, forward_id)
    managing = None
    if payload.answer == ForwardAnswer.TRANSFERRED:
        managing = _commission(request.auth, payload.managing_id)
    result = _act(
        request,
        services.petition_forward_answer,
        forward=forward,
        answer=payload.answer,
        note=payload.note,
        managing=managing,
        about_own_head=payload.about_own_head,
    )
    if not hasattr(result, "pk"):
        return result
    return get_received_forward_for(request.auth, result.pk)


@router.get(
    "/{id:report_id}",
    response=ReportDetailOut,
    summary="举报件详情（举报人遮蔽）",
    url_name="petition_report_detail",
)
def petition_report_detail(request, report_id: ApiId):
    return _detail(_report_for(request, report_id))


@router.get(
    "/{id:report_id}/archive-candidates",
    response=list[ArchiveCandidateOut],
    summary="被反映人可能的廉情档案（同名人员：单位、职务、级别）",
    url_name="petition_archive_candidates",
)
def petition_archive_candidates(request, report_id: ApiId):
    report = _report_for(request, report_id)
    if not services.can_handle(request.auth):
        raise Http404
    return archive_candidate_rows(archive_links.archive_candidates(report))


@router.post(
    "/{id:report_id}/archive",
    response=ReportDetailOut,
    summary="关联被反映人的廉情档案（须为列出的候选档案）",
    url_name="petition_link_archive",
)
def petition_link_archive(request, report_id: ApiId, payload: ArchiveLinkIn):
    report = _report_for(request, report_id)
    return _after(
        request,
        _act(
            request,
            archive_links.petition_link_archive,
            report=report,
            archive_id=payload.archive_id,
            version=payload.version,
        ),
    )


@router.post(
    "/{id:report_id}/archive/unlink",
    response=ReportDetailOut,
    summary="取消关联廉情档案",
    url_name="petition_unlink_archive",
)
def petition_unlink_archive(request, report_id: ApiId, payload: VersionIn):
    report = _report_for(request, report_id)
    return _after(
        request, _act(request, archive_links.petition_unlink_archive, report=report, version=payload.version)
    )


@router.get(
    "/{id:report_id}/deadlines",
    response=list[DeadlineOut],
    summary="举报件的办理时限",
    url_name="petition_report_deadlines",
)
def petition_report_deadlines(request, report_id: ApiId):
    return _deadlines(_report_for(request, report_id))


@router.post(
    "/{id:report_id}/repeat",
    response=ReportDetailOut,
    summary="标记为重复件（关联原件）",
    url_name="petition_report_mark_repeat",
)
def petition_report_mark_repeat(request, report_id: ApiId, payload: RepeatIn):
    report = _report_for(request, report_id)
    original = get_petition_for(request.auth, payload.original_id)
    return _after(
        request,
        _act(
            request, services.petition_mark_repeat, report=report, original=original, version=payload.version
        ),
    )


@router.post(
    "/{id:report_id}/not-accept",
    response=ReportDetailOut,
    summary="不予受理（实名须答复）",
    url_name="petition_report_not_accept",
)
def petition_report_not_accept(request, report_id: ApiId, payload: NotAcceptIn):
    report = _report_for(request, report_id)
    return _after(
        request,
        _act(
            request,
            services.petition_not_accept,
            report=report,
            reason=payload.reason,
            reply=payload.reply,
            version=payload.version,
        ),
    )


@router.post(
    "/{id:report_id}/route",
    response={200: ReportDetailOut, 202: dict},
    summary="分流：本级办理或按管理权限转办（报送上级后不再出现在本级登记簿：202）",
    url_name="petition_report_route",
)
def petition_report_route(request, report_id: ApiId, payload: RouteIn):
    report = _report_for(request, report_id)
    managing = _commission(request.auth, payload.managing_id)
    result = _after(
        request,
        _act(
            request,
            services.petition_route,
            report=report,
            managing=managing,
            about_own_head=payload.about_own_head,
            note=payload.note,
            version=payload.version,
        ),
    )
    if isinstance(result, dict) and result.get("left_jurisdiction"):
        return Status(202, result)
    return result


@router.post(
    "/{id:report_id}/acceptance-notice",
    response=ReportDetailOut,
    summary="受理告知实名举报人",
    url_name="petition_report_acceptance_notify",
)
def petition_report_acceptance_notify(request, report_id: ApiId, payload: TextIn):
    report = _report_for(request, report_id)
    return _after(
        request,
        _act(
            request,
            services.petition_acceptance_notify,
            report=report,
            text=payload.text,
            version=payload.version,
        ),
    )


@router.post(
    "/{id:report_id}/close",
    response=ReportDetailOut,
    summary="办结（填写办理结果，报领导审批；批准后办结）",
    url_name="petition_report_close",
)
def petition_report_close(request, report_id: ApiId, payload: CloseIn):
    report = _report_for(request, report_id)
    return _after(
        request,
        _act(request, services.petition_close, report=report, result=payload.result, version=payload.version),
    )


@router.post(
    "/{id:report_id}/result-notice",
    response=ReportDetailOut,
    summary="办理结果告知实名举报人",
    url_name="petition_report_result_notify",
)
def petition_report_result_notify(request, report_id: ApiId, payload: TextIn):
    report = _report_for(request, report_id)
    return _after(
        request,
        _act(
            request,
            services.petition_result_notify,
            report=report,
            text=payload.text,
            version=payload.version,
        ),
    )


def _objection_record(*, actor, report, **kwargs) -> PetitionReport:
    objections.objection_record(actor=actor, report=report, **kwargs)
    return report


def _objection_answer(*, actor, report, **kwargs) -> PetitionReport:
    objections.objection_answer(actor=actor, report=report, **kwargs)
    return report


@router.post(
    "/{id:report_id}/objections",
    response=ReportDetailOut,
    summary="登记实名举报人对办理结果的异议（来信、来电、来访）",
    url_name="petition_report_objection",
)
def petition_report_objection(request, report_id: ApiId, payload: ObjectionIn):
    report = _report_for(request, report_id)
    return _after(
        request,
        _act(
            request,
            _objection_record,
            report=report,
            channel=payload.channel,
            received_on=payload.received_on,
            text=payload.text,
            new_facts=payload.new_facts,
            version=payload.version,
        ),
    )


@router.post(
    "/{id:report_id}/objections/answer",
    response=ReportDetailOut,
    summary="答复举报人异议（维持原结论须领导审批；重新办理即时生效）",
    url_name="petition_report_objection_answer",
)
def petition_report_objection_answer(request, report_id: ApiId, payload: ObjectionAnswerIn):
    report = _report_for(request, report_id)
    return _after(
        request,
        _act(
            request,
            _objection_answer,
            report=report,
            outcome=payload.outcome,
            answer=payload.answer,
            version=payload.version,
        ),
    )


@router.post(
    "/{id:report_id}/messages",
    response={201: MessageOut},
    summary="给举报人发消息（凭查询码查看）",
    url_name="petition_report_message",
)
def petition_report_message(request, report_id: ApiId, payload: MessageIn):
    report = _report_for(request, report_id)
    message = _act(request, services.petition_message_send, report=report, body=payload.body)
    return Status(
        201,
        {
            "id": message.pk,
            "direction": message.direction,
            "body": message.body,
            "author_name": request.auth.full_name,
            "created_at": message.created_at,
        },
    )


# --- after acceptance: the extension, the leaders' decisions, 催办/督办 (handling/conclusion.py) -------
@router.post(
    "/{id:report_id}/extension",
    response=ReportDetailOut,
    summary="申请延长办结期限（报领导审批；批准后期限延长）",
    url_name="petition_report_extension",
)
def petition_report_extension(request, report_id: ApiId, payload: ExtensionIn):
    report = _report_for(request, report_id)

    def run(*, actor, report, **kwargs) -> PetitionReport:
        conclusion.petition_extension_request(actor=actor, report=report, **kwargs)
        return report

    return _after(
        request,
        _act(
            request,
            run,
            report=report,
            new_due_date=payload.new_due_date,
            reason=payload.reason,
            version=payload.version,
        ),
    )


def _leader(request) -> None:
    """The leaders' endpoints answer 404 to everyone else, as their pages do."""
    if not conclusion.can_decide(request.auth):
        raise Http404


@router.get(
    "/approvals",
    response=list[PendingApprovalOut],
    summary="待审批的办理事项（纪委监委领导；本人辖区，最早报批的在前）",
    url_name="petition_approvals_pending",
)
@paginate(Pagination, page_size=50)
def petition_approvals_pending(request):
    _leader(request)
    return conclusion.with_limit_due(
        approvals_pending_for(request.auth)
        .select_related("report", "report__holder", "requested_by")
        .order_by("requested_at", "pk")
    )


@router.post(
    "/{id:report_id}/approvals/{id:approval_id}/decision",
    response=ReportDetailOut,
    summary="领导审批：批准或退回（延长办结期限、办结报告、维持原结论的异议答复；本人报批的不能审批）",
    url_name="petition_approval_decide",
)
def petition_approval_decide(request, report_id: ApiId, approval_id: ApiId, payload: DecisionIn):
    _leader(request)
    report = _report_for(request, report_id)
    approval = get_approval_for(request.auth, report, approval_id)
    if payload.decision not in ("approve", "reject"):
        raise ValidationError(gettext("请选择批准或退回"))

    def run(*, actor, **kwargs) -> PetitionReport:
        conclusion.petition_approval_decide(actor=actor, **kwargs)
        return report

    return _after(
        request,
        _act(
            request,
            run,
            approval=approval,
            approve=payload.decision == "approve",
            note=payload.note,
            version=payload.version,
        ),
    )


@router.post(
    "/{id:report_id}/urgings",
    response={201: UrgingOut},
    summary="催办或督办逾期的时限（信访室或领导；通知承办机关）",
    url_name="petition_report_urge",
)
def petition_report_urge(request, report_id: ApiId, payload: UrgeIn):
    if not conclusion.can_urge(request.auth):
        raise Http404
    report = _report_for(request, report_id)
    deadline = conclusion.overdue_deadlines(report).filter(pk=payload.deadline_id).first()
    if deadline is None:
        raise ValidationError(gettext("该时限已完成或未逾期，请刷新后查看"))
    urging = conclusion.petition_urge(
        actor=request.auth, report=report, deadline=deadline, kind=payload.kind, note=payload.note
    )
    return Status(
        201,
        {
            "id": urging.pk,
            "kind": urging.kind,
            "kind_display": urging.get_kind_display(),
            "deadline_id": deadline.pk,
            "to_unit_name": urging.to_unit.name,
            "note": urging.note,
            "sent_at": urging.sent_at,
        },
    )
