"""The demo's 党组织联络员 sees a real year: leadership, a list from the city's template, records
through the year (some filled late with a reason), and red items; the city office sees the board."""

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from jijian.audit.services import audit_verify
from jijian.core.models import OrgKind, OrgUnit, User
from jijian.responsibility.demo import load_demo
from jijian.responsibility.models import (
    AccountabilityInterview,
    FulfilmentRecord,
    LeadershipMember,
    ResponsibilityItem,
    RiskCheck,
    RiskPoint,
)
from tests.conftest import sign_in


def test_the_demo_liaison_has_a_year_of_lists_and_records(db):
    call_command("setup")
    assert load_demo() == 0  # never twice
    liaison = User.objects.get(username="dangzuzhi")
    org = liaison.org_unit
    assert LeadershipMember.objects.filter(org_unit=org, role="secretary").count() == 1
    assert ResponsibilityItem.objects.filter(org_unit=org).count() >= 10
    records = FulfilmentRecord.objects.filter(org_unit=org)
    assert records.count() >= 15 and records.filter(created_by=liaison).count() == records.count()
    assert records.filter(integrity_ten_minutes=True).exists()
    # Every party organisation of the departments has its list.
    orgs = OrgUnit.objects.filter(kind=OrgKind.PARTY_ORG)
    assert ResponsibilityItem.objects.values("org_unit").distinct().count() == orgs.count() == 36
    assert FulfilmentRecord.objects.filter(is_late=True).exclude(late_reason="").exists()
    assert not FulfilmentRecord.objects.filter(is_late=True, late_reason="").exists()
    client = Client()
    sign_in(client, liaison)
    page = client.get(reverse("responsibility:org", args=[org.pk])).content.decode()
    assert "st-done" in page and "st-overdue" in page
    office = Client()
    sign_in(office, User.objects.get(username="shidangfeng"))
    board = office.get(reverse("responsibility:board")).content.decode()
    assert org.name in board and "已逾期事项" in board
    assert AccountabilityInterview.objects.filter(org_unit=org).exists()
    assert RiskPoint.objects.filter(org_unit=org).count() == 3
    assert RiskCheck.objects.filter(org_unit=org, result="problem").exclude(follow_up="").exists()
    assert audit_verify().ok
