"""The village member's pages and API. Only member_a acts on village A's report and duty log; the
report page itself is shared read-only with whoever oversees village A for module REPORTS (the
township committee over A and the county's 党风政风监督室)."""

from datetime import date

from jijian.reports import services
from jijian.reports.models import MonthlyReport
from tests.authz import UNAUTHORIZED, Entry
from tests.conftest import make_user

MEMBER = frozenset({"member_a"})
SEE_REPORT_A = frozenset({"member_a", "township_a", "county_officer"})
OCT = date(2025, 10, 1)


def report_a(t, p):
    services.monthly_reports_open(month=OCT, under=t.village_a)
    return [MonthlyReport.objects.get(village=t.village_a, month=OCT).pk]


def report_c(t, p):
    if not MonthlyReport.objects.filter(village=t.village_c, month=OCT).exists():
        make_user("member_c", t.village_c, "village_member")
        services.monthly_reports_open(month=OCT, under=t.village_c)
    return [MonthlyReport.objects.get(village=t.village_c, month=OCT).pk]


def record_a(t, p):
    today = services.today()
    duty_type = services.duty_types_for(today.year).get(code="household_visit")
    record = services.duty_record_create(
        actor=p.member_a, duty_type=duty_type, occurred_on=today, data={"households": 2}
    )
    return [record.pk]


def _today() -> str:
    return services.today().isoformat()


ENTRIES = [
    # Pages
    Entry("reports:my_reports", MEMBER),
    Entry(
        "reports:report_detail",
        SEE_REPORT_A,
        args=report_a,
        extra_outside=report_c,
        note="POST (member only) is tested in tests/reports/test_member_views.py",
    ),
    Entry(
        "reports:report_draft",
        MEMBER,
        args=report_a,
        methods=("POST",),
        post_data=lambda t, p: {"version": 1, "summary": "走访", "is_zero_report": "0"},
    ),
    Entry("reports:duty_records", MEMBER),
    Entry(
        "reports:duty_record_create",
        MEMBER,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"type": "household_visit", "occurred_on": _today(), "f_households": 3},
    ),
    Entry(
        "reports:duty_record_edit",
        MEMBER,
        args=record_a,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"version": 1, "occurred_on": _today(), "f_households": 4},
    ),
    Entry(
        "reports:duty_record_delete",
        MEMBER,
        args=record_a,
        methods=("POST",),
        post_data=lambda t, p: {"version": 1, "confirm": "1"},
    ),
    # API
    Entry("api:member_report_list", MEMBER, anonymous=UNAUTHORIZED),
    Entry(
        "api:member_report_detail",
        SEE_REPORT_A,
        args=report_a,
        anonymous=UNAUTHORIZED,
        extra_outside=report_c,
    ),
    Entry(
        "api:member_report_save_draft",
        MEMBER,
        args=report_a,
        anonymous=UNAUTHORIZED,
        methods=("POST",),
        post_data=lambda t, p: {"version": 1, "summary": "走访", "counts": {"household_visit": 1}},
    ),
    Entry(
        "api:member_report_submit",
        MEMBER,
        args=report_a,
        anonymous=UNAUTHORIZED,
        methods=("POST",),
        post_data=lambda t, p: {"version": 1, "endorse": True},
    ),
    Entry("api:member_record_list", MEMBER, anonymous=UNAUTHORIZED),
    Entry(
        "api:member_record_create",
        MEMBER,
        anonymous=UNAUTHORIZED,
        methods=("POST",),
        post_data=lambda t, p: {
            "duty_type": "household_visit",
            "occurred_on": _today(),
            "data": {"households": 2},
        },
    ),
    Entry("api:member_record_detail", MEMBER, args=record_a, anonymous=UNAUTHORIZED),
    Entry(
        "api:member_record_update",
        MEMBER,
        args=record_a,
        anonymous=UNAUTHORIZED,
        methods=("POST",),
        post_data=lambda t, p: {"version": 1, "occurred_on": _today(), "data": {"households": 5}},
    ),
    Entry(
        "api:member_record_delete",
        MEMBER,
        args=record_a,
        anonymous=UNAUTHORIZED,
        methods=("DELETE",),
    ),
    Entry("api:member_duty_types", MEMBER, anonymous=UNAUTHORIZED),
]
