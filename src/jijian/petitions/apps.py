from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "jijian.petitions"
    verbose_name = "信访举报"

    def ready(self) -> None:
        # Evidence and letter-reply files follow their report or clue (holder scope, recusal), not the
        # region they were filed under: see jijian.attachments.access.
        from jijian.attachments.access import register_object_scope

        from . import todos  # noqa: F401 - registers the home-page to-dos
        from .access import clues_visible_to, petitions_visible_to
        from .clues import LETTER_REPLY_PURPOSE
        from .services import EVIDENCE_PURPOSE

        register_object_scope(EVIDENCE_PURPOSE, petitions_visible_to)
        register_object_scope(LETTER_REPLY_PURPOSE, clues_visible_to)
