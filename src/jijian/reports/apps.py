from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "jijian.reports"
    verbose_name = "履职月报"

    def ready(self):
        from . import todos  # noqa: F401 - registers the home-page to-dos
