from jijian.core.orgs.importer import import_org_units

from ._import_base import ImportCommand


class Command(ImportCommand):
    help = "从 CSV 或 Excel 导入组织单位（列：代码、名称、类型、上级代码、代管管理区、派驻纪检监察组）。有错误的行全部列出，一行也不导入。"
    noun = "个组织单位"

    def run_import(self, file):
        return import_org_units(file)
