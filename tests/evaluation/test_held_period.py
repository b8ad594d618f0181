"""The annual evaluation counts the months the member held the post (cadres' post holdings, through
core.links.post_holding_periods) on constructed years: a member dismissed at the end of June is
evaluated on January to June, a successor from July on July to December, a member with no holding
on record on the whole year; someone who held no day of the year is not evaluated for it. The held
period is on the page, in the export and in the API's basis."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from jijian.cadres import services as cadres
from jijian.core import links
from jijian.core.roles import Role
from jijian.evaluation import scoring, services
from jijian.evaluation.models import Evaluation
from jijian.reports.models import MonthlyReport
from tests.cadres.helpers import holding
from tests.conftest import make_user
from tests.evaluation.factories import rubric
from tests.reports.helpers import year_of_reports

YEAR = 2025
SECOND_HALF = (7, 8, 9, 10, 11, 12)


def _dismissed_in_june(tree, people):
    """member_a held 神农村's post from 2021 to 30 June 2025, dismissed; their reports of January to
    June are submitted with a score of 80, those of July to December never (the reports platform
    still expected them of the account)."""
    year_of_reports(people.member_a, tree.village_a, missing_months=SECOND_HALF, score=Decimal("80"))
    h = holding(tree.village_a, people.member_a, people.county_officer)
    cadres.post_holding_end(
        actor=people.county_officer,
        holding=h,
        version=h.version,
        ended_on=date(YEAR, 6, 30),
        reason="dismissed",
        note="免职",
    )


def _evaluate(people, member):
    e = services.evaluation_start(actor=people.township_a, member=member, year=YEAR)
    return services.evaluation_assess(
        actor=people.township_a, evaluation=e, township_score=80, comment="", version=1
    )


def test_a_member_dismissed_in_june_is_evaluated_on_january_to_june(tree, people):
    _dismissed_in_june(tree, people)
    rubric(people.county_officer, year=YEAR)
    e = _evaluate(people, people.member_a)
    assert e.basis["held"] == {
        "periods": [{"from": "2021-01-01", "to": "2025-06-30", "village": "神农村"}],
        "months": 6,
        "reports_left_out": 6,
    }
    r = e.basis["reports"]
    assert (r["expected"], r["submitted"], r["missing"], r["scored"]) == (6, 6, 0, 6)
    assert e.basis["parts"]["reports"] == "80.0"  # the six months held, each 80 %
    assert scoring.held_text(e.basis) == (
        "任职期间：2021-01-01 至 2025-06-30（神农村）；按任职的 6 个月考评"
        "（另有 6 个月的月报不在任职期间，不计入）"
    )


def test_the_same_reports_without_a_holding_on_record_count_the_whole_year(tree, people):
    year_of_reports(people.member_a, tree.village_a, missing_months=SECOND_HALF, score=Decimal("80"))
    rubric(people.county_officer, year=YEAR)
    e = _evaluate(people, people.member_a)
    assert e.basis["held"] is None and scoring.held_text(e.basis) == ""
    assert e.basis["reports"]["expected"] == 12
    assert e.basis["parts"]["reports"] == "40.0"  # 6 months of 80 % out of 12


def test_a_successor_from_july_is_evaluated_on_july_to_december(tree, people):
    _dismissed_in_june(tree, people)
    successor = make_user("successor", tree.village_a, Role.VILLAGE_MEMBER)
    holding(tree.village_a, successor, people.county_officer, started_on=date(YEAR, 7, 1))
    # The second half's reports are the successor's, submitted; one (October) scored 60.
    second_half = MonthlyReport.objects.filter(village=tree.village_a, month__year=YEAR, month__month__gte=7)
    second_half.update(member=successor, state="approved", score=None)
    second_half.filter(month=date(YEAR, 10, 1)).update(score=Decimal("60"))
    rubric(people.county_officer, year=YEAR)
    e = _evaluate(people, successor)
    assert e.basis["held"] == {
        "periods": [{"from": "2025-07-01", "to": None, "village": "神农村"}],
        "months": 6,
        "reports_left_out": 0,
    }
    assert scoring.held_text(e.basis) == "任职期间：2025-07-01 起至今（神农村）；按任职的 6 个月考评"
    r = e.basis["reports"]
    assert (r["expected"], r["submitted"]) == (6, 6)
    # (60 + 5 unscored months in full) / 6 = 93.3
    assert e.basis["parts"]["reports"] == "93.3"
    # The predecessor's January to June are not the successor's, nor the successor's months theirs.
    former = _evaluate(people, people.member_a)
    assert former.basis["reports"]["expected"] == 6 and former.basis["parts"]["reports"] == "80.0"


def test_someone_who_held_no_day_of_the_year_is_not_evaluated_for_it(tree, people):
    h = holding(tree.village_a, people.member_a, people.county_officer, started_on=date(2020, 1, 1))
    cadres.post_holding_end(
        actor=people.county_officer,
        holding=h,
        version=h.version,
        ended_on=date(2024, 12, 31),
        reason="resigned",
        note="辞职",
    )
    rubric(people.county_officer, year=YEAR)
    with pytest.raises(ValidationError, match="2025 年度未任村（社区）纪检委员，不参加该年度考评"):
        services.evaluation_start(actor=people.township_a, member=people.member_a, year=YEAR)
    assert not Evaluation.objects.exists()


def test_without_the_posts_app_the_whole_year_counts(tree, people):
    _dismissed_in_june(tree, people)
    people.member_a.roles.create(role=Role.VILLAGE_MEMBER)  # without the posts app no role ends either
    rubric(people.county_officer, year=YEAR)
    provider, links.post_holding_periods.provider = links.post_holding_periods.provider, None
    try:
        e = _evaluate(people, people.member_a)
    finally:
        links.post_holding_periods.provider = provider
    assert e.basis["held"] is None and e.basis["reports"]["expected"] == 12


def test_the_page_the_export_and_the_api_show_the_held_period(client, login, tree, people):
    _dismissed_in_june(tree, people)
    rubric(people.county_officer, year=YEAR)
    e = _evaluate(people, people.member_a)
    login(people.township_a)
    page = client.get(f"/evaluation/annual/{e.pk}/").content.decode()
    assert "任职期间：2021-01-01 至 2025-06-30（神农村）；按任职的 6 个月考评" in page
    assert "应报 6 个月，已报 6 个月" in page
    ws = load_workbook(BytesIO(client.get(f"/evaluation/annual/export.xlsx?year={YEAR}").content)).active
    rows = list(ws.iter_rows(values_only=True))
    header, row = rows[1], rows[2]
    assert row[header.index("任职期间")].startswith("任职期间：2021-01-01 至 2025-06-30（神农村）")
    assert row[header.index("应报月数")] == 6
    api = client.get(f"/api/evaluation/evaluations/{e.pk}").json()
    assert api["basis"]["held"]["months"] == 6


def test_the_months_held():
    d = date
    # A month held on at least one day counts; only months begun by the evaluation day.
    assert scoring.months_held([(d(2025, 1, 1), d(2025, 6, 15))], year=2025, today=d(2026, 1, 5)) == 6
    assert scoring.months_held([(d(2025, 7, 20), d(2025, 12, 31))], year=2025, today=d(2025, 9, 3)) == 3
    assert (
        scoring.months_held(
            [(d(2025, 1, 1), d(2025, 2, 1)), (d(2025, 2, 10), d(2025, 3, 1))], year=2025, today=d(2026, 1, 1)
        )
        == 3
    )
    assert scoring.held_months(
        [(d(2025, 3, 5), d(2025, 4, 1)), (d(2025, 9, 1), d(2025, 12, 31))], year=2025, today=d(2025, 10, 2)
    ) == [3, 4, 9, 10]


def test_reports_outside_the_held_months_never_count_and_a_month_missed_within_them_does(tree, people):
    """Read by month, not cut by number: the account went on submitting after the dismissal (July to
    December, all scored 100) and missed March while in post. Judged on January to June: five
    submitted of six, March missing, nothing of the second half."""
    year_of_reports(people.member_a, tree.village_a, missing_months=(3,), score=Decimal("60"))
    MonthlyReport.objects.filter(village=tree.village_a, month__month__gte=7).update(score=Decimal("100"))
    h = holding(tree.village_a, people.member_a, people.county_officer)
    cadres.post_holding_end(
        actor=people.county_officer,
        holding=h,
        version=h.version,
        ended_on=date(YEAR, 6, 30),
        reason="dismissed",
        note="免职",
    )
    rubric(people.county_officer, year=YEAR)
    e = _evaluate(people, people.member_a)
    r = e.basis["reports"]
    assert (r["expected"], r["submitted"], r["missing"], r["scored"]) == (6, 5, 1, 5)
    assert r["average_score_pct"] == 60.0  # the second half's 100s are not the member's post
    assert e.basis["held"]["reports_left_out"] == 6


def test_a_member_whose_role_ended_with_the_post_is_listed_and_evaluated_for_the_year_held(
    client, login, tree, people
):
    _dismissed_in_june(tree, people)  # their village-member role ended with the holding
    assert not people.member_a.has_role(Role.VILLAGE_MEMBER)
    rubric(people.county_officer, year=YEAR)
    login(people.township_a)
    listed = client.get(f"/evaluation/annual/?year={YEAR}").context["page"].object_list
    assert people.member_a in [row.member for row in listed]
    started = client.post(f"/evaluation/annual/?year={YEAR}", {"member": people.member_a.pk})
    e = Evaluation.objects.get(member=people.member_a, year=YEAR)
    assert started.status_code == 302 and e.basis["held"]["months"] == 6
    # Still listed with their evaluation; not listed for a year they held no day of.
    page = client.get(f"/evaluation/annual/?year={YEAR}")
    listed = page.context["page"].object_list
    assert [row.evaluation for row in listed if row.member == people.member_a] == [e]
    assert "任职 2021-01-01 至 2025-06-30" in page.content.decode()  # why this member is listed
    later = client.get(f"/evaluation/annual/?year={YEAR + 1}").context["page"].object_list
    assert people.member_a not in [row.member for row in later]
    assert (
        client.post(f"/evaluation/annual/?year={YEAR + 1}", {"member": people.member_a.pk}).status_code == 404
    )
