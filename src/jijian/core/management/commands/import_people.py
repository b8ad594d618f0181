from pathlib import Path

from django.core.management import BaseCommand, CommandError

from jijian.core.importer import ImportFileError, import_people


class Command(BaseCommand):
    help = "从 CSV 或 Excel 导入人员（列：用户名、姓名、单位代码、角色、手机号码、身份证号、职务）。有错误则一行也不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        try:
            result = import_people(file)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        if not result.ok:
            for e in result.errors:
                self.stderr.write(str(e))
            raise CommandError(f"共 {len(result.errors)} 处错误，未导入任何数据")
        self.stdout.write(f"已导入 {result.created} 名人员（账号未设密码，由系统管理员设置初始密码后方可登录）")
