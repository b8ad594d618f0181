"""Flood and guessing limits: submissions per address, lookups per address, and failed lookups for
the whole site (a botnet does not escape it)."""

from __future__ import annotations

import hashlib
import itertools
import re
import time
from types import SimpleNamespace

import pytest
from django.urls import reverse

from jijian.petitions.intake import pow, receipt, throttle
from jijian.petitions.models import PetitionReport
from tests.petitions.helpers import form_data, receipt_from, submit

pytestmark = pytest.mark.django_db
FOLLOW = reverse("petitions:follow")


@pytest.fixture(autouse=True)
def steady_brake_clock(monkeypatch):
    """The brake counts over a sliding sixty seconds: a test that crossed a minute saw its count fade
    (last minute's failures weigh less) and the brake let go halfway (a CI run failed so, with a
    twenty-bit proof of work solved in between). The brake's clock stands in the middle of a minute."""
    now = time.time()
    still = now - now % throttle.WINDOW + throttle.WINDOW / 2
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: still))


def test_submissions_are_limited_per_address(client, tree, settings):
    settings.PETITION_SUBMIT_PER_MINUTE = 2
    for _ in range(2):
        assert submit(client, form_data(tree), REMOTE_ADDR="198.51.100.1").status_code == 200
    blocked = submit(client, form_data(tree), REMOTE_ADDR="198.51.100.1")
    assert blocked.status_code == 429 and "请求过于频繁" in blocked.content.decode()
    assert PetitionReport.objects.count() == 2
    assert submit(client, form_data(tree), REMOTE_ADDR="198.51.100.2").status_code == 200


def test_lookups_are_limited_per_address(client, tree, settings):
    settings.PETITION_FOLLOW_PER_MINUTE = 3
    url = reverse("petitions:follow")
    for _ in range(3):
        # refused: a wrong code
        assert client.post(url, {"code": "1" * 20}, REMOTE_ADDR="198.51.100.1").status_code == 400
    assert client.post(url, {"code": "1" * 20}, REMOTE_ADDR="198.51.100.1").status_code == 429


def brake_on(client, settings, tree, limit=3) -> str:
    """Engage the brake with wrong guesses from several addresses; the receipt code of a real report."""
    settings.PETITION_FOLLOW_FAILS_PER_MINUTE = limit
    code = receipt_from(submit(client, form_data(tree)))
    for i in range(limit):
        assert client.post(FOLLOW, {"code": "1" * 20}, REMOTE_ADDR=f"198.51.100.{i}").status_code == 400
    return code


def zero_bits(challenge: str, nonce: int) -> int:
    return pow.leading_zero_bits(hashlib.sha256(f"{challenge}{nonce}".encode()).digest())


def lookup_work(response) -> dict:
    """The brake's challenge on a page, solved (what pow.js does in the browser)."""
    challenge = re.search(r'name="pow_challenge" value="([^"]+)"', response.content.decode()).group(1)
    return {"pow_challenge": challenge, "pow_nonce": pow.solve(challenge, pow.lookup_difficulty())}


def test_under_the_brake_a_lookup_without_work_gets_a_challenge_and_costs_no_hash(
    client, tree, settings, monkeypatch
):
    code = brake_on(client, settings, tree)
    monkeypatch.setattr(receipt, "receipt_hash", lambda *a: pytest.fail("hashed under the brake"))
    response = client.post(FOLLOW, {"code": code}, REMOTE_ADDR="198.51.100.200")
    assert response.status_code == 429
    page = response.content.decode()
    assert "安全验证" in page and 'data-pow-autosubmit="1"' in page and "系统繁忙" not in page
    assert "petitions.follow" not in client.session


def test_under_the_brake_the_owner_of_a_right_code_gets_in_with_the_work(client, tree, settings):
    settings.PETITION_FOLLOW_BRAKE_POW_BITS = 8
    code = brake_on(client, settings, tree)
    challenged = client.post(FOLLOW, {"code": code}, REMOTE_ADDR="198.51.100.200")
    response = client.post(FOLLOW, {"code": code, **lookup_work(challenged)}, REMOTE_ADDR="198.51.100.200")
    assert response.status_code == 302
    assert "petitions.follow" in client.session


def test_under_the_brake_a_guess_with_the_work_still_counts_and_keeps_the_brake_on(client, tree, settings):
    settings.PETITION_FOLLOW_BRAKE_POW_BITS = 8
    brake_on(client, settings, tree)
    page = client.get(FOLLOW)
    assert "data-pow-challenge" in page.content.decode()  # the form carries the work from the start
    wrong = client.post(FOLLOW, {"code": "2" * 20, **lookup_work(page)}, REMOTE_ADDR="198.51.100.9")
    assert wrong.status_code == 400 and "查询码不正确" in wrong.content.decode()
    assert throttle.engaged()


def test_the_brakes_work_is_its_own_and_used_once(client, tree, settings):
    settings.PETITION_FOLLOW_BRAKE_POW_BITS = 8
    code = brake_on(client, settings, tree)
    submit_challenge = pow.challenge_issue()  # work for a submission does not open a lookup
    work = {"pow_challenge": submit_challenge, "pow_nonce": pow.solve(submit_challenge, 20)}
    assert client.post(FOLLOW, {"code": code, **work}).status_code == 429
    weak = pow.challenge_issue(purpose=pow.LOOKUP, bits=2)  # nor does easier work
    nonce = next(n for n in itertools.count() if 2 <= zero_bits(weak, n) < 8)
    assert (
        client.post(FOLLOW, {"code": code, "pow_challenge": weak, "pow_nonce": str(nonce)}).status_code == 429
    )
    page = client.get(FOLLOW)
    work = lookup_work(page)
    assert client.post(FOLLOW, {"code": "3" * 20, **work}).status_code == 400
    assert client.post(FOLLOW, {"code": code, **work}).status_code == 429  # the challenge is spent


def test_without_the_brake_a_lookup_needs_no_work(client, tree, settings):
    settings.PETITION_FOLLOW_FAILS_PER_MINUTE = 3
    code = receipt_from(submit(client, form_data(tree)))
    assert "data-pow-challenge" not in client.get(FOLLOW).content.decode()
    assert client.post(FOLLOW, {"code": code}).status_code == 302


def test_a_malformed_code_costs_no_hash(client, tree, monkeypatch):
    from jijian.petitions.intake import receipt

    monkeypatch.setattr(receipt, "receipt_hash", lambda code: pytest.fail("hashed a malformed code"))
    response = client.post(reverse("petitions:follow"), {"code": "12345"})
    assert "查询码不正确" in response.content.decode()
