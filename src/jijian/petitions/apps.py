from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "jijian.petitions"
    verbose_name = "信访举报"

    def ready(self) -> None:
        # Evidence and letter-reply files follow their report or clue (holder scope, recusal), not the
        # region they were filed under: see jijian.attachments.access.
        from jijian.attachments.access import register_object_scope
        from jijian.core import links
        from jijian.petitions.clues.services import LETTER_REPLY_PURPOSE

        from . import todos  # noqa: F401 - registers the home-page to-dos
        from .access import (
            archive_clue_counts,
            archive_report_counts,
            clues_linked_to_archive,
            clues_visible_to,
            petition_by_serial,
            petition_matters,
            petitions_open,
            petitions_visible_to,
            reports_linked_to_archive,
        )
        from .services import EVIDENCE_PURPOSE, petition_register

        register_object_scope(EVIDENCE_PURPOSE, petitions_visible_to)
        register_object_scope(LETTER_REPLY_PURPOSE, clues_visible_to)
        # What petitions offer the other platforms (core/links.py).
        links.reports_linked_to_archive.provide(reports_linked_to_archive)
        links.archive_report_counts.provide(archive_report_counts)
        links.archive_clue_counts.provide(archive_clue_counts)
        links.clues_linked_to_archive.provide(clues_linked_to_archive)
        links.petition_register.provide(petition_register)
        links.petition_by_serial.provide(petition_by_serial)
        links.petitions_open.provide(petitions_open)
        links.petition_matters.provide(petition_matters)

    def demo_load(self, *, seed: int) -> str:
        """The demo's reports from the public, clues and forwards (`jijian setup`)."""
        from .demo import load_petitions_demo

        return f"{load_petitions_demo(seed=seed)} 件信访举报"

    def demo_notes(self) -> list[str]:
        from jijian.petitions.intake.receipt import display

        from .demo import DEMO_RECEIPT_CODE

        return [f"\n演示举报查询码（在 /report/ “查询进度”中输入）：{display(DEMO_RECEIPT_CODE)}"]
