"""The annual assessment with the evidence at hand, the ranking and the Excel export."""

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.core.services import ConcurrentEditError
from jijian.responsibility import services
from jijian.responsibility.models import AnnualAssessment, ResponsibilityItem
from tests.conftest import sign_in

from .conftest import meeting

YEAR = date.today().year


def test_suggested_grades():
    assert services.suggested_grade(None) == ""
    assert [services.suggested_grade(s) for s in (100, 90, 89, 75, 60, 59)] == [
        "good",
        "good",
        "fairly_good",
        "fairly_good",
        "average",
        "poor",
    ]


def test_the_office_assesses_once_a_year_and_edits_with_the_version(tree, people, resp):
    office = resp.city_office
    a = services.assessment_save(
        actor=office, org=tree.party_org, year=YEAR, grade="good", score=92, basis="按时"
    )
    with pytest.raises(ConcurrentEditError):  # a page read before the first assessment existed
        services.assessment_save(
            actor=office, org=tree.party_org, year=YEAR, grade="poor", score=50, basis="x"
        )
    services.assessment_save(
        actor=office,
        org=tree.party_org,
        year=YEAR,
        grade="fairly_good",
        score=85,
        basis="一项逾期",
        version=a.version,
    )
    assert AnnualAssessment.objects.get().grade == "fairly_good"
    with pytest.raises(ValidationError, match="尚未开始"):
        services.assessment_save(
            actor=office, org=tree.party_org, year=YEAR + 1, grade="good", score=90, basis="x"
        )
    with pytest.raises(PermissionDenied):
        services.assessment_save(
            actor=people.party_liaison, org=tree.party_org, year=YEAR, grade="good", score=99, basis="x"
        )
    with pytest.raises(PermissionDenied):  # the county office is not over the city's departments
        services.assessment_save(
            actor=people.county_officer, org=tree.party_org, year=YEAR, grade="good", score=99, basis="x"
        )


def test_the_board_ranks_and_exports_what_it_shows(tree, people, resp):
    from openpyxl import load_workbook

    yearly = {"year": YEAR - 1, "holder": "organisation", "frequency": "quarterly", "title": "专题研究"}
    good = ResponsibilityItem.objects.create(org_unit=resp.other_org, **yearly)
    for month in (1, 4, 7, 10):
        meeting(resp.other_liaison, good, date(YEAR - 1, month, 5), entered_on=date(YEAR - 1, month, 5))
    ResponsibilityItem.objects.create(org_unit=tree.party_org, **yearly)  # four red quarters
    office = Client()
    sign_in(office, resp.city_office)
    page = office.get(reverse("responsibility:board") + f"?year={YEAR - 1}&sort=rank").content.decode()
    assert page.index(resp.other_org.name) < page.index(tree.party_org.name)
    response = office.get(reverse("responsibility:board_export") + f"?year={YEAR - 1}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert rows[0][1] == resp.other_org.name and rows[0][8] == 100
    mine = next(r for r in rows if r[1] == tree.party_org.name)
    assert mine[7] == 4 and mine[8] == 0
    assert AuditEvent.objects.filter(action="export", object_type="responsibility.board").exists()
    # The assessment page shows the evidence and suggests 差 for four red quarters.
    form = office.get(reverse("responsibility:assessment", args=[tree.party_org.pk]) + f"?year={YEAR - 1}")
    assert "4 期次" in form.content.decode() and 'value="poor" selected' in form.content.decode()
    assert Client().get(reverse("responsibility:board_export")).status_code == 302
