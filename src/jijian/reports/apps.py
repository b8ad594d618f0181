from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "jijian.reports"
    verbose_name = "履职月报"

    def ready(self):
        from jijian.core import links

        from . import todos  # noqa: F401 - registers the home-page to-dos
        from .access import clue_source_records, duty_record_briefs
        from .hooks import duty_log_record, monthly_report_scores

        # What reports offer the other platforms (core/links.py).
        links.clue_source_records.provide(clue_source_records)
        links.duty_record_briefs.provide(duty_record_briefs)
        links.duty_log_record.provide(duty_log_record)
        links.monthly_report_scores.provide(monthly_report_scores)

    def demo_load(self, *, seed: int) -> str:
        """The demo's duty records and monthly reports (`jijian setup` calls it after core's demo)."""
        from .demo import load_reports_demo

        return f"{load_reports_demo(seed=seed)} 条履职纪实"
