"""Periodic tasks of the monthly reports (schedule: jijian/config/celery.py). Both are safe to run
twice and catch up after a missed day: what is due is derived from the dates."""

from __future__ import annotations

from datetime import date

from celery import shared_task


def _day(today: str | None) -> date | None:
    return date.fromisoformat(today) if today else None


@shared_task(name="jijian.reports.tasks.open_month")
def open_month(today: str | None = None) -> dict[str, int]:
    """Create the expected-report rows of this month (and of the previous one if never opened)."""
    from .reminders import months_open

    return months_open(today=_day(today))


@shared_task(name="jijian.reports.tasks.send_reminders")
def send_reminders(today: str | None = None) -> dict[str, int]:
    """Reminders before and on the deadline, escalation to the township and the county after it."""
    from .reminders import reminders_send

    return reminders_send(today=_day(today))


# Celery's autodiscover imports only `tasks` modules: the export tasks live beside this one.
from . import tasks_exports  # noqa: E402, F401
