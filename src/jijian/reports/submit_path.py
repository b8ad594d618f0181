"""The member's submit through the API in two hand-written statements: month-end's hot path.

`submit()` handles only the usual case — the member's own village's report, read at the version
being submitted, not yet submitted, endorsed — and answers None for anything else, which the caller
then hands to services.monthly_report_submit (the ORM path: 404s, messages, 409s, the idempotent
answer to a second submit). Nothing is decided here: services.submission() checks the report and
computes what is written, exactly as for the ORM path; this module only reads and writes with less
Python in between (bench/README.md, "Submission path", has the measurements behind it).

1. One SELECT: the report of the member's village with the month's duty records; with a bearer token
   (token_and_report_read, the mobile client) the same SELECT also reads the token, its user, unit and roles.
2. One write: on PostgreSQL a single statement (the conditional UPDATE, the transition and the audit
   entry as data-modifying CTEs: atomic by itself, no BEGIN/COMMIT round trips); elsewhere the same
   three statements in a transaction. The UPDATE is conditional on the version and state read in 1,
   so a save or submit from another device in between makes it match no row, and then nothing is
   written and the ORM path decides on the row as it is now.
"""

from __future__ import annotations

from functools import cache

from django.core.exceptions import ValidationError
from django.db import connections, transaction

from jijian.api.auth import token_from_row, token_params, token_read, token_sql
from jijian.core import rawsql
from jijian.core.models import User
from jijian.core.roles import Module
from jijian.core.services import ConcurrentEditError

from . import member, services
from .models import SUBMITTED_STATES, DutyRecord, DutyType, MonthlyReport

_RECORD_FIELDS = ("id", "occurred_on", "place", "notes", "data")


def submit(user: User, report_id: int, version: int, endorse: bool, *, read=None) -> MonthlyReport | None:
    """The submitted report, or None when this is not the usual case (nothing written then).
    `read`: the report and its records as token_and_report_read() read them with the token, if it did."""
    if not (endorse and user.has_module(Module.REPORTS)):  # decide() says so too; this saves the read
        return None
    found = read if read is not None else _read(user, report_id)
    decided = decide(user, report_id, version, endorse, found)
    if decided is None:
        return None
    report, fields, from_state = decided
    if not _write(report, fields, from_state, version, user):
        return None
    return report


def decide(
    user: User, report_id: int, version: int, endorse: bool, found: tuple[MonthlyReport, list[dict]] | None
) -> tuple[MonthlyReport, list[str], str] | None:
    """(the report with the submission applied, the fields it changed, the state it had) when `found`
    (the report and its records as read here) is the usual case, else None. Reads and writes nothing:
    the submit on the event loop (submit_loop.py) decides with it too."""
    # The jurisdiction of the ORM path: scope()'s module rule, then member.is_report_member (the role,
    # and the report's village being the member's unit, which the read is also restricted to).
    if found is None or not (endorse and user.has_module(Module.REPORTS)):
        return None
    report, records = found
    if report.pk != report_id or not member.is_report_member(user, report):
        return None
    if report.state in SUBMITTED_STATES or report.version != version:
        return None
    from_state = report.state
    try:
        changes = services.submission(
            actor=user, report=report, records=records, version=version, endorse=endorse
        )
    except (ValidationError, ConcurrentEditError):
        return None
    for field, value in changes.items():
        setattr(report, field, value)
    return report, list(changes), from_state


def token_and_report_read(request, key_hash: str, now):
    """TokenAuth's read for the submit endpoint: the bearer token read in one statement with the
    report it submits (the report of the token user's village with the path's id, and the month's
    duty records): one round trip less on month-end's busiest endpoint. The report, if there is one,
    waits on the request for the view; whether it may be submitted is decided there, as for a report
    read separately."""
    match = getattr(request, "resolver_match", None)
    report_id = match.kwargs.get("report_id") if match else None
    if not isinstance(report_id, int):
        return token_read(request, key_hash, now)
    connection = connections["default"]
    with rawsql.cursor() as cursor:
        cursor.execute(token_and_report_sql(connection.vendor), [report_id, *token_params(key_hash, now)])
        rows = cursor.fetchall()
    if not rows:
        return None
    found, width = token_from_row(rows[0])
    if rows[0][width] is not None and found[2].is_active:  # the report's id: the LEFT JOIN found it
        request.jijian_submit_read = report_from_rows(rows, width, found[2])
    return found


@cache
def token_and_report_sql(vendor: str) -> str:
    q = connections["default"].ops.quote_name
    token_columns, token_tables, token_where = token_sql(vendor)
    report_columns, report_tables = _report_sql(vendor)
    village = f"u.{q('org_unit_id')}"
    return (
        f"SELECT {token_columns}, {report_columns} FROM {token_tables} "
        f"LEFT JOIN {report_tables.format(village=village)} "
        f"WHERE {token_where} ORDER BY d.{q('id')}"
    )


def _read(user: User, report_id: int) -> tuple[MonthlyReport, list[dict]] | None:
    connection = connections["default"]
    q = connection.ops.quote_name
    columns, tables = _report_sql(connection.vendor)
    # The report's join condition, with nothing to join to: a one-row derived table stands in.
    sql = f"SELECT {columns} FROM (SELECT 1 AS one) x JOIN {tables.format(village='%s')} ORDER BY d.{q('id')}"
    with rawsql.cursor() as cursor:
        cursor.execute(sql, [report_id, user.org_unit_id])
        rows = cursor.fetchall()
    return report_from_rows(rows, 0, user) if rows else None


@cache
def _report_sql(vendor: str) -> tuple[str, str]:  # noqa: ARG001 - one per backend (the quoting)
    """(columns, tables) of the report with the month's duty records, one row per record (one row
    with empty record columns when there is none). `tables` starts with the report `r` and its join
    condition: its id is the first parameter and its village `{village}` (a parameter or a column). Aliases: `r`, `d` (records), `dt` (their types)."""
    q = connections["default"].ops.quote_name
    columns = (
        f"{rawsql.select_list(MonthlyReport, 'r')}, "
        f"d.{q('id')}, dt.{q('code')}, d.{q('occurred_on')}, d.{q('place')}, d.{q('notes')}, d.{q('data')}"
    )
    tables = (
        f"{q(MonthlyReport._meta.db_table)} r ON r.{q('id')} = %s AND r.{q('village_id')} = {{village}} "
        f"LEFT JOIN {q(DutyRecord._meta.db_table)} d ON d.{q('village_id')} = r.{q('village_id')} "
        f"AND d.{q('month')} = r.{q('month')} AND NOT d.{q('is_deleted')} "
        f"LEFT JOIN {q(DutyType._meta.db_table)} dt ON dt.{q('id')} = d.{q('duty_type_id')}"
    )
    return columns, tables


def report_from_rows(rows, offset: int, user: User) -> tuple[MonthlyReport, list[dict]]:
    """The report and its records from _report_sql()'s columns, starting at `offset` of each row.
    The report's village is the member's own unit (the read is restricted to it)."""
    n = rawsql.width(MonthlyReport)
    report = rawsql.load(MonthlyReport, rows[0][offset : offset + n])
    report._state.fields_cache["village"] = user.org_unit
    records = []
    for row in rows:
        pk, code, occurred_on, place, notes, data = row[offset + n : offset + n + 6]
        if pk is None:  # no duty records: the LEFT JOIN's one empty row
            continue
        pk, occurred_on, place, notes, data = rawsql.load_values(
            DutyRecord, _RECORD_FIELDS, (pk, occurred_on, place, notes, data)
        )
        # The keys and order of services.DIGEST_RECORD_FIELDS (.values() of the ORM path).
        records.append(
            {
                "pk": pk,
                "duty_type__code": code,
                "occurred_on": occurred_on,
                "place": place,
                "notes": notes,
                "data": data,
            }
        )
    return report, records


def _write(report: MonthlyReport, fields: list[str], from_state: str, version: int, actor: User) -> bool:
    """Write `fields` of `report` (the submission, already set on it), its transition and its audit
    entry; False (nothing written) when the row is no longer at `version` and `from_state`."""
    connection = connections["default"]
    update_params, inserts = write_params(report, fields, from_state, version, actor)
    update, insert_sqls = _write_sql(connection.vendor, tuple(fields))
    with rawsql.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement: the UPDATE, and the two INSERTs only for the row it updated.
            cursor.execute(update, update_params + [value for values in inserts for value in values])
            return cursor.fetchone()[0] == 1
        with transaction.atomic():
            cursor.execute(update, update_params)
            if cursor.rowcount != 1:
                return False
            for sql, values in zip(insert_sqls, inserts, strict=True):
                cursor.execute(sql, values)
        return True


def write_params(
    report: MonthlyReport, fields: list[str], from_state: str, version: int, actor: User
) -> tuple[list, list[list]]:
    """(the UPDATE's parameters, the transition's and the audit entry's INSERT values) of _write()."""
    connection = connections["default"]
    changed = [rawsql.field(MonthlyReport, name) for name in fields]
    update_params = [f.get_db_prep_save(getattr(report, f.attname), connection) for f in changed]
    update_params += [report.pk, version, from_state]
    inserts = [
        rawsql.insert_values(services.submission_transition(report, from_state, actor)),
        rawsql.insert_values(services.submission_audit(report, from_state, actor)),
    ]
    return update_params, inserts


def write_statement(
    report: MonthlyReport, fields: list[str], from_state: str, version: int, actor: User
) -> tuple[str, list]:
    """PostgreSQL's single statement of _write() and its parameters: it answers one row, the number
    of reports it updated (1, or 0 when the row is no longer at `version` and `from_state`)."""
    update_params, inserts = write_params(report, fields, from_state, version, actor)
    sql, _ = _write_sql("postgresql", tuple(fields))
    return sql, update_params + [value for values in inserts for value in values]


@cache
def _write_sql(vendor: str, fields: tuple[str, ...]) -> tuple[str, list[str]]:
    """(the UPDATE, the INSERTs) of a submission writing `fields`; on PostgreSQL the UPDATE is one
    statement with the INSERTs as data-modifying CTEs and the INSERT list is empty."""
    q = connections["default"].ops.quote_name
    assignments = ", ".join(f"{q(str(rawsql.field(MonthlyReport, name).column))} = %s" for name in fields)
    update = (
        f"UPDATE {q(MonthlyReport._meta.db_table)} SET {assignments} "
        f"WHERE {q('id')} = %s AND {q('version')} = %s AND {q('state')} = %s"
    )
    tables = [
        rawsql.insert_target(services.ReportTransition),
        rawsql.insert_target(services.AuditEvent),
    ]
    if vendor == "postgresql":
        ctes = [f"upd AS ({update} RETURNING {q('id')})"]
        for i, (table, columns, values) in enumerate(tables):
            ctes.append(f"ins{i} AS (INSERT INTO {table} ({columns}) SELECT {values} FROM upd)")
        return f"WITH {', '.join(ctes)} SELECT count(*) FROM upd", []
    inserts = [f"INSERT INTO {table} ({columns}) VALUES ({values})" for table, columns, values in tables]
    return update, inserts
