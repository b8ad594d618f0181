"""The ASGI handler: Django's, with the middleware chain and the views run synchronously, in one
thread per request.

Every view and every middleware of this project is synchronous; Django's own middleware (built on
MiddlewareMixin) is "async capable" only by running each of its hooks through sync_to_async. Under
Django's stock ASGIHandler the chain is built in async mode from the view outwards until the first
sync-only middleware, so a request crossed between the event loop and its thread nine times (the
messages and X-Frame-Options hooks, the CSRF view hook, the view itself, and back), and each crossing
costs a thread hand-off under the GIL. Here the chain is built as under WSGI and entered
once: the event loop hands the request to its thread, which runs every middleware and the view, and
hands the response back: three crossings in all (the request-started signal, the chain, closing
the response; tests/core/test_asgi.py counts them). Django ticket #37177 fixes the same in Django
itself by making its middleware sync-only; until that is released, this does it for the whole chain.
Measured with the submit benchmark's empty view (bench/README.md, "Submission path"): server CPU per
request 4.2-5.3 ms -> 2.7-2.9 ms on the 2-core development VM. An async view, should one be added, still works (Django's sync handler runs it with
async_to_sync), at the cost of that one crossing back.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:  # noqa: ARG002 - always the sync chain
        super().load_middleware(is_async=False)
        # ASGIHandler awaits the chain; thread_sensitive: in the request's own thread (Django's
        # ASGIHandler gives each request its ThreadSensitiveContext), as the DB connections expect.
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)
