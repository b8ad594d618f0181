"""The ASGI handler: Django's, with the middleware chain and the views run synchronously, in one
thread per request, and streamed answers sent as they are produced.

1. One crossing into the request's thread. Every view and every middleware of this project is
   synchronous; Django's own middleware (built on MiddlewareMixin) is "async capable" only by running
   each of its hooks through sync_to_async. Under Django's stock ASGIHandler the chain is built in
   async mode from the view outwards until the first sync-only middleware, so a request crossed
   between the event loop and its thread nine times (the messages and X-Frame-Options hooks, the
   CSRF view hook, the view itself, and back), each crossing a thread hand-off under the GIL. Here
   the chain is built as under WSGI and entered once: three crossings in all (the request-started
   signal, the chain, closing the response; tests/core/test_asgi.py counts them). Django ticket
   #37177 does the same in Django itself by making its middleware sync-only; until that is
   released, this does it for the whole chain. Measured with the submit benchmark's empty view
   (bench/README.md, "Submission path"): server CPU per request 4.2-5.3 ms -> 2.5-3.2 ms on the
   2-core development VM. An async view, should one be added, still works (Django's sync handler
   runs it with async_to_sync), at the cost of that one crossing back.

2. Streaming. Django's ASGIHandler serves a StreamingHttpResponse over a synchronous iterator — the
   CSV exports (all reports of a month, the petition register, the audit trail) and every
   FileResponse (attachments, recordings of video receptions) — by reading the *whole* iterator into
   a list first (with a warning): a province's export or a long recording sat in the app server's
   memory before the first byte left, and the browser showed no progress. Here the iterator is read
   in blocks of about 64 KiB, each in the request's own thread (where the export's database cursor
   lives), and each block is sent before the next is read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:  # noqa: ARG002 - always the sync chain
        super().load_middleware(is_async=False)
        # ASGIHandler awaits the chain; thread_sensitive: in the request's own thread (Django's
        # ASGIHandler gives each request its ThreadSensitiveContext), as the DB connections expect.
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)

    async def run_get_response(self, request):
        response = await super().run_get_response(request)
        if response.streaming and not response.is_async:
            # The parts as bytes (streaming_content applies make_bytes); the original iterator's
            # close() stays registered with the response and runs when the response is closed.
            response.streaming_content = _blocks(response.streaming_content, self.chunk_size)
        return response


def _next_block(parts: Iterator[bytes], size: int) -> bytes:
    """The next parts of `parts` joined, at least `size` bytes unless the parts run out; b"" at the end."""
    block, length = [], 0
    for part in parts:
        block.append(part)
        length += len(part)
        if length >= size:
            break
    return b"".join(block)


async def _blocks(parts: Iterator[bytes], size: int) -> AsyncIterator[bytes]:
    pull = sync_to_async(_next_block, thread_sensitive=True)
    while block := await pull(parts, size):
        yield block
