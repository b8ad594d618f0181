from pathlib import Path

from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext

from jijian.core.orgs.importer import ImportFileError, ImportResult


class ImportCommand(BaseCommand):
    """One file in, all or nothing: every bad row is printed, the command exits non-zero."""

    noun = ""

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def run_import(self, file: Path) -> ImportResult:
        raise NotImplementedError

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(gettext("文件不存在：%(file)s") % {"file": file})
        try:
            result = self.run_import(file)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        if not result.ok:
            for e in result.errors:
                self.stderr.write(str(e))
            raise CommandError(gettext("共 %(count)s 处错误，未导入任何数据") % {"count": len(result.errors)})
        self.stdout.write(f"已导入 {result.created} {self.noun}")
