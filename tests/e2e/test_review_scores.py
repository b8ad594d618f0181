"""The township's review page in headless Chromium: Enter in a score field goes on to the next score
(the approve form's only button would otherwise approve the report, half scored, and move on to the
next report); the approval then carries every score."""

import pytest

from jijian.reports.models import MonthlyReport, ReportState
from tests.conftest import make_user
from tests.e2e.helpers import desktop, sign_in
from tests.reports.authz_entries_review import submitted_report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_enter_in_a_score_moves_to_the_next_score_instead_of_approving(live_server, browser, tree, people):
    report = submitted_report(tree.village_a, people.member_a)
    base = live_server.url
    page = desktop(browser)
    sign_in(page, base, people.township_a)
    page.goto(f"{base}/reports/review/{report.pk}/")
    scores = page.locator("input[name^=score_]")
    names = [scores.nth(i).get_attribute("name") for i in range(scores.count())]
    assert len(names) > 1
    for i, name in enumerate(names):
        page.fill(f"input[name={name}]", "5")
        page.press(f"input[name={name}]", "Enter")
        following = names[i + 1] if i + 1 < len(names) else None
        focused = page.evaluate("document.activeElement.name")
        assert focused == (following or "comment")
    page.wait_for_timeout(300)  # a submission Enter started would have left by now
    assert page.url == f"{base}/reports/review/{report.pk}/"
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED

    page.fill("#comment", "记录具体")
    page.click("form:has(#comment) button[type=submit]")
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED and report.score == 5 * len(names)
    assert report.review_comment == "记录具体"


def test_batch_approval_asks_first_naming_how_many(live_server, browser, tree, people):
    member_a2 = make_user("member_a2", tree.village_a2, "village_member")
    reports = [
        submitted_report(tree.village_a, people.member_a),
        submitted_report(tree.village_a2, member_a2),
    ]
    base = live_server.url
    page = desktop(browser)
    sign_in(page, base, people.township_a)
    page.goto(f"{base}/reports/review/")
    page.check("input[data-select-all]")
    asked: list[str] = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.click("#batch-form button[type=submit]")
    page.wait_for_timeout(300)
    assert asked == ["确定审核通过所选的 2 份月报吗？通过后月报即锁定。"]
    assert {r.state for r in MonthlyReport.objects.filter(pk__in=[r.pk for r in reports])} == {
        ReportState.SUBMITTED
    }
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.click("#batch-form button[type=submit]")
    page.wait_for_selector("text=已审核通过 2 份月报")
    assert {r.state for r in MonthlyReport.objects.filter(pk__in=[r.pk for r in reports])} == {
        ReportState.APPROVED
    }
