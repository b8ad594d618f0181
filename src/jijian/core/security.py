"""Sign-in policy: lockout per account with a growing delay, TOTP replay refusal, one session per
user, and the audit events of sign-in."""

from __future__ import annotations

import base64
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jijian.audit.services import audit_record

from .models import User


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def login_refusal(request, username: str) -> str | None:
    """A message when the account is locked; None when a try is allowed."""
    user = User.objects.filter(username=username).only("locked_until").first()
    if user and user.locked_until and user.locked_until > timezone.now():
        minutes = int((user.locked_until - timezone.now()).total_seconds() // 60) + 1
        return f"登录失败次数过多，账号已暂时锁定，请 {minutes} 分钟后再试"
    return None


@transaction.atomic
def login_failed(request, username: str, *, stage: str = "password") -> None:
    """Count a failure against the account (not the IP: an attacker cannot lock everyone out from one
    address, and a botnet cannot avoid the per-account count). Past the limit, lock for a delay that
    doubles with each further failure."""
    user = User.objects.select_for_update().filter(username=username).first()
    if user is not None:
        user.failed_login_count += 1
        over = user.failed_login_count - settings.LOGIN_FAILURE_LIMIT
        if over >= 0:
            delay = settings.LOGIN_LOCKOUT_BASE_SECONDS * (2 ** min(over, 10))
            user.locked_until = timezone.now() + timedelta(seconds=delay)
        user.save(update_fields=["failed_login_count", "locked_until"])
    audit_record(actor=None, action=f"login.failed.{stage}", object_type="core.user",
                 object_id=user.pk if user else "", summary=f"登录失败：{username[:40]}",
                 after={"ip": client_ip(request)})


@transaction.atomic
def login_succeeded(request, user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    audit_record(actor=user, action="login.password", obj=user, org_unit_id=user.org_unit_id,
                 summary="密码验证通过", ip_address=client_ip(request))


def otp_match(user: User, token: str):
    """The confirmed TOTP device that accepts `token`, or None. django-otp's TOTPDevice keeps the last
    accepted time step, so the same code cannot be used twice (replay refused)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


@transaction.atomic
def otp_succeeded(request, user: User, *, enrolled: bool = False) -> None:
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    audit_record(actor=user, action="login.otp_enrolled" if enrolled else "login.otp", obj=user,
                 org_unit_id=user.org_unit_id, summary="动态验证码验证通过", ip_address=client_ip(request))


def session_bind(request, user: User) -> None:
    """One active session per user: remember this one and end any other."""
    # django.contrib.auth.login() has already rotated the session id (no fixation).
    key = request.session.session_key
    old = User.objects.filter(pk=user.pk).values_list("current_session_key", flat=True).first()
    if old and old != key:
        Session.objects.filter(session_key=old).delete()
    User.objects.filter(pk=user.pk).update(current_session_key=key)
    user.current_session_key = key


@transaction.atomic
def sessions_end(*, actor: User, user: User) -> None:
    """An administrator ends a user's session(s)."""
    if user.current_session_key:
        Session.objects.filter(session_key=user.current_session_key).delete()
    User.objects.filter(pk=user.pk).update(current_session_key="", version=F("version") + 1)
    audit_record(actor=actor, action="session.end", obj=user, org_unit_id=user.org_unit_id,
                 summary=f"强制下线 {user.username}")


def logout_recorded(request, user: User) -> None:
    User.objects.filter(pk=user.pk, current_session_key=request.session.session_key).update(current_session_key="")
    audit_record(actor=user, action="logout", obj=user, org_unit_id=user.org_unit_id, summary="退出登录",
                 ip_address=client_ip(request))


def base32_secret(device) -> str:
    return base64.b32encode(bytes.fromhex(device.key)).decode()


@transaction.atomic
def account_unlock(*, actor: User, user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    audit_record(actor=actor, action="user.unlock", obj=user, org_unit_id=user.org_unit_id,
                 summary=f"解除锁定 {user.username}")
