"""The offline proof of work: valid, invalid, replayed and expired challenges."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse

from jijian.petitions.intake import pow
from jijian.petitions.models import PetitionReport
from tests.petitions.helpers import form_data, solved_challenge


def test_a_solved_challenge_passes_once(db):
    challenge = pow.challenge_issue()
    nonce = pow.solve(challenge, pow.difficulty())
    pow.challenge_verify(challenge, nonce)
    with pytest.raises(pow.PowError, match="已提交过"):
        pow.challenge_verify(challenge, nonce)


def test_a_wrong_nonce_fails(db):
    challenge = pow.challenge_issue()
    nonce = int(pow.solve(challenge, pow.difficulty()))
    wrong = next(
        str(n)
        for n in range(nonce + 1, nonce + 10_000)
        if pow.leading_zero_bits(__import__("hashlib").sha256(f"{challenge}{n}".encode()).digest()) == 0
    )
    with pytest.raises(pow.PowError, match="未通过"):
        pow.challenge_verify(challenge, wrong)


def test_a_forged_or_missing_challenge_fails(db):
    forged = signing.dumps({"id": "x", "bits": 0}, salt="something-else")
    with pytest.raises(pow.PowError, match="未通过"):
        pow.challenge_verify(forged, pow.solve(forged, pow.difficulty()))
    with pytest.raises(pow.PowError, match="JavaScript"):
        pow.challenge_verify("", "")
    with pytest.raises(pow.PowError):
        pow.challenge_verify(pow.challenge_issue(), "12ab")


def test_the_difficulty_in_force_applies_even_to_an_easier_signed_challenge(db, settings):
    settings.PETITION_POW_BITS = 0
    easy = pow.challenge_issue()
    settings.PETITION_POW_BITS = 12
    nonce = next(
        str(n)
        for n in range(100_000)
        if pow.leading_zero_bits(__import__("hashlib").sha256(f"{easy}{n}".encode()).digest()) < 12
    )
    with pytest.raises(pow.PowError):
        pow.challenge_verify(easy, nonce)


def test_an_expired_challenge_fails(db):
    challenge = pow.challenge_issue()
    nonce = pow.solve(challenge, pow.difficulty())
    later = time.time() + pow.MAX_AGE_SECONDS + 5
    with (
        mock.patch("django.core.signing.time.time", return_value=later),
        pytest.raises(pow.PowError, match="过期"),
    ):
        pow.challenge_verify(challenge, nonce)


def test_leading_zero_bits():
    assert pow.leading_zero_bits(b"\x00\x00\x80") == 16
    assert pow.leading_zero_bits(b"\x00\x01") == 15
    assert pow.leading_zero_bits(b"\xff") == 0


@pytest.mark.django_db
def test_a_form_without_work_or_replayed_stores_nothing(client, tree):
    url = reverse("petitions:submit")
    page = client.get(url).content.decode()
    assert "需要启用 JavaScript" in page and "petitions/pow.js" in page and "<script>" not in page
    no_work = client.post(url, form_data(tree))
    assert "JavaScript" in no_work.content.decode() and not PetitionReport.objects.exists()
    solved = solved_challenge(client)
    assert client.post(url, {**form_data(tree), **solved}).status_code == 200
    assert PetitionReport.objects.count() == 1
    replay = client.post(url, {**form_data(tree), **solved})
    assert "已提交过" in replay.content.decode()
    assert PetitionReport.objects.count() == 1


@pytest.mark.django_db
def test_a_validation_error_keeps_the_work_done(client, tree, settings):
    """Issue 16, item 8: the work passed but the form had an error; the page comes back with a
    solved token (no new challenge), which the next post uses instead of new work — once."""
    settings.PETITION_SUBMIT_PER_MINUTE = 10
    url = reverse("petitions:submit")
    solved = solved_challenge(client)
    failed = client.post(url, {**form_data(tree, facts=""), **solved})
    assert "challenge" not in failed.context and not PetitionReport.objects.exists()
    token = failed.context["solved"]
    page = failed.content.decode()
    assert f'name="pow_solved" value="{token}"' in page and 'data-pow-solved="1"' in page
    # An empty submit with the token: still no work asked for, another token comes back.
    empty = client.post(url, {"pow_solved": token})
    assert "solved" in empty.context and empty.context["solved"] != token
    assert not PetitionReport.objects.exists()
    # The token was spent by that post: it cannot be used again.
    replay = client.post(url, {**form_data(tree), "pow_solved": token})
    assert "已提交过" in replay.content.decode() and "challenge" in replay.context
    assert not PetitionReport.objects.exists()
    client.post(url, {**form_data(tree), "pow_solved": empty.context["solved"]})
    assert PetitionReport.objects.count() == 1


def test_a_forged_or_expired_solved_token_fails(db):
    with pytest.raises(pow.PowError, match="未通过"):
        pow.solved_verify(pow.challenge_issue())  # a challenge is not a solved token
    token = pow.solved_issue()
    later = time.time() + pow.MAX_AGE_SECONDS + 5
    with (
        mock.patch("django.core.signing.time.time", return_value=later),
        pytest.raises(pow.PowError, match="过期"),
    ):
        pow.solved_verify(token)
