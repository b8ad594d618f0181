"""The ASGI handler: Django's, with the middleware chain and the views run synchronously, in one
thread per request (reused by the next request), and streamed answers sent as they are produced.

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

2. Request threads are reused. Django's ASGIHandler gives each request a ThreadSensitiveContext of
   its own, so all the request's synchronous code runs in one thread (as the database connections
   expect); asgiref then starts a new thread for every request and, at its end, a second thread to
   join the first. Here the request borrows an idle thread instead (asgiref's
   ThreadSensitiveContext(executor=...)) and gives it back when it is done: still one thread per
   request and one request per thread at a time, as a WSGI server's thread pool has it. A thread
   whose request ended while its code was still running (the client went away) is given back only
   when that code has finished. Measured with the submit benchmark (bench/README.md, "Submission
   path"): the empty view 527 -> 796 requests per second, the submit endpoint 235 -> 267, in one
   run on the 2-core development VM.

3. Streaming. Django's ASGIHandler serves a StreamingHttpResponse over a synchronous iterator — the
   CSV exports (all reports of a month, the petition register, the audit trail) and every
   FileResponse (attachments, recordings of video receptions) — by reading the *whole* iterator into
   a list first (with a warning): a province's export or a long recording sat in the app server's
   memory before the first byte left, and the browser showed no progress. Here the iterator is read
   in blocks of about 64 KiB, each in the request's own thread (where the export's database cursor
   lives), and each block is sent before the next is read.

4. Answers on the event loop. A request a `LoopAnswer` matches (config/asgi.py lists them: the member's
   submit, reports/submit_loop.py) has its small body read here and is offered to it first. It runs
   the middleware chain in the loop's thread (`sync_chain`) and awaits its database statements on
   the loop, so the request needs no thread and no GIL hand-off around each wait. When it declines
   (nothing sent, nothing written) the request goes on to Django as it came, its body given again.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler

IDLE_THREADS = 64  # idle threads kept for the next requests; any beyond that (after a surge) end


class RequestThread(ThreadPoolExecutor):
    """One thread, lent to one request at a time (RequestThreads)."""

    def __init__(self, threads: RequestThreads) -> None:
        super().__init__(max_workers=1, thread_name_prefix="jijian-request")
        self._lender = threads
        self._lock = threading.Lock()
        self._pending = 0  # calls submitted and not finished
        self._returning = False  # the request has ended: give back once _pending is 0

    def submit(self, fn, /, *args, **kwargs) -> Future:
        with self._lock:
            self._pending += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future) -> None:
        with self._lock:
            self._pending -= 1
            back = self._returning and self._pending == 0
            if back:
                self._returning = False
        if back:
            self._lender.give_back(self)

    def release(self) -> None:
        """The request is done with this thread: back to the idle ones now, or when its last call
        has finished (a request cancelled while its view still runs)."""
        with self._lock:
            if self._pending:
                self._returning = True
                return
        self._lender.give_back(self)


class RequestThreads:
    """The idle request threads of the process. Lent and given back from the event loop's thread
    and (for a late give-back) from the request thread itself: a lock guards the list."""

    def __init__(self, idle: int = IDLE_THREADS) -> None:
        self.max_idle = idle
        self._idle: list[RequestThread] = []
        self._lock = threading.Lock()

    def borrow(self) -> RequestThread:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return RequestThread(self)

    def give_back(self, thread: RequestThread) -> None:
        with self._lock:
            if len(self._idle) < self.max_idle:
                self._idle.append(thread)
                return
        thread.shutdown(wait=False)

    @property
    def idle(self) -> int:
        return len(self._idle)


class SyncChainASGIHandler(ASGIHandler):
    threads = RequestThreads()

    def __init__(self, loop_answers: tuple[LoopAnswer, ...] = ()) -> None:
        super().__init__()
        self.loop_answers = loop_answers

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":  # as Django's ASGIHandler
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        for answer in self.loop_answers:
            if (kwargs := answer.match(scope)) is not None:
                body, receive = await _small_body(receive, answer.max_body)
                if receive is None:  # the client went away before its request was read
                    return
                if body is not None and await answer(self, scope, kwargs, body, send):
                    return
                break
        thread = self.threads.borrow()
        try:
            # Django's handle() awaits every task it starts before it returns, as a context with an
            # executor requires.
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        finally:
            thread.release()

    def load_middleware(self, is_async: bool = False) -> None:  # noqa: ARG002 - always the sync chain
        super().load_middleware(is_async=False)
        self.sync_chain = self._middleware_chain  # for a loop answer, which runs it in the loop's thread
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


class LoopAnswer(Protocol):
    """An answer given on the event loop, without a request thread (point 4 above)."""

    max_body: int  # a larger body is not read here: the request goes to Django as it came

    def match(self, scope: dict) -> dict | None:
        """The path's arguments when this request may be one to answer here, else None (cheap: the
        method and the path)."""
        ...

    async def __call__(
        self, handler: SyncChainASGIHandler, scope: dict, kwargs: dict, body: bytes, send
    ) -> bool:
        """True when it answered; False (nothing sent, nothing written) for Django to answer."""
        ...


async def _small_body(receive, limit: int):
    """(the request's body, a receive() that gives it again); for a body of more than `limit` bytes
    (None, a receive() that gives what was read and then the rest); (None, None) when the client went
    away."""
    messages, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None, None
        messages.append(message)
        size += len(message.get("body", b""))
        if size > limit:
            return None, _replay(messages, receive)
        if not message.get("more_body", False):
            return b"".join(m.get("body", b"") for m in messages), _replay(messages, receive)


def _replay(messages: list, receive):
    pending = list(messages)

    async def replayed():
        return pending.pop(0) if pending else await receive()

    return replayed


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
