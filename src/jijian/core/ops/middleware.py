"""Security headers, the session guard (idle timeout, single session, second factor, forced password
change), the per-address limit on unauthenticated requests, and the page answer to a refused actor."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse

from jijian.core.accounts import security
from jijian.core.api.auth import api_token_user, bearer_token
from jijian.core.ops.ratelimit import EXEMPT_PREFIXES, anonymous_hit, too_many_requests

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# The scripts' translation catalogue (config/urls.py): an asset, though Django answers it.
CATALOG_PREFIX = "/jsi18n/"


class SecurityHeadersMiddleware:
    """CSP without inline script, and no caching of pages behind sign-in. X-Frame-Options, nosniff,
    Referrer-Policy and HSTS come from Django's own middleware and settings."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "geolocation=(), payment=(), usb=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(CATALOG_PREFIX):
            # Pages behind sign-in hold personal data: never keep them in a shared browser cache.
            # The scripts' translation catalogue holds none and is the same for everyone.
            response.headers["Cache-Control"] = "no-store"
        return response


class AnonymousRateLimitMiddleware:
    """Every request that neither a signed-in session nor an accepted API token stands behind counts
    against RATE_LIMIT_ANON_PER_MINUTE per address (public pages, the anonymous report form, the
    sign-in page, the API document, unknown paths). Install it after AuthenticationMiddleware.

    A bearer token on an API path is looked up here (one query, kept on the request for the API's
    auth, core/api/auth.py): a live token of an active user is not counted; any other is, before any
    endpoint runs, whether or not that endpoint would check a token (the API document, an unknown
    path, the session-only token creation). Anywhere else an Authorization header changes nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(EXEMPT_PREFIXES) and not self._known(request):
            retry_after = anonymous_hit(request)
            if retry_after is not None:
                return too_many_requests(request, retry_after)
        return self.get_response(request)

    @staticmethod
    def _known(request) -> bool:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        if not request.path.startswith(_API_PREFIX):
            return False
        token = bearer_token(request)
        return token is not None and api_token_user(request, token) is not None


# Paths the guard leaves alone: assets and probes. (The catalogue is asked for by the second-factor
# page too, and fetching it is not the user's activity.)
_OPEN_PREFIXES = ("/static/", CATALOG_PREFIX, "/healthz", "/readyz")
# The API answers 401 itself (core/api/auth.py) rather than redirecting; only the session checks apply.
_API_PREFIX = "/api/"
# Refresh the idle clock at most once a minute, so that not every request writes the session.
_LAST_SEEN_RESOLUTION = 60
# Sent by scripts that ask the server on their own (reports/export.js polling an export's progress):
# such a request is not the user's activity and must not keep an abandoned session alive. The header
# is trusted only to count a request less: every other check applies to it as to any request.
BACKGROUND_HEADER = "X-Jijian-Background"


class SessionGuardMiddleware:
    """For a signed-in session: end it after IDLE_TIMEOUT_MINUTES without a request (a background
    request, BACKGROUND_HEADER, can end an idle session but does not count as activity), end it when the
    account signed in elsewhere since, then hold it on the second-factor pages until the TOTP code is
    given, then on the password page while a change is due. Install after OTPMiddleware."""

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
        api = request.path.startswith(_API_PREFIX)
        now = time.time()
        last = request.session.get(security.LAST_SEEN_SESSION_KEY)
        if last is not None and now - last > settings.IDLE_TIMEOUT_MINUTES * 60:
            return self._end(request, "idle", api)
        pending_otp = security.needs_otp(request)
        # A session that has not given its second factor yet is not "the" session of the account:
        # it is bound when the code is accepted, so knowing a password alone cannot end someone's session.
        if (
            not pending_otp
            and user.current_session_key
            and user.current_session_key != request.session.session_key
        ):
            return self._end(request, "replaced", api)
        # A background request only starts a clock that was not running (it can shorten a session's
        # life, never lengthen it).
        background = request.headers.get(BACKGROUND_HEADER) == "1"
        if last is None or (not background and now - last >= _LAST_SEEN_RESOLUTION):
            request.session[security.LAST_SEEN_SESSION_KEY] = int(now)
        if api:
            return None
        # The code comes first, then the password change: knowing the password alone must not be
        # enough to change it and shut the owner out.
        if pending_otp:
            if request.path in _paths("core:login", "core:logout", "core:otp_verify", "core:otp_setup"):
                return None
            return _redirect(request, reverse("core:otp_verify"))
        if user.must_change_password:
            if request.path in _paths("core:login", "core:logout", "core:password_change"):
                return None
            return _redirect(request, reverse("core:password_change"))
        return None

    @staticmethod
    def _end(request, reason: str, api: bool):
        logout(request)
        if api:  # go on as an anonymous request: the API answers 401
            return None
        query = {"reason": reason}
        if request.method == "GET" and not request.headers.get("HX-Request"):
            query["next"] = request.get_full_path()
        return _redirect(request, f"{resolve_url(settings.LOGIN_URL)}?{urlencode(query)}")


def _paths(*names: str) -> frozenset[str]:
    return frozenset(reverse(name) for name in names)


def _redirect(request, url: str):
    if request.headers.get("HX-Request"):  # an HTMX swap would put the whole page into a fragment
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class DeniedAsNotFoundMiddleware:
    """A service that refuses the actor (PermissionDenied) is answered on the platform's pages with
    the same 404 as a record outside the user's jurisdiction, so a page never tells that something
    exists which the user may not touch (jijian.core.access). The one place pages map the refusal;
    the API maps it in its own exception handler (jijian.api.api). The admin keeps Django's 403, and a
    page that means "visible to you, but not yours to change" answers 403 itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PermissionDenied):
            return None
        match = getattr(request, "resolver_match", None)
        if match is not None and match.app_name == "admin":
            return None
        raise Http404 from exception
