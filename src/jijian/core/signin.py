"""Sign-in: password, then (for every role above village member) a TOTP code; one session per user;
forced password change at first login."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import security
from .services import user_set_password


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=64)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, max_length=128)


class OTPForm(forms.Form):
    token = forms.RegexField(label=_("动态验证码"), regex=r"^\d{6}$", max_length=6,
                             error_messages={"invalid": "请输入6位数字动态验证码"})


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("当前密码"), widget=forms.PasswordInput, max_length=128)
    new_password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, max_length=128)
    new_password2 = forms.CharField(label=_("再次输入新密码"), widget=forms.PasswordInput, max_length=128)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            raise forms.ValidationError("两次输入的新密码不一致")
        return data


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect("core:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        refusal = security.login_refusal(request, username)
        if refusal:
            form.add_error(None, refusal)
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                security.login_failed(request, username)
                form.add_error(None, "用户名或密码错误")
            else:
                security.login_succeeded(request, user)
                login(request, user)
                security.session_bind(request, user)
                if user.needs_two_factor:
                    return redirect("core:otp_verify" if _has_device(user) else "core:otp_setup")
                return redirect("core:home")
    return render(request, "core/login.html", {"form": form})


def _has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    if request.user.is_verified():
        return redirect("core:home")
    if not _has_device(request.user):
        return redirect("core:otp_setup")
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = security.login_refusal(request, request.user.username)
        device = security.otp_match(request.user, form.cleaned_data["token"]) if not refusal else None
        if device is None:
            if not refusal:
                security.login_failed(request, request.user.username, stage="otp")
            form.add_error("token", refusal or "动态验证码错误或已使用，请等待下一个验证码")
        else:
            otp_login(request, device)
            security.otp_succeeded(request, request.user)
            return redirect("core:home")
    return render(request, "core/otp_verify.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """First sign-in of a staff account without an authenticator: show the secret, confirm a code."""
    if _has_device(request.user):
        return redirect("core:otp_verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="default", confirmed=False)
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            security.otp_succeeded(request, request.user, enrolled=True)
            messages.success(request, "动态验证码已启用")
            return redirect("core:home")
        form.add_error("token", "动态验证码错误，请核对手机时间后重试")
    return render(request, "core/otp_setup.html", {"form": form, "secret": security.base32_secret(device),
                                                    "uri": device.config_url})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not request.user.check_password(form.cleaned_data["old_password"]):
            form.add_error("old_password", "当前密码错误")
        else:
            try:
                user_set_password(actor=request.user, user=request.user,
                                  password=form.cleaned_data["new_password"], temporary=False)
            except ValidationError as exc:
                form.add_error("new_password", exc.messages)
            else:
                login(request, request.user)  # keep the session after the hash changed
                security.session_bind(request, request.user)
                messages.success(request, "密码已修改")
                return redirect("core:home")
    return render(request, "core/password_change.html",
                  {"form": form, "help_texts": password_validators_help_texts()})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        security.logout_recorded(request, request.user)
    logout(request)
    return redirect("core:login")
