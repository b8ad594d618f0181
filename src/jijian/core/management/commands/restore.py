from pathlib import Path

from django.core.management import BaseCommand, CommandError

from jijian.core.ops.backup import BackupError, restore_apply


class Command(BaseCommand):
    # No start-up checks: they load the keyring, which on an empty data directory would generate a
    # fresh key file; restore checks the data against the keys it is given instead.
    requires_system_checks: list[str] = []
    help = "从 jijian backup 的备份目录恢复到一个空实例；先校验全部校验和，不符则不做任何更改"

    def add_arguments(self, parser):
        parser.add_argument("src", help="备份目录")
        parser.add_argument("--include-keys", action="store_true", help="同时恢复备份中的密钥文件")

    def handle(self, *args, src, include_keys=False, **options):
        try:
            result = restore_apply(src=Path(src), include_keys=include_keys)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        for warning in result.warnings:
            self.stderr.write(f"注意：{warning}")
        self.stdout.write(
            f"恢复完成：{result.engine} 数据库，{result.files} 个文件"
            f"{'，已恢复密钥文件' if result.keys_restored else ''}"
        )
        if not result.audit_ok:
            raise CommandError(result.audit_message)
        self.stdout.write(result.audit_message)
