"""Concurrent triage on PostgreSQL (real concurrent connections): two officers routing the same
report at the same moment give one forward, and the other a message; registrations at the same
moment never share a serial number."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection  # noqa: F401 - the skipif condition names it

from jijian.petitions.models import PetitionForward, PetitionReport, PetitionTransition
from tests.concurrency import together
from tests.petitions.triage_helpers import officer, register

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent connections"),
]


def test_two_officers_routing_one_report_at_once_forward_it_once(tree):
    from jijian.petitions import services

    first, second = officer("county_a", tree.county), officer("county_b", tree.county)
    report = register(first, tree.township_a)
    targets = [tree.township_a, tree.township_b]

    def route(i: int):
        return services.petition_route(
            actor=(first, second)[i], report=report, managing=targets[i], about_own_head=False, version=1
        )

    results, errors = together(2, route, catch=(ValidationError,))
    assert len(results) == 1 and len(errors) == 1
    assert PetitionForward.objects.filter(report=report).count() == 1
    held = PetitionReport.objects.get(pk=report.pk)
    assert held.version == 2 and held.holder == PetitionForward.objects.get(report=report).to_unit
    assert PetitionTransition.objects.filter(report=report, action__startswith="forward").count() == 1


def test_registrations_at_once_get_distinct_serial_numbers(tree):
    officers = [officer(f"county_{i}", tree.county) for i in range(4)]
    results, errors = together(
        4, lambda i: register(officers[i], tree.township_a).serial_number, catch=(ValidationError,)
    )
    assert errors == [] and len(results) == 4 and len(set(results)) == 4
