import getpass

from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext

from jijian.core.models import OrgUnit
from jijian.core.roles import ADMIN_ROLES
from jijian.core.services import user_create


class Command(BaseCommand):
    help = "创建三员之一（system_admin / security_admin / audit_admin）的账号，用于新部署的首次设置"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(str(role) for role in ADMIN_ROLES))
        parser.add_argument("--full-name", required=True)
        parser.add_argument("--unit-code", required=True, help="所属单位代码，例如 421300")

    def handle(self, *args, username, role, full_name, unit_code, **options):
        unit = OrgUnit.objects.filter(code=unit_code).first()
        if unit is None:
            raise CommandError(gettext("单位代码 %(unit_code)s 不存在") % {"unit_code": unit_code})
        password = getpass.getpass("初始密码：")
        try:
            user = user_create(
                actor=None,
                username=username,
                full_name=full_name,
                org_unit=unit,
                roles={role},
                password=password,
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(f"已创建 {user.username}，首次登录须修改密码并绑定动态验证码")
