"""The member's submit answered on the app server's event loop: month-end's surge without a request
thread (core/handlers.py, point 4).

Every other request, and every submit this does not answer, runs Django's middleware chain and its
view in a request thread. Each wait for PostgreSQL there hands the GIL between the request threads,
which on a loaded 2-core server costs several times the statement itself (bench/README.md,
"Submission path"). Here the usual case of `POST /api/reports/<id>/submit` (a bearer token, no
cookie, the body {"version": n, "endorse": true}, the member's own report at that version, not yet
submitted) is answered in the event loop's thread:

1. The token with the report and its records are read in submit_path's one SELECT, awaited on an
   asynchronous psycopg connection of this process (`LoopConnections`), and submit_path.decide()
   decides (services.submission(), as on every other path).
2. Django's own middleware chain runs in the loop's thread around a view that only sets the token's
   user on the request (as TokenAuth does) and gives back an empty 200 (`_here`): the same checks and
   the same headers (security, language, Vary, Cache-Control) as any request. If anything in the chain
   answers instead, nothing is written and Django answers the request.
3. The write is submit_path's one statement (the UPDATE with the transition and audit entry as
   data-modifying CTEs), after noting a token not used for five minutes as used, as TokenAuth does.
4. The answer is the operation's JSON (api_member.report_out and django-ninja's renderer) in the
   chain's response; tests/reports/test_submit_loop.py compares it, headers and bytes, with the
   answer Django gives.

Anything else (no token, a cookie, another body, a report not in this state, a statement that fails, no
free connection) returns False before anything is written, or after a write that may have happened
(a connection lost in the middle): then Django answers the request, and its answer to a submit that
did happen is the idempotent one, from the stored row. Only on PostgreSQL, and only with
JIJIAN_SUBMIT_LOOP_CONNECTIONS above 0 (docs/deploy.md).
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import io
import logging

from django.conf import settings
from django.db import connections
from django.http import HttpResponse
from django.urls import get_resolver, path
from django.urls.exceptions import Resolver404
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt

from jijian.api.auth import needs_touch, token_from_row, token_hash, token_params, touch_sql

from . import api_member, submit_path

logger = logging.getLogger(__name__)


@csrf_exempt  # as the API's submit: a bearer token is no cookie
def _here(request, report_id: int):  # noqa: ARG001 - the path's id is read by the answer
    """The view the chain runs for a submit answered on the loop: an empty 200, filled in afterwards.
    The request's user is the token's, as TokenAuth sets it (the middleware's answer depends on it)."""
    request.user = request.jijian_loop_user
    request.jijian_loop_response = response = HttpResponse(content_type=_content_type())
    return response


# The URLconf of the chain's run on the loop: the submit's path (config/urls.py routes the same path to
# api_member.member_report_submit_front; tests/reports/test_submit_loop.py checks that they agree).
urlpatterns = [path("api/reports/<int:report_id>/submit", _here)]


def _content_type() -> str:
    from jijian.api.api import api  # not at the top: it imports the reports' routers

    return f"{api.renderer.media_type}; charset={api.renderer.charset}"


class LoopConnections:
    """Asynchronous psycopg connections of this process for the loop's answers, opened on demand, at
    most JIJIAN_SUBMIT_LOOP_CONNECTIONS; an idle one is reused. They are used from the event loop's
    thread only, each by one request at a time. With none free a request waits for one, as long as
    WAIT seconds; after that it goes to Django (and its own pool) instead."""

    WAIT = 2.0

    def __init__(self) -> None:
        self._idle: list = []
        self._waiting: collections.deque[asyncio.Future] = collections.deque()
        self._open = 0
        self._loop: asyncio.AbstractEventLoop | None = None

    async def take(self):
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # A new event loop (the tests start one per request; a server has one): the idle
            # connections of the old one are closed rather than carried over.
            self.close_idle()
            self._waiting.clear()
            self._loop = loop
        deadline = loop.time() + self.WAIT
        while True:
            if self._idle:
                return self._idle.pop()
            if self._open < settings.JIJIAN_SUBMIT_LOOP_CONNECTIONS:
                self._open += 1
                try:
                    return await _connect()
                except BaseException:
                    self._open -= 1
                    raise
            waiter = loop.create_future()
            self._waiting.append(waiter)
            try:
                conn = await asyncio.wait_for(waiter, max(deadline - loop.time(), 0))
            except TimeoutError:
                return None
            finally:
                if waiter in self._waiting:
                    self._waiting.remove(waiter)
            if conn is not None:
                return conn
            # None: a connection was closed, one may be opened in its place.

    def give_back(self, conn, *, usable: bool) -> None:
        from psycopg.pq import TransactionStatus

        if usable and not conn.closed and conn.info.transaction_status == TransactionStatus.IDLE:
            while self._waiting:
                waiter = self._waiting.popleft()
                if not waiter.done():
                    waiter.set_result(conn)  # straight to the next request waiting
                    return
            self._idle.append(conn)
            return
        self._open -= 1
        conn.pgconn.finish()  # closes the socket at once, without awaiting
        while self._waiting:  # a request waiting may open a connection in its place
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def close_idle(self) -> None:
        while self._idle:
            self._open -= 1
            self._idle.pop().pgconn.finish()

    @property
    def open(self) -> int:
        return self._open


async def _connect():
    """A connection as Django makes them (its parameters, adapters and time zone), in autocommit:
    each of the loop's statements is atomic by itself."""
    import psycopg

    connection = connections["default"]  # the loop thread's wrapper: its settings only, never connected
    params = connection.get_connection_params()
    # Django's cursor classes are synchronous; psycopg's asynchronous one binds on the server.
    params.pop("cursor_factory", None)
    # Each statement prepared once per connection (as rawsql.cursor() does), unless turned off.
    params["prepare_threshold"] = 0 if settings.JIJIAN_DB_PREPARE else None
    conn = await psycopg.AsyncConnection.connect(**params, autocommit=True)
    timezone_name = connection.timezone_name
    if timezone_name and conn.info.parameter_status("TimeZone") != timezone_name:
        await conn.execute(connection.ops.set_time_zone_sql(), [timezone_name])
    return conn


CONNECTIONS = LoopConnections()


class SubmitOnLoop:
    """The loop answer of core/handlers.py for the member's submit."""

    max_body = 1024  # the usual body is ~30 bytes

    def match(self, scope: dict) -> dict | None:
        if scope["method"] != "POST" or scope.get("root_path") or not settings.JIJIAN_SUBMIT_LOOP_CONNECTIONS:
            return None
        if connections["default"].vendor != "postgresql":
            return None
        try:
            return get_resolver(__name__).resolve(scope["path"]).kwargs
        except Resolver404:
            return None

    async def __call__(self, handler, scope: dict, kwargs: dict, body: bytes, send) -> bool:
        headers = dict(scope["headers"])
        if b"cookie" in headers:  # a browser's session: its checks read the session (Django answers)
            return False
        usual = api_member.usual_submit(headers.get(b"authorization", b"").decode("latin1"), body)
        if usual is None:
            return False
        token, version = usual
        key_hash = token_hash(token)
        if key_hash is None:
            return False
        try:
            request = handler.request_class(scope, io.BytesIO(body))
        except Exception:  # noqa: BLE001 - a request Django refuses (a bad header, too large): it answers
            return False
        report_id = kwargs["report_id"]
        try:
            conn = await CONNECTIONS.take()
        except Exception:  # noqa: BLE001 - PostgreSQL unreachable: Django answers (its pool, its error page)
            logger.warning("月报提交（事件循环）无法连接数据库，转由常规路径处理", exc_info=True)
            return False
        if conn is None:
            return False
        usable = False
        try:
            response, report = await _submit(handler, request, conn, report_id, key_hash, version)
            usable = True
        except Exception:  # noqa: BLE001 - a statement failed or the connection broke: Django answers
            logger.warning("月报提交（事件循环）未完成，转由常规路径处理", exc_info=True)
            return False
        finally:
            CONNECTIONS.give_back(conn, usable=usable)
        if response is None:
            return False
        from jijian.api.api import api  # not at the top: it imports the reports' routers

        try:
            with translation.override(getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE):
                response.content = api.renderer.render(
                    request, api_member.report_out(report), response_status=200
                )
        except Exception:  # noqa: BLE001 - nothing sent yet: Django answers, from the stored row
            logger.exception("月报已提交，答复由常规路径给出")
            return False
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        await handler.send_response(response, send)
        response.close()
        return True


async def _submit(handler, request, conn, report_id: int, key_hash: str, version: int):
    """(the chain's response, the submitted report), or (None, None) when Django is to answer (then
    nothing was written)."""
    now = timezone.now()
    async with conn.cursor() as cursor:
        await cursor.execute(
            submit_path.token_and_report_sql("postgresql"), [report_id, *token_params(key_hash, now)]
        )
        rows = await cursor.fetchall()
        if not rows:
            return None, None
        (token_id, last_used_at, user), width = token_from_row(rows[0])
        if not user.is_active or rows[0][width] is None:
            return None, None
        found = submit_path.report_from_rows(rows, width, user)
        decided = submit_path.decide(user, report_id, version, True, found)
        if decided is None:
            return None, None
        response = _through_the_chain(handler, request, user)
        if response is None:
            return None, None
        report, fields, from_state = decided
        if needs_touch(last_used_at, now):
            await cursor.execute(touch_sql(), [now, token_id])
        sql, params = submit_path.write_statement(report, fields, from_state, version, user)
        await cursor.execute(sql, params)
        (updated,) = await cursor.fetchone()
    return (response, report) if updated == 1 else (None, None)


def _through_the_chain(handler, request, user):
    """The empty 200 of `_here` with the headers of Django's middleware chain, run in this thread for
    `request` of the token's `user`; None when something in the chain answered instead. In a copy of
    the context: the language and URLconf the chain sets stay there."""
    request.urlconf = __name__
    request.jijian_loop_user = user
    response = contextvars.copy_context().run(handler.sync_chain, request)
    if getattr(request, "jijian_loop_response", None) is not response or response.status_code != 200:
        response.close()
        return None
    return response


SUBMIT_ON_LOOP = SubmitOnLoop()
