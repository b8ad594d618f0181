from django.apps import AppConfig


class ReceptionConfig(AppConfig):
    name = "jijian.reception"
    verbose_name = "视频接访"

    def ready(self) -> None:
        # Documents of a session follow the reception's access (access.receptions_visible_to).
        from jijian.attachments.access import register_object_scope

        from .access import receptions_visible_to
        from .services import DOCUMENT_PURPOSE

        register_object_scope(DOCUMENT_PURPOSE, receptions_visible_to)

        from . import todos  # noqa: F401 - registers the home-page to-dos

    def demo_load(self, *, seed: int) -> str:
        """The demo's reception days (`jijian setup`)."""
        from .demo import load_demo

        return f"{load_demo(seed=seed)} 个视频接访时段"

    def demo_notes(self) -> list[str]:
        from .demo import DEMO_BOOKING_CODE

        return [
            f"\n演示视频接访：今天有一场已确认的预约（市纪委监委信访室开始接访后，"
            f"信访人在 /reception/public/status/ 输入预约查询码 {DEMO_BOOKING_CODE} 进入等候室）"
        ]
