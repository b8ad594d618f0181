"""Issue 16, item 6: the counts typed in the report are reconciled with the duty log — the report
shows the log's number beside each count, and a count above what the log supports needs a note
before the report can be submitted."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jijian.reports import services
from jijian.reports.models import ReportState
from tests.reports.helpers import OCT, at, open_month, visit

DAY = date(2025, 10, 28)


def _save(member, report, counts, note=""):
    report.refresh_from_db()
    return services.monthly_report_save_draft(
        actor=member,
        report=report,
        version=report.version,
        summary="本月走访",
        problems="",
        counts=counts,
        counts_note=note,
    )


def test_a_count_above_the_log_needs_a_note(tree, people, login):
    report = open_month(tree, OCT)
    visit(people.member_a, date(2025, 10, 3), households=6)
    visit(people.member_a, date(2025, 10, 9), households=5)
    with at(DAY):
        report = _save(people.member_a, report, {"household_visit": 5})
        with pytest.raises(ValidationError) as refused:
            services.monthly_report_submit(
                actor=people.member_a, report=report, version=report.version, endorse=True
            )
        assert "走访农户" in str(refused.value) and "纪实 2 条" in str(refused.value)
        report.refresh_from_db()
        assert report.state == ReportState.DRAFT
        report = _save(
            people.member_a, report, {"household_visit": 5}, note="另有3次走访在村民大会上，未单独记录"
        )
        services.monthly_report_submit(
            actor=people.member_a, report=report, version=report.version, endorse=True
        )
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.counts_note.startswith("另有3次")
    review = login(people.township_a).get(reverse("reports:review_detail", args=[report.pk])).content.decode()
    assert 'id="counts-note"' in review and "另有3次走访在村民大会上" in review


def test_a_count_within_the_log_needs_no_note(tree, people):
    report = open_month(tree, OCT)
    visit(people.member_a, date(2025, 10, 3))
    with at(DAY):
        report = _save(people.member_a, report, {"household_visit": 1})
        services.monthly_report_submit(
            actor=people.member_a, report=report, version=report.version, endorse=True
        )
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_the_report_shows_the_log_beside_each_count_where_they_differ(tree, people, login):
    report = open_month(tree, OCT)
    visit(people.member_a, date(2025, 10, 3), households=6)
    visit(people.member_a, date(2025, 10, 9), households=5)
    with at(DAY):
        report = _save(people.member_a, report, {"household_visit": 5}, note="村民大会上走访")
        page = login(people.member_a).get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert 'id="log-household_visit"' in page and "纪实 2 条" in page and "走访户数 11" in page
    assert 'name="counts_note"' in page
