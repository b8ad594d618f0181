"""Headless Chromium (Debian's package) driven by Playwright against Django's live server. One
browser per test session, shared by every browser test (Playwright's sync API cannot start twice in
one thread); loaded as a plugin from tests/conftest.py."""

from __future__ import annotations

import contextlib
import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the Django ORM calls the tests make
    # between page actions are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                # Video reception: a fake camera and microphone, granted without a prompt.
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _close_pages_after_each_test(request):
    """Pages a test opened are closed before its database is flushed: an open page keeps talking to
    the live server (the member's draft is saved every 30 s, an export polls), and a request still
    running during the flush of the in-memory database makes the flush fail and leaves rows for the
    next test. Each page is first let go quiet (no request for 500 ms), then its context is closed."""
    if "browser" not in request.fixturenames:
        yield
        return
    from playwright.sync_api import Error as PlaywrightError

    browser = request.getfixturevalue("browser")
    yield
    for context in browser.contexts:
        for page in context.pages:
            with contextlib.suppress(PlaywrightError):  # a page that never goes quiet is closed all the same
                page.wait_for_load_state("networkidle", timeout=10_000)
        context.close()


@pytest.fixture
def phone(browser):
    """A 360 px wide phone, Chinese locale, as a village member in the WeChat browser would have."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="zh-CN",
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    context.close()
