"""Periodic tasks of the petitions app (schedule: jijian/config/celery.py). Safe to run twice and
catch up after a missed day: what is owed is derived from the state of the open time limits."""

from __future__ import annotations

from datetime import date

from celery import shared_task


@shared_task(name="jijian.petitions.tasks.deadline_reminders")
def deadline_reminders(today: str | None = None) -> dict[str, int]:
    """Yellow and red reminders of the open time limits to whoever holds the item, and (first run in
    a new quarter) the previous quarter's results back to each petition office."""
    from jijian.petitions.deadlines.reminders import deadline_reminders_send, quarterly_feedback_send

    day = date.fromisoformat(today) if today else None
    sent = deadline_reminders_send(today=day)
    sent["quarterly"] = quarterly_feedback_send(today=day)
    return sent
