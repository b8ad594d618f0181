from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "jijian.training"
    verbose_name = "学讲练考"

    def ready(self) -> None:
        # A course material's file is visible exactly when its course is (a county's course reaches
        # its villages, which the unit rule of attachments alone would not).
        from jijian.attachments.access import register_object_scope

        from .access import COURSE_FILES, LECTURE_FILES, courses_visible_to, lectures_visible_to

        register_object_scope(COURSE_FILES, courses_visible_to)
        # A lecture's files, exactly when the lecture is (its keepers, the people it is for).
        register_object_scope(LECTURE_FILES, lectures_visible_to)

        # What training offers the other platforms (core/links.py).
        from jijian.core import links

        from .hooks import training_results

        links.training_results.provide(training_results)

        from . import todos  # noqa: F401 - registers the home-page to-dos

    def demo_load(self, *, seed: int) -> str:
        """The demo question bank, an open exam, a course and a lecture (`jijian setup`)."""
        from .demo import load_demo

        questions, exams = load_demo(seed=seed)
        return f"{questions} 道练习题、{exams} 场考试、1 门课程、1 次集中授课" if questions else ""
