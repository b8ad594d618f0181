"""Usernames cannot be enumerated from the sign-in page: after repeated failures a known account and
an unknown username get the same answer, at the cost of one password hash each (a locked account's
refusal included); the owner of the locked account learns of the lock by notification."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client, override_settings

from jijian.core.accounts import security
from jijian.core.models import DeliveryChannel, Notification, NotificationDelivery, User
from tests.conftest import PASSWORD
from tests.core.signin_helpers import post_login


@pytest.fixture
def hashes(monkeypatch):
    """Password hashes computed (the tests' hasher; every check and every make_password is one)."""
    calls = []
    original = MD5PasswordHasher.encode

    def encode(self, password, salt):
        calls.append(password)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", encode)
    return calls


def answer(response) -> str:
    """The error the page shows (the form's non-field errors)."""
    assert response.status_code == 200
    found = re.findall(
        r'<div class="errors"[^>]*role="alert"[^>]*>(.*?)</div>', response.content.decode(), re.S
    )
    assert found, "no error shown"
    items = [li for f in found for li in re.findall(r"<li>(.*?)</li>", f, re.S)]  # the summary's errors
    return " ".join(re.sub(r"<[^>]+>", "", f).strip() for f in items)


@override_settings(LOGIN_FAILURE_LIMIT=5, RATE_LIMIT_LOGIN_PER_MINUTE=1000, RATE_LIMIT_ANON_PER_MINUTE=1000)
def test_a_known_and_an_unknown_username_answer_alike_after_repeated_failures(people, hashes):
    known, unknown = [], []
    for username, answers in (("member_a", known), ("no_such_person", unknown)):
        client = Client()
        for _ in range(8):
            hashes.clear()
            answers.append((answer(post_login(client, username, "Wrong-Passw0rd!")), len(hashes)))
    assert known == unknown
    assert {a for a, _ in known} == {security.LOGIN_FAILED}
    assert {n for _, n in known} == {1}  # one hash per try, locked or not: one timing class
    assert User.objects.get(pk=people.member_a.pk).locked_until is not None


@override_settings(LOGIN_FAILURE_LIMIT=5, RATE_LIMIT_LOGIN_PER_MINUTE=1000)
def test_a_locked_account_answers_as_a_wrong_password_even_with_the_right_one(people, hashes):
    client = Client()
    for _ in range(5):
        post_login(client, "member_a", "Wrong-Passw0rd!")
    hashes.clear()
    response = post_login(client, "member_a", PASSWORD)
    assert answer(response) == security.LOGIN_FAILED and len(hashes) == 1
    assert "账号已暂时锁定" not in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_FAILURE_LIMIT=5, RATE_LIMIT_LOGIN_PER_MINUTE=1000)
def test_the_owner_is_told_of_the_lock_by_notification(people):
    User.objects.filter(pk=people.member_a.pk).update(phone="13800000000")
    client = Client()
    for _ in range(4):
        post_login(client, "member_a", "Wrong-Passw0rd!")
    assert not Notification.objects.filter(recipient=people.member_a).exists()
    post_login(client, "member_a", "Wrong-Passw0rd!")
    note = Notification.objects.get(recipient=people.member_a)
    assert "锁定" in note.title and "member_a" in note.body and "安全管理员" in note.body
    assert NotificationDelivery.objects.filter(notification=note, channel=DeliveryChannel.SMS).exists()
    post_login(client, "member_a", "Wrong-Passw0rd!")  # refused while locked: no second notice
    assert Notification.objects.filter(recipient=people.member_a).count() == 1
