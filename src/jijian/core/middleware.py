"""Security headers and the session guard (idle timeout, single session, forced password change,
second factor)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "geolocation=(), payment=(), usb=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Pages behind sign-in hold personal data: never keep them in a shared browser cache.
            response.headers["Cache-Control"] = "no-store"
        return response


# Paths a signed-in user may reach before the password change / second factor are done.
_OPEN_PREFIXES = ("/static/", "/healthz", "/readyz", "/api/")


class SessionGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES):
            blocked = self._guard(request, user)
            if blocked is not None:
                return blocked
        return self.get_response(request)

    def _guard(self, request, user):
        now = time.time()
        last = request.session.get("last_seen")
        if last is not None and now - last > settings.IDLE_TIMEOUT_MINUTES * 60:
            logout(request)
            messages.info(request, "您已长时间未操作，请重新登录")
            return redirect(settings.LOGIN_URL)
        if user.current_session_key and user.current_session_key != request.session.session_key:
            logout(request)
            messages.warning(request, "您的账号已在其他地方登录，本次会话已结束")
            return redirect(settings.LOGIN_URL)
        request.session["last_seen"] = now
        allowed = {reverse("core:logout"), reverse("core:password_change"), reverse("core:otp_verify"),
                   reverse("core:otp_setup")}
        if request.path in allowed:
            return None
        if user.needs_two_factor and not user.is_verified():
            return redirect("core:otp_verify")
        if user.must_change_password:
            return redirect("core:password_change")
        return None
