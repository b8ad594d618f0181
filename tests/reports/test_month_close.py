"""Issue 16, item 1: a month's report is submittable from a configured day (per city, default the
25th); earlier only with an explicit confirmation that the month's duty log closes, and the township
sees the early submission flagged. A locked month's 记一笔 says so before the form is filled."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jijian.reports import services
from jijian.reports.models import MonthlyReport, ReportSettings, ReportState
from tests.reports.helpers import NOV, OCT, at, open_month, visit


def _draft(report, member):
    return services.monthly_report_save_draft(
        actor=member, report=report, version=report.version, summary="走访3户", problems="", counts={}
    )


def test_the_submittable_day_defaults_to_the_25th_and_is_kept_on_the_row(tree, people):
    report = open_month(tree, OCT)
    assert report.submittable_from == date(2025, 10, 25)


def test_the_submittable_day_follows_the_citys_setting(tree, people):
    ReportSettings.objects.update_or_create(city=tree.city, defaults={"submittable_from_day": 20})
    report = open_month(tree, OCT)
    assert report.submittable_from == date(2025, 10, 20)


def test_an_early_submit_without_confirmation_is_refused_and_changes_nothing(tree, people):
    report = open_month(tree, OCT)
    with at(date(2025, 10, 10)):
        report = _draft(report, people.member_a)
        with pytest.raises(ValidationError) as exc:
            services.monthly_report_submit(
                actor=people.member_a, report=report, version=report.version, endorse=True
            )
    assert "关闭" in " ".join(exc.value.messages) and "10月25日" in " ".join(exc.value.messages)
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT and not report.is_early


def test_a_confirmed_early_submit_goes_through_flagged(tree, people):
    report = open_month(tree, OCT)
    with at(date(2025, 10, 10)):
        report = _draft(report, people.member_a)
        services.monthly_report_submit(
            actor=people.member_a, report=report, version=report.version, endorse=True, early_confirmed=True
        )
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.is_early


def test_from_the_submittable_day_no_confirmation_is_needed(tree, people):
    report = open_month(tree, OCT)
    with at(date(2025, 10, 25)):
        report = _draft(report, people.member_a)
        services.monthly_report_submit(
            actor=people.member_a, report=report, version=report.version, endorse=True
        )
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and not report.is_early


def test_the_page_asks_for_the_confirmation_and_the_township_queue_flags_it(tree, people, login):
    report = open_month(tree, OCT)
    client = login(people.member_a)
    data = {"version": report.version, "summary": "走访3户", "problems": "", "is_zero_report": "0"}
    data.update(action="submit", endorse="on")
    with at(date(2025, 10, 10)):
        page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
        assert 'id="early-confirm"' in page and "本月履职纪实将关闭" in page
        refused = client.post(reverse("reports:report_detail", args=[report.pk]), data)
        assert refused.status_code == 200 and "提前提交" in refused.content.decode()
        assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.NOT_STARTED
        report.refresh_from_db()
        data["version"] = report.version
        done = client.post(
            reverse("reports:report_detail", args=[report.pk]), {**data, "early_confirmed": "on"}
        )
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.is_early
    with at(date(2025, 10, 10)):
        queue = login(people.township_a).get(reverse("reports:review_queue")).content.decode()
    assert f'id="early-{report.pk}"' in queue and "提前提交" in queue
    detail = login(people.township_a).get(reverse("reports:review_detail", args=[report.pk])).content.decode()
    assert 'id="early-flag"' in detail


def test_record_form_of_a_locked_month_says_so_before_the_form(tree, people, login):
    report = open_month(tree, OCT)
    visit(people.member_a, date(2025, 10, 3))
    with at(date(2025, 10, 10)):
        report.refresh_from_db()
        report = _draft(report, people.member_a)
        services.monthly_report_submit(
            actor=people.member_a, report=report, version=report.version, endorse=True, early_confirmed=True
        )
        client = login(people.member_a)
        page = client.get(reverse("reports:duty_record_create") + "?type=household_visit").content.decode()
        home = client.get(reverse("reports:my_reports")).content.decode()
    assert 'id="month-closed"' in page and "已关闭" in page and 'id="record-form"' not in page
    assert "11月1日" in page  # when the next month opens for records
    assert 'id="month-closed"' in home


def test_a_locked_past_month_offers_the_next_month(tree, people, login):
    report = open_month(tree, OCT)
    open_month(tree, NOV)
    with at(date(2025, 10, 28)):
        report = _draft(report, people.member_a)
        services.monthly_report_submit(
            actor=people.member_a, report=report, version=report.version, endorse=True
        )
    with at(date(2025, 11, 3)):
        page = login(people.member_a).get(reverse("reports:duty_records") + "?month=2025-10").content.decode()
    assert 'id="next-month-records"' in page and "month=2025-11" in page


def test_the_month_nav_leads_to_the_next_month_only_once_it_has_begun(tree, people, login):
    client = login(people.member_a)
    with at(date(2025, 11, 3)):
        current = client.get(reverse("reports:duty_records") + "?month=2025-11").content.decode()
        past = client.get(reverse("reports:duty_records") + "?month=2025-10").content.decode()
    assert (
        "month=2025-10" in current
        and 'id="following-month"' not in current
        and "month=2025-12" not in current
    )
    assert '<a href="?month=2025-11" id="following-month">下月 ›</a>' in past


def test_the_submittable_day_is_configured_in_the_admin_and_checked():
    from jijian.reports.admin import ReportSettingsForm

    assert "submittable_from_day" in ReportSettingsForm.Meta.fields
    form = ReportSettingsForm(data={"submittable_from_day": 31})
    form.is_valid()
    assert "1 至 28" in str(form.errors.get("submittable_from_day"))


# --- item 2: a delete is confirmed -----------------------------------------------------------------
def test_one_tap_on_delete_deletes_nothing_and_the_row_asks_first(tree, people, login):
    open_month(tree, OCT)
    record = visit(people.member_a, date(2025, 10, 3))
    client = login(people.member_a)
    with at(date(2025, 10, 10)):
        answer = client.post(
            reverse("reports:duty_record_delete", args=[record.pk]), {"version": record.version}, follow=True
        )
        page = client.get(reverse("reports:duty_records") + "?month=2025-10").content.decode()
    record.refresh_from_db()
    assert not record.is_deleted and "确认删除" in answer.content.decode()
    assert f'id="confirm-delete-{record.pk}"' in page and "删除后不能恢复" in page
    with at(date(2025, 10, 10)):
        client.post(
            reverse("reports:duty_record_delete", args=[record.pk]),
            {"version": record.version, "confirm": "1"},
        )
    record.refresh_from_db()
    assert record.is_deleted
