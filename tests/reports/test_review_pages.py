"""Township review pages: queue, filters, approve / return / batch, the review page, jurisdiction,
home to-dos, and the queue's query-count guard."""

import io
import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from jijian.attachments.services import attachment_store
from jijian.core.models import Notification, OrgKind
from jijian.core.roles import Module
from jijian.core.services import org_unit_create
from jijian.core.todos import todos_for
from jijian.reports import services
from jijian.reports.member import ATTACHMENT_PURPOSE
from jijian.reports.models import MonthlyReport, ReportState
from tests.conftest import make_user, sign_in
from tests.reports.authz_entries_review import OCT, submitted_report

QUEUE = reverse("reports:review_queue")


def at(day):
    return mock.patch.object(services, "today", return_value=day)


@pytest.fixture
def report_a(tree, people):
    return submitted_report(tree.village_a, people.member_a)


@pytest.fixture
def member_a2(tree):
    return make_user("member_a2", tree.village_a2, "village_member")


def late_zero_report(village, member, month=OCT):
    services.monthly_reports_open(month=month, under=village)
    report = MonthlyReport.objects.get(village=village, month=month)
    with at(report.deadline + timedelta(days=4)):
        report = services.monthly_report_save_draft(
            actor=member,
            report=report,
            version=report.version,
            summary="",
            problems="",
            counts={},
            is_zero_report=True,
        )
        return services.monthly_report_submit(
            actor=member, report=report, version=report.version, endorse=True
        )


def test_township_sees_its_submitted_reports_and_the_other_township_does_not(login, people, report_a):
    page = login(people.township_a).get(QUEUE)
    assert page.status_code == 200
    assert "神农村" in page.content.decode() and f"/reports/review/{report_a.pk}/" in page.content.decode()


def test_other_township_queue_is_empty(login, people, report_a):
    page = login(people.township_b).get(QUEUE)
    assert page.status_code == 200 and "神农村" not in page.content.decode()


def test_filters_by_village_initials_late_and_zero(login, tree, people, report_a, member_a2):
    late = late_zero_report(tree.village_a2, member_a2)
    assert late.is_late and late.is_zero_report
    client = login(people.township_a)
    body = client.get(QUEUE, {"q": "snc"}).content.decode()  # 神农村
    assert "神农村" in body and "凤凰村" not in body
    body = client.get(QUEUE, {"late": "1"}).content.decode()
    assert "凤凰村" in body and "神农村" not in body
    body = client.get(QUEUE, {"zero": "0"}).content.decode()
    assert "神农村" in body and "凤凰村" not in body
    body = client.get(QUEUE, {"month": "2025-09"}).content.decode()
    assert "神农村" not in body and "凤凰村" not in body
    body = client.get(QUEUE, {"month": "2025-10"}).content.decode()
    assert "神农村" in body and "凤凰村" in body


def test_a_bad_month_filter_says_so(login, people, report_a):
    body = login(people.township_a).get(QUEUE, {"month": "十月"}).content.decode()
    assert "月份格式" in body


def test_htmx_gets_only_the_list(login, people, report_a):
    response = login(people.township_a).get(QUEUE, {"q": "神农"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "神农村" in body and "<html" not in body


def test_each_row_says_what_the_month_holds_so_the_reviewer_reads_those_first(login, tree, people, member_a2):
    """Records kept, clues found and checklist items not met are on the row, per report (two villages'
    months are not mixed); a zero report has nothing to show."""
    types = {t.code: t for t in services.duty_types_for(2025)}
    with at(date(2025, 10, 20)):
        for code, data in (
            ("household_visit", {"households": 4}),
            ("clue_found", {"matter": "低保评定疑似优亲厚友"}),
        ):
            services.duty_record_create(
                actor=people.member_a, duty_type=types[code], occurred_on=date(2025, 10, 12), data=data
            )
    report = submitted_report(tree.village_a, people.member_a)
    zero = late_zero_report(tree.village_a2, member_a2)
    body = login(people.township_a).get(QUEUE).content.decode()
    row = body[body.index(f'id="report-{report.pk}"') :]
    content = row[row.index(f'id="content-{report.pk}"') : row.index("</p>")]
    assert "履职纪实 2 条" in content and "发现线索 1 条" in content
    assert "清单未达标：走访农户 4/10" in content
    assert f'id="content-{zero.pk}"' not in body
    # The month's other village kept nothing: its row is not credited with village A's records.
    MonthlyReport.objects.filter(pk=zero.pk).update(is_zero_report=False)
    body = login(people.township_a).get(QUEUE).content.decode()
    other = body[body.index(f'id="content-{zero.pk}"') :]
    assert "履职纪实 0 条" in other[: other.index("</p>")]


def _month_of(member, kept):
    """Duty records of October 2025 for `member`: (duty type code, data) pairs."""
    types = {t.code: t for t in services.duty_types_for(2025)}
    with at(date(2025, 10, 20)):
        for code, data in kept:
            services.duty_record_create(
                actor=member, duty_type=types[code], occurred_on=date(2025, 10, 12), data=data
            )


CLEAN_MONTH = (
    ("household_visit", {"households": 10}),
    ("reimbursement_check", {"count": 3, "amount": "1200"}),
)


def test_the_queue_filters_by_what_the_month_holds(login, tree, people, member_a2):
    """需细看 (a clue found, or a checklist item not met) and its complement; paging follows the filter,
    a batch approval of the clean ones leaves the others, and 审核通过，看下一份 stays within the filter."""
    _month_of(people.member_a, CLEAN_MONTH)
    clean = submitted_report(tree.village_a, people.member_a)
    _month_of(member_a2, (*CLEAN_MONTH, ("clue_found", {"matter": "低保评定疑似优亲厚友"})))
    clue = submitted_report(tree.village_a2, member_a2)
    client = login(people.township_a)
    body = client.get(QUEUE, {"content": "attention"}).content.decode()
    assert f'id="report-{clue.pk}"' in body and f'id="report-{clean.pk}"' not in body
    assert "共 1 份" in body
    body = client.get(QUEUE, {"content": "clean"}).content.decode()
    assert f'id="report-{clean.pk}"' in body and f'id="report-{clue.pk}"' not in body
    assert "清单已达标" in body
    body = client.get(QUEUE).content.decode()
    assert f'id="report-{clean.pk}"' in body and f'id="report-{clue.pk}"' in body
    # A zero report meets no checklist item: it needs a close reading too.
    village = org_unit_create(
        actor=None, name="测试村零", kind=OrgKind.VILLAGE, parent=tree.township_a, audit=False
    )
    zero = late_zero_report(village, make_user("m_zero", village, "village_member"))
    body = client.get(QUEUE, {"content": "attention"}).content.decode()
    assert f'id="report-{zero.pk}"' in body
    # From the detail page, the next report is the next one of the filter, not merely the next one.
    response = client.post(
        reverse("reports:review_approve", args=[zero.pk]),
        {"back": "content=attention", "version": zero.version},
    )
    assert response.url == reverse("reports:review_detail", args=[clue.pk]) + "?content=attention"
    # The filter survives a batch approval and approves what was selected, nothing else.
    clean.refresh_from_db()
    response = client.post(
        reverse("reports:review_batch_approve"),
        {"report": [f"{clean.pk}:{clean.version}"], "back": "content=clean"},
    )
    assert response.url.endswith("?content=clean")
    states = dict(MonthlyReport.objects.filter(pk__in=[clean.pk, clue.pk]).values_list("pk", "state"))
    assert states == {clean.pk: ReportState.APPROVED, clue.pk: ReportState.SUBMITTED}


def test_a_bad_content_filter_says_so_and_filters_nothing(login, people, report_a):
    body = login(people.township_a).get(QUEUE, {"content": "frob"}).content.decode()
    assert "选择一个有效的选项" in body and f'id="report-{report_a.pk}"' in body


def test_one_click_approve_from_the_queue(login, people, report_a):
    client = login(people.township_a)
    response = client.post(
        reverse("reports:review_approve", args=[report_a.pk]), {"from": "queue", "back": "q=snc&evil=1"}
    )
    assert response.status_code == 302 and response["Location"] == QUEUE + "?q=snc"
    report_a.refresh_from_db()
    assert report_a.state == ReportState.APPROVED and report_a.approved_by == people.township_a


def test_return_needs_a_reason_and_changes_nothing_without_one(login, people, report_a):
    client = login(people.township_a)
    response = client.post(
        reverse("reports:review_return", args=[report_a.pk]),
        {"reason": "  ", "from": "queue", "back": "q=snc", "version": report_a.version},
    )
    assert response.status_code == 400
    body = response.content.decode()
    # The review page again, the message at the reason box, the queue's filter kept for the way back.
    assert '<p class="error" id="reason-error" role="alert">退回必须填写原因</p>' in body
    assert 'aria-describedby="reason-error"' in body and 'name="back" value="q=snc"' in body
    report_a.refresh_from_db()
    assert report_a.state == ReportState.SUBMITTED and report_a.return_count == 0


def test_a_reason_over_the_limit_is_refused_not_cut(login, people, report_a):
    """The reason box stops at 2000 characters in the browser; what arrives longer (an old browser, a
    script) is refused with its length, not cut where the member would read half a sentence."""
    client = login(people.township_a)
    response = client.post(
        reverse("reports:review_return", args=[report_a.pk]),
        {"reason": "补" * 2001, "from": "queue"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "退回原因不能超过 2000 字（现为 2001 字）" in body
    assert "补" * 2001 + "</textarea>" in body  # kept to be shortened, not lost
    report_a.refresh_from_db()
    assert report_a.state == ReportState.SUBMITTED and report_a.return_reason == ""


def test_return_with_reason_tells_the_member(login, people, report_a):
    client = login(people.township_a)
    client.post(reverse("reports:review_return", args=[report_a.pk]), {"reason": "请补充走访照片"})
    report_a.refresh_from_db()
    assert report_a.state == ReportState.RETURNED and report_a.return_reason == "请补充走访照片"
    note = Notification.objects.get(recipient=people.member_a)
    assert "请补充走访照片" in note.body


def test_review_page_shows_report_records_endorsement_and_transitions(login, tree, people):
    types = {t.code: t for t in services.duty_types_for(2025)}
    with at(date(2025, 10, 20)):
        record = services.duty_record_create(
            actor=people.member_a,
            duty_type=types["household_visit"],
            occurred_on=date(2025, 10, 12),
            place="三组",
            data={"households": 4},
        )
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(photo, "PNG")
    photo.seek(0)
    attachment = attachment_store(
        actor=people.member_a,
        file=photo,
        name="走访.png",
        org_unit=tree.village_a,
        module=Module.REPORTS,
        purpose=ATTACHMENT_PURPOSE,
        object_id=record.pk,
    )
    report = submitted_report(tree.village_a, people.member_a)
    body = login(people.township_a).get(reverse("reports:review_detail", args=[report.pk])).content.decode()
    assert "三组" in body and "走访农户3户" in body and "走访户数" in body
    assert f"/files/{attachment.pk}/" in body
    assert report.endorsement_digest in body and "本人承诺" in body
    # The digest says what it is; returning is set apart from approving, under its own heading.
    assert "内容摘要（SM3" in body and "SM3：" not in body
    assert body.index("审核通过，看下一份") < body.index("或者：退回修改") < body.index("退回原因")
    assert "履职清单完成情况" in body and "流转记录" in body
    # The checklist says what it counts: households of the visits, not the visits.
    assert "走访农户（走访户数）：4 / 10" in body
    assert "审核通过，看下一份" in body  # the township can act
    # A report endorsed with no digest stored (the demo's) shows no empty digest line.
    MonthlyReport.objects.filter(pk=report.pk).update(endorsement_digest="")
    body = login(people.township_a).get(reverse("reports:review_detail", args=[report.pk])).content.decode()
    assert "本人承诺" in body and 'id="endorsement-digest"' not in body


def test_scored_approval_goes_on_to_the_next_report(login, tree, people, report_a, member_a2):
    other = submitted_report(tree.village_a2, member_a2)
    client = login(people.township_a)
    response = client.post(
        reverse("reports:review_approve", args=[report_a.pk]),
        {"score_complete": "35", "score_timely": "20", "comment": "记录具体"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:review_detail", args=[other.pk])
    report_a.refresh_from_db()
    assert report_a.score == 55 and report_a.review_comment == "记录具体"
    # The last one: back to the queue with a message.
    response = client.post(reverse("reports:review_approve", args=[other.pk]), follow=True)
    assert "已全部处理完" in response.content.decode()


def test_a_score_over_the_rubric_maximum_is_refused(login, people, report_a):
    client = login(people.township_a)
    response = client.post(
        reverse("reports:review_approve", args=[report_a.pk]), {"score_complete": "41"}, follow=True
    )
    assert "应在 0 至 40 之间" in response.content.decode()
    report_a.refresh_from_db()
    assert report_a.state == ReportState.SUBMITTED and report_a.score is None


def _officer(user):
    client = Client()
    sign_in(client, user)
    return client


def test_a_review_of_a_report_that_changed_since_it_was_opened_is_refused(tree, people, report_a):
    """Two officers of the township open the same report; one returns it and the member resubmits
    other content: the other officer's approval, decided on what they read, is refused and said so."""
    colleague = make_user("township_a2", tree.township_a, "township_committee")
    read = report_a.version  # what both review pages showed
    services.monthly_report_return(actor=colleague, report=report_a, reason="请补充走访记录")
    report = MonthlyReport.objects.get(pk=report_a.pk)
    with at(date(2025, 10, 31)):
        services.monthly_report_submit(
            actor=people.member_a, report=report, version=report.version, endorse=True
        )
    response = _officer(people.township_a).post(
        reverse("reports:review_approve", args=[report_a.pk]),
        {"version": read, "score_complete": "40", "comment": "很好"},
        follow=True,
    )
    assert "该月报在您打开后已有变化（现为“已重新提交”），您的审核未保存" in response.content.decode()
    report = MonthlyReport.objects.get(pk=report_a.pk)
    assert report.state == ReportState.RESUBMITTED and report.score is None and report.review_comment == ""


def test_a_second_officer_s_approval_does_not_silently_drop_their_score(tree, people, report_a):
    colleague = make_user("township_a2", tree.township_a, "township_committee")
    url = reverse("reports:review_approve", args=[report_a.pk])
    first = _officer(colleague)
    first.post(url, {"version": report_a.version, "score_complete": "10", "comment": "不够具体"})
    response = _officer(people.township_a).post(
        url, {"version": report_a.version, "score_complete": "40", "comment": "很好"}, follow=True
    )
    body = response.content.decode()
    assert "现为“已审核通过”），您的审核未保存" in body and "月报已审核通过" not in body
    # The same officer's second click (a double submit) is still answered as done.
    again = first.post(url, {"version": report_a.version, "comment": "不够具体"}, follow=True)
    assert "月报已审核通过" in again.content.decode()
    report = MonthlyReport.objects.get(pk=report_a.pk)
    assert report.score == 10 and report.review_comment == "不够具体" and report.approved_by == colleague


def test_returning_a_report_another_officer_approved_meanwhile_is_refused(tree, people, report_a):
    colleague = make_user("township_a2", tree.township_a, "township_committee")
    services.monthly_report_approve(actor=colleague, report=report_a)
    response = _officer(people.township_a).post(
        reverse("reports:review_return", args=[report_a.pk]),
        {"version": report_a.version, "reason": "请补充", "from": "queue"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    # No return form any more (the report is approved): the message stands on top of the page.
    assert 'id="error-summary"' in body and "现为“已审核通过”），您的审核未保存" in body
    assert 'id="reason"' not in body
    assert MonthlyReport.objects.get(pk=report_a.pk).state == ReportState.APPROVED


def test_other_township_cannot_see_or_act_on_village_a(login, people, report_a):
    client = login(people.township_b)
    assert client.get(reverse("reports:review_detail", args=[report_a.pk])).status_code == 404
    assert client.post(reverse("reports:review_approve", args=[report_a.pk])).status_code == 404
    assert (
        client.post(reverse("reports:review_return", args=[report_a.pk]), {"reason": "x"}).status_code == 404
    )
    client.post(reverse("reports:review_batch_approve"), {"report": [f"{report_a.pk}:{report_a.version}"]})
    report_a.refresh_from_db()
    assert report_a.state == ReportState.SUBMITTED


def test_county_reads_but_does_not_review(login, people, report_a):
    client = login(people.county_officer)
    body = client.get(reverse("reports:review_detail", args=[report_a.pk])).content.decode()
    assert "神农村" in body and "审核通过，看下一份" not in body
    assert "只读" in client.get(QUEUE).content.decode()
    assert client.post(reverse("reports:review_approve", args=[report_a.pk])).status_code == 404
    report_a.refresh_from_db()
    assert report_a.state == ReportState.SUBMITTED


def test_member_has_no_review_queue(login, people, report_a):
    assert login(people.member_a).get(QUEUE).status_code == 404


def test_batch_approve_of_selected_rows(login, tree, people, report_a, member_a2):
    other = submitted_report(tree.village_a2, member_a2)
    client = login(people.township_a)
    queue = client.get(QUEUE).content.decode()
    ticks = re.findall(r'name="report" value="([^"]+)"', queue)
    assert f"{report_a.pk}:{report_a.version}" in ticks  # each row's box carries the version shown
    response = client.post(
        reverse("reports:review_batch_approve"),
        {"report": [f"{report_a.pk}:{report_a.version}", f"{other.pk}:{other.version}", "x"]},
        follow=True,
    )
    assert "已审核通过 2 份月报" in response.content.decode()
    assert set(MonthlyReport.objects.filter(month=OCT).values_list("state", flat=True)) == {
        ReportState.APPROVED
    }


def test_batch_approve_skips_a_report_that_changed_since_the_list_was_read(
    login, tree, people, report_a, member_a2
):
    """The list showed version v; the member's report was returned by a colleague and resubmitted
    with other content meanwhile: the batch does not approve what the officer was not shown."""
    other = submitted_report(tree.village_a2, member_a2)
    shown = {report_a.pk: report_a.version, other.pk: other.version}
    colleague = make_user("township_a2", tree.township_a, "township_committee")
    services.monthly_report_return(actor=colleague, report=report_a, reason="补充走访记录")
    report = MonthlyReport.objects.get(pk=report_a.pk)
    with at(date(2025, 10, 31)):
        services.monthly_report_submit(
            actor=people.member_a, report=report, version=report.version, endorse=True
        )
    response = login(people.township_a).post(
        reverse("reports:review_batch_approve"),
        {"report": [f"{pk}:{version}" for pk, version in shown.items()]},
        follow=True,
    )
    assert "已审核通过 1 份月报，1 份已变化或不可审核，未处理" in response.content.decode()
    report_a.refresh_from_db()
    other.refresh_from_db()
    assert report_a.state == ReportState.RESUBMITTED and other.state == ReportState.APPROVED


def test_batch_approve_with_nothing_selected_says_so(login, people, report_a):
    response = login(people.township_a).post(reverse("reports:review_batch_approve"), {}, follow=True)
    assert "请先勾选" in response.content.decode()


def _villages_with_reports(tree, n, start):
    for i in range(start, start + n):
        village = org_unit_create(
            actor=None, name=f"测试村{i}", kind=OrgKind.VILLAGE, parent=tree.township_a, audit=False
        )
        submitted_report(village, make_user(f"m{i}", village, "village_member"))


def test_queue_query_count_does_not_grow_with_rows(login, tree, people):
    client = login(people.township_a)
    _villages_with_reports(tree, 2, 0)
    client.get(QUEUE)  # warm caches (settings row, session)
    with CaptureQueriesContext(connection) as few:
        assert client.get(QUEUE).status_code == 200
    _villages_with_reports(tree, 10, 10)
    with CaptureQueriesContext(connection) as many:
        body = client.get(QUEUE).content.decode()
    assert "测试村19" in body
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_home_todos(tree, people, report_a, member_a2):
    titles = {t["title"]: t["count"] for t in todos_for(people.township_a)}
    assert titles["待审核月报"] == 1
    assert not any(t["title"] == "待审核月报" for t in todos_for(people.township_b))
    services.monthly_report_return(actor=people.township_a, report=report_a, reason="补充")
    services.monthly_reports_open(month=date(2025, 11, 1))
    with at(date(2025, 11, 3)):
        mine = {t["title"]: t["count"] for t in todos_for(people.member_a)}
    assert mine["被退回的月报"] == 1 and mine["本月履职月报待提交"] == 1


def test_the_review_page_shows_a_yes_no_value_as_the_member_sees_it(login, tree, people):
    """Until 2026-12-06 the reviewer read 公开规范：True where the member's month said 是."""
    types = {t.code: t for t in services.duty_types_for(2025)}
    with at(date(2025, 10, 20)):
        for compliant, items in ((True, "三资管理"), (False, "惠民资金发放")):
            services.duty_record_create(
                actor=people.member_a,
                duty_type=types["openness_check"],
                occurred_on=date(2025, 10, 12),
                data={"items": items, "compliant": compliant},
            )
    report = submitted_report(tree.village_a, people.member_a)
    body = login(people.township_a).get(reverse("reports:review_detail", args=[report.pk])).content.decode()
    assert "公开事项：三资管理" in body and "公开规范：是" in body and "公开规范：否" in body
    assert "True" not in body and "False" not in body
