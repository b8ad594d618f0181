"""The quarterly results page (季度办理结果反馈): counts and rows of the quarter in the user's scope,
never the reporter's identity, 404 for a quarter that does not exist."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from django.urls import reverse
from django.utils import timezone

from jijian.petitions.deadlines import board
from jijian.petitions.models import PetitionState
from tests.petitions.board_helpers import make_report


def at(d: date):
    return timezone.make_aware(datetime.combine(d, time(10)))


def rows(response) -> list[int]:
    return [int(x) for x in re.findall(r'id="report-(\d+)"', response.content.decode())]


def test_quarter_helpers():
    assert board.previous_quarter(date(2026, 1, 5)) == (2025, 4)
    assert board.previous_quarter(date(2026, 7, 1)) == (2026, 2)
    assert board.quarter_dates(2025, 4) == (date(2025, 10, 1), date(2026, 1, 1))
    assert board.quarter_dates(2025, 1) == (date(2025, 1, 1), date(2025, 4, 1))


def test_quarterly_page_lists_results_in_scope_without_identity(tree, people, officers, login):  # noqa: F811
    closed = make_report(
        tree.county,
        received_at=at(date(2025, 4, 10)),
        state=PetitionState.CLOSED,
        closed_at=at(date(2025, 5, 20)),
        result="经核查，反映问题部分属实，给予诫勉处理。",
        is_anonymous=False,
        reporter_name="李举报",
        reporter_phone="13800138000",
        acceptance_notified_on=date(2025, 4, 20),
        result_notified_on=date(2025, 5, 25),
    )
    closed_at_township = make_report(
        tree.township_a,
        received_at=at(date(2025, 3, 1)),
        state=PetitionState.CLOSED,
        closed_at=at(date(2025, 6, 30)),
        result="予以了结。",
    )
    still_open = make_report(tree.county, received_at=at(date(2025, 6, 1)), state=PetitionState.ACCEPTED)
    make_report(tree.county, received_at=at(date(2025, 7, 2)), state=PetitionState.ACCEPTED)  # next quarter
    make_report(  # closed the quarter before
        tree.county,
        received_at=at(date(2025, 1, 5)),
        state=PetitionState.CLOSED,
        closed_at=at(date(2025, 3, 30)),
    )
    other = make_report(
        tree.other_county,
        received_at=at(date(2025, 4, 10)),
        state=PetitionState.CLOSED,
        closed_at=at(date(2025, 5, 2)),
        result="其他县的结果",
    )
    client = login(officers.county)
    url = reverse("petitions_board:quarterly_period", args=[2025, 2])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert rows(response) == [closed_at_township.pk, closed.pk]  # newest closed first
    assert response.context["counts"] == {"received": 2, "closed": 2, "open": 1}
    assert "诫勉处理" in html and closed.serial_number in html
    assert "2025-04-20" in html and "2025-05-25" in html  # notices done
    assert "李举报" not in html and "13800138000" not in html and "138****" not in html
    assert other.serial_number not in html and "其他县的结果" not in html

    open_rows = client.get(url, {"show": "open"})
    assert rows(open_rows) == [still_open.pk]

    # The same page through query parameters.
    same = client.get(reverse("petitions_board:quarterly"), {"year": 2025, "quarter": 2})
    assert rows(same) == rows(response)

    # The other county's officer sees only theirs; the city sees all.
    assert rows(login(officers.other).get(url)) == [other.pk]
    assert set(rows(login(people.city_petition).get(url))) == {closed.pk, closed_at_township.pk, other.pk}


def test_quarterly_default_is_the_previous_quarter(tree, officers, login, monkeypatch):  # noqa: F811
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2025, 7, 3))
    response = login(officers.county).get(reverse("petitions_board:quarterly"))
    assert response.status_code == 200
    assert (response.context["year"], response.context["quarter"]) == (2025, 2)
    assert "2025年第2季度" in response.content.decode()


def test_bad_quarter_is_404(tree, officers, login):  # noqa: F811
    client = login(officers.county)
    assert client.get(reverse("petitions_board:quarterly_period", args=[2025, 5])).status_code == 404
    assert client.get(reverse("petitions_board:quarterly_period", args=[2025, 0])).status_code == 404
    # Bad query parameters fall back to the default quarter instead of failing.
    assert client.get(reverse("petitions_board:quarterly"), {"quarter": "9", "year": "x"}).status_code == 200


def test_quarterly_query_count_constant(tree, officers, login):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(officers.county)
    url = reverse("petitions_board:quarterly_period", args=[2025, 2])

    def closed_one():
        make_report(
            tree.county,
            received_at=at(date(2025, 4, 10)),
            state=PetitionState.CLOSED,
            closed_at=at(date(2025, 5, 20)),
            result="结果",
        )

    closed_one()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(12):
        closed_one()
    with CaptureQueriesContext(connection) as many:
        assert len(rows(client.get(url))) == 13
    assert len(many.captured_queries) == len(few.captured_queries)
