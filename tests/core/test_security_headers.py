"""Security headers: CSP without inline script, no framing, nosniff, no caching behind sign-in, HSTS
behind TLS; and no template that would need an inline script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client, override_settings

import jijian
from jijian.core.ops.middleware import CSP


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.fixture
def signed_in(people, login):
    return login(people.member_a)


def test_csp_allows_no_inline_script(db, client):
    policy = directives(client.get("/accounts/login/")["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in " ".join(sum(policy.values(), []))
    assert "'unsafe-eval'" not in " ".join(sum(policy.values(), []))
    assert policy["object-src"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]


def test_csp_forbids_framing(db, client):
    policy = directives(client.get("/accounts/login/")["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'none'"]


def test_csp_is_on_signed_in_pages_too(signed_in):
    assert signed_in.get("/")["Content-Security-Policy"] == CSP


def test_frame_options_deny(db, client):
    assert client.get("/accounts/login/")["X-Frame-Options"] == "DENY"


def test_nosniff_and_referrer_policy(db, client):
    response = client.get("/accounts/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_behind_sign_in_are_not_stored(signed_in):
    for url in ("/", "/orgs/", "/people/", "/notifications/"):
        response = signed_in.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store", url


def test_error_pages_behind_sign_in_are_not_stored_either(signed_in):
    response = signed_in.get("/orgs/999999/")
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"


def test_sign_in_page_is_not_cached(db, client):
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"]


def test_api_answers_behind_sign_in_are_not_stored(signed_in):
    response = signed_in.get("/api/me")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@override_settings(SECURE_HSTS_SECONDS=31536000)
def test_hsts_on_secure_requests_behind_tls(db):
    response = Client().get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@override_settings(SECURE_HSTS_SECONDS=31536000)
def test_no_hsts_on_plain_http(db):
    assert "Strict-Transport-Security" not in Client().get("/accounts/login/")


def test_no_hsts_when_not_behind_tls(db, settings):
    assert not getattr(settings, "SECURE_HSTS_SECONDS", 0)  # JIJIAN_BEHIND_TLS is off in tests
    assert "Strict-Transport-Security" not in Client().get("/accounts/login/", secure=True)


def test_session_and_csrf_cookies_are_http_only(people, client):
    client.get("/accounts/login/")
    assert client.cookies["csrftoken"]["httponly"]
    client.post("/accounts/login/", {"username": "member_a", "password": "Test-Passw0rd!"})
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


TEMPLATES = sorted(Path(jijian.__file__).parent.rglob("templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p).split("src/jijian/")[-1])
def test_templates_need_no_inline_script(path):
    text = path.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "inline <script> is blocked by the CSP: move it to a static file"
    assert not INLINE_HANDLER.search(text), "inline event handlers are blocked by the CSP"
    assert "javascript:" not in text.lower()


def test_the_template_scan_finds_the_templates():
    assert any(p.name == "login.html" for p in TEMPLATES)
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert INLINE_HANDLER.search('<a onclick="x()">')
