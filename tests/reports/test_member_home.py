"""Issue 16, item 7: the member's home counts this month's report apart from overdue earlier ones,
the return banner reads as one sentence, the SM3 digest is for reviewers, help is one tap away; the
不称职 proposal rule is configuration and every proposal shows its basis."""

from datetime import date

from django.urls import reverse

from jijian.core.todos import todos_for
from jijian.reports import services
from jijian.reports.grades import Grade, GradeRule, grade_rows, proposal_reason, propose_grade
from jijian.reports.models import ReportSettings
from tests.reports.authz_entries_review import submitted_report
from tests.reports.helpers import NOV, OCT, at, open_month
from tests.reports.helpers import grade_basis as basis
from tests.reports.helpers import year_of_reports as _year


def test_an_overdue_earlier_month_is_not_counted_as_this_months(tree, people):
    open_month(tree, OCT)
    open_month(tree, NOV)
    with at(date(2025, 11, 10)):
        todos = {t["title"]: t["count"] for t in todos_for(people.member_a)}
    assert todos["本月履职月报待提交"] == 1
    assert todos["逾期未交的月报"] == 1


def test_the_return_banner_reads_as_one_sentence(tree, people, login):
    report = submitted_report(tree.village_a, people.member_a)
    services.monthly_report_return(actor=people.township_a, report=report, reason="请补充走访记录")
    with at(date(2025, 11, 3)):
        page = login(people.member_a).get(reverse("reports:my_reports")).content.decode()
    banner = page[page.index(f'id="todo-{report.pk}"') :]
    banner = banner[: banner.index("</div>")]
    assert "</strong>：" not in banner and "退回原因：请补充走访记录" in banner


def test_the_digest_is_shown_to_reviewers_not_to_the_member(tree, people, login):
    report = submitted_report(tree.village_a, people.member_a)
    member_page = (
        login(people.member_a).get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    )
    review_page = (
        login(people.township_a).get(reverse("reports:review_detail", args=[report.pk])).content.decode()
    )
    assert report.endorsement_digest not in member_page and "已签字背书" in member_page
    assert report.endorsement_digest in review_page


def test_the_member_pages_link_to_help(tree, people, login):
    page = login(people.member_a).get(reverse("reports:my_reports")).content.decode()
    assert 'href="#help"' in page and 'id="help"' in page and "记一笔" in page[page.index('id="help"') :]


def test_one_missed_month_of_three_is_not_incompetent_by_default():
    assert propose_grade(basis(expected=3, submitted=2, on_time=2)) == Grade.BASIC
    assert propose_grade(basis(expected=8, submitted=5, on_time=5)) == Grade.INCOMPETENT


def test_the_incompetent_rule_is_configured_per_city(tree, people):
    _year(people.member_a, tree.village_a, missing_months=(3, 4))
    ReportSettings.objects.update_or_create(city=tree.city, defaults={"incompetent_missing_months": 2})
    [row] = grade_rows(people.township_a, year=2025, today=date(2026, 1, 20))
    assert row["proposed"] == Grade.INCOMPETENT and "漏报 2 个月" in row["proposal_reason"]
    strict = GradeRule(missing_months=2, min_submission_pct=75, rate_from_months=6)
    assert propose_grade(basis(expected=12, submitted=10, on_time=10), strict) == Grade.INCOMPETENT


def test_every_proposal_shows_its_basis(tree, people, login):
    _year(people.member_a, tree.village_a, missing_months=(5,))
    page = login(people.township_a).get(reverse("reports:review_grades") + "?year=2025").content.decode()
    assert f'id="basis-{people.member_a.pk}"' in page and "漏报 1 个月" in page
    assert "基本称职" in proposal_reason(basis(submitted=11, on_time=11))
