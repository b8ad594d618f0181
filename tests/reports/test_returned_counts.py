"""Issue 16, item 6: a report returned and never resubmitted counts as not submitted everywhere —
statistics, reminders, escalation and the annual grade (the grade counted it as on time)."""

from datetime import date

from jijian.core.models import Notification
from jijian.core.orgs.workdays import add_working_days
from jijian.reports import services
from jijian.reports.grades import grade_rows
from jijian.reports.models import MonthlyReport, ReportState
from jijian.reports.reminders import reminders_send
from jijian.reports.statistics import node_statistics
from tests.reports.authz_entries_review import OCT, submitted_report
from tests.reports.helpers import year_of_reports as _year


def _returned(tree, people) -> MonthlyReport:
    report = submitted_report(tree.village_a, people.member_a)
    return services.monthly_report_return(actor=people.township_a, report=report, reason="请补充走访记录")


def test_the_grade_counts_a_returned_month_as_missing(tree, people):
    _year(people.member_a, tree.village_a)
    MonthlyReport.objects.filter(village=tree.village_a, month=date(2025, 6, 1)).update(
        state=ReportState.RETURNED, return_count=1
    )
    [row] = grade_rows(people.township_a, year=2025, today=date(2026, 1, 20))
    assert row["basis"]["submitted"] == 11 and row["basis"]["missing"] == 1
    assert row["basis"]["on_time"] == 11


def test_a_returned_report_past_its_deadline_is_reminded_and_escalated(tree, people):
    report = _returned(tree, people)
    config = services.settings_for_city(report.city_id_at)
    day = add_working_days(report.deadline, config.escalate_county_after_days)  # working days
    sent = reminders_send(today=day)
    assert sent["deadline"] == 1 and sent["township"] == 1 and sent["county"] == 1
    township = Notification.objects.get(recipient=people.township_a, title__contains="逾期未交")
    assert tree.village_a.name in township.body


def test_statistics_count_a_returned_report_as_missing(tree, people):
    _returned(tree, people)
    stats = node_statistics(user=people.county_officer, node=tree.township_a, start=OCT, end=OCT)
    village = next(row for row in stats.children if row.unit_id == tree.village_a.pk).measures
    assert (village.expected, village.submitted, village.returned) == (1, 0, 1)
