from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "jijian.archives"
    verbose_name = "廉情档案"
