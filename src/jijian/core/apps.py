from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "jijian.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from jijian.core.sensitive import crypto

        crypto.self_test()  # known-answer tests of SM3 / SM4 before serving anything
        from . import checks  # noqa: F401

        # Each app's menu entries (its nav.py) and the names of the events it records in the audit
        # trail (its audit_labels.py), found as the admin finds admin.py: core names no platform.
        autodiscover_modules("nav", "audit_labels")
