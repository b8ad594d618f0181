"""Yellow warnings to the organisation, red ones to the organisation and the city's office; each once."""

from datetime import date

from jijian.core.models import Notification
from jijian.core.orgs.workdays import calendar_seed
from jijian.responsibility.models import ResponsibilityItem
from jijian.responsibility.tasks import send_warnings

from .conftest import meeting


def test_warnings_go_once_to_the_right_people(tree, people, resp):
    calendar_seed([2025])
    yearly = {"org_unit": tree.party_org, "year": 2025, "holder": "organisation", "frequency": "yearly"}
    ResponsibilityItem.objects.create(title="部署工作", due_date=date(2025, 10, 1), **yearly)
    ResponsibilityItem.objects.create(title="专题研究", due_date=date(2025, 9, 1), **yearly)
    done = ResponsibilityItem.objects.create(title="已做的事", due_date=date(2025, 9, 1), **yearly)
    meeting(people.party_liaison, done, date(2025, 8, 20), entered_on=date(2025, 8, 20))
    ResponsibilityItem.objects.create(title="负面", polarity="negative", due_date=date(2025, 9, 1), **yearly)

    assert send_warnings("2025-09-30") == {"yellow": 1, "red": 2}  # red: the liaison and the city office
    liaison_titles = list(
        Notification.objects.filter(recipient=people.party_liaison).values_list("title", flat=True)
    )
    assert sorted(t[:6] for t in liaison_titles) == ["【即将逾期】", "【已逾期】市"]
    office = Notification.objects.get(recipient=resp.city_office)
    assert "专题研究" in office.title and "#item-" in office.link
    assert not Notification.objects.filter(recipient=people.county_officer).exists()  # not its department
    assert not Notification.objects.filter(recipient=resp.other_liaison).exists()
    assert send_warnings("2025-09-30") == {"yellow": 0, "red": 0}  # again: nothing twice
    # After the holiday, the yellow item turns red: a new warning, now to the office too.
    assert send_warnings("2025-10-10") == {"yellow": 0, "red": 2}


def test_a_deadline_in_a_provisional_year_is_marked_in_the_warning(tree, people, resp):
    """2027 has no State Council arrangement yet: January 2027's deadline (Sunday 31 January moves to
    Monday 1 February) is 暂定 in the warning; November 2026's (Monday 30 November) is not."""
    monthly = {"org_unit": tree.party_org, "holder": "organisation", "frequency": "monthly"}
    ResponsibilityItem.objects.create(title="二七年月度学习", year=2027, **monthly)
    ResponsibilityItem.objects.create(title="二六年月度学习", year=2026, **monthly)
    assert send_warnings("2027-01-28")["yellow"] == 1
    assert send_warnings("2026-11-26")["yellow"] == 1
    notes = {n.title: n.body for n in Notification.objects.filter(recipient=people.party_liaison)}
    yellow = [(t, b) for t, b in notes.items() if t.startswith("【即将逾期】")]
    [provisional] = [(t, b) for t, b in yellow if "二七年" in t]
    [firm] = [(t, b) for t, b in yellow if "二六年" in t]
    assert "须于2027-02-01（暂定）前" in provisional[0] and "完成时限：2027-02-01（暂定）" in provisional[1]
    assert "2026-11-30" in firm[0] and "暂定" not in firm[0] + firm[1]
