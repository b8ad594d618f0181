from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.views.decorators.http import require_GET

from jijian.core.security import client_ip

from .access import get_attachment_for
from .services import attachment_open


def content_disposition(name: str) -> str:
    """Always a download, never rendered inline; an ASCII fallback name and the UTF-8 name (RFC 6266)."""
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@login_required
@require_GET
def download(request, pk):
    attachment = get_attachment_for(request.user, pk)
    handle = attachment_open(actor=request.user, attachment=attachment, ip_address=client_ip(request))
    response = FileResponse(handle, content_type=attachment.mime or "application/octet-stream")
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    # Even if a browser were talked into rendering it, nothing in it may run or load.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
