"""Sign-in: password, then (for every role above village member, and for a village member who
enrolled one) a TOTP code; one session per user; forced password change at first login. The rules
live in security.py; these views bind forms and call them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from jijian.core.accounts import security
from jijian.core.navigation import public_links
from jijian.core.ops.ratelimit import rate_limit
from jijian.core.services import user_set_password

NEXT_SESSION_KEY = "signin_next"

# Why the session guard sent someone back to the sign-in page (middleware.SessionGuardMiddleware).
ENDED_REASONS = {
    "idle": _("您已长时间未操作，请重新登录"),
    "replaced": _("您的账号已在其他地方登录，本次会话已结束"),
}


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=64)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, max_length=128)


class OTPForm(forms.Form):
    token = forms.RegexField(
        label=_("动态验证码"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={
            "invalid": gettext_lazy("请输入6位数字动态验证码"),
            "required": gettext_lazy("请输入动态验证码"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class OTPEnrolAfterResetForm(forms.Form):
    enrol_code = forms.RegexField(
        label=_("重新绑定码"),
        regex=r"^\s*\d[\d\s]{8,20}\s*$",
        max_length=24,
        help_text=_("安全管理员重置动态验证码时交给您的10位数字"),
        error_messages={
            "invalid": gettext_lazy("请输入10位数字重新绑定码"),
            "required": gettext_lazy("请输入安全管理员交给您的重新绑定码"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    token = OTPForm.base_fields["token"]


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("当前密码"), widget=forms.PasswordInput, max_length=128)
    new_password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, max_length=128)
    new_password2 = forms.CharField(label=_("再次输入新密码"), widget=forms.PasswordInput, max_length=128)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            raise forms.ValidationError(gettext("两次输入的新密码不一致"))
        return data


def _safe_next(request, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _proceed(request):
    """Where a completed sign-in goes: the page asked for before, else home."""
    return redirect(_safe_next(request, request.session.pop(NEXT_SESSION_KEY, None)) or "core:home")


@never_cache
@rate_limit("login", limit="RATE_LIMIT_LOGIN_PER_MINUTE", default=20)
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect("core:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        attempt = security.login_attempt(username)  # counted before the password is checked
        user = (
            None
            if attempt is None
            else authenticate(request, username=username, password=form.cleaned_data["password"])
        )
        # One answer for every failure, locked or not, known account or not (no enumeration); a
        # locked account costs one password hash too (security.login_refused_hash), as a check would.
        if attempt is None:
            security.login_refused_hash(form.cleaned_data["password"])
            form.add_error(None, security.LOGIN_FAILED)
        elif user is None:
            security.login_attempt_failed(request, attempt)
            form.add_error(None, security.LOGIN_FAILED)
        else:
            security.login_attempt_refund(attempt)
            login(request, user)  # rotates the session id
            request.session[NEXT_SESSION_KEY] = _safe_next(request, request.POST.get("next"))
            if security.password_accepted(request, user):
                return redirect("core:otp_verify" if _has_device(user) else "core:otp_setup")
            return _proceed(request)
    notice = ENDED_REASONS.get(request.GET.get("reason", ""))
    return render(
        request,
        "core/login.html",
        {
            "form": form,
            "notice": notice,
            "next": _safe_next(request, request.GET.get("next")),
            "public_links": public_links(),
        },
    )


def _has_device(user) -> bool:
    return security.has_confirmed_device(user)


@never_cache
@rate_limit("otp", limit="RATE_LIMIT_OTP_PER_MINUTE", default=20)
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    if request.user.is_verified():
        return redirect("core:home")
    if not _has_device(request.user):
        return redirect("core:otp_setup")
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        attempt = security.login_attempt(user.username)  # counted before the code is checked
        device, reason = (
            (None, security.login_refusal(user.username) or "")
            if attempt is None
            else security.otp_match(user, form.cleaned_data["token"])
        )
        if device is None:
            if attempt is not None and reason == security.OTP_JUST_USED:
                security.login_attempt_refund(attempt)
            elif attempt is not None:
                security.login_attempt_failed(request, attempt, stage="otp")
                reason = security.login_refusal(user.username) or reason
            form.add_error("token", reason)
        else:
            security.login_attempt_refund(attempt)
            otp_login(request, device)
            security.otp_accepted(request, user)
            return _proceed(request)
    return render(request, "core/otp_verify.html", {"form": form})


@never_cache
@rate_limit("otp", limit="RATE_LIMIT_OTP_PER_MINUTE", default=20)
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """First sign-in of a staff account without an authenticator (or a village member who chooses
    one, or anyone whose authenticator a security administrator reset): show the secret as a QR code
    and as text, confirm a code from the phone. After a reset the re-binding code the administrator
    handed over is asked for too; a wrong one counts as a failed sign-in."""
    user = request.user
    if _has_device(user):
        return redirect("core:otp_verify")
    device = security.otp_pending_device(user)
    after_reset = security.otp_enrolment_pending(user) is not None
    form = (OTPEnrolAfterResetForm if after_reset else OTPForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt = security.login_attempt(user.username)  # counted before the codes are checked
        problem = (
            security.login_refusal(user.username) or "登录失败次数过多，请稍后再试"
            if attempt is None
            else security.otp_enrol_confirm(
                user, device, form.cleaned_data["token"], form.cleaned_data.get("enrol_code", "")
            )
        )
        if attempt is not None and problem != security.ENROL_CODE_WRONG:
            security.login_attempt_refund(attempt)  # only a wrong re-binding code counts
        if not problem:
            device.refresh_from_db()
            otp_login(request, device)
            security.otp_accepted(request, user)
            messages.success(request, gettext("动态验证码已启用"))
            return _proceed(request)
        if attempt is not None and problem == security.ENROL_CODE_WRONG:
            security.login_attempt_failed(request, attempt, stage="otp_enrol")
            problem = security.login_refusal(user.username) or problem
        form.add_error("enrol_code" if problem in security.ENROL_CODE_PROBLEMS else "token", problem)
    uri = device.config_url
    return render(
        request,
        "core/otp_setup.html",
        {
            "form": form,
            "after_reset": after_reset,
            "secret": security.base32_secret(device),
            "uri": uri,
            "qr_svg": security.otp_qr_svg(uri),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        if not user.check_password(form.cleaned_data["old_password"]):
            form.add_error("old_password", gettext("当前密码错误"))
        else:
            try:
                user_set_password(
                    actor=user, user=user, password=form.cleaned_data["new_password"], temporary=False
                )
            except ValidationError as exc:
                form.add_error("new_password", exc.messages)
            else:
                update_session_auth_hash(request, user)  # keeps this session, rotates its id
                security.session_bind(request, user)
                messages.success(request, gettext("密码已修改"))
                return _proceed(request)
    return render(
        request, "core/password_change.html", {"form": form, "help_texts": password_validators_help_texts()}
    )


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        security.logout_recorded(request, request.user)
    logout(request)
    return redirect("core:login")
