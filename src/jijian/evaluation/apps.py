from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "jijian.evaluation"
    verbose_name = "考评与互查"

    def ready(self) -> None:
        # A finding's photos are visible exactly when its check is (the checker's and the checked
        # unit's committees and the round's organisers).
        from jijian.attachments.access import register_object_scope

        from .access import FINDING_FILES, findings_visible_to

        register_object_scope(FINDING_FILES, findings_visible_to)

        from . import todos  # noqa: F401 - registers the home-page to-dos

    def demo_load(self, *, seed: int) -> str:
        """A rubric, evaluations of the demo township and a mutual-check round (`jijian setup`)."""
        from .demo import load_demo

        return load_demo(seed=seed)
