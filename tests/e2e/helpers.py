"""What several browser tests share: signing in (with the second factor where the role needs it)."""

from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD


def sign_in(page, base, user):
    if user.needs_two_factor:
        TOTPDevice.objects.get_or_create(user=user, defaults={"name": "phone", "confirmed": True})
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    if user.needs_two_factor:
        page.wait_for_url("**/accounts/otp/")
        device = TOTPDevice.objects.get(user=user)
        page.fill(
            "#id_token", f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
        )
        page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def desktop(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    return context.new_page()


def live_server_screenshot_dir():
    from pathlib import Path

    out = Path("var/e2e")
    out.mkdir(parents=True, exist_ok=True)
    return out


def new_page(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    return context.new_page()


def shot(page, name):
    page.screenshot(path=str(live_server_screenshot_dir() / name), full_page=True)
