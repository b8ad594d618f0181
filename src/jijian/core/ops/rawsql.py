"""Small helpers for code that reads a queryset's rows itself, with the ORM's own conversions.

`field_converters()` gives what the ORM applies to a value read for a field (SQLite's dates, JSON,
decryption; on PostgreSQL usually nothing): reports/statistics.py reads its GROUP BY rows as tuples
and converts the grouped value with it. `encrypted_fields()` names the fields a read may defer so
that nothing is decrypted for nothing.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from django.db import connections
from django.db.models import Field, Model


def field(model: type[Model], name: str) -> Field:
    """`model`'s concrete field `name` (typed for the callers' sake)."""
    return cast(Field, model._meta.get_field(name))


@cache
def encrypted_fields(model: type[Model]) -> tuple[str, ...]:
    """The names of `model`'s encrypted fields: a read that does not show them leaves them out
    (`defer`), so that nothing is decrypted for nothing. They load on first access."""
    from jijian.core.fields import EncryptedTextField

    return tuple(f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField))


# Looked up once per model, field and database alias. Some converters are methods of the backend's
# operations object of whichever thread looked them up first; they read only settings, never that
# thread's connection state, and each call is given the current connection.
@cache
def field_converters(model: type[Model], name: str, alias: str = "default") -> tuple[Any, tuple]:
    """(column, converters) of `model`'s field `name`: each value read for it becomes what the ORM
    gives with `for c in converters: value = c(value, column, connection)` (SQLite's dates, JSON,
    decryption; on PostgreSQL usually none)."""
    connection = connections[alias]
    col = field(model, name).get_col(model._meta.db_table)
    return col, tuple(connection.ops.get_db_converters(col)) + tuple(col.get_db_converters(connection))
