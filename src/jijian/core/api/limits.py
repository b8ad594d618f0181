"""Range limits for every integer the API takes: ids in paths, query strings and bodies, versions,
counts, the page number, checked at the edge (a value beyond what its column can hold is a 404 or a
422, never an overflow in the database driver). One place: routers write `{id:name}` in paths with
the parameter typed `ApiId`, and in input schemas `ApiId` for ids, `ApiVersion` for versions,
`ApiCount` for counts (people, votes), `ApiSmall` for small numbers (steps, days), and paginate with
`Pagination` (`PageNumber` for a list that pages by hand); tests/test_api_bounds.py fails on an
integer of the API document without both bounds. And text: `TextParser` refuses a NUL character in any
body or query string."""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import ValidationError
from django.urls import register_converter
from django.utils.translation import gettext_lazy
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from ninja.parser import Parser

# Primary keys are 64-bit signed integers (BigAutoField) on PostgreSQL and SQLite alike.
MAX_ID = 2**63 - 1
# Far beyond any list the API serves, far below what an OFFSET can hold.
MAX_PAGE = 1_000_000

# What a PositiveIntegerField (counts of people, votes) and a PositiveSmallIntegerField (step numbers,
# days) hold on every database the project supports.
MAX_COUNT = 2**31 - 1
MAX_SMALL = 2**15 - 1

ApiId = Annotated[int, Field(ge=1, le=MAX_ID)]
ApiVersion = Annotated[int, Field(ge=0, le=MAX_ID)]  # a row's version as the caller read it
ApiCount = Annotated[int, Field(ge=0, le=MAX_COUNT)]
ApiSmall = Annotated[int, Field(ge=0, le=MAX_SMALL)]
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]


class IdConverter:
    """`{id:name}` in an API path: a positive integer that fits a 64-bit key. Anything longer does
    not match the URL (404, as for a missing record)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)  # Django: this URL does not match
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")


class Pagination(PageNumberPagination):
    """ninja's page-number pagination with the page and page size bounded (422 beyond)."""

    class Input(Schema):
        page: PageNumber = 1
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE)  # ninja caps it at max_page_size


NUL_MESSAGE = gettext_lazy("请求中含有无效字符（NUL），请删除后重试")


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class TextParser(Parser):
    """The API's request parser (ninja's documented extension point, given to the NinjaAPI): JSON
    bodies and query strings as ninja reads them, refusing any text holding a NUL character with a
    400 and a Chinese message. PostgreSQL cannot store or compare such a string (the driver raises),
    and Django's form fields refuse it; an API body or filter reaching a query with one would be a
    server error instead of a clear refusal."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if _has_nul(data):
            raise ValidationError(NUL_MESSAGE)
        return data

    def parse_querydict(self, data, list_fields, request):
        parsed = super().parse_querydict(data, list_fields, request)
        if _has_nul(parsed):
            raise ValidationError(NUL_MESSAGE)
        return parsed
