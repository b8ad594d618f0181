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

from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

from .services import upload_hard_limit


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
