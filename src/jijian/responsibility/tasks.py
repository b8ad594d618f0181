"""Periodic tasks of primary responsibility (schedule: jijian/config/celery.py)."""

from __future__ import annotations

from datetime import date

from celery import shared_task


@shared_task(name="jijian.responsibility.tasks.send_warnings")
def send_warnings(today: str | None = None) -> dict[str, int]:
    """Yellow and red warnings of the lists' periods, each sent once (warnings.py)."""
    from jijian.responsibility.services import today as local_today
    from jijian.responsibility.warnings import warnings_send

    return warnings_send(today=date.fromisoformat(today) if today else local_today())
