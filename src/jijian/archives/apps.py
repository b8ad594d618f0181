from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "jijian.archives"
    verbose_name = "廉情档案"

    def ready(self) -> None:
        # What archives offer the other platforms (core/links.py).
        from jijian.attachments.access import register_object_scope
        from jijian.core import links

        from .access import archive_may_open, archives_visible_to
        from .selectors import archive_briefs, archives_named_in_region
        from .services import PHOTO_PURPOSE, record_from_source, sanction_from_source
        from .vetting import archive_vetting

        links.archive_candidates.provide(archives_named_in_region)
        links.archive_briefs.provide(archive_briefs)
        links.archive_may_open.provide(archive_may_open)
        links.archive_vetting.provide(archive_vetting)
        links.archive_record_sanction.provide(sanction_from_source)
        links.archive_record_handling.provide(record_from_source)
        # A person's photo follows the archive (recusal included), not only the unit, on every link.
        register_object_scope(PHOTO_PURPOSE, archives_visible_to)

        from . import todos  # noqa: F401 - registers the home-page to-dos

    def demo_load(self, *, seed: int) -> str:
        """The demo's integrity archives (`jijian setup`)."""
        from .demo import load_demo

        return f"{load_demo(seed=seed)} 份廉情档案"

    def demo_notes(self) -> list[str]:
        return [
            "\n党风廉政意见回复演示：组织部（zuzhibu）已就3人征求意见；干部监督室（ganjian）拟定，"
            "信访室（xinfang）、案件监督管理室（anguan）、审理室（shenli）会签，领导（lingdao）审签后下载答复函。"
        ]
