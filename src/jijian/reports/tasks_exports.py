"""Export tasks of the monthly reports (imported by reports/tasks.py so that Celery finds them)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="jijian.reports.tasks_exports.month_reports_xlsx")
def month_reports_xlsx(export_id: str) -> str:
    """Write the Excel of every report of a month under a node; safe to run twice."""
    from .exports import month_export_run

    return month_export_run(export_id=export_id)
