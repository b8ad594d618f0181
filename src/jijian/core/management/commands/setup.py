from django.conf import settings
from django.core.management import BaseCommand, call_command

from jijian.core.demo import demo_accounts, format_accounts, load_demo
from jijian.core.models import OrgUnit


class Command(BaseCommand):
    help = "准备运行：迁移数据库、收集静态文件、空库时装入随州演示数据，并打印演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="不装入演示数据")

    def handle(self, *args, no_demo=False, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not OrgUnit.objects.exists() and not no_demo:
            self.stdout.write("数据库为空，正在装入随州演示数据……")
            accounts = load_demo()
        else:
            accounts = demo_accounts()
        self.stdout.write(
            f"数据库：{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}  "
            f"组织单位 {OrgUnit.objects.count()} 个"
        )
        if accounts:
            self.stdout.write(format_accounts(accounts))
        self.stdout.write("\n请用浏览器打开 http://127.0.0.1:8000/ （Ctrl-C 停止）\n")
