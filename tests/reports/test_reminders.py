"""Reminders and escalation: each sent once however often the task runs, the right people on the
right days, a skipped day caught up, submitted members left alone; opening months."""

from datetime import date, timedelta

import pytest

from jijian.core.models import DeliveryChannel, Notification, NotificationDelivery
from jijian.core.orgs.workdays import add_working_days
from jijian.reports import tasks
from jijian.reports.models import MonthlyReport
from jijian.reports.reminders import months_open, reminders_send
from jijian.reports.services import monthly_reports_open, settings_for_city
from tests.conftest import make_user
from tests.reports.authz_entries_review import OCT, submitted_report


@pytest.fixture
def month(tree, people):
    """October 2025 opened for village A (member_a) and village A2 (member_a2); the county's
    supervision officer and both townships' committees exist (personas)."""
    people.member_a2 = make_user("member_a2", tree.village_a2, "village_member")
    monthly_reports_open(month=OCT)
    return MonthlyReport.objects.get(village=tree.village_a, month=OCT).deadline


def titles(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_before_the_deadline_members_are_reminded_once(month, people):
    day = month - timedelta(days=2)
    assert reminders_send(today=day)["before"] == 2
    assert reminders_send(today=day) == {
        "before": 0,
        "deadline": 0,
        "township": 0,
        "county": 0,
        "reviewer": 0,
    }
    assert reminders_send(today=day + timedelta(days=1))["before"] == 0  # next day: still once
    assert len(titles(people.member_a)) == 1 and "前提交" in titles(people.member_a)[0]
    assert NotificationDelivery.objects.filter(
        notification__recipient=people.member_a, channel=DeliveryChannel.SMS
    ).exists()
    assert titles(people.township_a) == [] and titles(people.county_officer) == []


def test_too_early_nothing_is_sent(month, people):
    settings = settings_for_city(people.member_a.org_unit.city_id)
    day = month - timedelta(days=settings.remind_days_before + 1)
    assert sum(reminders_send(today=day).values()) == 0


def test_submitted_and_approved_members_get_nothing(month, tree, people):
    report = submitted_report(tree.village_a, people.member_a)
    reminders_send(today=month - timedelta(days=1))
    reminders_send(today=month)
    assert titles(people.member_a) == []
    assert len(titles(people.member_a2)) == 2  # before, then on the deadline day
    from jijian.reports.services import monthly_report_approve

    monthly_report_approve(actor=people.township_a, report=report)
    reminders_send(today=month + timedelta(days=10))
    assert titles(people.member_a) == []


def test_deadline_day_then_township_then_county(month, tree, people):
    reminders_send(today=month)
    assert any("截止日期" in t for t in titles(people.member_a))
    assert titles(people.township_a) == []

    reminders_send(today=month + timedelta(days=1))
    [township_note] = Notification.objects.filter(recipient=people.township_a)
    assert (
        "2 个村" in township_note.title and "神农村" in township_note.body and "凤凰村" in township_note.body
    )
    assert titles(people.township_b) == [] and titles(people.county_officer) == []

    settings = settings_for_city(tree.city.pk)
    # 逾期几天报县级 counts working days: not yet on the calendar day, but on the working day.
    escalate_on = add_working_days(month, settings.escalate_county_after_days)
    assert escalate_on > month + timedelta(days=settings.escalate_county_after_days)
    reminders_send(today=escalate_on - timedelta(days=1))
    assert titles(people.county_officer) == []
    reminders_send(today=escalate_on)
    [county_note] = Notification.objects.filter(recipient=people.county_officer)
    assert "厉山镇：" in county_note.body and "神农村" in county_note.body
    assert titles(people.outsider) == [] and titles(people.zone_officer) == []
    # Later runs add nothing.
    assert sum(reminders_send(today=month + timedelta(days=9)).values()) == 0


def test_a_skipped_day_is_caught_up_by_the_next_run(month, tree, people):
    """The job did not run from before the reminder window until five days after the deadline: the
    reminders that still make sense go out then, the pre-deadline one does not."""
    sent = tasks.send_reminders(today=str(month + timedelta(days=5)))
    assert sent == {"before": 0, "deadline": 2, "township": 1, "county": 1, "reviewer": 0}
    assert tasks.send_reminders(today=str(month + timedelta(days=5))) == {
        "before": 0,
        "deadline": 0,
        "township": 0,
        "county": 0,
        "reviewer": 0,
    }


def test_members_who_submitted_are_not_on_the_township_list(month, tree, people):
    submitted_report(tree.village_a, people.member_a)
    reminders_send(today=month + timedelta(days=1))
    [note] = Notification.objects.filter(recipient=people.township_a)
    assert "凤凰村" in note.body and "神农村" not in note.body and "1 个村" in note.title


def test_a_month_long_past_is_not_reminded(month, people):
    assert sum(reminders_send(today=month + timedelta(days=120)).values()) == 0


def test_open_month_opens_the_previous_month_once(tree, people):
    created = months_open(today=date(2025, 11, 3))
    assert created == {"2025-10": 1, "2025-11": 1}
    assert months_open(today=date(2025, 11, 4)) == {"2025-11": 0}
    assert tasks.open_month(today="2025-12-01") == {"2025-12": 1}
    assert MonthlyReport.objects.filter(village=tree.village_a).count() == 3
