"""The API's one error format: {"error": {"code": "...", "message": "<中文>", "details": [...]}}.
`error()` answers it from an endpoint; `add_error_handlers()` maps the exceptions an endpoint may
raise onto it, for the API that the `api` app assembles. Here, below the routers, so that a router
imports it without importing the API (which imports the routers)."""

from __future__ import annotations

from typing import Any  # ninja types a handler's exception as `E | type[E]`

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_lazy
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


# What a refused field is told, in Chinese, by pydantic's error type (its `ctx` fills the blanks);
# a type not named here gets the general sentence. pydantic's own English `msg` is never sent, nor the
# value that was refused (it may be a name or an ID number).
FIELD_MESSAGES = {
    "missing": gettext_lazy("必填"),
    "greater_than_equal": gettext_lazy("不能小于 {ge}"),
    "less_than_equal": gettext_lazy("不能大于 {le}"),
    "greater_than": gettext_lazy("必须大于 {gt}"),
    "less_than": gettext_lazy("必须小于 {lt}"),
    "multiple_of": gettext_lazy("应为 {multiple_of} 的倍数"),
    "string_too_long": gettext_lazy("最多 {max_length} 个字"),
    "string_too_short": gettext_lazy("至少 {min_length} 个字"),
    "too_long": gettext_lazy("最多 {max_length} 项"),
    "too_short": gettext_lazy("至少 {min_length} 项"),
    "string_type": gettext_lazy("应为文字"),
    "string_pattern_mismatch": gettext_lazy("格式不符合要求"),
    "string_unicode": gettext_lazy("应为文字"),
    "int_type": gettext_lazy("应为整数"),
    "int_parsing": gettext_lazy("应为整数"),
    "int_parsing_size": gettext_lazy("数值超出范围"),
    "int_from_float": gettext_lazy("应为整数"),
    "float_type": gettext_lazy("应为数字"),
    "float_parsing": gettext_lazy("应为数字"),
    "decimal_type": gettext_lazy("应为数字"),
    "decimal_parsing": gettext_lazy("应为数字"),
    "decimal_max_digits": gettext_lazy("数字位数过多"),
    "decimal_max_places": gettext_lazy("小数位数过多"),
    "finite_number": gettext_lazy("应为有限的数字"),
    "bool_type": gettext_lazy("应为 true 或 false"),
    "bool_parsing": gettext_lazy("应为 true 或 false"),
    "date_type": gettext_lazy("应为日期（年-月-日，如 2026-01-31）"),
    "date_parsing": gettext_lazy("应为日期（年-月-日，如 2026-01-31）"),
    "date_from_datetime_parsing": gettext_lazy("应为日期（年-月-日，如 2026-01-31）"),
    "date_from_datetime_inexact": gettext_lazy("应为日期，不含时刻"),
    "datetime_type": gettext_lazy("应为日期时间（如 2026-01-31T09:30:00）"),
    "datetime_parsing": gettext_lazy("应为日期时间（如 2026-01-31T09:30:00）"),
    "datetime_from_date_parsing": gettext_lazy("应为日期时间（如 2026-01-31T09:30:00）"),
    "time_type": gettext_lazy("应为时刻（如 09:30）"),
    "time_parsing": gettext_lazy("应为时刻（如 09:30）"),
    "literal_error": gettext_lazy("只能是 {expected} 之一"),
    "enum": gettext_lazy("只能是 {expected} 之一"),
    "list_type": gettext_lazy("应为列表"),
    "tuple_type": gettext_lazy("应为列表"),
    "set_type": gettext_lazy("应为列表"),
    "dict_type": gettext_lazy("应为对象"),
    "model_type": gettext_lazy("应为对象"),
    "model_attributes_type": gettext_lazy("应为对象"),
    "json_invalid": gettext_lazy("不是有效的 JSON"),
    "json_type": gettext_lazy("不是有效的 JSON"),
    "extra_forbidden": gettext_lazy("不接受此字段"),
    "uuid_type": gettext_lazy("应为 UUID"),
    "uuid_parsing": gettext_lazy("应为 UUID"),
    "url_parsing": gettext_lazy("应为网址"),
    "url_type": gettext_lazy("应为网址"),
}
FIELD_MESSAGE_DEFAULT = gettext_lazy("取值不符合要求")
# A validator of ours raises ValueError (or asserts) with its own Chinese sentence; pydantic prefixes it.
_OWN_PREFIXES = {"value_error": "Value error, ", "assertion_error": "Assertion failed, "}


def field_message(e: dict) -> str:
    """The Chinese sentence for one of pydantic's errors (`e` as ValidationError.errors() gives it)."""
    kind = e.get("type", "")
    if kind in _OWN_PREFIXES:
        return str(e.get("msg", "")).removeprefix(_OWN_PREFIXES[kind]) or str(FIELD_MESSAGE_DEFAULT)
    template = FIELD_MESSAGES.get(kind)
    if template is None:
        return str(FIELD_MESSAGE_DEFAULT)
    ctx = dict(e.get("ctx") or {})
    if "expected" in ctx:  # "'a', 'b' or 'c'" -> "'a'、'b'、'c'"
        ctx["expected"] = str(ctx["expected"]).replace(" or ", "、").replace(", ", "、")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return str(FIELD_MESSAGE_DEFAULT)


def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
    details = [
        {"loc": [str(p) for p in e.get("loc", [])], "type": e.get("type", ""), "message": field_message(e)}
        for e in exc.errors
    ]
    return error(request, 422, "invalid", gettext("请求数据不符合要求"), details)


def on_django_validation(request: HttpRequest, exc: Any) -> HttpResponse:
    return error(request, 400, "rejected", "；".join(exc.messages))


def on_too_big(request: HttpRequest, exc: Any) -> HttpResponse:
    """A body refused while it arrived (jijian.attachments.uploads, DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    return error(request, 400, "rejected", gettext("上传的内容超过大小上限，未被接收"))


def on_auth(request: HttpRequest, exc: Any) -> HttpResponse:
    return error(request, 401, "unauthenticated", gettext("未登录或令牌无效"))


def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    """Http404 and PermissionDenied alike: a record outside the caller's jurisdiction is not found."""
    return error(request, 404, "not_found", gettext("记录不存在或不在您的权限范围内"))


# ninja turns any failure of the request parser into HttpError(400, "Cannot parse request body"),
# with the parser's own exception as its cause.
UNPARSABLE = "Cannot parse request body"


def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, DjangoValidationError):  # refused by the API's parser (a NUL character)
        return error(request, 400, "rejected", "；".join(cause.messages))
    if exc.status_code == 400 and str(exc).startswith(UNPARSABLE):
        return error(request, 400, "invalid", gettext("请求内容不是有效的 JSON"))
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
