"""API authentication: the browser session (with CSRF, and the second factor done) or a bearer token."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import models, transaction
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from jijian.audit.services import audit_record
from jijian.core.models import User
from jijian.core.ops.rawsql import encrypted_fields
from jijian.core.sensitive.crypto import sm3_hex

from .models import ApiToken

TOKEN_DAYS = 90
# The audit trail names tokens as it did while the model was the `api` app's (it still is its table),
# so one object type finds a token's whole history.
TOKEN_OBJECT_TYPE = "api.apitoken"
# The user's phone and ID number are not read with the token: no API call decrypts them unless it
# shows them (GET /api/me loads the phone then, one query more).
USER_DEFERRED = tuple(f"user__{name}" for name in encrypted_fields(User))


class SessionAuth(APIKeyCookie):
    """Django's session cookie; CSRF is checked for unsafe methods (ninja's APIKeyCookie does it)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return None
        from jijian.core.accounts import security

        if security.needs_otp(request):
            return None
        if user.must_change_password:
            return None
        return user


class TokenAuth(HttpBearer):
    """A bearer token (`api_token_user`: looked up once per request)."""

    def authenticate(self, request, token):
        user = api_token_user(request, token)
        if user is not None:
            request.user = user
        return user


def bearer_token(request) -> str | None:
    """The token of the request's `Authorization: Bearer …` header, read as ninja's HttpBearer reads
    it (the scheme in any case), or None when there is no such header."""
    parts = request.headers.get("Authorization", "").split(" ")
    if parts[0].lower() != "bearer":
        return None
    return " ".join(parts[1:])


def api_token_user(request, token: str) -> User | None:
    """The active user of a live token, or None. One query reads the live token with its user and the
    user's unit; the answer is kept on the request, so the anonymous limit (which counts a bearer
    request unless its token is accepted, core/ops/middleware.py) and the API's auth ask once."""
    known = getattr(request, "jijian_api_token", None)
    if known is not None and known[0] == token:
        return known[1]
    user = _token_user(token)
    request.jijian_api_token = (token, user)
    return user


def _token_user(token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    now = timezone.now()
    try:  # key_hash is unique: get() needs no ORDER BY, unlike first()
        row = (
            ApiToken.objects.select_related("user__org_unit")
            .defer(*USER_DEFERRED)
            .get(key_hash=sm3_hex(token.encode()), revoked_at__isnull=True, expires_at__gt=now)
        )
    except ApiToken.DoesNotExist:
        return None
    if not row.user.is_active:
        return None
    # The last use is noted at most every five minutes: a write per call would cost more than the call.
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


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
        object_type=TOKEN_OBJECT_TYPE,
        org_unit_id=actor.org_unit_id,
        summary=f"创建 API 令牌 {token.name}",
    )
    return token, raw


def api_tokens_visible_to(user) -> models.QuerySet[ApiToken]:
    """The user's own live tokens (not revoked, not expired), newest first: nobody sees another's."""
    return ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at")


def api_tokens_revoke_all(*, actor, user, reason: str) -> int:
    """Revoke every live token of `user`, inside the caller's transaction (ending the user's session,
    a lock, disabling, a password or authenticator reset: a token must not outlive what ended the
    session). One audit entry names how many; none when there was nothing to revoke."""
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        audit_record(
            actor=actor,
            action="api_token.revoke_all",
            obj=user,
            org_unit_id=user.org_unit_id,
            summary=f"撤销 {user.username} 的全部 API 令牌（{revoked} 个）：{reason}",
            after={"revoked": revoked, "reason": reason},
        )
    return revoked


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="api_token.revoke",
            obj=token,
            object_type=TOKEN_OBJECT_TYPE,
            org_unit_id=actor.org_unit_id,
            summary=f"撤销 API 令牌 {token.name}",
        )
