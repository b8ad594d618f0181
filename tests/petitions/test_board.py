"""The deadline board: colours and order on the working-day calendar (National Day 2025), scope by
holder (restricted reports only at their holder; outsiders see nothing and get 404 without the
module), recusal, filters, the HTMX partial, and a query count that does not grow with the rows."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jijian.core.models import StaffRelation
from jijian.core.orgs.workdays import calendar_seed
from jijian.core.roles import Role
from jijian.petitions.deadlines import board
from jijian.petitions.deadlines import limits as deadlines
from jijian.petitions.models import (
    DeadlineKind,
    PetitionState,
)
from tests.conftest import make_user
from tests.petitions.board_helpers import make_clue, make_deadline, make_report

TODAY = date(2025, 9, 26)  # a Friday; 1-8 October 2025 off, Sunday 28 September a working day


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


def board_ids(response) -> list[int]:
    return [int(x) for x in re.findall(r'id="deadline-(\d+)"', response.content.decode())]


def count_of(response, colour: str) -> int:
    match = re.search(rf'id="count-{colour}">(\d+)<', response.content.decode())
    assert match, colour
    return int(match.group(1))


# --- colours and order across a holiday ------------------------------------------------------------
def test_colours_order_and_working_days_across_national_day(tree, people, officers, login, fixed_today):
    calendar_seed([2025])
    report = make_report(tree.county)
    red = make_deadline(report, date(2025, 9, 25))
    due_today = make_deadline(report, date(2025, 9, 26), kind=DeadlineKind.ACCEPTANCE_NOTICE)
    yellow = make_deadline(report, date(2025, 9, 30))
    # Without the holiday, 1 October would be within 3 working days (yellow); with it, the third
    # working day after Friday 26 September is Tuesday 30 September (Sunday 28th is a make-up day).
    green_holiday = make_deadline(report, date(2025, 10, 1))
    green = make_deadline(report, date(2025, 10, 9))
    make_deadline(report, date(2025, 9, 20), met=True)  # met: never on the board

    dates = board.board_dates()
    assert dates.warn_until == date(2025, 9, 30) == deadlines.warn_until(TODAY)

    response = login(officers.county).get(reverse("petitions_board:board"))
    assert response.status_code == 200
    assert board_ids(response) == [red.pk, due_today.pk, yellow.pk, green_holiday.pk, green.pk]
    assert (count_of(response, "red"), count_of(response, "yellow"), count_of(response, "green")) == (1, 2, 2)
    assert count_of(response, "all") == 5
    rows = {row.pk: row for row in response.context["page"]}
    assert [rows[d.pk].colour for d in (red, due_today, yellow, green_holiday, green)] == [
        "red",
        "yellow",
        "yellow",
        "green",
        "green",
    ]
    # Working days left: Sep 28 (make-up Sunday), 29, 30, then 9 October.
    assert rows[red.pk].days_left == -1
    assert rows[due_today.pk].days_left == 0
    assert rows[yellow.pk].days_left == 3
    assert rows[green_holiday.pk].days_left == 3  # 1 October is a holiday: no working day added
    assert rows[green.pk].days_left == 4
    html = response.content.decode()
    assert "逾期 1 个工作日" in html and "今日到期" in html
    assert "剩 4 个工作日" in html  # what the number is, also on a phone where the header is hidden
    assert report.serial_number in html


def test_without_the_calendar_the_same_date_is_yellow(tree, officers, login, fixed_today):
    """The control of the test above: with no holiday rows, 1 October is within 3 working days."""
    report = make_report(tree.county)
    d = make_deadline(report, date(2025, 10, 1))
    response = login(officers.county).get(reverse("petitions_board:board"))
    assert [row.colour for row in response.context["page"] if row.pk == d.pk] == ["yellow"]


def test_a_row_far_outside_the_calendar_window_is_counted_too(tree, officers, login, fixed_today):
    """Days left come from the calendar read with the warning date (400 days around today); a row
    older than that reads its own span, with the same answer."""
    calendar_seed([2023, 2024, 2025])
    old = make_deadline(make_report(tree.county), date(2023, 9, 29))
    near = make_deadline(make_report(tree.county), date(2025, 10, 9))
    dates = board.board_dates()
    assert dates.lo > old.due_date
    page = board.board_page(board.board_scope(officers.county), dates, total=2)
    left = {row.pk: row.days_left for row in page.object_list}
    assert left[near.pk] == 4
    assert left[old.pk] == -board.working_days_left(old.due_date, [TODAY])[TODAY]
    assert left[old.pk] < -450


def test_working_days_left_helper_counts_make_up_days(db):
    calendar_seed([2025])
    left = board.working_days_left(date(2025, 9, 26), [date(2025, 10, 13), date(2025, 9, 19)])
    # (26 Sep, 13 Oct]: 28, 29, 30 Sep, 9, 10, 11 (Saturday make-up), 13 Oct = 7
    assert left[date(2025, 10, 13)] == 7
    # (19 Sep, 26 Sep]: 22-26 = 5 working days overdue
    assert left[date(2025, 9, 19)] == -5


# --- filters, partial, paging ----------------------------------------------------------------------
def test_filters_by_kind_and_colour_and_htmx_partial(tree, officers, login, fixed_today):
    report = make_report(tree.county)
    route = make_deadline(report, date(2025, 9, 20), kind=DeadlineKind.ROUTE)
    notice = make_deadline(report, date(2025, 9, 29), kind=DeadlineKind.ACCEPTANCE_NOTICE)
    later = make_deadline(report, date(2025, 11, 3), kind=DeadlineKind.ACCEPTANCE_NOTICE)
    client = login(officers.county)
    url = reverse("petitions_board:board")

    assert board_ids(client.get(url, {"kind": "acceptance_notice"})) == [notice.pk, later.pk]
    assert board_ids(client.get(url, {"colour": "red"})) == [route.pk]
    assert board_ids(client.get(url, {"colour": "green", "kind": "acceptance_notice"})) == [later.pk]
    both = client.get(url, {"colour": "yellow", "kind": "acceptance_notice"})
    assert board_ids(both) == [notice.pk]
    # Counts are of the kind filter, over all colours.
    assert (count_of(both, "red"), count_of(both, "yellow"), count_of(both, "green")) == (0, 1, 1)
    # An unknown value is ignored, not an error.
    assert board_ids(client.get(url, {"colour": "purple"})) == [route.pk, notice.pk, later.pk]

    partial = client.get(url, {"colour": "red"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode() and board_ids(partial) == [route.pk]


def test_paging(tree, officers, login, fixed_today, monkeypatch):
    monkeypatch.setattr(board, "PAGE_SIZE", 2)
    report = make_report(tree.county)
    made = [make_deadline(report, date(2025, 10, 10 + i)) for i in range(5)]
    client = login(officers.county)
    first = client.get(reverse("petitions_board:board"))
    third = client.get(reverse("petitions_board:board"), {"page": 3})
    assert board_ids(first) == [made[0].pk, made[1].pk]
    assert board_ids(third) == [made[4].pk]
    assert "第 1 / 3 页，共 5 条" in first.content.decode()


def test_item_links_go_to_the_report_and_the_clue(tree, people, officers, login, fixed_today):
    manager = make_user("cm_county", tree.county, Role.CASE_MANAGEMENT)
    report = make_report(tree.county)
    clue = make_clue(tree.county, manager)
    make_deadline(report, date(2025, 10, 9))
    make_deadline(clue, date(2025, 10, 10), kind=DeadlineKind.LETTER_REPLY)
    html = login(officers.county).get(reverse("petitions_board:board")).content.decode()
    # The staff and clue detail pages (by name when their URLs exist, else by the same path).
    assert f'href="/petitions/{report.pk}/"' in html
    assert f'href="/petitions/clues/{clue.pk}/"' in html
    assert clue.number in html and "问题线索" in html


# --- scope -----------------------------------------------------------------------------------------
def test_scope_by_holder(tree, people, officers, login, fixed_today):
    at_county = make_deadline(make_report(tree.county), date(2025, 10, 9))
    at_township = make_deadline(make_report(tree.township_a), date(2025, 10, 10))
    at_other = make_deadline(make_report(tree.other_county), date(2025, 10, 11))
    # A report about the county's own head, forwarded up: restricted, held by the city.
    restricted = make_deadline(
        make_report(tree.city, region=tree.county, restricted=True, state=PetitionState.FORWARDED),
        date(2025, 10, 13),
        kind=DeadlineKind.FORWARD_ANSWER,
    )
    url = reverse("petitions_board:board")

    assert board_ids(login(officers.county).get(url)) == [at_county.pk, at_township.pk]
    assert board_ids(login(officers.other).get(url)) == [at_other.pk]
    assert board_ids(login(people.township_a).get(url)) == [at_township.pk]
    assert board_ids(login(people.township_b).get(url)) == []
    city = board_ids(login(people.city_petition).get(url))
    assert city == [at_county.pk, at_township.pk, at_other.pk, restricted.pk]


def test_board_scope_is_the_access_rule(tree, people, officers):
    """Both scopes of the board (the semi-join for the counts, the join for the rows) are exactly
    deadlines_visible_to's rows."""
    from jijian.petitions.access import deadlines_visible_to

    for unit in (tree.city, tree.county, tree.other_county, tree.zone, tree.township_a, tree.township_b,
                 tree.township_c):  # fmt: skip
        make_deadline(make_report(unit), date(2025, 10, 9))
    make_deadline(make_report(tree.county), date(2025, 10, 9), met=True)
    users = [officers.county, officers.other, *(getattr(people, n) for n in vars(people))]
    users.append(make_user("po_zone", tree.zone, Role.PETITION_OFFICE))
    for user in users:
        expected = set(deadlines_visible_to(user).values_list("pk", flat=True))
        counted, rows = board.board_scopes(user)
        assert set(counted.values_list("pk", flat=True)) == expected, user.username
        assert set(rows.values_list("pk", flat=True)) == expected, user.username
    assert len(board.board_scope(people.city_petition)) == 7


@pytest.mark.parametrize("persona", ["member_a", "county_officer", "outsider", "system_admin", "audit_admin"])
def test_without_module_petitions_the_board_is_404(tree, people, login, persona):
    client = login(getattr(people, persona))
    assert client.get(reverse("petitions_board:board")).status_code == 404
    assert client.get(reverse("petitions_board:quarterly")).status_code == 404


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("petitions_board:board"))
    assert response.status_code == 302 and reverse("core:login") in response["Location"]


def test_recused_items_are_left_out(tree, officers, login, fixed_today):
    mine = make_deadline(make_report(tree.county, accused="张三"), date(2025, 10, 9))
    relative = make_deadline(make_report(tree.county, accused="李四"), date(2025, 10, 10))
    clue_relative = make_deadline(make_clue(tree.county, officers.county, accused="李四"), date(2025, 10, 13))
    StaffRelation.objects.create(user=officers.county, relative_name="李四", kind="spouse")
    response = login(officers.county).get(reverse("petitions_board:board"))
    assert board_ids(response) == [mine.pk]
    assert count_of(response, "all") == 1
    assert relative.pk not in board_ids(response) and clue_relative.pk not in board_ids(response)
    # A withdrawn declaration no longer hides them.
    StaffRelation.objects.update(is_active=False)
    assert len(board_ids(login(officers.county).get(reverse("petitions_board:board")))) == 3


# --- query count -----------------------------------------------------------------------------------
def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("petitions_board:board")).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_rows(tree, people, officers, login, fixed_today):
    calendar_seed([2025])
    manager = make_user("cm_county", tree.county, Role.CASE_MANAGEMENT)
    client = login(officers.county)
    make_deadline(make_report(tree.county), date(2025, 10, 9))
    _queries(client)  # the first request of a session does its own one-off writes
    few = _queries(client)
    for i in range(15):
        holder = tree.township_a if i % 2 else tree.county
        make_deadline(make_report(holder), date(2025, 9, 1 + i))
        make_deadline(make_clue(holder, manager), date(2025, 10, 1 + i), kind=DeadlineKind.LETTER_REPLY)
    many = _queries(client)
    assert len(board_ids(client.get(reverse("petitions_board:board")))) == 31
    assert many == few, (few, many)


def test_selectors_cost_four_queries(tree, officers, fixed_today):
    """Calendar (warn date and days left), relations, counts, page: the board's own reads."""
    calendar_seed([2025])
    for i in range(10):
        make_deadline(make_report(tree.county), date(2025, 9, 20 + i))
    user = officers.county
    user.role_set  # noqa: B018 - as on a page, where the navigation has read the roles already
    user.org_unit  # noqa: B018
    with CaptureQueriesContext(connection) as ctx:
        dates = board.board_dates()
        counted, rows = board.board_scopes(user)
        counts = board.board_counts(counted, dates)
        page = board.board_page(rows, dates, total=counts["total"])
        assert len(page.object_list) == 10
    assert len(ctx.captured_queries) == 4, [q["sql"] for q in ctx.captured_queries]


def test_a_provisional_due_date_is_marked_on_the_board(tree, people, officers, login, monkeypatch):
    """2027 has no State Council arrangement yet: its due dates show 暂定, 2026's do not."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 12, 28))
    report = make_report(tree.county)
    provisional = make_deadline(report, date(2027, 1, 6))
    firm = make_deadline(report, date(2026, 12, 30))
    html = login(officers.county).get(reverse("petitions_board:board")).content.decode()
    rows = dict(re.findall(r'id="deadline-(\d+)"(.*?)</tr>', html, re.S))
    assert "暂定" in rows[str(provisional.pk)]
    assert "暂定" not in rows[str(firm.pk)]


# --- export and the phone cards --------------------------------------------------------------------
def test_the_board_exports_every_row_of_its_filter_as_csv_and_audits_it(
    tree, people, officers, login, fixed_today, monkeypatch
):
    import csv
    import io

    from jijian.audit.models import AuditEvent

    monkeypatch.setattr(board, "PAGE_SIZE", 2)  # more rows than one page: the export has them all
    report = make_report(tree.county, serial="XF-T-2025-0100")
    for i in range(3):
        make_deadline(report, date(2025, 9, 20 + i))  # overdue: red
    make_deadline(report, date(2025, 11, 20))  # green
    client = login(officers.county)
    html = client.get(reverse("petitions_board:board"), {"colour": "red"}).content.decode()
    assert reverse("petitions_board:board_export") + "?kind=&amp;colour=red" in html
    response = client.get(reverse("petitions_board:board_export"), {"colour": "red"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["状态", "事项类别", "事项"] and len(rows) == 4
    assert {r[0] for r in rows[1:]} == {"已逾期"} and rows[1][2] == "XF-T-2025-0100"
    assert rows[1][6] == "2025-09-20" and rows[1][7].startswith("逾期")
    assert AuditEvent.objects.filter(action="deadline_board.export", actor=officers.county).count() == 1


def test_the_export_is_404_without_the_module(tree, people, login):
    assert login(people.member_a).get(reverse("petitions_board:board_export")).status_code == 404


def test_the_dates_on_a_phone_card_say_which_is_which(tree, officers, login, fixed_today):
    make_deadline(make_report(tree.county), date(2025, 10, 9))
    html = login(officers.county).get(reverse("petitions_board:board")).content.decode()
    assert 'data-label="起算">2025-09-01<' in html and 'data-label="到期">2025-10-09<' in html
