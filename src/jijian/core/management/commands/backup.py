from pathlib import Path

from django.core.management import BaseCommand, CommandError

from jijian.core.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库和文件目录到一个新目录（带 SHA256SUMS 校验和）；密钥只有加 --include-keys 才一并备份"

    def add_arguments(self, parser):
        parser.add_argument("dest", help="备份目录（新建，不能是已有的非空目录）")
        parser.add_argument(
            "--include-keys",
            action="store_true",
            help="把密钥文件也放进备份（备份须与数据分开、加密保管，见 docs/backup.md）",
        )

    def handle(self, *args, dest, include_keys=False, **options):
        try:
            result = backup_create(dest=Path(dest), include_keys=include_keys)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        for warning in result.warnings:
            self.stderr.write(f"注意：{warning}")
        self.stdout.write(
            f"备份完成：{result.path}（{result.engine} 数据库，{result.files} 个文件"
            f"{'，含密钥' if result.includes_keys else '，不含密钥'}）"
        )
