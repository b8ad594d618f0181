"""The submit benchmark's preparation gives every job a real first submission through the API with
the member's own bearer token, and run.py reads a throughput's target as a minimum. Behaviour only;
the timing itself (a uvicorn server) lives in bench/bench_submit.py."""

from __future__ import annotations

import json

import pytest
from bench.bench_submit import BODY, SUMMARY, prepare
from bench.generate import Shape, generate
from bench.run import missed_targets

from jijian.reports.models import MonthlyReport, ReportState, ReportTransition
from jijian.reports.services import month_start, today

TINY = Shape(
    counties=1, townships_per_county=2, villages_per_township=3, city_departments=0, county_departments=0
)


@pytest.mark.django_db
def test_each_job_is_a_first_submission_of_the_members_own_draft(client):
    gen = generate(TINY)
    jobs = prepare(gen, members=4, months=3)
    assert len(jobs) == 4 * 3
    reports = MonthlyReport.objects.filter(pk__in=[rid for _, rid in jobs])
    assert {r.state for r in reports} == {ReportState.DRAFT}
    assert {r.summary for r in reports} == {SUMMARY}
    assert max(r.month for r in reports) == month_start(today())
    # Month by month: consecutive jobs are different members.
    assert len({token for token, _ in jobs[:4]}) == 4

    token, rid = jobs[0]
    response = client.post(
        f"/api/reports/{rid}/submit",
        BODY,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["state"] == ReportState.SUBMITTED
    assert ReportTransition.objects.filter(report_id=rid, to_state=ReportState.SUBMITTED).count() == 1
    # Another member's token cannot submit it (the jobs are not a shortcut around scoping).
    other_token, other_rid = jobs[1]
    response = client.post(
        f"/api/reports/{other_rid}/submit", BODY, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 404
    # Prepared again (a second scale on the same database): existing rows are kept, tokens replaced.
    again = prepare(gen, members=4, months=3)
    assert again == []


def test_throughput_targets_are_minimums_and_the_others_maximums():
    assert missed_targets({"report_submit": 0.6, "scoped_village_list": 2.9}) == {}
    assert missed_targets({"report_submit": 0.4}) == {"report_submit": 0.4}
    assert missed_targets({"scoped_village_list": 3.2}) == {"scoped_village_list": 3.2}
    assert missed_targets({"report_stats_counties": 2.1}) == {"report_stats_counties": 2.1}


def test_the_petition_targets_are_checked_too():
    """The receipt's cost and throughput are minimums; the deadline board's ratio a maximum of 2."""
    assert missed_targets({"receipt_guess_cost": 69.0, "receipt_lookups": 21.4}) == {}
    assert missed_targets({"receipt_guess_cost": 40.0}) == {"receipt_guess_cost": 40.0}
    assert missed_targets({"receipt_lookups": 11.4}) == {"receipt_lookups": 11.4}
    assert missed_targets({"petition_board_city": 1.1}) == {}
    assert missed_targets({"petition_board_county": 2.5}) == {"petition_board_county": 2.5}
