"""An upload handler that refuses a request body larger than any attachment may be, before Django
spools it to disk: the Content-Length is checked up front, the bytes received are counted as they
arrive (a lying or absent Content-Length does not help). Enable it first in FILE_UPLOAD_HANDLERS:

    FILE_UPLOAD_HANDLERS = [
        "jijian.attachments.uploads.LimitedUploadHandler",
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]

A refused body is a RequestDataTooBig (Django answers 400, as for DATA_UPLOAD_MAX_MEMORY_SIZE). The
per-kind limit is applied again, from the content, by attachment_store()."""

from __future__ import annotations

from functools import partial, wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from .services import public_max_bytes, upload_hard_limit


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.limit = upload_hard_limit()
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit + 64 * 1024:  # multipart overhead
            raise RequestDataTooBig("上传的文件超过大小上限")
        return None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise RequestDataTooBig("上传的文件超过大小上限")
        return raw_data  # pass on to the next handler

    def file_complete(self, file_size):
        return None


# Room for the form's own fields beside the files (the longest text field is 20,000 characters).
FORM_ALLOWANCE = 1024 * 1024


def public_max_files() -> int:
    return settings.PUBLIC_UPLOAD_MAX_FILES


def public_body_limit(max_files: int) -> int:
    """The most a public request with up to `max_files` files may carry: the files at
    JIJIAN_PUBLIC_UPLOAD_MAX_MB each and the form's fields. Also the app server's limit for the
    public views (config/bodylimits.py), applied before Django reads the body."""
    return max_files * public_max_bytes() + FORM_ALLOWANCE


def public_body_refusal(max_files: int) -> str:
    """Why a public body beyond public_body_limit() was not taken, in Chinese."""
    if max_files > 1:
        return gettext(
            "上传内容过大：最多 %(files)s 个文件，每个不超过 %(mb)s MB，本次提交未被接收，请删减或压缩后重新提交"
        ) % {"files": max_files, "mb": settings.PUBLIC_UPLOAD_MAX_MB}
    return gettext("上传内容过大：文件不能超过 %(mb)s MB，本次提交未被接收，请删减或压缩后重新提交") % {
        "mb": settings.PUBLIC_UPLOAD_MAX_MB
    }


class PublicUploadHandler(FileUploadHandler):
    """The public portal's limits while the body arrives, before any byte is spooled: a
    Content-Length beyond public_body_limit() is not read at all (no field, no file); a file beyond
    the per-file size, or beyond the number of files, is skipped as soon as its bytes pass the limit,
    before the handlers after this one see them. The reason is kept for the view (upload_refusal()),
    which answers with the form and stores nothing. Installed for the public views only, by
    @public_uploads. Under uvicorn the body's size is refused even earlier, before Django reads it
    (core/ops/bodylimit.py, with the same public_body_limit())."""

    def __init__(self, request=None, max_files: int | None = None):
        super().__init__(request)
        self.max_bytes = public_max_bytes()
        self.max_files = max_files or public_max_files()
        self.files = 0
        self.refusal = ""

    def body_too_large(self, content_length: int | None) -> bool:
        return content_length is not None and content_length > public_body_limit(self.max_files)

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if self.body_too_large(content_length):
            self.refusal = public_body_refusal(self.max_files)
            return QueryDict(encoding=encoding), MultiValueDict()  # the body is left unread
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.files += 1
        if self.files > self.max_files:
            self.refusal = f"最多上传 {self.max_files} 个文件，本次提交未被接收"
            raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self.refusal = (
                f"文件“{self.file_name}”超过 {settings.PUBLIC_UPLOAD_MAX_MB} MB 的上限，本次提交未被接收，"
                "请压缩或分开提交"
            )
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def public_uploads(view=None, *, max_files: int | None = None):
    """Decorate a public view that takes files: PublicUploadHandler goes first for its POSTs
    (`@public_uploads`, or `@public_uploads(max_files=1)` for a view that takes one file). The
    handlers must be set before the body is read, and CSRF checking reads it: the view is CSRF-exempt
    on the outside and CSRF-protected inside (Django's documented pattern for per-view handlers)."""
    if view is None:
        return partial(public_uploads, max_files=max_files)
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            handler = PublicUploadHandler(request, max_files=max_files)
            request.upload_handlers.insert(0, handler)
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if handler.body_too_large(length):
                # The body is never read, so neither is its CSRF token; the view only answers with
                # the refusal (upload_refusal()) and changes nothing.
                return view(request, *args, **kwargs)
        return protected(request, *args, **kwargs)

    return wrapper


def upload_refusal(request) -> str:
    """Why PublicUploadHandler refused (part of) this request's body, or "" (reads the body)."""
    request.FILES  # noqa: B018 - the body is parsed here if it was not yet
    for handler in request.upload_handlers:
        if isinstance(handler, PublicUploadHandler):
            return handler.refusal
    return ""
