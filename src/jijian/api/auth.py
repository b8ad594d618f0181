"""API authentication: the browser session (with CSRF, and the second factor done) or a bearer token."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache

from django.db import connections, transaction
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from jijian.audit.services import audit_record
from jijian.core import rawsql
from jijian.core.crypto import sm3_hex
from jijian.core.models import OrgUnit, User, UserRole

from .models import ApiToken

TOKEN_DAYS = 90
# The user's phone and ID number are not read with the token: no API call decrypts them unless it
# shows them (GET /api/me loads the phone then, one query more).
USER_DEFERRED = rawsql.encrypted_fields(User)


class SessionAuth(APIKeyCookie):
    """Django's session cookie; CSRF is checked for unsafe methods (ninja's APIKeyCookie does it)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return None
        from jijian.core import security

        if security.needs_otp(request):
            return None
        if user.must_change_password:
            return None
        return user


class TokenAuth(HttpBearer):
    """A bearer token: one statement reads the token, its user, the user's unit and roles (every API
    call by the mobile client pays for it; the querysets it replaces cost ~1 ms of compiling).
    `read(request, key_hash, now)` does the reading (token_read() unless given): an endpoint may read
    what it needs in the same statement (reports/submit_path.py). One class for every endpoint, so
    the OpenAPI document has one bearer scheme."""

    def __init__(self, read=None) -> None:
        super().__init__()
        self.read = read or token_read

    def authenticate(self, request, token):
        key_hash = token_hash(token)
        if key_hash is None:
            return None
        found = self.read(request, key_hash, timezone.now())
        if found is None:
            return None
        token_id, last_used_at, user = found
        if not user.is_active:
            return None
        if needs_touch(last_used_at, timezone.now()):
            ApiToken.objects.filter(pk=token_id).update(last_used_at=timezone.now())
        request.user = user
        return user


def token_hash(token: str) -> str | None:
    """The stored hash of a bearer token as presented, or None for one that cannot be a token."""
    if not token or len(token) > 100:
        return None
    return sm3_hex(token.encode())


def needs_touch(last_used_at, now) -> bool:
    """Whether a token used `now` has its last use noted (at most every five minutes: a write per
    call would cost more than the call)."""
    return last_used_at is None or now - last_used_at > timedelta(minutes=5)


@cache
def touch_sql() -> str:
    """The UPDATE noting a token's last use: parameters the time and the token's id (for a caller
    without the ORM: reports/submit_loop.py)."""
    q = connections["default"].ops.quote_name
    return f"UPDATE {q(ApiToken._meta.db_table)} SET {q('last_used_at')} = %s WHERE {q('id')} = %s"


def token_read(request, key_hash: str, now) -> tuple[int, object, User] | None:  # noqa: ARG001 - TokenAuth's read
    """(token id, last used, user with org_unit and role_set loaded) of the live token with this
    hash, or None."""
    connection = connections["default"]
    columns, tables, where = token_sql(connection.vendor)
    with rawsql.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {tables} WHERE {where}", token_params(key_hash, now))
        row = cursor.fetchone()
    return None if row is None else token_from_row(row)[0]


def token_params(key_hash: str, now) -> list:
    """The parameters of token_sql()'s WHERE clause."""
    field = ApiToken._meta.get_field("expires_at")
    return [key_hash, field.get_db_prep_value(now, connections["default"])]


def token_from_row(row) -> tuple[tuple[int, object, User], int]:
    """((token id, last used, user), how many values of the row that took) from a row that starts
    with token_sql()'s columns."""
    token_id, last_used_at = rawsql.load_values(ApiToken, ("id", "last_used_at"), row[:2])
    n, m = rawsql.width(User, USER_DEFERRED), rawsql.width(OrgUnit)
    user = rawsql.load(User, row[2 : 2 + n], defer=USER_DEFERRED)
    user._state.fields_cache["org_unit"] = rawsql.load(OrgUnit, row[2 + n : 2 + n + m])
    roles = row[2 + n + m]
    user.__dict__["role_set"] = frozenset(roles.split(",")) if roles else frozenset()
    return (token_id, last_used_at, user), 2 + n + m + 1


@cache
def token_sql(vendor: str) -> tuple[str, str, str]:
    """(columns, tables, condition) of the token read: the token `tok` with its user `u`, the user's
    unit `o` and the user's roles (`ur`) joined by commas. key_hash is unique: one row or none."""
    q = connections["default"].ops.quote_name
    roles = "string_agg" if vendor == "postgresql" else "group_concat"
    columns = (
        f"tok.{q('id')}, tok.{q('last_used_at')}, {rawsql.select_list(User, 'u', defer=USER_DEFERRED)}, "
        f"{rawsql.select_list(OrgUnit, 'o')}, "
        f"(SELECT {roles}(ur.{q('role')}, ',') FROM {q(UserRole._meta.db_table)} ur "
        f"WHERE ur.{q('user_id')} = u.{q('id')})"
    )
    tables = (
        f"{q(ApiToken._meta.db_table)} tok "
        f"JOIN {q(User._meta.db_table)} u ON u.{q('id')} = tok.{q('user_id')} "
        f"JOIN {q(OrgUnit._meta.db_table)} o ON o.{q('id')} = u.{q('org_unit_id')}"
    )
    where = f"tok.{q('key_hash')} = %s AND tok.{q('revoked_at')} IS NULL AND tok.{q('expires_at')} > %s"
    return columns, tables, where


@transaction.atomic
def api_token_create(*, actor, name: str) -> tuple[ApiToken, str]:
    raw = "jj_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name[:50],
        key_hash=sm3_hex(raw.encode()),
        prefix=raw[3:9],
        expires_at=timezone.now() + timedelta(days=TOKEN_DAYS),
    )
    audit_record(
        actor=actor,
        action="api_token.create",
        obj=token,
        org_unit_id=actor.org_unit_id,
        summary=f"创建 API 令牌 {token.name}",
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="api_token.revoke",
            obj=token,
            org_unit_id=actor.org_unit_id,
            summary=f"撤销 API 令牌 {token.name}",
        )
