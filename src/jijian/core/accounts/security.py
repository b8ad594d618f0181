"""Sign-in policy: lockout per account with a growing delay, TOTP with replay refusal, one session
per user, and the audit events of sign-in. The views in signin.py call these and stay thin."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

import segno
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.audit.models import AuditEvent
from jijian.audit.services import audit_record
from jijian.core.access import accounts_managed_by
from jijian.core.api.auth import api_tokens_revoke_all
from jijian.core.language import platform_language
from jijian.core.models import DeliveryChannel, OtpEnrolmentCode, User
from jijian.core.notify import notify
from jijian.core.ops.ratelimit import client_ip
from jijian.core.roles import Module
from jijian.core.sensitive.crypto import blind_index

# Session flag: this sign-in still owes a second factor (set for a village member who enrolled one
# voluntarily; staff always owe it, see needs_otp()).
OTP_REQUIRED_SESSION_KEY = "otp_required"
LAST_SEEN_SESSION_KEY = "last_seen"


# The sign-in page's one answer to a failure: the same for a wrong password, an unknown username and a
# locked account (even with the right password), so the page does not tell which usernames exist. The
# owner of a locked account learns of the lock by notification (login_attempt_failed).
LOGIN_FAILED = gettext_lazy("用户名或密码错误（连续多次输错后账号将暂时锁定，并通知账号本人）")


def login_refused_hash(password: str) -> None:
    """A try on a locked account is refused without its password being checked, but it costs the same
    as one that is checked (one hash of the configured hasher, as Django's ModelBackend does for an
    unknown username), so the time of the answer does not tell a locked account from the others."""
    make_password(password)


def login_refusal(username: str) -> str | None:
    """A message when the account is locked; None when a try is allowed. Checked before the password,
    so a locked account is refused even with the right one."""
    user = User.objects.filter(username=username).only("locked_until").first()
    now = timezone.now()
    if user and user.locked_until and user.locked_until > now:
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        return gettext("登录失败次数过多，账号已暂时锁定，请 %(minutes)s 分钟后再试") % {"minutes": minutes}
    return None


def lockout_seconds(failures: int) -> int:
    """0 below the limit; from the limit on, the base delay doubled for each further failure (capped
    at 2**10 times the base)."""
    over = failures - settings.LOGIN_FAILURE_LIMIT
    if over < 0:
        return 0
    return settings.LOGIN_LOCKOUT_BASE_SECONDS * (2 ** min(over, 10))


def failures_forgotten(user: User, now: datetime) -> bool:
    """Whether the account's earlier failures no longer count: it is not locked, and a whole
    LOGIN_FAILURE_WINDOW_MINUTES has passed since its last failure and since the end of its last lock.
    The window runs from the later of the two, so a lock longer than the window does not wipe the count
    the moment it ends: the next failure within a window of the lock's end still doubles the delay.
    Failures of unknown time (none after the migration that added the field) are kept."""
    marks = [t for t in (user.last_failed_login_at, user.locked_until) if t is not None]
    # A lock in force ends in the future, so it is never a window old: its count is always kept.
    return bool(marks) and now - max(marks) > timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


@dataclass(frozen=True)
class Attempt:
    """One sign-in try, counted as a failure before anything is checked (`login_attempt`).
    `user_id` is None for a username that matches no account."""

    username: str
    user_id: int | None
    at: datetime
    failures: int = 0
    locked_until: datetime | None = None  # the lock this try set (it reached the limit), if any
    before: tuple[int, datetime | None, datetime | None] = (0, None, None)  # count, lock, last failure


def login_attempt(username: str) -> Attempt | None:
    """Count a try against the account before its password or code is checked; None when the account
    is locked (nothing may be checked then).

    The count is taken under the account's row lock (SELECT … FOR UPDATE on PostgreSQL; on SQLite the
    IMMEDIATE transaction holds the database's write lock from BEGIN) and written before the check,
    so N simultaneous tries count N, the try that reaches JIJIAN_LOGIN_FAILURE_LIMIT sets the lock,
    and every later one is refused without its password being checked: a burst checks exactly the
    limit's number of passwords. A right answer gives its count back (`login_attempt_refund`).

    Failures are counted against the account, not the address: an attacker cannot lock out everyone
    behind one address, and a botnet cannot avoid the per-account count. Past the limit the lock
    doubles with each further failure. Failures decay: after a quiet window (failures_forgotten) the
    count starts again at 1, so a few typos months apart lock no one."""
    with transaction.atomic():
        user = (
            User.objects.select_for_update()
            .filter(username=username)
            .only("failed_login_count", "locked_until", "last_failed_login_at")
            .first()
        )
        now = timezone.now()
        if user is None:
            return Attempt(username=username, user_id=None, at=now)
        if user.locked_until and user.locked_until > now:
            return None
        before = (user.failed_login_count, user.locked_until, user.last_failed_login_at)
        count, lock = user.failed_login_count, user.locked_until
        if count and failures_forgotten(user, now):
            count, lock = 0, None
        count += 1
        delay = lockout_seconds(count)
        new_lock = now + timedelta(seconds=delay) if delay else None
        User.objects.filter(pk=user.pk).update(
            failed_login_count=count, last_failed_login_at=now, locked_until=new_lock or lock
        )
    return Attempt(
        username=username, user_id=user.pk, at=now, failures=count, locked_until=new_lock, before=before
    )


def login_attempt_refund(attempt: Attempt) -> None:
    """The try was right (or was the replay of a code just accepted): take back its count, and the
    lock it set, unless later tries have counted since (then only the one count is taken back)."""
    if attempt.user_id is None:
        return
    count, lock, last = attempt.before
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=attempt.user_id).first()
        if user is None:
            return
        if user.last_failed_login_at == attempt.at and user.failed_login_count == attempt.failures:
            user.failed_login_count, user.locked_until, user.last_failed_login_at = count, lock, last
        else:
            user.failed_login_count = max(0, user.failed_login_count - 1)
            if attempt.locked_until is not None and user.locked_until == attempt.locked_until:
                user.locked_until = lock
        user.save(update_fields=["failed_login_count", "locked_until", "last_failed_login_at"])


@transaction.atomic
def login_attempt_failed(request, attempt: Attempt, *, stage: str = "password") -> None:
    """The try counted by `login_attempt` was wrong: the audit events (the failure, and the lock when
    this try set one). A username that matches no account is recorded without the text typed (people
    type their password into the username field)."""
    if attempt.user_id is None:
        audit_record(
            actor=None,
            action="login.failed",
            object_type="core.user",
            summary="登录失败：用户名不存在",
            after={"stage": stage},
        )
        return
    user = User.objects.get(pk=attempt.user_id)
    # The address of a failed try on a staff account is security evidence (MLPS 2.0 level 3).
    with platform_language():
        audit_record(
            actor=None,
            action="login.failed",
            obj=user,
            summary=f"登录失败（{_stage_label(stage)}）：{user.username}",
            after={"stage": stage, "failures": attempt.failures, "ip": client_ip(request)},
        )
    if attempt.locked_until is not None:
        delay = round((attempt.locked_until - attempt.at).total_seconds())
        # Someone is guessing the password: what the password once opened closes too.
        api_tokens_revoke_all(actor=None, user=user, reason="账号锁定")
        audit_record(
            actor=None,
            action="login.locked",
            obj=user,
            summary=f"连续登录失败 {attempt.failures} 次，账号锁定 {delay} 秒：{user.username}",
            after={"locked_until": attempt.locked_until.isoformat(), "seconds": delay},
        )
        _lock_notify(user, attempt)


def _lock_notify(user: User, attempt: Attempt) -> None:
    """Tell the owner of the account that it is locked (the sign-in page does not say so): in the
    notification list, and by SMS to the account's phone (skipped when it has none)."""
    assert attempt.locked_until is not None
    until = timezone.localtime(attempt.locked_until).strftime("%Y-%m-%d %H:%M")
    notify(
        recipient=user,
        title="您的账号因连续登录失败已暂时锁定",
        body=(
            f"账号 {user.username} 连续 {attempt.failures} 次登录失败，已锁定至 {until}，期间无法登录"
            "（即使密码正确）。如非本人操作，请尽快联系安全管理员。"
        ),
        channels=(DeliveryChannel.SMS,),
    )


def _stage_label(stage: str) -> str:
    return {"password": "密码错误", "otp": "动态验证码错误"}.get(stage, stage)


def otp_owed(user: User) -> bool:
    """Whether this account signs in with a second factor: every role above village member, and a
    village member who enrolled one."""
    return user.needs_two_factor or TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_otp(request) -> bool:
    """Whether the signed-in session still owes a second factor."""
    user = request.user
    if user.is_verified():
        return False
    return user.needs_two_factor or bool(request.session.get(OTP_REQUIRED_SESSION_KEY))


@transaction.atomic
def password_accepted(request, user: User) -> bool:
    """The password was right. Returns True when a second factor is still owed; the counters are reset
    only when the whole sign-in succeeds (so the TOTP stage cannot be brute-forced by re-entering a
    known password)."""
    owed = otp_owed(user)
    request.session[OTP_REQUIRED_SESSION_KEY] = owed
    if owed:
        audit_record(
            actor=user,
            action="login.password",
            obj=user,
            summary="密码验证通过，待验证动态验证码",
            ip_address=client_ip(request),
        )
    else:
        _sign_in_complete(request, user, action="login.success", summary="登录成功")
    return owed


OTP_JUST_USED = gettext_lazy("该动态验证码已使用，请等待下一个验证码")


def otp_match(user: User, token: str) -> tuple[TOTPDevice | None, str]:
    """The confirmed TOTP device that accepts `token`, else (None, reason). django-otp's TOTPDevice
    keeps the last accepted time step (last_t) and only accepts later ones, so the same code cannot be
    used twice; the row lock makes two simultaneous requests with one code take turns, and the one
    that comes second is told so (OTP_JUST_USED: the same person pressing twice, not a guess; it is
    not counted as a failure nor fed to django-otp's throttle)."""
    with transaction.atomic():
        devices = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True))
        throttled = False
        for device in devices:
            if _just_accepted(device, token):
                return None, str(OTP_JUST_USED)
            allowed, _info = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(token):
                return device, ""
    if throttled:
        return None, gettext("动态验证码错误次数过多，请稍等片刻再试")
    return None, gettext("动态验证码错误或已使用，请等待下一个验证码")


def _just_accepted(device: TOTPDevice, token: str) -> bool:
    """Whether `token` is the code of the time step the device accepted last (django-otp's own
    TOTP arithmetic)."""
    if device.last_t < 0 or not token.isdigit():
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = device.t0 + (device.last_t - device.drift) * device.step
    return constant_time_compare(str(totp.token()).zfill(device.digits), token.zfill(device.digits))


def otp_enrol_confirm(user: User, device: TOTPDevice, token: str, enrol_code: str = "") -> str:
    """Enrolment: the authenticator shows the right code for the new device; confirm it. After an
    authenticator reset the re-binding code the security administrator handed over is needed too
    (checked first, used up with the confirmation). Returns "" when confirmed, else the message."""
    with transaction.atomic():
        pending = OtpEnrolmentCode.objects.select_for_update().filter(user=user).first()
        if pending is not None:
            problem = _enrol_code_problem(pending, enrol_code)
            if problem:
                return problem
        device = (
            TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
        )
        if device is None or not device.verify_token(token):
            return gettext("动态验证码错误，请核对手机时间后重试")
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        if pending is not None:
            pending.delete()
        audit_record(
            actor=user,
            action="login.otp_enrolled",
            obj=user,
            summary="启用动态验证码" + ("（重置后凭重新绑定码）" if pending is not None else ""),
            after={"after_reset": pending is not None},
        )
    return ""


OTP_ENROLMENT_CODE_HOURS = 48
ENROL_CODE_WRONG = gettext_lazy("重新绑定码错误")
ENROL_CODE_EXPIRED = gettext_lazy("重新绑定码已过期，请联系安全管理员重新重置动态验证码")
ENROL_CODE_PROBLEMS = (ENROL_CODE_WRONG, ENROL_CODE_EXPIRED)


def otp_enrolment_pending(user: User) -> OtpEnrolmentCode | None:
    """The re-binding code the account's next enrolment needs (after a reset), if any."""
    return OtpEnrolmentCode.objects.filter(user=user).first()


def _enrol_code_problem(pending: OtpEnrolmentCode, code: str) -> str:
    if pending.expires_at <= timezone.now():
        return str(ENROL_CODE_EXPIRED)
    code = "".join((code or "").split())
    if not constant_time_compare(blind_index(code), pending.code_hash):
        return str(ENROL_CODE_WRONG)
    return ""


def _enrol_code_issue(actor: User, user: User) -> str:
    """A new re-binding code for `user` (replacing any earlier one): 10 random digits, shown once."""
    code = "".join(secrets.choice("0123456789") for _ in range(10))
    OtpEnrolmentCode.objects.update_or_create(
        user=user,
        defaults={
            "code_hash": blind_index(code),
            "issued_by": actor,
            "issued_at": timezone.now(),
            "expires_at": timezone.now() + timedelta(hours=OTP_ENROLMENT_CODE_HOURS),
        },
    )
    return code


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def otp_status(user: User) -> str:
    """Where the account stands with its authenticator: "confirmed" (signs in with one), "pending"
    (enrolment started, no code confirmed yet) or "none"."""
    states = set(TOTPDevice.objects.filter(user=user).values_list("confirmed", flat=True))
    if True in states:
        return "confirmed"
    return "pending" if states else "none"


OTP_QR_TITLE = gettext_lazy("动态验证码二维码")


def otp_qr_svg(uri: str) -> SafeString:
    """The otpauth URI as an inline SVG QR code, drawn on the server: the secret never travels in an
    image URL (logs, Referer, history) and no script or CDN is needed. segno draws dark modules only
    (one <path>, no style attribute, so CSP style-src 'self' holds); the URI is only geometry in the
    output and the one text node, the title, is escaped by segno, so the markup is safe to inline."""
    qr = segno.make(uri, error="m", micro=False)
    return mark_safe(qr.svg_inline(scale=4, title=OTP_QR_TITLE, svgclass="qr"))


OTP_RESET_REASON_MAX = 200


def otp_stamp(user: User) -> str:
    """What a security administrator's page shows of the account's second factor, as one string the
    reset form carries back: the authenticators (by id) and the pending re-binding code (by when it
    was issued). Any reset or enrolment since changes it."""
    devices = ",".join(
        str(pk) for pk in TOTPDevice.objects.filter(user=user).order_by("pk").values_list("pk", flat=True)
    )
    pending = OtpEnrolmentCode.objects.filter(user=user).values_list("issued_at", flat=True).first()
    return f"{devices}|{pending.isoformat() if pending else ''}"


def _at(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def _otp_changed(actor: User, user: User) -> str:
    """The refusal of a reset sent from a page that no longer shows the account's second factor:
    who changed it and when (the reset issuing the pending code, an enrolment, or a reset of a
    voluntary factor, read back from the audit trail)."""
    pending = OtpEnrolmentCode.objects.filter(user=user).select_related("issued_by").first()
    device = TOTPDevice.objects.filter(user=user).order_by("-pk").first()
    if device is not None and (
        pending is None or (device.created_at or pending.issued_at) > pending.issued_at
    ):
        bound = gettext("重新绑定验证器") if device.confirmed else gettext("开始重新绑定验证器")
        return gettext("该账号已于 %(at)s %(bound)s，本次未重置（请核对后再操作）") % {
            "at": _at(device.created_at),
            "bound": bound,
        }
    if pending is not None:
        if pending.issued_by_id == actor.pk:
            who = gettext("您在另一页面")
        else:
            who = pending.issued_by.full_name if pending.issued_by else gettext("他人")
        return gettext(
            "该账号的动态验证码已由%(who)s于 %(at)s 重置，本次未重置（重新绑定码以那次重置所发的为准）"
        ) % {"who": who, "at": _at(pending.issued_at)}
    last = (
        AuditEvent.objects.filter(action="account.otp_reset", object_type="core.user", object_id=str(user.pk))
        .order_by("-created_at")
        .first()
    )
    if last is not None:
        return gettext("该账号的动态验证码已由%(who)s于 %(at)s 重置，本次未重置") % {
            "who": last.actor_name or gettext("他人"),
            "at": _at(last.created_at),
        }
    return gettext("该账号的动态验证码已被他人更改，本次未重置（请核对后再操作）")


@transaction.atomic
def otp_reset(*, actor: User, user: User, reason: str, seen: str | None = None) -> tuple[int, str]:
    """A security administrator resets the authenticator of a staff member who lost it: every TOTP
    device of the account (confirmed or half-enrolled) is deleted, the account's session ends, and a
    one-time re-binding code is issued (OTP_ENROLMENT_CODE_HOURS valid). The administrator hands the
    code over in person or by telephone; the next sign-in needs the password *and* the code to enrol a
    new authenticator. Returns (devices deleted, the code: shown once, stored only as a keyed hash;
    "" for an account that needs no second factor).
    Refused (nothing changed) without a reason, for one's own account, for an account outside the
    actor's security jurisdiction (PermissionDenied) and for an account that has neither an
    authenticator nor a pending re-binding code (issuing again replaces an earlier code), and, with
    `seen` (otp_stamp of the page the administrator reset from), when the factor has changed since:
    another administrator reset it meanwhile, and the message says who and when."""
    if actor.pk == user.pk:
        raise ValidationError(gettext("不能重置自己的动态验证码"))
    if not accounts_managed_by(actor, module=Module.SECURITY).filter(pk=user.pk).exists():
        raise PermissionDenied
    # The row lock makes a reset and a simultaneous enrolment, sign-in or other reset of the account
    # take turns. A stale page is refused before anything else it sent is judged.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if seen is not None and seen != otp_stamp(user):
        raise ValidationError(_otp_changed(actor, user))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("请填写重置原因"))
    if len(reason) > OTP_RESET_REASON_MAX:
        raise ValidationError(
            gettext("重置原因不能超过 %(OTP_RESET_REASON_MAX)s 字")
            % {"OTP_RESET_REASON_MAX": OTP_RESET_REASON_MAX}
        )
    devices = TOTPDevice.objects.filter(user=user)
    states = list(devices.values_list("confirmed", flat=True))
    reissue = OtpEnrolmentCode.objects.filter(user=user).exists()
    if not states and not reissue:
        raise ValidationError(gettext("该账号尚未启用动态验证码"))
    devices.delete()
    # A session verified with the lost device would otherwise be sent straight to enrolment. (A session
    # that gave only the password is not bound to the account and stays; it now needs the code too.)
    had_session = _session_end(user)
    api_tokens_revoke_all(actor=actor, user=user, reason="重置动态验证码")
    # An account whose second factor is voluntary (a village member) signs in with the password alone
    # after a reset: no code is owed, none is issued.
    code = _enrol_code_issue(actor, user) if user.needs_two_factor else ""
    if not code:
        OtpEnrolmentCode.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action="account.otp_reset",
        obj=user,
        summary=f"重置动态验证码 {user.username}：{reason}",
        after={
            "reason": reason,
            "devices": len(states),
            "confirmed": sum(states),
            "session_ended": had_session,
            "code_issued": bool(code),
            "code_reissued": reissue,
            "code_hours": OTP_ENROLMENT_CODE_HOURS,
        },
    )
    return len(states), code


def otp_pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (created on first visit)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


@transaction.atomic
def otp_accepted(request, user: User) -> None:
    """The second factor was right: the sign-in is complete. The session id is rotated once more
    (the session just gained privileges)."""
    request.session.cycle_key()
    _sign_in_complete(request, user, action="login.success", summary="登录成功（密码 + 动态验证码）")


def _sign_in_complete(request, user: User, *, action: str, summary: str) -> None:
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None, last_failed_login_at=None)
    user.failed_login_count, user.locked_until, user.last_failed_login_at = 0, None, None
    request.session[OTP_REQUIRED_SESSION_KEY] = False
    session_bind(request, user)
    audit_record(actor=user, action=action, obj=user, summary=summary, ip_address=client_ip(request))


def _session_store(session_key: str):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def session_bind(request, user: User) -> None:
    """One active session per user: this session becomes the user's one, any other ends. The session
    id has already been rotated by django.contrib.auth.login() (no fixation)."""
    if request.session.session_key is None:
        request.session.save()
    key = request.session.session_key
    old = User.objects.filter(pk=user.pk).values_list("current_session_key", flat=True).first()
    if old and old != key:
        _session_store(old).delete()
    User.objects.filter(pk=user.pk).update(current_session_key=key)
    user.current_session_key = key
    request.session[LAST_SEEN_SESSION_KEY] = int(timezone.now().timestamp())


def _session_end(user: User) -> bool:
    """Delete the account's one session (session_bind keeps one per user); True if there was one."""
    key = User.objects.filter(pk=user.pk).values_list("current_session_key", flat=True).first()
    if key:
        _session_store(key).delete()
    User.objects.filter(pk=user.pk).update(current_session_key="", version=F("version") + 1)
    user.current_session_key = ""
    return bool(key)


@transaction.atomic
def sessions_end(*, actor: User, user: User) -> None:
    """An administrator ends a user's session and revokes their API tokens: the user must sign in
    again, and a token cannot carry on what the session did."""
    _session_end(user)
    api_tokens_revoke_all(actor=actor, user=user, reason="强制下线")
    audit_record(actor=actor, action="session.end", obj=user, summary=f"强制下线 {user.username}")


def logout_recorded(request, user: User) -> None:
    User.objects.filter(pk=user.pk, current_session_key=request.session.session_key).update(
        current_session_key=""
    )
    audit_record(actor=user, action="logout", obj=user, summary="退出登录", ip_address=client_ip(request))


def base32_secret(device) -> str:
    return base64.b32encode(bytes.fromhex(device.key)).decode()


@transaction.atomic
def account_unlock(*, actor: User, user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None, last_failed_login_at=None)
    audit_record(actor=actor, action="user.unlock", obj=user, summary=f"解除锁定 {user.username}")
