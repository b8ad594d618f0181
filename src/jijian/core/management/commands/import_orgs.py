from pathlib import Path

from django.core.management import BaseCommand, CommandError

from jijian.core.importer import ImportFileError, import_org_units


class Command(BaseCommand):
    help = "从 CSV 或 Excel 导入组织单位（列：代码、名称、类型、上级代码、代管管理区）。有错误的行全部列出，一行也不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        try:
            result = import_org_units(file)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        if not result.ok:
            for e in result.errors:
                self.stderr.write(str(e))
            raise CommandError(f"共 {len(result.errors)} 处错误，未导入任何数据")
        self.stdout.write(f"已导入 {result.created} 个组织单位")
