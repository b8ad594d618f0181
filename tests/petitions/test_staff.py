"""The staff list: reports of one's jurisdiction (module PETITIONS), reporter identity masked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jijian.core.roles import Role
from jijian.petitions import services
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _report(tree, region=None, anonymous=False):
    return services.petition_submit(
        category="accusation",
        region=region or tree.township_a,
        facts="村主任在低保评定中优亲厚友，把亲属列入低保。",
        is_anonymous=anonymous,
        reporter_name="" if anonymous else "李举报",
        reporter_id_number="" if anonymous else "11010519491231002X",
        reporter_phone="" if anonymous else "13800138000",
        accused_name="王某",
    ).report


def test_the_petition_office_sees_its_reports_with_the_reporter_masked(login, tree, people):
    _report(tree)
    page = login(people.city_petition).get(reverse("petitions_staff:list")).content.decode()
    assert "王某" in page and "李**" in page and "138****8000" in page
    assert "李举报" not in page and "13800138000" not in page and "11010519491231002X" not in page


def test_a_petition_office_elsewhere_does_not_see_the_report(login, tree):
    _report(tree)
    other = make_user("petition_other", tree.other_county, Role.PETITION_OFFICE)
    page = login(other).get(reverse("petitions_staff:list")).content.decode()
    assert "王某" not in page and "暂无举报件" in page


def test_an_outsider_gets_404(login, tree, people):
    _report(tree)
    assert login(people.outsider).get(reverse("petitions_staff:list")).status_code == 404


def test_the_list_query_count_does_not_grow_with_rows(login, tree, people):
    client = login(people.city_petition)
    _report(tree)
    client.get(reverse("petitions_staff:list"))  # the first request of a session writes it
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("petitions_staff:list"))
    for _ in range(5):
        _report(tree, region=tree.township_b, anonymous=True)
    with CaptureQueriesContext(connection) as six:
        client.get(reverse("petitions_staff:list"))
    assert len(six) == len(one) <= 8
