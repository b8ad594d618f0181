"""The office's board counts each organisation's periods by status in grouped queries; its counts are
those of each organisation's own year, where every item's periods are computed one by one."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jijian.responsibility import selectors
from jijian.responsibility.models import ResponsibilityItem

from .conftest import meeting

YEAR = 2025
TODAY = date(YEAR, 6, 20)


def _items(org, *frequencies, **extra):
    return [
        ResponsibilityItem.objects.create(
            org_unit=org, year=YEAR, holder="organisation", title=f"事项{i}", frequency=f, **extra
        )
        for i, f in enumerate(frequencies)
    ]


def test_the_board_counts_what_each_organisations_year_shows(tree, people, resp):
    monthly, quarterly, half = _items(tree.party_org, "monthly", "quarterly", "half_yearly")
    [yearly] = _items(tree.party_org, "yearly", due_date=date(YEAR, 6, 24))
    _items(tree.party_org, "yearly", "monthly")
    _items(tree.party_org, "monthly", polarity="negative")
    liaison = people.party_liaison
    for month in (1, 2, 4):  # January, February and April on time; March late; May not at all
        meeting(liaison, monthly, date(YEAR, month, 10), entered_on=date(YEAR, month, 12))
    meeting(liaison, monthly, date(YEAR, 3, 10), entered_on=date(YEAR, 4, 20), late_reason="外出补录")
    # April: a second record, late, does not make an on-time period late.
    meeting(liaison, monthly, date(YEAR, 4, 11), entered_on=date(YEAR, 5, 20), late_reason="补充材料")
    meeting(liaison, quarterly, date(YEAR, 2, 10), entered_on=date(YEAR, 4, 20), late_reason="出差补录")
    meeting(liaison, quarterly, date(YEAR, 2, 11), entered_on=date(YEAR, 4, 21), late_reason="出差补录")
    meeting(liaison, half, date(YEAR, 5, 10), entered_on=date(YEAR, 5, 10))
    [other_monthly] = _items(resp.other_org, "monthly")
    meeting(resp.other_liaison, other_monthly, date(YEAR, 1, 5), entered_on=date(YEAR, 1, 5))

    office = resp.city_office
    rows = {r.org.pk: r for r in selectors.board(office, YEAR, today=TODAY)}
    for org in (tree.party_org, resp.other_org, resp.branch):
        assert rows[org.pk].totals == selectors.org_year(office, org, YEAR, today=TODAY)["totals"]
    assert rows[tree.party_org.pk].totals == {
        "done": 4,  # Jan, Feb, Apr of the monthly item; the half-year
        "done_late": 2,  # March; the first quarter, late twice
        "overdue": 6,  # May of the first monthly item, January to May of the second
        "blue": 3,  # June of both monthly items and the second quarter: 6 working days left
        "yellow": 1,  # the yearly item due 24 June: 2 working days left
        "open": 1,  # the yearly item due 31 December
        "not_started": 6 + 6 + 2 + 1,  # July to December of both monthly items, Q3 and Q4, H2
    }
    assert rows[resp.branch.pk].totals == {}
    with CaptureQueriesContext(connection) as queries:
        selectors.board(office, YEAR, today=TODAY)
    few = len(queries)
    _items(resp.other_org, "monthly", "quarterly", "yearly")
    _items(resp.branch, "monthly")
    with CaptureQueriesContext(connection) as queries:
        selectors.board(office, YEAR, today=TODAY)
    assert len(queries) == few


def test_a_deadline_in_a_provisional_year_is_marked_on_the_board_and_the_organisation(
    tree, people, resp, monkeypatch
):
    """2027 has no State Council arrangement yet: January 2027's deadline (1 February, Sunday 31
    January moved on by the calendar) shows 暂定 in the board's overdue list and on the organisation's
    page; November 2026's (Monday 30 November) does not."""
    from django.urls import reverse
    from django.utils import timezone

    from tests.responsibility.helpers import client_for

    for year in (2026, 2027):
        ResponsibilityItem.objects.create(
            org_unit=tree.party_org,
            year=year,
            holder="organisation",
            title=f"{year}月度学习",
            frequency="monthly",
        )
    client = client_for(resp.city_office)
    for today, year, deadline, marked in (
        (date(2027, 2, 10), 2027, "2027-02-01", True),
        (date(2026, 12, 10), 2026, "2026-11-30", False),
    ):
        monkeypatch.setattr(timezone, "localdate", lambda *a, today=today, **k: today)
        board = client.get(reverse("responsibility:board") + f"?year={year}").content.decode()
        red = board.split('class="list resp-red"')[1].split("</table>")[0]  # the overdue list
        assert deadline in red and ("暂定" in red) is marked
        org = client.get(
            reverse("responsibility:org", args=[tree.party_org.pk]) + f"?year={year}"
        ).content.decode()
        assert (f"时限 {deadline}（暂定）" in org) is marked and f"时限 {deadline}" in org
