"""Browser fixtures: the session's app served on a live port, headless Chromium, one context per test.

The server runs in a thread of this process, so it shares the database (the temporary SQLite
file or TEST_DATABASE_URL) and the application clock (`clock.at(...)`) with the test. Data a
test makes must be committed before the browser asks for it; World.build() commits.

Chromium is Debian's (THIDUA_CHROMIUM overrides the path); Playwright's own download is not used.
"""
from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from tests import factories

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# The moment the browser tests live in (local time, Asia/Ho_Chi_Minh): mid-registration.
NOW = datetime(2024, 9, 20, 9, 0)
TIMEOUT_MS = 10_000

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return f"http://127.0.0.1:{live_server.server_port}"


@pytest.fixture(scope="session")
def playwright_driver():
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    executable = os.environ.get("THIDUA_CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.fail(f"Chromium not found at {executable} (set THIDUA_CHROMIUM) — scripts/test.sh installs it")
    browser = playwright_driver.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser, base_url):
    """Open more browser contexts (another person on another computer); all are closed after the test."""
    contexts = []

    def make(*, phone: bool = False):
        options = {"base_url": base_url, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
        if phone:
            options.update(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        else:
            options.update(viewport=DESKTOP)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def phone_page(new_context):
    return new_context(phone=True).new_page()


@pytest.fixture
def world(clock):
    """The factories' world, built with the clock stopped at NOW so days-left counts are fixed."""
    clock.at(NOW)
    return factories.World.build()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def screenshot(artifacts):
    def take(page, name: str) -> Path:
        path = artifacts / name
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login():
    """Sign in through the login form, as a person would."""

    def sign_in(page, user, password: str = factories.PASSWORD):
        page.goto("/dang-nhap")
        page.get_by_label("Tên đăng nhập", exact=True).fill(user.username)
        page.get_by_label("Mật khẩu", exact=True).fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_role("button", name="Đăng xuất", include_hidden=True)).to_be_attached()
        return page

    return sign_in
