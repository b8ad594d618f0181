"""API authentication: the browser session (with CSRF, and the second factor done) or a bearer token."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from jijian.audit.services import audit_record
from jijian.core.crypto import sm3_hex

from .models import ApiToken

TOKEN_DAYS = 90


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
    def authenticate(self, request, token):
        if not token or len(token) > 100:
            return None
        try:  # key_hash is unique: get() needs no ORDER BY, unlike first()
            row = ApiToken.objects.select_related("user__org_unit").get(
                key_hash=sm3_hex(token.encode()), revoked_at__isnull=True, expires_at__gt=timezone.now()
            )
        except ApiToken.DoesNotExist:
            return None
        if not row.user.is_active:
            return None
        if row.last_used_at is None or timezone.now() - row.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
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
