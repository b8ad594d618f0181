"""The API's one error format: {"error": {"code": "...", "message": "<中文>", "details": [...]}}.
`error()` answers it from an endpoint; `add_error_handlers()` maps the exceptions an endpoint may
raise onto it, for the API that the `api` app assembles. Here, below the routers, so that a router
imports it without importing the API (which imports the routers)."""

from __future__ import annotations

from typing import Any  # ninja types a handler's exception as `E | type[E]`

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

# The API's renderer (the `api` app gives it to its NinjaAPI): an error is rendered as any answer.
renderer = JSONRenderer()
CONTENT_TYPE = f"{renderer.media_type}; charset={renderer.charset}"


def error(request, status: int, code: str, message: str, details=None) -> HttpResponse:
    data = {"error": {"code": code, "message": message, "details": details or []}}
    content = renderer.render(request, data, response_status=status)
    return HttpResponse(content, status=status, content_type=CONTENT_TYPE)


def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
    details = [{"loc": [str(p) for p in e.get("loc", [])], "message": e.get("msg", "")} for e in exc.errors]
    return error(request, 422, "invalid", "请求数据不符合要求", details)


def on_django_validation(request: HttpRequest, exc: Any) -> HttpResponse:
    return error(request, 400, "rejected", "；".join(exc.messages))


def on_too_big(request: HttpRequest, exc: Any) -> HttpResponse:
    """A body refused while it arrived (jijian.attachments.uploads, DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    return error(request, 400, "rejected", "上传的内容超过大小上限，未被接收")


def on_auth(request: HttpRequest, exc: Any) -> HttpResponse:
    return error(request, 401, "unauthenticated", "未登录或令牌无效")


def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    """Http404 and PermissionDenied alike: a record outside the caller's jurisdiction is not found."""
    return error(request, 404, "not_found", "记录不存在或不在您的权限范围内")


# ninja turns any failure of the request parser into HttpError(400, "Cannot parse request body"),
# with the parser's own exception as its cause.
UNPARSABLE = "Cannot parse request body"


def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, DjangoValidationError):  # refused by the API's parser (a NUL character)
        return error(request, 400, "rejected", "；".join(cause.messages))
    if exc.status_code == 400 and str(exc).startswith(UNPARSABLE):
        return error(request, 400, "invalid", "请求内容不是有效的 JSON")
    return error(request, exc.status_code, "error", str(exc))


def add_error_handlers(api: NinjaAPI) -> None:
    """Map every failure an endpoint may raise onto the one error format."""
    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(AuthenticationError, on_auth)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_not_found)
    api.add_exception_handler(HttpError, on_http_error)
