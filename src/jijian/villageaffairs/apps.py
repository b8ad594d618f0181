from django.apps import AppConfig


class VillageAffairsConfig(AppConfig):
    name = "jijian.villageaffairs"
    verbose_name = "村务监督"

    def ready(self) -> None:
        from . import todos  # noqa: F401 - registers the home-page to-dos

    def demo_load(self, *, seed: int) -> str:
        """The demo's 三重一大 decisions (`jijian setup`), after the duty log's demo."""
        from .demo import load_demo

        return f"{load_demo(seed=seed)} 件“三重一大”事项"
