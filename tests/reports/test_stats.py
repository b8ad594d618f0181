"""Statistics of the monthly reports: the measures on a hand-made month, counting by the tree as of
the month, jurisdiction, and a page whose query count does not grow with the villages."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jijian.core.models import OrgKind
from jijian.core.roles import Role
from jijian.core.services import org_unit_create, org_unit_move
from jijian.reports import views_stats
from jijian.reports.models import DutyRecord, MonthlyReport, ReportState
from jijian.reports.services import duty_types_for, monthly_reports_open
from jijian.reports.statistics import (
    AGGREGATES,
    MEASURE_FIELDS,
    grouped_measures,
    month_range,
    node_statistics,
    stats_node_for,
)
from tests.conftest import make_user
from tests.reports.helpers import NOV, OCT, SEP, report

TODAY = date(2025, 12, 10)
OCT_RANGE = {"from": "2025-10", "to": "2025-10"}


def measures(stats):
    t = stats.totals
    return {
        "expected": t.expected,
        "submitted": t.submitted,
        "on_time": t.on_time,
        "late": t.late,
        "missing": t.missing,
        "zero": t.zero,
        "returned": t.returned,
        "approved": t.approved,
    }


def test_measures_of_a_county_month_are_exact(tree, people, october):
    stats = node_statistics(user=people.county_officer, node=tree.county, start=OCT, end=OCT)
    assert measures(stats) == {
        "expected": 3,
        "submitted": 2,
        "on_time": 1,
        "late": 1,
        "missing": 1,
        "zero": 1,
        "returned": 1,
        "approved": 1,
    }
    assert stats.totals.submission_rate == pytest.approx(66.7)
    rows = {r.name: r.measures for r in stats.children}
    assert set(rows) == {"厉山镇", "高城镇"}
    assert (rows["厉山镇"].expected, rows["厉山镇"].submitted, rows["厉山镇"].on_time) == (2, 2, 1)
    assert (rows["高城镇"].expected, rows["高城镇"].missing, rows["高城镇"].zero) == (1, 1, 0)
    # Ranking of the county's townships: 厉山镇 (50% on time) before 高城镇 (0%).
    assert [r["name"] for r in stats.rankings["townships"]] == ["厉山镇", "高城镇"]


def test_city_totals_cover_both_counties_and_rank_counties_and_townships(tree, people, october):
    city_officer = make_user("city_cs", tree.city, Role.CONDUCT_SUPERVISION)
    stats = node_statistics(user=city_officer, node=tree.city, start=OCT, end=OCT)
    assert measures(stats) == {
        "expected": 4,
        "submitted": 2,
        "on_time": 1,
        "late": 1,
        "missing": 2,
        "zero": 1,
        "returned": 2,
        "approved": 1,
    }
    assert {r.name: r.measures.expected for r in stats.children} == {"随县": 3, "广水市": 1}
    assert [r["name"] for r in stats.rankings["counties"]] == ["随县", "广水市"]
    assert [r["name"] for r in stats.rankings["townships"]][0] == "厉山镇"


def test_a_month_range_adds_months_and_the_trend_lists_each_month(tree, people, october):
    stats = node_statistics(user=people.township_a, node=tree.township_a, start=SEP, end=NOV)
    assert stats.totals.expected == 3 and stats.totals.submitted == 3
    assert [(t["month"], t["expected"], t["submitted"]) for t in stats.trend] == [
        ("2025-09", 1, 1),
        ("2025-10", 2, 2),
        ("2025-11", 0, 0),
    ]
    # At a township the children are its villages.
    assert {r.name: r.measures.expected for r in stats.children} == {"神农村": 2, "凤凰村": 1}


@pytest.mark.parametrize(
    "group_field", ["city_id_at", "county_id_at", "township_id_at", "village_id", "month"]
)
def test_grouped_measures_are_the_grouped_counts_per_key(tree, people, october, group_field):
    # grouped_measures gives, per grouped value (converted as the ORM converts it: SQLite's dates), the
    # same counts as the grouped queryset's dicts, key for key.
    qs = MonthlyReport.objects.filter(month__gte=SEP, month__lte=OCT)
    expected = {
        row[group_field]: tuple(row[name] for name in MEASURE_FIELDS)
        for row in qs.order_by().values(group_field).annotate(**AGGREGATES)
    }
    got = grouped_measures(qs, group_field)
    assert {key: tuple(getattr(m, name) for name in MEASURE_FIELDS) for key, m in got.items()} == expected
    assert got and all(type(key) is type(next(iter(expected))) for key in got)
    if group_field == "month":
        assert set(got) == {SEP, OCT}
    # A filter that can match nothing: no rows, no error.
    assert grouped_measures(qs.filter(village_id__in=[]), group_field) == {}


def test_a_management_zone_counts_the_townships_it_oversees(tree, people, october):
    # The zone's filter is a subquery (the townships it manages now): compiled into the same statement.
    stats = node_statistics(user=people.zone_officer, node=tree.zone, start=OCT, end=OCT)
    assert {r.name: (r.measures.expected, r.measures.submitted) for r in stats.children} == {"高城镇": (1, 0)}
    assert (stats.totals.expected, stats.totals.submitted, stats.totals.zero) == (1, 0, 0)


def test_a_village_lists_its_reports(tree, people, october):
    stats = node_statistics(user=people.township_a, node=tree.village_a, start=SEP, end=OCT)
    assert [r.month for r in stats.reports] == [SEP, OCT]
    assert stats.totals.expected == 2 and stats.totals.returned == 1


def record(village, month, duty_type, member, **extra):
    """A duty record where its village stood in `month` (as services.duty_record_create writes it)."""
    return DutyRecord.objects.create(
        member=member,
        village=village,
        month=month,
        duty_type=duty_type,
        occurred_on=month,
        city_id_at=village.city_id,
        county_id_at=village.county_id,
        township_id_at=village.township_id,
        **extra,
    )


def test_duty_types_and_clues_are_counted(tree, people, october):
    types = {t.code: t for t in duty_types_for(2025)}
    for code in ("household_visit", "household_visit", "clue_found"):
        record(tree.village_a, OCT, types[code], people.member_a)
    record(tree.village_a, OCT, types["clue_found"], people.member_a, is_deleted=True)  # not counted
    stats = node_statistics(user=people.county_officer, node=tree.county, start=OCT, end=OCT)
    counts = {d["code"]: d["count"] for d in stats.duty_counts}
    assert counts == {"household_visit": 2, "clue_found": 1}
    assert stats.clues == 1
    other = node_statistics(user=people.township_b, node=tree.township_b, start=OCT, end=OCT)
    assert other.duty_counts == [] and other.clues == 0


def test_old_months_stay_with_the_old_county_after_a_township_moves(tree, people, october):
    org_unit_move(
        actor=people.system_admin,
        unit=tree.township_a,
        new_parent=tree.other_county,
        version=tree.township_a.version,
    )
    tree.township_a.refresh_from_db()
    monthly_reports_open(month=NOV)  # village A's November row is opened under its new county
    old = node_statistics(user=people.county_officer, node=tree.county, start=OCT, end=NOV)
    assert [(t["month"], t["expected"]) for t in old.trend] == [("2025-10", 3), ("2025-11", 0)]
    moved = next(r for r in old.children if r.name == "厉山镇")
    assert moved.measures.expected == 2
    assert moved.drill is False  # the county officer no longer sees 厉山镇: no drill-down link
    new = node_statistics(user=people.outsider, node=tree.other_county, start=OCT, end=NOV)
    assert [(t["month"], t["expected"]) for t in new.trend] == [("2025-10", 1), ("2025-11", 1)]


def test_the_city_ranking_names_a_township_that_has_moved_to_another_city(tree, people, october):
    # The township ranking names the city's townships in one query and looks up by id only those that
    # have left the city since: both kinds must be named.
    other_city = org_unit_create(actor=None, name="孝感市", kind=OrgKind.CITY, parent=None, audit=False)
    other_county = org_unit_create(
        actor=None, name="孝南区", kind=OrgKind.DISTRICT, parent=other_city, audit=False
    )
    org_unit_move(
        actor=people.system_admin,
        unit=tree.township_a,
        new_parent=other_county,
        version=tree.township_a.version,
    )
    officer = make_user("city_cs", tree.city, Role.CONDUCT_SUPERVISION)
    stats = node_statistics(user=officer, node=tree.city, start=OCT, end=OCT)
    assert {r["name"]: r["expected"] for r in stats.rankings["townships"]} == {
        "厉山镇": 2,
        "高城镇": 1,
        "武胜关镇": 1,
    }


def test_duty_counts_stay_with_the_county_of_their_month_after_a_township_moves(
    tree, people, october, monkeypatch
):
    """Recorded in October under 随县, 高城镇 then moved to 广水市: October's duties stay counted under
    随县; a duty recorded for November (its row opened under 广水市) counts under 广水市."""
    from jijian.reports import services

    member_b = make_user("member_b", tree.village_b, Role.VILLAGE_MEMBER)
    types = {t.code: t for t in duty_types_for(2025)}
    monkeypatch.setattr(services, "today", lambda: date(2025, 11, 20))
    visit = types["household_visit"]
    services.duty_record_create(
        actor=member_b, duty_type=visit, occurred_on=date(2025, 10, 20), data={"households": 3}
    )
    org_unit_move(
        actor=people.system_admin,
        unit=tree.township_b,
        new_parent=tree.other_county,
        version=tree.township_b.version,
    )
    monthly_reports_open(month=NOV)
    member_b.refresh_from_db()
    services.duty_record_create(
        actor=member_b, duty_type=visit, occurred_on=date(2025, 11, 3), data={"households": 2}
    )

    def visits(user, node, month):
        stats = node_statistics(user=user, node=node, start=month, end=month)
        return {d["code"]: d["count"] for d in stats.duty_counts}.get("household_visit", 0)

    assert visits(people.county_officer, tree.county, OCT) == 1
    assert visits(people.outsider, tree.other_county, OCT) == 0
    assert visits(people.county_officer, tree.county, NOV) == 0
    assert visits(people.outsider, tree.other_county, NOV) == 1


def test_only_supervisors_inside_their_subtree_get_a_node(tree, people):
    assert stats_node_for(people.county_officer, None) == tree.county
    assert stats_node_for(people.county_officer, str(tree.village_a.pk)) == tree.village_a
    from django.http import Http404

    for user, node in (
        (people.county_officer, tree.village_c.pk),  # another county
        (people.township_b, tree.village_a.pk),  # another township
        (people.member_a, tree.village_a.pk),  # a village member: not these pages
        (people.member_a, None),
        (people.city_petition, None),  # no REPORTS module
        (people.county_officer, tree.department.pk),  # not a node of the village tree
        (people.county_officer, "abc"),
    ):
        with pytest.raises(Http404):
            stats_node_for(user, node)


def test_month_range_defaults_to_last_month_and_explains_bad_input():
    assert month_range(None, None, today=TODAY) == (NOV, NOV, [])
    assert month_range("2025-09", "2025-10", today=TODAY) == (SEP, OCT, [])
    assert month_range("2025-10", None, today=TODAY) == (OCT, OCT, [])
    assert month_range("2025-13", None, today=TODAY)[2] == [
        "月份格式不正确：2025-13（应为 YYYY-MM，如 2025-10）"
    ]
    assert month_range("2025-10", "2025-09", today=TODAY)[2] == ["起始月份不能晚于结束月份"]
    assert month_range("2026-01", None, today=TODAY)[2] == ["月份不能晚于本月"]
    assert month_range("2020-01", "2025-10", today=TODAY)[2] == ["时间范围不能超过36个月"]


# --- pages and API -------------------------------------------------------------------------------
def test_the_page_shows_children_links_and_the_chart_data(tree, people, october, login):
    client = login(people.county_officer)
    response = client.get(reverse("reports:stats"), {"from": "2025-10", "to": "2025-10"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "厉山镇" in html and "高城镇" in html
    assert reverse("reports:stats_node", args=[tree.township_a.pk]) + "?from=2025-10" in html
    assert 'id="trend-data"' in html and "vendor/echarts/echarts.min.js" in html
    assert "<script>" not in html  # no inline script (CSP): the data block is application/json


def test_a_bad_month_shows_a_chinese_message(tree, people, login):
    client = login(people.township_a)
    response = client.get(reverse("reports:stats"), {"from": "2025-99"})
    assert response.status_code == 200
    assert "月份格式不正确" in response.content.decode()


def test_village_members_and_other_jurisdictions_get_404(tree, people, october, login):
    assert login(people.member_a).get(reverse("reports:stats")).status_code == 404
    client = login(people.township_b)
    assert client.get(reverse("reports:stats"), {"node": tree.village_a.pk}).status_code == 404
    assert client.get(reverse("reports:stats_node", args=[tree.township_a.pk])).status_code == 404


def test_api_gives_the_same_numbers_scoped(tree, people, october, login):
    client = login(people.county_officer)
    url = reverse("api:stats_summary")
    data = client.get(url, {"from": "2025-10", "to": "2025-10"}).json()
    assert data["totals"]["expected"] == 3 and data["totals"]["missing"] == 1
    assert {c["name"] for c in data["children"]} == {"厉山镇", "高城镇"}
    village = client.get(url, {"node": tree.village_a.pk, "from": "2025-09", "to": "2025-10"}).json()
    assert [r["month"] for r in village["reports"]] == ["2025-09", "2025-10"]
    outside = client.get(url, {"node": tree.village_c.pk})
    assert outside.status_code == 404 and outside.json()["error"]["code"] == "not_found"
    bad = client.get(url, {"from": "2025-10", "to": "2025-09"})
    assert bad.status_code == 400 and "起始月份不能晚于结束月份" in bad.json()["error"]["message"]


def _add_villages(tree, n, month):
    for i in range(n):
        v = org_unit_create(
            actor=None, name=f"新村{i}", kind=OrgKind.VILLAGE, parent=tree.township_a, audit=False
        )
        report(v, month, state=ReportState.SUBMITTED if i % 2 else ReportState.DRAFT)


@pytest.mark.parametrize("persona", ["township_a", "county_officer"])
def test_the_page_costs_the_same_queries_for_3_and_30_villages(tree, people, login, persona):
    client = login(getattr(people, persona))
    url = reverse("reports:stats")
    params = {"from": "2025-09", "to": "2025-10"}
    _add_villages(tree, 3, OCT)
    client.get(url, params)  # warm up the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, params).status_code == 200
    _add_villages(tree, 27, OCT)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, params).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_migration_places_existing_records_by_their_months_row_or_the_tree_now(tree, people, october):
    import importlib

    from django.apps import apps

    types = {t.code: t for t in duty_types_for(2025)}
    with_row = record(tree.village_a, OCT, types["household_visit"], people.member_a)
    without_row = record(tree.village_c, NOV, types["household_visit"], people.member_a)
    MonthlyReport.objects.filter(pk=october["a"].pk).update(county_id_at=tree.other_county.pk)  # as if moved
    DutyRecord.objects.update(city_id_at=None, county_id_at=None, township_id_at=None)
    importlib.import_module("jijian.reports.migrations.0003_duty_record_tree_at").fill_tree_at(apps, None)
    with_row.refresh_from_db()
    without_row.refresh_from_db()
    assert with_row.county_id_at == tree.other_county.pk  # from October's row
    assert (without_row.county_id_at, without_row.township_id_at) == (
        tree.other_county.pk,
        tree.township_c.pk,
    )


# --- offices: the whole ranking, the trend of a year --------------------------------------------
def test_the_ranking_lists_every_village_so_the_worst_is_not_cut_off(tree, people, login, october):
    for i in range(20):
        v = org_unit_create(
            actor=None, name=f"按时村{i:02d}", kind=OrgKind.VILLAGE, parent=tree.township_a, audit=False
        )
        report(v, OCT, state=ReportState.SUBMITTED)
    worst = org_unit_create(
        actor=None, name="末位村", kind=OrgKind.VILLAGE, parent=tree.township_a, audit=False
    )
    report(worst, OCT, state=ReportState.DRAFT)
    html = login(people.township_a).get(reverse("reports:stats"), OCT_RANGE).content.decode()
    ranking = html[html.index("村（社区）排名") :]
    assert "末位村" in ranking and "共23个" in ranking
    assert "data-sortable" in ranking and 'data-key="2"' in ranking  # each column sorts


def test_the_trend_chart_shows_the_last_twelve_months_unless_months_are_chosen(tree, people, login, october):
    client = login(people.county_officer)
    with mock.patch.object(views_stats, "today", return_value=TODAY):
        default = client.get(reverse("reports:stats")).context["chart"]
        chosen = client.get(reverse("reports:stats"), OCT_RANGE).context["chart"]
    assert default["months"][0] == "2024-12" and default["months"][-1] == "2025-11"
    assert len(default["months"]) == 12
    assert default["series"]["expected"][default["months"].index("2025-10")] == 3  # October counted
    assert chosen["months"] == ["2025-10"]
