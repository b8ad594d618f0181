from jijian.core.orgs.importer import import_people

from ._import_base import ImportCommand


class Command(ImportCommand):
    help = "从 CSV 或 Excel 导入人员（列：用户名、姓名、单位代码、角色、手机号码、身份证号、职务）。有错误则一行也不导入。"
    noun = "名人员（账号未设密码，由系统管理员设置初始密码后方可登录）"

    def run_import(self, file):
        return import_people(file)
