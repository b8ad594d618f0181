from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jijian.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from jijian.core.sensitive import crypto

        crypto.self_test()  # known-answer tests of SM3 / SM4 before serving anything
        from . import checks  # noqa: F401
