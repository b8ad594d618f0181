from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "jijian.reports"
    verbose_name = "履职月报"
