import pytest
from django.test import override_settings

from jijian.core.models import DeliveryStatus, Notification, NotificationDelivery
from jijian.core.notify import notify
from jijian.core.notify_backends import LogBackend
from jijian.core.tasks import deliver_notification


@pytest.fixture(autouse=True)
def clean_outbox():
    LogBackend.outbox.clear()
    yield
    LogBackend.outbox.clear()


def test_in_app_notification_and_sms_sent_once(people, django_capture_on_commit_callbacks):
    people.member_a.phone = "13800001111"
    people.member_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        note = notify(recipient=people.member_a, title="月报提醒", body="请于5日前提交", channels=("sms",))
    assert note.deliveries.get().status == DeliveryStatus.SENT
    assert [m["to"] for m in LogBackend.outbox] == ["13800001111"]
    # Running the task again (a retry, a duplicate queue entry) sends nothing more.
    deliver_notification(note.deliveries.get().pk)
    assert len(LogBackend.outbox) == 1


def test_dedup_key_makes_a_reminder_idempotent(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(
            recipient=people.member_a, title="提醒", dedup_key="reminder:2026-11", channels=("sms",)
        )
        second = notify(
            recipient=people.member_a, title="提醒", dedup_key="reminder:2026-11", channels=("sms",)
        )
    assert first is not None and second is None
    assert Notification.objects.filter(recipient=people.member_a).count() == 1


def test_missing_phone_is_skipped_not_failed(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = notify(recipient=people.township_a, title="x", channels=("sms",))
    assert note.deliveries.get().status == DeliveryStatus.SKIPPED


class FailingBackend:
    calls = 0

    def send(self, **kwargs):
        FailingBackend.calls += 1
        raise OSError("gateway down")


@override_settings(SMS_BACKEND="tests.core.test_notify.FailingBackend")
def test_gateway_failure_is_recorded_and_marked_failed(people, django_capture_on_commit_callbacks):
    people.member_a.phone = "13800001111"
    people.member_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        note = notify(recipient=people.member_a, title="x", channels=("sms",))
    delivery = NotificationDelivery.objects.get(notification=note)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1 and "gateway down" in delivery.last_error


def test_inbox_marks_read_and_belongs_to_its_owner(people, login):
    note = notify(recipient=people.member_a, title="您有新的任务", link="/orgs/")
    client = login(people.member_a)
    page = client.get("/notifications/")
    assert "您有新的任务" in page.content.decode()
    response = client.post(f"/notifications/{note.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/orgs/"
    note.refresh_from_db()
    assert note.read_at is not None
