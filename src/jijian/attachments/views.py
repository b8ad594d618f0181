from __future__ import annotations

import re
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from jijian.core.accounts.security import client_ip

from .access import get_attachment_for
from .services import NoThumbnail, attachment_open, attachment_thumbnail


def content_disposition(name: str) -> str:
    """Always a download, never rendered inline; an ASCII fallback name and the UTF-8 name (RFC 6266)."""
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def _ranged(request, handle, mime: str) -> HttpResponseBase | None:
    """The answer to a single byte range (`Range: bytes=a-b`, `a-`, `-n`): 206 with that slice, streamed,
    or 416; None for no range or a form we do not serve (several ranges: the whole file, as RFC 9110
    allows). A phone's video player seeks with these (Safari will not play a video without them)."""
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if not match or match.groups() == ("", ""):
        return None
    size = handle.size
    first, last = match.groups()
    if first == "":
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        handle.close()
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused

    def body():
        try:
            handle.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = handle.read(min(CHUNK, left))
                if not chunk:
                    break
                left -= len(chunk)
                yield chunk
        finally:
            handle.close()

    response = StreamingHttpResponse(body(), status=206, content_type=mime or "application/octet-stream")
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    return response


@login_required
@require_GET
def download(request, pk):
    attachment = get_attachment_for(request.user, pk)
    handle = attachment_open(actor=request.user, attachment=attachment, ip_address=client_ip(request))
    response = _ranged(request, handle, attachment.mime) or FileResponse(
        handle, content_type=attachment.mime or "application/octet-stream"
    )
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    # Even if a browser were talked into rendering it, nothing in it may run or load.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@login_required
@require_GET
def thumbnail(request, pk):
    """A photo's preview for list pages, behind the same access check as the download; anything that
    is not an image is the same 404 as a missing file."""
    attachment = get_attachment_for(request.user, pk)
    try:
        content = attachment_thumbnail(attachment=attachment)
    except NoThumbnail:
        raise Http404 from None
    response = HttpResponse(content, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
