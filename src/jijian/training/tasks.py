from celery import shared_task


@shared_task
def close_overdue_sittings() -> int:
    """Grade the sittings whose time ran out with nobody on the page (safe to run twice)."""
    from .services import sittings_close_overdue

    return sittings_close_overdue()
