"""Sessions: id rotated at sign-in, one active session per user, idle timeout, ended by an
administrator."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.audit.models import AuditEvent
from jijian.core.accounts import security
from jijian.core.models import User
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
OTP = "/accounts/otp/"


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def sign_in(client, username):
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def code_for(device) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def set_last_seen(client, seconds_ago: float) -> None:
    session = client.session
    session[security.LAST_SEEN_SESSION_KEY] = time.time() - seconds_ago
    session.save()


# --- rotation ------------------------------------------------------------------------------------


def test_session_id_changes_at_sign_in(people, client):
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    sign_in(client, "member_a")
    after = client.session.session_key
    assert before != after
    assert not Session.objects.filter(session_key=before).exists()


def test_sign_in_binds_the_new_session_to_the_account(people, client):
    sign_in(client, "member_a")
    people.member_a.refresh_from_db()
    assert people.member_a.current_session_key == client.session.session_key


# --- one session per user ------------------------------------------------------------------------


def test_a_new_sign_in_ends_the_old_session(people):
    first, second = Client(), Client()
    sign_in(first, "member_a")
    assert first.get("/").status_code == 200
    old_key = first.session.session_key
    sign_in(second, "member_a")
    assert second.get("/").status_code == 200
    response = first.get("/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert not Session.objects.filter(session_key=old_key).exists()


def test_a_surviving_old_session_is_ended_by_the_guard(people):
    """Even if the old session's row were still there (another session engine, a race), the account
    names its one current session and the guard ends the other."""
    first, second = Client(), Client()
    sign_in(first, "member_a")
    row = Session.objects.get(session_key=first.session.session_key)
    sign_in(second, "member_a")
    assert not Session.objects.filter(session_key=row.session_key).exists()
    Session.objects.create(
        session_key=row.session_key, session_data=row.session_data, expire_date=row.expire_date
    )
    response = first.get("/")
    assert response.status_code == 302 and "reason=replaced" in response.url
    assert "其他地方登录" in first.get(response.url).content.decode()


def test_other_users_sessions_are_untouched(people):
    member, officer = Client(), Client()
    sign_in(member, "member_a")
    device = TOTPDevice.objects.create(user=people.township_a, name="手机", confirmed=True)
    sign_in(officer, "township_a")
    officer.post(OTP, {"token": code_for(device)})
    assert member.get("/").status_code == 200
    assert officer.get("/").status_code == 200


def test_a_password_alone_does_not_end_the_owners_session(people):
    device = TOTPDevice.objects.create(user=people.township_a, name="手机", confirmed=True)
    owner, intruder = Client(), Client()
    sign_in(owner, "township_a")
    owner.post(OTP, {"token": code_for(device)})
    assert owner.get("/").status_code == 200
    sign_in(intruder, "township_a")  # knows the password, not the code
    assert intruder.get("/").url == OTP
    assert owner.get("/").status_code == 200


def test_completing_the_second_factor_ends_the_older_session(people):
    device = TOTPDevice.objects.create(user=people.township_a, name="手机", confirmed=True)
    old, new = Client(), Client()
    sign_in(old, "township_a")
    old.post(OTP, {"token": code_for(device)})
    sign_in(new, "township_a")
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # let the test reuse this step's code
    assert new.post(OTP, {"token": code_for(device)}).status_code == 302
    assert new.get("/").status_code == 200
    assert old.get("/").url.startswith(LOGIN)


# --- idle timeout --------------------------------------------------------------------------------


def test_idle_session_is_ended_after_thirty_minutes(people, client):
    sign_in(client, "member_a")
    set_last_seen(client, 31 * 60)
    response = client.get("/people/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN) and "reason=idle" in response.url
    assert client.get("/").url.startswith(LOGIN)  # signed out, not only redirected


def test_idle_notice_is_shown_on_the_sign_in_page(people, client):
    sign_in(client, "member_a")
    set_last_seen(client, 31 * 60)
    response = client.get("/people/", follow=True)
    body = response.content.decode()
    assert "您已长时间未操作，请重新登录" in body
    assert 'name="next" value="/people/"' in body


def test_activity_within_the_timeout_keeps_the_session(people, client):
    sign_in(client, "member_a")
    set_last_seen(client, 29 * 60)
    assert client.get("/").status_code == 200
    assert time.time() - client.session[security.LAST_SEEN_SESSION_KEY] < 5  # the clock was reset


def test_default_idle_timeout_is_thirty_minutes(settings):
    assert settings.IDLE_TIMEOUT_MINUTES == 30


@override_settings(IDLE_TIMEOUT_MINUTES=5)
def test_idle_timeout_follows_the_setting(people, client):
    sign_in(client, "member_a")
    set_last_seen(client, 6 * 60)
    assert client.get("/").url.startswith(LOGIN)


def test_idle_timeout_applies_to_the_api_session_too(people, client):
    sign_in(client, "member_a")
    assert client.get("/api/me").status_code == 200
    set_last_seen(client, 31 * 60)
    assert client.get("/api/me").status_code == 401


def test_idle_timeout_on_an_htmx_request_asks_for_a_full_redirect(people, client):
    sign_in(client, "member_a")
    set_last_seen(client, 31 * 60)
    response = client.get("/people/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(LOGIN)


def test_pending_second_factor_is_also_subject_to_the_idle_timeout(people, client):
    TOTPDevice.objects.create(user=people.township_a, name="手机", confirmed=True)
    sign_in(client, "township_a")
    set_last_seen(client, 31 * 60)
    assert client.get(OTP).url.startswith(LOGIN)


# --- ended by an administrator --------------------------------------------------------------------


def test_security_admin_ends_a_users_session(people, client, login):
    member = Client()
    sign_in(member, "member_a")
    assert member.get("/").status_code == 200
    admin = login(people.security_admin)
    response = admin.post(
        reverse("core:security_detail", args=[people.member_a.pk]), {"action": "end_sessions"}
    )
    assert response.status_code == 302
    assert member.get("/").url.startswith(LOGIN)
    event = AuditEvent.objects.get(action="session.end")
    assert event.actor_id == people.security_admin.pk and event.object_id == str(people.member_a.pk)
    people.member_a.refresh_from_db()
    assert people.member_a.current_session_key == ""


def test_ended_user_can_sign_in_again(people, client):
    sign_in(client, "member_a")
    security.sessions_end(actor=people.security_admin, user=User.objects.get(pk=people.member_a.pk))
    assert client.get("/").url.startswith(LOGIN)
    sign_in(client, "member_a")
    assert client.get("/").status_code == 200


def test_only_the_security_admin_can_end_sessions(people, client, login):
    member = Client()
    sign_in(member, "member_a")
    other = login(people.township_a)
    response = other.post(
        reverse("core:security_detail", args=[people.member_a.pk]), {"action": "end_sessions"}
    )
    assert response.status_code in (403, 404)
    assert member.get("/").status_code == 200
    assert not AuditEvent.objects.filter(action="session.end").exists()


def test_the_account_pages_lead_back_to_their_list_and_say_what_the_buttons_do(people, login):
    from django.urls import reverse

    security = login(people.security_admin).get(reverse("core:security_detail", args=[people.member_a.pk]))
    html = security.content.decode()
    assert f'<p class="breadcrumb"><a href="{reverse("core:security_list")}">角色与安全</a>' in html
    assert "强制下线：结束该账号正在使用的会话" in html and "解除锁定：清除连续登录失败造成的锁定" in html
    admin = login(people.system_admin).get(reverse("core:account_detail", args=[people.member_a.pk]))
    assert (
        f'<p class="breadcrumb"><a href="{reverse("core:account_list")}">账号管理</a>'
        in admin.content.decode()
    )
