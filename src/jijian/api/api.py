"""The JSON API at /api/ (OpenAPI at /api/openapi.json). One error format for every failure:
{"error": {"code": "...", "message": "<中文>", "details": [...]}}. Scoped like the pages: a record
outside the caller's jurisdiction is a 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from .auth import SessionAuth, TokenAuth
from .errors import error

api = NinjaAPI(
    title="纪检监察工作平台 API",
    version="1",
    description="jijian API. 认证：浏览器会话（含 CSRF）或 Bearer 令牌。所有错误格式相同。",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(NinjaValidationError)
def on_validation(request, exc):
    details = [{"loc": [str(p) for p in e.get("loc", [])], "message": e.get("msg", "")} for e in exc.errors]
    return error(request, 422, "invalid", "请求数据不符合要求", details)


@api.exception_handler(DjangoValidationError)
def on_django_validation(request, exc):
    return error(request, 400, "rejected", "；".join(exc.messages))


@api.exception_handler(AuthenticationError)
def on_auth(request, exc):
    return error(request, 401, "unauthenticated", "未登录或令牌无效")


@api.exception_handler(Http404)
def on_404(request, exc):
    return error(request, 404, "not_found", "记录不存在或不在您的权限范围内")


@api.exception_handler(PermissionDenied)
def on_denied(request, exc):
    return error(request, 404, "not_found", "记录不存在或不在您的权限范围内")


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return error(request, exc.status_code, "error", str(exc))


api.add_router("/", "jijian.api.core_api.router")
api.add_router("/reports/", "jijian.reports.api_member.router")
api.add_router("/reports/review/", "jijian.reports.api_review.router")
api.add_router("/reports/stats/", "jijian.reports.api_stats.router")
api.add_router("/petitions/", "jijian.petitions.api_petitions.router")
api.add_router("/petitions/clues/", "jijian.petitions.api_clues.router")
