"""Village affairs through the API: the 三重一大 register, a decision with its steps and risk flags
(each with its rule), the risk board, a village's filed rules, the vouchers and a voucher's chain; and
the writes — file the village's rules, register a decision, record a step (a meeting as JSON, a public
notice as multipart/form-data with its notice-board photos) or correct one, answer a flag (a
decision's or a split-expense one) or open a clue from it, enter a voucher (multipart/form-data with
its receipt photos), sign a voucher's next step, resolve an objection — through the same services as
the pages (one path per operation). Scoped like the pages: a decision, voucher or village outside the
caller's jurisdiction is a 404, and so is a write by a caller who may not make it; a refusal is a 400
with the reason in Chinese and nothing changed, a stale version included."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jijian.core.access import get_or_404, require_module
from jijian.core.api.limits import ApiCount, ApiId, ApiSmall, ApiVersion, Pagination
from jijian.core.ops.ratelimit import client_ip
from jijian.core.roles import Module

from . import reimbursements, selectors, services
from .access import can_answer, can_record, get_decision_for, villages_visible_to
from .models import DEFAULT_LARGE_AMOUNT, DEFAULT_MINUTES_LATE_DAYS, MEETING_STEPS, Step

router = Router(tags=["村务监督"])

# Amounts as their columns hold them (models.py): more digits is a 422 at the edge, not a database error.
RulesAmount = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]
DecisionAmount = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
VoucherAmount = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]


class DecisionOut(Schema):
    id: int
    village_id: int
    village_name: str
    category: str
    title: str
    amount: Decimal | None
    created_at: datetime
    steps_done: int

    @staticmethod
    def resolve_village_name(obj) -> str:
        return obj.village.name


class StepOut(Schema):
    id: int
    version: int
    step: int
    label: str
    held_on: date
    meeting_form: str  # the villagers' decision's form (MeetingForm); "" on other steps and old records
    meeting_form_label: str
    roll: int | None
    attended: int | None
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    minutes: str
    member_present: bool
    member_opinion: str
    out_of_sequence_reason: str
    recorded_at: datetime

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj.get_step_display())

    @staticmethod
    def resolve_meeting_form_label(obj) -> str:
        return str(obj.get_meeting_form_display()) if obj.meeting_form else ""


class FlagOut(Schema):
    decision_id: int
    key: str
    title: str
    rule: str
    finding: str
    step: int
    due: date
    overdue: bool
    answer: str | None
    clue_serial: str | None


class DecisionDetailOut(Schema):
    id: int
    village_id: int
    village_name: str
    category: str
    title: str
    description: str
    amount: Decimal | None
    rules: dict
    steps: list[StepOut]
    flags: list[FlagOut]


class VillageFilter(Schema):
    village: ApiId | None = None


def _flag_out(row) -> dict:
    return {
        "decision_id": row.decision.pk,
        "key": row.flag.key,
        "title": row.flag.title,
        "rule": row.flag.rule,
        "finding": row.flag.finding,
        "step": row.flag.step,
        "due": row.due,
        "overdue": row.overdue,
        "answer": row.answer.answer if row.answer else None,
        "clue_serial": (row.answer.clue_serial or None) if row.answer else None,
    }


@router.get("/decisions", response=list[DecisionOut], summary="“三重一大”事项（本人辖区）")
@paginate(Pagination, page_size=100)
def village_decision_list(request, filters: Query[VillageFilter]):
    require_module(request.auth, Module.VILLAGE_AFFAIRS)
    return selectors.decision_register(request.auth, village_id=filters.village).annotate(
        steps_done=Count("steps")
    )


@router.get(
    "/decisions/{id:decision_id}", response=DecisionDetailOut, summary="一件事项：四议两公开各环节与风险提示"
)
def village_decision_detail(request, decision_id: ApiId):
    return _decision_out(get_decision_for(request.auth, decision_id))


def _decision_out(decision) -> dict:
    rows = selectors.flag_rows([decision])[decision.pk]
    return {
        "id": decision.pk,
        "village_id": decision.village_id,
        "village_name": decision.village.name,
        "category": decision.category,
        "title": decision.title,
        "description": decision.description,
        "amount": decision.amount,
        "rules": decision.rules,
        "steps": list(decision.steps.all()),
        "flags": [_flag_out(r) for r in rows],
    }


class BoardFilter(VillageFilter):
    answered: bool = False


@router.get("/risks", response=list[FlagOut], summary="风险提示（本人辖区，待处理在前）")
@paginate(Pagination, page_size=100)
def village_risk_board(request, filters: Query[BoardFilter]):
    require_module(request.auth, Module.VILLAGE_AFFAIRS)
    rows = selectors.risk_board(request.auth, village_id=filters.village, show_answered=filters.answered)
    return [_flag_out(r) for r in rows]


class SignatureOut(Schema):
    step: str
    signer_name: str
    signed_at: datetime
    opinion: str
    is_objection: bool
    endorsement_digest: str
    resolution: str


class VoucherOut(Schema):
    id: int
    village_id: int
    village_name: str
    purpose: str
    amount: Decimal
    spent_on: date
    handler_name: str
    state: str
    chain: list[str]
    objection_due: date | None
    booked_at: datetime | None
    version: int

    @staticmethod
    def resolve_village_name(obj) -> str:
        return obj.village.name


class VoucherDetailOut(VoucherOut):
    signatures: list[SignatureOut]
    next_step: str | None

    @staticmethod
    def resolve_signatures(obj):
        return list(obj.signatures.all())

    @staticmethod
    def resolve_next_step(obj):
        return reimbursements.next_step(obj)


@router.get("/vouchers", response=list[VoucherOut], summary="报账凭证（本人辖区）")
@paginate(Pagination, page_size=100)
def village_voucher_list(request):
    require_module(request.auth, Module.VILLAGE_AFFAIRS)
    return reimbursements.vouchers_visible_to(request.auth).order_by("-created_at", "-pk")


@router.get("/vouchers/{id:voucher_id}", response=VoucherDetailOut, summary="一张报账凭证及其签字流程")
def village_voucher_detail(request, voucher_id: ApiId):
    return reimbursements.get_voucher_for(request.auth, voucher_id)


# --- writes ------------------------------------------------------------------------------------------
class StepFieldsIn(Schema):
    """A meeting step's fields. The villagers' decision (step 4) names its `meeting_form` — villagers
    (村民会议 of the adult villagers), households (村民会议 of the households' representatives) or
    representatives (村民代表会议) — and its roll is that form's in the decision's rules: `roll` may be
    left out, and one that differs is refused. On a correction, `meeting_form` left empty keeps the
    step's."""

    held_on: date
    meeting_form: str = Field("", max_length=20)
    roll: ApiCount | None = None
    attended: ApiCount | None = None
    attendees: str = ""
    votes_for: ApiCount | None = None
    votes_against: ApiCount | None = None
    votes_abstain: ApiCount | None = None
    minutes: str = ""
    member_present: bool = False
    member_opinion: str = ""


class StepIn(StepFieldsIn):
    step: ApiSmall
    out_of_sequence_reason: str = ""


class StepCorrectIn(StepFieldsIn):
    version: ApiVersion
    reason: str


class StepRecorded(Schema):
    step: StepOut
    duty_log_note: str
    flags: list[FlagOut]


def _step_answer(decision, outcome) -> dict:
    rows = selectors.flag_rows([decision])[decision.pk]
    return {
        "step": outcome.step,
        "duty_log_note": outcome.duty_log_note,
        "flags": [_flag_out(r) for r in rows],
    }


@router.post(
    "/decisions/{id:decision_id}/steps",
    response={201: StepRecorded},
    summary="登记一个四议两公开会议环节（村纪检委员；两个公开环节须附照片，见 …/notices）",
    url_name="village_step_record",
)
def village_step_record(request, decision_id: ApiId, payload: StepIn):
    decision = get_decision_for(request.auth, decision_id)
    outcome = services.decision_step_record(
        actor=request.auth, decision=decision, ip_address=client_ip(request), **payload.dict()
    )
    return 201, _step_answer(decision, outcome)


class NoticeIn(Schema):
    """A public-notice step (5 决议公开 or 6 实施结果公开), sent as multipart/form-data with its
    notice-board photos. Left out, a date or the photos are refused by the service in Chinese."""

    step: ApiSmall
    held_on: date | None = None
    minutes: str = ""
    member_present: bool = False
    member_opinion: str = ""
    out_of_sequence_reason: str = ""


@router.post(
    "/decisions/{id:decision_id}/notices",
    response={201: StepRecorded},
    summary="登记一个公开环节并上传公开栏照片（村纪检委员；multipart/form-data，照片字段 photos 可多个）",
    url_name="village_notice_record",
)
def village_notice_record(
    request,
    decision_id: ApiId,
    payload: Form[NoticeIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]  # none sent: refused in Chinese
):
    decision = get_decision_for(request.auth, decision_id)
    if not can_record(request.auth, decision):
        raise Http404
    if payload.step in MEETING_STEPS or payload.step not in Step.values:
        raise ValidationError(
            gettext("此接口只登记“决议公开”“实施结果公开”两个公开环节；会议环节请用 …/steps 登记")
        )
    outcome = services.decision_step_record(
        actor=request.auth,
        decision=decision,
        ip_address=client_ip(request),
        files=photos or [],
        **payload.dict(),
    )
    return 201, _step_answer(decision, outcome)


@router.post(
    "/decisions/{id:decision_id}/steps/{step}/correct",
    response=StepRecorded,
    summary="更正已登记的环节（登记人本人，须说明原因）",
    url_name="village_step_correct",
)
def village_step_correct(request, decision_id: ApiId, step: ApiSmall, payload: StepCorrectIn):
    decision = get_decision_for(request.auth, decision_id)
    record = selectors.step_of(decision, step)
    if record is None:
        raise Http404
    outcome = services.decision_step_correct(actor=request.auth, record=record, **payload.dict())
    return _step_answer(decision, outcome)


class FlagAnswerIn(Schema):
    flag_key: str
    answer: str


class FlagClueIn(Schema):
    flag_key: str
    facts: str = ""


def _flag_of(decision, key: str) -> dict:
    rows = selectors.flag_rows([decision])[decision.pk]
    return next(_flag_out(r) for r in rows if r.flag.key == key)


@router.post(
    "/decisions/{id:decision_id}/flags/answer",
    response=FlagOut,
    summary="答复一条风险提示（乡镇纪委）",
    url_name="village_flag_answer",
)
def village_flag_answer(request, decision_id: ApiId, payload: FlagAnswerIn):
    decision = get_decision_for(request.auth, decision_id)
    services.flag_answer(
        actor=request.auth, decision=decision, flag_key=payload.flag_key, answer=payload.answer
    )
    return _flag_of(decision, payload.flag_key)


@router.post(
    "/decisions/{id:decision_id}/flags/clue",
    response=FlagOut,
    summary="风险提示转为问题线索（乡镇纪委；按日常监督发现登记）",
    url_name="village_flag_clue",
)
def village_flag_clue(request, decision_id: ApiId, payload: FlagClueIn):
    decision = get_decision_for(request.auth, decision_id)
    services.flag_open_clue(
        actor=request.auth, decision=decision, flag_key=payload.flag_key, facts=payload.facts
    )
    return _flag_of(decision, payload.flag_key)


class SplitVoucherOut(Schema):
    id: int
    purpose: str
    amount: Decimal
    spent_on: date


class SplitFlagOut(Schema):
    village_id: int
    village_name: str
    key: str
    purpose: str
    total: Decimal
    threshold: Decimal
    rule: str
    vouchers: list[SplitVoucherOut]
    due: date
    overdue: bool
    answer: str | None
    clue_serial: str | None


def _split_out(row) -> dict:
    f = row.flag
    return {
        "village_id": f.village_id,
        "village_name": f.village_name,
        "key": f.key,
        "purpose": f.purpose,
        "total": f.total,
        "threshold": f.threshold,
        "rule": f.rule,
        "vouchers": [
            {"id": v.pk, "purpose": v.purpose, "amount": v.amount, "spent_on": v.spent_on} for v in f.vouchers
        ],
        "due": row.due,
        "overdue": row.overdue,
        "answer": row.answer.answer if row.answer else None,
        "clue_serial": (row.answer.clue_serial or None) if row.answer else None,
    }


@router.get(
    "/risks/splits",
    response=list[SplitFlagOut],
    summary="疑似拆分报账提示（本人辖区，待处理在前）",
    url_name="village_split_board",
)
@paginate(Pagination, page_size=100)
def village_split_board(request, filters: Query[BoardFilter]):
    require_module(request.auth, Module.VILLAGE_AFFAIRS)
    rows = reimbursements.split_board(
        request.auth, village_id=filters.village, show_answered=filters.answered
    )
    return [_split_out(r) for r in rows]


class SplitAnswerIn(Schema):
    flag_key: str = Field(..., max_length=64)
    answer: str


class SplitClueIn(Schema):
    flag_key: str = Field(..., max_length=64)
    facts: str = ""


def _split_village(request, village_id: int):
    """A village of the caller's whose split-expense flags the caller answers, else 404."""
    village = villages_visible_to(request.auth).filter(pk=village_id).first()
    if village is None or not can_answer(request.auth):
        raise Http404
    return village


def _split_of(request, village_id: int, key: str) -> dict:
    rows = reimbursements.split_board(request.auth, village_id=village_id, show_answered=True)
    return next(_split_out(r) for r in rows if r.flag.key == key)


@router.post(
    "/risks/splits/{id:village_id}/answer",
    response=SplitFlagOut,
    summary="答复一条疑似拆分报账提示（乡镇纪委）",
    url_name="village_split_answer",
)
def village_split_answer(request, village_id: ApiId, payload: SplitAnswerIn):
    village = _split_village(request, village_id)
    services.split_flag_answer(
        actor=request.auth, village=village, flag_key=payload.flag_key, answer=payload.answer
    )
    return _split_of(request, village.pk, payload.flag_key)


@router.post(
    "/risks/splits/{id:village_id}/clue",
    response=SplitFlagOut,
    summary="疑似拆分报账提示转为问题线索（乡镇纪委；按日常监督发现登记）",
    url_name="village_split_clue",
)
def village_split_clue(request, village_id: ApiId, payload: SplitClueIn):
    village = _split_village(request, village_id)
    services.split_flag_open_clue(
        actor=request.auth, village=village, flag_key=payload.flag_key, facts=payload.facts
    )
    return _split_of(request, village.pk, payload.flag_key)


class SignIn(Schema):
    version: ApiVersion
    signer_name: str = ""
    opinion: str = ""
    objection: bool = False


@router.post(
    "/vouchers/{id:voucher_id}/sign",
    response=VoucherDetailOut,
    summary="签署报账凭证的下一环节，或提出异议（须写明理由）",
    url_name="village_voucher_sign",
)
def village_voucher_sign(request, voucher_id: ApiId, payload: SignIn):
    voucher = reimbursements.get_voucher_for(request.auth, voucher_id)
    reimbursements.voucher_sign(
        actor=request.auth, voucher=voucher, ip_address=client_ip(request), **payload.dict()
    )
    return reimbursements.get_voucher_for(request.auth, voucher_id)


# --- the village's rules, a decision registered ---------------------------------------------------------
class RulesOut(Schema):
    """A village's rules as filed with the township; before the first filing, `filed` is false, the
    version 0 (what the first filing sends) and the figures the defaults."""

    village_id: int
    village_name: str
    filed: bool
    version: int
    large_amount: Decimal
    item_types: str
    party_members: int
    adult_villagers: int
    households: int
    representatives: int
    minutes_late_days: int
    step_stall_days: int | None
    result_public_days: int | None
    filed_at: datetime | None
    filed_by: str | None


def _rules_out(village) -> dict:
    rules = selectors.rules_of(village)
    if rules is None:
        return {
            "village_id": village.pk, "village_name": village.name, "filed": False, "version": 0,
            "large_amount": Decimal(DEFAULT_LARGE_AMOUNT), "item_types": "", "party_members": 0,
            "adult_villagers": 0, "households": 0, "representatives": 0, "minutes_late_days": DEFAULT_MINUTES_LATE_DAYS, "step_stall_days": None,
            "result_public_days": None, "filed_at": None, "filed_by": None,
        }  # fmt: skip
    return {
        "village_id": village.pk,
        "village_name": village.name,
        "filed": True,
        "version": rules.version,
        "large_amount": rules.large_amount,
        "item_types": rules.item_types,
        "party_members": rules.party_members,
        "adult_villagers": rules.adult_villagers,
        "households": rules.households,
        "representatives": rules.representatives,
        "minutes_late_days": rules.minutes_late_days,
        "step_stall_days": rules.step_stall_days,
        "result_public_days": rules.result_public_days,
        "filed_at": rules.filed_at,
        "filed_by": rules.filed_by.full_name if rules.filed_by else None,
    }


@router.get(
    "/rules/{id:village_id}",
    response=RulesOut,
    summary="一个村（社区）报乡镇备案的“三重一大”规则（本人辖区）",
    url_name="village_rules_detail",
)
def village_rules_detail(request, village_id: ApiId):
    return _rules_out(get_or_404(villages_visible_to(request.auth), village_id))


class RulesIn(Schema):
    """The village's rules, filed by its member (a new version each time, the whole set): `version` is
    the one read (0 for the first filing); the 环节停滞 limits left out or null are the platform's. The
    villagers' decision's rolls — `adult_villagers` (18周岁以上村民), `households` (户数),
    `representatives` (the 村民代表会议's members) — left out or 0 are not filed."""

    version: ApiVersion
    large_amount: RulesAmount
    item_types: str = ""
    party_members: ApiCount
    adult_villagers: ApiCount = 0
    households: ApiCount = 0
    representatives: ApiCount = 0
    minutes_late_days: ApiSmall = DEFAULT_MINUTES_LATE_DAYS
    step_stall_days: ApiSmall | None = None
    result_public_days: ApiSmall | None = None


@router.post(
    "/rules",
    response=RulesOut,
    summary="填报本村“三重一大”规则并报乡镇备案（村纪检委员）",
    url_name="village_rules_file",
)
def village_rules_file(request, payload: RulesIn):
    rules = services.village_rules_file(actor=request.auth, **payload.dict())
    return _rules_out(rules.village)


class DecisionIn(Schema):
    category: str
    title: str
    description: str = ""
    amount: DecisionAmount | None = None


@router.post(
    "/decisions",
    response={201: DecisionDetailOut},
    summary="登记一件“三重一大”事项（村纪检委员；须先报备本村规则）",
    url_name="village_decision_register",
)
def village_decision_register(request, payload: DecisionIn):
    decision = services.major_decision_register(actor=request.auth, **payload.dict())
    return 201, _decision_out(get_decision_for(request.auth, decision.pk))


# --- a voucher entered, an objection resolved ---------------------------------------------------------
class VoucherIn(Schema):
    """A voucher as the handler presents it, sent as multipart/form-data with its receipt photos
    (`receipts`, one part per photo). `client_uuid`, when sent, makes a resend enter one voucher."""

    purpose: str = ""
    amount: VoucherAmount | None = None
    spent_on: date | None = None
    handler_name: str = ""
    client_uuid: UUID | None = None


@router.post(
    "/vouchers/enter",
    response={201: VoucherDetailOut},
    summary="登记一张报账凭证并上传票据照片（村纪检委员；multipart/form-data，照片字段 receipts 可多个）",
    url_name="village_voucher_enter",
)
def village_voucher_enter(
    request,
    payload: Form[VoucherIn],
    receipts: File[list[UploadedFile]] = None,  # type: ignore[assignment]  # none sent: refused in Chinese
):
    voucher = reimbursements.voucher_enter(
        actor=request.auth, ip_address=client_ip(request), files=receipts or [], **payload.dict()
    )
    return 201, reimbursements.get_voucher_for(request.auth, voucher.pk)


class ResolveIn(Schema):
    version: ApiVersion
    resume: bool
    resolution: str


@router.post(
    "/vouchers/{id:voucher_id}/resolve",
    response=VoucherDetailOut,
    summary="处理报账凭证的异议：继续签字或不予报销（乡镇纪委）",
    url_name="village_voucher_resolve",
)
def village_voucher_resolve(request, voucher_id: ApiId, payload: ResolveIn):
    voucher = reimbursements.get_voucher_for(request.auth, voucher_id)
    reimbursements.voucher_resolve(actor=request.auth, voucher=voucher, **payload.dict())
    return reimbursements.get_voucher_for(request.auth, voucher_id)
