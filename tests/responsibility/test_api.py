"""The API answers like the pages: the liaison's year with each period's status, the office's board,
a record; 404 outside."""

from datetime import date

from django.test import Client

from jijian.responsibility.models import ResponsibilityItem
from tests.conftest import sign_in

from .conftest import meeting


def test_the_api_is_scoped_like_the_pages(tree, people, resp):
    year = date.today().year - 1
    item = ResponsibilityItem.objects.create(
        org_unit=tree.party_org, year=year, holder="organisation", title="专题研究", frequency="half_yearly"
    )
    record = meeting(people.party_liaison, item, date(year, 3, 1), entered_on=date(year, 3, 1))
    liaison = Client()
    sign_in(liaison, people.party_liaison)
    data = liaison.get(f"/api/responsibility/orgs/{tree.party_org.pk}?year={year}").json()
    assert [p["status"] for p in data["items"][0]["periods"]] == ["done", "overdue"]
    assert (
        liaison.get(f"/api/responsibility/records/{record.pk}").json()["integrity_topic"]
        == "学习典型案例通报"
    )
    assert liaison.get("/api/responsibility/board").status_code == 404
    office = Client()
    sign_in(office, resp.city_office)
    board = {r["name"]: r for r in office.get(f"/api/responsibility/board?year={year}").json()}
    assert board[tree.party_org.name]["overdue"] == 1 and board[tree.party_org.name]["on_time_share"] == 50
    other = Client()
    sign_in(other, resp.other_liaison)
    assert other.get(f"/api/responsibility/orgs/{tree.party_org.pk}").status_code == 404
    assert other.get(f"/api/responsibility/records/{record.pk}").status_code == 404
    assert office.get("/api/responsibility/board?year=1999").status_code == 422
