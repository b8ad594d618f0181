"""How large a request body may be, per class of URL, decided from the request line and headers
before Django reads the body (core/ops/bodylimit.py applies it in front of the ASGI application):

- the public portal's forms that take files (petitions:submit, petitions:follow_reply): the public
  files allowed (JIJIAN_PUBLIC_UPLOAD_MAX_FILES × JIJIAN_PUBLIC_UPLOAD_MAX_MB) and the form's fields,
  the same public_body_limit() as the view's PublicUploadHandler;
- the petitioner's upload during a video reception (reception:petitioner_upload): one public file,
  and only with an upload token signed for that reception in the X-Upload-Token header — without one
  the request is refused before its body;
- staff pages and API operations that take large files (LARGE_UPLOADS: a course's material, which may be
  a video): the largest attachment of the kinds they take (size_limits(), the same as the attachment
  service applies) and the form's fields;
- staff pages and API operations that take ordinary files (STAFF_UPLOADS: images, PDF, Office): as many
  files as the form takes at the largest of those kinds (JIJIAN_UPLOAD_MAX_MB by default) and the
  form's fields;
- anything else, which takes no file: DATA_UPLOAD_MAX_MEMORY_SIZE (what Django reads of a body without
  files) and a small margin, or JIJIAN_REQUEST_MAX_MB when the operator sets it.

tests/core/test_body_limit_classes.py finds every view that reads files and fails for one that is not
in a table here, so a new upload view cannot fall to the small limit unnoticed.

The answers are short Chinese messages: JSON for the API (its error format) and the reception upload
(what room.js reads), HTML for pages."""

from __future__ import annotations

import json
from collections.abc import Collection
from html import escape
from typing import cast

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.translation import gettext

from jijian.api.api import api
from jijian.attachments.services import MB, STAFF_KINDS, size_limits
from jijian.attachments.uploads import (
    FORM_ALLOWANCE,
    public_body_limit,
    public_body_refusal,
    public_max_files,
)
from jijian.core.forms import MultipleFileField
from jijian.core.ops.bodylimit import Answer, Limit, Scope, header
from jijian.reception.services import UPLOAD_TOKEN_HEADER, upload_token_signed
from jijian.responsibility.services import MAX_FILES_PER_RECORD
from jijian.training.services import LECTURE_MATERIAL_KINDS, MATERIAL_KINDS
from jijian.villageaffairs.forms import VoucherForm
from jijian.villageaffairs.reimbursements import MAX_RECEIPTS
from jijian.villageaffairs.services import MAX_FILES_PER_STEP

PUBLIC_FORMS = frozenset({"petitions:submit", "petitions:follow_reply"})
RECEPTION_UPLOAD = "reception:petitioner_upload"
TOKEN_HEADER = UPLOAD_TOKEN_HEADER.lower().encode()

# Staff URLs that take large files: the kinds their service stores (the body may reach the largest
# limit among them, one file). The same constant the service passes to attachment_store(kinds=).
LARGE_UPLOADS: dict[str, frozenset[str]] = {
    "training:material_add": MATERIAL_KINDS,  # a course material may be a recorded lecture
    "training:lecture_material_add": LECTURE_MATERIAL_KINDS,  # a lecture's slides or its recording
}
# The most files a staff form without a count of its own takes in one request.
STAFF_MAX_FILES = 10
# Staff URLs that take ordinary files: how many files one request may carry.
STAFF_UPLOADS: dict[str, int] = {
    "reports:duty_record_create": STAFF_MAX_FILES,
    "reports:duty_record_edit": STAFF_MAX_FILES,
    "petitions_clues:letter_reply": STAFF_MAX_FILES,
    "petitions_staff:register": STAFF_MAX_FILES,
    "archives:import": 1,
    "archives:photo_upload": 1,
    "archives:opinion_create": 1,
    "responsibility:record_create": MAX_FILES_PER_RECORD,
    "villageaffairs:step_record": MAX_FILES_PER_STEP,
    "villageaffairs:voucher_create": cast(MultipleFileField, VoucherForm.base_fields["uploads"]).max_files
    or 1,
    "villageaffairs:board_photo_upload": 1,
    "reception:document_add": STAFF_MAX_FILES,
    "training:question_import": 1,
    "evaluation:pair_detail": STAFF_MAX_FILES,
    "api:petition_report_register_files": STAFF_MAX_FILES,
    "api:village_notice_record": MAX_FILES_PER_STEP,
    "api:village_voucher_enter": MAX_RECEIPTS,
}
# What attachment_store takes when its caller names nothing else; a staff URL whose service takes
# more (kinds=) belongs in LARGE_UPLOADS.
DOCUMENT_KINDS = STAFF_KINDS
# Beside DATA_UPLOAD_MAX_MEMORY_SIZE for a body without files: multipart boundaries and headers.
SMALL_MARGIN = 64 * 1024


def kinds_max_bytes(kinds: Collection[str]) -> int:
    """The largest file of these kinds the attachment service accepts."""
    limits = size_limits()
    return max(limits[kind] for kind in kinds)


def large_max_bytes(view: str) -> int:
    return kinds_max_bytes(LARGE_UPLOADS[view]) + FORM_ALLOWANCE


def staff_max_bytes(view: str) -> int:
    return STAFF_UPLOADS[view] * kinds_max_bytes(DOCUMENT_KINDS) + FORM_ALLOWANCE


def default_max_bytes() -> int:
    """Any URL that takes no file: JIJIAN_REQUEST_MAX_MB when set, else what Django reads of such a
    body (DATA_UPLOAD_MAX_MEMORY_SIZE) and a small margin."""
    if settings.REQUEST_MAX_MB:
        return settings.REQUEST_MAX_MB * MB
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE + SMALL_MARGIN


def max_bytes_for(view: str) -> int:
    """The most a request to the URL named `view` may carry (the public URLs aside)."""
    if view in LARGE_UPLOADS:
        return large_max_bytes(view)
    if view in STAFF_UPLOADS:
        return staff_max_bytes(view)
    return default_max_bytes()


def html_answer(status: int, message: str) -> Answer:
    page = (
        '<!doctype html><html lang="zh-Hans"><meta charset="utf-8"><title>未被接收</title>'
        f"<p>{escape(message)}</p><p>请返回上一页修改后重新提交。</p></html>"
    )
    return Answer(status, page.encode(), "text/html; charset=utf-8")


def json_answer(status: int, payload: dict) -> Answer:
    return Answer(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8")


def api_error(status: int, code: str, message: str) -> Answer:
    return json_answer(status, {"error": {"code": code, "message": message, "details": []}})


def limit_for(scope: Scope) -> Limit:
    path = scope["path"]
    root = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    view = match.view_name if match else ""
    if view in PUBLIC_FORMS:
        files = public_max_files()
        return Limit(public_body_limit(files), html_answer(413, public_body_refusal(files)))
    if view == RECEPTION_UPLOAD and match and scope.get("method") == "POST":
        token = header(scope, TOKEN_HEADER)
        signed = upload_token_signed(token=token, pk=match.kwargs["pk"])
        return Limit(
            public_body_limit(1),
            json_answer(413, {"error": public_body_refusal(1)}),
            refused=None if signed else json_answer(400, {"error": gettext("上传凭证无效")}),
        )
    max_bytes = max_bytes_for(view)
    message = gettext("请求内容过大：超过 %(mb).0f MB 的上限，未被接收") % {"mb": max_bytes / MB}
    if match and api.urls_namespace in match.namespaces:
        return Limit(max_bytes, api_error(413, "too_large", message))
    return Limit(max_bytes, html_answer(413, message))
