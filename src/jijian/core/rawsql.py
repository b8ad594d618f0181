"""Model instances in and out of hand-written SQL, with the ORM's own conversions.

For the few hot paths where compiling a queryset costs more than the statement itself (API token
authentication, the member's submit: see bench/README.md, "Submission path"). A row read with
`select_list()` becomes an instance through `load()` exactly as the ORM would build it (the backend's
converters: SQLite's booleans and datetimes, decryption of encrypted fields, JSON); an unsaved
instance becomes an INSERT through `insert_values()` with the values the ORM would send (`pre_save`,
so defaults, blind indexes and `auto_now` apply). Everything else keeps using the ORM.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from django.conf import settings
from django.db import connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Field, Model


def field(model: type[Model], name: str) -> Field:
    """`model`'s concrete field `name` (typed for the callers' sake)."""
    return cast(Field, model._meta.get_field(name))


# The converters are looked up once per model, database alias and set of deferred fields. Some are
# methods of the backend's operations object of whichever thread looked them up first (ASGI runs
# requests in many threads); they read only settings, never that thread's connection state, and each
# call is given the current connection.
@cache
def _columns(
    model: type[Model], alias: str, defer: tuple[str, ...] = ()
) -> tuple[tuple[str, ...], tuple[tuple[int, Any, tuple], ...], tuple[str, ...]]:
    """(columns, converters by position, attnames) of `model`'s concrete fields except `defer`."""
    names: list[str] = []
    converters: list[tuple[int, Any, tuple]] = []
    attnames: list[str] = []
    for f in model._meta.concrete_fields:
        if f.name in defer:
            continue
        col, found = field_converters(model, f.name, alias)
        if found:
            converters.append((len(names), col, found))
        names.append(str(f.column))
        attnames.append(f.attname)
    return tuple(names), tuple(converters), tuple(attnames)


@cache
def encrypted_fields(model: type[Model]) -> tuple[str, ...]:
    """The names of `model`'s encrypted fields: a hot path that does not show them leaves them out of
    its read (`defer`), so that nothing is decrypted for nothing. They load on first access."""
    from .fields import EncryptedTextField

    return tuple(f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField))


def select_list(
    model: type[Model], table_alias: str, alias: str = "default", defer: tuple[str, ...] = ()
) -> str:
    """The columns of every concrete field of `model` but `defer`, in field order, as
    `<table_alias>."<column>"`."""
    quote = connections[alias].ops.quote_name
    return ", ".join(f"{table_alias}.{quote(name)}" for name in _columns(model, alias, defer)[0])


@cache
def width(model: type[Model], defer: tuple[str, ...] = ()) -> int:
    """How many values of a row `select_list()` gives for `model` (with the same `defer`)."""
    return sum(1 for f in model._meta.concrete_fields if f.name not in defer)


def load(model: type[Model], values, alias: str = "default", defer: tuple[str, ...] = ()):
    """An instance of `model` from the values of its `select_list()` columns (with the same `defer`),
    as the ORM loads it; the deferred fields load from the database on first access, as the ORM's
    `defer()` has them."""
    connection = connections[alias]
    values = list(values)
    _, converters, attnames = _columns(model, alias, defer)
    for i, col, found in converters:
        value = values[i]
        for converter in found:
            value = converter(value, col, connection)
        values[i] = value
    return model.from_db(alias, attnames, values)


@cache
def field_converters(model: type[Model], name: str, alias: str = "default") -> tuple[Any, tuple]:
    """(column, converters) of `model`'s field `name`: each value read for it becomes what the ORM
    gives with `for c in converters: value = c(value, column, connection)` (SQLite's dates, JSON,
    decryption; on PostgreSQL usually none)."""
    connection = connections[alias]
    col = field(model, name).get_col(model._meta.db_table)
    return col, tuple(connection.ops.get_db_converters(col)) + tuple(col.get_db_converters(connection))


def load_values(model: type[Model], names, values, alias: str = "default") -> list:
    """The values of some of `model`'s fields (`names`, in the order selected) as the ORM gives them."""
    connection = connections[alias]
    out = []
    for name, value in zip(names, values, strict=True):
        col, converters = field_converters(model, name, alias)
        for converter in converters:
            value = converter(value, col, connection)
        out.append(value)
    return out


@cache
def _insert_fields(model: type[Model], alias: str) -> tuple[list, str]:
    quote = connections[alias].ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return fields, ", ".join(quote(str(f.column)) for f in fields)


def insert_target(model: type[Model], alias: str = "default") -> tuple[str, str, str]:
    """(table, column list, placeholders) of an INSERT of `model` (its primary key left to the
    database), in the order of insert_values(). On PostgreSQL each placeholder carries its column's
    type, so the values may also stand in a SELECT list (INSERT ... SELECT) with server-side binding."""
    connection = connections[alias]
    fields, column_list = _insert_fields(model, alias)
    if connection.vendor == "postgresql":
        placeholders = ", ".join(f"%s::{f.cast_db_type(connection)}" for f in fields)
    else:
        placeholders = ", ".join(["%s"] * len(fields))
    return connection.ops.quote_name(model._meta.db_table), column_list, placeholders


def insert_values(obj: Model, alias: str = "default") -> list:
    """The values Model.save() would send to INSERT the unsaved `obj`, in the order of insert_target()."""
    connection = connections[alias]
    fields, _ = _insert_fields(type(obj), alias)
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def cursor(alias: str = "default"):
    """A cursor for the hot paths' statements. On PostgreSQL the parameters are bound on the server
    and each statement is prepared once per connection (the pool keeps connections, so a statement
    is parsed and planned once per connection instead of on every request; it took PostgreSQL's CPU
    per submit from ~1.6 to ~0.7 ms); Django's own cursors bind on the client and prepare nothing.
    Elsewhere Django's cursor. Logged like any query where Django logs queries (the statement with
    its placeholders)."""
    connection = connections[alias]
    if connection.vendor != "postgresql" or not settings.JIJIAN_DB_PREPARE:
        return connection.cursor()
    connection.ensure_connection()
    raw = _PreparedCursor(connection.connection)
    return _LoggedCursor(raw, connection) if connection.queries_logged else CursorWrapper(raw, connection)


class _LoggedCursor(CursorDebugWrapper):
    def execute(self, sql, params=None):
        # Django's log text for PostgreSQL comes from the client-side binding cursor; this one binds
        # on the server, so the statement is logged as written.
        with self.debug_sql(sql, params):
            return super(CursorDebugWrapper, self).execute(sql, params)


try:
    import psycopg

    class _PreparedCursor(psycopg.Cursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            # Django turns automatic preparation off for the connection (prepare_threshold None, for
            # poolers such as PgBouncer in transaction mode); psycopg then ignores prepare=True. On
            # for this statement only.
            connection = self.connection
            before = connection.prepare_threshold
            connection.prepare_threshold = 0
            try:
                return super().execute(
                    query, params, prepare=True if prepare is None else prepare, binary=binary
                )
            finally:
                connection.prepare_threshold = before

except ImportError:  # pragma: no cover - psycopg is a dependency; SQLite never gets here
    pass
