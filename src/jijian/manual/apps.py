from django.apps import AppConfig


class ManualConfig(AppConfig):
    name = "jijian.manual"
    verbose_name = "履职手册"

    def ready(self) -> None:
        from jijian.core import links

        from .services import case_propose

        # What the manual offers the other platforms (core/links.py).
        links.manual_case_propose.provide(case_propose)

    def demo_load(self, *, seed: int) -> str:
        """The demo manual of Suizhou (`jijian setup`): the village member's main tasks and cases."""
        from .demo import load_demo

        pages, cases = load_demo()
        return f"{pages} 个履职手册条目、{cases} 个典型案例" if pages else ""
