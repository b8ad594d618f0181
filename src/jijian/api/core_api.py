"""Org tree, people and tokens through the API, scoped by jijian.core.access."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jijian.core import access, selectors
from jijian.core.api.auth import SessionAuth, api_token_create, api_token_revoke, api_tokens_visible_to
from jijian.core.api.limits import ApiId, Pagination
from jijian.core.roles import Module
from jijian.core.sensitive.crypto import mask_phone

router = Router(tags=["组织与人员"])


class OrgUnitOut(Schema):
    id: int
    code: str | None
    name: str
    kind: str
    parent_id: int | None
    depth: int
    is_active: bool


class OrgFilter(Schema):
    q: str = Field("", max_length=50, description="名称、拼音首字母或代码")
    kind: str = Field("", max_length=20)
    parent: ApiId | None = None


class PersonOut(Schema):
    id: int
    username: str
    full_name: str
    org_unit_id: int
    position: str
    roles: list[str]
    phone_masked: str

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return sorted(r.role for r in obj.roles.all())

    @staticmethod
    def resolve_phone_masked(obj) -> str:
        return mask_phone(obj.phone)


class MeOut(PersonOut):
    modules: list[str]

    @staticmethod
    def resolve_modules(obj) -> list[str]:
        return sorted(obj.modules)


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime


class TokenCreated(TokenOut):
    token: str


@router.get("/me", response=MeOut, summary="当前用户")
def me(request):
    return request.auth


@router.get("/orgs", response=list[OrgUnitOut], summary="组织单位列表（本人辖区）")
@paginate(Pagination, page_size=100)
def org_list(request, filters: Query[OrgFilter]):
    access.require_module(request.auth, Module.ORGS)
    qs = selectors.org_unit_search(access.org_units_visible_to(request.auth), q=filters.q, kind=filters.kind)
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    return qs.order_by("path")


@router.get("/orgs/{id:unit_id}", response=OrgUnitOut, summary="组织单位")
def org_detail(request, unit_id: ApiId):
    return access.get_org_unit_for(request.auth, unit_id)


class PeopleFilter(Schema):
    q: str = Field("", max_length=50)
    role: str = Field("", max_length=32)
    org_unit: ApiId | None = None


@router.get("/people", response=list[PersonOut], summary="人员列表（本人辖区）")
@paginate(Pagination, page_size=100)
def people_list(request, filters: Query[PeopleFilter]):
    access.require_module(request.auth, Module.ORGS)
    qs = selectors.user_search(access.users_visible_to(request.auth), q=filters.q, role=filters.role)
    if filters.org_unit is not None:
        qs = qs.filter(org_unit_id=filters.org_unit)
    return qs


@router.get("/people/{id:person_id}", response=PersonOut, summary="人员")
def people_detail(request, person_id: ApiId):
    return access.get_user_for(request.auth, person_id)


@router.get("/tokens", response=list[TokenOut], summary="我的 API 令牌", tags=["令牌"])
def token_list(request):
    return api_tokens_visible_to(request.auth)


# Only a signed-in browser session (second factor done, CSRF checked) creates a token: a token that
# could mint tokens would leave live children behind when it is revoked.
@router.post(
    "/tokens",
    response={201: TokenCreated},
    auth=[SessionAuth()],
    summary="创建 API 令牌（只显示一次；仅限浏览器会话）",
    tags=["令牌"],
)
def token_create(request, payload: TokenIn):
    token, raw = api_token_create(actor=request.auth, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.delete("/tokens/{id:token_id}", response={204: None}, summary="撤销 API 令牌", tags=["令牌"])
def token_revoke(request, token_id: ApiId):
    token = get_object_or_404(api_tokens_visible_to(request.auth), pk=token_id)
    api_token_revoke(actor=request.auth, token=token)
    return Status(204, None)
