from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "jijian.cadres"
    verbose_name = "纪检委员队伍"

    def ready(self) -> None:
        # What cadres offer the other platforms (core/links.py): the evaluation counts guidance tasks
        # and evaluates a member on the months they held the post; the monthly reports are expected of
        # the village's holder of the post.
        from jijian.core import links

        from .selectors import guidance_task_counts, post_holders_on, post_holding_periods

        links.guidance_task_counts.provide(guidance_task_counts)
        links.post_holding_periods.provide(post_holding_periods)
        links.post_holders_on.provide(post_holders_on)

        from . import todos  # noqa: F401 - registers the home-page to-dos

    def demo_load(self, *, seed: int) -> str:
        """The demo's posts, a nomination, guidance tasks and 跟案学习 (`jijian setup`), after the duty log."""
        from .demo import load_demo

        return load_demo(seed=seed)
