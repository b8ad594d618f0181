from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jijian.audit"
    verbose_name = "审计"
