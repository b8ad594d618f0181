"""A security administrator resets the authenticator of a staff member who lost their phone: the
devices go, the session ends, the reset is audited with its reason, and the next sign-in enrols a new
authenticator through the real sign-in views."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.audit.models import AuditEvent
from jijian.core.accounts import security
from jijian.core.models import OtpEnrolmentCode, User
from jijian.core.roles import Role
from tests.conftest import make_user, sign_in
from tests.core.signin_helpers import LOGIN, OTP, OTP_SETUP, add_device, code_for, post_login

REASON = "手机丢失，已当面核实本人身份"


def issued_code(response) -> str:
    """The re-binding code shown once on the answer to a reset."""
    page = response.content.decode()
    match = re.search(r'<p class="secret"><code>(\d{10})</code></p>', page)
    assert match, page[:2000]
    return match.group(1)


def detail_url(user) -> str:
    return reverse("core:security_detail", args=[user.pk])


def reset(client, user, reason=REASON, seen=None):
    """The reset as sent from the account's page; `seen`: the factor as an older page showed it."""
    seen = security.otp_stamp(user) if seen is None else seen
    return client.post(detail_url(user), {"action": "reset_otp", "reason": reason, "seen": seen})


def resets():
    return AuditEvent.objects.filter(action="account.otp_reset")


@pytest.fixture
def staff(people):
    """township_a (厉山镇, 随县), signed in on their own client with a confirmed authenticator."""
    device = add_device(people.township_a)
    client = Client()
    sign_in(client, people.township_a)
    assert client.get("/").status_code == 200
    return people.township_a, device, client


def assert_untouched(user, device, client):
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()
    assert client.get("/").status_code == 200
    assert not resets().exists()


# --- the reset ------------------------------------------------------------------------------------


def test_security_admin_resets_a_lost_authenticator(people, staff, login):
    user, device, user_client = staff
    TOTPDevice.objects.create(user=user, name="半途", confirmed=False)
    admin = login(people.security_admin)

    response = reset(admin, user)

    # The re-binding code is in this answer only, never cached, stored as a keyed hash.
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    code = issued_code(response)
    pending = OtpEnrolmentCode.objects.get(user=user)
    assert code not in pending.code_hash and pending.issued_by_id == people.security_admin.pk
    assert pending.expires_at > timezone.now() + timedelta(hours=security.OTP_ENROLMENT_CODE_HOURS - 1)
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert user_client.get("/").url.startswith(LOGIN)  # the session signed in with the lost phone ended
    assert User.objects.get(pk=user.pk).current_session_key == ""
    event = resets().get()
    assert event.actor_id == people.security_admin.pk
    assert (event.object_type, event.object_id) == ("core.user", str(user.pk))
    assert event.after["reason"] == REASON and REASON in event.summary
    # sign_in() gave the account a confirmed "test" device too: 2 confirmed + 1 half-enrolled.
    assert event.after["devices"] == 3 and event.after["confirmed"] == 2
    assert event.after["session_ended"] is True and event.after["code_issued"] is True
    assert code not in json.dumps(event.after) and code not in event.summary
    page = admin.get(detail_url(user)).content.decode()
    assert "等待本人凭重新绑定码绑定新验证器" in page and code not in page


def test_reset_leaves_other_accounts_devices_alone(people, staff, login):
    user, _device, _client = staff
    other = add_device(people.township_b)
    reset(login(people.security_admin), user)
    assert TOTPDevice.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_reset_without_a_reason_changes_nothing(people, staff, login, reason):
    user, device, user_client = staff
    response = reset(login(people.security_admin), user, reason)
    assert response.status_code == 400
    assert "请填写重置原因" in response.content.decode()
    assert_untouched(user, device, user_client)


def test_reset_with_an_overlong_reason_changes_nothing(people, staff, login):
    user, device, user_client = staff
    response = reset(login(people.security_admin), user, "丢" * 201)
    assert "重置原因不能超过 200 字" in response.content.decode()
    assert_untouched(user, device, user_client)


def test_reset_of_an_account_without_authenticator_is_refused(people, login):
    response = reset(login(people.security_admin), people.township_b)
    assert response.status_code == 400
    assert "该账号尚未启用动态验证码" in response.content.decode()
    assert not resets().exists()
    assert not AuditEvent.objects.filter(object_id=str(people.township_b.pk), action="session.end").exists()


def test_the_service_refuses_a_missing_reason(people, staff):
    user, device, user_client = staff
    with pytest.raises(ValidationError, match="请填写重置原因"):
        security.otp_reset(actor=people.security_admin, user=user, reason="  ")
    assert_untouched(user, device, user_client)


def test_an_administrator_cannot_reset_their_own_authenticator(people):
    admin = people.security_admin
    device = add_device(admin)
    with pytest.raises(ValidationError, match="不能重置自己的动态验证码"):
        security.otp_reset(actor=admin, user=admin, reason=REASON)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not resets().exists()


def test_own_account_page_is_a_404_and_nothing_changes(people, login):
    admin = people.security_admin
    client = login(admin)  # sign_in gives the administrator a confirmed device
    assert client.get(detail_url(admin)).status_code == 404
    assert reset(client, admin).status_code == 404
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()
    assert not resets().exists()


def test_the_service_refuses_an_account_outside_the_actors_jurisdiction(tree, people, staff):
    user, device, user_client = staff
    other_county_admin = make_user("security_gs", tree.other_county, Role.SECURITY_ADMIN)
    with pytest.raises(PermissionDenied):
        security.otp_reset(actor=other_county_admin, user=user, reason=REASON)
    with pytest.raises(PermissionDenied):
        security.otp_reset(actor=people.system_admin, user=user, reason=REASON)
    assert_untouched(user, device, user_client)


def test_a_county_security_admin_resets_inside_the_county(tree, staff, login):
    user, _device, _client = staff
    county_admin = make_user("security_sx", tree.county, Role.SECURITY_ADMIN)
    assert reset(login(county_admin), user).status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()


# --- outsiders ------------------------------------------------------------------------------------


OUTSIDERS = ["other_county_security_admin", "county_officer", "system_admin", "audit_admin", "township_b"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_and_change_nothing(tree, people, staff, who):
    user, device, user_client = staff
    if who == "other_county_security_admin":
        actor = make_user("security_gs", tree.other_county, Role.SECURITY_ADMIN)
    else:
        actor = getattr(people, who)
    client = Client()
    sign_in(client, actor)
    assert client.get(detail_url(user)).status_code == 404
    assert reset(client, user).status_code == 404
    assert_untouched(user, device, user_client)


# --- the page --------------------------------------------------------------------------------------


def test_the_page_shows_whether_the_account_has_an_authenticator(people, login):
    admin = login(people.security_admin)
    page = admin.get(detail_url(people.township_a)).content.decode()
    assert "未启用" in page and "无需重置" in page and 'value="reset_otp"' not in page

    TOTPDevice.objects.create(user=people.township_a, name="半途", confirmed=False)
    page = admin.get(detail_url(people.township_a)).content.decode()
    assert "绑定中" in page and 'value="reset_otp"' in page

    add_device(people.township_a)
    page = admin.get(detail_url(people.township_a)).content.decode()
    assert "已启用" in page and 'value="reset_otp"' in page and 'name="reason"' in page


def test_role_form_on_the_same_page_still_grants_and_is_not_touched_by_a_reset(people, staff, login):
    user, _device, _client = staff
    admin = login(people.security_admin)
    officer = people.county_officer  # (a petition-office role fits a county account, not a township's)
    response = admin.post(detail_url(officer), {"action": "grant", "role": Role.PETITION_OFFICE})
    assert response.status_code == 302
    assert User.objects.get(pk=officer.pk).has_role(Role.PETITION_OFFICE)
    page = reset(admin, user, "").content.decode()
    assert "请填写重置原因" in page and "这个字段是必填项" not in page


# --- the next sign-in -------------------------------------------------------------------------------


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)  # the wrong code below must not delay the right one
def test_after_a_reset_the_next_sign_in_enrols_a_new_authenticator_with_the_code(people, staff, login):
    user, old_device, _client = staff
    old_code = code_for(old_device)
    code = issued_code(reset(login(people.security_admin), user))

    client = Client()
    response = post_login(client, user.username)
    assert response.status_code == 302 and response.url == OTP_SETUP
    assert client.get(OTP).url == OTP_SETUP
    assert client.get("/").url == OTP  # no page before the second factor
    page = client.get(OTP_SETUP)
    assert page.status_code == 200 and 'name="enrol_code"' in page.content.decode()
    new_device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert new_device.key != old_device.key

    # The password and a new phone are not enough: the code the administrator handed over is asked for.
    refused = client.post(OTP_SETUP, {"token": code_for(new_device)})
    assert refused.status_code == 200 and "请输入安全管理员交给您的重新绑定码" in refused.content.decode()
    refused = client.post(OTP_SETUP, {"token": old_code, "enrol_code": code})  # the lost phone's code
    assert refused.status_code == 200 and "动态验证码错误" in refused.content.decode()
    assert OtpEnrolmentCode.objects.filter(user=user).exists()  # not used up by a failed attempt
    response = client.post(
        OTP_SETUP, {"token": code_for(new_device), "enrol_code": f" {code[:5]} {code[5:]} "}
    )
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200
    new_device.refresh_from_db()
    assert new_device.confirmed and not OtpEnrolmentCode.objects.filter(user=user).exists()
    enrolled = AuditEvent.objects.filter(action="login.otp_enrolled", object_id=str(user.pk)).latest("pk")
    assert enrolled.after == {"after_reset": True}

    client.post("/accounts/logout/")
    again = Client()
    assert post_login(again, user.username).url == OTP  # the new authenticator is now the one asked for


def test_a_wrong_code_enrols_nothing_and_counts_as_a_failed_sign_in(people, staff, login):
    user, _device, _client = staff
    code = issued_code(reset(login(people.security_admin), user))
    client = Client()
    post_login(client, user.username)
    client.get(OTP_SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = "0123456789" if code != "0123456789" else "9876543210"
    failures = User.objects.get(pk=user.pk).failed_login_count
    response = client.post(OTP_SETUP, {"token": code_for(device), "enrol_code": wrong})
    assert response.status_code == 200 and "重新绑定码错误" in response.content.decode()
    assert User.objects.get(pk=user.pk).failed_login_count == failures + 1
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert AuditEvent.objects.filter(action="login.failed", object_id=str(user.pk)).exists()


def test_an_expired_code_is_refused_and_a_new_reset_issues_another(people, staff, login):
    user, _device, _client = staff
    admin = login(people.security_admin)
    old = issued_code(reset(admin, user))
    OtpEnrolmentCode.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    client = Client()
    post_login(client, user.username)
    client.get(OTP_SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(OTP_SETUP, {"token": code_for(device), "enrol_code": old})
    assert "重新绑定码已过期" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    # No authenticator left, but a code pending: the administrator can issue a new one.
    page = admin.get(detail_url(user)).content.decode()
    assert 'value="reset_otp"' in page
    new = issued_code(reset(admin, user, "绑定码过期，重新签发"))
    assert new != old and OtpEnrolmentCode.objects.filter(user=user).count() == 1
    assert resets().latest("pk").after["code_reissued"] is True
    client = Client()
    post_login(client, user.username)
    client.get(OTP_SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(OTP_SETUP, {"token": code_for(device), "enrol_code": new})
    assert response.status_code == 302


def test_a_session_at_the_code_prompt_when_the_reset_happens_cannot_enrol_without_the_code(
    people, staff, login
):
    """Someone who has the password and is waiting at the second-factor prompt when the account is
    reset is sent to enrolment, where the code is asked for: the password alone never becomes two factors."""
    user, _device, _client = staff
    lurker = Client()
    post_login(lurker, user.username)
    assert lurker.get("/").url == OTP
    reset(login(people.security_admin), user)
    assert lurker.get(OTP).url == OTP_SETUP
    lurker.get(OTP_SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = lurker.post(OTP_SETUP, {"token": code_for(device)})
    assert response.status_code == 200 and not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert lurker.get("/").url == OTP


def test_a_village_member_after_reset_signs_in_with_the_password_alone(people, login):
    """A village member's authenticator is voluntary: after a reset there is nothing owed."""
    add_device(people.member_a)
    response = reset(login(people.security_admin), people.member_a)
    assert response.status_code == 302  # no code to hand over
    assert not OtpEnrolmentCode.objects.filter(user=people.member_a).exists()
    assert resets().get().after["code_issued"] is False
    client = Client()
    response = post_login(client, "member_a")
    assert response.status_code == 302 and response.url == "/"
