from django.core.management import BaseCommand, CommandError

from jijian.core.demo import format_accounts, load_demo


class Command(BaseCommand):
    help = "向空数据库装入随州演示数据"

    def handle(self, *args, **options):
        try:
            accounts = load_demo()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(format_accounts(accounts))
