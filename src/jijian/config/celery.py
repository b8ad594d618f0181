"""Celery: the filesystem broker in the embedded default (no extra server), Redis in production,
eager in tests. The periodic schedule lives here, one line each, with why."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jijian.config.settings")

app = Celery("jijian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Create the expected monthly-report rows of the new month (idempotent; runs daily so a restart
    # on the 1st misses nothing).
    "open-report-month": {"task": "jijian.reports.tasks.open_month", "schedule": crontab(minute=5, hour=0)},
    # Report reminders and escalation (before the deadline, on it, after it): each sent once.
    "report-reminders": {
        "task": "jijian.reports.tasks.send_reminders",
        "schedule": crontab(minute=0, hour=9),
    },
    # Reminders of petition and clue time limits to whoever holds the item (yellow, then red), and
    # the quarterly results back to the petition office: each sent once (dedup keys).
    "petition-deadline-reminders": {
        "task": "jijian.petitions.tasks.deadline_reminders",
        "schedule": crontab(minute=30, hour=8),
    },
    # Yellow and red warnings of the primary-responsibility lists to the organisations and the
    # supervising offices: each sent once (dedup keys).
    "responsibility-warnings": {
        "task": "jijian.responsibility.tasks.send_warnings",
        "schedule": crontab(minute=45, hour=8),
    },
    # Forget the keys of past rate-limit windows even when no request arrives to do it: an expired
    # counter left on disk by the file cache can then not be tied to an address (core/ops/ratelimit.py).
    "forget-rate-limit-keys": {"task": "jijian.core.tasks.forget_rate_limit_keys", "schedule": 60.0},
    # Chain new audit entries a few seconds after they are written (docs/audit.md: no global lock on write).
    "seal-audit-trail": {"task": "jijian.core.tasks.seal_audit_trail", "schedule": 10.0},
    # Re-queue SMS / e-mail deliveries that a restart left pending; sending is idempotent.
    "resend-pending-deliveries": {
        "task": "jijian.core.tasks.resend_pending_deliveries",
        "schedule": crontab(minute="*/15"),
    },
    # Delete stored files whose attachment row never committed (an outer transaction rolled back).
    "sweep-orphan-attachments": {
        "task": "jijian.attachments.tasks.sweep_orphans",
        "schedule": crontab(minute=17),
    },
    # PostgreSQL: create the monthly partitions of the tables that grow with time three months ahead
    # (duty records, audit entries, notification deliveries); idempotent, daily so a stopped beat has
    # months of slack (docs/partitions.md).
    "create-partitions-ahead": {
        "task": "jijian.core.tasks.create_partitions_ahead",
        "schedule": crontab(minute=40, hour=1),
    },
    # PostgreSQL: detach the months past each table's JIJIAN_PARTITION_KEEP_MONTHS_<TABLE> (deliveries 6
    # months by default, duty records never); they stay as plain tables to archive (docs/partitions.md).
    # After create-partitions-ahead, which has moved late rows out of the default partition by then.
    "retain-partitions": {
        "task": "jijian.core.tasks.retain_partitions",
        "schedule": crontab(minute=55, hour=1),
    },
    # Posts: the village-member role of a holding dated to end later ends the day after its last day,
    # once per holding (a role granted again afterwards stays).
    "end-roles-after-holdings": {
        "task": "jijian.cadres.tasks.end_roles_after_holdings",
        "schedule": crontab(minute=10, hour=0),
    },
    # Video reception: remind tomorrow's petitioners; convert again what a dead worker left raw.
    "reception-reminders": {
        "task": "jijian.reception.tasks.reception_reminders",
        "schedule": crontab(minute=0, hour=16),
    },
    "reception-recordings-sweep": {
        "task": "jijian.reception.tasks.recordings_sweep",
        "schedule": crontab(minute=40),
    },
    # Remove recordings past JIJIAN_RECEPTION_RECORDING_RETENTION_DAYS (not while their case is open).
    "reception-recordings-retention": {
        "task": "jijian.reception.tasks.recordings_retention",
        "schedule": crontab(minute=50, hour=2),
    },
    # Grade exam sittings whose time ran out with nobody on the page (training; safe to run twice).
    "close-overdue-sittings": {"task": "jijian.training.tasks.close_overdue_sittings", "schedule": 60.0},
    # Remove audit entries older than JIJIAN_AUDIT_RETENTION_DAYS (never under 180), keeping a checkpoint.
    "prune-audit-trail": {
        "task": "jijian.core.tasks.prune_audit_trail",
        "schedule": crontab(minute=30, hour=2, day_of_month=1),
    },
}


@worker_init.connect
def refuse_unreadable_data_in_the_worker(**kwargs) -> None:
    """The worker, like the web server (config/asgi.py), does not start on stored data the configured
    keys do not open: its tasks would write under a key the data was not written with."""
    from jijian.core.checks import refuse_unreadable_data

    refuse_unreadable_data()
