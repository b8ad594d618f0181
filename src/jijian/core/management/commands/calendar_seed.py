from django.core.management import BaseCommand

from jijian.core.workdays import calendar_seed


class Command(BaseCommand):
    help = "从 chinese-calendar 装入法定节假日和调休（不覆盖手工修改）"

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int)

    def handle(self, *args, years, **options):
        n = calendar_seed(years or None)
        self.stdout.write(f"已装入 {n} 个例外日期")
