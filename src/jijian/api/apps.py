from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jijian.api"
    verbose_name = "API"
