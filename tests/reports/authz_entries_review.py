"""Authorization matrix entries of the township review pages and API. Reviewing is the township
committee's; the county supervision office (党风政风监督室) watches read-only; everyone else 404."""

from datetime import date
from unittest import mock

from jijian.reports import services
from jijian.reports.models import MonthlyReport
from tests.authz import UNAUTHORIZED, Entry
from tests.conftest import make_user

OCT = date(2025, 10, 1)
# Who has a review queue at all: township committees and the supervision offices (REPORTS module).
QUEUE = frozenset({"township_a", "township_b", "county_officer", "outsider", "zone_officer"})
REVIEWERS = frozenset({"township_a", "township_b"})
# Who sees a report of village A on the review pages: its township (acts), its county (reads).
SEE_A = frozenset({"township_a", "county_officer"})
ACT_A = frozenset({"township_a"})


def submitted_report(village, member) -> MonthlyReport:
    """A report of `village` for October 2025, submitted by `member` (made through the services)."""
    services.monthly_reports_open(month=OCT, under=village)
    report = MonthlyReport.objects.get(village=village, month=OCT)
    with mock.patch.object(services, "today", return_value=date(2025, 10, 31)):
        report = services.monthly_report_save_draft(
            actor=member, report=report, version=report.version, summary="走访农户3户", problems="", counts={}
        )
        return services.monthly_report_submit(
            actor=member, report=report, version=report.version, endorse=True
        )


def report_a(t, p):
    return [submitted_report(t.village_a, p.member_a).pk]


def report_c(t, p):
    return [submitted_report(t.village_c, make_user("member_c", t.village_c, "village_member")).pk]


GRADE = {"year": 2025, "grade": "competent", "reason": "按时报送，履职较好", "version": 0}


def grade_target(t, p):
    report_a(t, p)
    return [p.member_a.pk]


def missing_a(t, p):
    """Member A with October 2025 missing (its deadline long past): a talk can be recorded."""
    services.monthly_reports_open(month=OCT, under=t.village_a)
    return [p.member_a.pk]


TALK = {"kind": "reminder_talk", "held_on": "2025-12-01", "notes": "说明未按时报送原因，表示今后按时报送"}

ENTRIES = [
    Entry("reports:review_queue", QUEUE),
    Entry("reports:review_detail", SEE_A, args=report_a, extra_outside=report_c),
    Entry("reports:review_approve", ACT_A, args=report_a, methods=("POST",)),
    Entry(
        "reports:review_return",
        ACT_A,
        args=report_a,
        methods=("POST",),
        post_data=lambda t, p: {"reason": "请补充"},
    ),
    Entry(
        "reports:review_batch_approve",
        REVIEWERS,
        methods=("POST",),
        post_data=lambda t, p: {"report": report_a(t, p)},
        note="township_b may post; village A's report is simply not in its queue (tested in test_review_pages)",
    ),
    Entry("reports:review_grades", QUEUE),
    Entry(
        "reports:review_grade_set", ACT_A, args=grade_target, methods=("POST",), post_data=lambda t, p: GRADE
    ),
    Entry("reports:review_talks", QUEUE),
    Entry(
        "reports:review_talk_record", ACT_A, args=missing_a, methods=("POST",), post_data=lambda t, p: TALK
    ),
    # API
    Entry("api:review_queue_list", QUEUE, anonymous=UNAUTHORIZED),
    Entry("api:review_report_detail", SEE_A, args=report_a, anonymous=UNAUTHORIZED, extra_outside=report_c),
    Entry("api:review_report_approve", ACT_A, args=report_a, anonymous=UNAUTHORIZED, methods=("POST",)),
    Entry(
        "api:review_report_return",
        ACT_A,
        args=report_a,
        anonymous=UNAUTHORIZED,
        methods=("POST",),
        post_data=lambda t, p: {"reason": "请补充"},
    ),
    Entry(
        "api:review_reports_approve_batch",
        REVIEWERS,
        anonymous=UNAUTHORIZED,
        methods=("POST",),
        post_data=lambda t, p: {"ids": report_a(t, p)},
    ),
    Entry("api:review_grades_list", QUEUE, anonymous=UNAUTHORIZED, query="?year=2025"),
    Entry("api:review_talks_list", QUEUE, anonymous=UNAUTHORIZED, query="?year=2025"),
    Entry(
        "api:review_talk_record",
        ACT_A,
        args=missing_a,
        anonymous=UNAUTHORIZED,
        methods=("POST",),
        post_data=lambda t, p: TALK,
    ),
    Entry(
        "api:review_grade_set",
        ACT_A,
        args=grade_target,
        anonymous=UNAUTHORIZED,
        methods=("POST",),
        post_data=lambda t, p: GRADE,
    ),
]
