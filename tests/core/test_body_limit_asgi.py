"""The body limit in front of Django's ASGI handler, driven through the ASGI interface itself (the
audit's reproduction of issue 22 item 7): what the server offers is counted as Django takes it. The
real server is tests/core/test_body_limit.py."""

from __future__ import annotations

import asyncio

from django.core.handlers.asgi import ASGIHandler
from django.urls import reverse

from jijian.config.bodylimits import default_max_bytes, large_max_bytes, limit_for, staff_max_bytes
from jijian.core.ops.bodylimit import BodyLimitMiddleware
from tests.event_loop import run_loop

MB = 1024 * 1024


def offer(
    path: str, *, announce: int | None, chunks: int, headers=(), leave: bool = False
) -> tuple[list, int]:
    """POST `chunks` MB to `path` through the wrapped Django application; returns the answer's
    messages and how many chunks the application took. With `leave` the client goes away after its
    chunks (a large announced body is not sent whole), else it waits."""
    taken = {"n": 0}

    async def receive():
        if taken["n"] < chunks:
            taken["n"] += 1
            return {"type": "http.request", "body": b"x" * MB, "more_body": leave or taken["n"] < chunks}
        if leave:
            return {"type": "http.disconnect"}
        await asyncio.sleep(3600)  # a client that announced more than it sends

    sent: list = []

    async def send(message):
        sent.append(message)

    head = [(b"host", b"testserver"), (b"content-type", b"multipart/form-data; boundary=xyz"), *headers]
    if announce is not None:
        head.append((b"content-length", str(announce).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": head,
        "client": ("203.0.113.9", 5000),
        "server": ("testserver", 80),
    }
    app = BodyLimitMiddleware(ASGIHandler(), limit_for)
    run_loop(lambda: asyncio.wait_for(app(scope, receive, send), 60))
    return sent, taken["n"]


def test_a_body_announced_as_600_mb_is_answered_413_before_a_byte_is_taken():
    sent, taken = offer(reverse("petitions:submit"), announce=600 * MB, chunks=40)
    assert taken == 0
    assert sent[0]["status"] == 413 and (b"connection", b"close") in sent[0]["headers"]
    assert "最多 5 个文件，每个不超过 20 MB，本次提交未被接收" in sent[1]["body"].decode()


def test_a_chunked_body_is_not_handed_on_past_the_limit(settings):
    settings.PUBLIC_UPLOAD_MAX_MB = 1  # 5 files of 1 MB and 1 MB of fields: 6 MB
    sent, taken = offer(reverse("petitions:follow_reply"), announce=None, chunks=40)
    assert taken == 7  # the seventh passes the limit and is not handed to Django
    assert [m.get("status") for m in sent if m["type"] == "http.response.start"] == [413]


def test_the_reception_upload_without_its_token_is_refused_before_its_body():
    sent, taken = offer(reverse("reception:petitioner_upload", args=[3]), announce=MB, chunks=1)
    assert taken == 0 and sent[0]["status"] == 400
    assert sent[1]["body"].decode() == '{"error": "上传凭证无效"}'


def test_a_small_body_reaches_django():
    # within the limit the body goes through: the view answers (CSRF refuses the anonymous post)
    sent, taken = offer(reverse("petitions:submit"), announce=2 * MB, chunks=2)
    assert taken == 2 and sent[0]["status"] == 403


def test_sign_in_refuses_a_body_announced_at_50_mb_before_a_byte_is_taken():
    sent, taken = offer(reverse("core:login"), announce=50 * MB, chunks=5)
    assert taken == 0 and sent[0]["status"] == 413
    assert "请求内容过大：超过 5 MB 的上限，未被接收" in sent[1]["body"].decode()
    assert default_max_bytes() < 6 * MB  # DATA_UPLOAD_MAX_MEMORY_SIZE and a small margin


def test_the_operators_request_max_mb_sets_the_limit_of_urls_without_files(settings):
    settings.REQUEST_MAX_MB = 2
    sent, taken = offer(reverse("core:login"), announce=3 * MB, chunks=3)
    assert taken == 0 and "超过 2 MB 的上限" in sent[1]["body"].decode()
    # the upload URLs keep their own limits
    sent, taken = offer(reverse("archives:photo_upload", args=[1]), announce=3 * MB, chunks=3)
    assert taken == 3 and sent[0]["status"] == 403


def test_a_course_material_upload_takes_a_large_body_up_to_the_video_limit():
    path = reverse("training:material_add", args=[1])
    limit = large_max_bytes("training:material_add")
    assert limit == 1024 * MB + MB  # a video of 1024 MB and the form's fields
    # announced at exactly its limit: handed to Django, which reads on until the client leaves
    sent, taken = offer(path, announce=limit, chunks=3, leave=True)
    assert taken == 3 and not any(m.get("status") == 413 for m in sent)
    sent, taken = offer(path, announce=limit + 1, chunks=3)
    assert taken == 0 and sent[0]["status"] == 413


def test_an_image_upload_page_takes_10_mb_but_not_a_video_sized_body():
    path = reverse("archives:photo_upload", args=[1])
    sent, taken = offer(path, announce=10 * MB, chunks=10)
    assert taken == 10 and sent[0]["status"] == 403  # the whole body reached the view (CSRF refuses)
    assert staff_max_bytes("archives:photo_upload") == 50 * MB + MB  # one file of JIJIAN_UPLOAD_MAX_MB
    sent, taken = offer(path, announce=200 * MB, chunks=5)
    assert taken == 0 and sent[0]["status"] == 413
    assert "超过 51 MB 的上限" in sent[1]["body"].decode()


def test_a_staff_form_with_several_files_takes_each_at_the_document_limit():
    sent, taken = offer(
        reverse("responsibility:record_create", args=[1]), announce=9 * 50 * MB, chunks=2, leave=True
    )
    assert taken == 2 and not any(m.get("status") == 413 for m in sent)


def test_the_api_upload_has_its_limit_and_other_api_calls_the_small_one():
    sent, taken = offer(reverse("api:petition_report_register_files"), announce=20 * MB, chunks=2, leave=True)
    assert taken == 2 and not any(m.get("status") == 413 for m in sent)
    sent, taken = offer(reverse("api:me"), announce=20 * MB, chunks=2)
    assert taken == 0 and sent[0]["status"] == 413 and b'"too_large"' in sent[1]["body"]
