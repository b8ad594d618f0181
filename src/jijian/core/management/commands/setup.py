import os

from django.conf import settings
from django.core.management import BaseCommand, call_command

from jijian.core.checks import STORED_DATA
from jijian.core.demo import demo_accounts, format_accounts, load_demo
from jijian.core.models import OrgUnit


class Command(BaseCommand):
    help = "准备运行：迁移数据库、收集静态文件、空库时装入随州演示数据，并打印演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="不装入演示数据")

    def handle(self, *args, no_demo=False, **options):
        # Before migrate: stored data (a restore) that the configured keys do not open stops here,
        # before a migration or the demo writes anything under them. A fresh database passes.
        self.check(databases=["default"], tags=[STORED_DATA])
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
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            # Said once here rather than silenced: Celery warns at start that it runs as root.
            self.stdout.write(
                "\n提示：当前以 root 运行，后台任务（Celery）启动时会提示 superuser 警告；"
                "演示环境可忽略，正式部署请用专用账号运行（见 docs/deploy.md）。"
            )
        self.stdout.write(
            f"\n请用浏览器打开 {run_address(settings.RUN_HOST, settings.RUN_PORT)} （Ctrl-C 停止）\n"
        )


def run_address(host: str, port: int) -> str:
    """The address to open in a browser for a server listening on host:port (all interfaces: this
    machine's loopback)."""
    if host in ("0.0.0.0", ""):  # noqa: S104 - read, not bound: shown as loopback
        host = "127.0.0.1"
    elif host == "::":
        host = "[::1]"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/"
