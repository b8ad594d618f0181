"""Flood and guessing limits: submissions per address, lookups per address, and failed lookups for
the whole site (a botnet does not escape it)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jijian.petitions.models import PetitionReport
from tests.petitions.helpers import form_data, receipt_from, submit

pytestmark = pytest.mark.django_db


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
        assert client.post(url, {"code": "1" * 20}, REMOTE_ADDR="198.51.100.1").status_code == 200
    assert client.post(url, {"code": "1" * 20}, REMOTE_ADDR="198.51.100.1").status_code == 429


def test_failed_lookups_from_many_addresses_make_the_site_busy(client, tree, settings):
    settings.PETITION_FOLLOW_FAILS_PER_MINUTE = 3
    code = receipt_from(submit(client, form_data(tree)))
    url = reverse("petitions:follow")
    for i in range(3):
        assert client.post(url, {"code": "1" * 20}, REMOTE_ADDR=f"198.51.100.{i}").status_code == 200
    busy = client.post(url, {"code": code}, REMOTE_ADDR="198.51.100.200")
    assert busy.status_code == 429 and "系统繁忙" in busy.content.decode()
    assert int(busy["Retry-After"]) >= 1
    assert "petitions.follow" not in client.session


def test_a_malformed_code_costs_no_hash(client, tree, monkeypatch):
    from jijian.petitions import receipt

    monkeypatch.setattr(receipt, "receipt_hash", lambda code: pytest.fail("hashed a malformed code"))
    response = client.post(reverse("petitions:follow"), {"code": "12345"})
    assert "回执码不正确" in response.content.decode()
