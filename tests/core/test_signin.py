"""The real sign-in flow: password, lockout, TOTP (enrolment, replay), forced password change, CSRF,
the `jijian otp` command."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from io import StringIO

import pytest
import segno
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.audit.models import AuditEvent
from jijian.core.accounts import security
from jijian.core.models import User
from tests.conftest import PASSWORD
from tests.core.signin_helpers import LOGIN, OTP, OTP_SETUP, add_device, code_for, post_login

PASSWORD_CHANGE = "/accounts/password/"


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()  # per-IP counters live in the cache, which outlives a test
    yield
    cache.clear()


def wrong_code(device) -> str:
    right = {code_for(device, k) for k in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def events(action, user=None):
    qs = AuditEvent.objects.filter(action=action)
    if user is not None:
        qs = qs.filter(object_type="core.user", object_id=str(user.pk))
    return qs


def is_signed_in(client) -> bool:
    return client.get("/").status_code == 200


# --- password ------------------------------------------------------------------------------------


def test_login_page_renders_in_chinese(db, client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_the_login_page_offers_the_public_pages_the_platforms_register(db, client):
    """A member of the public who reached the sign-in page finds the way to report and to book a video
    reception: the petitions and reception apps register those links (core names neither)."""
    body = client.get(LOGIN).content.decode()
    assert '<a href="/report/" id="petition-link">我要举报 / 查询举报进度</a>' in body
    assert 'id="reception-link">预约视频接访</a>' in body
    assert body.index("petition-link") < body.index("reception-link")


def test_village_member_signs_in_with_password_only(people, client):
    response = post_login(client, "member_a")
    assert response.status_code == 302 and response.url == "/"
    assert is_signed_in(client)


def test_successful_sign_in_is_audited_with_the_address(people, client):
    post_login(client, "member_a", meta={"REMOTE_ADDR": "10.1.2.3"})
    event = events("login.success", people.member_a).get()
    assert event.actor_id == people.member_a.pk
    assert event.ip_address == "10.1.2.3"


def test_wrong_password_is_refused_with_a_chinese_message(people, client):
    response = post_login(client, "member_a", "Wrong-Passw0rd!")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert "未能登录，请检查以下内容：" in response.content.decode()
    assert not is_signed_in(client)
    people.member_a.refresh_from_db()
    assert people.member_a.failed_login_count == 1


def test_failed_sign_in_is_audited(people, client):
    post_login(client, "member_a", "Wrong-Passw0rd!")
    event = events("login.failed", people.member_a).get()
    assert event.after["stage"] == "password"
    assert event.after["failures"] == 1
    assert event.actor_id is None


def test_unknown_username_fails_quietly_and_the_typed_text_is_not_kept(db, client):
    response = post_login(client, "Secret-Passw0rd-typed-here", "x")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    event = AuditEvent.objects.get(action="login.failed")
    assert "Secret-Passw0rd" not in f"{event.summary}{event.after}{event.object_id}"


def test_inactive_account_cannot_sign_in(people, client):
    User.objects.filter(pk=people.member_a.pk).update(is_active=False)
    response = post_login(client, "member_a")
    assert "用户名或密码错误" in response.content.decode()
    assert not is_signed_in(client)


def test_empty_form_shows_errors_and_counts_nothing(people, client):
    response = client.post(LOGIN, {"username": "member_a"})
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="login.failed").exists()


def test_sign_in_goes_to_the_page_asked_for(people, client):
    response = post_login(client, "member_a", next="/people/")
    assert response.url == "/people/"


def test_sign_in_ignores_a_next_on_another_site(people, client):
    response = post_login(client, "member_a", next="https://evil.example/")
    assert response.url == "/"


# --- lockout -------------------------------------------------------------------------------------


def fail(client, username, times):
    for _ in range(times):
        post_login(client, username, "Wrong-Passw0rd!")


@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_LOCKOUT_BASE_SECONDS=60)
def test_account_locks_after_the_failure_limit(people, client):
    fail(client, "member_a", 4)
    people.member_a.refresh_from_db()
    assert people.member_a.locked_until is None
    fail(client, "member_a", 1)
    people.member_a.refresh_from_db()
    assert people.member_a.locked_until > timezone.now() + timedelta(seconds=50)
    assert events("login.locked", people.member_a).count() == 1


@override_settings(LOGIN_FAILURE_LIMIT=5)
def test_locked_account_is_refused_even_with_the_right_password(people, client):
    fail(client, "member_a", 5)
    response = post_login(client, "member_a")
    assert str(security.LOGIN_FAILED) in response.content.decode()
    assert not is_signed_in(client)
    assert not events("login.success", people.member_a).exists()


@override_settings(LOGIN_FAILURE_LIMIT=5)
def test_tries_while_locked_do_not_extend_the_lock(people, client):
    fail(client, "member_a", 5)
    people.member_a.refresh_from_db()
    until = people.member_a.locked_until
    fail(client, "member_a", 3)
    people.member_a.refresh_from_db()
    assert people.member_a.locked_until == until
    assert people.member_a.failed_login_count == 5


@override_settings(LOGIN_FAILURE_LIMIT=5)
def test_lock_expires_and_the_right_password_then_works(people, client):
    fail(client, "member_a", 5)
    User.objects.filter(pk=people.member_a.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    response = post_login(client, "member_a")
    assert response.status_code == 302
    people.member_a.refresh_from_db()
    assert people.member_a.failed_login_count == 0 and people.member_a.locked_until is None


@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_LOCKOUT_BASE_SECONDS=60)
def test_lockout_delay_grows_with_each_further_failure(people, client):
    fail(client, "member_a", 5)
    people.member_a.refresh_from_db()
    first = people.member_a.locked_until - timezone.now()
    User.objects.filter(pk=people.member_a.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    fail(client, "member_a", 1)
    people.member_a.refresh_from_db()
    second = people.member_a.locked_until - timezone.now()
    assert timedelta(seconds=55) < first <= timedelta(seconds=60)
    assert timedelta(seconds=115) < second <= timedelta(seconds=120)


@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_LOCKOUT_BASE_SECONDS=60)
def test_lockout_seconds_double_and_are_capped():
    assert [security.lockout_seconds(n) for n in (1, 4, 5, 6, 7)] == [0, 0, 60, 120, 240]
    assert security.lockout_seconds(100) == 60 * 2**10


@override_settings(LOGIN_FAILURE_LIMIT=5)
def test_lockout_is_per_account_not_per_address(people, client):
    fail(client, "member_a", 5)  # from 127.0.0.1
    response = post_login(client, "township_a")  # the same address, another account
    assert response.status_code == 302


def test_unknown_usernames_lock_nobody_and_do_not_error(people, client):
    for _ in range(8):
        response = post_login(client, "nobody_here", "Wrong-Passw0rd!")
        assert response.status_code == 200
    assert not User.objects.filter(locked_until__isnull=False).exists()


def test_successful_sign_in_resets_the_failure_count(people, client):
    fail(client, "member_a", 3)
    post_login(client, "member_a")
    people.member_a.refresh_from_db()
    assert people.member_a.failed_login_count == 0


def test_security_admin_unlocks_an_account(people, client, login):
    User.objects.filter(pk=people.member_a.pk).update(
        failed_login_count=9, locked_until=timezone.now() + timedelta(hours=1)
    )
    admin = login(people.security_admin)
    response = admin.post(reverse("core:security_detail", args=[people.member_a.pk]), {"action": "unlock"})
    assert response.status_code == 302
    assert post_login(Client(), "member_a").status_code == 302


# --- second factor -------------------------------------------------------------------------------


def test_staff_password_leads_to_the_code_page(people, client):
    add_device(people.township_a)
    response = post_login(client, "township_a")
    assert response.url == OTP
    assert events("login.password", people.township_a).exists()
    assert not events("login.success", people.township_a).exists()


STAFF_PAGES = [
    "/",
    "/orgs/",
    "/people/",
    "/notifications/",
    "/accounts/password/",
    "/orgs/{unit}/",
    "/security/accounts/",
    "/manage/accounts/",
    "/audit/",
]


def test_staff_with_password_but_no_code_cannot_reach_any_page(tree, people, client):
    add_device(people.township_a)
    post_login(client, "township_a")
    for page in STAFF_PAGES:
        url = page.format(unit=tree.village_a.pk)
        response = client.get(url)
        assert response.status_code == 302 and response.url == OTP, url
    assert client.get("/api/me").status_code == 401


def test_password_alone_cannot_change_the_password(people, client):
    add_device(people.township_a)
    post_login(client, "township_a")
    response = client.post(
        PASSWORD_CHANGE,
        {"old_password": PASSWORD, "new_password": "Brand-New-Pass9", "new_password2": "Brand-New-Pass9"},
    )
    assert response.status_code == 302 and response.url == OTP
    people.township_a.refresh_from_db()
    assert people.township_a.check_password(PASSWORD)


def test_wrong_code_fails(people, client):
    device = add_device(people.township_a)
    post_login(client, "township_a")
    response = client.post(OTP, {"token": wrong_code(device)})
    assert response.status_code == 200
    assert "动态验证码错误" in response.content.decode()
    assert client.get("/").url == OTP
    assert events("login.failed", people.township_a).get().after["stage"] == "otp"


def test_malformed_code_is_refused_by_the_form(people, client):
    add_device(people.township_a)
    post_login(client, "township_a")
    response = client.post(OTP, {"token": "12ab"})
    assert "请输入6位数字动态验证码" in response.content.decode()


def test_correct_code_completes_the_sign_in(people, client):
    device = add_device(people.township_a)
    post_login(client, "township_a")
    response = client.post(OTP, {"token": code_for(device)})
    assert response.status_code == 302 and response.url == "/"
    assert is_signed_in(client)
    assert events("login.success", people.township_a).exists()


def test_the_same_code_cannot_be_used_twice(people, client):
    device = add_device(people.township_a)
    code = code_for(device)
    post_login(client, "township_a")
    assert client.post(OTP, {"token": code}).status_code == 302
    client.post("/accounts/logout/")

    other = Client()
    post_login(other, "township_a")
    response = other.post(OTP, {"token": code})
    assert response.status_code == 200
    assert "已使用" in response.content.decode()
    assert other.get("/").url == OTP


def test_totp_device_keeps_last_t_and_refuses_replay(people):
    """django-otp's own guarantee, checked directly: last_t moves forward, an old step is refused."""
    device = add_device(people.township_a)
    code = code_for(device)
    assert device.verify_token(code) is True
    device.refresh_from_db()
    assert device.last_t >= 0
    with override_settings(OTP_TOTP_THROTTLE_FACTOR=0):
        assert device.verify_token(code) is False
        assert device.verify_token(code_for(device, -1)) is False  # earlier step: refused too


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0, LOGIN_FAILURE_LIMIT=3)
def test_wrong_codes_count_towards_the_account_lockout(people, client):
    device = add_device(people.township_a)
    post_login(client, "township_a")
    for _ in range(3):
        client.post(OTP, {"token": wrong_code(device)})
    response = client.post(OTP, {"token": code_for(device)})
    assert "账号已暂时锁定" in response.content.decode()
    assert client.get("/").url == OTP


def test_repeated_wrong_codes_are_throttled_by_the_device(people, client):
    device = add_device(people.township_a)
    post_login(client, "township_a")
    client.post(OTP, {"token": wrong_code(device)})
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Ten failures in a row: django-otp's back-off is now 2**9 s, longer than this test.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=10, throttling_failure_timestamp=timezone.now()
    )
    response = client.post(OTP, {"token": code_for(device)})
    assert "次数过多" in response.content.decode()
    assert client.get("/").url == OTP


def test_password_alone_does_not_reset_the_failures_of_a_staff_account(people, client):
    add_device(people.township_a)
    User.objects.filter(pk=people.township_a.pk).update(failed_login_count=3)
    post_login(client, "township_a")
    people.township_a.refresh_from_db()
    assert people.township_a.failed_login_count == 3


def test_session_id_rotates_when_the_code_is_accepted(people, client):
    device = add_device(people.township_a)
    post_login(client, "township_a")
    pending = client.session.session_key
    client.post(OTP, {"token": code_for(device)})
    assert client.session.session_key != pending


def test_staff_without_authenticator_is_sent_to_enrolment(people, client):
    response = post_login(client, "township_a")
    assert response.url == OTP_SETUP
    assert client.get(OTP).url == OTP_SETUP


def test_first_login_enrolment_confirms_the_authenticator(people, client):
    post_login(client, "township_a")
    page = client.get(OTP_SETUP)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=people.township_a, confirmed=False)
    assert security.base32_secret(device) in page.content.decode()
    response = client.post(OTP_SETUP, {"token": code_for(device)})
    assert response.status_code == 302 and response.url == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert is_signed_in(client)
    assert events("login.otp_enrolled", people.township_a).exists()


def test_enrolment_with_a_wrong_code_does_not_confirm(people, client):
    post_login(client, "township_a")
    client.get(OTP_SETUP)
    device = TOTPDevice.objects.get(user=people.township_a, confirmed=False)
    response = client.post(OTP_SETUP, {"token": wrong_code(device)})
    assert "动态验证码错误" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/").url == OTP
    assert client.get(OTP).url == OTP_SETUP


def test_enrolment_page_sends_an_enrolled_account_to_the_code_page(people, client):
    add_device(people.township_a)
    post_login(client, "township_a")
    assert client.get(OTP_SETUP).url == OTP


def test_revisiting_enrolment_shows_the_same_secret(people, client):
    post_login(client, "township_a")
    first = client.get(OTP_SETUP).content.decode()
    second = client.get(OTP_SETUP).content.decode()
    device = TOTPDevice.objects.get(user=people.township_a)
    secret = security.base32_secret(device)
    assert secret in first and secret in second


def svg_of(page: str) -> str:
    start = page.index("<svg")
    return page[start : page.index("</svg>", start) + len("</svg>")]


def modules_drawn(svg: str, border: int = 4) -> set[tuple[int, int]]:
    """The dark modules (row, column) an SVG of segno draws: its one path is a pen that moves (M, m)
    and draws horizontal runs (h) half a module below each row's top edge."""
    (path,) = re.findall(r' d="([^"]+)"', svg)
    x = y = 0.0
    dark = set()
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            row = int(y - 0.5) - border
            dark |= {(row, int(x) + i - border) for i in range(int(a))}
            x += float(a)
    return dark


def test_enrolment_page_shows_the_otpauth_uri_as_an_inline_qr_code(people, client):
    post_login(client, "township_a")
    page = client.get(OTP_SETUP).content.decode()
    device = TOTPDevice.objects.get(user=people.township_a, confirmed=False)
    uri = device.config_url
    assert f"secret={base64.b32encode(device.bin_key).decode()}" in uri  # the phone gets this device's key
    expected = segno.make(uri, error="m")
    matrix = {(r, c) for r, row in enumerate(expected.matrix) for c, bit in enumerate(row) if bit}
    svg = svg_of(page)
    assert modules_drawn(svg) == matrix
    assert "<title>动态验证码二维码</title>" in svg and 'aria-label="动态验证码二维码"' in page
    # Markup only: no style attribute (CSP style-src 'self'), no script, no external reference.
    assert "style" not in svg and "<script" not in svg and "href" not in svg
    # The URI and the secret stay on the page for manual entry.
    assert security.base32_secret(device) in page and "otpauth://totp/" in page


def test_enrolment_qr_code_is_not_an_image_url_and_the_page_is_not_cached(people, client):
    post_login(client, "township_a")
    response = client.get(OTP_SETUP)
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=people.township_a, confirmed=False)
    secret = security.base32_secret(device)
    assert "<img" not in page
    urls = re.findall(r'(?:src|href|action)="([^"]*)"', page)
    assert urls and not any(secret in url or device.key in url for url in urls)
    assert "no-store" in response["Cache-Control"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@override_settings(OTP_TOTP_ISSUER='纪检<b id="x">&"')
def test_enrolment_page_escapes_the_issuer_in_the_uri(people, client):
    post_login(client, "township_a")
    page = client.get(OTP_SETUP).content.decode()
    device = TOTPDevice.objects.get(user=people.township_a, confirmed=False)
    uri = device.config_url
    assert "%3Cb%20id%3D%22x%22%3E" in uri  # URL-encoded by django-otp
    assert '<b id="x">' not in page
    assert modules_drawn(svg_of(page)) == {
        (r, c) for r, row in enumerate(segno.make(uri, error="m").matrix) for c, bit in enumerate(row) if bit
    }


def test_village_member_may_enrol_and_is_then_asked_for_a_code(people, client):
    post_login(client, "member_a")
    client.get(OTP_SETUP)
    device = TOTPDevice.objects.get(user=people.member_a, confirmed=False)
    assert client.post(OTP_SETUP, {"token": code_for(device)}).status_code == 302
    client.post("/accounts/logout/")

    other = Client()
    assert post_login(other, "member_a").url == OTP
    assert other.get("/").url == OTP


def test_anonymous_visitor_cannot_open_the_code_pages(db, client):
    assert client.get(OTP).url.startswith(LOGIN)
    assert client.get(OTP_SETUP).url.startswith(LOGIN)


# --- forced password change ------------------------------------------------------------------------


NEW_PASSWORD = "Brand-New-Pass9"


def test_first_login_forces_a_password_change(people, client):
    User.objects.filter(pk=people.member_a.pk).update(must_change_password=True)
    post_login(client, "member_a")
    response = client.get("/")
    assert response.status_code == 302 and response.url == PASSWORD_CHANGE
    assert client.get("/people/").url == PASSWORD_CHANGE
    response = client.post(
        PASSWORD_CHANGE,
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response.url == "/"
    assert is_signed_in(client)
    people.member_a.refresh_from_db()
    assert not people.member_a.must_change_password
    assert people.member_a.check_password(NEW_PASSWORD)


def test_staff_first_login_asks_the_code_before_the_password_change(people, client):
    User.objects.filter(pk=people.township_a.pk).update(must_change_password=True)
    device = add_device(people.township_a)
    post_login(client, "township_a")
    assert client.get("/").url == OTP
    client.post(OTP, {"token": code_for(device)})
    assert client.get("/").url == PASSWORD_CHANGE


def test_password_change_needs_the_current_password(people, client):
    post_login(client, "member_a")
    response = client.post(
        PASSWORD_CHANGE,
        {"old_password": "Not-The-Pass1", "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "当前密码错误" in response.content.decode()


def test_password_change_shows_the_policy_in_chinese(people, client):
    post_login(client, "member_a")
    response = client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": "short", "new_password2": "short"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "至少三类" in body


def test_password_change_refuses_mismatched_entries(people, client):
    post_login(client, "member_a")
    response = client.post(
        PASSWORD_CHANGE,
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
    )
    assert "两次输入的新密码不一致" in response.content.decode()


def test_password_change_keeps_the_session_and_rotates_its_id(people, client):
    post_login(client, "member_a")
    before = client.session.session_key
    client.post(
        PASSWORD_CHANGE,
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert client.session.session_key != before
    assert is_signed_in(client)
    people.member_a.refresh_from_db()
    assert people.member_a.current_session_key == client.session.session_key


# --- logout --------------------------------------------------------------------------------------


def test_logout_ends_the_session_and_is_audited(people, client):
    post_login(client, "member_a")
    response = client.post("/accounts/logout/")
    assert response.url == LOGIN
    assert not is_signed_in(client)
    assert events("logout", people.member_a).exists()
    people.member_a.refresh_from_db()
    assert people.member_a.current_session_key == ""


def test_logout_refuses_get(people, client):
    post_login(client, "member_a")
    assert client.get("/accounts/logout/").status_code == 405
    assert is_signed_in(client)


# --- CSRF ----------------------------------------------------------------------------------------


def test_login_post_without_csrf_token_is_refused(people):
    client = Client(enforce_csrf_checks=True)
    response = post_login(client, "member_a")
    assert response.status_code == 403
    assert not events("login.success").exists()


def test_login_post_with_csrf_token_is_accepted(people):
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value
    response = post_login(client, "member_a", csrfmiddlewaretoken=token)
    assert response.status_code == 302


def test_signed_in_post_without_csrf_token_is_refused(people):
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    post_login(client, "member_a", csrfmiddlewaretoken=client.cookies["csrftoken"].value)
    assert client.get("/").status_code == 200
    response = client.post(
        PASSWORD_CHANGE,
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 403
    people.member_a.refresh_from_db()
    assert people.member_a.check_password(PASSWORD)
    assert client.post("/accounts/logout/").status_code == 403
    assert client.get("/").status_code == 200


# --- `jijian otp USERNAME` -----------------------------------------------------------------------


def test_otp_command_prints_the_current_code_of_a_demo_account(people):
    User.objects.filter(pk=people.township_a.pk).update(is_demo=True)
    device = add_device(people.township_a)
    out = StringIO()
    call_command("otp", "township_a", stdout=out)
    printed = out.getvalue().strip()
    assert printed in {code_for(device, k) for k in (0, 1)}  # the step may turn between the two reads


def test_otp_command_code_signs_the_demo_account_in(people, client):
    User.objects.filter(pk=people.township_a.pk).update(is_demo=True)
    add_device(people.township_a)
    out = StringIO()
    call_command("otp", "township_a", stdout=out)
    post_login(client, "township_a")
    assert client.post(OTP, {"token": out.getvalue().strip()}).url == "/"


def test_otp_command_refuses_a_real_account(people):
    add_device(people.township_a)
    with pytest.raises(CommandError, match="只能查看演示账号"):
        call_command("otp", "township_a", stdout=StringIO())


def test_otp_command_refuses_an_unknown_account(db):
    with pytest.raises(CommandError, match="只能查看演示账号"):
        call_command("otp", "nobody", stdout=StringIO())


def test_otp_command_explains_a_demo_account_without_device(people):
    User.objects.filter(pk=people.member_a.pk).update(is_demo=True)
    with pytest.raises(CommandError, match="没有动态验证码设备"):
        call_command("otp", "member_a", stdout=StringIO())


# --- the step between password and second factor ------------------------------------------------
def test_the_code_page_shows_only_that_step_no_menu_and_no_unread_count(people, client):
    from jijian.core.notify import notify

    add_device(people.township_a)
    notify(recipient=people.township_a, title="待办", body="一件待办", dedup_key="t-1")
    post_login(client, "township_a")
    html = client.get(OTP).content.decode()
    assert "动态验证码" in html and "退出，换一个账号登录" in html
    assert 'class="mainnav"' not in html and 'class="badge"' not in html
    assert "/notifications/" not in html and "修改密码" not in html


def test_the_menu_comes_back_once_the_second_factor_is_given(people, client):
    device = add_device(people.township_a)
    post_login(client, "township_a")
    client.post(OTP, {"token": code_for(device)})
    assert 'class="mainnav"' in client.get("/").content.decode()


def test_favicon_answers_with_a_local_icon(db, client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert (
        b"".join(response.streaming_content if response.streaming else [response.content])[:4]
        == b"\x00\x00\x01\x00"
    )
