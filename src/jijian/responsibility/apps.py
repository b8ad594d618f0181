from django.apps import AppConfig


class ResponsibilityConfig(AppConfig):
    name = "jijian.responsibility"
    verbose_name = "主体责任"

    def ready(self) -> None:
        from jijian.attachments.access import register_object_scope

        from . import todos  # noqa: F401  (registers the home page's to-dos)
        from .access import RECORD_FILES, records_visible_to

        # A record's files follow the record (a liaison sees only their own organisation's).
        register_object_scope(RECORD_FILES, records_visible_to)

    def demo_load(self, *, seed: int) -> str:
        """A year of lists and records for the demo party organisations (`jijian setup`)."""
        from .demo import load_demo

        made = load_demo(seed=seed)
        return f"{made} 条履责纪实" if made else ""
