"""What an attacker with write access to the database does: switch off the append-only trigger of
migration 0003 (PostgreSQL: ALTER TABLE ... DISABLE TRIGGER, which the table owner may do; SQLite:
DROP TRIGGER, which whoever can write the file may do) and then rewrite rows with plain SQL. The tests
run inside a transaction, so the trigger comes back when the test ends."""

from __future__ import annotations

from django.db import connection

TABLE = "audit_auditevent"


def disable_guard() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_event_guard")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_guard")


def tamper(sql: str, params: list | tuple = ()) -> None:
    disable_guard()
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def raw_row(pk: int, columns: list[str]) -> list:
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {cols} FROM {TABLE} WHERE id = %s", [pk])
        return list(cursor.fetchone())


def raw_set(pk: int, values: dict) -> None:
    sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in values)
    tamper(f"UPDATE {TABLE} SET {sets} WHERE id = %s", [*values.values(), pk])
