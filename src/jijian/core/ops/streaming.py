"""Streamed answers under ASGI: sent while they are produced, never read whole into memory.

Django's ASGI handler sends a StreamingHttpResponse part by part only when its iterator is
asynchronous; a synchronous one it first reads whole into a list (with a warning). The long answers
of this project are synchronous iterators: the CSV exports (all reports of a month, the petition
register, the audit trail), which read their rows from the database as they go, and every
FileResponse (attachments, recordings of video receptions, generated workbooks). So under ASGI the
middleware below gives such a response an asynchronous iterator over the same parts: each block of
about 64 KiB is read in the request's own thread (sync_to_async with thread_sensitive, inside the
context Django's handler gives each request, where the view ran and where its database cursor lives)
and sent before the next is read. The original iterator's close() (a generator's, a file's) stays
registered with the response, which Django closes after the last block.

Under WSGI (the test client) a synchronous iterator streams as it is, and nothing changes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest

BLOCK_SIZE = 64 * 1024  # as Django's ASGIHandler.chunk_size: one body message per block


def _next_block(parts: Iterator[bytes], size: int) -> bytes:
    """The next parts joined, at least `size` bytes unless the parts run out; b"" at the end."""
    block: list[bytes] = []
    length = 0
    for part in parts:
        block.append(part)
        length += len(part)
        if length >= size:
            break
    return b"".join(block)


async def blocks(parts: Iterator[bytes], size: int = BLOCK_SIZE) -> AsyncIterator[bytes]:
    """The parts of a synchronous iterator, read in the request's thread a block at a time."""
    read = sync_to_async(_next_block, thread_sensitive=True)
    while block := await read(parts, size):
        yield block


class AsyncStreamingMiddleware:
    """Serves a streamed answer's synchronous iterator as an asynchronous one under ASGI (above).
    First in MIDDLEWARE, so that it sees the answer as every other middleware left it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.streaming and not response.is_async and isinstance(request, ASGIRequest):
            # streaming_content: the parts as bytes (the response's charset for str parts).
            response.streaming_content = blocks(iter(response.streaming_content))
        return response
