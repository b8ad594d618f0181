"""The API's one error format: {"error": {"code": "...", "message": "<中文>", "details": [...]}}.
Apart from jijian.api.api so that the routers can import it without importing the API, which
imports the routers (any of them may be imported first)."""

from __future__ import annotations


def error(request, status: int, code: str, message: str, details=None):
    from .api import api

    return api.create_response(
        request, {"error": {"code": code, "message": message, "details": details or []}}, status=status
    )
