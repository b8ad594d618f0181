from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "jijian.petitions"
    verbose_name = "信访举报"
