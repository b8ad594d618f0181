"""Streaming read replicas: which database the reporting reads use.

The one rule, in one place: the read-heavy work that tolerates a few seconds of lag — the report
statistics and rankings, the deadline board and the quarterly results, the clue statistics, the
exports and the circular — reads through `reporting_db()`; everything else reads the primary
("default"): every write, every read in a service, and every read that decides a permission (who may
open a page, the jurisdiction of a node, recusal) or a deadline (the working-day calendar). The
callers decide *who* may see the page on the primary first, then read the aggregated data with
`.using(reporting_db())` on querysets built by the same jurisdiction rules (core.access), which
compile to one statement on whichever database runs it.

A replica is used only while it answers and its replay lag is within
settings.REPLICA_MAX_LAG_SECONDS; otherwise the read goes to the primary, without an error. The check
(one small query per replica) is cached for settings.REPLICA_CHECK_SECONDS in the Django cache, so a
request normally pays one cache read. With no replica configured (the default, and always on SQLite)
`reporting_db()` is "default" and nothing changes.

A replica that stops answering between two checks costs no error page: the callers run their read
through `on_reporting_db(fn)`, which calls `fn(alias)` and, when the replica fails with a connection
error, marks it unusable in the cache at once and calls `fn("default")` once more.

A request that wrote reads the primary for the rest of it (read-your-writes): `PrimaryAfterWriteMiddleware`
installs an execute wrapper (Django's public `connection.execute_wrapper`) on the primary's connection
for the request and notes, in a context variable, the first statement that is not a read;
`reporting_db()` then answers "default" until the request ends. Tasks and commands run outside a
request and are not tracked: they call `reporting_db()` only for pure reporting reads.

Per-user permission data (roles, jurisdiction node, declared relations for recusal) is read on the
primary by the callers and enters the reporting statements as values (petitions.access._recused); the
placement of rows in the org tree may still be a join on core_orgunit in the replica's statement: it is
data, not a permission, and its literal id lists would not fit in one statement at province or nation
scale (docs/deploy.md, "Read replicas").

The router keeps writes and migrations on the primary whatever an instance was read from, and lets
objects read from a replica relate to objects of the primary (they are the same data).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, Error, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class _RequestNote:
    """The request being served, as a mutable object shared by every copy of the context (a sync view
    runs in a thread with a copy of it): how many statements other than reads it ran on the primary,
    and the small per-user answers kept for it (request_memo)."""

    writes: int = 0
    memo: dict[str, tuple[int, Any]] = field(default_factory=dict)


_request_note: contextvars.ContextVar[_RequestNote | None] = contextvars.ContextVar(
    "jijian_request_note", default=None
)

CACHE_KEY = "core:replicas:usable"

# Lag in seconds, 0 when the replica streams from its primary and has replayed all it has received. On
# a caught-up replica of an idle primary, now() - pg_last_xact_replay_timestamp() keeps growing though
# nothing is missing, so "received == replayed" counts as no lag — but only while a WAL receiver runs: a
# replica cut off from its primary has replayed all it received and still misses what came since. A
# server not in recovery (a promoted replica) has no lag.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN EXISTS (SELECT 1 FROM pg_stat_wal_receiver)
         AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END
"""


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def replica_lag(alias: str) -> float | None:
    """The replay lag of replica `alias` in seconds, or None when it does not answer."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(LAG_SQL)
            row = cursor.fetchone()
    except Error as exc:
        logger.warning("replica %s does not answer: %s", alias, exc.__class__.__name__)
        connections[alias].close()
        return None
    return float(row[0]) if row and row[0] is not None else None


def usable_replicas() -> list[str]:
    """The replicas that answer and are within the lag bound, checked at most once per
    REPLICA_CHECK_SECONDS (the answer is cached, for every process sharing the cache)."""
    aliases = replica_aliases()
    if not aliases:
        return []
    usable = cache.get(CACHE_KEY)
    if usable is None:
        bound = settings.REPLICA_MAX_LAG_SECONDS
        usable = []
        for alias in aliases:
            lag = replica_lag(alias)
            if lag is not None and lag <= bound:
                usable.append(alias)
            elif lag is not None:
                logger.warning(
                    "replica %s is %.1f s behind (bound %s s): reading the primary", alias, lag, bound
                )
        cache.set(CACHE_KEY, usable, settings.REPLICA_CHECK_SECONDS)
    return [alias for alias in usable if alias in aliases]


def mark_unusable(alias: str) -> None:
    """Take `alias` out of the cached usable list now (until the next check, REPLICA_CHECK_SECONDS)."""
    usable = cache.get(CACHE_KEY)
    remaining = [a for a in (usable if usable is not None else replica_aliases()) if a != alias]
    cache.set(CACHE_KEY, remaining, settings.REPLICA_CHECK_SECONDS)
    with contextlib.suppress(Error):
        connections[alias].close()


def request_wrote() -> bool:
    """Whether the request being served has run a statement on the primary that is not a read."""
    note = _request_note.get()
    return bool(note and note.writes)


def request_memo(key: str, fn: Callable[[], T]) -> T:
    """`fn()` (a small read on the primary, e.g. a user's declared relations) once per request: kept
    under `key` until the request writes, then read again, so a request sees its own changes. Outside a
    request (tasks, commands, tests calling selectors) `fn()` runs every time."""
    note = _request_note.get()
    if note is None:
        return fn()
    kept = note.memo.get(key)
    if kept is not None and kept[0] == note.writes:
        return kept[1]
    value = fn()
    note.memo[key] = (note.writes, value)
    return value


def reporting_db() -> str:
    """The database alias for one reporting read (statistics, rankings, boards, exports, the
    circular): a usable replica, chosen at random to spread the load, or the primary — always the
    primary in a request that wrote. Call it once per operation and use the alias for all of its
    queries, so they see one consistent database."""
    if request_wrote():
        return DEFAULT_DB_ALIAS
    usable = usable_replicas()
    return random.choice(usable) if usable else DEFAULT_DB_ALIAS


def on_reporting_db(fn: Callable[[str], T]) -> T:
    """`fn(alias)` on the reporting database (reporting_db()); if that is a replica and it fails with a
    connection error (it stopped answering since the last check), the replica is marked unusable and
    `fn("default")` runs once on the primary. `fn` must read everything it returns (a list, not a lazy
    queryset), so that the failure happens here."""
    alias = reporting_db()
    if alias == DEFAULT_DB_ALIAS:
        return fn(alias)
    try:
        return fn(alias)
    except (OperationalError, InterfaceError) as exc:
        logger.warning("replica %s failed (%s): reading the primary", alias, exc.__class__.__name__)
        mark_unusable(alias)
        return fn(DEFAULT_DB_ALIAS)


# Statements that read or only steer a transaction; anything else on the primary is a write.
_READ_PREFIXES = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SHOW", "SET ", "BEGIN", "COMMIT")


def _note_writes(note: _RequestNote):
    def wrapper(execute, sql, params, many, context):
        if not str(sql).lstrip().upper().startswith(_READ_PREFIXES):
            note.writes += 1
        return execute(sql, params, many, context)

    return wrapper


class PrimaryAfterWriteMiddleware:
    """For the request: once a statement other than a read runs on the primary, reporting_db() answers
    the primary for the rest of the request, so that a page never shows figures without what it
    has just written."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        note = _RequestNote()
        token = _request_note.set(note)
        try:
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(_note_writes(note)):
                return self.get_response(request)
        finally:
            _request_note.reset(token)


class PrimaryRouter:
    """Reads go where the caller says (`.using(reporting_db())`) and otherwise to the primary, or to
    the database an instance was read from; writes and migrations always to the primary."""

    def db_for_read(self, model, **hints):
        return None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
