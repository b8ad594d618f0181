"""The month-end surge benchmark's preparation gives every job a real first submission through the API
with the member's own bearer token, and run.py reads a throughput's
target as a minimum. Behaviour only; the timing itself (a uvicorn server) lives in bench/bench_surge.py,
its harness (server, open loop, rate search) in bench/httpload.py (tests/bench/test_httpload.py)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from bench.bench_surge import BODY, FLOOR_RPS, SUMMARY, _request_bytes, _submitted, prepare
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
    # The months just ended, not the running one (month end submits the month just ended).
    assert max(r.month for r in reports) == month_start(month_start(today()) - timedelta(days=1))
    # Month by month: consecutive jobs are different members.
    assert len({token for token, _ in jobs[:4]}) == 4

    token, rid = jobs[0]
    # The raw request the bench sends, through Django's test client: same path, token, body.
    head, body = _request_bytes(token, rid).split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert lines[0] == f"POST /api/reports/{rid}/submit HTTP/1.1" and body == BODY
    assert int(headers["Content-Length"]) == len(body)
    response = client.post(
        f"/api/reports/{rid}/submit",
        body,
        content_type=headers["Content-Type"],
        HTTP_AUTHORIZATION=headers["Authorization"],
    )
    assert _submitted(response.status_code, response.content), response.content
    assert json.loads(response.content)["state"] == ReportState.SUBMITTED
    assert ReportTransition.objects.filter(report_id=rid, to_state=ReportState.SUBMITTED).count() == 1
    # Another member's token cannot submit it (the jobs are not a shortcut around scoping).
    other_token, other_rid = jobs[1]
    response = client.post(
        f"/api/reports/{other_rid}/submit", BODY, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 404 and not _submitted(response.status_code, response.content)
    # Prepared again (a second scale on the same database): existing rows are kept, tokens replaced.
    again = prepare(gen, members=4, months=3)
    assert again == []


def test_throughput_targets_are_minimums_and_the_others_maximums():
    assert missed_targets({"month_end_surge": 21.0, "scoped_village_list": 2.9}) == {}
    assert missed_targets({"month_end_surge": 19.0}) == {"month_end_surge": 19.0}
    assert missed_targets({"scoped_village_list": 3.2}) == {"scoped_village_list": 3.2}
    assert missed_targets({"report_stats_counties": 2.1}) == {"report_stats_counties": 2.1}


def test_the_petition_targets_are_checked_too():
    """The receipt's cost and throughput are minimums; the deadline board's ratio a maximum of 2."""
    assert missed_targets({"receipt_guess_cost": 69.0, "receipt_lookups": 21.4}) == {}
    assert missed_targets({"receipt_guess_cost": 40.0}) == {"receipt_guess_cost": 40.0}
    assert missed_targets({"receipt_lookups": 11.4}) == {"receipt_lookups": 11.4}
    assert missed_targets({"petition_board_city": 1.1}) == {}
    assert missed_targets({"petition_board_county": 2.5}) == {"petition_board_county": 2.5}


def test_the_floor_is_a_provinces_month_in_one_hour():
    assert round(FLOOR_RPS, 1) == 7.2


def test_only_runs_one_group_at_its_scale():
    from bench.run import GROUPS, ONLY

    assert {group for group, _ in ONLY.values()} == set(GROUPS)
    assert ONLY["month_end_surge"] == ("surge", ["province"])
