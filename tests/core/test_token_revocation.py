"""API tokens do not outlive what ends a user's session (issue 22 item 2): ending the sessions,
a lockout, disabling, a password reset and an authenticator reset revoke every token of the user;
a token cannot create tokens; the user sees and revokes their own tokens on a page."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.core.accounts import security
from jijian.core.api.auth import api_token_create
from jijian.core.api.models import ApiToken
from jijian.core.models import User
from jijian.core.services import user_set_active, user_set_password
from tests.conftest import PASSWORD, sign_in
from tests.core.signin_helpers import add_device


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def answers(raw: str) -> int:
    return Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code


def two_tokens(user) -> list[str]:
    raws = [api_token_create(actor=user, name=name)[1] for name in ("手机", "平板")]
    assert [answers(raw) for raw in raws] == [200, 200]
    return raws


def assert_all_revoked(user, raws, reason):
    assert [answers(raw) for raw in raws] == [401, 401]
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="api_token.revoke_all", object_id=str(user.pk))
    assert event.after == {"revoked": 2, "reason": reason}


def test_ending_a_users_sessions_revokes_their_tokens(people, login):
    raws = two_tokens(people.member_a)
    other = api_token_create(actor=people.township_a, name="手机")[1]
    admin = login(people.security_admin)
    response = admin.post(
        reverse("core:security_detail", args=[people.member_a.pk]), {"action": "end_sessions"}
    )
    assert response.status_code == 302
    assert_all_revoked(people.member_a, raws, "强制下线")
    assert answers(other) == 200  # someone else's token is untouched


def test_an_authenticator_reset_revokes_the_users_tokens(people):
    add_device(people.township_a)
    raws = two_tokens(people.township_a)
    security.otp_reset(actor=people.security_admin, user=people.township_a, reason="手机丢失")
    assert_all_revoked(people.township_a, raws, "重置动态验证码")


def test_an_administrators_password_reset_revokes_the_users_tokens(people):
    raws = two_tokens(people.member_a)
    user_set_password(
        actor=people.system_admin, user=people.member_a, password="Xq7!tempPassw0rd", temporary=True
    )
    assert_all_revoked(people.member_a, raws, "重置密码")


def test_disabling_an_account_revokes_its_tokens_for_good(people):
    raws = two_tokens(people.member_a)
    member = people.member_a
    user_set_active(
        actor=people.system_admin, user=member, is_active=False, reason="调离", version=member.version
    )
    user_set_active(
        actor=people.system_admin, user=member, is_active=True, reason="返岗", version=member.version
    )
    assert_all_revoked(people.member_a, raws, "停用账号")


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_LOCKOUT_BASE_SECONDS=60)
def test_a_lockout_revokes_the_users_tokens(people):
    raws = two_tokens(people.member_a)
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"username": "member_a", "password": "wrong-password"})
    assert User.objects.get(pk=people.member_a.pk).locked_until is not None
    assert_all_revoked(people.member_a, raws, "账号锁定")


def test_a_token_cannot_create_tokens(people):
    _, raw = api_token_create(actor=people.township_a, name="手机")
    response = Client().post(
        "/api/tokens",
        data=json.dumps({"name": "child"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 401
    assert ApiToken.objects.filter(user=people.township_a).count() == 1


def test_a_session_that_still_owes_its_second_factor_cannot_create_tokens(people):
    add_device(people.township_a)
    client = Client()
    client.post("/accounts/login/", {"username": "township_a", "password": PASSWORD})
    response = client.post("/api/tokens", data=json.dumps({"name": "x"}), content_type="application/json")
    assert response.status_code == 401
    assert not ApiToken.objects.exists()


def test_the_user_sees_and_revokes_their_own_tokens_on_a_page(people, login):
    mine, raw = api_token_create(actor=people.member_a, name="我的手机")
    theirs, _ = api_token_create(actor=people.township_a, name="别人的平板")
    client = login(people.member_a)
    page = client.get(reverse("core:token_list")).content.decode()
    assert "我的手机" in page and f"jj_{mine.prefix}" in page and "别人的平板" not in page
    response = client.post(reverse("core:token_revoke", args=[mine.pk]))
    assert response.status_code == 302
    assert answers(raw) == 401
    assert f"jj_{mine.prefix}" not in client.get(reverse("core:token_list")).content.decode()
    # Someone else's token is a 404, as a missing one, and stays live.
    assert client.post(reverse("core:token_revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_revoking_on_the_page_needs_the_csrf_token(people):
    token, raw = api_token_create(actor=people.member_a, name="手机")
    client = Client(enforce_csrf_checks=True)
    sign_in(client, people.member_a)
    assert client.post(reverse("core:token_revoke", args=[token.pk])).status_code == 403
    assert answers(raw) == 200


def test_the_tokens_are_under_my_account_not_on_every_page(people, login):
    """The header names the account page only; the account page leads to the password and to the
    tokens, counting the user's own live ones."""
    api_token_create(actor=people.member_a, name="我的手机")
    api_token_create(actor=people.township_a, name="别人的平板")
    client = login(people.member_a)
    home = client.get(reverse("core:home")).content.decode()
    header = home.split("</header>")[0]
    assert reverse("core:token_list") not in header and reverse("core:password_change") not in header
    assert f'href="{reverse("core:my_account")}"' in header
    page = client.get(reverse("core:my_account"))
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("core:token_list") in body and reverse("core:password_change") in body
    assert people.member_a.full_name in body and people.member_a.username in body
    assert '<span class="badge">1</span>' in body  # member_a's one token, not township_a's
