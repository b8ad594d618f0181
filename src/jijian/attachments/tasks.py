from __future__ import annotations

from celery import shared_task


@shared_task
def sweep_orphans() -> int:
    """Delete stored files that no attachment row names (a rolled-back upload), older than 6 hours.
    Safe to run twice and on several workers."""
    from .services import attachment_orphans_sweep

    return attachment_orphans_sweep()
