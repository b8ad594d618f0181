"""The notification service: an in-app message, plus SMS / e-mail copies sent by Celery with retries
and never twice (a delivery row is marked sent under a row lock; the task is safe to run twice)."""

from __future__ import annotations

from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import DeliveryChannel, DeliveryStatus, Notification, NotificationDelivery, User


def notify(
    *,
    recipient: User,
    title: str,
    body: str = "",
    link: str = "",
    channels: tuple[str, ...] = (),
    dedup_key: str | None = None,
) -> Notification | None:
    """Create one notification. With a `dedup_key`, the same (recipient, key) is created only once,
    however often the caller runs: periodic reminders pass one. Returns None for a duplicate."""
    from .tasks import deliver_notification

    try:
        with transaction.atomic():
            note = Notification.objects.create(
                recipient=recipient, title=title[:200], body=body, link=link, dedup_key=dedup_key
            )
            for channel in channels:
                delivery = NotificationDelivery.objects.create(
                    notification=note, channel=channel, created_at=note.created_at
                )
                transaction.on_commit(partial(deliver_notification.delay, delivery.pk))
    except IntegrityError:
        if dedup_key and Notification.objects.filter(recipient=recipient, dedup_key=dedup_key).exists():
            return None
        raise
    return note


def _address(user: User, channel: str) -> str:
    return user.phone if channel == DeliveryChannel.SMS else user.email


def delivery_send(*, delivery_id: int) -> str:
    """Send one delivery if it is still pending. Returns its status. Raises on a gateway error so that
    Celery retries; the row stays pending with the error recorded."""
    from .notify_backends import backend_for

    failure: Exception | None = None
    with transaction.atomic():
        # The row lock makes a second worker wait here and then find the delivery already sent.
        delivery = (
            NotificationDelivery.objects.select_for_update()
            .select_related("notification__recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return delivery.status if delivery else "missing"
        note = delivery.notification
        to = _address(note.recipient, delivery.channel)
        if not to:
            delivery.status = DeliveryStatus.SKIPPED
            delivery.save(update_fields=["status"])
            return delivery.status
        delivery.attempts += 1
        try:
            backend_for(delivery.channel).send(
                to=to, subject=note.title, text=note.body, idempotency_key=f"jijian-{delivery.pk}"
            )
        except Exception as exc:  # noqa: BLE001 - recorded, then re-raised for Celery's retry
            failure = exc
            delivery.last_error = str(exc)[:255]
        else:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = timezone.now()
        delivery.save(update_fields=["status", "sent_at", "attempts", "last_error"])
    if failure is not None:
        raise failure
    return delivery.status


def delivery_give_up(*, delivery_id: int, error: str) -> None:
    NotificationDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, last_error=error[:255]
    )


def notification_mark_read(*, user: User, notification: Notification) -> None:
    if notification.recipient_id == user.pk and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
