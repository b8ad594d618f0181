from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def petitioner_sms(self, reception_id: int, text: str) -> None:
    """An SMS to the petitioner (who has no account, so no in-app notification)."""
    from jijian.core.notify_backends import backend_for

    from .models import VideoReception

    reception = VideoReception.objects.filter(pk=reception_id).first()
    if reception is None:
        return
    try:
        backend_for("sms").send(
            to=reception.petitioner_phone,
            subject="视频接访",
            text=text,
            idempotency_key=f"jijian-reception-{reception_id}-{self.request.id}",
        )
    except OSError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=3, default_retry_delay=30, acks_late=True)
def recordings_convert(self, reception_id: int) -> int:
    """Convert the session's raw recordings (recordings.convert_reception); safe to run again."""
    from .recordings import convert_reception

    return len(convert_reception(reception_id))


@shared_task
def reception_reminders() -> int:
    """Remind the petitioners of confirmed receptions on the next working day, once each."""
    from .services import reminders_send

    return reminders_send()


@shared_task
def recordings_sweep() -> int:
    """Queue again the conversion of ended sessions whose raw recordings are still there (a worker
    that died halfway, a conversion that failed): what is verified is skipped."""
    from .recordings import unconverted_receptions

    ids = list(unconverted_receptions())
    for pk in ids:
        recordings_convert.delay(pk)
    return len(ids)


@shared_task
def recordings_retention() -> int:
    """Remove the recordings past RECEPTION_RECORDING_RETENTION_DAYS that may go (not linked to a case
    still open); each removal is an audit event. Nothing when the setting is 0 (keep for ever)."""
    from .recordings import retention_purge

    removed, _ = retention_purge()
    return len(removed)
