"""Integrity archives and opinion replies through the API (/api/archives/). Scoped like the pages: the
archive list shows who is on file (never the content, which is opened with a reason on the page);
an opinion request outside the caller's jurisdiction, or a step the caller's role does not take, is
a 404; a refused step is a 400 with the Chinese message, a stale version a 409. Reading a request is
audited (opinion.read), as on the page."""

from datetime import date, datetime

from django.http import Http404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from jijian.core.access import require_module
from jijian.core.api.errors import error
from jijian.core.api.limits import ApiId, ApiVersion, Pagination
from jijian.core.roles import Module
from jijian.core.services import ConcurrentEditError

from . import opinions, selectors
from .access import OPINION_ROLES, can_answer, can_request, can_sign, get_opinion_for, is_commission
from .access import opinions_visible_to as _opinions_visible_to
from .models import OpinionState

router = Router(tags=["廉情档案"])


class ArchiveOut(Schema):
    id: int
    name: str
    org_unit_id: int
    org_unit_name: str
    post: str
    level: str
    category: str
    party_status: str
    updated_at: datetime

    @staticmethod
    def resolve_org_unit_name(obj) -> str:
        return obj["org_unit__name"]  # selectors.archive_list reads rows


class ArchiveFilter(Schema):
    q: str = ""  # the whole name, its pinyin or initials, or the ID number (as on the page)
    unit: ApiId | None = None  # a unit (villages too) of the caller's jurisdiction: its subtree; else 404
    post: str = ""  # the post contains it


@router.get(
    "/", response=list[ArchiveOut], summary="廉情档案名单（本人辖区，不含档案内容）", url_name="archive_list"
)
@paginate(Pagination, page_size=100)
def archive_list(request, filters: Query[ArchiveFilter]):
    require_module(request.auth, Module.ARCHIVES)
    unit = None
    if filters.unit is not None:
        unit = selectors.keeper_units(request.auth).filter(pk=filters.unit).first()  # any unit in scope
        if unit is None:
            raise Http404
    return selectors.archive_list(
        request.auth, q=filters.q.strip()[:100], unit=unit, post=filters.post.strip()[:100]
    )


class OpinionOut(Schema):
    id: int
    ref_no: str
    purpose: str
    org_unit_id: int
    state: str
    submitted_at: datetime
    due_on: date
    version: int


class PersonOut(Schema):
    position: int
    name: str
    post: str
    verdict: str
    wording: str
    facts: list[str]


class OpinionDetailOut(OpinionOut):
    persons: list[PersonOut]
    endorsed_by_offices: list[str]


class OpinionIn(Schema):
    ref_no: str
    purpose: str
    persons: str  # one person a line: 姓名 [身份证号] [单位职务]
    note: str = ""


class VersionIn(Schema):
    version: ApiVersion


class DraftIn(VersionIn):
    chosen: dict[str, str] = {}  # person position → verdict, where the office chooses another


class EndorseIn(VersionIn):
    office: str
    note: str = ""


def _roles(user) -> None:
    if not user.role_set & OPINION_ROLES:
        raise Http404


def _detail(request, item) -> dict:
    user = request.auth
    answer = is_commission(user) or item.state == OpinionState.SIGNED
    facts = is_commission(user)
    return {
        **{f: getattr(item, f) for f in OpinionOut.model_fields},
        "persons": [
            {
                "position": p.position,
                "name": p.name,
                "post": p.post,
                "verdict": p.verdict if answer else "",
                "wording": p.wording if answer else "",
                "facts": p.facts if facts else [],
            }
            for p in item.persons.all()
        ],
        "endorsed_by_offices": list(item.endorsements.values_list("office", flat=True)),
    }


def _run(request, item, call):
    try:
        call()
    except ConcurrentEditError:
        return error(request, 409, "conflict", ConcurrentEditError().messages[0])
    item.refresh_from_db()
    return _detail(request, item)


@router.get(
    "/opinions/", response=list[OpinionOut], summary="党风廉政意见征求（本人辖区）", url_name="opinion_list"
)
@paginate(Pagination, page_size=100)
def opinion_list(request):
    _roles(request.auth)
    return _opinions_visible_to(request.auth)


@router.post(
    "/opinions/",
    response={201: OpinionDetailOut},
    summary="征求党风廉政意见（组织部）",
    url_name="opinion_submit",
)
def opinion_submit(request, payload: OpinionIn):
    if not can_request(request.auth):
        raise Http404
    item = opinions.opinion_submit(
        actor=request.auth,
        ref_no=payload.ref_no,
        purpose=payload.purpose,
        persons_text=payload.persons,
        note=payload.note,
    )
    return Status(201, _detail(request, item))


@router.get(
    "/opinions/{id:opinion_id}",
    response=OpinionDetailOut,
    summary="一件征求意见及答复",
    url_name="opinion_detail",
)
def opinion_detail(request, opinion_id: ApiId):
    item = get_opinion_for(request.auth, opinion_id)
    opinions.opinion_read(actor=request.auth, request=item, what="接口查看")
    return _detail(request, item)


@router.post(
    "/opinions/{id:opinion_id}/draft",
    response=OpinionDetailOut,
    summary="拟定答复意见（干部监督室）",
    url_name="opinion_draft",
)
def opinion_draft(request, opinion_id: ApiId, payload: DraftIn):
    item = get_opinion_for(request.auth, opinion_id)
    if not can_answer(request.auth):
        raise Http404
    by_position = {str(p.position): p.pk for p in item.persons.all()}
    chosen = {by_position[k]: v for k, v in payload.chosen.items() if k in by_position}
    return _run(
        request,
        item,
        lambda: opinions.opinion_draft(
            actor=request.auth, request=item, version=payload.version, chosen=chosen
        ),
    )


@router.post(
    "/opinions/{id:opinion_id}/endorse",
    response=OpinionDetailOut,
    summary="会签（信访室、案件监督管理室、审理室）",
    url_name="opinion_endorse",
)
def opinion_endorse(request, opinion_id: ApiId, payload: EndorseIn):
    from .access import endorsing_offices

    item = get_opinion_for(request.auth, opinion_id)
    if payload.office not in endorsing_offices(request.auth):
        raise Http404
    return _run(
        request,
        item,
        lambda: opinions.opinion_endorse(
            actor=request.auth,
            request=item,
            version=payload.version,
            office=payload.office,
            note=payload.note,
        ),
    )


@router.post(
    "/opinions/{id:opinion_id}/sign",
    response=OpinionDetailOut,
    summary="审签（纪委监委领导）",
    url_name="opinion_sign",
)
def opinion_sign(request, opinion_id: ApiId, payload: VersionIn):
    item = get_opinion_for(request.auth, opinion_id)
    if not can_sign(request.auth):
        raise Http404
    return _run(
        request,
        item,
        lambda: opinions.opinion_sign(actor=request.auth, request=item, version=payload.version),
    )
