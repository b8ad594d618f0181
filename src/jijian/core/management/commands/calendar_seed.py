from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext

from jijian.core.orgs.workdays import calendar_seed, published_years


class Command(BaseCommand):
    help = "从 chinese-calendar 装入法定节假日和调休（不覆盖手工修改）；某年没有数据时以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int)

    def handle(self, *args, years, **options):
        loaded = calendar_seed(years or None)
        for year, n in loaded.items():
            self.stdout.write(f"{year} 年：已装入 {n} 个例外日期")
        missing = sorted(year for year, n in loaded.items() if n == 0)
        if missing:
            known = sorted(published_years())
            raise CommandError(
                gettext(
                    "%(items)s 年没有国务院公布的放假安排（chinese-calendar 只有 %(known)s–%(known2)s 年）：该年按法定节日规则暂定计算，期限显示为“暂定”。国务院公布后请升级 chinese-calendar 再运行本命令，或在“工作日历”页手工录入并确认。"
                )
                % {"items": "、".join(map(str, missing)), "known": known[0], "known2": known[-1]}
            )
