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


def test_the_resend_task_queues_only_deliveries_never_tried_for_ten_minutes(people):
    """A worker restart between the commit and the queueing leaves a delivery pending and untried: the
    task every 15 minutes queues it again (and the eager worker of the tests sends it). A recent one,
    one tried already (its own retries own it) and one sent are left alone."""
    from datetime import timedelta

    from django.utils import timezone

    from jijian.core.tasks import resend_pending_deliveries

    people.member_a.phone = "13800001111"
    people.member_a.save()
    old = timezone.now() - timedelta(minutes=11)

    def delivery(created_at, **fields) -> NotificationDelivery:
        note = Notification.objects.create(recipient=people.member_a, title="提醒")
        return NotificationDelivery.objects.create(
            notification=note, channel="sms", created_at=created_at, **fields
        )

    left = delivery(old)
    recent = delivery(timezone.now())
    tried = delivery(old, attempts=1)
    sent = delivery(old, status=DeliveryStatus.SENT, attempts=1)
    assert resend_pending_deliveries() == 1
    assert [m["to"] for m in LogBackend.outbox] == ["13800001111"]
    for row, status in ((left, "sent"), (recent, "pending"), (tried, "pending"), (sent, "sent")):
        row.refresh_from_db()
        assert row.status == status, row


def test_the_resend_task_s_query_can_read_the_untried_deliveries_index(people):
    """The partial index holds only untried pending deliveries; the task's query must be able to read it
    (on PostgreSQL, with sequential scans switched off, the plan names it or its copy on a partition),
    so that every 15 minutes it does not scan months of sent deliveries."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner")
    from datetime import timedelta

    from django.utils import timezone

    query = NotificationDelivery.objects.filter(
        status=DeliveryStatus.PENDING, created_at__lt=timezone.now() - timedelta(minutes=10), attempts=0
    ).values_list("pk", flat=True)[:1000]
    with transaction.atomic(), connection.cursor() as cursor:
        # The partial index and its copies on the month partitions (named by PostgreSQL).
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'core_notificationdelivery%%' "
            "AND indexdef LIKE '%%WHERE%%pending%%'"
        )
        partial = [name for (name,) in cursor.fetchall()]
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert partial and any(name in plan for name in partial), plan
