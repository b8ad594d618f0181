from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.core.models import User


class Command(BaseCommand):
    help = "打印演示账号当前的动态验证码（仅限演示数据中的账号）"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None or not user.is_demo:
            raise CommandError(gettext("只能查看演示账号的动态验证码"))
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise CommandError(gettext("该演示账号没有动态验证码设备（村纪检委员无需动态验证码）"))
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
