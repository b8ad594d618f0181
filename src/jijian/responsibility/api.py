"""Primary responsibility as JSON, scoped like the pages: the office's board (a caller who is not a
supervising office gets 404), an organisation's year (404 outside the caller's organisations), one
record (404 likewise), and the same-level supervision records of city-level departments (the
department's discipline member records them; resident groups and offices read their departments')."""

from __future__ import annotations

from datetime import date

from django.http import Http404
from ninja import Field, Query, Router, Schema

from jijian.core.api.limits import ApiId

from . import selectors, services
from .access import (
    departments_visible_to,
    get_party_org_for,
    get_record_for,
    get_supervision_record_for,
    is_department_member,
    is_supervisor,
    supervision_records_visible_to,
)

router = Router(tags=["主体责任"])


class YearQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度；缺省为本年")


class BoardRowOut(Schema):
    org_id: int
    name: str
    done: int
    done_late: int
    blue: int
    yellow: int
    overdue: int
    on_time_share: int | None
    interviews: int
    grade: str


class PeriodOut(Schema):
    period: int
    label: str
    deadline: date
    status: str


class ItemOut(Schema):
    id: int
    holder: str
    member: str
    title: str
    frequency: str
    periods: list[PeriodOut]


class OrgYearOut(Schema):
    org_id: int
    name: str
    year: int
    items: list[ItemOut]


class RecordOut(Schema):
    id: int
    org_id: int
    item_id: int
    period: int
    record_type: str
    occurred_on: date
    title: str
    content: str
    integrity_ten_minutes: bool
    integrity_topic: str
    major_decision: bool
    major_decision_procedure: bool
    is_late: bool
    late_reason: str


@router.get(
    "/board", response=list[BoardRowOut], summary="主体责任监督看板（党风政风监督室）", url_name="resp_board"
)
def board(request, filters: Query[YearQuery]):
    if not is_supervisor(request.auth):
        raise Http404
    year = filters.year or services.today().year
    return [
        {
            "org_id": r.org.pk,
            "name": r.org.name,
            **{s: r.totals.get(s, 0) for s in ("done", "done_late", "blue", "yellow", "overdue")},
            "on_time_share": r.on_time_share,
            "interviews": r.interviews,
            "grade": r.assessment.grade if r.assessment else "",
        }
        for r in selectors.board(request.auth, year, today=services.today())
    ]


@router.get(
    "/orgs/{org_id}", response=OrgYearOut, summary="党组织年度责任清单及各期次状态", url_name="resp_org_year"
)
def org_year(request, org_id: ApiId, filters: Query[YearQuery]):
    org = get_party_org_for(request.auth, org_id)
    year = filters.year or services.today().year
    data = selectors.org_year(request.auth, org, year, today=services.today())
    items = [
        {
            "id": row.item.pk,
            "holder": row.item.holder,
            "member": row.item.member.name if row.item.member is not None else "",
            "title": row.item.title,
            "frequency": row.item.frequency,
            "periods": [p.__dict__ for p in row.periods],
        }
        for _, rows in data["groups"]
        for row in rows
    ]
    return {"org_id": org.pk, "name": org.name, "year": year, "items": items}


@router.get("/records/{record_id}", response=RecordOut, summary="履责纪实", url_name="resp_record")
def record(request, record_id: ApiId):
    r = get_record_for(request.auth, record_id)
    return {**{f: getattr(r, f) for f in RecordOut.model_fields if f != "org_id"}, "org_id": r.org_unit_id}


class SupervisionQuery(Schema):
    dept: ApiId | None = None


class SupervisionIn(Schema):
    kind: str = Field(description="meeting 列席领导班子会议 / reminder 同级监督提醒 / report_up 向派驻组报告")
    occurred_on: date
    subject: str
    content: str
    integrity_ten_minutes: bool = False
    integrity_topic: str = ""


class SupervisionOut(Schema):
    id: int
    department_id: int
    department: str
    kind: str
    occurred_on: date
    subject: str
    content: str
    integrity_ten_minutes: bool
    integrity_topic: str
    in_duty_log: bool


def _supervision_out(r) -> dict:
    return {
        "id": r.pk,
        "department_id": r.org_unit_id,
        "department": r.org_unit.name,
        "kind": r.kind,
        "occurred_on": r.occurred_on,
        "subject": r.subject,
        "content": r.content,
        "integrity_ten_minutes": r.integrity_ten_minutes,
        "integrity_topic": r.integrity_topic,
        "in_duty_log": r.duty_record_id is not None,
    }


@router.get(
    "/supervision",
    response=list[SupervisionOut],
    summary="同级监督纪实（本人所在单位；派驻组、监督室：所联系的市直单位，可按 dept 筛选）",
    url_name="resp_supervision_list",
)
def supervision_list(request, filters: Query[SupervisionQuery]):
    if not departments_visible_to(request.auth).exists():
        raise Http404
    records = supervision_records_visible_to(request.auth).select_related("org_unit")
    if filters.dept is not None:
        records = records.filter(org_unit_id=filters.dept)
    return [_supervision_out(r) for r in records.order_by("-occurred_on", "-pk")[:200]]


@router.get(
    "/supervision/{record_id}",
    response=SupervisionOut,
    summary="一条同级监督纪实",
    url_name="resp_supervision",
)
def supervision_detail(request, record_id: ApiId):
    return _supervision_out(get_supervision_record_for(request.auth, record_id))


@router.post(
    "/supervision",
    response={201: SupervisionOut},
    summary="登记同级监督纪实（市直单位纪检委员；同时计入本人当月履职纪实）",
    url_name="resp_supervision_create",
)
def supervision_create(request, payload: SupervisionIn):
    if not is_department_member(request.auth):
        raise Http404
    record = services.supervision_record_create(actor=request.auth, **payload.dict())
    return 201, _supervision_out(record)
