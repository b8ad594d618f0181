"""A request-body limit kept in front of Django, in plain ASGI (scope, receive, send).

Django's ASGI handler reads the whole body into a spooled temporary file (on disk beyond
FILE_UPLOAD_MAX_MEMORY_SIZE) before any middleware, view or upload handler runs, and uvicorn has no
setting that limits a body. This middleware wraps the Django application (config/asgi.py) and asks,
for each HTTP request, what the request may carry (`limit_for(scope)`, the rules in
config/bodylimits.py):

- a request the rules refuse outright (a credential missing from its headers) is answered at once,
  its body never read;
- a Content-Length beyond the limit is answered 413 at once, its body never read;
- a body without Content-Length (chunked) is counted as it streams in: the message that passes the
  limit is not handed to Django, which sees the client go away (`http.disconnect`), stops reading
  and answers nothing; the middleware answers 413.

The answers close the connection, so the server stops reading the rest of the body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]  # (scope, receive, send)


@dataclass(frozen=True)
class Answer:
    """A short answer given by the middleware itself (a Chinese JSON or HTML message)."""

    status: int
    body: bytes
    content_type: str


@dataclass(frozen=True)
class Limit:
    """What one request may carry: at most `max_bytes` of body, else `too_large`; `refused`, when
    set, answers the request before its body is read."""

    max_bytes: int
    too_large: Answer
    refused: Answer | None = None


def header(scope: Scope, name: bytes) -> str:
    """The first value of a request header (name in lower case), or ""."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


def content_length(scope: Scope) -> int | None:
    raw = header(scope, b"content-length").strip()
    return int(raw) if raw.isdigit() else None


async def answer(send: Send, reply: Answer) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": reply.status,
            "headers": [
                (b"content-type", reply.content_type.encode()),
                (b"content-length", str(len(reply.body)).encode()),
                (b"cache-control", b"no-store"),
                (b"x-content-type-options", b"nosniff"),
                (b"connection", b"close"),  # the server stops reading the body and closes
            ],
        }
    )
    await send({"type": "http.response.body", "body": reply.body})


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limit_for: Callable[[Scope], Limit]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        if limit.refused is not None:
            await answer(send, limit.refused)
            return
        length = content_length(scope)
        if length is not None and length > limit.max_bytes:
            await answer(send, limit.too_large)
            return

        received = 0
        over = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.max_bytes:
                    over = True  # this message is not handed on: the app sees the client leave
                    return {"type": "http.disconnect"}
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, watched_send)
        if over and not started:
            await answer(send, limit.too_large)
