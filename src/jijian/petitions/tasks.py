from celery import shared_task


@shared_task
def deadline_reminders() -> int:
    """Placeholder: replaced by the deadline-board work (reminders to holders)."""
    return 0
