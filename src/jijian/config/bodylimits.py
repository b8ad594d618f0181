"""How large a request body may be, per class of URL, decided from the request line and headers
before Django reads the body (core/ops/bodylimit.py applies it in front of the ASGI application):

- the public portal's forms that take files (petitions:submit, petitions:follow_reply): the public
  files allowed (JIJIAN_PUBLIC_UPLOAD_MAX_FILES × JIJIAN_PUBLIC_UPLOAD_MAX_MB) and the form's fields,
  the same public_body_limit() as the view's PublicUploadHandler;
- the petitioner's upload during a video reception (reception:petitioner_upload): one public file,
  and only with an upload token signed for that reception in the X-Upload-Token header — without one
  the request is refused before its body;
- anything else: JIJIAN_REQUEST_MAX_MB, by default the largest attachment staff may upload plus
  DATA_UPLOAD_MAX_MEMORY_SIZE.

The answers are short Chinese messages: JSON for the API (its error format) and the reception upload
(what room.js reads), HTML for pages."""

from __future__ import annotations

import json
from html import escape

from django.conf import settings
from django.urls import Resolver404, resolve

from jijian.api.api import api
from jijian.attachments.services import MB, upload_hard_limit
from jijian.attachments.uploads import public_body_limit, public_body_refusal, public_max_files
from jijian.core.ops.bodylimit import Answer, Limit, Scope, header
from jijian.reception.services import UPLOAD_TOKEN_HEADER, upload_token_signed

PUBLIC_FORMS = frozenset({"petitions:submit", "petitions:follow_reply"})
RECEPTION_UPLOAD = "reception:petitioner_upload"
TOKEN_HEADER = UPLOAD_TOKEN_HEADER.lower().encode()


def default_max_bytes() -> int:
    if settings.REQUEST_MAX_MB:
        return settings.REQUEST_MAX_MB * MB
    return upload_hard_limit() + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


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
            refused=None if signed else json_answer(400, {"error": "上传凭证无效"}),
        )
    max_bytes = default_max_bytes()
    message = f"请求内容过大：超过 {max_bytes // MB} MB 的上限，未被接收"
    if match and api.urls_namespace in match.namespaces:
        return Limit(max_bytes, api_error(413, "too_large", message))
    return Limit(max_bytes, html_answer(413, message))
