"""Clue statistics on a small fixture: counts by source, disposal, form, accused level, month and
quarter over a period, for the user's jurisdiction; the page's query count does not grow."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jijian.petitions.clues import services as clues
from jijian.petitions.clues.stats import clue_stats, month_period
from jijian.petitions.models import ARCHIVE_SANCTION, Clue, ClueStep
from tests.petitions.authz_entries_clues import case_manager, leader, registered_clue

pytestmark = pytest.mark.django_db


def _at(y, m, d=10):
    return timezone.make_aware(datetime(y, m, d, 10, 0))


def _dispose(cm, boss, clue, disposal, sanction="", when=None):
    clue = clues.clue_propose(
        actor=cm,
        clue=clue,
        disposal=disposal,
        sanction=sanction,
        sanction_decided_on=timezone.localdate() if sanction in ARCHIVE_SANCTION else None,
        note="x",
        version=clue.version,
        endorse=True,
    )
    clue = clues.clue_approve(actor=boss, clue=clue, version=clue.version, endorse=True)
    if when is not None:
        ClueStep.objects.filter(clue=clue, action="approve").update(at=when)
        if clue.closed_at:
            Clue.objects.filter(pk=clue.pk).update(closed_at=when)
    return clue


@pytest.fixture
def fixture(tree):
    """Seven clues of the county in 2025 and one of another county:

    Jan  supervision, village level      -> talk_or_letter (Feb) ... stays
    Feb  inspection, section level        -> close with warning (form 2, Mar)
    Feb  supervision, village level       -> close with criticism (form 1, Apr)
    Apr  other_body, section level        -> transfer (form none, May)
    Apr  supervision, staff level         -> hold (May)
    Jul  supervision, village level       -> registered
    Dec 2024 supervision (outside the period)
    other county: Feb, supervision        -> not in the county's scope
    """
    cm, boss = case_manager(tree.county, "cm"), leader(tree.county, "boss")

    def clue(month, source="supervision", level="village", year=2025, unit=None):
        extra = {"source_note": "市审计局移送"} if source == "other_body" else {}
        c = registered_clue(unit or tree.county, source=source, **extra)
        Clue.objects.filter(pk=c.pk).update(registered_at=_at(year, month), accused_level=level)
        return Clue.objects.get(pk=c.pk)

    a = clue(1)
    b = clue(2, "inspection", "section")
    c = clue(2)
    d = clue(4, "other_body", "section")
    e = clue(4, level="staff")
    clue(7)
    clue(12, year=2024)
    clue(2, unit=tree.other_county)
    _dispose(cm, boss, a, "talk_or_letter", when=_at(2025, 2))
    _dispose(cm, boss, b, "close", "warning", when=_at(2025, 3))
    _dispose(cm, boss, c, "close", "criticism", when=_at(2025, 4))
    _dispose(cm, boss, d, "transfer", when=_at(2025, 5))
    _dispose(cm, boss, e, "hold", when=_at(2025, 5))
    return boss


def test_the_numbers(tree, fixture):
    stats = clue_stats(fixture, month_period(date(2025, 1, 1), date(2025, 12, 1)))
    as_dict = {
        k: {key: n for key, _, n in getattr(stats, k)}
        for k in ("by_source", "by_disposal", "by_form", "by_level")
    }
    assert stats.total == 6
    assert as_dict["by_source"] == {
        "petition": 0,
        "duty_record": 0,
        "inspection": 1,
        "other_body": 1,
        "supervision": 4,
        "other": 0,
    }
    assert as_dict["by_level"] == {"village": 3, "staff": 1, "section": 2, "division": 0, "other": 0}
    assert as_dict["by_disposal"] == {
        "talk_or_letter": 1,
        "preliminary_check": 0,
        "hold": 1,
        "close": 2,
        "transfer": 1,
    }
    assert as_dict["by_form"] == {"": 1, "form_1": 1, "form_2": 1, "form_3": 0, "form_4": 0}
    months = dict((m.month, n) for m, n in stats.by_month)
    assert months == {1: 1, 2: 2, 3: 0, 4: 2, 5: 0, 6: 0, 7: 1, 8: 0, 9: 0, 10: 0, 11: 0, 12: 0}
    assert stats.by_quarter == [
        ("2025年第1季度", 3),
        ("2025年第2季度", 2),
        ("2025年第3季度", 1),
        ("2025年第4季度", 0),
    ]


def test_a_shorter_period_and_the_city_scope(tree, people, fixture):
    q2 = clue_stats(fixture, month_period(date(2025, 4, 1), date(2025, 6, 1)))
    assert q2.total == 2 and q2.disposed == 3 and q2.ended == 2
    city = leader(tree.city, "city_boss")
    year = clue_stats(city, month_period(date(2025, 1, 1), date(2025, 12, 1)))
    assert year.total == 7  # the other county's clue as well
    township = clue_stats(people.township_a, month_period(date(2025, 1, 1), date(2025, 12, 1)))
    assert township.total == 0


def test_the_page_and_its_constant_query_count(login, tree, fixture):
    client = login(fixture)
    url = reverse("petitions_clues:stats")
    query = {"start": "2025-01", "end": "2025-12"}
    client.get(url, query)
    with CaptureQueriesContext(connection) as before:
        page = client.get(url, query).content.decode()
    assert 'id="stat-total">6<' in page and "2025年第1季度" in page
    cm = case_manager(tree.county, "cm")
    for _ in range(4):
        c = registered_clue(tree.county)
        Clue.objects.filter(pk=c.pk).update(registered_at=_at(2025, 8))
        clues.clue_propose(actor=cm, clue=c, disposal="hold", note="x", version=c.version, endorse=True)
    with CaptureQueriesContext(connection) as after:
        page = client.get(url, query).content.decode()
    assert 'id="stat-total">10<' in page
    assert len(after) == len(before) <= 12
    bad = client.get(url, {"start": "2025-13", "end": "x"}).content.decode()
    assert "月份格式应为" in bad


# --- the chart and the export ---------------------------------------------------------------------
def test_the_page_has_a_chart_of_its_months_and_exports_the_same_figures(login, tree, fixture):
    import io
    import json

    from openpyxl import load_workbook

    from jijian.audit.models import AuditEvent

    client = login(fixture)
    query = {"start": "2025-01", "end": "2025-12"}
    page = client.get(reverse("petitions_clues:stats"), query)
    html = page.content.decode()
    assert "vendor/echarts/echarts.min.js" in html and "petitions/clue_stats.js" in html
    chart = json.loads(html.split('id="clue-chart-data" type="application/json">')[1].split("</script>")[0])
    assert chart["months"][:2] == ["2025-01", "2025-02"] and chart["counts"][:2] == [1, 2]
    assert reverse("petitions_clues:stats_export") + "?start=2025-01&amp;end=2025-12" in html
    response = client.get(reverse("petitions_clues:stats_export"), query)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(response.content))
    assert list(wb["合计"].iter_rows(values_only=True))[2] == ("登记线索", 6)
    months = dict(list(wb["按月"].iter_rows(values_only=True))[1:])
    assert months["2025年02月"] == 2
    sources = [row[0] for row in wb["按线索来源"].iter_rows(values_only=True)][1:]
    assert sources and all(not str(s).isascii() for s in sources)  # Chinese labels, no codes
    event = AuditEvent.objects.get(action="clue.stats_export")
    assert event.actor == fixture and "2025-01-01" in event.summary


def test_the_export_is_404_for_those_without_the_module_and_a_bad_period_exports_nothing(
    login, tree, people, fixture
):
    from jijian.audit.models import AuditEvent

    assert login(people.member_a).get(reverse("petitions_clues:stats_export")).status_code == 404
    client = login(fixture)
    response = client.get(reverse("petitions_clues:stats_export"), {"start": "2025-13", "end": "x"})
    assert response.status_code == 302 and response["Location"] == reverse("petitions_clues:stats")
    assert "月份格式应为" in client.get(response["Location"]).content.decode()
    assert not AuditEvent.objects.filter(action="clue.stats_export").exists()
