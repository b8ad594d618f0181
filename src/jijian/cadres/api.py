"""The cadres app through the API: guidance tasks (a member's own, an officer's villages'; the township
issues, the member answers, and the answer becomes a duty record), nominations with their vetting
(the township submits, the county decides), the posts' history, 跟案学习 (the county places and
records, the cadre reports). Scoped like the pages: outside the caller's jurisdiction, without the
module or the role, a 404. Every write goes through the same service as its page (services.py); a
refusal there is a 400 with its Chinese message, and nothing is changed."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from jijian.core.access import require_module
from jijian.core.api.limits import ApiId, ApiSmall, ApiVersion, Pagination
from jijian.core.roles import Module

from . import access, selectors, services

router = Router(tags=["纪检委员队伍"])


class TaskOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    member_id: int
    member_name: str
    village_id: int
    village_name: str
    issued_on: date
    working_days: int
    due_on: date
    answer: str
    answered_on: date | None
    status: str
    overdue: bool
    duty_record_id: int | None
    duty_note: str
    closed_on: date | None  # the member's holding ended (its last day) with the task unanswered
    version: int

    @staticmethod
    def resolve_member_name(obj) -> str:
        return obj.member.full_name

    @staticmethod
    def resolve_village_name(obj) -> str:
        return obj.village.name

    @staticmethod
    def resolve_status(obj) -> str:
        return selectors.task_status(obj, timezone.localdate())

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class TaskFilter(Schema):
    status: str = ""


class AnswerIn(Schema):
    answer: str
    version: ApiVersion


@router.get("/tasks", response=list[TaskOut], summary="派单点题任务（纪检委员本人的；乡镇、县级辖区内的）")
@paginate(Pagination, page_size=100)
def cadres_task_list(request, filters: Query[TaskFilter]):
    require_module(request.auth, Module.CADRES)
    return selectors.task_list(request.auth, status=filters.status)


@router.get("/tasks/{id:task_id}", response=TaskOut, summary="一项派单点题任务")
def cadres_task_detail(request, task_id: ApiId):
    return access.get_task_for(request.auth, task_id)


class TaskIn(Schema):
    member: ApiId
    kind: str
    title: str
    body: str = ""
    working_days: ApiSmall


@router.post(
    "/tasks",
    response={201: TaskOut},
    summary="派发任务（乡镇纪委：派单或点题，给本乡镇村〔社区〕纪检委员）",
)
def cadres_task_issue(request, payload: TaskIn):
    if not access.is_township(request.auth):
        raise Http404
    # Any account of its villages: one whose holding ended (and its role with it) is refused by the
    # service, with the reason.
    member = access.village_accounts_of(request.auth).filter(pk=payload.member).first()
    if member is None:
        raise ValidationError(gettext("只能向本乡镇（街道）的村（社区）纪检委员派单"))
    task = services.guidance_task_issue(
        actor=request.auth,
        member=member,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        working_days=payload.working_days,
    )
    return Status(201, task)


@router.post("/tasks/{id:task_id}/answer", response=TaskOut, summary="纪检委员回复任务（计入履职纪实）")
def cadres_task_answer(request, task_id: ApiId, payload: AnswerIn):
    task = access.get_task_for(request.auth, task_id)
    if task.member_id != request.auth.pk:
        raise Http404
    return services.guidance_task_answer(
        actor=request.auth, task=task, answer=payload.answer, version=payload.version
    )


class NominationOut(Schema):
    id: int
    village_id: int
    village_name: str
    candidate_id: int
    candidate_name: str
    state: str
    away_from_home: bool
    away_reason: str
    vetting: dict
    relation_findings: list[str]
    starts_on: date | None
    decision_note: str
    created_at: datetime
    version: int

    @staticmethod
    def resolve_village_name(obj) -> str:
        return obj.village.name

    @staticmethod
    def resolve_candidate_name(obj) -> str:
        return obj.candidate.full_name


@router.get("/nominations", response=list[NominationOut], summary="提名选聘（本人辖区）")
@paginate(Pagination, page_size=100)
def cadres_nomination_list(request):
    if not access.is_officer(request.auth):
        raise Http404
    return access.nominations_visible_to(request.auth)


@router.get("/nominations/{id:nomination_id}", response=NominationOut, summary="一项提名及其任职资格审查")
def cadres_nomination_detail(request, nomination_id: ApiId):
    return access.get_nomination_for(request.auth, nomination_id)


class NominationIn(Schema):
    village: ApiId
    candidate: ApiId
    reason: str
    committee: str = ""  # the village's 两委 members, one name a line (checked against 回避申报)
    away_reason: str = ""


@router.post(
    "/nominations",
    response={201: NominationOut},
    summary="提名纪检委员人选（乡镇纪委；提交即核查廉情档案与亲属关系，待县级审批）",
)
def cadres_nomination_submit(request, payload: NominationIn):
    if not access.is_township(request.auth):
        raise Http404
    village = access.villages_of(request.auth).filter(pk=payload.village).first()
    if village is None:
        raise ValidationError(gettext("只能为本乡镇（街道）的村（社区）提名"))
    candidate = access.candidates_for(request.auth).filter(pk=payload.candidate).first()
    if candidate is None:
        raise ValidationError(gettext("候选人须为本乡镇（街道）村（社区）的在册人员"))
    nomination = services.nomination_submit(
        actor=request.auth,
        village=village,
        candidate=candidate,
        reason=payload.reason,
        committee=payload.committee,
        away_reason=payload.away_reason,
    )
    return Status(201, nomination)


class DecideIn(Schema):
    approve: bool
    starts_on: date | None = None  # approving: the first day in post (today if left out)
    note: str = ""  # required when not approving
    version: ApiVersion


@router.post(
    "/nominations/{id:nomination_id}/decide",
    response=NominationOut,
    summary="审批提名（县级党风政风监督室：批准即登记任职，前任于前一日离任）",
)
def cadres_nomination_decide(request, nomination_id: ApiId, payload: DecideIn):
    nomination = access.get_nomination_for(request.auth, nomination_id)
    if not access.is_county(request.auth):
        raise Http404
    return services.nomination_decide(
        actor=request.auth,
        nomination=nomination,
        version=payload.version,
        approve=payload.approve,
        note=payload.note,
        starts_on=payload.starts_on,
    )


class HoldingOut(Schema):
    id: int
    village_id: int
    village_name: str
    holder_id: int
    holder_name: str
    started_on: date
    ended_on: date | None
    end_reason: str
    away_from_home: bool

    @staticmethod
    def resolve_village_name(obj) -> str:
        return obj.village.name

    @staticmethod
    def resolve_holder_name(obj) -> str:
        return obj.holder.full_name


class HoldingFilter(Schema):
    village: ApiId | None = None
    current: bool = False


@router.get("/posts", response=list[HoldingOut], summary="纪检委员任职记录（本人辖区；谁在何时任职）")
@paginate(Pagination, page_size=100)
def cadres_post_list(request, filters: Query[HoldingFilter]):
    if not access.is_officer(request.auth):
        raise Http404
    qs = access.holdings_visible_to(request.auth).order_by("village__path", "-started_on")
    if filters.village is not None:
        qs = qs.filter(village_id=filters.village)
    if filters.current:
        qs = qs.filter(ended_on__isnull=True)
    return qs


class PlacementOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str
    case_name: str
    mentor_name: str
    starts_on: date
    ends_on: date
    stage: str
    report: str
    assessment: str
    version: int

    @staticmethod
    def resolve_cadre_name(obj) -> str:
        return obj.cadre.full_name

    @staticmethod
    def resolve_mentor_name(obj) -> str:
        return obj.mentor.full_name


@router.get("/placements", response=list[PlacementOut], summary="跟案学习（本人的；辖区内的）")
@paginate(Pagination, page_size=100)
def cadres_placement_list(request):
    require_module(request.auth, Module.CADRES)
    return access.placements_visible_to(request.auth)


@router.get("/placements/{id:placement_id}", response=PlacementOut, summary="一项跟案学习")
def cadres_placement_detail(request, placement_id: ApiId):
    return access.get_placement_for(request.auth, placement_id)


class PlacementIn(Schema):
    cadre: ApiId
    mentor: ApiId
    case_name: str
    starts_on: date
    ends_on: date


@router.post(
    "/placements",
    response={201: PlacementOut},
    summary="选派乡镇干部跟案学习（县级党风政风监督室，导师为本单位干部）",
)
def cadres_placement_create(request, payload: PlacementIn):
    if not access.is_county(request.auth):
        raise Http404
    cadre = access.township_cadres_for(request.auth).filter(pk=payload.cadre).first()
    if cadre is None:
        raise ValidationError(gettext("跟案干部须为本辖区乡镇（街道）的干部"))
    mentor = access.mentors_for(request.auth).filter(pk=payload.mentor).first()
    if mentor is None:
        raise ValidationError(gettext("带教导师须为本单位的干部"))
    placement = services.placement_create(
        actor=request.auth,
        cadre=cadre,
        mentor=mentor,
        case_name=payload.case_name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(201, placement)


class ReportIn(Schema):
    report: str
    version: ApiVersion


@router.post(
    "/placements/{id:placement_id}/report",
    response=PlacementOut,
    summary="提交跟案学习报告（跟案干部本人，期满后、县级记录前）",
)
def cadres_placement_report(request, placement_id: ApiId, payload: ReportIn):
    placement = access.get_placement_for(request.auth, placement_id)
    if placement.cadre_id != request.auth.pk:
        raise Http404
    return services.placement_report(
        actor=request.auth, placement=placement, version=payload.version, report=payload.report
    )


class RecordIn(Schema):
    assessment: str
    version: ApiVersion


@router.post(
    "/placements/{id:placement_id}/record",
    response=PlacementOut,
    summary="记录跟案学习并评价（县级党风政风监督室，学习报告提交后）",
)
def cadres_placement_record(request, placement_id: ApiId, payload: RecordIn):
    placement = access.get_managed_placement_for(request.auth, placement_id)
    return services.placement_record(
        actor=request.auth, placement=placement, version=payload.version, assessment=payload.assessment
    )
