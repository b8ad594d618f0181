"""`make bench`'s first groups run on a small tree: the harness of bench/run.py and bench_reports.py
checks that the ORM and the raw SQL read the same rows before it times them, and stops on any error.
`make bench` had stopped at city scale on a read the code no longer made (the roll-up cleared a cached
unit it had never loaded); running the groups here finds that on every test run, not at the next full
benchmark. Behaviour only: the repetitions are few and no figure is judged."""

from __future__ import annotations

import pytest
from bench.generate import Shape, generate
from bench.run import measure, report, run_lists
from django.db import connection

TINY = Shape(
    counties=2, townships_per_county=2, villages_per_township=3, city_departments=1, county_departments=1
)


@pytest.mark.django_db
def test_the_lists_group_runs_and_prints_its_bench_lines(capsys):
    gen = generate(TINY)
    results = run_lists("city", TINY, gen, repeat=3, explain=False)
    assert set(results) == {"scoped_village_list", "scoped_village_list_query", "villages_per_county"}
    assert all(ratio > 0 for ratio in results.values())
    printed = capsys.readouterr().out
    for name in results:
        assert f"BENCH name={name} scale=city " in printed


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the reports are COPYed in: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_the_reports_group_runs_on_postgresql(capsys):
    from bench.bench_reports import run_reports

    gen = generate(TINY)
    results = run_reports("city", gen, repeat=3, explain=False, measure=measure, report=report)
    assert {"report_stats_counties", "report_stats_townships", "report_stats_page_queries"} <= set(results)
    assert "BENCH name=report_stats_counties scale=city " in capsys.readouterr().out
