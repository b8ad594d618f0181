"""The duty manual as JSON (read only), scoped like the pages: everyone signed in reads the manual of
their own city; a topic code the city's manual has no page for is a 404, as is a case not published."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Router, Schema

from jijian.core.api.limits import ApiId

from . import access, selectors

router = Router(tags=["履职手册"])


class PageBrief(Schema):
    code: str
    kind: str
    title: str
    summary: str
    version: int


class PageOut(PageBrief):
    steps: list[str]
    roles: list[str]
    checkpoints: list[str]
    documents: list[str]
    updated_at: datetime
    cases: list[int]


class VersionOut(Schema):
    number: int
    change_note: str
    created_at: datetime


class CaseOut(Schema):
    id: int
    title: str
    situation: str
    lesson: str
    source: str
    topic: str | None
    published_at: datetime | None


class SearchQuery(Schema):
    q: str = Field("", max_length=50, description="关键词或标题的拼音首字母；缺省列出全部条目")


def _brief(p) -> dict:
    return {"code": p.code, "kind": p.kind, "title": p.title, "summary": p.summary, "version": p.version}


def _case(c) -> dict:
    return {
        "id": c.pk,
        "title": c.title,
        "situation": c.situation,
        "lesson": c.lesson,
        "source": c.source,
        "topic": c.page.code if c.page_id else None,
        "published_at": c.published_at,
    }


@router.get("/pages", response=list[PageBrief], summary="履职手册条目（可搜索）", url_name="manual_pages")
def pages(request, filters: Query[SearchQuery]):
    if filters.q.strip():
        return [_brief(p) for p in selectors.search(request.auth, filters.q).pages]
    return [_brief(p) for p in access.pages_for(request.auth)]


@router.get("/pages/{code}", response=PageOut, summary="履职手册条目全文", url_name="manual_page")
def page(request, code: str):
    p = access.get_page_for(request.auth, code[:60])
    return {
        **_brief(p),
        "steps": p.steps,
        "roles": p.roles,
        "checkpoints": p.checkpoints,
        "documents": p.documents,
        "updated_at": p.updated_at,
        "cases": list(selectors.page_cases(request.auth, p).values_list("pk", flat=True)),
    }


@router.get(
    "/pages/{code}/versions", response=list[VersionOut], summary="条目的修订记录", url_name="manual_versions"
)
def versions(request, code: str):
    p = access.get_page_for(request.auth, code[:60])
    return list(p.versions.values("number", "change_note", "created_at"))


@router.get("/cases", response=list[CaseOut], summary="已发布的典型案例", url_name="manual_cases")
def cases(request):
    return [_case(c) for c in access.cases_for(request.auth).select_related("page")]


@router.get("/cases/{case_id}", response=CaseOut, summary="典型案例", url_name="manual_case")
def case(request, case_id: ApiId):
    return _case(access.get_case_for(request.auth, case_id))
