"""Booking rules: reception days shifted by the working-day calendar, the SMS check, capacity (and the
race for the last place on PostgreSQL), confirmation, cancellation, no-show, versions."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.core.models import CalendarDay
from jijian.core.notify_backends import LogBackend
from jijian.core.services import ConcurrentEditError
from jijian.reception import services
from jijian.reception.models import ReceptionState, VideoReception
from tests.concurrency import together
from tests.reception.helpers import petitioner, reception, schedule

pytestmark = pytest.mark.django_db


def next_weekday(weekday: int, after: date | None = None) -> date:
    d = (after or date.today()) + timedelta(days=1)
    while d.weekday() != weekday:
        d += timedelta(days=1)
    return d


def test_a_holiday_moves_the_reception_day_to_the_next_working_day(tree):
    sch = schedule(tree.city, weekday=1)  # Tuesdays
    tuesday = next_weekday(1)
    CalendarDay.objects.update_or_create(date=tuesday, defaults={"is_working_day": False, "name": "测试假日"})
    days = services.slot_dates(sch, tuesday - timedelta(days=1), tuesday + timedelta(days=6))
    assert tuesday not in days
    assert tuesday + timedelta(days=1) in days  # Wednesday, a working day


def _sms_code(phone: str) -> str:
    LogBackend.outbox.clear()
    services.sms_code_send(phone=phone)
    return re.search(r"\d{6}", LogBackend.outbox[-1]["text"])[0]


def test_online_booking_needs_the_code_sent_to_the_phone(tree, people):
    sch = schedule(tree.city, weekday=1)
    day = next_weekday(1)
    data = petitioner(1)
    for wrong in ("000000", "验证码"):
        with pytest.raises(ValidationError, match="验证码"):
            services.booking_create(actor=None, schedule=sch, day=day, sms_code=wrong, **data)
    code = _sms_code(data["petitioner_phone"])
    r, booking_code = services.booking_create(actor=None, schedule=sch, day=day, sms_code=code, **data)
    assert r.state == ReceptionState.REQUESTED and r.township is None
    assert services.reception_by_code(booking_code) == r
    assert services.reception_by_code("WRONG") is None
    # The code is used up.
    with pytest.raises(ValidationError, match="验证码"):
        services.booking_create(actor=None, schedule=sch, day=day, sms_code=code, **petitioner(2))
    # The petition office of the city is told.
    assert people.city_petition.notifications.filter(title__contains="待确认").exists()
    assert AuditEvent.objects.filter(action="reception.book", object_id=str(r.pk)).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("petitioner_id_number", "421321198001010011", "校验位"),
        ("petitioner_phone", "2345", "手机号码"),
        ("accused_unit", "", "被反映人"),
        ("matter", "太短", "反映事项"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_books_nothing(tree, people, field, value, message):
    sch = schedule(tree.city, weekday=1)
    data = {**petitioner(1), field: value}
    with pytest.raises(ValidationError, match=message):
        services.booking_create(actor=people.township_a, schedule=sch, day=next_weekday(1), **data)
    assert not VideoReception.objects.exists()


def test_a_date_that_is_not_a_reception_day_is_refused(tree, people):
    sch = schedule(tree.city, weekday=1)
    with pytest.raises(ValidationError, match="不是该机关的接访日"):
        services.booking_create(actor=people.township_a, schedule=sch, day=next_weekday(2), **petitioner(1))


def test_a_full_slot_and_a_second_booking_of_the_same_person_are_refused(tree, people):
    sch = schedule(tree.city, weekday=1, capacity=1)
    day = next_weekday(1)
    r, _ = services.booking_create(actor=people.township_a, schedule=sch, day=day, **petitioner(1))
    assert r.township == tree.township_a and r.booked_by == people.township_a
    with pytest.raises(ValidationError, match="名额已满"):
        services.booking_create(actor=people.township_a, schedule=sch, day=day, **petitioner(2))
    other = schedule(tree.county, weekday=1)
    with pytest.raises(ValidationError, match="当天已有"):
        services.booking_create(actor=people.township_a, schedule=other, day=day, **petitioner(1))
    # A cancelled booking frees its place.
    services.booking_cancel(actor=people.township_a, reception=r, version=r.version, reason="信访人另有安排")
    services.booking_create(actor=people.township_a, schedule=sch, day=day, **petitioner(2))


def test_only_a_township_officer_books_for_someone(tree, people):
    sch = schedule(tree.city, weekday=1)
    with pytest.raises(PermissionDenied):
        services.booking_create(
            actor=people.county_officer, schedule=sch, day=next_weekday(1), **petitioner(1)
        )


def test_confirm_is_for_the_receiving_office_and_detects_a_concurrent_change(tree, people):
    r = reception(tree.city, township=tree.township_a, booked_by=people.township_a)
    with pytest.raises(PermissionDenied):
        services.booking_confirm(actor=people.township_a, reception=r, version=r.version)
    stale = r.version
    services.booking_confirm(actor=people.city_petition, reception=r, version=r.version)
    assert r.state == ReceptionState.CONFIRMED and r.confirmed_by == people.city_petition
    assert people.township_a.notifications.filter(title="视频接访预约已确认").exists()
    with pytest.raises(ConcurrentEditError):
        services.booking_cancel(actor=people.city_petition, reception=r, version=stale, reason="重复预约")
    r.refresh_from_db()
    assert r.state == ReceptionState.CONFIRMED


def test_no_show_only_once_the_slot_has_begun(tree, people):
    r = reception(tree.city, state=ReceptionState.CONFIRMED)
    with pytest.raises(ValidationError, match="时间未到"):
        services.booking_no_show(actor=people.city_petition, reception=r, version=r.version)
    past = reception(tree.city, state=ReceptionState.CONFIRMED, day=date.today() - timedelta(days=1))
    services.booking_no_show(actor=people.city_petition, reception=past, version=past.version)
    assert past.state == ReceptionState.NO_SHOW


def test_reschedule_moves_the_booking_to_a_slot_with_room(tree, people):
    r, _ = services.booking_create(
        actor=people.township_a, schedule=schedule(tree.city, weekday=1), day=next_weekday(1), **petitioner(1)
    )
    thursday = schedule(tree.city, weekday=3, capacity=1)
    day = next_weekday(3)
    services.booking_reschedule(
        actor=people.city_petition, reception=r, version=r.version, schedule=thursday, day=day
    )
    assert r.slot.date == day and r.state == ReceptionState.CONFIRMED
    with pytest.raises(ValidationError, match="名额已满"):
        services.booking_create(actor=people.township_a, schedule=thursday, day=day, **petitioner(2))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)")
def test_two_petitioners_racing_for_the_last_place(tree, people):
    sch = schedule(tree.city, weekday=1, capacity=1)
    day = next_weekday(1)
    results, errors = together(
        4,
        lambda i: services.booking_create(actor=people.township_a, schedule=sch, day=day, **petitioner(i)),
        catch=(ValidationError,),
    )
    assert len(results) == 1
    assert len(errors) == 3 and all("名额已满" in e.messages[0] for e in errors)
    assert VideoReception.objects.filter(state=ReceptionState.REQUESTED).count() == 1


def test_reminders_go_once_to_the_next_working_days_petitioners(
    tree, people, django_capture_on_commit_callbacks
):
    from jijian.core.orgs.workdays import add_working_days

    LogBackend.outbox.clear()
    today = date.today()
    due = reception(
        tree.city,
        township=tree.township_a,
        booked_by=people.township_a,
        state=ReceptionState.CONFIRMED,
        day=add_working_days(today, 1),
    )
    reception(tree.city, state=ReceptionState.CONFIRMED, day=add_working_days(today, 1) + timedelta(days=7))
    reception(tree.city, state=ReceptionState.REQUESTED, day=add_working_days(today, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(today) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(today) == 0
    texts = [m for m in LogBackend.outbox if m["to"] == due.petitioner_phone]
    assert len(texts) == 1 and "提醒" in texts[0]["text"]
    assert people.township_a.notifications.filter(title__startswith="明日视频接访提醒").count() == 1


def test_the_public_form_books_with_the_code_with_or_without_javascript(tree, client):
    sch = schedule(tree.city, weekday=1)
    day = next_weekday(1)
    data = {**petitioner(5), "slot": f"{sch.pk}|{day:%Y-%m-%d}", "accused_level": "other"}
    LogBackend.outbox.clear()
    # Without JavaScript "获取验证码" posts the whole form: it comes back as typed, with the answer.
    page = client.post(reverse("reception:public_code"), data).content.decode()
    assert "验证码已发送" in page and data["petitioner_name"] in page
    code = re.search(r"\d{6}", LogBackend.outbox[-1]["text"])[0]
    # With JavaScript a refused phone comes back as a fragment htmx swaps in (a 200: htmx does not
    # swap an error status), saying what is wrong; no code is sent.
    refused = client.post(
        reverse("reception:public_code"), {"petitioner_phone": "123"}, HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 200 and "手机号码应为11位" in refused.content.decode()
    assert len(LogBackend.outbox) == 1
    wrong = client.post(reverse("reception:public_book"), {**data, "sms_code": "999999"})
    assert wrong.status_code == 400
    assert "短信验证码不正确" in wrong.content.decode() and not VideoReception.objects.exists()
    done = client.post(reverse("reception:public_book"), {**data, "sms_code": code}).content.decode()
    booking_code = re.search(r'id="booking-code">([0-9A-F]+)<', done)[1]
    status = client.post(reverse("reception:public_status"), {"code": booking_code}).content.decode()
    assert "待确认" in status
