"""Every periodic task in the beat schedule names a task the worker actually registers (a typo
there would silently never run)."""

from jijian.config.celery import app


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    registered = set(app.tasks)
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "jijian.petitions.tasks.deadline_reminders" in scheduled
    assert scheduled <= registered, scheduled - registered
