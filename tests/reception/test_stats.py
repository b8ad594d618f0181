"""Statistics: per office, leader and township terminal by outcome, no-shows, days from booking to the
session; only the user's jurisdiction counts; the Excel export has the same figures and is audited."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from jijian.audit.models import AuditEvent
from jijian.core import links
from jijian.reception.models import ReceptionState
from jijian.reception.services import REPORT_REF
from jijian.reception.statistics import reception_statistics
from tests.conftest import sign_in
from tests.reception.helpers import reception

pytestmark = pytest.mark.django_db


def test_counts_by_office_and_township_within_jurisdiction(tree, people):
    today = date.today()
    reception(tree.city, township=tree.township_a, state=ReceptionState.ENDED, day=today)
    reception(tree.city, state=ReceptionState.NO_SHOW, day=today)
    reception(tree.county, township=tree.township_a, state=ReceptionState.CANCELLED, day=today)
    reception(tree.other_county, state=ReceptionState.ENDED, day=today)
    reception(tree.city, state=ReceptionState.ENDED, day=today - timedelta(days=400))  # outside the range
    city = reception_statistics(people.city_petition, today - timedelta(days=30), today)
    assert city["totals"]["total"] == 4 and city["totals"]["no_show"] == 1 and city["totals"]["ended"] == 2
    offices = {row["name"]: row for row in city["offices"]}
    assert offices["随州市"]["total"] == 2 and offices["随州市"]["no_show"] == 1
    assert offices["随县"]["cancelled"] == 1
    # Township A sees the receptions booked at its terminal and nothing else.
    township = reception_statistics(people.township_a, today - timedelta(days=30), today)
    assert township["totals"]["total"] == 2
    assert reception_statistics(people.township_b, today - timedelta(days=30), today)["totals"]["total"] == 0


def test_excel_export_has_the_same_figures_and_is_audited(tree, people):
    today = date.today()
    reception(tree.city, township=tree.township_a, state=ReceptionState.ENDED, day=today)
    client = Client()
    sign_in(client, people.city_petition)
    page = client.get(reverse("reception:stats"))
    assert page.status_code == 200 and "随州市" in page.content.decode()
    answer = client.get(reverse("reception:stats_xlsx"), {"start": f"{today:%Y-%m-01}", "end": f"{today}"})
    wb = load_workbook(io.BytesIO(answer.content))
    rows = list(wb["按接访机关"].iter_rows(values_only=True))
    assert rows[1][:2] == ("接访机关", "预约总数") and rows[2][:2] == ("随州市", 1)
    assert AuditEvent.objects.filter(action="reception.stats_export", actor=people.city_petition).exists()
    bad = client.get(reverse("reception:stats"), {"start": "2026-13-01"}, follow=True)
    assert "日期格式" in bad.content.decode()


def registered(people, tree, matter: str):
    """A report from the public registered at the city's commission through the port petitions
    provides (the one the reception's one-click registration uses), with its matter."""
    return links.petition_register(
        actor=people.city_petition,
        channel="video",
        category="accusation",
        region=tree.city,
        facts="视频接访笔录",
        is_anonymous=False,
        received_on=date.today(),
        reporter_name="张某",
        reporter_phone="13907220001",
        accused_name="王某",
        accused_unit="厉山镇神农村",
        matter=matter,
    )


def linked(r, report) -> None:
    r.case_ref = REPORT_REF.format(pk=report.pk, serial=report.serial_number)
    r.save(update_fields=["case_ref"])


def test_counts_by_matter_of_the_linked_report_and_by_outcome(tree, people):
    today = date.today()
    integrity = registered(people, tree, "integrity")
    masses = registered(people, tree, "masses")
    for _ in range(2):
        linked(reception(tree.city, state=ReceptionState.ENDED, day=today), integrity)
    linked(reception(tree.city, township=tree.township_a, state=ReceptionState.ENDED, day=today), masses)
    reception(tree.city, state=ReceptionState.ENDED, day=today)  # ended, not (yet) a report
    reception(tree.city, state=ReceptionState.NO_SHOW, day=today)
    reception(tree.city, state=ReceptionState.IN_SESSION, day=today)
    linked(
        reception(tree.other_county, state=ReceptionState.ENDED, day=today), masses
    )  # a county of the city
    linked(
        reception(tree.city, state=ReceptionState.ENDED, day=today - timedelta(days=30)), masses
    )  # earlier

    s = reception_statistics(people.city_petition, today - timedelta(days=7), today)
    matters = {row["name"]: row for row in s["matters"]}
    assert set(matters) == {"廉洁纪律", "群众纪律", "未登记为信访举报"}
    assert matters["廉洁纪律"]["total"] == 2 and matters["廉洁纪律"]["ended"] == 2
    assert matters["廉洁纪律"]["case"] == 2
    assert matters["群众纪律"]["total"] == 2 and matters["群众纪律"]["case"] == 2
    unlinked = matters["未登记为信访举报"]
    assert (unlinked["total"], unlinked["ended"], unlinked["no_show"], unlinked["in_session"]) == (3, 1, 1, 1)
    assert unlinked["case"] == 0
    assert [row["name"] for row in s["matters"]][-1] == "未登记为信访举报"
    # The outcomes: every state counted, shares of all the bookings, the ones that became a report.
    outcomes = {row["key"]: row for row in s["by_outcome"]}
    assert outcomes["ended"]["count"] == 5 and outcomes["no_show"]["count"] == 1
    assert outcomes["in_session"]["count"] == 1 and outcomes["case"]["count"] == 4
    assert outcomes["no_show"]["share"] == round(100 / 7, 1)
    # Township A sees by matter only the session booked at its terminal.
    township = reception_statistics(people.township_a, today - timedelta(days=7), today)
    assert [(row["name"], row["total"]) for row in township["matters"]] == [("群众纪律", 1)]


def test_a_reference_to_an_unknown_case_is_counted_apart(tree, people):
    today = date.today()
    r = reception(tree.city, state=ReceptionState.ENDED, day=today)
    r.case_ref = "elsewhere.case:7|X-1"
    r.save(update_fields=["case_ref"])
    s = reception_statistics(people.city_petition, today, today)
    assert [(row["name"], row["total"]) for row in s["matters"]] == [("关联案件类别不明", 1)]


def _queries(user, day) -> int:
    with CaptureQueriesContext(connection) as ctx:
        reception_statistics(user, day, day)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_receptions(tree, people):
    today = date.today()
    report = registered(people, tree, "work")
    linked(reception(tree.city, state=ReceptionState.ENDED, day=today), report)
    few = _queries(people.city_petition, today)
    for matter in ("political", "life", "integrity"):
        other = registered(people, tree, matter)
        for state in (ReceptionState.ENDED, ReceptionState.NO_SHOW):
            linked(reception(tree.city, state=state, day=today), other)
        reception(tree.city, township=tree.township_a, state=ReceptionState.CANCELLED, day=today)
    assert len(reception_statistics(people.city_petition, today, today)["matters"]) == 5
    assert _queries(people.city_petition, today) == few


def test_excel_export_has_the_outcomes_and_the_matters(tree, people):
    today = date.today()
    linked(reception(tree.city, state=ReceptionState.ENDED, day=today), registered(people, tree, "integrity"))
    reception(tree.city, state=ReceptionState.NO_SHOW, day=today)
    client = Client()
    sign_in(client, people.city_petition)
    page = client.get(reverse("reception:stats"), {"start": f"{today}", "end": f"{today}"}).content.decode()
    assert "按反映问题类别" in page and "廉洁纪律" in page and "转为信访举报" in page
    # On the page too, below the total as a part of it, not one more state among those adding up to it.
    outcomes_table = page[
        page.index('id="stats-outcomes"') : page.index("</table>", page.index('id="stats-outcomes"'))
    ]
    assert outcomes_table.index("预约总数") < outcomes_table.index("其中：转为信访举报")
    answer = client.get(reverse("reception:stats_xlsx"), {"start": f"{today}", "end": f"{today}"})
    wb = load_workbook(io.BytesIO(answer.content))
    assert wb.sheetnames == [
        "按结果",
        "按接访机关",
        "按接访领导",
        "按乡镇接访点",
        "按反映问题类别",
        "按被反映人级别",
    ]
    # The helper's rows leave the level at its default, 其他或不清楚.
    assert list(wb["按被反映人级别"].iter_rows(values_only=True))[2] == (
        "其他或不清楚",
        2,
        0,
        0,
        0,
        1,
        1,
        0,
        1,
    )
    matters = list(wb["按反映问题类别"].iter_rows(values_only=True))
    assert matters[1] == (
        "反映问题类别",
        "预约总数",
        "待确认",
        "已确认",
        "接访中",
        "已接访",
        "未到场",
        "已取消",
        "转为信访举报",
    )
    assert matters[2] == ("廉洁纪律", 1, 0, 0, 0, 1, 0, 0, 1)
    assert matters[3] == ("未登记为信访举报", 1, 0, 0, 0, 0, 1, 0, 0)
    assert matters[4] == ("合计", 2, 0, 0, 0, 1, 1, 0, 1)
    rows = [row for row in wb["按结果"].iter_rows(min_row=3, values_only=True) if row]
    outcomes = {row[0]: row[1:] for row in rows}
    assert outcomes["未到场"] == (1, 50.0) and outcomes["其中：转为信访举报"] == (1, 50.0)
    # The states add up to the total; the bookings that became a report are a part of them, shown below it.
    names = [row[0] for row in rows]
    assert names.index("预约总数") == names.index("其中：转为信访举报") - 1
    assert sum(row[1] for row in rows[: names.index("预约总数")]) == outcomes["预约总数"][0]
    assert outcomes["预约总数"][0] == 2 and outcomes["从预约到接访平均天数"][0] == 0


def test_outsiders_get_404_for_the_page_and_the_export(tree, people):
    today = date.today()
    reception(tree.city, state=ReceptionState.ENDED, day=today)
    client = Client()
    sign_in(client, people.outsider)
    for name in ("reception:stats", "reception:stats_xlsx"):
        assert client.get(reverse(name)).status_code == 404
    # A commission elsewhere sees its own (empty) figures, never the city's.
    other = reception_statistics(people.outsider, today, today)
    assert other["totals"]["total"] == 0 and other["matters"] == []


def test_the_matters_offered_are_the_ones_petitions_registers():
    from jijian.petitions.models import Matter
    from jijian.reception.forms import MATTERS

    assert dict(MATTERS) == {value: str(label) for value, label in Matter.choices}
