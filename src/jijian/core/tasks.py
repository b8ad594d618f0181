from __future__ import annotations

from celery import shared_task

from .notify import delivery_give_up, delivery_send


@shared_task(bind=True, max_retries=5, acks_late=True)
def deliver_notification(self, delivery_id: int) -> str:
    """Send one SMS / e-mail delivery; retried with back-off; a sent delivery is never sent again."""
    try:
        return delivery_send(delivery_id=delivery_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            delivery_give_up(delivery_id=delivery_id, error=str(exc))
            return "failed"
        if self.request.is_eager:
            delivery_give_up(delivery_id=delivery_id, error=str(exc))
            return "failed"
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task
def forget_rate_limit_keys() -> int:
    """Delete the keys of rate-limit windows that have passed, so no counter left in the cache can be
    tied to an address (core/ops/ratelimit.py). Idempotent."""
    from .ops.ratelimit import secrets_forget

    return secrets_forget()


@shared_task
def resend_pending_deliveries() -> int:
    """Queue deliveries left pending (a worker restart between commit and queueing). Idempotent."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import DeliveryStatus, NotificationDelivery

    cutoff = timezone.now() - timedelta(minutes=10)
    ids = list(
        NotificationDelivery.objects.filter(
            status=DeliveryStatus.PENDING, created_at__lt=cutoff, attempts=0
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        deliver_notification.delay(pk)
    return len(ids)


@shared_task
def seal_audit_trail() -> int:
    from jijian.audit.services import audit_seal

    return audit_seal()


@shared_task
def prune_audit_trail() -> int:
    """Monthly: drop audit entries past retention, after checking the chain (see docs/audit.md)."""
    from jijian.audit.services import audit_prune

    return audit_prune()


@shared_task
def create_partitions_ahead() -> list[str]:
    """Daily: the partitions of this month and the next ones of every month-partitioned table
    (PostgreSQL; nothing on SQLite). Idempotent. See docs/partitions.md."""
    from jijian.partitions import partitions_create_ahead

    return partitions_create_ahead()


@shared_task
def retain_partitions() -> dict[str, list[str]]:
    """Daily: detach the months of the month-partitioned tables past their retention rule
    (settings.PARTITION_KEEP_MONTHS; PostgreSQL, nothing on SQLite). Idempotent. See docs/partitions.md."""
    from .ops.retention import partition_retention_apply

    return partition_retention_apply()
