from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "jijian.attachments"
    verbose_name = "附件"
