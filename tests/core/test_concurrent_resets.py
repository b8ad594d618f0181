"""Two administrators resetting the same account: the reset form carries what its page showed (the
second factor as it stood; when the password was last set), and a reset sent from a page that another
administrator's reset has made stale is refused, saying who reset it and when; nothing changes. Sent
again from the page shown with the refusal, it goes through (a deliberate second reset)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jijian.audit.models import AuditEvent
from jijian.core.models import OtpEnrolmentCode
from jijian.core.roles import Role
from tests.conftest import make_user, sign_in
from tests.core.signin_helpers import add_device

pytestmark = pytest.mark.django_db
REASON = "手机丢失，已当面核实本人身份"


def seen_on(page: str) -> str:
    (value,) = re.findall(r'name="seen"(?: value="([^"]*)")?', page)  # no value: never set
    return value


def second_admin(people, role, name):
    user = make_user(name, people.security_admin.org_unit, role)
    client = Client()
    sign_in(client, user)
    return user, client


def test_a_second_factor_reset_from_a_stale_page_is_refused_and_names_the_first(people, login):
    add_device(people.township_a)
    url = reverse("core:security_detail", args=[people.township_a.pk])
    first = login(people.security_admin)
    seen = seen_on(first.get(url).content.decode())
    other, other_client = second_admin(people, Role.SECURITY_ADMIN, "security_admin_2")
    other_page = other_client.get(url).content.decode()
    answer = other_client.post(
        url, {"action": "reset_otp", "reason": "手机更换", "seen": seen_on(other_page)}
    )
    assert re.search(r'<p class="secret"><code>\d{10}</code></p>', answer.content.decode())
    pending = OtpEnrolmentCode.objects.get(user=people.township_a)

    response = first.post(url, {"action": "reset_otp", "reason": REASON, "seen": seen})
    assert response.status_code == 400  # refused, as every refused page action, with the form again
    page = response.content.decode()
    at = f"{timezone.localtime(pending.issued_at):%Y-%m-%d %H:%M}"
    assert f"该账号的动态验证码已由{other.full_name}于 {at} 重置，本次未重置" in page
    assert '<p class="secret">' not in page  # no code of this refused reset
    assert OtpEnrolmentCode.objects.get(user=people.township_a).code_hash == pending.code_hash
    assert AuditEvent.objects.filter(action="account.otp_reset").count() == 1
    assert f'value="{REASON}"' in page  # the reason as typed
    # The page shown with the refusal carries the factor as it stands: sent again, it resets.
    again = first.post(url, {"action": "reset_otp", "reason": REASON, "seen": seen_on(page)})
    assert '<p class="secret">' in again.content.decode()
    assert AuditEvent.objects.filter(action="account.otp_reset").count() == 2


def test_a_password_reset_from_a_stale_page_is_refused_and_says_when(people, login):
    url = reverse("core:account_detail", args=[people.member_a.pk])
    first = login(people.system_admin)
    seen = seen_on(first.get(url).content.decode())
    _, other_client = second_admin(people, Role.SYSTEM_ADMIN, "system_admin_2")
    other_seen = seen_on(other_client.get(url).content.decode())
    other_client.post(url, {"action": "reset_password", "password": "Xinmima-2026!q", "seen": other_seen})
    people.member_a.refresh_from_db()
    assert people.member_a.check_password("Xinmima-2026!q")
    at = f"{timezone.localtime(people.member_a.password_changed_at):%Y-%m-%d %H:%M}"

    response = first.post(url, {"action": "reset_password", "password": "Linshi-2026!zz", "seen": seen})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"该账号的密码已由他人于 {at} 重置，本次未重置" in page
    people.member_a.refresh_from_db()
    assert people.member_a.check_password("Xinmima-2026!q")
    assert AuditEvent.objects.filter(action="user.password_reset").count() == 1
    again = first.post(url, {"action": "reset_password", "password": "Linshi-2026!zz", "seen": seen_on(page)})
    assert again.status_code == 302
    people.member_a.refresh_from_db()
    assert people.member_a.check_password("Linshi-2026!zz")


def test_a_password_form_error_keeps_the_page_it_was_sent_from(people, login):
    """A reset sent without a password is refused by the form; the form keeps the stamp of the page it
    came from, so a reset by someone else meanwhile is still caught on the next send."""
    url = reverse("core:account_detail", args=[people.member_a.pk])
    first = login(people.system_admin)
    seen = seen_on(first.get(url).content.decode())
    _, other_client = second_admin(people, Role.SYSTEM_ADMIN, "system_admin_2")
    other_seen = seen_on(other_client.get(url).content.decode())
    other_client.post(url, {"action": "reset_password", "password": "Xinmima-2026!q", "seen": other_seen})
    empty = first.post(url, {"action": "reset_password", "password": "", "seen": seen}).content.decode()
    assert "请填写临时密码" in empty and seen_on(empty) == seen
    refused = first.post(
        url, {"action": "reset_password", "password": "Linshi-2026!zz", "seen": seen_on(empty)}
    )
    assert "本次未重置" in refused.content.decode()
