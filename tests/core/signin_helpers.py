"""The sign-in steps that several test modules go through: the URLs, a password sign-in, a confirmed
authenticator and its current code."""

from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
OTP = "/accounts/otp/"
OTP_SETUP = "/accounts/otp/setup/"


def post_login(client, username, password=PASSWORD, meta=None, **fields):
    return client.post(LOGIN, {"username": username, "password": password, **fields}, **(meta or {}))


def add_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="手机", confirmed=True)


def code_for(device, step_offset: int = 0) -> str:
    device.refresh_from_db()
    value = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + step_offset
    )
    return f"{value:0{device.digits}d}"
