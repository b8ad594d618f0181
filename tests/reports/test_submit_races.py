"""The member's submit, the hot path of month-end: the version check is the conditional UPDATE
itself (no second read of the report), so a race with another device or a second submit must still
end in exactly one submission, and the endpoint's statements stay few and fixed."""

from datetime import date

import pytest

from jijian.audit.models import AuditEvent
from jijian.core.orgs.workdays import working_days_between
from jijian.core.services import ConcurrentEditError
from jijian.reports.models import MonthlyReport, ReportState, ReportTransition
from jijian.reports.services import monthly_report_save_draft, monthly_report_submit
from tests.reports.helpers import at, open_month

DAY = date(2025, 10, 31)


def _draft(tree, people, summary="走访3户") -> MonthlyReport:
    report = open_month(tree)
    with at(DAY):
        return monthly_report_save_draft(
            actor=people.member_a,
            report=report,
            version=report.version,
            summary=summary,
            problems="",
            counts={},
        )


def _submissions(report) -> tuple[int, int]:
    transitions = ReportTransition.objects.filter(report_id=report.pk, to_state=ReportState.SUBMITTED).count()
    audits = AuditEvent.objects.filter(action="monthly_report.submit", object_id=str(report.pk)).count()
    return transitions, audits


def test_a_second_submit_holding_the_old_draft_answers_the_submitted_report_once(tree, people):
    first = _draft(tree, people)
    second = MonthlyReport.objects.get(pk=first.pk)  # another device read the same draft
    with at(DAY):
        done = monthly_report_submit(actor=people.member_a, report=first, version=first.version, endorse=True)
        # `second` still says draft at the old version: its conditional UPDATE matches no row, and
        # the row as it is now (submitted) is the answer.
        again = monthly_report_submit(
            actor=people.member_a, report=second, version=second.version, endorse=True
        )
    assert done.state == again.state == ReportState.SUBMITTED
    assert (
        again.version == done.version == first.version and again.endorsement_digest == done.endorsement_digest
    )
    assert _submissions(first) == (1, 1)


def test_a_submit_after_another_device_saved_is_refused_and_writes_nothing(tree, people):
    phone = _draft(tree, people, summary="手机上写的")
    computer = MonthlyReport.objects.get(pk=phone.pk)
    loaded = phone.version
    with at(DAY):
        monthly_report_save_draft(
            actor=people.member_a,
            report=computer,
            version=loaded,
            summary="电脑上改的",
            problems="",
            counts={},
        )
        with pytest.raises(ConcurrentEditError):
            monthly_report_submit(actor=people.member_a, report=phone, version=loaded, endorse=True)
    row = MonthlyReport.objects.get(pk=phone.pk)
    assert row.state == ReportState.DRAFT and row.version == loaded + 1 and row.endorsement_digest == ""
    assert _submissions(row) == (0, 0)


def test_a_submit_of_the_current_version_with_an_old_copy_endorses_what_is_stored(tree, people):
    phone = _draft(tree, people, summary="手机上写的")
    computer = MonthlyReport.objects.get(pk=phone.pk)
    with at(DAY):
        saved = monthly_report_save_draft(
            actor=people.member_a,
            report=computer,
            version=phone.version,
            summary="电脑上改的",
            problems="",
            counts={},
        )
        # The member submits the version they now see; the server's copy is the older one: the
        # content endorsed is the stored one, not the stale copy's.
        done = monthly_report_submit(actor=people.member_a, report=phone, version=saved.version, endorse=True)
    assert done.state == ReportState.SUBMITTED and done.summary == "电脑上改的"
    stored = MonthlyReport.objects.get(pk=phone.pk)
    assert stored.endorsement_digest == done.endorsement_digest and stored.version == saved.version + 1
    assert _submissions(stored) == (1, 1)


def test_a_late_first_submit_is_marked_late(tree, people):
    report = _draft(tree, people)
    with at(date(2025, 11, 12)):
        done = monthly_report_submit(
            actor=people.member_a, report=report, version=report.version, endorse=True
        )
    stored = MonthlyReport.objects.get(pk=report.pk)
    # Late by working days (issue 16, item 11): 6–7 and 10–12 November, not 7 calendar days.
    assert (
        stored.is_late and stored.late_days == working_days_between(stored.deadline, date(2025, 11, 12)) == 5
    )
    assert stored.first_submitted_at == stored.submitted_at == done.submitted_at
    assert stored.endorsed_by_id == people.member_a.pk and stored.endorsed_at == done.endorsed_at
