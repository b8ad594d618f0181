"""The village member's pages: my reports, the duty log with photos, the month's report with its
explicit zero-report choice and endorsement, autosave with stale-version refusal, bad input."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jijian.attachments.models import Attachment
from jijian.reports import services
from jijian.reports.models import DutyRecord, MonthlyReport, ReportState
from jijian.reports.services import (
    duty_types_for,
    monthly_report_approve,
    monthly_report_return,
)
from tests.reports.helpers import NOV, OCT, at, open_month, visit


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def report_post(report, **extra):
    data = {"version": report.version, "summary": "本月走访农户3户", "problems": "", "is_zero_report": "0"}
    data.update(extra)
    return data


# --- my reports ----------------------------------------------------------------------------------
def test_member_sees_months_newest_first_with_a_todo_for_the_month_to_submit(tree, people, login):
    oct_report = open_month(tree, OCT)
    nov_report = open_month(tree, NOV)
    client = login(people.member_a)
    with at(date(2025, 11, 3)):
        page = client.get(reverse("reports:my_reports")).content.decode()
    listing = page[page.index('id="report-list"') :]
    assert listing.index("2025年11月") < listing.index("2025年10月")
    assert f'id="todo-{oct_report.pk}"' in page and "待办：请填报2025年10月履职月报" in page
    assert f'id="todo-{nov_report.pk}"' not in page  # the running month is not due yet
    assert "本月无需填报或尚未开始" not in page


def test_a_month_without_a_row_says_nothing_to_report_yet(tree, people, login):
    client = login(people.member_a)
    with at(date(2025, 11, 3)):
        page = client.get(reverse("reports:my_reports")).content.decode()
    assert "本月无需填报或尚未开始" in page
    assert not MonthlyReport.objects.exists()  # a GET opens nothing


def test_a_returned_report_shows_its_reason_in_the_list(tree, people, login):
    report = open_month(tree)
    visit(people.member_a, date(2025, 10, 10))
    client = login(people.member_a)
    with at(date(2025, 10, 31)):
        client.post(
            reverse("reports:report_detail", args=[report.pk]),
            report_post(report, action="submit", endorse="on"),
        )
    monthly_report_return(
        actor=people.township_a, report=MonthlyReport.objects.get(pk=report.pk), reason="请补充照片"
    )
    with at(date(2025, 11, 3)):
        page = client.get(reverse("reports:my_reports")).content.decode()
    assert "2025年10月月报被退回" in page and "请补充照片" in page


# --- duty log ------------------------------------------------------------------------------------
def test_member_records_a_duty_with_a_photo_then_edits_and_deletes_it(tree, people, login):
    client = login(people.member_a)
    create = reverse("reports:duty_record_create")
    with at(date(2025, 10, 20)):
        form = client.get(create + "?type=reimbursement_check").content.decode()
        assert 'name="f_count"' in form and 'name="f_amount"' in form and 'name="uploads"' in form
        response = client.post(
            create,
            {
                "type": "reimbursement_check",
                "occurred_on": "2025-10-18",
                "place": "村委会",
                "f_count": "3",
                "f_amount": "1250.5",
                "f_objections": "0",
                "uploads": SimpleUploadedFile("票据.png", png_bytes(), content_type="image/png"),
            },
        )
        assert response.status_code == 302 and "month=2025-10" in response["Location"]
        record = DutyRecord.objects.get()
        assert record.data == {"count": 3, "amount": "1250.50", "objections": 0}
        attachment = Attachment.objects.get(object_id=str(record.pk))
        assert attachment.purpose == "duty_record" and attachment.org_unit_id == tree.village_a.pk
        page = client.get(reverse("reports:duty_records") + "?month=2025-10").content.decode()
        assert f"/files/{attachment.pk}/" in page and "单据数（张）：3" in page
        assert client.get(f"/files/{attachment.pk}/").status_code == 200

        edit = reverse("reports:duty_record_edit", args=[record.pk])
        response = client.post(
            edit, {"version": 1, "occurred_on": "2025-10-18", "f_count": "4", "f_amount": "1300"}
        )
        assert response.status_code == 302
        record.refresh_from_db()
        assert record.data["count"] == 4 and record.version == 2
        # The same form sent again from a second device with the old version: refused, not overwritten.
        page = client.post(
            edit, {"version": 1, "occurred_on": "2025-10-18", "f_count": "9", "f_amount": "1"}
        ).content.decode()
        assert "该记录已在您的另一台设备" in page and "他人修改" not in page  # only the member writes it
        record.refresh_from_db()
        assert record.data["count"] == 4

        client.post(reverse("reports:duty_record_delete", args=[record.pk]), {"version": 2, "confirm": "1"})
    record.refresh_from_db()
    assert record.is_deleted


def test_the_duty_type_form_is_built_from_its_fields(tree, people, login):
    client = login(people.member_a)
    with at(date(2025, 10, 20)):
        page = client.get(reverse("reports:duty_record_create") + "?type=decision_meeting").content.decode()
        chooser = client.get(reverse("reports:duty_record_create")).content.decode()
    assert 'type="checkbox" name="f_deliberations"' in page and "党员大会审议" in page
    assert 'name="f_topic"' in page
    assert 'data-type="household_visit"' in chooser and "走访农户" in chooser


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("病毒.exe", b"MZ\x90\x00" + b"\x00" * 200, "不支持的文件类型：可执行程序"),
        ("假照片.jpg", b"this is plain text pretending to be a photo", "不支持的文件类型"),
    ],
)
def test_a_wrong_type_attachment_is_refused_and_nothing_is_recorded(
    tree, people, login, name, content, fragment
):
    client = login(people.member_a)
    with at(date(2025, 10, 20)):
        response = client.post(
            reverse("reports:duty_record_create"),
            {
                "type": "household_visit",
                "occurred_on": "2025-10-19",
                "f_households": "3",
                "uploads": SimpleUploadedFile(name, content),
            },
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="errors"' in page and fragment in page
    assert not DutyRecord.objects.exists() and not Attachment.objects.exists()


def test_bad_duty_input_is_refused_in_chinese(tree, people, login):
    client = login(people.member_a)
    create = reverse("reports:duty_record_create")
    with at(date(2025, 10, 20)):
        future = client.post(
            create, {"type": "household_visit", "occurred_on": "2025-10-25", "f_households": "3"}
        )
        negative = client.post(
            create, {"type": "household_visit", "occurred_on": "2025-10-19", "f_households": "-2"}
        )
    assert "履职日期不能晚于今天" in future.content.decode()
    assert "确保该值大于或等于1" in negative.content.decode() and negative.status_code == 200
    assert not DutyRecord.objects.exists()


def test_member_cannot_touch_another_members_record(tree, people, login):
    from tests.conftest import make_user

    other = make_user("member_a2", tree.village_a2, "village_member")
    record = visit(other, date(2025, 10, 10))
    client = login(people.member_a)
    assert client.get(reverse("reports:duty_record_edit", args=[record.pk])).status_code == 404
    assert (
        client.post(
            reverse("reports:duty_record_delete", args=[record.pk]), {"version": 1, "confirm": "1"}
        ).status_code
        == 404
    )
    record.refresh_from_db()
    assert not record.is_deleted


# --- the monthly report --------------------------------------------------------------------------
def test_the_report_form_is_prefilled_from_the_duty_log_with_stable_markup(tree, people, login):
    report = open_month(tree)
    visit(people.member_a, date(2025, 10, 10))
    visit(people.member_a, date(2025, 10, 12), households=8)
    client = login(people.member_a)
    with at(date(2025, 10, 31)):
        page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert 'id="id_summary"' in page and 'name="action" value="submit"' in page
    assert 'name="count_household_visit"' in page and 'value="2"' in page
    assert services.ENDORSEMENT_STATEMENT in page
    assert "走访农户（走访户数）：11 / 10" in page  # the checklist counts households, not visits, and says so
    # The zero-report choice has no default: the member has to say it.
    assert 'value="0" checked' not in page and 'value="1" checked' not in page
    assert "reports/member.js" in page


def test_full_member_cycle_through_the_pages(tree, people, login):
    report = open_month(tree)
    visit(people.member_a, date(2025, 10, 10))
    client = login(people.member_a)
    url = reverse("reports:report_detail", args=[report.pk])
    with at(date(2025, 10, 31)):
        assert client.post(url, report_post(report, action="save")).status_code == 302
        report.refresh_from_db()
        assert report.state == ReportState.DRAFT and report.version == 2
        response = client.post(
            url, report_post(report, action="submit", endorse="on", count_household_visit="1")
        )
        assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.endorsed_by == people.member_a
    assert report.counts["household_visit"] == 1 and not report.is_late
    page = client.get(url).content.decode()
    assert 'id="report-form"' not in page and "等待乡镇纪委审核" in page

    monthly_report_return(actor=people.township_a, report=report, reason="请补充走访照片")
    page = client.get(url).content.decode()
    assert page.index('id="return-reason"') < page.index('id="report-form"')
    assert "请补充走访照片" in page and "重新提交" in page
    report.refresh_from_db()
    with at(date(2025, 11, 4)):
        client.post(url, report_post(report, action="submit", endorse="on", summary="已补充照片"))
    report.refresh_from_db()
    assert report.state == ReportState.RESUBMITTED and report.summary == "已补充照片"

    monthly_report_approve(actor=people.township_a, report=report)
    page = client.get(url).content.decode()
    assert 'id="report-form"' not in page and "已审核通过，月报已锁定" in page
    assert "请补充走访照片" in page  # the history keeps the return with its reason
    report.refresh_from_db()
    before = (report.version, report.summary)
    with at(date(2025, 11, 5)):
        client.post(url, report_post(report, action="save", summary="改动"))
    report.refresh_from_db()
    assert (report.version, report.summary) == before


def _assert_unchanged(report):
    fresh = MonthlyReport.objects.get(pk=report.pk)
    assert (fresh.state, fresh.version, fresh.summary) == (report.state, report.version, report.summary)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"count_household_visit": "-3", "action": "submit", "endorse": "on"}, "数量不能为负数"),
        ({"count_household_visit": "99999", "action": "save"}, "数量明显不合理"),
        ({"action": "submit"}, "请确认签字背书承诺后再提交"),
        ({"is_zero_report": "", "action": "submit", "endorse": "on"}, "请选择：如实填报，或明确作零报告"),
        ({"is_zero_report": "1", "action": "submit", "endorse": "on"}, "本月已有履职纪实，不能作零报告"),
    ],
)
def test_bad_report_input_is_refused_and_nothing_changes(tree, people, login, extra, message):
    report = open_month(tree)
    visit(people.member_a, date(2025, 10, 10))
    client = login(people.member_a)
    with at(date(2025, 10, 31)):
        response = client.post(
            reverse("reports:report_detail", args=[report.pk]), report_post(report, **extra)
        )
    assert response.status_code == 200 and message in response.content.decode()
    _assert_unchanged(report)


def test_an_empty_report_is_refused_but_an_explicit_zero_report_goes_through(tree, people, login):
    report = open_month(tree)
    client = login(people.member_a)
    url = reverse("reports:report_detail", args=[report.pk])
    with at(date(2025, 10, 31)):
        page = client.post(
            url, report_post(report, summary="", action="submit", endorse="on")
        ).content.decode()
        assert "明确选择“零报告”" in page
        _assert_unchanged(report)
        client.post(url, report_post(report, summary="", is_zero_report="1", action="submit", endorse="on"))
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.is_zero_report


def test_a_future_month_cannot_be_filled_in(tree, people, login):
    report = open_month(tree, NOV)
    client = login(people.member_a)
    with at(date(2025, 10, 20)):
        response = client.post(
            reverse("reports:report_detail", args=[report.pk]), report_post(report, action="save")
        )
    assert "不能填报未来月份的月报" in response.content.decode()
    _assert_unchanged(report)


def test_autosave_refuses_a_stale_version_from_a_second_device(tree, people, login):
    report = open_month(tree)
    client = login(people.member_a)
    draft = reverse("reports:report_draft", args=[report.pk])
    with at(date(2025, 10, 20)):
        phone = client.post(draft, {"version": 1, "summary": "手机上写的"})
        assert phone.status_code == 200 and phone.json()["version"] == 2
        laptop = client.post(draft, {"version": 1, "summary": "电脑上写的"})
        assert laptop.status_code == 409
        assert laptop.json()["error"] == {
            "code": "conflict",
            "message": "已在其他设备修改，请刷新",
            "details": [],
        }
        bad = client.post(draft, {"version": 2, "count_household_visit": "-1"})
        assert bad.status_code == 400 and "数量不能为负数" in bad.json()["error"]["message"]
        # The plain form with the old version is refused the same way.
        page = client.post(
            reverse("reports:report_detail", args=[report.pk]),
            report_post(report, action="save", summary="旧"),
        ).content.decode()
        assert "该记录已在您的另一台设备" in page and "他人修改" not in page  # the member's own phone
    report.refresh_from_db()
    assert report.summary == "手机上写的" and report.version == 2


def test_the_township_sees_the_report_read_only_and_cannot_post(tree, people, login):
    report = open_month(tree)
    client = login(people.township_a)
    url = reverse("reports:report_detail", args=[report.pk])
    page = client.get(url).content.decode()
    assert 'id="report-form"' not in page and 'id="report-content"' in page
    assert client.post(url, report_post(report, action="save")).status_code == 403
    assert client.post(reverse("reports:report_draft", args=[report.pk]), {"version": 1}).status_code == 404
    _assert_unchanged(report)


@pytest.mark.parametrize("persona", ["township_b", "outsider", "zone_officer", "party_liaison"])
def test_outsiders_get_404_on_the_member_pages(tree, people, login, persona):
    report = open_month(tree)
    record = visit(people.member_a, date(2025, 10, 10))
    client = login(getattr(people, persona))
    for url in (
        reverse("reports:my_reports"),
        reverse("reports:report_detail", args=[report.pk]),
        reverse("reports:duty_records"),
        reverse("reports:duty_record_edit", args=[record.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("reports:report_detail", args=[report.pk]), report_post(report)).status_code
        == 404
    )


# --- query-count guards --------------------------------------------------------------------------
def _queries(client, url) -> int:
    client.get(url)  # the first request of a session does its own bookkeeping
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_month_list_costs_the_same_for_more_months(tree, people, login):
    client = login(people.member_a)
    url = reverse("reports:my_reports")
    with at(date(2025, 12, 20)):
        for m in (date(2025, 11, 1), date(2025, 12, 1)):
            open_month(tree, m)
        few = _queries(client, url)
        for m in range(1, 11):
            open_month(tree, date(2025, m, 1))
        many = _queries(client, url)
    assert MonthlyReport.objects.count() == 12
    assert many == few


def test_the_duty_log_costs_the_same_for_more_records(tree, people, login):
    client = login(people.member_a)
    url = reverse("reports:duty_records") + "?month=2025-10"
    duty_types_for(2025)

    def add(n):
        for i in range(n):
            record = visit(people.member_a, date(2025, 10, 1 + i))
            from jijian.reports.member import _store_files

            _store_files(people.member_a, record, [SimpleUploadedFile("p.png", png_bytes())], "")

    with at(date(2025, 10, 28)):
        add(2)
        few = _queries(client, url)
        add(8)
        many = _queries(client, url)
    assert many == few


def test_the_record_form_sent_twice_records_once(tree, people, login):
    """A double tap, or a queued offline entry sent again: the client_uuid makes it one record."""
    client = login(people.member_a)
    create = reverse("reports:duty_record_create")
    with at(date(2025, 10, 20)):
        page = client.get(create + "?type=household_visit").content.decode()
        assert 'name="client_uuid"' in page
        data = {
            "type": "household_visit",
            "occurred_on": "2025-10-19",
            "f_households": "3",
            "client_uuid": "0f8fad5b-d9cb-469f-a165-70867728950e",
        }
        assert client.post(create, data).status_code == 302
        assert client.post(create, data).status_code == 302
    assert DutyRecord.objects.count() == 1


def test_early_in_january_a_record_of_last_december_is_accepted(tree, people, login):
    client = login(people.member_a)
    with at(date(2026, 1, 3)):
        response = client.post(
            reverse("reports:duty_record_create"),
            {"type": "household_visit", "occurred_on": "2025-12-30", "f_households": "2"},
        )
    assert response.status_code == 302
    record = DutyRecord.objects.get()
    assert record.duty_type.year == 2025 and record.month == date(2025, 12, 1)


# --- files kept across a form error (issue 16, item 10) -------------------------------------------
def test_photos_chosen_survive_a_form_error_and_are_stored_with_the_record(tree, people, login):
    client = login(people.member_a)
    create = reverse("reports:duty_record_create")
    with at(date(2025, 10, 20)):
        response = client.post(
            create,
            {
                "type": "household_visit",
                "occurred_on": "2025-10-25",  # in the future: refused
                "f_households": "3",
                "uploads": SimpleUploadedFile("走访.png", png_bytes(), content_type="image/png"),
            },
        )
        page = response.content.decode()
        assert response.status_code == 200 and "履职日期不能晚于今天" in page
        assert not DutyRecord.objects.exists() and not Attachment.objects.exists()
        [held_file] = response.context["held"]
        assert held_file["name"] == "走访.png"
        assert f'name="held_keep" value="{held_file["id"]}" checked' in page and "已附的文件" in page
        # Corrected, the held photo kept and one more chosen now: both are stored with the record.
        response = client.post(
            create,
            {
                "type": "household_visit",
                "occurred_on": "2025-10-19",
                "f_households": "3",
                "held_keep": [held_file["id"]],
                "uploads": SimpleUploadedFile("第二张.png", png_bytes(), content_type="image/png"),
            },
        )
        assert response.status_code == 302
        record = DutyRecord.objects.get()
        names = sorted(a.original_name for a in Attachment.objects.filter(object_id=str(record.pk)))
        assert names == ["第二张.png", "走访.png"]
        assert client.get(create + "?type=household_visit").context["held"] == []


def test_photos_chosen_on_an_edit_survive_a_form_error_and_unticked_ones_are_let_go(tree, people, login):
    client = login(people.member_a)
    with at(date(2025, 10, 20)):
        client.post(
            reverse("reports:duty_record_create"),
            {"type": "household_visit", "occurred_on": "2025-10-19", "f_households": "3"},
        )
        record = DutyRecord.objects.get()
        edit = reverse("reports:duty_record_edit", args=[record.pk])
        photos = [SimpleUploadedFile(n, png_bytes(), content_type="image/png") for n in ("甲.png", "乙.png")]
        response = client.post(
            edit, {"version": 1, "occurred_on": "2025-10-19", "f_households": "-1", "uploads": photos}
        )
        assert response.status_code == 200 and not Attachment.objects.exists()
        held_files = response.context["held"]
        assert [f["name"] for f in held_files] == ["甲.png", "乙.png"]
        # A new record's form does not offer them.
        assert (
            client.get(reverse("reports:duty_record_create") + "?type=household_visit").context["held"] == []
        )
        response = client.post(
            edit,
            {
                "version": 1,
                "occurred_on": "2025-10-19",
                "f_households": "4",
                "held_keep": [held_files[1]["id"]],
            },
        )
        assert response.status_code == 302
    assert [a.original_name for a in Attachment.objects.filter(object_id=str(record.pk))] == ["乙.png"]
